import EventSourcing
import Foundation

public struct ConnectionOpened: EventPayload, Equatable {
    public static let eventType = "ConnectionOpened"
    public static let schemaVersion: UInt32 = 1
    public var connectionID: UUID
    public var customerID: UUID
    public var address: String
    public var openedAt: Date
    /// The application stage's deadline and assignee.
    public var deadline: Date
    public var assignee: String

    public init(connectionID: UUID, customerID: UUID, address: String, openedAt: Date, deadline: Date, assignee: String) {
        self.connectionID = connectionID
        self.customerID = customerID
        self.address = address
        self.openedAt = openedAt
        self.deadline = deadline
        self.assignee = assignee
    }
}

public struct ConnectionMaterialAdded: EventPayload, Equatable {
    public static let eventType = "ConnectionMaterialAdded"
    public static let schemaVersion: UInt32 = 1
    public var connectionID: UUID
    public var stage: ConnectionStage
    public var material: ConnectionMaterial

    public init(connectionID: UUID, stage: ConnectionStage, material: ConnectionMaterial) {
        self.connectionID = connectionID
        self.stage = stage
        self.material = material
    }
}

public struct ConnectionFeeAssessed: EventPayload, Equatable {
    public static let eventType = "ConnectionFeeAssessed"
    public static let schemaVersion: UInt32 = 1
    public var connectionID: UUID
    public var feeID: UUID
    public var stage: ConnectionStage
    public var amount: Money
    public var description: String
    public var assessedAt: Date

    public init(connectionID: UUID, feeID: UUID, stage: ConnectionStage, amount: Money, description: String, assessedAt: Date) {
        self.connectionID = connectionID
        self.feeID = feeID
        self.stage = stage
        self.amount = amount
        self.description = description
        self.assessedAt = assessedAt
    }
}

public struct ConnectionFeePaid: EventPayload, Equatable {
    public static let eventType = "ConnectionFeePaid"
    public static let schemaVersion: UInt32 = 1
    public var connectionID: UUID
    public var feeID: UUID
    public var paidAt: Date

    public init(connectionID: UUID, feeID: UUID, paidAt: Date) {
        self.connectionID = connectionID
        self.feeID = feeID
        self.paidAt = paidAt
    }
}

public struct ConnectionStageAdvanced: EventPayload, Equatable {
    public static let eventType = "ConnectionStageAdvanced"
    public static let schemaVersion: UInt32 = 1
    public var connectionID: UUID
    public var from: ConnectionStage
    public var to: ConnectionStage
    /// When the `from` stage was completed.
    public var completedAt: Date
    public var note: String?
    /// The `to` stage's deadline and assignee; nil when archived.
    public var deadline: Date?
    public var assignee: String?

    public init(connectionID: UUID, from: ConnectionStage, to: ConnectionStage, completedAt: Date, note: String? = nil, deadline: Date? = nil, assignee: String? = nil) {
        self.connectionID = connectionID
        self.from = from
        self.to = to
        self.completedAt = completedAt
        self.note = note
        self.deadline = deadline
        self.assignee = assignee
    }
}

public struct ConnectionStageSentBack: EventPayload, Equatable {
    public static let eventType = "ConnectionStageSentBack"
    public static let schemaVersion: UInt32 = 1
    public var connectionID: UUID
    public var from: ConnectionStage
    public var to: ConnectionStage
    public var reason: String
    public var sentBackAt: Date
    /// The reopened stage's new deadline and assignee.
    public var deadline: Date
    public var assignee: String

    public init(connectionID: UUID, from: ConnectionStage, to: ConnectionStage, reason: String, sentBackAt: Date, deadline: Date, assignee: String) {
        self.connectionID = connectionID
        self.from = from
        self.to = to
        self.reason = reason
        self.sentBackAt = sentBackAt
        self.deadline = deadline
        self.assignee = assignee
    }
}

public struct ConnectionStageReplanned: EventPayload, Equatable {
    public static let eventType = "ConnectionStageReplanned"
    public static let schemaVersion: UInt32 = 1
    public var connectionID: UUID
    public var stage: ConnectionStage
    /// The changed fields (`deadline` as text in ISO 8601, `assignee`), old → new.
    public var changes: [FieldChange]
    public var deadline: Date
    public var assignee: String

    public init(connectionID: UUID, stage: ConnectionStage, changes: [FieldChange], deadline: Date, assignee: String) {
        self.connectionID = connectionID
        self.stage = stage
        self.changes = changes
        self.deadline = deadline
        self.assignee = assignee
    }
}

public struct ConnectionCancelled: EventPayload, Equatable {
    public static let eventType = "ConnectionCancelled"
    public static let schemaVersion: UInt32 = 1
    public var connectionID: UUID
    public var stage: ConnectionStage
    public var reason: String
    public var cancelledAt: Date

    public init(connectionID: UUID, stage: ConnectionStage, reason: String, cancelledAt: Date) {
        self.connectionID = connectionID
        self.stage = stage
        self.reason = reason
        self.cancelledAt = cancelledAt
    }
}

/// The events of a new connection.
public enum NewConnectionEvent: DomainEvent {
    case opened(ConnectionOpened)
    case materialAdded(ConnectionMaterialAdded)
    case feeAssessed(ConnectionFeeAssessed)
    case feePaid(ConnectionFeePaid)
    case advanced(ConnectionStageAdvanced)
    case sentBack(ConnectionStageSentBack)
    case replanned(ConnectionStageReplanned)
    case cancelled(ConnectionCancelled)

    public static let payloadTypes: [any EventPayload.Type] = [
        ConnectionOpened.self, ConnectionMaterialAdded.self, ConnectionFeeAssessed.self, ConnectionFeePaid.self,
        ConnectionStageAdvanced.self, ConnectionStageSentBack.self, ConnectionStageReplanned.self, ConnectionCancelled.self,
    ]

    public var payload: any EventPayload {
        switch self {
        case .opened(let p): return p
        case .materialAdded(let p): return p
        case .feeAssessed(let p): return p
        case .feePaid(let p): return p
        case .advanced(let p): return p
        case .sentBack(let p): return p
        case .replanned(let p): return p
        case .cancelled(let p): return p
        }
    }

    public init?(payload: any EventPayload) {
        switch payload {
        case let p as ConnectionOpened: self = .opened(p)
        case let p as ConnectionMaterialAdded: self = .materialAdded(p)
        case let p as ConnectionFeeAssessed: self = .feeAssessed(p)
        case let p as ConnectionFeePaid: self = .feePaid(p)
        case let p as ConnectionStageAdvanced: self = .advanced(p)
        case let p as ConnectionStageSentBack: self = .sentBack(p)
        case let p as ConnectionStageReplanned: self = .replanned(p)
        case let p as ConnectionCancelled: self = .cancelled(p)
        default: return nil
        }
    }
}
