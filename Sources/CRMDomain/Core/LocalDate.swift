import Foundation
import Synchronization

/// A calendar day without a time zone (a birthday, a due date, a holiday): `2026-11-25` in JSON.
public struct LocalDate: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// A valid date, or nil (e.g. February 30th).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month), (1...31).contains(day) else { return nil }
        if year >= Self.arithmeticFrom {
            guard day <= Self.length(ofMonth: month, in: year) else { return nil }
        } else {
            // Before the Gregorian reform Foundation's calendar counts Julian leap years: ask it.
            var components = DateComponents()
            components.year = year
            components.month = month
            components.day = day
            guard LocalCalendar.gregorianUTC.date(from: components).map({ LocalCalendar.gregorianUTC.component(.day, from: $0) == day }) == true
            else { return nil }
        }
        self.year = year
        self.month = month
        self.day = day
    }

    /// A date known to be valid (the bounds above), without the checks.
    private init(checkedYear year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD`.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    public var description: String { Self.padded(year, 4) + "-" + Self.padded(month, 2) + "-" + Self.padded(day, 2) }

    /// `YYYY-MM` of the date: the month key of reports and read models.
    public var monthText: String { Self.padded(year, 4) + "-" + Self.padded(month, 2) }

    /// `value` in decimal with leading zeros up to `width` digits (what `%0*d` prints; no Foundation
    /// formatting, which costs a projection more than the rest of its work).
    public static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value.magnitude)
        let zeros = String(repeating: "0", count: max(0, width - digits.count - (value < 0 ? 1 : 0)))
        return (value < 0 ? "-" : "") + zeros + digits
    }

    public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// The date `days` later (or earlier, when negative).
    public func adding(days: Int) -> LocalDate {
        let calendar = LocalCalendar.gregorianUTC
        guard let start = calendar.date(from: DateComponents(year: year, month: month, day: day)),
              let moved = calendar.date(byAdding: .day, value: days, to: start) else { return self }
        let c = calendar.dateComponents([.year, .month, .day], from: moved)
        return LocalDate(year: c.year ?? year, month: c.month ?? month, day: c.day ?? day) ?? self
    }

    /// The first and last days a ``LocalDate`` holds.
    static let first = LocalDate(checkedYear: 1, month: 1, day: 1)
    static let last = LocalDate(checkedYear: 9999, month: 12, day: 31)

    /// The same day `months` later (or earlier), or the month's last day when it is shorter:
    /// January 31st + 1 month = February 28th (29th in leap years). Beyond the years 1–9999 (any `months`,
    /// however large): their first or last day.
    public func adding(months: Int) -> LocalDate {
        let (sum, overflow) = (year * 12 + (month - 1)).addingReportingOverflow(months)
        let first = 12, last = 9999 * 12 + 11
        if overflow || sum > last { return months < 0 ? Self.first : Self.last }
        if sum < first { return Self.first }
        let total = sum
        let y = total / 12
        let m = total % 12 + 1
        var d = day
        while d > 28, LocalDate(year: y, month: m, day: d) == nil { d -= 1 }
        return LocalDate(year: y, month: m, day: d) ?? self
    }

    /// The first day of this date's month.
    public var firstOfMonth: LocalDate { LocalDate(checkedYear: year, month: month, day: 1) }

    /// The last day of this date's month, found within the month: 9999-12-31 for December 9999, whose next
    /// month (the usual way to a month's end) lies beyond the dates there are — ``adding(months:)`` stays in
    /// December there.
    public var lastOfMonth: LocalDate {
        if year >= Self.arithmeticFrom { return LocalDate(checkedYear: year, month: month, day: Self.length(ofMonth: month, in: year)) }
        // Before 1600 Foundation's calendar decides (Julian leap years): the last day it accepts.
        for d in stride(from: 31, through: 29, by: -1) where LocalDate(year: year, month: month, day: d) != nil {
            return LocalDate(checkedYear: year, month: month, day: d)
        }
        return LocalDate(checkedYear: year, month: month, day: 28)
    }

    /// Days from `self` to `other` (positive when `other` is later).
    public func days(until other: LocalDate) -> Int {
        if year >= Self.arithmeticFrom && other.year >= Self.arithmeticFrom { return other.dayNumber - dayNumber }
        let calendar = LocalCalendar.gregorianUTC
        guard let a = calendar.date(from: DateComponents(year: year, month: month, day: day)),
              let b = calendar.date(from: DateComponents(year: other.year, month: other.month, day: other.day)) else { return 0 }
        return calendar.dateComponents([.day], from: a, to: b).day ?? 0
    }

    /// This month and day in `year` (February 29th becomes the 28th in common years): birthdays, anniversaries.
    public func anniversary(in year: Int) -> LocalDate {
        LocalDate(year: year, month: month, day: day) ?? LocalDate(year: year, month: month, day: day - 1) ?? self
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let date = LocalDate(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a YYYY-MM-DD date"))
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// Calendar arithmetic in one IANA time zone (a branch's): "today", due dates, month boundaries.
/// Timestamps stay UTC; only their reading as a local day depends on the zone.
public struct LocalCalendar: Sendable, Hashable {
    public let timeZone: TimeZone
    private let calendar: Calendar

    static let gregorianUTC: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        return calendar
    }()

    /// The calendar of an IANA zone id (e.g. `Asia/Shanghai`); nil for an unknown id.
    public init?(timeZoneID: String) {
        guard let zone = TimeZone(identifier: timeZoneID) else { return nil }
        self.init(timeZone: zone)
    }

    /// ``init(timeZoneID:)`` remembered per id: building a `TimeZone` and a `Calendar` costs more than the
    /// projections that read a branch's zone for every event spend on the event itself. The memo holds at
    /// most one calendar per zone id seen (a few hundred exist).
    public static func cached(timeZoneID: String) -> LocalCalendar? {
        if let known = memo.withLock({ $0[timeZoneID] }) { return known }
        let made = LocalCalendar(timeZoneID: timeZoneID)
        memo.withLock { $0[timeZoneID] = made }
        return made
    }

    private static let memo = Mutex<[String: LocalCalendar?]>([:])

    public init(timeZone: TimeZone) {
        self.timeZone = timeZone
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
    }

    public static let utc = LocalCalendar(timeZone: gregorianUTC.timeZone)

    /// The latest calendar date in effect anywhere on earth at `instant` (that of UTC+14): a later date is
    /// in the future in every zone, so a "not in the future" check needs no zone.
    public static func latestDate(at instant: Date) -> LocalDate {
        utc.localDate(of: instant.addingTimeInterval(14 * 3600))
    }

    /// The earliest calendar date in effect anywhere on earth at `instant` (that of UTC−12): an earlier date is
    /// past in every zone, so a "not in the past" check needs no zone.
    public static func earliestDate(at instant: Date) -> LocalDate {
        utc.localDate(of: instant.addingTimeInterval(-12 * 3600))
    }

    /// The local day an instant falls on.
    public func localDate(of instant: Date) -> LocalDate {
        // 1900–2200 by arithmetic on the zone's offset at that instant (what the Gregorian calendar does).
        let seconds = instant.timeIntervalSince1970
        if seconds >= -2_208_988_800 && seconds < 7_258_118_400 {
            let local = seconds + Double(timeZone.secondsFromGMT(for: instant))
            return LocalDate(dayNumber: Int((local / 86_400).rounded(.down)))
        }
        let c = calendar.dateComponents([.year, .month, .day], from: instant)
        return LocalDate(year: c.year ?? 1970, month: c.month ?? 1, day: c.day ?? 1) ?? .epoch
    }

    /// The instant a local day starts.
    public func startOfDay(_ date: LocalDate) -> Date {
        calendar.date(from: DateComponents(year: date.year, month: date.month, day: date.day)) ?? Date(timeIntervalSince1970: 0)
    }

    /// The instant a local day ends (exclusive): the next day's start — also for 9999-12-31, whose next day no
    /// ``LocalDate`` holds. With ``LocalDate/lastOfMonth`` it ends a month, which ``LocalDate/adding(months:)``
    /// cannot for December 9999 (it stays in that December).
    public func endOfDay(_ date: LocalDate) -> Date {
        let start = startOfDay(date)
        return calendar.date(byAdding: .day, value: 1, to: start) ?? start.addingTimeInterval(86_400)
    }

    /// The first day of the month an instant falls in, locally.
    public func startOfMonth(containing instant: Date) -> LocalDate {
        let d = localDate(of: instant)
        return LocalDate(year: d.year, month: d.month, day: 1) ?? d
    }

    public static func == (lhs: LocalCalendar, rhs: LocalCalendar) -> Bool { lhs.timeZone.identifier == rhs.timeZone.identifier }
    public func hash(into hasher: inout Hasher) { hasher.combine(timeZone.identifier) }
}

// Calendar arithmetic without Foundation's Calendar for days from 1600 on, where its Gregorian calendar and
// the proleptic Gregorian rules agree (it switches to Julian before October 1582): the rebuild validated
// every stored day, counted days and read instants' local days through `Calendar`, which cost more than
// the projections' own work. `LocalDateTests` compares both over whole years and many instants and zones.
extension LocalDate {
    /// The first year the arithmetic below is used for; earlier days go through `Calendar`.
    static let arithmeticFrom = 1600

    static func length(ofMonth month: Int, in year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 (negative before), in the proleptic Gregorian calendar.
    var dayNumber: Int { Self.dayNumber(year: year, month: month, day: day) }

    static func dayNumber(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * ((month + 9) % 12) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The day `number` days after 1970-01-01 (proleptic Gregorian; H. Hinnant's civil_from_days).
    public init(dayNumber number: Int) {
        let z = number + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shifted = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shifted + 2) / 5 + 1
        let month = shifted < 10 ? shifted + 3 : shifted - 9
        self.init(validYear: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month: month, day: day)
    }
}

extension LocalDate {
    /// 1970-01-01: the fallback where Foundation would return impossible components.
    static let epoch = LocalDate(validYear: 1970, month: 1, day: 1)

    private init(validYear year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }
}
