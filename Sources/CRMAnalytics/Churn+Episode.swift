import CRMDomain
import EventSourcing
import Foundation

extension Churn {
    /// An open churn episode: the customer's risk went past the threshold on `startedOn`.
    public struct Episode: Hashable, Sendable, Codable {
        public var customerID: UUID
        public var startedOn: LocalDate
        /// The retention task dispatched for the episode: ``retentionTaskID(customerID:startedOn:)``.
        public var taskID: UUID
        /// The highest risk seen in the episode.
        public var peakRisk: Decimal

        public init(customerID: UUID, startedOn: LocalDate, taskID: UUID, peakRisk: Decimal) {
            self.customerID = customerID
            self.startedOn = startedOn
            self.taskID = taskID
            self.peakRisk = peakRisk
        }
    }

    /// Where a customer stands: calm, or in an episode. The reactor keeps one per customer.
    public enum EpisodeState: Hashable, Sendable, Codable {
        case calm
        case open(Episode)
    }

    /// Why an episode ended.
    public enum EndReason: String, Hashable, Sendable, Codable {
        /// Risk fell below threshold − margin.
        case riskFell
        /// The retention task was completed.
        case taskCompleted
    }

    /// What the reactor does after a step.
    public enum Decision: Hashable, Sendable {
        /// Nothing to do.
        case none
        /// A new episode: dispatch a retention task to the customer's owner with exactly this id (a
        /// replay derives the same id, so the store's idempotency drops a second dispatch).
        case dispatchRetentionTask(taskID: UUID)
        /// The episode ended; the next crossing of the threshold opens a new one.
        case episodeEnded(taskID: UUID, reason: EndReason)
    }

    /// The retention task of the episode a customer entered on `day`: `UUID.derived("retention", customer, day)`.
    public static func retentionTaskID(customerID: UUID, startedOn day: LocalDate) -> UUID {
        UUID.derived("retention", customerID.lowercasedString, day.description)
    }

    /// One evaluation of a customer: `(state, risk, taskCompleted) → (state, decision)`.
    ///
    /// - calm, risk ≥ threshold → open (started `day`), **dispatch** (the only way to dispatch);
    /// - open, task completed → calm, ended(taskCompleted);
    /// - open, risk < threshold − margin → calm, ended(riskFell);
    /// - otherwise the state stays (an open episode records its peak risk) and nothing is decided.
    ///
    /// `taskCompleted` is ignored while calm (a late completion of an ended episode's task opens nothing).
    public static func step(_ state: EpisodeState, customerID: UUID, risk: Decimal, taskCompleted: Bool, on day: LocalDate,
                            configuration c: Configuration = Configuration()) -> (EpisodeState, Decision) {
        switch state {
        case .calm:
            guard risk >= c.threshold else { return (.calm, .none) }
            let id = retentionTaskID(customerID: customerID, startedOn: day)
            return (.open(Episode(customerID: customerID, startedOn: day, taskID: id, peakRisk: risk)), .dispatchRetentionTask(taskID: id))
        case .open(var episode):
            if taskCompleted { return (.calm, .episodeEnded(taskID: episode.taskID, reason: .taskCompleted)) }
            if risk < c.threshold - c.margin { return (.calm, .episodeEnded(taskID: episode.taskID, reason: .riskFell)) }
            episode.peakRisk = max(episode.peakRisk, risk)
            return (.open(episode), .none)
        }
    }
}
