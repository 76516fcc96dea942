import Foundation

/// A stage of the new-connection workflow (R-SRV-6), in its strict order.
public enum ConnectionStage: String, Codable, Hashable, Sendable, CaseIterable, Comparable {
    case application, siteSurvey, fee, design, construction, acceptance, commissioning, archived

    /// The position in the workflow (application is 0).
    public var index: Int { Self.allCases.firstIndex(of: self) ?? 0 }
    /// The stage after this one; nil after `archived`.
    public var next: ConnectionStage? { index + 1 < Self.allCases.count ? Self.allCases[index + 1] : nil }
    /// The stage before this one; nil for `application`.
    public var previous: ConnectionStage? { index > 0 ? Self.allCases[index - 1] : nil }

    public static func < (lhs: ConnectionStage, rhs: ConnectionStage) -> Bool { lhs.index < rhs.index }
}

/// A material used in a stage: a name, an exact quantity and its unit (`m`, `pcs`, …).
public struct ConnectionMaterial: Hashable, Sendable, Codable {
    public var name: String
    public var quantity: Decimal
    public var unit: String

    public init(name: String, quantity: Decimal, unit: String) {
        self.name = name
        self.quantity = quantity
        self.unit = unit
    }
}

/// A fee assessed in a stage, and when it was paid.
public struct ConnectionFee: Hashable, Sendable {
    public let id: UUID
    public let stage: ConnectionStage
    public let amount: Money
    public let description: String
    public let assessedAt: Date
    public var paidAt: Date?

    public init(id: UUID, stage: ConnectionStage, amount: Money, description: String, assessedAt: Date, paidAt: Date? = nil) {
        self.id = id
        self.stage = stage
        self.amount = amount
        self.description = description
        self.assessedAt = assessedAt
        self.paidAt = paidAt
    }
}

/// One stay in a stage: entered (by opening, advancing or a send-back), left (with a note) or still open.
public struct StageVisit: Hashable, Sendable {
    public let stage: ConnectionStage
    public let enteredAt: Date
    public let deadline: Date?
    public let assignee: String?
    public var leftAt: Date?
    /// The completion note, the send-back reason or the cancellation reason.
    public var note: String?

    public init(stage: ConnectionStage, enteredAt: Date, deadline: Date?, assignee: String?, leftAt: Date? = nil, note: String? = nil) {
        self.stage = stage
        self.enteredAt = enteredAt
        self.deadline = deadline
        self.assignee = assignee
        self.leftAt = leftAt
        self.note = note
    }
}

/// What the customer's record shows of a connection (the engine's customer 360 view).
public struct ConnectionSummary: Hashable, Sendable {
    public let connectionID: UUID
    public let stage: ConnectionStage
    /// The current stage's deadline; nil once archived.
    public let deadline: Date?
    public let assignee: String?
    public let isCancelled: Bool

    public init(connectionID: UUID, stage: ConnectionStage, deadline: Date?, assignee: String?, isCancelled: Bool) {
        self.connectionID = connectionID
        self.stage = stage
        self.deadline = deadline
        self.assignee = assignee
        self.isCancelled = isCancelled
    }
}
