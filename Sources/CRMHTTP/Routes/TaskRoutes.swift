import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import Foundation
import Hummingbird

extension Routes {
    func addTaskRoutes(to v1: RouterGroup<CRMRequestContext>) {
        // Without an assignee, the settings' routing rules choose one (R-TSK-1): the engine fills in the rules
        // and what they match on (the customer's branch, community, group and owner); `productLine` is matched too.
        create(v1, "tasks", WorkTask.self) { id, body in
            let details = try taskDetails(body)
            let productLine = try body.optionalString("productLine", max: 100)
            guard let assignee = try body.optionalString("assignee", max: 100) else {
                return .dispatchByRules(taskID: id, details: details, input: RoutingInput(productLine: productLine), rules: [])
            }
            return .dispatch(taskID: id, details: details, assignee: assignee)
        }
        // A task from an external system (R-TSK-5): its id derives from the system and the external id, so
        // importing the same one again records nothing (and different content under it is a 409).
        create(v1, "tasks/import", WorkTask.self, location: "/v1/tasks", id: { body in
            WorkTask.importedTaskID(system: try body.string("system", max: 100), externalID: try body.string("externalId", max: 200))
        }) { id, body in
            .importExternal(taskID: id, details: try taskDetails(body),
                            reference: WorkTask.ExternalReference(system: try body.string("system", max: 100), id: try body.string("externalId", max: 200)),
                            owner: try body.string("owner", max: 100))
        }
        record(v1, "tasks/:id", WorkTask.self)
        command(v1, "tasks/:id/accept", WorkTask.self) { _, _ in .accept }
        command(v1, "tasks/:id/complete", WorkTask.self) { _, body in .complete(resultNote: try body.string("resultNote")) }
        command(v1, "tasks/:id/cancel", WorkTask.self) { _, body in .cancel(reason: try body.string("reason")) }
        // Reassigning, rescheduling and editing an open task (the domain's `reassign`, `reschedule`, `edit`): the
        // engine judges the new assignee as a dispatch's; an edit gives the title and note as they should stand.
        command(v1, "tasks/:id/reassign", WorkTask.self) { _, body in
            .reassign(to: try body.string("assignee", max: 100), reason: try body.optionalString("reason", max: 2000))
        }
        command(v1, "tasks/:id/reschedule", WorkTask.self) { _, body in
            .reschedule(dueAt: try body.date("dueAt"), reason: try body.optionalString("reason", max: 2000))
        }
        command(v1, "tasks/:id/edit", WorkTask.self) { _, body in
            .edit(title: try body.string("title", max: 500), note: try body.optionalString("note"))
        }
        v1.get("tasks/board") { request, context in try await taskBoard(request, context) }
        v1.get("tasks/overdue") { request, context in try await overdueTasks(request, context) }
    }

    /// A task's content as a dispatch or an import gives it.
    private func taskDetails(_ body: JSONObjectReader) throws -> WorkTask.Details {
        WorkTask.Details(title: try body.string("title", max: 500), note: try body.optionalString("note"), customerID: try body.optionalUUID("customerId"),
                         kind: try body.optionalEnum("kind", WorkTask.Kind.self) ?? .followUp, dueAt: try body.date("dueAt"),
                         branch: try body.optionalString("branch", max: 100))
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
        let list = PagedList("/v1/tasks/overdue", limit: limit)
        let page = try await engine.overdueTasks(as: principal, after: try list.after(query), limit: limit,
                                                 consistentWith: try query.position("consistentWith"))
        return try JSONOutput.response(list.answer(page.items.map(OverdueTaskAnswer.init), next: page.next))
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
