import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import Foundation
import Hummingbird

extension Routes {
    func addTaskRoutes(to v1: RouterGroup<CRMRequestContext>) {
        v1.post("tasks") { request, context in try await dispatchTask(request, context) }
        v1.post("tasks/:id/accept") { request, context in
            let id = try pathID(context)
            try await body(request).finish()
            return try await execute(WorkTask.self, id: id, .accept, request: request, context: context)
        }
        v1.post("tasks/:id/complete") { request, context in
            let id = try pathID(context)
            let body = try await body(request)
            let note = try body.string("resultNote")
            try body.finish()
            return try await execute(WorkTask.self, id: id, .complete(resultNote: note), request: request, context: context)
        }
        v1.post("tasks/:id/cancel") { request, context in
            let id = try pathID(context)
            let body = try await body(request)
            let reason = try body.string("reason")
            try body.finish()
            return try await execute(WorkTask.self, id: id, .cancel(reason: reason), request: request, context: context)
        }
        v1.get("tasks/board") { request, context in try await taskBoard(request, context) }
        v1.get("tasks/overdue") { request, context in try await overdueTasks(request, context) }
    }

    func dispatchTask(_ request: Request, _ context: CRMRequestContext) async throws -> Response {
        let body = try await body(request)
        let id = try newID(body, request, context)
        let details = WorkTask.Details(
            title: try body.string("title", max: 500), note: try body.optionalString("note"), customerID: try body.optionalUUID("customerId"),
            kind: try body.optionalEnum("kind", WorkTask.Kind.self) ?? .followUp, dueAt: try body.date("dueAt"),
            branch: try body.optionalString("branch", max: 100))
        let assignee = try body.string("assignee", max: 100)
        try body.finish()
        return try await execute(WorkTask.self, id: id, .dispatch(taskID: id, details: details, assignee: assignee),
                                 request: request, context: context, created: "/v1/tasks")
    }

    /// An assignee's board (the caller's own by default): overdue, due today, upcoming.
    func taskBoard(_ request: Request, _ context: CRMRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let query = QueryParameters(request: request)
        let assignee = query.string("assignee") ?? principal.id
        guard !assignee.isEmpty, assignee.count <= 100 else { throw Problem.invalid("assignee", "1 to 100 characters") }
        let limit = try query.limit(default: 100, max: configuration.maxPageSize)
        let board = try await engine.taskBoard(for: assignee, as: principal, upcomingLimit: limit,
                                               consistentWith: try query.position("consistentWith"))
        return try JSONOutput.response(BoardAnswer(board))
    }

    func overdueTasks(_ request: Request, _ context: CRMRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let query = QueryParameters(request: request)
        let limit = try query.limit(default: 100, max: configuration.maxPageSize)
        let page = try await engine.overdueTasks(as: principal, after: try JSONOutput.cursorBytes(query.string("after")), limit: limit,
                                                 consistentWith: try query.position("consistentWith"))
        let after = page.next.map(JSONOutput.cursor)
        return try JSONOutput.response(PageAnswer(items: page.items.map(OverdueTaskAnswer.init), after: after,
                                                  next: after.map { "/v1/tasks/overdue?limit=\(limit)&after=\($0)" }))
    }
}

struct OverdueTaskAnswer: Encodable {
    var task: TaskBoard.Task
    var lateBySeconds: Double
    var daysLate: Int
    init(_ item: TaskBoard.OverdueTask) {
        task = item.task
        lateBySeconds = item.lateBy
        daysLate = item.daysLate
    }
}

struct BoardAnswer: Encodable {
    var overdue: [OverdueTaskAnswer]
    var dueToday: [TaskBoard.Task]
    var upcoming: [TaskBoard.Task]
    init(_ board: TaskBoard.Board) {
        overdue = board.overdue.map(OverdueTaskAnswer.init)
        dueToday = board.dueToday
        upcoming = board.upcoming
    }
}
