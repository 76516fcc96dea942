import Foundation

/// A calendar day without a time zone (a birthday, a due date, a holiday): `2026-11-25` in JSON.
public struct LocalDate: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// A valid date, or nil (e.g. February 30th).
    public init?(year: Int, month: Int, day: Int) {
        var components = DateComponents()
        components.year = year
        components.month = month
        components.day = day
        guard (1...9999).contains(year), (1...12).contains(month), (1...31).contains(day),
              LocalCalendar.gregorianUTC.date(from: components).map({ LocalCalendar.gregorianUTC.component(.day, from: $0) == day }) == true
        else { return nil }
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

    /// The same day `months` later (or earlier), or the month's last day when it is shorter:
    /// January 31st + 1 month = February 28th (29th in leap years).
    public func adding(months: Int) -> LocalDate {
        let total = year * 12 + (month - 1) + months
        let y = total / 12
        let m = total % 12 + 1
        var d = day
        while d > 28, LocalDate(year: y, month: m, day: d) == nil { d -= 1 }
        return LocalDate(year: y, month: m, day: d) ?? self
    }

    /// Days from `self` to `other` (positive when `other` is later).
    public func days(until other: LocalDate) -> Int {
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

    public init(timeZone: TimeZone) {
        self.timeZone = timeZone
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
    }

    public static let utc = LocalCalendar(timeZone: gregorianUTC.timeZone)

    /// The local day an instant falls on.
    public func localDate(of instant: Date) -> LocalDate {
        let c = calendar.dateComponents([.year, .month, .day], from: instant)
        return LocalDate(year: c.year ?? 1970, month: c.month ?? 1, day: c.day ?? 1) ?? .epoch
    }

    /// The instant a local day starts.
    public func startOfDay(_ date: LocalDate) -> Date {
        calendar.date(from: DateComponents(year: date.year, month: date.month, day: date.day)) ?? Date(timeIntervalSince1970: 0)
    }

    /// The first day of the month an instant falls in, locally.
    public func startOfMonth(containing instant: Date) -> LocalDate {
        let d = localDate(of: instant)
        return LocalDate(year: d.year, month: d.month, day: 1) ?? d
    }

    public static func == (lhs: LocalCalendar, rhs: LocalCalendar) -> Bool { lhs.timeZone.identifier == rhs.timeZone.identifier }
    public func hash(into hasher: inout Hasher) { hasher.combine(timeZone.identifier) }
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
