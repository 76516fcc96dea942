import EventSourcing
import Foundation

/// A service ticket from any channel (R-SRV-1): open → assigned → in progress → resolved → closed, reopen
/// from resolved or closed, with an SLA clock and the time each department held it (R-TSK-6).
///
/// The SLA comes in the command: the engine looks it up with ``Settings/State/sla(kind:severity:)`` and
/// passes it, so the rule never reads the settings stream itself.
///
/// ```swift
/// let sla = settings.sla(kind: .complaint, severity: .high)
/// let events = try Ticket.decide(.open(id: id, channel: .web, kind: .complaint, severity: .high,
///     customerID: customer, subject: "No water", description: nil, department: "call-center", sla: sla),
///     state: Ticket.initialState, context: context)
/// ```
public enum Ticket: Aggregate {
    public static let category = "ticket"

    /// Where a ticket is in its life.
    public enum Status: String, CaseIterable, Hashable, Sendable, Codable {
        case open, assigned, inProgress, resolved, closed
    }

    /// One department's hold of a ticket: from when it entered until it left (nil while it holds it).
    public struct DepartmentStint: Hashable, Sendable {
        public var department: String
        public var enteredAt: Date
        public var leftAt: Date?

        public init(department: String, enteredAt: Date, leftAt: Date? = nil) {
            self.department = department
            self.enteredAt = enteredAt
            self.leftAt = leftAt
        }

        /// Whether the department held the ticket at `instant` (entered at or before it, not yet left).
        public func covers(_ instant: Date) -> Bool {
            enteredAt <= instant && leftAt.map { instant < $0 } ?? true
        }
    }

    /// A ticket as its events left it.
    public struct State: Sendable, Equatable {
        /// Nil until the ticket is opened.
        public var id: UUID?
        public var status: Status = .open
        public var channel: ContactChannel = .callCenter
        public var kind: TicketKind = .consultation
        public var severity: TicketSeverity = .normal
        public var customerID: UUID?
        public var subject: String = ""
        public var description: String?
        /// The department holding the ticket now.
        public var department: String = ""
        public var assignee: String?
        public var openedAt = Date(timeIntervalSince1970: 0)
        public var responseDueAt = Date(timeIntervalSince1970: 0)
        public var resolutionDueAt = Date(timeIntervalSince1970: 0)
        /// The first assignment or start of work: the first response.
        public var firstRespondedAt: Date?
        /// The resolution of the last resolve; nil once reopened.
        public var resolution: String?
        public var resolvedAt: Date?
        public var closedAt: Date?
        /// The customer's satisfaction rating (1–5) at the last close; nil once reopened.
        public var satisfaction: Int?
        public var satisfactionComment: String?
        public var reopenCount = 0
        /// Every department's hold of the ticket, in order.
        public var stints: [DepartmentStint] = []

        public init() {}

        /// Whether the ticket has been opened.
        public var exists: Bool { id != nil }
    }

    /// What can be asked of a ticket.
    public enum Command: Sendable {
        /// Opens a ticket; `sla` is the engine's look-up for kind and severity (nil → `notConfigured`).
        case open(id: UUID, channel: ContactChannel, kind: TicketKind, severity: TicketSeverity, customerID: UUID,
                  subject: String, description: String?, department: String, sla: SLADeadline?)
        /// Gives the ticket to an employee (open or assigned → assigned; reassigns while in progress).
        case assign(assignee: String)
        /// Starts work (assigned → in progress, or open → in progress taken by the actor).
        case startWork
        /// Hands the ticket to another department: it is open and unassigned there.
        case handOver(toDepartment: String, reason: String?)
        /// In progress → resolved.
        case resolve(resolution: String)
        /// Resolved → closed, with the customer's satisfaction rating 1–5.
        case close(satisfaction: Int, comment: String?)
        /// Resolved or closed → assigned again (to the last assignee); `toQueue`: open and unassigned in its
        /// department instead (``TicketUnassigned`` after the reopening) — the engine's choice when the last
        /// assignee may no longer work on the ticket.
        case reopen(reason: String, toQueue: Bool = false)
        /// Raises or lowers the severity; `sla` is the new severity's deadline (nil → `notConfigured`).
        case changeSeverity(to: TicketSeverity, sla: SLADeadline?, reason: String?)
    }

