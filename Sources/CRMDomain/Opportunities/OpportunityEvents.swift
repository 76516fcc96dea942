import EventSourcing
import Foundation

/// An opportunity was opened for a customer, in a pipeline, at a stage, with an owner.
public struct OpportunityOpened: EventPayload, Equatable {
    public static let eventType = "OpportunityOpened"
    public static let schemaVersion: UInt32 = 1
    public var opportunityID: UUID
    public var details: Opportunity.Details
    public var pipeline: Pipeline
    public var stage: String
    public var owner: String

    public init(opportunityID: UUID, details: Opportunity.Details, pipeline: Pipeline, stage: String, owner: String) {
        self.opportunityID = opportunityID
        self.details = details
        self.pipeline = pipeline
        self.stage = stage
        self.owner = owner
    }
}

/// The owner changed, by the routing rules or by a manager.
public struct OpportunityAssigned: EventPayload, Equatable {
    public static let eventType = "OpportunityAssigned"
    public static let schemaVersion: UInt32 = 1
    public var opportunityID: UUID
    public var previousOwner: String
    public var owner: String
    public var assignment: Opportunity.Assignment
    /// The routing rule's assignee or the manager's reason, when given.
    public var reason: String?

    public init(opportunityID: UUID, previousOwner: String, owner: String, assignment: Opportunity.Assignment, reason: String? = nil) {
        self.opportunityID = opportunityID
        self.previousOwner = previousOwner
        self.owner = owner
        self.assignment = assignment
        self.reason = reason
    }
}

/// The opportunity moved to another stage of its pipeline; `change` is the trail (old → new).
public struct OpportunityStageChanged: EventPayload, Equatable {
    public static let eventType = "OpportunityStageChanged"
    public static let schemaVersion: UInt32 = 1
    public var opportunityID: UUID
    public var change: FieldChange

    public init(opportunityID: UUID, change: FieldChange) {
        self.opportunityID = opportunityID
        self.change = change
    }
}

/// Expected revenue, close date, title or source changed: exactly the changed fields, old → new.
public struct OpportunityEdited: EventPayload, Equatable {
    public static let eventType = "OpportunityEdited"
    public static let schemaVersion: UInt32 = 1
    public var opportunityID: UUID
    public var changes: [FieldChange]

    public init(opportunityID: UUID, changes: [FieldChange]) {
        self.opportunityID = opportunityID
        self.changes = changes
    }
}

/// A win probability suggested from history (by the analysis), in percent.
public struct WinProbabilitySuggested: EventPayload, Equatable {
    public static let eventType = "WinProbabilitySuggested"
    public static let schemaVersion: UInt32 = 1
    public var opportunityID: UUID
    public var previous: Decimal?
    public var percent: Decimal

    public init(opportunityID: UUID, previous: Decimal? = nil, percent: Decimal) {
        self.opportunityID = opportunityID
        self.previous = previous
        self.percent = percent
    }
}

/// Someone set the win probability by hand, with a reason; it wins over the suggestion.
public struct WinProbabilityOverridden: EventPayload, Equatable {
    public static let eventType = "WinProbabilityOverridden"
    public static let schemaVersion: UInt32 = 1
    public var opportunityID: UUID
    /// The effective probability before (override or suggestion).
    public var previous: Decimal?
    public var percent: Decimal
    public var reason: String

    public init(opportunityID: UUID, previous: Decimal? = nil, percent: Decimal, reason: String) {
        self.opportunityID = opportunityID
        self.previous = previous
        self.percent = percent
        self.reason = reason
    }
}

/// The opportunity was won, with a reason and the revenue expected at that moment.
public struct OpportunityWon: EventPayload, Equatable {
    public static let eventType = "OpportunityWon"
    public static let schemaVersion: UInt32 = 1
    public var opportunityID: UUID
    public var reason: String
    public var stage: String
    public var expectedRevenue: Money
    public var closedAt: Date

    public init(opportunityID: UUID, reason: String, stage: String, expectedRevenue: Money, closedAt: Date) {
        self.opportunityID = opportunityID
        self.reason = reason
        self.stage = stage
        self.expectedRevenue = expectedRevenue
        self.closedAt = closedAt
    }
}

