import EventSourcing
import Foundation

/// Two-layer maintenance of a customer (R-CUS-9): the customer's call-center agent paired with its account
/// manager, every change of either recorded (old → new), and mutual feedback — the agent rates the manager's
/// follow-up, the manager rates the agent's handling — for the assessment both ways (R-ANA-1).
/// One stream per customer, `pairing-<id>` with the id from ``id(customerID:)``.
///
/// ```swift
/// let stream = MaintenancePairing.stream(MaintenancePairing.id(customerID: customerID))
/// let events = try MaintenancePairing.decide(.giveFeedback(feedbackID: id, direction: .agentRatesManager, giver: "agent-1",
///                                                          rating: 4, comment: nil, about: ticketID),
///                                            state: state, context: context)
/// ```
public enum MaintenancePairing: Aggregate {
    public static let category = "pairing"

    /// A past or present pair, for the trail.
    public struct Pair: Hashable, Sendable {
        public let agent: String
        public let manager: String
        public let from: Date
        public var until: Date?
    }

    public struct State: Sendable, Equatable {
        public var customerID: UUID?
        /// The current agent and manager; nil while unpaired.
        public var agent: String?
        public var manager: String?
        /// Every pair the customer had, the current one last.
        public var pairs: [Pair] = []
        public var feedback: [MaintenanceFeedback] = []

        public init() {}

        /// Whether the customer currently has an agent and a manager.
        public var isPaired: Bool { agent != nil && manager != nil }

        /// The feedback received per employee on this customer (see ``Swift/Array/summaryByEmployee(direction:period:)``).
        public func feedbackSummary(direction: FeedbackDirection? = nil) -> [String: FeedbackSummary] {
            feedback.summaryByEmployee(direction: direction)
        }
    }

    public enum Command: Sendable {
        case pair(customerID: UUID, agent: String, manager: String)
        case changeAgent(newAgent: String, reason: String?)
        case changeManager(newManager: String, reason: String?)
        case unpair(reason: String)
        /// Feedback given by `giver`, who must be the current agent (rating the manager) or the current
        /// manager (rating the agent). Giving the same `feedbackID` again records nothing.
        case giveFeedback(feedbackID: UUID, direction: FeedbackDirection, giver: String, rating: Int, comment: String?, about: UUID?)
    }

    public typealias Event = MaintenanceEvent

    public static var initialState: State { State() }

    /// The id of a customer's pairing stream: the same customer always gives the same id.
    public static func id(customerID: UUID) -> UUID {
        UUID.derived("pairing", customerID.lowercasedString)
    }

    public static func decide(_ command: Command, state: State, context: CommandContext) throws(DomainError) -> [Event] {
        switch command {
        case .pair(let customerID, let agent, let manager):
            if let existing = state.customerID, existing != customerID {
                throw .invalid("customerID", "the pairing belongs to another customer")
            }
            guard !state.isPaired else { throw DomainError(.alreadyExists, "the customer is already paired; change or unpair first") }
            let agent = try Validate.text(agent, field: "agent", max: 100)
            let manager = try Validate.text(manager, field: "manager", max: 100)
            guard !Employee.sameID(agent, manager) else { throw .invalid("manager", "the agent and the manager must be different employees") }
            return [.paired(MaintenancePaired(customerID: customerID, agent: agent, manager: manager, pairedAt: context.now))]

        case .changeAgent(let newAgent, let reason):
            let (customerID, agent, manager) = try current(state)
            let newAgent = try Validate.text(newAgent, field: "newAgent", max: 100)
            guard !Employee.sameID(newAgent, agent) else { return [] }
            guard !Employee.sameID(newAgent, manager) else { throw .invalid("newAgent", "the agent and the manager must be different employees") }
            let reason = try Validate.optionalMultilineText(reason, field: "reason")
            return [.agentChanged(MaintenanceAgentChanged(customerID: customerID, oldAgent: agent, newAgent: newAgent,
                                                          reason: reason, changedAt: context.now))]

        case .changeManager(let newManager, let reason):
            let (customerID, agent, manager) = try current(state)
            let newManager = try Validate.text(newManager, field: "newManager", max: 100)
            guard !Employee.sameID(newManager, manager) else { return [] }
            guard !Employee.sameID(newManager, agent) else { throw .invalid("newManager", "the agent and the manager must be different employees") }
            let reason = try Validate.optionalMultilineText(reason, field: "reason")
            return [.managerChanged(MaintenanceManagerChanged(customerID: customerID, oldManager: manager, newManager: newManager,
                                                              reason: reason, changedAt: context.now))]

        case .unpair(let reason):
            let (customerID, agent, manager) = try current(state)
            let reason = try Validate.multilineText(reason, field: "reason", max: 2000)
            return [.unpaired(MaintenanceUnpaired(customerID: customerID, agent: agent, manager: manager, reason: reason,
                                                  unpairedAt: context.now))]

        case .giveFeedback(let feedbackID, let direction, let giver, let rating, let comment, let about):
            if state.feedback.contains(where: { $0.id == feedbackID }) { return [] }
            let (customerID, agent, manager) = try current(state)
            let (expectedGiver, subject) = direction == .agentRatesManager ? (agent, manager) : (manager, agent)
            guard Employee.sameID(giver, expectedGiver) else {
                throw DomainError(.forbidden, field: "giver",
                                  direction == .agentRatesManager ? "only the current agent rates the manager" : "only the current manager rates the agent")
            }
            guard (1...5).contains(rating) else { throw .invalid("rating", "must be between 1 and 5") }
            let comment = try Validate.optionalMultilineText(comment, field: "comment")
            return [.feedbackGiven(MaintenanceFeedbackGiven(customerID: customerID, feedbackID: feedbackID, direction: direction,
                                                            giver: giver, subject: subject, rating: rating, comment: comment,
                                                            about: about, givenAt: context.now))]
        }
    }

    /// The customer, agent and manager of the current pair; refused while unpaired.
    private static func current(_ state: State) throws(DomainError) -> (UUID, String, String) {
        guard let customerID = state.customerID else { throw .notFound("the customer has no pairing") }
        guard let agent = state.agent, let manager = state.manager else { throw .transition("the customer is not paired") }
        return (customerID, agent, manager)
    }

    public static func evolve(_ state: State, _ event: Event) -> State {
        var s = state
        switch event {
        case .paired(let e):
            s.customerID = e.customerID
            s.agent = e.agent
            s.manager = e.manager
            s.pairs.append(Pair(agent: e.agent, manager: e.manager, from: e.pairedAt))
        case .agentChanged(let e):
            s.endCurrentPair(at: e.changedAt)
            s.agent = e.newAgent
            s.pairs.append(Pair(agent: e.newAgent, manager: s.manager ?? "", from: e.changedAt))
        case .managerChanged(let e):
            s.endCurrentPair(at: e.changedAt)
            s.manager = e.newManager
            s.pairs.append(Pair(agent: s.agent ?? "", manager: e.newManager, from: e.changedAt))
        case .unpaired(let e):
            s.endCurrentPair(at: e.unpairedAt)
            s.agent = nil
            s.manager = nil
        case .feedbackGiven(let e):
            s.feedback.append(MaintenanceFeedback(id: e.feedbackID, direction: e.direction, giver: e.giver, subject: e.subject,
                                                  rating: e.rating, comment: e.comment, about: e.about, givenAt: e.givenAt))
        }
        return s
    }
}

extension MaintenancePairing.State {
    fileprivate mutating func endCurrentPair(at instant: Date) {
        guard let last = pairs.indices.last, pairs[last].until == nil else { return }
        pairs[last].until = instant
    }
}
