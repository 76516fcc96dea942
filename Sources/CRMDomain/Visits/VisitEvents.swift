import EventSourcing
import Foundation

/// A customer visit was planned (R-SRV-4).
public struct VisitPlanned: EventPayload, Equatable {
    public static let eventType = "VisitPlanned"
    public static let schemaVersion: UInt32 = 1
    public var visitID: UUID
    public var customerID: UUID
    /// The employee who visits.
    public var visitor: String
    public var scheduledAt: Date
    public var contacts: [UUID]
    public var agenda: String
    public var place: String

    public init(visitID: UUID, customerID: UUID, visitor: String, scheduledAt: Date, contacts: [UUID], agenda: String, place: String) {
        self.visitID = visitID
        self.customerID = customerID
        self.visitor = visitor
        self.scheduledAt = scheduledAt
        self.contacts = contacts
        self.agenda = agenda
        self.place = place
    }
}

/// A planned visit moved in time or place (old → new).
public struct VisitRescheduled: EventPayload, Equatable {
    public static let eventType = "VisitRescheduled"
    public static let schemaVersion: UInt32 = 1
    public var visitID: UUID
    public var oldScheduledAt: Date
    public var newScheduledAt: Date
    public var oldPlace: String
    public var newPlace: String
    public var reason: String?

    public init(visitID: UUID, oldScheduledAt: Date, newScheduledAt: Date, oldPlace: String, newPlace: String, reason: String? = nil) {
        self.visitID = visitID
        self.oldScheduledAt = oldScheduledAt
        self.newScheduledAt = newScheduledAt
        self.oldPlace = oldPlace
        self.newPlace = newPlace
        self.reason = reason
    }
}

/// What actually happened on a visit: planned → done.
public struct VisitRecorded: EventPayload, Equatable {
    public static let eventType = "VisitRecorded"
    public static let schemaVersion: UInt32 = 1
    public var visitID: UUID
    public var actual: Visit.Actual
    public var recordedAt: Date

    public init(visitID: UUID, actual: Visit.Actual, recordedAt: Date) {
        self.visitID = visitID
        self.actual = actual
        self.recordedAt = recordedAt
    }
}

/// A planned visit was cancelled.
public struct VisitCancelled: EventPayload, Equatable {
    public static let eventType = "VisitCancelled"
    public static let schemaVersion: UInt32 = 1
    public var visitID: UUID
    public var reason: String
    public var cancelledAt: Date

    public init(visitID: UUID, reason: String, cancelledAt: Date) {
        self.visitID = visitID
        self.reason = reason
        self.cancelledAt = cancelledAt
    }
}

/// A cost line was added to a visit.
public struct VisitCostAdded: EventPayload, Equatable {
    public static let eventType = "VisitCostAdded"
    public static let schemaVersion: UInt32 = 1
    public var visitID: UUID
    public var line: Visit.CostLine

    public init(visitID: UUID, line: Visit.CostLine) {
        self.visitID = visitID
        self.line = line
    }
}

/// A cost line was removed from a visit; the removed line is kept in the event for the trail.
public struct VisitCostRemoved: EventPayload, Equatable {
    public static let eventType = "VisitCostRemoved"
    public static let schemaVersion: UInt32 = 1
    public var visitID: UUID
    public var line: Visit.CostLine

    public init(visitID: UUID, line: Visit.CostLine) {
        self.visitID = visitID
        self.line = line
    }
}

/// The events of the visit aggregate.
public enum VisitEvent: DomainEvent {
    case planned(VisitPlanned)
    case rescheduled(VisitRescheduled)
    case recorded(VisitRecorded)
    case cancelled(VisitCancelled)
    case costAdded(VisitCostAdded)
    case costRemoved(VisitCostRemoved)

    public static let payloadTypes: [any EventPayload.Type] = [
        VisitPlanned.self, VisitRescheduled.self, VisitRecorded.self, VisitCancelled.self, VisitCostAdded.self, VisitCostRemoved.self,
    ]

    public var payload: any EventPayload {
        switch self {
        case .planned(let p): return p
        case .rescheduled(let p): return p
        case .recorded(let p): return p
        case .cancelled(let p): return p
        case .costAdded(let p): return p
        case .costRemoved(let p): return p
        }
    }

    public init?(payload: any EventPayload) {
        switch payload {
        case let p as VisitPlanned: self = .planned(p)
        case let p as VisitRescheduled: self = .rescheduled(p)
        case let p as VisitRecorded: self = .recorded(p)
        case let p as VisitCancelled: self = .cancelled(p)
        case let p as VisitCostAdded: self = .costAdded(p)
        case let p as VisitCostRemoved: self = .costRemoved(p)
        default: return nil
        }
    }
}
