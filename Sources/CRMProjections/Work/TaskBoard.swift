import CRMDomain
import EventSourcing
import Foundation

/// The task board per assignee (R-TSK-2, R-TSK-3): every open task keyed by assignee and due instant,
/// with its title, customer, kind and record scope. "Due today", "upcoming" and "overdue" are computed by
/// the queries from the `now` and the calendar the caller passes; completed and cancelled tasks leave the
/// board and are counted per assignee and month as on time or late (completion instant vs due instant).
///
/// ```swift
/// let board = try TaskBoard.board(for: "emp-7", now: clock.now, calendar: shanghai, in: views)
/// for late in board.overdue { print(late.task.title, late.lateBy) }
/// ```
public struct TaskBoard: Projection {
    public let name = "task-board"
    public let version: UInt32 = 1

    /// `taskID → Task`: every open task.
    public static let tasks = ViewTable("tasks")
    /// `assignee + dueAt + taskID → Task`: the board of one assignee, by due instant.
    public static let board = ViewTable("board")
    /// `dueAt + taskID → Task`: every open task by due instant, for the supervisors' overdue list.
    public static let byDue = ViewTable("by-due")
    /// `assignee + YYYY-MM → Completions`: completed tasks on time and late per month.
    public static let completions = ViewTable("completions")
    /// `branch → IANA zone id`: the branch calendars that decide a completion's month.
    public static let branchZones = ViewTable("branch-zone")

    public var tables: [ViewTable] {
        [Self.tasks, Self.board, Self.byDue, Self.completions, Self.branchZones, CustomerScopes.table,
         WorkProjections.CustomerNames.table, WorkProjections.CustomerLinks.table]
    }

    public var eventTypes: Set<String>? {
        CustomerScopes.eventTypes.union([
            TaskDispatched.eventType, TaskAccepted.eventType, TaskCompleted.eventType, TaskCancelled.eventType,
            TaskReassigned.eventType, TaskRescheduled.eventType, TaskEdited.eventType, BranchTimeZoneSet.eventType,
        ])
    }

    public init() {}

    /// One open task on the board.
    public struct Task: Codable, Hashable, Sendable {
        public var taskID: UUID
        public var title: String
        public var kind: WorkTask.Kind
        public var customerID: UUID?
        /// The customer's name as of the last event that set it.
        public var customerName: String?
        public var assignee: String
        /// When the task is due (UTC).
        public var dueAt: Date
        /// The branch whose calendar decides the task's day.
        public var branch: String?
        /// `dispatched` (waiting for acceptance) or `accepted`.
        public var status: WorkTask.Status
        public var route: WorkTask.Route
        /// The customer's scope with the assignee among its owners (a task without a customer: its branch).
        public var scope: RecordScope
    }

    /// An open task past its due instant at the query's `now`.
    public struct OverdueTask: Hashable, Sendable {
        public var task: Task
        /// Seconds from the due instant to `now`.
        public var lateBy: TimeInterval
        /// Local days from the due day to today in the query's calendar (0: due earlier today).
        public var daysLate: Int
    }

    /// An assignee's board at one instant.
    public struct Board: Hashable, Sendable {
        /// Past due at `now` (due at or before it), most overdue first.
        public var overdue: [OverdueTask]
        /// Due later today, in the caller's calendar, by due instant.
        public var dueToday: [Task]
        /// Due after today, by due instant (at most the query's `upcomingLimit`).
        public var upcoming: [Task]
    }

    /// Completed tasks of one assignee in one month (the completion's month in the task's branch zone).
    public struct Completions: Codable, Hashable, Sendable {
        public var assignee: String
        /// `YYYY-MM`.
        public var month: String
        /// Completed at or before the due instant.
        public var onTime: Int
        /// Completed after the due instant.
        public var late: Int
        /// The assignee as owner; no customer data.
        public var scope: RecordScope
    }

    public func apply(_ event: ProjectionEvent, to views: any ViewWriter) throws {
        try CustomerScopes.apply(event, to: views)
        try WorkProjections.CustomerNames.apply(event, to: views)
        if let customerID = WorkProjections.customerChanged(by: event) {
            try WorkProjections.refreshLinked(customerID, in: views) { id, name in
                try change(id, rescope: true, in: views) { $0.customerName = name }
            }
            return
        }
        try apply(event.payload, event, to: views)
    }

