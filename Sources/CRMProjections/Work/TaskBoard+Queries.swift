import CRMDomain
import EventSourcing
import Foundation

extension TaskBoard {
    /// An assignee's board at `now`: overdue tasks (due at or before `now`, as the domain's
    /// `WorkTask.State.isOverdue(at:)`), tasks due later today in `calendar` (the branch's), and up to
    /// `upcomingLimit` tasks due after today. A task due earlier today is overdue, not "due today".
    ///
    /// ```swift
    /// let board = try TaskBoard.board(for: "emp-7", now: now, calendar: .utc, in: views)
    /// ```
    public static func board(
        for assignee: String, now: Date, calendar: LocalCalendar, upcomingLimit: Int = 100, in views: any ViewReader
    ) throws -> Board {
        let today = calendar.localDate(of: now)
        var board = Board(overdue: [], dueToday: [], upcoming: [])
        try views.scan(Self.board, prefix: ViewKey().string(assignee).bytes, after: nil) { _, value in
            let task = try BinaryPayloadDecoder.decode(Task.self, from: value)
            if now >= task.dueAt {
                board.overdue.append(overdue(task, now: now, calendar: calendar))
            } else if calendar.localDate(of: task.dueAt) == today {
                board.dueToday.append(task)
            } else {
                board.upcoming.append(task)
                return board.upcoming.count < upcomingLimit
            }
            return true
        }
        return board
    }

    /// Every open task past due at `now`, across assignees (for supervisors), most overdue first, filtered
    /// by `include` (e.g. the viewer's data scope) and paginated: pass the page's `next` as `after`.
    public static func overdue(
        now: Date, calendar: LocalCalendar = .utc, in views: any ViewReader, after: [UInt8]? = nil, limit: Int = 100,
        where include: (Task) -> Bool = { _ in true }
    ) throws -> WorkProjections.Page<OverdueTask> {
        try WorkProjections.page(
            Self.byDue, in: views, after: after, limit: limit, stop: { (task: Task) in task.dueAt > now },
            map: { include($0) ? overdue($0, now: now, calendar: calendar) : nil })
    }

    /// One open task, or nil when it is unknown, completed or cancelled.
    public static func task(_ id: UUID, in views: any ViewReader) throws -> Task? {
        try views.row(Task.self, forKey: ViewKey().uuid(id).bytes, in: Self.tasks)
    }

    /// An assignee's completion counts, month by month (oldest first).
    public static func completions(for assignee: String, in views: any ViewReader) throws -> [Completions] {
        try views.rows(Completions.self, in: Self.completions, prefix: ViewKey().string(assignee).bytes).map(\.row)
    }

    /// An assignee's completion counts in one month (`YYYY-MM`), or nil when nothing was completed then.
    public static func completions(for assignee: String, month: String, in views: any ViewReader) throws -> Completions? {
        try views.row(Completions.self, forKey: ViewKey().string(assignee).string(month).bytes, in: Self.completions)
    }

    private static func overdue(_ task: Task, now: Date, calendar: LocalCalendar) -> OverdueTask {
        OverdueTask(task: task, lateBy: now.timeIntervalSince(task.dueAt),
                    daysLate: calendar.localDate(of: task.dueAt).days(until: calendar.localDate(of: now)))
    }
}
