import EventSourcing
import Foundation

/// A ticket was opened (R-SRV-1) with its SLA deadlines fixed as instants.
public struct TicketOpened: EventPayload, Equatable {
    public static let eventType = "TicketOpened"
    public static let schemaVersion: UInt32 = 1
    public var ticketID: UUID
    public var channel: ContactChannel
    public var kind: TicketKind
    public var severity: TicketSeverity
    public var customerID: UUID
    public var subject: String
    public var description: String?
    /// The department that first holds the ticket.
    public var department: String
    public var openedAt: Date
    /// Opened-at plus the SLA's response minutes.
    public var responseDueAt: Date
    /// Opened-at plus the SLA's resolution minutes.
    public var resolutionDueAt: Date

    public init(ticketID: UUID, channel: ContactChannel, kind: TicketKind, severity: TicketSeverity, customerID: UUID, subject: String, description: String? = nil, department: String, openedAt: Date, responseDueAt: Date, resolutionDueAt: Date) {
        self.ticketID = ticketID
        self.channel = channel
        self.kind = kind
        self.severity = severity
        self.customerID = customerID
        self.subject = subject
        self.description = description
        self.department = department
        self.openedAt = openedAt
        self.responseDueAt = responseDueAt
        self.resolutionDueAt = resolutionDueAt
    }
}

/// A ticket was given to an employee (the first assignment is the first response).
public struct TicketAssigned: EventPayload, Equatable {
    public static let eventType = "TicketAssigned"
    public static let schemaVersion: UInt32 = 1
    public var ticketID: UUID
    public var assignee: String
    public var previousAssignee: String?
    public var assignedAt: Date

    public init(ticketID: UUID, assignee: String, previousAssignee: String? = nil, assignedAt: Date) {
        self.ticketID = ticketID
        self.assignee = assignee
        self.previousAssignee = previousAssignee
        self.assignedAt = assignedAt
    }
}

/// Work on a ticket started (assigned → in progress, or open → in progress when someone takes it).
public struct TicketWorkStarted: EventPayload, Equatable {
    public static let eventType = "TicketWorkStarted"
    public static let schemaVersion: UInt32 = 1
    public var ticketID: UUID
    /// Who works on it (the assignee, or the actor who took an unassigned ticket).
    public var assignee: String
    public var startedAt: Date

    public init(ticketID: UUID, assignee: String, startedAt: Date) {
        self.ticketID = ticketID
        self.assignee = assignee
        self.startedAt = startedAt
    }
}

/// A ticket moved from one department to another (R-TSK-6); it is open again, unassigned, in the new one.
public struct TicketHandedOver: EventPayload, Equatable {
    public static let eventType = "TicketHandedOver"
    public static let schemaVersion: UInt32 = 1
    public var ticketID: UUID
    public var fromDepartment: String
    public var toDepartment: String
    public var reason: String?
    public var handedOverAt: Date

    public init(ticketID: UUID, fromDepartment: String, toDepartment: String, reason: String? = nil, handedOverAt: Date) {
        self.ticketID = ticketID
        self.fromDepartment = fromDepartment
        self.toDepartment = toDepartment
        self.reason = reason
        self.handedOverAt = handedOverAt
    }
}

/// A ticket was resolved; its current department's time ends here.
public struct TicketResolved: EventPayload, Equatable {
    public static let eventType = "TicketResolved"
    public static let schemaVersion: UInt32 = 1
    public var ticketID: UUID
    public var resolution: String
    public var resolvedAt: Date

    public init(ticketID: UUID, resolution: String, resolvedAt: Date) {
        self.ticketID = ticketID
        self.resolution = resolution
        self.resolvedAt = resolvedAt
    }
}

/// A resolved ticket was closed with the customer's satisfaction rating (1–5).
public struct TicketClosed: EventPayload, Equatable {
    public static let eventType = "TicketClosed"
    public static let schemaVersion: UInt32 = 1
    public var ticketID: UUID
    public var satisfaction: Int
    public var comment: String?
    public var closedAt: Date

    public init(ticketID: UUID, satisfaction: Int, comment: String? = nil, closedAt: Date) {
        self.ticketID = ticketID
        self.satisfaction = satisfaction
        self.comment = comment
        self.closedAt = closedAt
    }
}

