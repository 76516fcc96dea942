import CRMDomain
import Foundation

/// The instant a views list a recorded visit at. A visit's record names only the day it took place
/// (``Visit/Actual/date``), not the hour, and views do not know the branch's zone here. So a visit done on
/// the day it was planned keeps its planned instant — when that instant falls on the recorded day in some
/// zone on earth (UTC−12 to UTC+14) — and a visit done on another day is placed at noon UTC of that day,
/// which is that day in every zone from UTC−11 to UTC+11 (midnight UTC is the day before in every zone
/// west of Greenwich).
enum VisitInstant {
    static func of(recorded date: LocalDate, planned: Date?) -> Date {
        let start = LocalCalendar.utc.startOfDay(date)
        if let planned, planned >= start.addingTimeInterval(-14 * 3600), planned < start.addingTimeInterval((24 + 12) * 3600) { return planned }
        return start.addingTimeInterval(12 * 3600)
    }
}
