import CRMDomain
import CRMProjections
import EventSourcing
import Foundation
import Testing

/// A resolved ticket is credited to its assignee at resolution as the ticket's state keeps it
/// (`Ticket.evolve`): taking a ticket from the queue makes the agent its assignee, a hand-over clears it.
@Suite struct ResolvedTicketCreditTests {
    let log = WorkTestLog()
    let projection = EmployeeIndicators()

    func open(_ name: String, customer: UUID, department: String = "call-center") throws -> UUID {
        let id = UUID.derived("ticket", name)
        let sla = SLADeadline(kind: .faultRepair, severity: .normal, responseMinutes: 60, resolutionMinutes: 240)
        try log.run(Ticket.self, id, .open(id: id, channel: .callCenter, kind: .faultRepair, severity: .normal, customerID: customer,
                                           subject: name, description: nil, department: department, sla: sla),
                    at: WorkTestLog.start)
        return id
    }

    @Test func aTicketTakenFromTheQueueIsCreditedToTheAgentWhoTookIt() throws {
        let customer = try log.customer("Wang", branch: "north", owner: "emp-1")
        let id = try open("queue", customer: customer)
        try log.run(Ticket.self, id, .startWork, at: WorkTestLog.at(hours: 1), actor: "emp-6")
        try log.run(Ticket.self, id, .resolve(resolution: "fixed"), at: WorkTestLog.at(hours: 2), actor: "emp-6")
        let views = try log.views(projection)
        #expect(try EmployeeIndicators.values(employee: "emp-6", month: "2026-03", in: views) == ["ticketsResolvedInSLA": 1])
        try log.expectSameTablesInTwoBatchings(projection)
    }

    @Test func aTicketHandedOverAndTakenFromTheNewQueueIsCreditedToItsNewHolderNotItsFormerAssignee() throws {
        let customer = try log.customer("Li", branch: "north", owner: "emp-1")
        let id = try open("handed", customer: customer)
        try log.run(Ticket.self, id, .assign(assignee: "emp-3"), at: WorkTestLog.at(hours: 0.5))
        try log.run(Ticket.self, id, .handOver(toDepartment: "repairs", reason: nil), at: WorkTestLog.at(hours: 1))
        try log.run(Ticket.self, id, .startWork, at: WorkTestLog.at(hours: 2), actor: "emp-7")
        try log.run(Ticket.self, id, .resolve(resolution: "fixed"), at: WorkTestLog.at(hours: 5), actor: "emp-7")
        let views = try log.views(projection)
        #expect(try EmployeeIndicators.values(employee: "emp-7", month: "2026-03", in: views) == ["ticketsResolvedLate": 1])
        #expect(try EmployeeIndicators.values(employee: "emp-3", month: "2026-03", in: views).isEmpty)
        try log.expectSameTablesInTwoBatchings(projection)
    }
}