/// A resolved or closed ticket was reopened; it goes back to its assignee in its department (followed by a
/// ``TicketUnassigned`` when that assignee may no longer work on it).
public struct TicketReopened: EventPayload, Equatable {
    public static let eventType = "TicketReopened"
    public static let schemaVersion: UInt32 = 1
    public var ticketID: UUID
    public var reason: String
    /// The status it was reopened from (`resolved` or `closed`).
    public var fromStatus: Ticket.Status
    public var reopenedAt: Date

    public init(ticketID: UUID, reason: String, fromStatus: Ticket.Status, reopenedAt: Date) {
        self.ticketID = ticketID
        self.reason = reason
        self.fromStatus = fromStatus
        self.reopenedAt = reopenedAt
    }
}

/// A ticket left its assignee and went back, open and unassigned, to its department's queue: on reopening,
/// when its last assignee may no longer work on it (deactivated, or without the rights over its customer).
public struct TicketUnassigned: EventPayload, Equatable {
    public static let eventType = "TicketUnassigned"
    public static let schemaVersion: UInt32 = 1
    public var ticketID: UUID
    /// The assignee it left.
    public var previousAssignee: String
    public var unassignedAt: Date

    public init(ticketID: UUID, previousAssignee: String, unassignedAt: Date) {
        self.ticketID = ticketID
        self.previousAssignee = previousAssignee
        self.unassignedAt = unassignedAt
    }
}

/// A ticket's severity was raised or lowered; its deadlines follow the new severity's SLA (old → new traced).
public struct TicketSeverityChanged: EventPayload, Equatable {
    public static let eventType = "TicketSeverityChanged"
    public static let schemaVersion: UInt32 = 1
    public var ticketID: UUID
    public var oldSeverity: TicketSeverity
    public var newSeverity: TicketSeverity
    public var oldResponseDueAt: Date
    public var newResponseDueAt: Date
    public var oldResolutionDueAt: Date
    public var newResolutionDueAt: Date
    public var reason: String?
    public var changedAt: Date

    public init(ticketID: UUID, oldSeverity: TicketSeverity, newSeverity: TicketSeverity, oldResponseDueAt: Date, newResponseDueAt: Date, oldResolutionDueAt: Date, newResolutionDueAt: Date, reason: String? = nil, changedAt: Date) {
        self.ticketID = ticketID
        self.oldSeverity = oldSeverity
        self.newSeverity = newSeverity
        self.oldResponseDueAt = oldResponseDueAt
        self.newResponseDueAt = newResponseDueAt
        self.oldResolutionDueAt = oldResolutionDueAt
        self.newResolutionDueAt = newResolutionDueAt
        self.reason = reason
        self.changedAt = changedAt
    }

    /// True when the severity went up (an escalation).
    public var isEscalation: Bool { newSeverity > oldSeverity }
}

/// The events of the ticket aggregate.
public enum TicketEvent: DomainEvent {
    case opened(TicketOpened)
    case assigned(TicketAssigned)
    case workStarted(TicketWorkStarted)
    case handedOver(TicketHandedOver)
    case resolved(TicketResolved)
    case closed(TicketClosed)
    case reopened(TicketReopened)
    case severityChanged(TicketSeverityChanged)
    case unassigned(TicketUnassigned)

    public static let payloadTypes: [any EventPayload.Type] = [
        TicketOpened.self, TicketAssigned.self, TicketWorkStarted.self, TicketHandedOver.self, TicketResolved.self,
        TicketClosed.self, TicketReopened.self, TicketSeverityChanged.self, TicketUnassigned.self,
    ]

    public var payload: any EventPayload {
        switch self {
        case .opened(let p): return p
        case .assigned(let p): return p
        case .workStarted(let p): return p
        case .handedOver(let p): return p
        case .resolved(let p): return p
        case .closed(let p): return p
        case .reopened(let p): return p
        case .severityChanged(let p): return p
        case .unassigned(let p): return p
        }
    }

    public init?(payload: any EventPayload) {
        switch payload {
        case let p as TicketOpened: self = .opened(p)
        case let p as TicketAssigned: self = .assigned(p)
        case let p as TicketWorkStarted: self = .workStarted(p)
        case let p as TicketHandedOver: self = .handedOver(p)
        case let p as TicketResolved: self = .resolved(p)
        case let p as TicketClosed: self = .closed(p)
        case let p as TicketReopened: self = .reopened(p)
        case let p as TicketSeverityChanged: self = .severityChanged(p)
        case let p as TicketUnassigned: self = .unassigned(p)
        default: return nil
        }
    }
}