    public typealias Event = TicketEvent

    public static var initialState: State { State() }

    public static func decide(_ command: Command, state: State, context: CommandContext) throws(DomainError) -> [Event] {
        guard case let .open(id, channel, kind, severity, customerID, subject, description, department, sla) = command else {
            guard let id = state.id else { throw .notFound("no such ticket") }
            return try decideExisting(command, id: id, state: state, context: context)
        }
        guard !state.exists else { throw DomainError(.alreadyExists, "the ticket is already open") }
        let subjectText = try Validate.text(subject, field: "subject")
        let descriptionText = try Validate.optionalMultilineText(description, field: "description", max: 10_000)
        let departmentName = try Validate.text(department, field: "department", max: 100)
        let deadline = try checked(sla, kind: kind, severity: severity)
        return [.opened(TicketOpened(
            ticketID: id, channel: channel, kind: kind, severity: severity, customerID: customerID,
            subject: subjectText, description: descriptionText, department: departmentName, openedAt: context.now,
            responseDueAt: context.now.addingTimeInterval(Double(deadline.responseMinutes) * 60),
            resolutionDueAt: context.now.addingTimeInterval(Double(deadline.resolutionMinutes) * 60)
        ))]
    }

    private static func decideExisting(_ command: Command, id: UUID, state: State, context: CommandContext) throws(DomainError) -> [Event] {
        let now = context.now
        switch command {
        case .open:
            throw DomainError(.alreadyExists, "the ticket is already open")

        case .assign(let assignee):
            let name = try Validate.text(assignee, field: "assignee", max: 100)
            guard [.open, .assigned, .inProgress].contains(state.status) else {
                throw .transition("\(withArticle(state.status.rawValue)) ticket cannot be assigned")
            }
            guard !Employee.sameID(state.assignee, name) else { return [] }
            return [.assigned(TicketAssigned(ticketID: id, assignee: name, previousAssignee: state.assignee, assignedAt: now))]

        case .startWork:
            guard state.status == .open || state.status == .assigned else {
                throw .transition("work can start only on an open or assigned ticket")
            }
            return [.workStarted(TicketWorkStarted(ticketID: id, assignee: state.assignee ?? context.actor, startedAt: now))]

        case .handOver(let target, let reason):
            let department = try Validate.text(target, field: "toDepartment", max: 100)
            let reasonText = try Validate.optionalMultilineText(reason, field: "reason")
            guard [.open, .assigned, .inProgress].contains(state.status) else {
                throw .transition("\(withArticle(state.status.rawValue)) ticket cannot be handed over")
            }
            guard department != state.department else {
                throw .invalid("toDepartment", "the ticket is already in that department")
            }
            return [.handedOver(TicketHandedOver(ticketID: id, fromDepartment: state.department, toDepartment: department, reason: reasonText, handedOverAt: now))]

        case .resolve(let resolution):
            let text = try Validate.multilineText(resolution, field: "resolution", max: 10_000)
            guard state.status == .inProgress else { throw .transition("only a ticket in progress can be resolved") }
            return [.resolved(TicketResolved(ticketID: id, resolution: text, resolvedAt: now))]

        case .close(let satisfaction, let comment):
            guard (1...5).contains(satisfaction) else { throw .invalid("satisfaction", "must be between 1 and 5") }
            let commentText = try Validate.optionalMultilineText(comment, field: "comment")
            guard state.status == .resolved else { throw .transition("only a resolved ticket can be closed") }
            return [.closed(TicketClosed(ticketID: id, satisfaction: satisfaction, comment: commentText, closedAt: now))]

        case .reopen(let reason, let toQueue):
            let text = try Validate.multilineText(reason, field: "reason", max: 2000)
            guard state.status == .resolved || state.status == .closed else {
                throw .transition("only a resolved or closed ticket can be reopened")
            }
            let reopened = TicketEvent.reopened(TicketReopened(ticketID: id, reason: text, fromStatus: state.status, reopenedAt: now))
            guard toQueue, let assignee = state.assignee else { return [reopened] }
            return [reopened, .unassigned(TicketUnassigned(ticketID: id, previousAssignee: assignee, unassignedAt: now))]

        case .changeSeverity(let severity, let sla, let reason):
            guard state.status != .resolved && state.status != .closed else {
                throw .transition("the severity of \(withArticle(state.status.rawValue)) ticket cannot change")
            }
            let reasonText = try Validate.optionalMultilineText(reason, field: "reason")
            guard severity != state.severity else { return [] }
            let deadline = try checked(sla, kind: state.kind, severity: severity)
            return [.severityChanged(TicketSeverityChanged(
                ticketID: id, oldSeverity: state.severity, newSeverity: severity,
                oldResponseDueAt: state.responseDueAt,
                newResponseDueAt: state.openedAt.addingTimeInterval(Double(deadline.responseMinutes) * 60),
                oldResolutionDueAt: state.resolutionDueAt,
                newResolutionDueAt: state.openedAt.addingTimeInterval(Double(deadline.resolutionMinutes) * 60),
                reason: reasonText, changedAt: now
            ))]
        }
    }