    /// The `switch` over the payload opened to its type (why: ``Projection``).
    private func apply<Payload: EventPayload>(_ payload: Payload, _ event: ProjectionEvent, to views: any ViewWriter) throws {
        switch payload {
        case let e as TaskDispatched:
            guard try views.value(forKey: Self.taskKey(e.taskID), in: Self.tasks) == nil else { return }
            let d = e.details
            var task = Task(
                taskID: e.taskID, title: d.title, kind: d.kind, customerID: d.customerID,
                customerName: try WorkProjections.CustomerNames.name(of: d.customerID, in: views), assignee: e.assignee,
                dueAt: d.dueAt, branch: d.branch, status: .dispatched, route: e.route, scope: .global)
            task.scope = try Self.scope(of: task, in: views)
            try replace(nil, with: task, in: views)
        case let e as TaskAccepted:
            try change(e.taskID, in: views) { $0.status = .accepted }
        case let e as TaskReassigned:
            try change(e.taskID, in: views) {
                $0.assignee = e.assignee
                $0.status = .dispatched
            }
        case let e as TaskRescheduled:
            try change(e.taskID, in: views) { $0.dueAt = e.dueAt }
        case let e as TaskEdited:
            try change(e.taskID, in: views) { task in
                for change in e.changes where change.field == "title" {
                    if case .text(let title)? = change.new { task.title = title }
                }
            }
        case let e as TaskCompleted:
            guard let task = try views.row(Task.self, forKey: Self.taskKey(e.taskID), in: Self.tasks) else { return }
            try replace(task, with: nil, in: views)
            let month = WorkProjections.monthText(try calendar(of: task.branch, in: views).localDate(of: e.completedAt))
            let onTime = e.completedAt <= task.dueAt
            try views.update(Completions.self, forKey: ViewKey().string(task.assignee).string(month).bytes, in: Self.completions) { old in
                var c = old ?? Completions(assignee: task.assignee, month: month, onTime: 0, late: 0, scope: RecordScope(owners: [task.assignee]))
                if onTime { c.onTime += 1 } else { c.late += 1 }
                return c
            }
        case let e as TaskCancelled:
            guard let task = try views.row(Task.self, forKey: Self.taskKey(e.taskID), in: Self.tasks) else { return }
            try replace(task, with: nil, in: views)
        case let e as BranchTimeZoneSet:
            try views.put(Array(e.timeZoneID.utf8), forKey: ViewKey().string(e.branch).bytes, in: Self.branchZones)
        default:
            return
        }
    }

    // MARK: - Writing

    private static func taskKey(_ id: UUID) -> [UInt8] { ViewKey().uuid(id).bytes }
    private static func boardKey(_ t: Task) -> [UInt8] { ViewKey().string(t.assignee).date(t.dueAt).uuid(t.taskID).bytes }
    private static func dueKey(_ t: Task) -> [UInt8] { ViewKey().date(t.dueAt).uuid(t.taskID).bytes }

    private static func scope(of task: Task, in views: any ViewReader) throws -> RecordScope {
        guard task.customerID != nil else { return RecordScope(branch: task.branch, owners: [task.assignee]) }
        return try CustomerScopes.scope(of: task.customerID, in: views).owned(by: task.assignee)
    }

    /// Removes `old`'s rows and writes `new`'s: every change of a task goes through here.
    private func replace(_ old: Task?, with new: Task?, in views: any ViewWriter) throws {
        if let old {
            try views.delete(key: Self.boardKey(old), in: Self.board)
            try views.delete(key: Self.dueKey(old), in: Self.byDue)
            if new == nil {
                try views.delete(key: Self.taskKey(old.taskID), in: Self.tasks)
                try WorkProjections.CustomerLinks.unlink(old.customerID, old.taskID, in: views)
            }
        }
        if let new {
            let row = new.binaryForm
            try views.put(row, forKey: Self.taskKey(new.taskID), in: Self.tasks)
            try views.put(row, forKey: Self.boardKey(new), in: Self.board)
            try views.put(row, forKey: Self.dueKey(new), in: Self.byDue)
            // A task keeps the customer it was dispatched for: linked once, as the other boards do.
            if old == nil { try WorkProjections.CustomerLinks.link(new.customerID, new.taskID, in: views) }
        }
    }

    /// Changes a stored task. Its scope is read again when its assignee or branch changes or `rescope` says
    /// its customer moved (``WorkProjections/refreshLinked(_:in:_:)``, on every customer event that changes a
    /// scope); otherwise the stored scope is still the customer's.
    private func change(_ id: UUID, rescope: Bool = false, in views: any ViewWriter, _ body: (inout Task) -> Void) throws {
        guard let old = try views.row(Task.self, forKey: Self.taskKey(id), in: Self.tasks) else { return }
        var new = old
        body(&new)
        if rescope || new.assignee != old.assignee || new.branch != old.branch { new.scope = try Self.scope(of: new, in: views) }
        guard new != old else { return }
        try replace(old, with: new, in: views)
    }

    private func calendar(of branch: String?, in views: any ViewReader) throws -> LocalCalendar {
        try AnalyticsProjections.calendar(of: branch, table: Self.branchZones, in: views)
    }
}
