import EventSourcing
import Foundation

/// A task (work order) for one employee (R-TSK-1, R-TSK-2, R-TSK-3, R-TSK-5): dispatched manually, by the
/// routing rules, as a reminder or imported from an external system; dispatched → accepted → completed
/// with a result note, or cancelled while open. Named `WorkTask` so it never clashes with Swift's `Task`.
///
/// Overdue and "due today" are never stored: they are read from the due instant at query time with
/// ``State/isOverdue(at:)`` and ``State/isDueToday(at:calendar:)``.
///
/// ```swift
/// let events = try WorkTask.decide(.dispatch(taskID: id, details: details, assignee: "emp-7"),
///                                  state: WorkTask.initialState, context: context)
/// ```
///
/// Allowed transitions (anything else is `invalidTransition`):
///
/// | command | from | to |
/// |---|---|---|
/// | accept | dispatched | accepted (already accepted: no events) |
/// | complete | dispatched, accepted | completed |
/// | cancel | dispatched, accepted | cancelled |
/// | reassign | dispatched, accepted | dispatched (the new assignee accepts anew) |
/// | reschedule, edit | dispatched, accepted | unchanged |
public enum WorkTask: Aggregate {
    public static let category = "task"

    /// The current state of one task; `taskID == nil` until it is dispatched.
    public struct State: Sendable, Equatable {
        public var taskID: UUID?
        /// The task's content as it is now (due instant after rescheduling, title after editing).
        public var details: Details?
        public var assignee: String = ""
        public var status: Status = .dispatched
        public var route: Route = .manual
        public var externalReference: ExternalReference?
        public var resultNote: String?
        public var completedAt: Date?
        public var cancelReason: String?
        /// The dispatch as first recorded: a repeated dispatch is compared with it (idempotency).
        public var original: TaskDispatched?

        public init() {}

        /// Whether the task has been dispatched.
        public var exists: Bool { taskID != nil }

        /// Whether the task is still open and `now` is at or after its due instant. Completed and
        /// cancelled tasks are never overdue.
        public func isOverdue(at now: Date) -> Bool {
            guard let details, exists, status.isOpen else { return false }
            return now >= details.dueAt
        }

        /// Whether the task is still open and falls due on the local day of `now` in `calendar` (the
        /// branch's, from ``Settings/State/calendar(forBranch:)``): the account manager's home list.
        public func isDueToday(at now: Date, calendar: LocalCalendar) -> Bool {
            guard let details, exists, status.isOpen else { return false }
            return calendar.localDate(of: details.dueAt) == calendar.localDate(of: now)
        }
    }

    /// What can be asked of a task. Dispatches carry the new task id; the others act on the loaded task.
    public enum Command: Sendable {
        /// Dispatch to a named assignee. Repeating it with identical content records nothing.
        case dispatch(taskID: UUID, details: Details, assignee: String)
        /// Dispatch to whoever `rules.route(input)` names; no matching rule → `notConfigured`.
        case dispatchByRules(taskID: UUID, details: Details, input: RoutingInput, rules: [RoutingRule])
        /// A task from an external system, for the customer's owning account manager (R-TSK-5).
        /// Use ``WorkTask/importedTaskID(system:externalID:)`` so an import run twice records nothing.
        case importExternal(taskID: UUID, details: Details, reference: ExternalReference, owner: String)
        case accept
        /// Done, with a result note (required).
        case complete(resultNote: String)
        /// Called off, with a reason (required).
        case cancel(reason: String)
        case reassign(to: String, reason: String? = nil)
        case reschedule(dueAt: Date, reason: String? = nil)
        /// Change the title or note; records exactly the changed fields.
        case edit(title: String, note: String?)
    }

    public typealias Event = WorkTaskEvent

    public static var initialState: State { State() }

    /// The id of the task imported for an external reference: the same reference always gives the same
    /// task, so an import run twice dispatches nothing new.
    public static func importedTaskID(system: String, externalID: String) -> UUID {
        UUID.derived("task", "import", system, externalID)
    }

