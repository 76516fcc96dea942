import Foundation
import Testing

@testable import CRMDomain

/// `LocalDate` and `LocalCalendar` compute days by arithmetic from 1600 on (instants 1900–2200); these
/// tests hold that arithmetic against Foundation's Gregorian calendar, which they replaced on the hot path.
@Suite struct LocalDateTests {
    static let gregorian = LocalCalendar.gregorianUTC

    /// What `LocalDate(year:month:day:)` decided through `Calendar` before.
    static func calendarValid(_ year: Int, _ month: Int, _ day: Int) -> Bool {
        gregorian.date(from: DateComponents(year: year, month: month, day: day)).map { gregorian.component(.day, from: $0) == day } == true
    }

    @Test func validDaysAreThoseTheGregorianCalendarAccepts() {
        for year in [1600, 1700, 1800, 1899, 1900, 1970, 1999, 2000, 2023, 2024, 2025, 2100, 2400, 4000, 9999] {
            for month in 1...12 {
                for day in 1...31 {
                    #expect((LocalDate(year: year, month: month, day: day) != nil) == Self.calendarValid(year, month, day), "\(year)-\(month)-\(day)")
                }
            }
        }
        #expect(LocalDate(year: 1500, month: 2, day: 29) != nil)  // Julian leap year: still Foundation's answer
    }

    @Test func dayCountsMatchTheCalendar() throws {
        var random = SystemRandomNumberGenerator()
        let anchor = try #require(LocalDate(year: 2026, month: 1, day: 1))
        for _ in 0..<2_000 {
            let year = Int.random(in: 1600...2600, using: &random), month = Int.random(in: 1...12, using: &random)
            let date = try #require(LocalDate(year: year, month: month, day: Int.random(in: 1...28, using: &random)))
            let a = try #require(Self.gregorian.date(from: DateComponents(year: anchor.year, month: anchor.month, day: anchor.day)))
            let b = try #require(Self.gregorian.date(from: DateComponents(year: date.year, month: date.month, day: date.day)))
            #expect(anchor.days(until: date) == Self.gregorian.dateComponents([.day], from: a, to: b).day, "\(date)")
            #expect(LocalDate(dayNumber: date.dayNumber) == date)
        }
    }

    @Test func localDaysOfInstantsMatchTheCalendarInEveryZone() throws {
        var random = SystemRandomNumberGenerator()
        let zones = ["UTC", "Asia/Shanghai", "America/New_York", "Europe/Berlin", "Asia/Kathmandu", "Australia/Lord_Howe", "Pacific/Apia", "America/St_Johns"]
        for id in zones {
            let zone = try #require(TimeZone(identifier: id))
            let local = LocalCalendar(timeZone: zone)
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            var instants = (0..<3_000).map { _ in Date(timeIntervalSince1970: Double.random(in: -2_208_988_800..<7_258_118_400, using: &random)) }
            // Around local midnights and DST changes: whole hours and half hours, a millisecond either side.
            for hour in stride(from: 1_767_225_600.0, to: 1_798_761_600.0, by: 1_800 * 97) {
                instants += [hour - 0.001, hour, hour + 0.001].map { Date(timeIntervalSince1970: $0) }
            }
            for instant in instants {
                let c = calendar.dateComponents([.year, .month, .day], from: instant)
                let expected = LocalDate(year: c.year ?? 0, month: c.month ?? 0, day: c.day ?? 0)
                #expect(local.localDate(of: instant) == expected, "\(id) \(instant.timeIntervalSince1970)")
            }
        }
    }
}
