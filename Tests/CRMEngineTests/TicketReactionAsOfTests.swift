import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// A reopened ticket goes back to its last assignee only while they may still work on it; else to its
/// department's queue, open and unassigned (`TicketUnassigned`).
@Suite struct TicketReopenAssigneeTests {
    struct World {
        let f: EngineFixture
        let berlin: Principal, worker: Principal
        let ticket: UUID
    }

    /// A ticket of a Berlin customer, worked on and resolved by `worker` (Bruno, a Berlin agent).
    func resolvedWorld(_ label: String) async throws -> World {
        let f = try await EngineFixture.make(label)
        try await f.engine.execute(Settings.self, id: UUID(), .setSLADeadline(SLADeadline(kind: .faultRepair, severity: .high, responseMinutes: 60,
                                                                                        resolutionMinutes: 480)), as: f.admin)
        let berlin = try await f.hire("Berta", branch: "berlin", permissions: TicketAssigneeRightsTests.agent("berlin"))
        let worker = try await f.hire("Bruno", branch: "berlin", permissions: TicketAssigneeRightsTests.agent("berlin"))
        let customer = try await f.customer("Berlin Water", branch: "berlin")
        let ticket = UUID.derived("ticket", label)
        try await f.engine.execute(Ticket.self, id: ticket, .open(id: ticket, channel: .phone, kind: .faultRepair, severity: .high, customerID: customer,
                                                                 subject: "Leak", description: nil, department: "service", sla: nil), as: berlin)
        try await f.engine.execute(Ticket.self, id: ticket, .assign(assignee: worker.id), as: berlin)
        try await f.engine.execute(Ticket.self, id: ticket, .startWork, as: worker)
        try await f.engine.execute(Ticket.self, id: ticket, .resolve(resolution: "Fixed"), as: worker)
        return World(f: f, berlin: berlin, worker: worker, ticket: ticket)
    }

    @Test func aTicketReopenedAfterItsAssigneeWasDeactivatedGoesBackToItsQueueUnassigned() async throws {
        let w = try await resolvedWorld("reopen-deactivated")
        guard let workerID = UUID(uuidString: w.worker.id) else { Issue.record("no employee id"); return }
        try await w.f.engine.execute(Organisation.self, id: workerID, .deactivate(employeeID: workerID, reason: "left"), as: w.f.admin)
        let reopened = try await w.f.engine.execute(Ticket.self, id: w.ticket, .reopen(reason: "Leaking again"), as: w.berlin)
        #expect(reopened.events.map(\.type) == [TicketReopened.eventType, TicketUnassigned.eventType])
        let state = try await w.f.engine.state(Ticket.self, id: w.ticket, as: w.f.admin).state
        #expect(state.assignee == nil)
        #expect(state.status == .open)
        #expect(state.department == "service")
        await w.f.close()
    }

    @Test func aTicketReopenedAfterItsAssigneeLostTheRightsGoesBackToItsQueueUnassigned() async throws {
        let w = try await resolvedWorld("reopen-rights-lost")
        try await w.f.engine.execute(Organisation.self, id: UUID.derived("role", "Bruno"), .revokeRoleGrant(grantID: UUID.derived("grant", "Bruno")), as: w.f.admin)
        try await w.f.engine.execute(Ticket.self, id: w.ticket, .reopen(reason: "Leaking again"), as: w.berlin)
        let state = try await w.f.engine.state(Ticket.self, id: w.ticket, as: w.f.admin).state
        #expect(state.assignee == nil)
        #expect(state.status == .open)
        await w.f.close()
    }

    @Test func aTicketReopenedGoesBackToItsAssigneeWhoMayStillWorkOnIt() async throws {
        let w = try await resolvedWorld("reopen-kept")
        let reopened = try await w.f.engine.execute(Ticket.self, id: w.ticket, .reopen(reason: "Leaking again"), as: w.berlin)
        #expect(reopened.events.map(\.type) == [TicketReopened.eventType])
        let state = try await w.f.engine.state(Ticket.self, id: w.ticket, as: w.f.admin).state
        #expect(state.assignee == w.worker.id)
        #expect(state.status == .assigned)
        await w.f.close()
    }
}

/// Ticket rule chains judged as of their events: a chain counts as run for a ticket only where the settings of
/// an earlier event held it, and the owner's task is routed by the customer's owner and the ticket's
/// department as they were at the triggering event.
@Suite struct TicketReactionAsOfTests {
    let chains = RuleChainReplayTests()

