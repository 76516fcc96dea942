import Foundation

/// The monthly overdue report of the support-response workflow (R-TSK-6): the tickets whose resolution
/// deadline fell in a month (read in a branch's time zone) and were late, counted per late department.
///
/// ```swift
/// let report = try OverdueReport.monthly(tickets, year: 2026, month: 3, calendar: shanghai, asOf: now)
/// for row in report.departments { print(row.department, row.count) }
/// ```
public struct OverdueReport: Hashable, Sendable {
    /// One late ticket.
    public struct Line: Hashable, Sendable {
        public var ticketID: UUID
        public var customerID: UUID?
        public var kind: TicketKind
        public var severity: TicketSeverity
        public var resolutionDueAt: Date
        /// The department that held the ticket when the deadline passed.
        public var lateDepartment: String

        public init(ticketID: UUID, customerID: UUID?, kind: TicketKind, severity: TicketSeverity, resolutionDueAt: Date, lateDepartment: String) {
            self.ticketID = ticketID
            self.customerID = customerID
            self.kind = kind
            self.severity = severity
            self.resolutionDueAt = resolutionDueAt
            self.lateDepartment = lateDepartment
        }
    }

    /// The late tickets of one department.
    public struct DepartmentCount: Hashable, Sendable {
        public var department: String
        public var count: Int
        public var ticketIDs: [UUID]

        public init(department: String, count: Int, ticketIDs: [UUID]) {
            self.department = department
            self.count = count
            self.ticketIDs = ticketIDs
        }
    }

    public var year: Int
    public var month: Int
    /// Every late ticket, by deadline.
    public var lines: [Line]
    /// Per late department, most late tickets first (ties by name).
    public var departments: [DepartmentCount]

    public init(year: Int, month: Int, lines: [Line], departments: [DepartmentCount]) {
        self.year = year
        self.month = month
        self.lines = lines
        self.departments = departments
    }

    /// The report for `year`-`month` in `calendar`'s zone, as known at `asOf`: a deadline still ahead of
    /// `asOf` is not late yet. An impossible month is refused with `invalid(month)`.
    public static func monthly(_ tickets: [Ticket.State], year: Int, month: Int, calendar: LocalCalendar, asOf: Date) throws(DomainError) -> OverdueReport {
        try monthly(tickets.map { ($0, calendar) }, year: year, month: month, asOf: asOf)
    }

    /// The same, each ticket's month read in its own calendar (its branch's zone).
    public static func monthly(_ tickets: [(ticket: Ticket.State, calendar: LocalCalendar)], year: Int, month: Int, asOf: Date) throws(DomainError) -> OverdueReport {
        guard let first = LocalDate(year: year, month: month, day: 1) else { throw .invalid("month", "not a valid month") }
        // The month's last day included: December 9999 has no next month, and `Date.distantFuture` (4001) would
        // end it before it starts.
        let last = first.lastOfMonth
        var lines: [Line] = []
        for (ticket, calendar) in tickets {
            let start = calendar.startOfDay(first)
            let end = calendar.endOfDay(last)
            guard let id = ticket.id, ticket.resolutionDueAt >= start, ticket.resolutionDueAt < end,
                  ticket.resolutionDueAt < asOf, let late = ticket.lateDepartment(at: asOf) else { continue }
            lines.append(Line(ticketID: id, customerID: ticket.customerID, kind: ticket.kind, severity: ticket.severity,
                              resolutionDueAt: ticket.resolutionDueAt, lateDepartment: late))
        }
        lines.sort { ($0.resolutionDueAt, $0.ticketID.uuidString) < ($1.resolutionDueAt, $1.ticketID.uuidString) }
        var byDepartment: [String: [UUID]] = [:]
        for line in lines { byDepartment[line.lateDepartment, default: []].append(line.ticketID) }
        let departments = byDepartment
            .map { DepartmentCount(department: $0.key, count: $0.value.count, ticketIDs: $0.value) }
            .sorted { ($1.count, $0.department) < ($0.count, $1.department) }
        return OverdueReport(year: year, month: month, lines: lines, departments: departments)
    }
}
