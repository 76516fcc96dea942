import CRMEngine
import Foundation
import Testing

/// A campaign's hand-made target list may name up to `CRMEngine.maxSelectedTargets` customers: its route takes
/// a body large enough for that many ids (about 390 KB; the general 64 KiB refused it first), and a body past
/// even that is a 413 with nothing written.
@Suite struct CampaignTargetBodyTests {
    static func list(_ count: Int, padding: Int = 0) -> String {
        let ids = (0..<count).map { String(format: #""00000000-0000-4000-8000-%012d""#, $0) }
        return #"{"id": "\#(UUID().uuidString)", "criteria": "hand", "customerIDs": ["#
            + ids.joined(separator: "," + String(repeating: " ", count: padding)) + "]}"
    }

    @Test func aTargetListOfTheCapsCustomersIsJudgedByTheEngineNotRefusedByTheBodyLimit() async throws {
        try await LiveServer.with("campaign-target-body") { s in
            let campaign = try await s.created("/v1/campaigns", """
                {"name": "Spring", "objective": "Renewals", "owner": "\(s.admin.id)", "budget": {"amount": 1000, "currency": "CNY"}, "start": "2026-03-01", "end": "2026-03-31"}
                """)
            let head = try await s.engine.store.headPosition()
            let body = Self.list(CRMEngine.maxSelectedTargets)
            #expect(body.utf8.count > 64 * 1024)
            // The ids name no customer: the engine's own check answers (400 naming customerIDs), not the body limit.
            let judged = try await s.send(.POST, "/v1/campaigns/\(campaign)/targets", json: body, headers: [("Idempotency-Key", "all-of-them")])
            #expect(judged.status == 400 && text(judged.json["field"]) == "customerIDs", "\(judged.status) \(judged.text.prefix(300))")
            let oversize = try await s.send(.POST, "/v1/campaigns/\(campaign)/targets",
                                            json: Self.list(CRMEngine.maxSelectedTargets, padding: 70))
            #expect(oversize.status == 413, "\(oversize.status) \(oversize.text.prefix(300))")
            #expect(try await s.engine.store.headPosition() == head, "nothing written")
        }
    }
}
