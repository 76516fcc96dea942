import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import Foundation
import Hummingbird

extension Routes {
    func addTicketRoutes(to v1: RouterGroup<CRMRequestContext>) {
        v1.post("tickets") { request, context in try await openTicket(request, context) }
        v1.get("tickets") { request, context in try await openTickets(request, context) }
        v1.get("tickets/overdue") { request, context in try await overdueTickets(request, context) }
        v1.post("tickets/:id/assign") { request, context in
            let id = try pathID(context)
            let body = try await body(request)
            let assignee = try body.string("assignee", max: 100)
            try body.finish()
            return try await execute(Ticket.self, id: id, .assign(assignee: assignee), request: request, context: context)
        }
        v1.post("tickets/:id/start") { request, context in
            let id = try pathID(context)
            try await body(request).finish()
            return try await execute(Ticket.self, id: id, .startWork, request: request, context: context)
        }
        v1.post("tickets/:id/resolve") { request, context in
            let id = try pathID(context)
            let body = try await body(request)
            let resolution = try body.string("resolution")
            try body.finish()
            return try await execute(Ticket.self, id: id, .resolve(resolution: resolution), request: request, context: context)
        }
    }

    func openTicket(_ request: Request, _ context: CRMRequestContext) async throws -> Response {
        let body = try await body(request)
        let id = try newID(body, request, context)
        let command = Ticket.Command.open(
            id: id, channel: try body.enumValue("channel", ContactChannel.self), kind: try body.enumValue("kind", TicketKind.self),
            severity: try body.enumValue("severity", TicketSeverity.self), customerID: try body.uuid("customerId"),
            subject: try body.string("subject", max: 500), description: try body.optionalString("description"),
            department: try body.string("department", max: 100), sla: nil)
        try body.finish()
        return try await execute(Ticket.self, id: id, command, request: request, context: context, created: "/v1/tickets")
    }

    /// A department's open tickets, earliest resolution deadline first.
    func openTickets(_ request: Request, _ context: CRMRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let query = QueryParameters(request: request)
        guard let department = query.string("department"), !department.isEmpty, department.count <= 100 else {
            throw Problem.invalid("department", "required: the department whose open tickets to list")
        }
        let limit = try query.limit(default: 100, max: configuration.maxPageSize)
        let page = try await engine.openTickets(department: department, as: principal, after: try JSONOutput.cursorBytes(query.string("after")),
                                                limit: limit, consistentWith: try query.position("consistentWith"))
        let after = page.next.map(JSONOutput.cursor)
        let encoded = department.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(CharacterSet(charactersIn: "&=+"))) ?? ""
        return try JSONOutput.response(PageAnswer(items: page.items, after: after,
                                                  next: after.map { "/v1/tickets?department=\(encoded)&limit=\(limit)&after=\($0)" }))
    }

    func overdueTickets(_ request: Request, _ context: CRMRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let query = QueryParameters(request: request)
        let limit = try query.limit(default: 100, max: configuration.maxPageSize)
        let page = try await engine.overdueTickets(as: principal, after: try JSONOutput.cursorBytes(query.string("after")), limit: limit,
                                                   consistentWith: try query.position("consistentWith"))
        let after = page.next.map(JSONOutput.cursor)
        return try JSONOutput.response(PageAnswer(items: page.items.map(OverdueTicketAnswer.init), after: after,
                                                  next: after.map { "/v1/tickets/overdue?limit=\(limit)&after=\($0)" }))
    }
}

struct OverdueTicketAnswer: Encodable {
    var ticket: TicketSLABoard.TicketRow
    var lateBySeconds: Double
    var lateDepartment: String
    var responseOverdue: Bool
    init(_ item: TicketSLABoard.OverdueTicket) {
        ticket = item.ticket
        lateBySeconds = item.lateBy
        lateDepartment = item.lateDepartment
        responseOverdue = item.responseOverdue
    }
}
