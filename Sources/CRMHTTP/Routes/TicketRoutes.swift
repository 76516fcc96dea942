import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import Foundation
import Hummingbird

extension Routes {
    func addTicketRoutes(to v1: RouterGroup<CRMRequestContext>) {
        create(v1, "tickets", Ticket.self) { id, body in
            .open(id: id, channel: try body.enumValue("channel", ContactChannel.self), kind: try body.enumValue("kind", TicketKind.self),
                  severity: try body.enumValue("severity", TicketSeverity.self), customerID: try body.uuid("customerId"),
                  subject: try body.string("subject", max: 500), description: try body.optionalString("description"),
                  department: try body.string("department", max: 100), sla: nil)
        }
        v1.get("tickets") { request, context in try await openTickets(request, context) }
        v1.get("tickets/overdue") { request, context in try await overdueTickets(request, context) }
        record(v1, "tickets/:id", Ticket.self)
        command(v1, "tickets/:id/assign", Ticket.self) { _, body in .assign(assignee: try body.string("assignee", max: 100)) }
        command(v1, "tickets/:id/start", Ticket.self) { _, _ in .startWork }
        command(v1, "tickets/:id/resolve", Ticket.self) { _, body in .resolve(resolution: try body.string("resolution")) }
        command(v1, "tickets/:id/close", Ticket.self) { _, body in
            .close(satisfaction: try body.int("satisfaction", in: 1...5), comment: try body.optionalString("comment"))
        }
        command(v1, "tickets/:id/reopen", Ticket.self) { _, body in .reopen(reason: try body.string("reason", max: 2000)) }
        command(v1, "tickets/:id/handover", Ticket.self) { _, body in
            .handOver(toDepartment: try body.string("department", max: 100), reason: try body.optionalString("reason", max: 2000))
        }
        // The new severity's SLA deadline is the settings' (the engine fills it in).
        command(v1, "tickets/:id/severity", Ticket.self) { _, body in
            .changeSeverity(to: try body.enumValue("severity", TicketSeverity.self), sla: nil, reason: try body.optionalString("reason", max: 2000))
        }
    }

    /// A department's open tickets, earliest resolution deadline first.
    func openTickets(_ request: Request, _ context: CRMRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let query = QueryParameters(request: request)
        guard let department = query.string("department"), !department.isEmpty, department.count <= 100 else {
            throw Problem.invalid("department", "required: the department whose open tickets to list")
        }
        let limit = try query.limit(default: 100, max: configuration.maxPageSize)
        let list = PagedList("/v1/tickets", filters: [("department", department)], limit: limit)
        let page = try await engine.openTickets(department: department, as: principal, after: try list.after(query),
                                                limit: limit, consistentWith: try query.position("consistentWith"))
        return try JSONOutput.response(list.answer(page.items, next: page.next))
    }

    func overdueTickets(_ request: Request, _ context: CRMRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let query = QueryParameters(request: request)
        let limit = try query.limit(default: 100, max: configuration.maxPageSize)
        let list = PagedList("/v1/tickets/overdue", limit: limit)
        let page = try await engine.overdueTickets(as: principal, after: try list.after(query), limit: limit,
                                                   consistentWith: try query.position("consistentWith"))
        return try JSONOutput.response(list.answer(page.items.map(OverdueTicketAnswer.init), next: page.next))
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