/// The opportunity was lost, with a reason.
public struct OpportunityLost: EventPayload, Equatable {
    public static let eventType = "OpportunityLost"
    public static let schemaVersion: UInt32 = 1
    public var opportunityID: UUID
    public var reason: String
    public var stage: String
    public var closedAt: Date

    public init(opportunityID: UUID, reason: String, stage: String, closedAt: Date) {
        self.opportunityID = opportunityID
        self.reason = reason
        self.stage = stage
        self.closedAt = closedAt
    }
}

/// A won or lost opportunity was reopened at a stage, with a (required) reason.
public struct OpportunityReopened: EventPayload, Equatable {
    public static let eventType = "OpportunityReopened"
    public static let schemaVersion: UInt32 = 1
    public var opportunityID: UUID
    public var previousStatus: Opportunity.Status
    public var stage: String
    public var reason: String

    public init(opportunityID: UUID, previousStatus: Opportunity.Status, stage: String, reason: String) {
        self.opportunityID = opportunityID
        self.previousStatus = previousStatus
        self.stage = stage
        self.reason = reason
    }
}

/// The opportunity names more contact persons of its customer (R-CUS-3), in the order named.
public struct OpportunityContactsAdded: EventPayload, Equatable {
    public static let eventType = "OpportunityContactsAdded"
    public static let schemaVersion: UInt32 = 1
    public var opportunityID: UUID
    public var contactIDs: [UUID]

    public init(opportunityID: UUID, contactIDs: [UUID]) {
        self.opportunityID = opportunityID
        self.contactIDs = contactIDs
    }
}

/// The opportunity no longer names these contact persons.
public struct OpportunityContactsRemoved: EventPayload, Equatable {
    public static let eventType = "OpportunityContactsRemoved"
    public static let schemaVersion: UInt32 = 1
    public var opportunityID: UUID
    public var contactIDs: [UUID]

    public init(opportunityID: UUID, contactIDs: [UUID]) {
        self.opportunityID = opportunityID
        self.contactIDs = contactIDs
    }
}

/// The events of the opportunity aggregate.
public enum OpportunityEvent: DomainEvent {
    case opened(OpportunityOpened)
    case assigned(OpportunityAssigned)
    case stageChanged(OpportunityStageChanged)
    case edited(OpportunityEdited)
    case probabilitySuggested(WinProbabilitySuggested)
    case probabilityOverridden(WinProbabilityOverridden)
    case won(OpportunityWon)
    case lost(OpportunityLost)
    case reopened(OpportunityReopened)
    case contactsAdded(OpportunityContactsAdded)
    case contactsRemoved(OpportunityContactsRemoved)

    public static let payloadTypes: [any EventPayload.Type] = [
        OpportunityOpened.self, OpportunityAssigned.self, OpportunityStageChanged.self, OpportunityEdited.self,
        WinProbabilitySuggested.self, WinProbabilityOverridden.self, OpportunityWon.self, OpportunityLost.self,
        OpportunityReopened.self, OpportunityContactsAdded.self, OpportunityContactsRemoved.self,
    ]

    public var payload: any EventPayload {
        switch self {
        case .opened(let p): return p
        case .assigned(let p): return p
        case .stageChanged(let p): return p
        case .edited(let p): return p
        case .probabilitySuggested(let p): return p
        case .probabilityOverridden(let p): return p
        case .won(let p): return p
        case .lost(let p): return p
        case .reopened(let p): return p
        case .contactsAdded(let p): return p
        case .contactsRemoved(let p): return p
        }
    }

    public init?(payload: any EventPayload) {
        switch payload {
        case let p as OpportunityOpened: self = .opened(p)
        case let p as OpportunityAssigned: self = .assigned(p)
        case let p as OpportunityStageChanged: self = .stageChanged(p)
        case let p as OpportunityEdited: self = .edited(p)
        case let p as WinProbabilitySuggested: self = .probabilitySuggested(p)
        case let p as WinProbabilityOverridden: self = .probabilityOverridden(p)
        case let p as OpportunityWon: self = .won(p)
        case let p as OpportunityLost: self = .lost(p)
        case let p as OpportunityReopened: self = .reopened(p)
        case let p as OpportunityContactsAdded: self = .contactsAdded(p)
        case let p as OpportunityContactsRemoved: self = .contactsRemoved(p)
        default: return nil
        }
    }
}
