import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// Through the engine: a ticket's resolution counts for its assignee as the ticket's state has it, and its
/// customer-360 row shows the ticket's own status.
@Suite struct TicketCreditEngineTests {
    @Test func aTicketTakenFromTheQueueCountsForTheAgentAndStaysInProgressWhenGivenOn() async throws {
        let f = try await EngineFixture.make("ticket-credit")
        try await f.engine.execute(Settings.self, id: UUID(), .setSLADeadline(SLADeadline(kind: .faultRepair, severity: .high, responseMinutes: 60,
                                                                                        resolutionMinutes: 480)), as: f.admin)
        try await f.engine.execute(Settings.self, id: UUID(), .replaceKPIRules([
            KPIRule(indicator: "ticketsResolvedInSLA", weight: 100, target: 1),
        ]), as: f.admin)
        let berta = try await f.hire("Berta", branch: "berlin", permissions: TicketAssigneeRightsTests.agent("berlin"))
        let bruno = try await f.hire("Bruno", branch: "berlin", permissions: TicketAssigneeRightsTests.agent("berlin"))
        let customer = try await f.customer("Berlin Water", branch: "berlin")
        func open(_ name: String) async throws -> UUID {
            let id = UUID.derived("ticket", name)
            try await f.engine.execute(Ticket.self, id: id, .open(id: id, channel: .phone, kind: .faultRepair, severity: .high, customerID: customer,
                                                                 subject: name, description: nil, department: "service", sla: nil), as: berta)
            return id
        }
        // Bruno takes the first ticket from the queue (no assignment) and resolves it.
        let queued = try await open("Leak")
        try await f.engine.execute(Ticket.self, id: queued, .startWork, as: bruno)
        try await f.engine.execute(Ticket.self, id: queued, .resolve(resolution: "Fixed"), as: bruno)
        // Bruno starts the second; Berta gives it to herself while it is in progress.
        let passed = try await open("Smell")
        try await f.engine.execute(Ticket.self, id: passed, .startWork, as: bruno)
        try await f.engine.execute(Ticket.self, id: passed, .assign(assignee: berta.id), as: berta)
        try await f.engine.views.waitUntil(try await f.engine.store.headPosition())

        let january = try await f.engine.kpiAssessments(month: "2026-01", as: f.admin)
        let credited = try #require(january.assessments.first { $0.employee == bruno.id })
        #expect(credited.items.map(\.value) == [1])
        let view = try await f.engine.customer(customer, as: f.admin)
        let row = try #require(view.openTickets.first { $0.id == passed })
        #expect(row.status == Ticket.Status.inProgress.rawValue)
        #expect(row.owner == berta.id)
        #expect(try await f.engine.state(Ticket.self, id: passed, as: f.admin).state.status == .inProgress)
        await f.close()
    }
}
