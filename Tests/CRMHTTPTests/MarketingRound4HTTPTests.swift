import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import NIOHTTP1
import Testing

/// Over HTTP: a product's milestones with their timing, a campaign's cost against its budget, and a target
/// selection by RFM segment or birthday month (R-SAL-5, R-MKT-1, R-MKT-3). The server's clock: 2026-01-01.
@Suite(.serialized) struct MarketingRound4HTTPTests {
    func milestones(_ answer: LiveServer.Answer) -> [String: String] {
        var out: [String: String] = [:]
        for m in (answer.json["milestones"] as? [[String: Any]]) ?? [] { out[text(m["name"]) ?? "?"] = text(m["timing"]) ?? "null" }
        return out
    }

    @Test func theProductAnswerShowsEachMilestonesTimingAndAFutureReachedDateIsRefused() async throws {
        try await LiveServer.with("product-milestone-timing") { s in
            let product = try await s.created("/v1/products", #"{"productLine": "gas", "name": "Smart meter", "standardPrice": {"amount": 120, "currency": "CNY"}}"#)
            for (name, planned) in [("alpha", "2025-12-01"), ("beta", "2026-06-01"), ("gamma", "2025-12-20")] {
                try await s.expect(.POST, "/v1/products/\(product)/milestones", #"{"name": "\#(name)", "plannedDate": "\#(planned)"}"#)
            }
            try await s.expect(.POST, "/v1/products/\(product)/milestones/reached", #"{"name": "gamma", "actualDate": "2025-12-15"}"#)
            let head = try await s.engine.store.headPosition()
            let future = try await s.send(.POST, "/v1/products/\(product)/milestones/reached", json: #"{"name": "beta", "actualDate": "2027-05-01"}"#)
            #expect(future.status == 422 && text(future.json["field"]) == "actualDate", "\(future.text)")
            #expect(try await s.engine.store.headPosition() == head)

            let answer = try await s.expect(.GET, "/v1/products/\(product)")
            // alpha: overdue and not reached; beta: not yet due; gamma: reached before its plan.
            #expect(milestones(answer) == ["alpha": "delayed", "beta": "null", "gamma": "early"], "\(answer.text)")
            #expect(answer.header("ETag") != nil && text(answer.json["name"]) == "Smart meter")
        }
    }

    @Test func theCampaignAnswerShowsActualCostBudgetRemainingAndNetReturn() async throws {
        try await LiveServer.with("campaign-cost-vs-budget") { s in
            let campaign = try await s.created("/v1/campaigns", """
                {"name": "Spring", "objective": "Grow", "owner": "\(s.admin.id)", "budget": {"amount": 20000, "currency": "CNY"}, "start": "2026-01-01", "end": "2026-02-28"}
                """)
            let id = try #require(UUID(uuidString: campaign))
            try await s.engine.execute(Campaign.self, id: id, .submitFeasibility(study: "ok"), as: s.admin)
            try await s.engine.execute(Campaign.self, id: id, .approve(note: nil), as: .system)  // its submitter may not approve it
            for (n, amount, day) in [(1, 12_500, "2026-01-05"), (2, 20_000, "2026-02-10")] {
                try await s.expect(.POST, "/v1/campaigns/\(campaign)/costs", """
                    {"id": "\(UUID.derived("cost", "\(n)").uuidString)", "description": "ads", "amount": {"amount": \(amount), "currency": "CNY"}, "date": "\(day)"}
                    """)
            }
            // A cost dated before the plan (a typo of the year) is refused, naming the date.
            let early = try await s.send(.POST, "/v1/campaigns/\(campaign)/costs", json: """
                {"id": "\(UUID.derived("cost", "2019").uuidString)", "description": "ads", "amount": {"amount": 5, "currency": "CNY"}, "date": "2019-01-01"}
                """)
            #expect(early.status == 422 && text(early.json["field"]) == "date", "\(early.text)")

            let answer = try await s.expect(.GET, "/v1/campaigns/\(campaign)")
            let cost = answer.json["actualCost"] as? [String: Any], remaining = answer.json["budgetRemaining"] as? [String: Any]
            #expect(text(cost?["amount"]) == "32500" && text(cost?["currency"]) == "CNY", "\(answer.text)")
            #expect(text(remaining?["amount"]) == "-12500", "\(answer.text)")
            #expect(answer.json["netReturn"] is NSNull, "not closed: no return yet; \(answer.text)")
        }
    }

    @Test func aTargetSelectionRefusesAnUnknownSegmentAndABadBirthdayMonth() async throws {
        try await LiveServer.with("select-segment-http") { s in
            let customer = try await s.created("/v1/customers", #"{"kind": "person", "name": "Ann", "group": "residential", "birthday": "1980-05-04"}"#)
            let campaign = try await s.created("/v1/campaigns", """
                {"name": "Greetings", "objective": "Birthdays", "owner": "\(s.admin.id)", "budget": {"amount": 100, "currency": "CNY"}, "start": "2026-01-01", "end": "2026-12-31"}
                """)
            let path = "/v1/campaigns/\(campaign)/targets/select"
            let unknown = try await s.send(.POST, path, json: #"{"segment": "atRsik"}"#)
            #expect(unknown.status == 400 && text(unknown.json["field"]) == "segment", "\(unknown.text)")
            let month = try await s.send(.POST, path, json: #"{"birthdayMonth": 13}"#)
            #expect(month.status == 400 && text(month.json["field"]) == "birthdayMonth", "\(month.text)")
            let head = try await s.engine.store.headPosition().rawValue
            let may = try await s.expect(.POST, path + "?consistentWith=\(head)", #"{"birthdayMonth": 5}"#)
            #expect(text(may.json["selected"]) == "1" && text(may.json["criteria"]) == "birthdayMonth=5", "\(may.text)")
            let state = try await s.expect(.GET, "/v1/campaigns/\(campaign)")
            let list = (state.json["targetLists"] as? [[String: Any]])?.first
            #expect(((list?["customerIDs"] as? [Any]) ?? []).compactMap { text($0)?.lowercased() } == [customer.lowercased()])
        }
    }
}
