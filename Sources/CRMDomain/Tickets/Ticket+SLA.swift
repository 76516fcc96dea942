import Foundation

/// The SLA clock of a ticket (R-SRV-1, R-TSK-6), derived at query time from the recorded instants: nothing
/// about lateness is ever stored, so the answers follow the time given.
extension Ticket.State {
    /// Whether the first response was (or, not yet given, is) later than the response deadline at `instant`.
    public func isResponseOverdue(at instant: Date) -> Bool {
        guard exists else { return false }
        if let responded = firstRespondedAt, responded <= instant { return responded > responseDueAt }
        return instant > responseDueAt
    }

    /// Whether the ticket was resolved after (or, unresolved, is past) the resolution deadline at `instant`.
    /// A reopened ticket counts as unresolved.
    public func isResolutionOverdue(at instant: Date) -> Bool {
        guard exists else { return false }
        if let resolved = resolvedAt, resolved <= instant { return resolved > resolutionDueAt }
        return instant > resolutionDueAt
    }

    /// The department to blame when the resolution is overdue at `instant`: the one holding the ticket when
    /// the deadline passed, or — when no department held it then (it was resolved, and reopened later) —
    /// the one holding it now. Nil when the ticket is not overdue.
    public func lateDepartment(at instant: Date) -> String? {
        guard isResolutionOverdue(at: instant) else { return nil }
        return stints.last(where: { $0.covers(resolutionDueAt) })?.department ?? department
    }

    /// The department that held the ticket at `instant`, if any did.
    public func department(at instant: Date) -> String? {
        stints.last(where: { $0.covers(instant) })?.department
    }

    /// The time each department has held the ticket up to `instant`, in seconds (a running stint counts
    /// until `instant`; time after `instant` does not count).
    public func timeSpent(at instant: Date) -> [String: TimeInterval] {
        var spent: [String: TimeInterval] = [:]
        for stint in stints where stint.enteredAt < instant {
            let end = min(stint.leftAt ?? instant, instant)
            spent[stint.department, default: 0] += end.timeIntervalSince(stint.enteredAt)
        }
        return spent
    }

    /// Seconds from opening to the first response, once there is one.
    public var firstResponseTime: TimeInterval? {
        firstRespondedAt.map { $0.timeIntervalSince(openedAt) }
    }
}