    public static func decide(_ command: Command, state: State, context: CommandContext) throws(DomainError) -> [Event] {
        switch command {
        case .dispatch(let taskID, let details, let assignee):
            let assignee = try Validate.text(assignee, field: "assignee", max: 100)
            return try dispatch(TaskDispatched(taskID: taskID, details: try validated(details, now: context.now), assignee: assignee, route: .manual), state: state)

        case .dispatchByRules(let taskID, let details, let input, let rules):
            let details = try validated(details, now: context.now)
            guard let routed = rules.route(input), let assignee = try? Validate.text(routed, field: "assignee", max: 100) else {
                throw DomainError(.notConfigured, field: "assignee", "no routing rule gives an assignee for this task")
            }
            return try dispatch(TaskDispatched(taskID: taskID, details: details, assignee: assignee, route: .rules), state: state)

        case .importExternal(let taskID, let details, let reference, let owner):
            let details = try validated(details, now: context.now)
            let system = try Validate.text(reference.system, field: "system", max: 100)
            let externalID = try Validate.text(reference.id, field: "externalID", max: 200)
            let owner = try Validate.text(owner, field: "owner", max: 100)
            return try dispatch(TaskDispatched(taskID: taskID, details: details, assignee: owner, route: .imported,
                                               externalReference: ExternalReference(system: system, id: externalID)), state: state)

        case .accept:
            let (id, _) = try open(state)
            guard state.status == .dispatched else { return [] }
            return [.accepted(TaskAccepted(taskID: id, assignee: state.assignee))]

        case .complete(let resultNote):
            let (id, _) = try open(state)
            let note = try Validate.multilineText(resultNote, field: "resultNote", max: 2000)
            var events: [Event] = [.completed(TaskCompleted(taskID: id, resultNote: note, completedAt: context.now))]
            if let reference = state.externalReference {
                events.append(.completionQueuedForWriteBack(TaskCompletionQueuedForWriteBack(
                    taskID: id, system: reference.system, externalID: reference.id, resultNote: note, completedAt: context.now)))
            }
            return events

        case .cancel(let reason):
            let (id, _) = try open(state)
            let reason = try Validate.multilineText(reason, field: "reason", max: 2000)
            return [.cancelled(TaskCancelled(taskID: id, reason: reason))]

        case .reassign(let to, let reason):
            let (id, _) = try open(state)
            let assignee = try Validate.text(to, field: "assignee", max: 100)
            let reason = try Validate.optionalMultilineText(reason, field: "reason")
            guard !Employee.sameID(assignee, state.assignee) else { return [] }
            return [.reassigned(TaskReassigned(taskID: id, previousAssignee: state.assignee, assignee: assignee, reason: reason))]

        case .reschedule(let dueAt, let reason):
            let (id, details) = try open(state)
            let reason = try Validate.optionalMultilineText(reason, field: "reason")
            try checkDueAt(dueAt, now: context.now)
            guard dueAt != details.dueAt else { return [] }
            return [.rescheduled(TaskRescheduled(taskID: id, previousDueAt: details.dueAt, dueAt: dueAt, reason: reason))]

        case .edit(let title, let note):
            let (id, details) = try open(state)
            let title = try Validate.text(title, field: "title", unlessUnchangedFrom: details.title)
            let note = try Validate.optionalMultilineText(note, field: "note")
            var changes: [FieldChange] = []
            changes.record("title", .text(details.title), .text(title))
            changes.record("note", details.note.map(FieldValue.text), note.map(FieldValue.text))
            guard !changes.isEmpty else { return [] }
            return [.edited(TaskEdited(taskID: id, changes: changes))]
        }
    }

    public static func evolve(_ state: State, _ event: Event) -> State {
        var s = state
        switch event {
        case .dispatched(let e):
            s.taskID = e.taskID
            s.details = e.details
            s.assignee = e.assignee
            s.route = e.route
            s.externalReference = e.externalReference
            s.status = .dispatched
            s.original = e
        case .accepted:
            s.status = .accepted
        case .completed(let e):
            s.status = .completed
            s.resultNote = e.resultNote
            s.completedAt = e.completedAt
        case .cancelled(let e):
            s.status = .cancelled
            s.cancelReason = e.reason
        case .reassigned(let e):
            s.assignee = e.assignee
            s.status = .dispatched
        case .rescheduled(let e):
            s.details?.dueAt = e.dueAt
        case .edited(let e):
            for change in e.changes {
                switch (change.field, change.new) {
                case ("title", .text(let title)?): s.details?.title = title
                case ("note", .text(let note)?): s.details?.note = note
                case ("note", nil): s.details?.note = nil
                default: break
                }
            }
        case .completionQueuedForWriteBack:
            break
        }
        return s
    }

    /// A new dispatch, or nothing when the same task was already dispatched with identical content.
    private static func dispatch(_ event: TaskDispatched, state: State) throws(DomainError) -> [Event] {
        guard let original = state.original else { return [.dispatched(event)] }
        // An assignee the log recorded in upper case (before ids were recorded in lower case) is the same one.
        var recorded = original, repeated = event
        recorded.assignee = Employee.canonicalID(original.assignee)
        repeated.assignee = Employee.canonicalID(event.assignee)
        guard recorded == repeated else {
            throw DomainError(.alreadyExists, field: "taskID", "a different task with this id was already dispatched")
        }
        return []
    }

    /// How far from the command's time a due instant may lie, either way: 100 years (of 365.25 days).
    /// Nothing real falls due further off; an instant such as `0001-01-01` or `9999-12-31` is a typo or a
    /// placeholder that would sit forever at the top of "overdue" or never come up.
    public static let dueAtReach: TimeInterval = 100 * 365.25 * 86_400

    /// Refuses a due instant that is not a real instant or lies more than ``dueAtReach`` from `now`.
    private static func checkDueAt(_ dueAt: Date, now: Date) throws(DomainError) {
        guard dueAt.timeIntervalSince1970.isFinite else { throw .invalid("dueAt", "must be a real instant") }
        guard abs(dueAt.timeIntervalSince(now)) <= dueAtReach else {
            throw .invalid("dueAt", "must lie within 100 years of now")
        }
    }

    /// The details with trimmed texts, or the first invalid field (a due instant as ``checkDueAt(_:now:)`` judges it).
    private static func validated(_ details: Details, now: Date) throws(DomainError) -> Details {
        var d = details
        d.title = try Validate.text(details.title, field: "title")
        d.note = try Validate.optionalMultilineText(details.note, field: "note")
        try checkDueAt(d.dueAt, now: now)
        if let branch = details.branch {
            d.branch = try Validate.optionalText(branch, field: "branch", max: 100)
        }
        return d
    }

    /// The id and details of an existing open task, or why there is none.
    private static func open(_ state: State) throws(DomainError) -> (UUID, Details) {
        guard let id = state.taskID, let details = state.details else { throw .notFound("no such task") }
        guard state.status.isOpen else { throw .transition("the task is \(state.status.rawValue)") }
        return (id, details)
    }
}
