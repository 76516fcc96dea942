import Foundation

extension WorkTask {
    /// What a task is about.
    public enum Kind: String, CaseIterable, Hashable, Sendable, Codable {
        case followUp, reminder, supportRequest, visit, other
    }

    /// Where a task is in its life: dispatched → accepted → completed, or cancelled while open.
    public enum Status: String, CaseIterable, Hashable, Sendable, Codable {
        case dispatched, accepted, completed, cancelled

        /// Dispatched or accepted: work still to do.
        public var isOpen: Bool { self == .dispatched || self == .accepted }
    }

    /// How a task found its assignee.
    public enum Route: String, CaseIterable, Hashable, Sendable, Codable {
        /// Named by the dispatcher (also reminder tasks, which go to the owner).
        case manual
        /// Chosen by the routing rules in the settings (R-TSK-1).
        case rules
        /// Imported from an external system and given to the owning account manager (R-TSK-5).
        case imported
    }

    /// A task's identity in the external system it was imported from (R-TSK-5).
    public struct ExternalReference: Hashable, Sendable, Codable {
        /// The external system's name, e.g. `billing`.
        public var system: String
        /// The task's id in that system.
        public var id: String

        public init(system: String, id: String) {
            self.system = system
            self.id = id
        }
    }

    /// The content of a task as dispatched: what, about whom, when, where.
    public struct Details: Hashable, Sendable, Codable {
        public var title: String
        public var note: String?
        /// The customer the task concerns, if any (reminders link to the customer record, R-TSK-4).
        public var customerID: UUID?
        public var kind: Kind
        /// When the task is due (UTC).
        public var dueAt: Date
        /// The branch whose calendar decides "today" and "overdue" for the task.
        public var branch: String?
        /// For reminder tasks, what they remind of.
        public var reminderKind: ReminderKind?

        public init(title: String, note: String? = nil, customerID: UUID? = nil, kind: Kind, dueAt: Date,
                    branch: String? = nil, reminderKind: ReminderKind? = nil) {
            self.title = title
            self.note = note
            self.customerID = customerID
            self.kind = kind
            self.dueAt = dueAt
            self.branch = branch
            self.reminderKind = reminderKind
        }
    }
}
