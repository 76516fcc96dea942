import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import NIOHTTP1
import Testing

/// A hand-made campaign target list (`POST /v1/campaigns/{id}/targets`) and its messages name only customers
/// the caller may see (exploratory finding), as the selection by criteria does.
@Suite struct CampaignHandTargetsHTTPTests {
    @Test func aHandTargetListOfHiddenOrMadeUpCustomersIsRefusedAndMessagesGoOnlyToVisibleTargets() async throws {
        try await LiveServer.with("campaign-hand-targets") { s in
            let (planner, token) = try await s.hire("Pia", branch: "berlin", permissions: [
                Permission(module: .campaigns, actions: [.query, .create, .edit], scope: .own),
                Permission(module: .customers, actions: [.query], scope: .branch("berlin")),
            ])
            var ids: [String: String] = [:]
            for (name, branch) in [("Shanghai Steel", "shanghai"), ("Berlin Bakery", "berlin")] {
                ids[branch] = try await s.created("/v1/customers", #"{"kind": "person", "name": "\#(name)", "group": "residential", "branch": "\#(branch)"}"#)
            }
            let hidden = try #require(ids["shanghai"]), visible = try #require(ids["berlin"])
            let campaign = try await s.created("/v1/campaigns", """
                {"name": "Spring", "objective": "Renewals", "owner": "\(planner.id)", "budget": {"amount": 1000, "currency": "CNY"}, "start": "2026-03-01", "end": "2026-03-31"}
                """)
            let madeUp = "0e5b6f3e-0000-4000-8000-0000000000ff"
            let head = try await s.engine.store.headPosition()
            for customers in [[hidden, visible], [visible, madeUp]] {
                let list = customers.map { "\"\($0)\"" }.joined(separator: ", ")
                let refused = try await s.send(.POST, "/v1/campaigns/\(campaign)/targets", token: token,
                                               json: #"{"id": "\#(UUID().uuidString)", "criteria": "hand", "customerIDs": [\#(list)]}"#)
                #expect(refused.status == 400 && text(refused.json["field"]) == "customerIDs", "\(refused.status) \(refused.text)")
                #expect(!refused.text.contains("Shanghai") && !refused.text.lowercased().contains(hidden.lowercased()), "\(refused.text)")
            }
            #expect(try await s.engine.store.headPosition() == head, "nothing written")
            let listID = UUID.derived("list", "hand").uuidString
            try await s.expect(.POST, "/v1/campaigns/\(campaign)/targets",
                               #"{"id": "\#(listID)", "criteria": "hand", "customerIDs": ["\#(hidden)", "\#(visible)"]}"#)  // the administrator sees both
            try await s.expect(.POST, "/v1/campaigns/\(campaign)/feasibility", #"{"study": "Feasible"}"#)
            let campaignID = try #require(UUID(uuidString: campaign))
            try await s.engine.execute(Campaign.self, id: campaignID, .approve(note: nil), as: .system)  // its submitter may not approve it
            try await s.expect(.POST, "/v1/campaigns/\(campaign)/start", "{}")
            let toHidden = try await s.send(.POST, "/v1/campaigns/\(campaign)/messages", token: token,
                                            json: #"{"listId": "\#(listID)", "customerId": "\#(hidden)", "kind": "greeting", "channel": "sms"}"#)
            #expect(toHidden.status == 400 && text(toHidden.json["field"]) == "customerId", "\(toHidden.status) \(toHidden.text)")
            let toVisible = try await s.send(.POST, "/v1/campaigns/\(campaign)/messages", token: token,
                                             json: #"{"listId": "\#(listID)", "customerId": "\#(visible)", "kind": "greeting", "channel": "sms"}"#)
            #expect(toVisible.status == 200, "\(toVisible.text)")
            let state = try await s.engine.state(Campaign.self, id: campaignID, as: s.admin).state
            #expect(state.messages.map { $0.customerID.uuidString.lowercased() } == [visible.lowercased()])
        }
    }
}
