import CRMAnalytics
import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// A reversed purchase is no purchase for RFM recency or churn's purchase gap: the last (and first) purchase
/// are those still standing. Expected values computed by hand in the comments.
@Suite struct RFMReversedPurchaseTests {
    func purchase(_ f: EngineFixture, _ customer: UUID, _ label: String, on day: String, _ amount: Decimal) async throws {
        try await f.engine.execute(RevenueLedger.self, id: RevenueLedger.id(customerID: customer), .record(RevenueLedger.Entry(
            id: UUID.derived("entry", label), customerID: customer, chargeItem: "gas", businessLine: "gas",
            date: try EngineFixture.day(day), amount: Money(amount, .cny))), as: f.admin)
    }

    func reverse(_ f: EngineFixture, _ customer: UUID, _ label: String) async throws {
        try await f.engine.execute(RevenueLedger.self, id: RevenueLedger.id(customerID: customer), .reverse(
            entryID: UUID.derived("entry", label), reversalID: UUID.derived("reversal", label), reason: "billed in error"), as: f.admin)
    }

    func caughtUp(_ f: EngineFixture) async throws { try await f.engine.views.waitUntil(try await f.engine.store.headPosition()) }

    /// B bought 1000 on 10-01 and that was reversed: net B never bought. E bought 100 on 03-01 (272 days
    /// before 11-28). B has no recency and ranks below E (R 1 against E's higher R).
    @Test func aCustomerWhoseOnlyPurchaseWasReversedHasNoRecencyAndRanksBelowABuyer() async throws {
        let f = try await EngineFixture.make("rfm-reversed-only")
        let b = try await f.customer("B", branch: "north"), e = try await f.customer("E", branch: "north")
        try await purchase(f, b, "b-oct", on: "2026-10-01", 1000)
        try await reverse(f, b, "b-oct")
        try await purchase(f, e, "e-mar", on: "2026-03-01", 100)
        try await caughtUp(f)
        let scores = try await f.engine.rfm(asOf: try EngineFixture.day("2026-11-28"), currency: .cny, as: f.admin)
        let scoreB = try #require(scores.first { $0.customerID == b }), scoreE = try #require(scores.first { $0.customerID == e })
        #expect(scoreB.input.recencyDays == nil && scoreB.input.frequency == 0 && scoreB.input.monetary == 0, "\(scoreB.input)")
        #expect(scoreE.input.recencyDays == 272 && scoreE.input.frequency == 1, "\(scoreE.input)")
        #expect(scoreB.recency < scoreE.recency, "B \(scoreB.recency), E \(scoreE.recency)")
        await f.close()
    }

    /// Purchases on 10-01, 11-01 (reversed) and 12-01. On 11-28 the last standing is 10-01 (58 days), not
    /// 11-01 (27); as of 12-31 it is 12-01 (30 days); once 12-01 is reversed too, 10-01 again (91 days).
    @Test func recencyComesFromTheLatestPurchaseNotReversedAlsoAsOfAPastDay() async throws {
        let f = try await EngineFixture.make("rfm-reversed-last")
        let c = try await f.customer("C", branch: "north")
        try await purchase(f, c, "oct", on: "2026-10-01", 100)
        try await purchase(f, c, "nov", on: "2026-11-01", 200)
        try await purchase(f, c, "dec", on: "2026-12-01", 300)
        try await reverse(f, c, "nov")
        try await caughtUp(f)
        func recency(_ day: String) async throws -> Int? {
            try await f.engine.rfm(asOf: try EngineFixture.day(day), currency: .cny, as: f.admin).first { $0.customerID == c }?.input.recencyDays
        }
        #expect(try await recency("2026-11-28") == 58)
        #expect(try await recency("2026-12-31") == 30)
        try await reverse(f, c, "dec")
        try await caughtUp(f)
        #expect(try await recency("2026-12-31") == 91)
        await f.close()
    }

    /// Purchases on 01-10 and 04-20; 04-20 reversed. On 05-01 the last standing purchase is 01-10, 111 days
    /// before (> the 90-day default gap, one purchase left): purchaseGap fires. Counting the reversed one it
    /// would be 11 days and would not.
    @Test func churnsPurchaseGapIgnoresAReversedLastPurchase() async throws {
        let f = try await EngineFixture.make("churn-reversed-last")
        let c = try await f.customer("Lapsed", branch: "north")
        try await purchase(f, c, "jan", on: "2026-01-10", 100)
        try await purchase(f, c, "apr", on: "2026-04-20", 100)
        try await reverse(f, c, "apr")
        try await caughtUp(f)
        let risks = try await f.engine.churnRisks(on: try EngineFixture.day("2026-05-01"), currency: .cny, as: f.admin)
        let reasons = try #require(risks.first { $0.customerID == c }).risk.contributions.map(\.reason)
        #expect(reasons.contains(.purchaseGap), "\(reasons)")
        await f.close()
    }
}
