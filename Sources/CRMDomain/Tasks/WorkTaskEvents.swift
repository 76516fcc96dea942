import EventSourcing
import Foundation

/// A task was dispatched to an assignee: manually, by the routing rules, as a reminder, or imported.
public struct TaskDispatched: EventPayload, Equatable {
    public static let eventType = "TaskDispatched"
    public static let schemaVersion: UInt32 = 1
    public var taskID: UUID
    public var details: WorkTask.Details
    public var assignee: String
    public var route: WorkTask.Route
    /// Set for tasks imported from an external system (R-TSK-5).
    public var externalReference: WorkTask.ExternalReference?

    public init(taskID: UUID, details: WorkTask.Details, assignee: String, route: WorkTask.Route, externalReference: WorkTask.ExternalReference? = nil) {
        self.taskID = taskID
        self.details = details
        self.assignee = assignee
        self.route = route
        self.externalReference = externalReference
    }
}

/// The assignee accepted the task.
public struct TaskAccepted: EventPayload, Equatable {
    public static let eventType = "TaskAccepted"
    public static let schemaVersion: UInt32 = 1
    public var taskID: UUID
    public var assignee: String

    public init(taskID: UUID, assignee: String) {
        self.taskID = taskID
        self.assignee = assignee
    }
}

/// The task was done; it moves to the assignee's history (R-TSK-2).
public struct TaskCompleted: EventPayload, Equatable {
    public static let eventType = "TaskCompleted"
    public static let schemaVersion: UInt32 = 1
    public var taskID: UUID
    public var resultNote: String
    /// The instant of completion (UTC), from the command context.
    public var completedAt: Date

    public init(taskID: UUID, resultNote: String, completedAt: Date) {
        self.taskID = taskID
        self.resultNote = resultNote
        self.completedAt = completedAt
    }
}

/// The task was called off before it was done.
public struct TaskCancelled: EventPayload, Equatable {
    public static let eventType = "TaskCancelled"
    public static let schemaVersion: UInt32 = 1
    public var taskID: UUID
    public var reason: String

    public init(taskID: UUID, reason: String) {
        self.taskID = taskID
        self.reason = reason
    }
}

/// The task moved from one assignee to another (traced old → new); it waits for the new one's acceptance.
public struct TaskReassigned: EventPayload, Equatable {
    public static let eventType = "TaskReassigned"
    public static let schemaVersion: UInt32 = 1
    public var taskID: UUID
    public var previousAssignee: String
    public var assignee: String
    public var reason: String?

    public init(taskID: UUID, previousAssignee: String, assignee: String, reason: String? = nil) {
        self.taskID = taskID
        self.previousAssignee = previousAssignee
        self.assignee = assignee
        self.reason = reason
    }
}

/// The task's due instant changed (traced old → new).
public struct TaskRescheduled: EventPayload, Equatable {
    public static let eventType = "TaskRescheduled"
    public static let schemaVersion: UInt32 = 1
    public var taskID: UUID
    public var previousDueAt: Date
    public var dueAt: Date
    public var reason: String?

    public init(taskID: UUID, previousDueAt: Date, dueAt: Date, reason: String? = nil) {
        self.taskID = taskID
        self.previousDueAt = previousDueAt
        self.dueAt = dueAt
        self.reason = reason
    }
}

/// The title or note of an open task changed: exactly the changed fields, old → new (R-LOG-5).
public struct TaskEdited: EventPayload, Equatable {
    public static let eventType = "TaskEdited"
    public static let schemaVersion: UInt32 = 1
    public var taskID: UUID
    public var changes: [FieldChange]

    public init(taskID: UUID, changes: [FieldChange]) {
        self.taskID = taskID
        self.changes = changes
    }
}

/// Outbox: an imported task was completed; the adapter of `system` writes the result back (R-TSK-5).
public struct TaskCompletionQueuedForWriteBack: EventPayload, Equatable {
    public static let eventType = "TaskCompletionQueuedForWriteBack"
    public static let schemaVersion: UInt32 = 1
    public var taskID: UUID
    public var system: String
    public var externalID: String
    public var resultNote: String
    public var completedAt: Date

    public init(taskID: UUID, system: String, externalID: String, resultNote: String, completedAt: Date) {
        self.taskID = taskID
        self.system = system
        self.externalID = externalID
        self.resultNote = resultNote
        self.completedAt = completedAt
    }
}

/// The events of the task aggregate.
public enum WorkTaskEvent: DomainEvent {
    case dispatched(TaskDispatched)
    case accepted(TaskAccepted)
    case completed(TaskCompleted)
    case cancelled(TaskCancelled)
    case reassigned(TaskReassigned)
    case rescheduled(TaskRescheduled)
    case edited(TaskEdited)
    case completionQueuedForWriteBack(TaskCompletionQueuedForWriteBack)

    public static let payloadTypes: [any EventPayload.Type] = [
        TaskDispatched.self, TaskAccepted.self, TaskCompleted.self, TaskCancelled.self, TaskReassigned.self,
        TaskRescheduled.self, TaskEdited.self, TaskCompletionQueuedForWriteBack.self,
    ]

    public var payload: any EventPayload {
        switch self {
        case .dispatched(let p): return p
        case .accepted(let p): return p
        case .completed(let p): return p
        case .cancelled(let p): return p
        case .reassigned(let p): return p
        case .rescheduled(let p): return p
        case .edited(let p): return p
        case .completionQueuedForWriteBack(let p): return p
        }
    }

    public init?(payload: any EventPayload) {
        switch payload {
        case let p as TaskDispatched: self = .dispatched(p)
        case let p as TaskAccepted: self = .accepted(p)
        case let p as TaskCompleted: self = .completed(p)
        case let p as TaskCancelled: self = .cancelled(p)
        case let p as TaskReassigned: self = .reassigned(p)
        case let p as TaskRescheduled: self = .rescheduled(p)
        case let p as TaskEdited: self = .edited(p)
        case let p as TaskCompletionQueuedForWriteBack: self = .completionQueuedForWriteBack(p)
        default: return nil
        }
    }
}
