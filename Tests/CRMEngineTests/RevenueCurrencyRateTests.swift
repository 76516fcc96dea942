import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// A revenue entry the reports could not convert is refused where it comes in: one such entry would
/// refuse the revenue, RFM and churn reports to everyone (they never count money as 0) until an
/// administrator set a rate — and its reversal, in the same currency, would not help.
@Suite struct RevenueCurrencyRateTests {
    struct World {
        let f: EngineFixture
        let customer: UUID
    }

    func world(_ label: String) async throws -> World {
        let f = try await EngineFixture.make(label)
        return World(f: f, customer: try await f.customer("Customer", branch: "A"))
    }

    func rate(_ w: World, _ from: Currency, _ to: Currency, _ rate: String, from day: String) async throws {
        try await w.f.engine.execute(Settings.self, id: UUID(), .setExchangeRate(ExchangeRate(
            from: from, to: to, rate: try #require(Decimal(string: rate)), validFrom: try EngineFixture.day(day))), as: w.f.admin)
    }

    func entry(_ w: World, _ label: String, day: String, _ amount: String, _ currency: Currency) throws -> RevenueLedger.Entry {
        RevenueLedger.Entry(id: UUID.derived("entry", label), customerID: w.customer, chargeItem: "x", businessLine: "heating",
                            date: try EngineFixture.day(day), amount: Money(try #require(Decimal(string: amount)), currency))
    }

    @discardableResult
    func execute(_ w: World, _ command: RevenueLedger.Command) async throws -> CRMEngine.CommandResult {
        try await w.f.engine.execute(RevenueLedger.self, id: RevenueLedger.id(customerID: w.customer), command, as: w.f.admin)
    }

    func jpy() throws -> Currency { try #require(Currency(rawValue: "JPY")) }

    @Test func anEntryInACurrencyWithoutARateIsRefusedOnAmountWithNothingWrittenAndTheReportsKeepWorking() async throws {
        let w = try await world("revenue-rate-refused")
        try await rate(w, .usd, .cny, "7", from: "2025-01-01")
        try await execute(w, .record(try entry(w, "cny", day: "2026-11-26", "100", .cny)))
        let head = try await w.f.engine.store.headPosition()
        let error = await #expect(throws: EngineError.self) {
            try await execute(w, .record(try entry(w, "jpy", day: "2026-11-27", "5", try jpy())))
        }
        #expect(error?.code == .rejected && error?.domain?.code == .invalid && error?.field == "amount", "\(String(describing: error))")
        #expect(error?.message.contains("JPY") == false, "the typed currency is not repeated")
        #expect(try await w.f.engine.store.headPosition() == head)
        try await w.f.engine.views.waitUntil(head)
        let report = try await w.f.engine.revenue(RevenueQuery(by: .month, from: try #require(RevenueMonth(text: "2026-11")),
                                                               through: try #require(RevenueMonth(text: "2026-11"))), as: w.f.admin)
        #expect(report.total == 100)
        await w.f.close()
    }

    @Test func anEntryConvertsOnItsOwnDateDirectInverseOrAcrossAThirdCurrency() async throws {
        let w = try await world("revenue-rate-dated")
        try await rate(w, .usd, .cny, "7", from: "2025-01-01")
        try await rate(w, .eur, .usd, "1.1", from: "2026-01-01")
        // Before its rate is valid, a euro entry converts into nothing.
        let early = await #expect(throws: EngineError.self) { try await execute(w, .record(try entry(w, "early", day: "2025-06-01", "10", .eur))) }
        #expect(early?.field == "amount")
        // Once it is, into USD directly and into CNY across USD (the currencies the rates convert into); CNY into
        // USD by the inverse.
        #expect(try await execute(w, .record(try entry(w, "eur", day: "2026-02-01", "10", .eur))).events.count == 1)
        #expect(try await execute(w, .record(try entry(w, "cny", day: "2026-02-01", "10", .cny))).events.count == 1)
        await w.f.close()
    }

    /// RFM and churn convert a month at the rate valid on its first day: an entry of a month whose rate starts
    /// in the middle of it would block them, so it is refused too.
    @Test func anEntryOfAMonthWhoseRateStartsAfterItsFirstDayIsRefused() async throws {
        let w = try await world("revenue-rate-month")
        try await rate(w, .usd, .cny, "7", from: "2026-03-15")
        let mid = await #expect(throws: EngineError.self) { try await execute(w, .record(try entry(w, "march", day: "2026-03-20", "10", .usd))) }
        #expect(mid?.field == "amount")
        #expect(try await execute(w, .record(try entry(w, "april", day: "2026-04-02", "10", .usd))).events.count == 1)
        let rfm = try await w.f.engine.rfm(asOf: try EngineFixture.day("2026-04-30"), currency: .cny, as: w.f.admin,
                                           consistentWith: try await w.f.engine.store.headPosition())
        #expect(!rfm.isEmpty, "the report is not blocked")
        await w.f.close()
    }

    @Test func withoutAnyRateEveryCurrencyIsRecordedAndARepeatOrAReversalPassesOnceRatesExist() async throws {
        let w = try await world("revenue-rate-none")
        let recorded = try entry(w, "jpy", day: "2026-11-27", "5", try jpy())
        #expect(try await execute(w, .record(recorded)).events.count == 1)
        try await rate(w, .usd, .cny, "7", from: "2025-01-01")
        // The same entry again is a repeat; its reversal only cancels it: neither is judged again.
        #expect(try await execute(w, .record(recorded)).events.isEmpty)
        let reversal = try await execute(w, .reverse(entryID: recorded.id, reversalID: UUID.derived("entry", "reversal"), reason: "wrong currency"))
        #expect(reversal.events.count == 1)
        // A new entry in that currency is refused now that the settings hold rates.
        await #expect(throws: EngineError.self) { try await execute(w, .record(try entry(w, "jpy-2", day: "2026-11-27", "5", try jpy()))) }
        await w.f.close()
    }
}
