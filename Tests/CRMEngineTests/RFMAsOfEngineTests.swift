import CRMAnalytics
import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// RFM and the composition report read only what was bought by the analysis day, refuse a currency
/// without a rate, and convert the composition's values as the revenue report does (rounded once).
/// Expected values are computed by hand in the comments.
@Suite struct RFMAsOfEngineTests {
    func purchase(_ f: EngineFixture, _ customer: UUID, _ label: String, on day: String, _ amount: Decimal, _ currency: Currency = .cny) async throws {
        try await f.engine.execute(RevenueLedger.self, id: RevenueLedger.id(customerID: customer), .record(RevenueLedger.Entry(
            id: UUID.derived("entry", label), customerID: customer, chargeItem: "gas", businessLine: "gas",
            date: try EngineFixture.day(day), amount: Money(amount, currency))), as: f.admin)
    }

    func caughtUp(_ f: EngineFixture) async throws { try await f.engine.views.waitUntil(try await f.engine.store.headPosition()) }

    @Test func rfmCountsOnlyThePurchasesDatedOnOrBeforeTheDay() async throws {
        let f = try await EngineFixture.make("rfm-as-of")
        let customer = try await f.customer("Buyer", branch: "north")
        try await purchase(f, customer, "oct", on: "2026-10-01", 100)
        try await purchase(f, customer, "nov-3", on: "2026-11-03", 200)
        try await purchase(f, customer, "nov-30", on: "2026-11-30", 400)
        try await purchase(f, customer, "dec", on: "2026-12-05", 800)
        try await caughtUp(f)
        func input(_ day: String) async throws -> RFM.Input? {
            try await f.engine.rfm(asOf: try EngineFixture.day(day), currency: .cny, as: f.admin).first?.input
        }
        // On 11-28: last purchase 11-03 (25 days), 2 purchases, 300 — not the 11-30 or December ones.
        let november = try await input("2026-11-28")
        #expect(november?.recencyDays == 25 && november?.frequency == 2 && november?.monetary == 300, "\(String(describing: november))")
        // On 10-15: the October purchase only (14 days).
        let october = try await input("2026-10-15")
        #expect(october?.recencyDays == 14 && october?.frequency == 1 && october?.monetary == 100, "\(String(describing: october))")
        // Before any purchase: never bought.
        let september = try await input("2026-09-30")
        #expect(september?.recencyDays == nil && september?.frequency == 0 && september?.monetary == 0, "\(String(describing: september))")
        // On 11-30 and after December: everything up to the day.
        let end = try await input("2026-11-30")
        #expect(end?.recencyDays == 0 && end?.frequency == 3 && end?.monetary == 700)
        let later = try await input("2026-12-31")
        #expect(later?.recencyDays == 26 && later?.frequency == 4 && later?.monetary == 1500)
        await f.close()
    }

    @Test func rfmRefusesACurrencyWithoutARateNamingThePair() async throws {
        let f = try await EngineFixture.make("rfm-missing-rate")
        let customer = try await f.customer("Buyer", branch: "north")
        try await purchase(f, customer, "usd", on: "2026-03-05", 10, .usd)
        try await caughtUp(f)
        let day = try EngineFixture.day("2026-03-31")
        let error = await #expect(throws: EngineError.self) {
            _ = try await f.engine.rfm(asOf: day, currency: .cny, as: f.admin)
        }
        #expect(error?.code == .rejected && error?.field == "exchangeRates" && error?.message.contains("USD→CNY (first needed on 2026-03-01)") == true,
                "\(String(describing: error))")
        // With the rate: 70 CNY, one purchase.
        try await f.engine.execute(Settings.self, id: UUID(), .setExchangeRate(ExchangeRate(
            from: .usd, to: .cny, rate: 7, validFrom: try EngineFixture.day("2026-01-01"))), as: f.admin)
        let input = try await f.engine.rfm(asOf: day, currency: .cny, as: f.admin).first?.input
        #expect(input?.frequency == 1 && input?.monetary == 70)
        // A month outside the window refuses nothing.
        #expect(try await f.engine.rfm(asOf: try EngineFixture.day("2027-06-30"), months: 3, currency: .eur, as: f.admin).first?.input.frequency == 0)
        await f.close()
    }

    /// X bought 100 on 10-05 and again on 12-05, Y 200 on 10-20; the period is October (last day 10-31).
    /// As of 10-31: X 26 days (R 1), Y 11 days (R 3); F tied (1, 1); M 100 → 1, 200 → 3. X: FM 1 → lost;
    /// Y: FM 2 → aboutToSleep. (Counting X's December purchase, X would be R 3 and Y R 1.)
    @Test func compositionSegmentsReadTheLastPurchaseOnOrBeforeThePeriodsEnd() async throws {
        let f = try await EngineFixture.make("composition-as-of")
        let x = try await f.customer("X", branch: "north"), y = try await f.customer("Y", branch: "north")
        try await purchase(f, x, "x-oct", on: "2026-10-05", 100)
        try await purchase(f, x, "x-dec", on: "2026-12-05", 100)
        try await purchase(f, y, "y-oct", on: "2026-10-20", 200)
        try await caughtUp(f)
        let october = RevenueMonth(year: 2026, month: 10)
        let shares = try await f.engine.compositionReport(.init(from: october, through: october, compositionBy: "segment"), as: f.admin)
        #expect(Set(shares.map { "\($0.key) \($0.value)" }) == ["lost 100", "aboutToSleep 200"], "\(shares)")
        await f.close()
    }

    /// Three entries of 10 CNY in USD at 7 CNY per USD: 30 / 7 = 4.285714… → 4.2857 as the revenue report
    /// shows it; rounded entry by entry 3 × 1.4286 = 4.2858.
    @Test func compositionValuesAreConvertedAndRoundedOnceAsTheRevenueReportDoes() async throws {
        let f = try await EngineFixture.make("composition-rounding")
        let customer = try await f.customer("Buyer", branch: "north")
        try await f.engine.execute(Settings.self, id: UUID(), .setExchangeRate(ExchangeRate(
            from: .usd, to: .cny, rate: 7, validFrom: try EngineFixture.day("2026-01-01"))), as: f.admin)
        for day in 1...3 { try await purchase(f, customer, "cny-\(day)", on: "2026-03-0\(day)", 10) }
        try await caughtUp(f)
        let march = RevenueMonth(year: 2026, month: 3)
        let revenue = try await f.engine.revenue(RevenueQuery(by: .month, from: march, through: march, currency: .usd), as: f.admin)
        let shares = try await f.engine.compositionReport(.init(from: march, through: march, currency: .usd, compositionBy: "branch"), as: f.admin)
        #expect(revenue.total == Decimal(string: "4.2857"))
        #expect(shares.map(\.value) == [revenue.total], "\(shares)")
        await f.close()
    }
}
