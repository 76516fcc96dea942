import CRMDomain
import EventSourcing
import Foundation

/// The ticket SLA board (R-SRV-1, R-TSK-3, R-TSK-6): every ticket with its kind, severity, SLA deadlines
/// (fixed as instants by TicketOpened and TicketSeverityChanged), assignee, the department holding it and
/// each department's stint, so the late department is found at query time exactly as the domain's
/// `Ticket.State.lateDepartment(at:)` finds it. Open tickets are indexed by department and by deadline.
///
/// ```swift
/// let late = try TicketSLABoard.overdue(at: now, in: views)
/// for t in late.items { print(t.ticket.subject, t.lateDepartment) }
/// ```
public struct TicketSLABoard: Projection {
    public let name = "ticket-sla-board"
    public let version: UInt32 = 1

    /// `ticketID → TicketRow`: every ticket, open or not (the monthly report needs resolved ones).
    public static let tickets = ViewTable("tickets")
    /// `department + resolutionDueAt + ticketID → TicketRow`: open tickets of the department holding them.
    public static let openByDepartment = ViewTable("open-by-department")
    /// `resolutionDueAt + ticketID → TicketRow`: open tickets by resolution deadline.
    public static let openByDeadline = ViewTable("open-by-deadline")
    /// `resolutionDueAt + ticketID → ()`: every ticket by resolution deadline, for the monthly report.
    public static let byDeadline = ViewTable("by-deadline")

    public var tables: [ViewTable] {
        [Self.tickets, Self.openByDepartment, Self.openByDeadline, Self.byDeadline, CustomerScopes.table,
         WorkProjections.CustomerNames.table, WorkProjections.CustomerLinks.table]
    }

    public var eventTypes: Set<String>? {
        CustomerScopes.eventTypes.union([
            TicketOpened.eventType, TicketAssigned.eventType, TicketWorkStarted.eventType, TicketHandedOver.eventType,
            TicketResolved.eventType, TicketClosed.eventType, TicketReopened.eventType, TicketSeverityChanged.eventType,
            TicketUnassigned.eventType,
        ])
    }

    public init() {}

    /// One department's hold of a ticket (``CRMDomain/Ticket/DepartmentStint`` as a stored row).
    public struct Stint: Codable, Hashable, Sendable {
        public var department: String
        public var enteredAt: Date
        public var leftAt: Date?
    }

    /// A ticket as the SLA board keeps it.
    public struct TicketRow: Codable, Hashable, Sendable {
        public var ticketID: UUID
        public var customerID: UUID
        public var customerName: String?
        public var channel: ContactChannel
        public var kind: TicketKind
        public var severity: TicketSeverity
        public var subject: String
        public var status: Ticket.Status
        /// The department holding the ticket now.
        public var department: String
        public var assignee: String?
        public var openedAt: Date
        public var responseDueAt: Date
        public var resolutionDueAt: Date
        public var firstRespondedAt: Date?
        public var resolvedAt: Date?
        public var stints: [Stint]
        /// The customer's scope with the assignee among its owners.
        public var scope: RecordScope

        /// Open, assigned or in progress.
        public var isOpen: Bool { status == .open || status == .assigned || status == .inProgress }

        /// The domain's view of this ticket, for its SLA questions (`isResolutionOverdue(at:)`, …).
        public var state: Ticket.State {
            var s = Ticket.State()
            s.id = ticketID
            s.status = status
            s.channel = channel
            s.kind = kind
            s.severity = severity
            s.customerID = customerID
            s.subject = subject
            s.department = department
            s.assignee = assignee
            s.openedAt = openedAt
            s.responseDueAt = responseDueAt
            s.resolutionDueAt = resolutionDueAt
            s.firstRespondedAt = firstRespondedAt
            s.resolvedAt = resolvedAt
            s.stints = stints.map { Ticket.DepartmentStint(department: $0.department, enteredAt: $0.enteredAt, leftAt: $0.leftAt) }
            return s
        }

        mutating func closeStint(at instant: Date) {
            guard let last = stints.indices.last, stints[last].leftAt == nil else { return }
            stints[last].leftAt = instant
        }
    }

    public func apply(_ event: ProjectionEvent, to views: any ViewWriter) throws {
        try CustomerScopes.apply(event, to: views)
        try WorkProjections.CustomerNames.apply(event, to: views)
        if let customerID = WorkProjections.customerChanged(by: event) {
            try WorkProjections.refreshLinked(customerID, in: views) { id, name in
                try change(id, rescope: true, in: views) { $0.customerName = name }
            }
            return
        }
        try apply(event.payload, event, to: views)
    }

