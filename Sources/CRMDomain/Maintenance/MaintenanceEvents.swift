import EventSourcing
import Foundation

public struct MaintenancePaired: EventPayload, Equatable {
    public static let eventType = "MaintenancePaired"
    public static let schemaVersion: UInt32 = 1
    public var customerID: UUID
    public var agent: String
    public var manager: String
    public var pairedAt: Date

    public init(customerID: UUID, agent: String, manager: String, pairedAt: Date) {
        self.customerID = customerID
        self.agent = agent
        self.manager = manager
        self.pairedAt = pairedAt
    }
}

public struct MaintenanceAgentChanged: EventPayload, Equatable {
    public static let eventType = "MaintenanceAgentChanged"
    public static let schemaVersion: UInt32 = 1
    public var customerID: UUID
    public var oldAgent: String
    public var newAgent: String
    public var reason: String?
    public var changedAt: Date

    public init(customerID: UUID, oldAgent: String, newAgent: String, reason: String? = nil, changedAt: Date) {
        self.customerID = customerID
        self.oldAgent = oldAgent
        self.newAgent = newAgent
        self.reason = reason
        self.changedAt = changedAt
    }
}

public struct MaintenanceManagerChanged: EventPayload, Equatable {
    public static let eventType = "MaintenanceManagerChanged"
    public static let schemaVersion: UInt32 = 1
    public var customerID: UUID
    public var oldManager: String
    public var newManager: String
    public var reason: String?
    public var changedAt: Date

    public init(customerID: UUID, oldManager: String, newManager: String, reason: String? = nil, changedAt: Date) {
        self.customerID = customerID
        self.oldManager = oldManager
        self.newManager = newManager
        self.reason = reason
        self.changedAt = changedAt
    }
}

public struct MaintenanceUnpaired: EventPayload, Equatable {
    public static let eventType = "MaintenanceUnpaired"
    public static let schemaVersion: UInt32 = 1
    public var customerID: UUID
    /// The pair that ended.
    public var agent: String
    public var manager: String
    public var reason: String
    public var unpairedAt: Date

    public init(customerID: UUID, agent: String, manager: String, reason: String, unpairedAt: Date) {
        self.customerID = customerID
        self.agent = agent
        self.manager = manager
        self.reason = reason
        self.unpairedAt = unpairedAt
    }
}

public struct MaintenanceFeedbackGiven: EventPayload, Equatable {
    public static let eventType = "MaintenanceFeedbackGiven"
    public static let schemaVersion: UInt32 = 1
    public var customerID: UUID
    public var feedbackID: UUID
    public var direction: FeedbackDirection
    public var giver: String
    public var subject: String
    public var rating: Int
    public var comment: String?
    public var about: UUID?
    public var givenAt: Date

    public init(customerID: UUID, feedbackID: UUID, direction: FeedbackDirection, giver: String, subject: String, rating: Int, comment: String? = nil, about: UUID? = nil, givenAt: Date) {
        self.customerID = customerID
        self.feedbackID = feedbackID
        self.direction = direction
        self.giver = giver
        self.subject = subject
        self.rating = rating
        self.comment = comment
        self.about = about
        self.givenAt = givenAt
    }
}

/// The events of a customer's two-layer maintenance pairing.
public enum MaintenanceEvent: DomainEvent {
    case paired(MaintenancePaired)
    case agentChanged(MaintenanceAgentChanged)
    case managerChanged(MaintenanceManagerChanged)
    case unpaired(MaintenanceUnpaired)
    case feedbackGiven(MaintenanceFeedbackGiven)

    public static let payloadTypes: [any EventPayload.Type] = [
        MaintenancePaired.self, MaintenanceAgentChanged.self, MaintenanceManagerChanged.self,
        MaintenanceUnpaired.self, MaintenanceFeedbackGiven.self,
    ]

    public var payload: any EventPayload {
        switch self {
        case .paired(let p): return p
        case .agentChanged(let p): return p
        case .managerChanged(let p): return p
        case .unpaired(let p): return p
        case .feedbackGiven(let p): return p
        }
    }

    public init?(payload: any EventPayload) {
        switch payload {
        case let p as MaintenancePaired: self = .paired(p)
        case let p as MaintenanceAgentChanged: self = .agentChanged(p)
        case let p as MaintenanceManagerChanged: self = .managerChanged(p)
        case let p as MaintenanceUnpaired: self = .unpaired(p)
        case let p as MaintenanceFeedbackGiven: self = .feedbackGiven(p)
        default: return nil
        }
    }
}
