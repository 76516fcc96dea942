import CRMDomain
import EventSourcing
import Foundation

extension UsageAnomaly {
    /// Where one meter of a customer stands: calm, or in an anomaly episode opened by a flagged reading.
    public struct EpisodeState: Hashable, Sendable, Codable {
        /// The open episode's task; nil while calm.
        public var taskID: UUID?
        /// The last reading evaluated (a reading is judged once: evaluating it again decides nothing).
        public var lastReading: UUID?

        public init(taskID: UUID? = nil, lastReading: UUID? = nil) {
            self.taskID = taskID
            self.lastReading = lastReading
        }
    }

    /// What the engine does after a step.
    public enum Decision: Hashable, Sendable {
        case none
        /// A new episode: dispatch one task to the customer's owner with exactly this id.
        case dispatchTask(taskID: UUID)
        /// The episode ended: the task was completed, or a later reading was normal again.
        case episodeEnded(taskID: UUID, reason: EndReason)
    }

    public enum EndReason: String, Hashable, Sendable, Codable {
        case taskCompleted, usageRecovered
    }

    /// The task of the episode a reading opened: `UUID.derived("usage-anomaly", customer, meter, reading)`.
    public static func taskID(customerID: UUID, meter: String, readingID: UUID) -> UUID {
        UUID.derived("usage-anomaly", customerID.lowercasedString, meter, readingID.lowercasedString)
    }

    /// One evaluation of a customer's meter at its latest reading:
    ///
    /// - open and the task completed → calm, ended(taskCompleted), the latest reading counting as judged
    ///   (the meter was just checked: only a later reading can open a new episode);
    /// - the reading already evaluated → nothing;
    /// - calm and the reading flagged → open, **dispatch** (the only way to dispatch: one task per episode);
    /// - open and the reading not flagged → calm, ended(usageRecovered);
    /// - otherwise nothing (a further low reading stays in the open episode).
    public static func step(_ state: EpisodeState, customerID: UUID, meter: String, readingID: UUID, flagged: Bool,
                            taskCompleted: Bool) -> (EpisodeState, Decision) {
        if let task = state.taskID, taskCompleted {
            return (EpisodeState(lastReading: readingID), .episodeEnded(taskID: task, reason: .taskCompleted))
        }
        guard state.lastReading != readingID else { return (state, .none) }
        switch (state.taskID, flagged) {
        case (nil, true):
            let id = taskID(customerID: customerID, meter: meter, readingID: readingID)
            return (EpisodeState(taskID: id, lastReading: readingID), .dispatchTask(taskID: id))
        case (let task?, false):
            return (EpisodeState(lastReading: readingID), .episodeEnded(taskID: task, reason: .usageRecovered))
        default:
            return (state, .none)
        }
    }
}