    /// The SLA the engine passed, checked against the ticket's kind and severity.
    private static func checked(_ sla: SLADeadline?, kind: TicketKind, severity: TicketSeverity) throws(DomainError) -> SLADeadline {
        guard let sla else { throw DomainError(.notConfigured, field: "sla", "no SLA deadline is set for this kind and severity") }
        guard sla.kind == kind, sla.severity == severity else { throw .invalid("sla", "the SLA is for another kind or severity") }
        guard sla.responseMinutes > 0, sla.resolutionMinutes >= sla.responseMinutes else {
            throw .invalid("sla", "the SLA's minutes are not usable")
        }
        return sla
    }

    public static func evolve(_ state: State, _ event: Event) -> State {
        var s = state
        switch event {
        case .opened(let e):
            s.id = e.ticketID
            s.status = .open
            s.channel = e.channel
            s.kind = e.kind
            s.severity = e.severity
            s.customerID = e.customerID
            s.subject = e.subject
            s.description = e.description
            s.department = e.department
            s.openedAt = e.openedAt
            s.responseDueAt = e.responseDueAt
            s.resolutionDueAt = e.resolutionDueAt
            s.stints = [DepartmentStint(department: e.department, enteredAt: e.openedAt)]
        case .assigned(let e):
            s.assignee = e.assignee
            if s.status == .open { s.status = .assigned }
            if s.firstRespondedAt == nil { s.firstRespondedAt = e.assignedAt }
        case .workStarted(let e):
            s.assignee = e.assignee
            s.status = .inProgress
            if s.firstRespondedAt == nil { s.firstRespondedAt = e.startedAt }
        case .handedOver(let e):
            s.closeStint(at: e.handedOverAt)
            s.stints.append(DepartmentStint(department: e.toDepartment, enteredAt: e.handedOverAt))
            s.department = e.toDepartment
            s.assignee = nil
            s.status = .open
        case .resolved(let e):
            s.closeStint(at: e.resolvedAt)
            s.status = .resolved
            s.resolution = e.resolution
            s.resolvedAt = e.resolvedAt
        case .closed(let e):
            s.status = .closed
            s.closedAt = e.closedAt
            s.satisfaction = e.satisfaction
            s.satisfactionComment = e.comment
        case .reopened(let e):
            s.stints.append(DepartmentStint(department: s.department, enteredAt: e.reopenedAt))
            s.status = s.assignee == nil ? .open : .assigned
            // The resolution and rating were those of the work now reopened: the ticket shows none until it
            // is resolved and closed again (the events keep them; the service-quality report keeps counting
            // the last close's rating).
            s.resolution = nil
            s.resolvedAt = nil
            s.closedAt = nil
            s.satisfaction = nil
            s.satisfactionComment = nil
            s.reopenCount += 1
        case .severityChanged(let e):
            s.severity = e.newSeverity
            s.responseDueAt = e.newResponseDueAt
            s.resolutionDueAt = e.newResolutionDueAt
        case .unassigned:
            s.assignee = nil
            if s.status == .assigned { s.status = .open }
        }
        return s
    }
}

fileprivate extension Ticket.State {
    /// Ends the current department's stint, if one is running.
    mutating func closeStint(at instant: Date) {
        guard let last = stints.indices.last, stints[last].leftAt == nil else { return }
        stints[last].leftAt = instant
    }
}
