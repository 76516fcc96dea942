import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// A ticket goes only to an employee who may work on it: `edit` in tickets over its customer's branch (or a
/// role for one's own tickets) — not through the ownership the assignment itself would give, which every
/// scope covers. Anyone else is refused `invalid`, naming `assignee`, with nothing written; the system's
/// reactions are not judged.
@Suite struct TicketAssigneeRightsTests {
    static func agent(_ branch: String) -> [Permission] {
        [Permission(module: .tickets, actions: [.query, .create, .edit], scope: .branch(branch)),
         Permission(module: .customers, actions: [.query], scope: .branch(branch))]
    }

    struct World {
        let f: EngineFixture
        let berlin: Principal, berlin2: Principal, newYork: Principal, manager: Principal, ownWorker: Principal
        let ticket: UUID
    }

    func world(_ label: String) async throws -> World {
        let f = try await EngineFixture.make(label)
        try await f.engine.execute(Settings.self, id: UUID(), .setSLADeadline(SLADeadline(kind: .faultRepair, severity: .high, responseMinutes: 60,
                                                                                        resolutionMinutes: 480)), as: f.admin)
        let berlin = try await f.hire("Berta", branch: "berlin", permissions: Self.agent("berlin"))
        let berlin2 = try await f.hire("Bruno", branch: "berlin", permissions: Self.agent("berlin"))
        let newYork = try await f.hire("Nora", branch: "new-york", permissions: Self.agent("new-york"))
        let manager = try await f.hire("Max", branch: "berlin", permissions: [
            Permission(module: .customers, actions: [.query, .create, .edit], scope: .branch("berlin"))])
        let ownWorker = try await f.hire("Olga", branch: "field", permissions: [
            Permission(module: .tickets, actions: [.query, .edit], scope: .own)])
        let customer = try await f.customer("Berlin Water", branch: "berlin")
        let ticket = UUID.derived("ticket", label)
        try await f.engine.execute(Ticket.self, id: ticket, .open(id: ticket, channel: .phone, kind: .faultRepair, severity: .high, customerID: customer,
                                                                 subject: "Leak", description: nil, department: "service", sla: nil), as: berlin)
        return World(f: f, berlin: berlin, berlin2: berlin2, newYork: newYork, manager: manager, ownWorker: ownWorker, ticket: ticket)
    }

    @Test func aTicketCannotBeAssignedToSomeoneWithoutTicketRightsOrToAnotherBranchsAgent() async throws {
        let w = try await world("ticket-assignee-refused")
        let before = try await w.f.engine.state(Ticket.self, id: w.ticket, as: w.f.admin).version
        for (who, actor) in [(w.manager, w.berlin), (w.newYork, w.berlin), (w.newYork, w.f.admin)] {
            let error = await #expect(throws: EngineError.self) {
                try await w.f.engine.execute(Ticket.self, id: w.ticket, .assign(assignee: who.id), as: actor)
            }
            #expect(error?.code == .invalid && error?.field == "assignee", "\(String(describing: error))")
            #expect(error?.message.contains(who.id) == false)
        }
        #expect(try await w.f.engine.state(Ticket.self, id: w.ticket, as: w.f.admin).version == before, "nothing written")
        // The New York agent never gets to see or start it.
        await #expect(throws: EngineError.self) { try await w.f.engine.state(Ticket.self, id: w.ticket, as: w.newYork) }
        await w.f.close()
    }

    @Test func aTicketGoesToAnAgentOfItsBranchOrToAnEmployeeWhoseRoleIsTheirOwnTickets() async throws {
        let w = try await world("ticket-assignee-accepted")
        try await w.f.engine.execute(Ticket.self, id: w.ticket, .assign(assignee: w.berlin2.id), as: w.berlin)
        try await w.f.engine.execute(Ticket.self, id: w.ticket, .startWork, as: w.berlin2)
        try await w.f.engine.execute(Ticket.self, id: w.ticket, .assign(assignee: w.ownWorker.id), as: w.berlin2)
        #expect(try await w.f.engine.state(Ticket.self, id: w.ticket, as: w.ownWorker).state.assignee == w.ownWorker.id)
        await w.f.close()
    }

    @Test func theSystemsAssignmentsAreNotJudged() async throws {
        let w = try await world("ticket-assignee-system")
        try await w.f.engine.execute(Ticket.self, id: w.ticket, .assign(assignee: w.newYork.id), as: .system)
        #expect(try await w.f.engine.state(Ticket.self, id: w.ticket, as: w.f.admin).state.assignee == w.newYork.id)
        await w.f.close()
    }

    @Test func whoMayNotAssignTheTicketIsRefusedForThatNotForTheAssignee() async throws {
        let w = try await world("ticket-assignee-actor-first")
        let viewer = try await w.f.hire("Vera", branch: "berlin", permissions: [Permission(module: .tickets, actions: [.query], scope: .branch("berlin"))])
        let error = await #expect(throws: EngineError.self) {
            try await w.f.engine.execute(Ticket.self, id: w.ticket, .assign(assignee: w.newYork.id), as: viewer)
        }
        #expect(error?.code == .forbidden, "\(String(describing: error))")
        await w.f.close()
    }
}
