import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import Foundation
import Testing

/// The revenue report (R-SAL-6): by charge item, business line and period in one currency, with growth and
/// share, each entry converted at the rate valid on its date, and a missing rate refused by name.
@Suite struct RevenueQueryTests {
    struct World {
        let f: EngineFixture
        let a: Principal
        let customerA: UUID
        let customerB: UUID
    }

    /// Alice holds every right over branch A; a customer in branch A and one in branch B.
    func world(_ label: String) async throws -> World {
        let f = try await EngineFixture.make(label)
        let a = try await f.hire("Alice", branch: "A", permissions: ScopeTests.allRights)
        return World(f: f, a: a, customerA: try await f.customer("Customer of A", branch: "A"), customerB: try await f.customer("Customer of B", branch: "B"))
    }

    func rate(_ w: World, _ from: Currency, _ to: Currency, _ rate: String, from day: String) async throws {
        try await w.f.engine.execute(Settings.self, id: UUID(), .setExchangeRate(ExchangeRate(
            from: from, to: to, rate: try #require(Decimal(string: rate)), validFrom: try EngineFixture.day(day))), as: w.f.admin)
    }

    func record(_ w: World, _ label: String, customer: UUID? = nil, charge: String = "monthly fee", line: String = "gas",
                day: String, _ amount: String, _ currency: Currency = .cny) async throws {
        let customer = customer ?? w.customerA
        try await w.f.engine.execute(RevenueLedger.self, id: RevenueLedger.id(customerID: customer), .record(RevenueLedger.Entry(
            id: UUID.derived("entry", label), customerID: customer, chargeItem: charge, businessLine: line,
            date: try EngineFixture.day(day), amount: Money(try #require(Decimal(string: amount)), currency))), as: w.f.admin)
    }

    func report(_ w: World, by: RevenueCube.Dimension, period: RevenueCube.Period? = nil, _ from: String, _ through: String,
                in currency: Currency = .cny) async throws -> RevenueBreakdown {
        try await w.f.engine.views.waitUntil(try await w.f.engine.store.headPosition())
        return try await w.f.engine.revenue(RevenueQuery(by: by, period: period, from: try #require(RevenueMonth(text: from)),
                                                         through: try #require(RevenueMonth(text: through)), currency: currency), as: w.a)
    }

    static func lines(_ report: RevenueBreakdown) -> [String] {
        report.rows.map { r in
            [r.period ?? "-", r.key, "\(r.amount)", "\(r.previousAmount)", r.growthPercent.map { "\($0)%" } ?? "n/a", r.sharePercent.map { "\($0)%" } ?? "n/a"]
                .joined(separator: " ")
        }
    }

    @Test func chargeItemsPerQuarterGrowAgainstThePreviousQuarterAndShareTheConvertedTotal() async throws {
        let w = try await world("revenue-quarters")
        try await rate(w, .usd, .cny, "7", from: "2025-01-01")
        try await record(w, "q4", day: "2025-11-10", "100")
        try await record(w, "q1", day: "2026-01-10", "150")
        try await record(w, "install", charge: "installation", day: "2026-02-01", "10", .usd)
        try await record(w, "other branch", customer: w.customerB, day: "2026-01-10", "1000")
        let q1 = try await report(w, by: .chargeItem, period: .quarter, "2026-01", "2026-03")
        #expect(Self.lines(q1) == ["2026-Q1 installation 70 0 n/a 31.82%", "2026-Q1 monthly fee 150 100 50% 68.18%"])
        #expect(q1.total == 220)
        #expect("\(q1.compareFrom)...\(q1.compareThrough)" == "2025-10...2025-12")

        let byQuarter = try await report(w, by: .quarter, "2025-10", "2026-03")
        #expect(Self.lines(byQuarter) == ["2025-Q4 2025-Q4 100 0 n/a 31.25%", "2026-Q1 2026-Q1 220 100 120% 68.75%"])
        await w.f.close()
    }

    @Test func aRecordDimensionWithoutPeriodComparesTheRangeShiftedBackByItsLength() async throws {
        let w = try await world("revenue-shifted")
        try await record(w, "before", line: "water", day: "2025-12-31", "40")
        try await record(w, "too early", line: "water", day: "2025-10-31", "1000")
        try await record(w, "gas", line: "gas", day: "2026-01-15", "30")
        try await record(w, "water", line: "water", day: "2026-02-15", "30")
        let byLine = try await report(w, by: .businessLine, "2026-01", "2026-02")
        #expect("\(byLine.compareFrom)...\(byLine.compareThrough)" == "2025-11...2025-12")
        #expect(Self.lines(byLine) == ["- gas 30 0 n/a 50%", "- water 30 40 -25% 50%"])

        let byYear = try await report(w, by: .year, "2025-01", "2026-12")
        #expect(Self.lines(byYear) == ["2025 2025 1040 0 n/a 94.55%", "2026 2026 60 1040 -94.23% 5.45%"])
        await w.f.close()
    }

    @Test func eachEntryIsConvertedAtTheRateValidOnItsDateAcrossAThirdCurrency() async throws {
        let w = try await world("revenue-rates")
        try await rate(w, .usd, .cny, "7", from: "2025-01-01")
        try await rate(w, .usd, .cny, "7.5", from: "2026-02-01")
        try await rate(w, .eur, .usd, "1.1", from: "2025-01-01")
        try await record(w, "jan", day: "2026-01-31", "10", .usd)
        try await record(w, "feb", day: "2026-02-01", "10", .usd)
        try await record(w, "eur", day: "2026-02-20", "10", .eur)
        let byMonth = try await report(w, by: .month, "2026-01", "2026-02")
        #expect(byMonth.rows.map { "\($0.key) \($0.amount)" } == ["2026-01 70", "2026-02 157.5"])
        let byCurrency = try await report(w, by: .currency, "2026-01", "2026-02", in: .usd)
        #expect(byCurrency.rows.map { "\($0.key) \($0.amount)" } == ["EUR 11", "USD 20"])
        await w.f.close()
    }

    @Test func anEntryWithoutARateRefusesTheReportNamingThePair() async throws {
        let w = try await world("revenue-missing-rate")
        try await record(w, "cny", day: "2026-01-10", "5")
        try await record(w, "eur", day: "2026-01-12", "10", .eur)
        let error = await #expect(throws: EngineError.self) { try await report(w, by: .chargeItem, "2026-01", "2026-01") }
        #expect(error?.field == "exchangeRates")
        #expect(error?.message.contains("EUR→CNY (first needed on 2026-01-12)") == true, "\(String(describing: error))")
        // A report in the entry's own currency needs no rate for it, but the CNY entry needs one the other way.
        await #expect(throws: EngineError.self) { try await report(w, by: .chargeItem, "2026-01", "2026-01", in: .eur) }
        await w.f.close()
    }

    @Test func partialPeriodsContradictoryPeriodsAndNonISOCurrenciesAreInvalid() async throws {
        let w = try await world("revenue-invalid")
        for (by, period, from, through, currency, field) in [
            (RevenueCube.Dimension.chargeItem, RevenueCube.Period.quarter, "2026-02", "2026-03", Currency.cny, "from"),
            (.quarter, nil, "2026-01", "2026-05", .cny, "through"),
            (.month, .year, "2026-01", "2026-12", .cny, "period"),
            (.product, nil, "2026-01", "2026-01", try #require(Currency(rawValue: "ABC")), "currency"),
        ] as [(RevenueCube.Dimension, RevenueCube.Period?, String, String, Currency, String)] {
            let error = await #expect(throws: EngineError.self) { try await report(w, by: by, period: period, from, through, in: currency) }
            #expect(error?.code == .invalid && error?.field == field, "\(by) \(String(describing: period)): \(String(describing: error))")
        }
        await w.f.close()
    }
}
