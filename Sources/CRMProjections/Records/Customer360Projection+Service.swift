import CRMDomain
import EventSourcing
import Foundation

extension Customer360Projection {
    /// Contacts, tasks, tickets, visits and contact log entries; false for other events.
    func applyService(_ event: ProjectionEvent, to views: any ViewWriter) throws -> Bool {
        try applyService(event.payload, event, to: views)
    }

    /// The `switch` over the payload opened to its type (why: ``Projection``).
    private func applyService<Payload: EventPayload>(_ payload: Payload, _ event: ProjectionEvent, to views: any ViewWriter) throws -> Bool {
        switch payload {
        // Contacts
        case let e as ContactCreated:
            try insert(Self.record(.contact, e.contactID, title: e.name, status: "active", detail: e.role.rawValue),
                       customer: e.customerID, .contact, .none, views: views)
        case let e as ContactEdited:
            try modify(e.contactID, views: views) { r in
                for c in e.changes {
                    if c.field == "name", let name = c.new?.textValue { r.title = name }
                    if c.field == "role", let role = c.new?.textValue { r.detail = role }
                }
                return nil
            }
        case let e as ContactMovedToCustomer:
            if let (_, record) = try remove(e.contactID, views: views) {
                try insert(record, customer: e.toCustomerID, .contact, .none, views: views)
            }
        case let e as ContactArchived: try modify(e.contactID, views: views) { $0.status = "archived"; return nil }
        case let e as ContactRestored: try modify(e.contactID, views: views) { $0.status = "active"; return nil }
        // Tasks
        case let e as TaskDispatched:
            guard let customer = e.details.customerID else { return true }
            let status = WorkTask.Status.dispatched.rawValue
            try insert(Self.record(.task, e.taskID, title: e.details.title, status: status, detail: e.details.kind.rawValue,
                                   at: e.details.dueAt, owner: e.assignee),
                       customer: customer, .openTask, .oldestFirst(e.details.dueAt), views: views)
        case let e as TaskAccepted: try modify(e.taskID, views: views) { $0.status = WorkTask.Status.accepted.rawValue; return nil }
        case let e as TaskCompleted:
            try modify(e.taskID, views: views) { r in
                r.status = WorkTask.Status.completed.rawValue
                return (.recentTask, .newestFirst(e.completedAt))
            }
        case let e as TaskCancelled:
            try modify(e.taskID, views: views) { r in
                r.status = WorkTask.Status.cancelled.rawValue
                return (.recentTask, .newestFirst(event.recordedAt))
            }
        case let e as TaskReassigned:
            try modify(e.taskID, views: views) { r in
                r.owner = e.assignee
                r.status = WorkTask.Status.dispatched.rawValue
                return nil
            }
        case let e as TaskRescheduled:
            try modify(e.taskID, views: views) { r in
                r.at = e.dueAt
                return (.openTask, .oldestFirst(e.dueAt))
            }
        case let e as TaskEdited:
            try modify(e.taskID, views: views) { r in
                if let title = e.changes.first(where: { $0.field == "title" })?.new?.textValue { r.title = title }
                return nil
            }
        // Tickets: status and owner (the assignee) follow `Ticket.evolve`
        case let e as TicketOpened:
            try insert(Self.record(.ticket, e.ticketID, title: e.subject, status: Ticket.Status.open.rawValue,
                                   detail: e.severity.rawValue, at: e.openedAt),
                       customer: e.customerID, .openTicket, .oldestFirst(e.openedAt), views: views)
        case let e as TicketAssigned:
            try modify(e.ticketID, views: views) { r in
                // Reassigning a ticket in progress leaves it in progress.
                if r.status == Ticket.Status.open.rawValue { r.status = Ticket.Status.assigned.rawValue }
                r.owner = e.assignee
                return nil
            }
        case let e as TicketWorkStarted:
            try modify(e.ticketID, views: views) { $0.status = Ticket.Status.inProgress.rawValue; $0.owner = e.assignee; return nil }
        case let e as TicketHandedOver:
            try modify(e.ticketID, views: views) { $0.status = Ticket.Status.open.rawValue; $0.owner = nil; return nil }
        case let e as TicketUnassigned:
            try modify(e.ticketID, views: views) { r in
                if r.status == Ticket.Status.assigned.rawValue { r.status = Ticket.Status.open.rawValue }
                r.owner = nil
                return nil
            }
        case let e as TicketSeverityChanged:
            try modify(e.ticketID, views: views) { $0.detail = e.newSeverity.rawValue; return nil }
        case let e as TicketResolved:
            try modify(e.ticketID, views: views) { r in
                r.status = Ticket.Status.resolved.rawValue
                return (.recentTicket, .newestFirst(e.resolvedAt))
            }
        case let e as TicketClosed:
            try modify(e.ticketID, views: views) { r in
                r.status = Ticket.Status.closed.rawValue
                return (.recentTicket, .newestFirst(e.closedAt))
            }
        case let e as TicketReopened:
            try modify(e.ticketID, views: views) { r in
                // Back to its assignee, or open in its department when it has none (handed over unassigned).
                r.status = (r.owner == nil ? Ticket.Status.open : Ticket.Status.assigned).rawValue
                return (.openTicket, .oldestFirst(r.at ?? e.reopenedAt))
            }
        // Visits and contact log entries: one newest-first list of activity
        case let e as VisitPlanned:
            try insert(Self.record(.visit, e.visitID, title: e.agenda, status: Visit.Status.planned.rawValue, detail: e.place,
                                   at: e.scheduledAt, owner: e.visitor),
                       customer: e.customerID, .activity, .newestFirst(e.scheduledAt), views: views)
        case let e as VisitRescheduled:
            try modify(e.visitID, views: views) { r in
                r.at = e.newScheduledAt
                r.detail = e.newPlace
                return (.activity, .newestFirst(e.newScheduledAt))
            }
        case let e as VisitRecorded:
            try modify(e.visitID, views: views) { r in
                r.status = Visit.Status.done.rawValue
                r.title = e.actual.summary
                r.detail = e.actual.place
                r.day = e.actual.date
                let at = VisitInstant.of(recorded: e.actual.date, planned: r.at)
                r.at = at
                return (.activity, .newestFirst(at))
            }
        case let e as VisitCancelled:
            try modify(e.visitID, views: views) { $0.status = Visit.Status.cancelled.rawValue; return nil }
        case let e as ContactLogged:
            try insert(Self.record(.contactLog, e.entryID, title: e.details.subject, status: "logged",
                                   detail: e.details.channel.rawValue, at: e.details.occurredAt, owner: event.metadata.actor),
                       customer: e.customerID, .activity, .newestFirst(e.details.occurredAt), views: views)
        case let e as ContactLogAmended:
            try modify(e.entryID, views: views) { r in
                r.title = e.details.subject
                r.detail = e.details.channel.rawValue
                r.at = e.details.occurredAt
                return (.activity, .newestFirst(e.details.occurredAt))
            }
        case let e as ContactLogRetracted:
            _ = try remove(e.entryID, views: views)
        default:
            return false
        }
        return true
    }
}
