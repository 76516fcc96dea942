import CRMAnalytics
import CRMDomain
import Foundation
import Testing

/// The reports' month ends reach December 9999's 31st: they take a month's last day from the month itself
/// (``CRMDomain/LocalDate/lastOfMonth``), not from the next month, which that December does not have.
@Suite struct LocalDateMonthEndReportsTests {
    private func date(_ text: String) throws -> LocalDate { try #require(LocalDate(text)) }

    @Test func aBudgetSpreadOverDecember9999CountsItsThirtyFirstAndGivesTheMonthOneShare() throws {
        let shares = Reports.spread(310, from: try date("9999-12-01"), through: try date("9999-12-31"))
        #expect(shares.count == 1, "\(shares)")
        #expect(shares.first?.month == RevenueMonth(year: 9999, month: 12) && shares.first?.amount == 310)
        // Across November into December: 30 and 31 days of 61.
        let across = Reports.spread(61, from: try date("9999-11-01"), through: try date("9999-12-31"))
        #expect(across.map(\.amount) == [30, 31], "\(across)")
        // A normal month and a leap February.
        #expect(Reports.spread(29, from: try date("2024-02-01"), through: try date("2024-02-29")).map(\.amount) == [29])
        #expect(Reports.spread(60, from: try date("2024-02-01"), through: try date("2024-03-31")).map(\.amount) == [29, 31])
    }

    @Test func december9999HasItsThirtyFirstAmongItsWorkingDays() throws {
        // 9999-12-31 is a Friday: 23 weekdays in the month.
        #expect(KPI.isWeekday(try date("9999-12-31")))
        #expect(KPI.weekdays(in: RevenueMonth(year: 9999, month: 12)) == 23)
        #expect(KPI.weekdays(in: RevenueMonth(year: 2026, month: 3)) == 22)
        #expect(KPI.weekdays(in: RevenueMonth(year: 2024, month: 2)) == 21)
    }

    /// Revenue months step past December 9999 (to 10000-01, not clamped as a ``LocalDate`` is), so the month
    /// loops of the revenue explanation end there and skip nothing.
    @Test func theRevenueExplanationOfDecember9999HasItsMonthsInOrder() throws {
        let december = RevenueMonth(year: 9999, month: 12), november = RevenueMonth(year: 9999, month: 11)
        #expect(december.adding(months: 1) == RevenueMonth(year: 10000, month: 1))
        let rows = [RevenueExplanation.Row(month: november, amount: 10, currency: .cny), RevenueExplanation.Row(month: december, amount: 30, currency: .cny)]
        let explained = RevenueExplanation.explain(rows, base: november...november, compare: december...december, currency: .cny)
        #expect(explained.byMonth.map(\.key) == ["9999-11→9999-12"])
        #expect(explained.baseTotal == 10 && explained.compareTotal == 30)
        let across = RevenueExplanation.explain(rows, base: RevenueMonth(year: 9999, month: 9)...november, compare: RevenueMonth(year: 9999, month: 10)...december,
                                                currency: .cny)
        #expect(across.byMonth.map(\.key) == ["9999-09→9999-10", "9999-10→9999-11", "9999-11→9999-12"])
        // An ordinary year's turn.
        let turn = RevenueExplanation.explain([RevenueExplanation.Row](), base: RevenueMonth(year: 2025, month: 12)...RevenueMonth(year: 2025, month: 12),
                                              compare: RevenueMonth(year: 2026, month: 1)...RevenueMonth(year: 2026, month: 1), currency: .cny)
        #expect(turn.byMonth.map(\.key) == ["2025-12→2026-01"])
    }
}
