import Foundation
import Testing

@testable import CRMDomain

/// A month's last day is found within the month, so December 9999 — whose next month lies beyond the dates
/// there are, where ``LocalDate/adding(months:)`` stays in December — ends on the 31st like any December.
@Suite struct LocalDateMonthEndTests {
    private func date(_ text: String) throws -> LocalDate { try #require(LocalDate(text)) }

    @Test func theLastDayOfAMonthIsItsOwnLastDayUpToDecember9999() throws {
        #expect(try date("9999-12-01").lastOfMonth == date("9999-12-31"))
        #expect(try date("9999-12-31").lastOfMonth == date("9999-12-31"))
        #expect(try date("9999-11-15").lastOfMonth == date("9999-11-30"))
        #expect(try date("2026-03-17").lastOfMonth == date("2026-03-31"))
        #expect(try date("2026-04-30").lastOfMonth == date("2026-04-30"))
        #expect(try date("2024-02-10").lastOfMonth == date("2024-02-29"))  // leap year
        #expect(try date("2025-02-10").lastOfMonth == date("2025-02-28"))
        #expect(try date("2000-02-01").lastOfMonth == date("2000-02-29"))  // divisible by 400
        #expect(try date("2100-02-01").lastOfMonth == date("2100-02-28"))  // divisible by 100 only
        #expect(try date("1500-02-01").lastOfMonth == date("1500-02-29"))  // Julian leap year, as Foundation counts it
        #expect(try date("9999-12-31").firstOfMonth == date("9999-12-01"))
        #expect(try date("2024-02-29").firstOfMonth == date("2024-02-01"))
    }

    @Test func everyMonthEndsOnTheDayTheGregorianCalendarEndsItDecember9999Too() throws {
        let calendar = LocalCalendar.gregorianUTC
        for year in [1600, 1900, 2000, 2023, 2024, 2100, 9998, 9999] {
            for month in 1...12 {
                let first = try #require(LocalDate(year: year, month: month, day: 1))
                let start = try #require(calendar.date(from: DateComponents(year: year, month: month, day: 1)))
                let length = try #require(calendar.range(of: .day, in: .month, for: start)).count
                #expect(first.lastOfMonth == LocalDate(year: year, month: month, day: length), "\(first)")
                #expect(first.adding(days: 17).lastOfMonth == first.lastOfMonth, "\(first)")
            }
        }
    }

    /// A day's end is the next day's start in the calendar's zone — also after 9999-12-31, which has no next
    /// ``LocalDate`` — so a month ends at ``LocalCalendar/endOfDay(_:)`` of its last day.
    @Test func aDayEndsWhereTheNextStartsAlsoAfterDecember31st9999() throws {
        let utc = LocalCalendar.utc
        #expect(utc.endOfDay(try date("9999-12-31")) == utc.startOfDay(try date("9999-12-31")).addingTimeInterval(86_400))
        #expect(utc.endOfDay(try date("9999-12-31")) > utc.startOfDay(try date("9999-12-31")))
        #expect(utc.endOfDay(try date("2026-03-31")) == utc.startOfDay(try date("2026-04-01")))
        let shanghai = try #require(LocalCalendar(timeZoneID: "Asia/Shanghai"))
        #expect(shanghai.endOfDay(try date("2026-03-31")) == shanghai.startOfDay(try date("2026-04-01")))
        #expect(shanghai.endOfDay(try date("9999-12-31")) == utc.endOfDay(try date("9999-12-31")).addingTimeInterval(-8 * 3600))
        // A day of 23 hours: New York moves its clocks forward on 2026-03-08.
        let newYork = try #require(LocalCalendar(timeZoneID: "America/New_York"))
        #expect(newYork.endOfDay(try date("2026-03-08")) == newYork.startOfDay(try date("2026-03-09")))
        #expect(newYork.endOfDay(try date("2026-03-08")).timeIntervalSince(newYork.startOfDay(try date("2026-03-08"))) == 23 * 3600)
    }
}
