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
}
