import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// Starting work on a ticket in the queue makes the starter its assignee, so an operator (`crm` without a
/// token: no employee) may start work only on an assigned ticket; otherwise the ticket would be in progress
/// with nobody's name (recorded as `system`) and in no one's queue.
@Suite struct OperatorTicketStartTests {
    @Test func anOperatorStartsWorkOnlyOnAnAssignedTicket() async throws {
        let f = try await EngineFixture.make("operator-ticket-start")
        try await f.engine.execute(Settings.self, id: UUID(), .setSLADeadline(SLADeadline(kind: .faultRepair, severity: .low, responseMinutes: 60,
                                                                                        resolutionMinutes: 480)), as: f.admin)
        let agent = try await f.hire("Berta", branch: "berlin", permissions: TicketAssigneeRightsTests.agent("berlin"))
        let customer = try await f.customer("Berlin Water", branch: "berlin")
        let ticket = UUID.derived("ticket", "operator-start")
        try await f.engine.execute(Ticket.self, id: ticket, .open(id: ticket, channel: .phone, kind: .faultRepair, severity: .low, customerID: customer,
                                                                 subject: "Leak", description: nil, department: "service", sla: nil), as: f.admin)
        let operatorPrincipal = Principal.operator(sourceSystem: "crm-cli")
        let before = try await f.engine.store.headPosition()
        let error = await #expect(throws: EngineError.self) { try await f.engine.execute(Ticket.self, id: ticket, .startWork, as: operatorPrincipal) }
        #expect(error?.code == .invalid && error?.field == "assignee", "\(String(describing: error))")
        #expect(try await f.engine.store.headPosition() == before, "nothing written")

        try await f.engine.execute(Ticket.self, id: ticket, .assign(assignee: agent.id), as: f.admin)
        #expect(try await f.engine.execute(Ticket.self, id: ticket, .startWork, as: operatorPrincipal).events.count == 1)
        let state = try await f.engine.state(Ticket.self, id: ticket, as: f.admin).state
        #expect(state.status == .inProgress && state.assignee == agent.id)
        await f.close()
    }

    @Test func anEmployeeTakingATicketFromTheQueueBecomesItsAssignee() async throws {
        let f = try await EngineFixture.make("employee-ticket-start")
        try await f.engine.execute(Settings.self, id: UUID(), .setSLADeadline(SLADeadline(kind: .faultRepair, severity: .low, responseMinutes: 60,
                                                                                        resolutionMinutes: 480)), as: f.admin)
        let agent = try await f.hire("Berta", branch: "berlin", permissions: TicketAssigneeRightsTests.agent("berlin"))
        let customer = try await f.customer("Berlin Water", branch: "berlin")
        let ticket = UUID.derived("ticket", "employee-start")
        try await f.engine.execute(Ticket.self, id: ticket, .open(id: ticket, channel: .phone, kind: .faultRepair, severity: .low, customerID: customer,
                                                                 subject: "Leak", description: nil, department: "service", sla: nil), as: f.admin)
        #expect(try await f.engine.execute(Ticket.self, id: ticket, .startWork, as: agent).events.count == 1)
        #expect(try await f.engine.state(Ticket.self, id: ticket, as: f.admin).state.assignee == agent.id)
        await f.close()
    }
}