    @Test func aChainAddedAfterTheTicketFirstReachedItsSeverityRunsWhenTheSeverityIsRaisedAgain() async throws {
        let f = try await EngineFixture.make("rule-chain-added-later")
        try await chains.sla(f, .faultRepair, [.normal, .high])
        let customer = try await f.customer("Li Wei", branch: "north", owner: f.admin.id)
        try await chains.open(f, 1, kind: .faultRepair, severity: .high, customer: customer)
        // The chain from high comes after the ticket was high: it never ran for it.
        try await chains.chain(f, .faultRepair, .high, [RuleAction(kind: .createTask, template: "Call the customer", department: "management")])
        try await chains.raise(f, 1, to: .normal)
        try await chains.raise(f, 1, to: .high)
        var written = try await chains.followUps(f.engine)
        #expect(written.tasks.map(\.details.title) == ["Call the customer"])
        // It ran now: once per ticket.
        try await chains.raise(f, 1, to: .normal)
        try await chains.raise(f, 1, to: .high)
        written = try await chains.followUps(f.engine)
        #expect(written.tasks.map(\.details.title) == ["Call the customer"])
        let replay = try await chains.replayWritesNothing(f)
        #expect(replay.nothingWritten, "the replayed reactions wrote nothing new")
        #expect(!replay.refused, "no replayed reaction was refused")
    }

    /// Opens a complaint ticket of `customer` (department `service`) while no reactor runs, then `meanwhile`;
    /// then lets a new engine's reactor catch up over it (as after a restore, or on a new node) and returns the
    /// owner's task the ticket's opening led to.
    func ownersTaskAfterCatchingUp(_ f: EngineFixture, customer: UUID, meanwhile: (CRMEngine) async throws -> Void) async throws -> WorkTask.State {
        await f.closeEngine()
        let quiet = try await CRMEngine.open(at: f.directory, configuration: .init(clock: f.clock, durability: .noSync, reactions: []))
        let ticket = UUID.derived("ticket", "1")
        let opened = try await quiet.execute(Ticket.self, id: ticket, .open(id: ticket, channel: .phone, kind: .complaint, severity: .high, customerID: customer,
                                                                          subject: "Ticket 1", description: nil, department: "service", sla: nil), as: f.admin)
        try await meanwhile(quiet)
        let head = try await quiet.store.headPosition()
        await quiet.close()
        let engine = try await CRMEngine.open(at: f.directory, configuration: .init(clock: f.clock, durability: .noSync))
        defer { try? FileManager.default.removeItem(atPath: f.directory) }
        try await engine.reactionsSettled(upTo: head)
        let openedID = try #require(opened.events.first).id
        let task = try await engine.state(WorkTask.self, id: UUID.derived("followup", openedID.uuidString, "0"), as: f.admin).state
        await engine.close()
        return task
    }

    @Test func aReactorCatchingUpRoutesTheOwnersTaskByTheDepartmentHoldingTheTicketThen() async throws {
        let f = try await EngineFixture.make("rule-chain-department-as-of")
        try await chains.sla(f, .complaint, [.high])
        try await chains.chain(f, .complaint, .high, [RuleAction(kind: .notifyOwner)])
        let customer = try await f.customer("Li Wei", branch: "north")
        let task = try await ownersTaskAfterCatchingUp(f, customer: customer) { engine in
            try await engine.execute(Ticket.self, id: UUID.derived("ticket", "1"), .handOver(toDepartment: "billing", reason: nil), as: f.admin)
        }
        #expect(task.assignee == "service")
    }

    @Test func aReactorCatchingUpRoutesTheOwnersTaskToTheOwnerAtTheTriggeringEvent() async throws {
        let f = try await EngineFixture.make("rule-chain-owner-as-of")
        try await chains.sla(f, .complaint, [.high])
        try await chains.chain(f, .complaint, .high, [RuleAction(kind: .notifyOwner)])
        let successor = try await f.hire("Sun", branch: "north", permissions: [Permission(module: .customers, actions: [.query, .edit], scope: .branch("north"))])
        let customer = try await f.customer("Li Wei", branch: "north", owner: f.admin.id)
        let task = try await ownersTaskAfterCatchingUp(f, customer: customer) { engine in
            try await engine.execute(Customer.self, id: customer, .edit(CustomerEdit(owner: .set(successor.id)), form: .empty(group: "residential")), as: f.admin)
        }
        #expect(task.assignee == f.admin.id)
    }
}
