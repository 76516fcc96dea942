import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// Over real HTTP: a submitter without rights in organisation reads their own request
/// (`GET /v1/approvals/{id}`) and finds it in their inbox (`GET /v1/approvals`) once it is returned to them,
/// until they resubmit it; another employee without those rights gains nothing.
@Suite struct ApprovalSubmitterHTTPTests {
    @Test func aSubmitterReadsTheirOwnRequestAndFindsItReturnedInTheirInboxOverHTTP() async throws {
        try await LiveServer.with("approval-submitter") { s in
            let own = [Permission(module: .campaigns, actions: [.query, .create, .edit], scope: .own)]
            let (petra, petraToken) = try await s.hire("Petra", branch: "head-office", permissions: own)
            let (_, ottoToken) = try await s.hire("Otto", branch: "head-office", permissions: own)
            let campaign = UUID.derived("campaign", "approval-submitter")
            try await s.engine.execute(Campaign.self, id: campaign, .plan(
                id: campaign, name: "Spring", objective: "Renewals", owner: petra.id, budget: Money(5000, .cny),
                start: try #require(LocalDate("2026-03-01")), end: try #require(LocalDate("2026-04-30"))), as: s.admin)
            let posters = UUID.derived("material", "posters")
            try await s.engine.execute(Campaign.self, id: campaign, .requestMaterial(id: posters, name: "Posters", unit: "piece", quantity: 20), as: petra)
            try await s.engine.reactionsSettled(upTo: try await s.engine.store.headPosition())
            let instance = ApprovalRouting.materialInstanceID(campaignID: campaign, materialID: posters).lowercasedString

            let read = try await s.send(.GET, "/v1/approvals/\(instance)", token: petraToken)
            #expect(read.status == 200 && text(read.json["status"]) == "running", "\(read.status) \(read.text)")
            #expect(try await s.send(.GET, "/v1/approvals/\(instance)", token: ottoToken).status == 404)
            #expect(try await Self.inbox(s, petraToken).isEmpty, "waits for an approver, not for her")

            let sentBack = try await s.send(.POST, "/v1/approvals/\(instance)/send-back", json: #"{"reason": "ten will do"}"#)
            #expect(sentBack.status == 200, "\(sentBack.status) \(sentBack.text)")
            try await s.engine.reactionsSettled(upTo: try await s.engine.store.headPosition())
            let returned = try await s.send(.GET, "/v1/approvals/\(instance)", token: petraToken)
            #expect(text(returned.json["status"]) == "returnedToSubmitter", "\(returned.status) \(returned.text)")
            #expect(try await Self.inbox(s, petraToken) == [instance])
            #expect(try await Self.inbox(s, ottoToken).isEmpty)

            let resubmitted = try await s.send(.POST, "/v1/approvals/\(instance)/resubmit", token: petraToken, json: "{}")
            #expect(resubmitted.status == 200, "\(resubmitted.status) \(resubmitted.text)")
            try await s.engine.reactionsSettled(upTo: try await s.engine.store.headPosition())
            #expect(try await Self.inbox(s, petraToken).isEmpty, "resubmitted: it left her inbox")
        }
    }

    /// The instance ids of the caller's pending approvals, in lower case.
    static func inbox(_ s: LiveServer, _ token: String) async throws -> [String] {
        let answer = try await s.send(.GET, "/v1/approvals", token: token)
        #expect(answer.status == 200, "\(answer.status) \(answer.text)")
        return ((answer.json["pending"] as? [[String: Any]]) ?? []).compactMap { text(($0["instance"] as? [String: Any])?["instanceID"])?.lowercased() }
    }
}
