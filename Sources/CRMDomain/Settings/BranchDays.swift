import Foundation

/// Each branch's local day at one instant, as ``Settings/State/calendar(forBranch:)`` reads it (UTC for a
/// branch without a zone), each zone built once: reminders, the scheduler's watches and the analysis
/// defaults ask it for every source, customer or employee.
///
/// ```swift
/// let today = BranchDays(at: now, settings: settings).day(ofBranch: "north")
/// ```
public struct BranchDays: Sendable {
    private let days: [String: LocalDate]
    private let utc: LocalDate

    public init(at instant: Date, settings: Settings.State) {
        days = settings.branchTimeZones.compactMapValues { LocalCalendar.cached(timeZoneID: $0)?.localDate(of: instant) }
        utc = LocalCalendar.utc.localDate(of: instant)
    }

    /// The local day of `branch`.
    public func day(ofBranch branch: String?) -> LocalDate { branch.flatMap { days[$0] } ?? utc }
}
