import CRMDomain
import CRMProjections
import EventSourcing
import Foundation
import Testing

/// A ticket's row in the customer 360 has the status the ticket's state has (`Ticket.evolve`).
@Suite struct Customer360TicketStatusTests {
    let acme = UUID.derived("customer", "acme")
    let projection = Customer360Projection()

    func opened(_ id: UUID) -> TicketOpened {
        TicketOpened(ticketID: id, channel: .phone, kind: .faultRepair, severity: .normal, customerID: acme, subject: "No gas",
                     department: "call-center", openedAt: t0, responseDueAt: t0, resolutionDueAt: t0)
    }

    @Test func aTicketReopenedWithoutAnAssigneeIsOpen() throws {
        var log = TestLog()
        log.add(created(acme, name: "Acme"), on: Customer.stream(acme))
        let id = UUID.derived("ticket", "1")
        let stream = Ticket.stream(id)
        log.add(opened(id), on: stream)
        log.add(TicketResolved(ticketID: id, resolution: "fixed", resolvedAt: t0), on: stream)
        log.add(TicketReopened(ticketID: id, reason: "again", fromStatus: .resolved, reopenedAt: t0.addingTimeInterval(day)), on: stream)
        let view = try #require(try Customer360Projection.customer(acme, in: try log.views(projection)))
        #expect(view.openTickets.map(\.status) == ["open"])
        #expect(view.openTickets.first?.owner == nil)
    }

    @Test func aTicketReopenedToItsQueueIsOpenAndOneReopenedToItsAssigneeIsAssigned() throws {
        var log = TestLog()
        log.add(created(acme, name: "Acme"), on: Customer.stream(acme))
        let a = UUID.derived("ticket", "a"), b = UUID.derived("ticket", "b")
        for id in [a, b] {
            let stream = Ticket.stream(id)
            log.add(opened(id), on: stream)
            log.add(TicketWorkStarted(ticketID: id, assignee: "emp-7", startedAt: t0), on: stream)
            log.add(TicketResolved(ticketID: id, resolution: "fixed", resolvedAt: t0), on: stream)
            log.add(TicketReopened(ticketID: id, reason: "again", fromStatus: .resolved, reopenedAt: t0), on: stream)
        }
        log.add(TicketUnassigned(ticketID: b, previousAssignee: "emp-7", unassignedAt: t0), on: Ticket.stream(b))
        let view = try #require(try Customer360Projection.customer(acme, in: try log.views(projection)))
        let byID = Dictionary(uniqueKeysWithValues: view.openTickets.map { ($0.id, $0) })
        #expect(byID[a]?.status == "assigned" && byID[a]?.owner == "emp-7")
        #expect(byID[b]?.status == "open" && byID[b]?.owner == nil)
    }

    @Test func aTicketInProgressGivenToAnotherEmployeeStaysInProgress() throws {
        var log = TestLog()
        log.add(created(acme, name: "Acme"), on: Customer.stream(acme))
        let id = UUID.derived("ticket", "1")
        let stream = Ticket.stream(id)
        log.add(opened(id), on: stream)
        log.add(TicketWorkStarted(ticketID: id, assignee: "emp-7", startedAt: t0), on: stream)
        log.add(TicketAssigned(ticketID: id, assignee: "emp-8", previousAssignee: "emp-7", assignedAt: t0), on: stream)
        let view = try #require(try Customer360Projection.customer(acme, in: try log.views(projection)))
        #expect(view.openTickets.map(\.status) == ["inProgress"])
        #expect(view.openTickets.first?.owner == "emp-8")
    }
}
