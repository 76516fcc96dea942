import CRMDomain
import EventSourcing
import Foundation

extension TicketSLABoard {
    /// An open ticket past its resolution deadline at the query's `now`.
    public struct OverdueTicket: Hashable, Sendable {
        public var ticket: TicketRow
        /// Seconds from the resolution deadline to `now`.
        public var lateBy: TimeInterval
        /// The department that held the ticket when the deadline passed (the one to blame, R-TSK-3).
        public var lateDepartment: String
        /// Whether the first response was (or still is) late too.
        public var responseOverdue: Bool
    }

    /// One ticket, open or not.
    public static func ticket(_ id: UUID, in views: any ViewReader) throws -> TicketRow? {
        try views.row(TicketRow.self, forKey: key(id), in: tickets)
    }

    /// The open tickets a department holds, by resolution deadline (earliest first), paginated.
    public static func open(
        department: String, in views: any ViewReader, after: [UInt8]? = nil, limit: Int = 100,
        where include: (TicketRow) -> Bool = { _ in true }
    ) throws -> WorkProjections.Page<TicketRow> {
        try WorkProjections.page(
            openByDepartment, in: views, prefix: ViewKey().string(department).bytes, after: after, limit: limit,
            map: { (row: TicketRow) in include(row) ? row : nil })
    }

    /// The open tickets whose resolution deadline has passed at `now` (most overdue first), with the late
    /// department, filtered by `include` (e.g. the viewer's data scope) and paginated.
    public static func overdue(
        at now: Date, in views: any ViewReader, after: [UInt8]? = nil, limit: Int = 100,
        where include: (TicketRow) -> Bool = { _ in true }
    ) throws -> WorkProjections.Page<OverdueTicket> {
        try WorkProjections.page(
            openByDeadline, in: views, after: after, limit: limit, stop: { (row: TicketRow) in row.resolutionDueAt >= now },
            map: { row in
                guard include(row) else { return nil }
                let state = row.state
                return OverdueTicket(
                    ticket: row, lateBy: now.timeIntervalSince(row.resolutionDueAt),
                    lateDepartment: state.lateDepartment(at: now) ?? row.department,
                    responseOverdue: state.isResponseOverdue(at: now))
            })
    }

    /// The monthly overdue report (R-TSK-6): the tickets whose resolution deadline fell in `year`-`month`
    /// in `calendar`'s zone and were late as known at `asOf`, counted per late department — the domain's
    /// ``CRMDomain/OverdueReport/monthly(_:year:month:calendar:asOf:)`` over the tickets `include` admits.
    public static func monthlyOverdue(
        year: Int, month: Int, calendar: LocalCalendar, asOf: Date, in views: any ViewReader,
        where include: (TicketRow) -> Bool = { _ in true }
    ) throws -> OverdueReport {
        guard let first = LocalDate(year: year, month: month, day: 1) else {
            return try OverdueReport.monthly([], year: year, month: month, calendar: calendar, asOf: asOf)
        }
        let start = calendar.startOfDay(first)
        // The month's last day included: the month after December 9999 is no date (`adding(months:)` stays in it).
        let end = calendar.endOfDay(first.lastOfMonth)
        var states: [Ticket.State] = []
        try views.scan(byDeadline, prefix: [], after: ViewKey().date(start).bytes) { key, _ in
            guard let id = UUID(viewKey: key, at: 8), let row = try ticket(id, in: views) else { return true }
            guard row.resolutionDueAt < end else { return false }
            if include(row) { states.append(row.state) }
            return true
        }
        return try OverdueReport.monthly(states, year: year, month: month, calendar: calendar, asOf: asOf)
    }

    /// The monthly overdue report with each ticket's month read in its own calendar (`calendar(row)`, e.g.
    /// its branch's zone): the deadlines scanned span the month in every zone (UTC −12 h to +14 h).
    public static func monthlyOverdue(
        year: Int, month: Int, asOf: Date, in views: any ViewReader, calendar: (TicketRow) -> LocalCalendar,
        where include: (TicketRow) -> Bool = { _ in true }
    ) throws -> OverdueReport {
        guard let first = LocalDate(year: year, month: month, day: 1) else {
            return try OverdueReport.monthly([], year: year, month: month, asOf: asOf)
        }
        let start = LocalCalendar.utc.startOfDay(first).addingTimeInterval(-14 * 3600)
        let end = LocalCalendar.utc.endOfDay(first.lastOfMonth).addingTimeInterval(12 * 3600)
        var tickets: [(ticket: Ticket.State, calendar: LocalCalendar)] = []
        try views.scan(byDeadline, prefix: [], after: ViewKey().date(start).bytes) { key, _ in
            guard let id = UUID(viewKey: key, at: 8), let row = try ticket(id, in: views) else { return true }
            guard row.resolutionDueAt < end else { return false }
            if include(row) { tickets.append((row.state, calendar(row))) }
            return true
        }
        return try OverdueReport.monthly(tickets, year: year, month: month, asOf: asOf)
    }
}