    /// The `switch` over the payload opened to its type (why: ``Projection``).
    private func apply<Payload: EventPayload>(_ payload: Payload, _ event: ProjectionEvent, to views: any ViewWriter) throws {
        switch payload {
        case let e as TicketOpened:
            guard try views.value(forKey: Self.key(e.ticketID), in: Self.tickets) == nil else { return }
            var row = TicketRow(
                ticketID: e.ticketID, customerID: e.customerID,
                customerName: try WorkProjections.CustomerNames.name(of: e.customerID, in: views), channel: e.channel,
                kind: e.kind, severity: e.severity, subject: e.subject, status: .open, department: e.department,
                openedAt: e.openedAt, responseDueAt: e.responseDueAt, resolutionDueAt: e.resolutionDueAt,
                stints: [Stint(department: e.department, enteredAt: e.openedAt)], scope: .global)
            row.scope = try CustomerScopes.scope(of: e.customerID, in: views)
            try replace(nil, with: row, in: views)
        case let e as TicketAssigned:
            try change(e.ticketID, in: views) {
                $0.assignee = e.assignee
                if $0.status == .open { $0.status = .assigned }
                if $0.firstRespondedAt == nil { $0.firstRespondedAt = e.assignedAt }
            }
        case let e as TicketWorkStarted:
            try change(e.ticketID, in: views) {
                $0.assignee = e.assignee
                $0.status = .inProgress
                if $0.firstRespondedAt == nil { $0.firstRespondedAt = e.startedAt }
            }
        case let e as TicketHandedOver:
            try change(e.ticketID, in: views) {
                $0.closeStint(at: e.handedOverAt)
                $0.stints.append(Stint(department: e.toDepartment, enteredAt: e.handedOverAt))
                $0.department = e.toDepartment
                $0.assignee = nil
                $0.status = .open
            }
        case let e as TicketResolved:
            try change(e.ticketID, in: views) {
                $0.closeStint(at: e.resolvedAt)
                $0.status = .resolved
                $0.resolvedAt = e.resolvedAt
            }
        case let e as TicketClosed:
            try change(e.ticketID, in: views) { $0.status = .closed }
        case let e as TicketReopened:
            try change(e.ticketID, in: views) {
                $0.stints.append(Stint(department: $0.department, enteredAt: e.reopenedAt))
                $0.status = $0.assignee == nil ? .open : .assigned
                $0.resolvedAt = nil
            }
        case let e as TicketUnassigned:
            try change(e.ticketID, in: views) {
                $0.assignee = nil
                if $0.status == .assigned { $0.status = .open }
            }
        case let e as TicketSeverityChanged:
            try change(e.ticketID, in: views) {
                $0.severity = e.newSeverity
                $0.responseDueAt = e.newResponseDueAt
                $0.resolutionDueAt = e.newResolutionDueAt
            }
        default:
            return
        }
    }

    static func key(_ id: UUID) -> [UInt8] { ViewKey().uuid(id).bytes }
    private static func departmentKey(_ t: TicketRow) -> [UInt8] {
        ViewKey().string(t.department).date(t.resolutionDueAt).uuid(t.ticketID).bytes
    }
    static func deadlineKey(_ t: TicketRow) -> [UInt8] { ViewKey().date(t.resolutionDueAt).uuid(t.ticketID).bytes }

    /// Removes `old`'s index rows and writes `new`'s: every change of a ticket goes through here.
    private func replace(_ old: TicketRow?, with new: TicketRow?, in views: any ViewWriter) throws {
        if let old {
            if old.isOpen {
                try views.delete(key: Self.departmentKey(old), in: Self.openByDepartment)
                try views.delete(key: Self.deadlineKey(old), in: Self.openByDeadline)
            }
            try views.delete(key: Self.deadlineKey(old), in: Self.byDeadline)
        }
        guard let new else { return }
        let row = new.binaryForm
        try views.put(row, forKey: Self.key(new.ticketID), in: Self.tickets)
        if new.isOpen {
            try views.put(row, forKey: Self.departmentKey(new), in: Self.openByDepartment)
            try views.put(row, forKey: Self.deadlineKey(new), in: Self.openByDeadline)
        }
        try views.put([], forKey: Self.deadlineKey(new), in: Self.byDeadline)
        if old == nil { try WorkProjections.CustomerLinks.link(new.customerID, new.ticketID, in: views) }
    }

    /// Changes a stored row; its scope is read again when its assignee changes or `rescope` says its customer
    /// moved (``WorkProjections/refreshLinked(_:in:_:)``).
    private func change(_ id: UUID, rescope: Bool = false, in views: any ViewWriter, _ body: (inout TicketRow) -> Void) throws {
        guard let old = try views.row(TicketRow.self, forKey: Self.key(id), in: Self.tickets) else { return }
        var new = old
        body(&new)
        if rescope || new.assignee != old.assignee { new.scope = try CustomerScopes.scope(of: new.customerID, in: views).owned(by: new.assignee) }
        guard new != old else { return }
        try replace(old, with: new, in: views)
    }
}
