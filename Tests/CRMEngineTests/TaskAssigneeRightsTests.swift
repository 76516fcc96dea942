import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// A customer's task is dispatched or reassigned only to an employee who may work on it: `edit` in tasks over
/// its customer's branch (or a role for one's own tasks) — not through the ownership the assignment itself
/// gives. Anyone else is refused `invalid`, naming `assignee`, with nothing written — an operator's command too;
/// the system's dispatches (reactions, the scheduler) are not judged. A task of no customer (one's own work) goes to anyone active.
@Suite struct TaskAssigneeRightsTests {
    static func worker(_ branch: String) -> [Permission] {
        [Permission(module: .tasks, actions: [.query, .create, .edit], scope: .branch(branch)),
         Permission(module: .customers, actions: [.query], scope: .branch(branch))]
    }

    @Test func aCustomersTaskIsNotReassignedToAnotherBranchsWorkerButToOneOfItsOwn() async throws {
        let f = try await EngineFixture.make("task-assignee-rights")
        let berlin = try await f.hire("Berta", branch: "berlin", permissions: Self.worker("berlin"))
        let berlin2 = try await f.hire("Bruno", branch: "berlin", permissions: Self.worker("berlin"))
        let newYork = try await f.hire("Nora", branch: "new-york", permissions: Self.worker("new-york"))
        let ownWorker = try await f.hire("Olga", branch: "field", permissions: [Permission(module: .tasks, actions: [.query, .edit], scope: .own)])
        let customer = try await f.customer("Berlin Water", branch: "berlin")
        let task = UUID.derived("task", "berlin-water")
        try await f.engine.execute(WorkTask.self, id: task, .dispatch(taskID: task, details: WorkTask.Details(
            title: "Call back", customerID: customer, kind: .followUp, dueAt: f.clock.now().addingTimeInterval(86_400)), assignee: berlin.id), as: berlin)
        let before = try await f.engine.store.headPosition()
        for actor in [berlin, f.admin, .operator(sourceSystem: "crm-cli")] {
            let error = await #expect(throws: EngineError.self) {
                try await f.engine.execute(WorkTask.self, id: task, .reassign(to: newYork.id, reason: nil), as: actor)
            }
            #expect(error?.code == .invalid && error?.field == "assignee", "\(String(describing: error))")
        }
        #expect(try await f.engine.store.headPosition() == before, "nothing written")
        #expect(try await f.engine.execute(WorkTask.self, id: task, .reassign(to: berlin2.id, reason: nil), as: berlin).events.count == 1)
        #expect(try await f.engine.execute(WorkTask.self, id: task, .reassign(to: ownWorker.id, reason: nil), as: f.admin).events.count == 1)

        // One's own work (no customer) goes to anyone active.
        let own = UUID.derived("task", "own-work")
        try await f.engine.execute(WorkTask.self, id: own, .dispatch(taskID: own, details: WorkTask.Details(
            title: "Tidy the van", customerID: nil, kind: .followUp, dueAt: f.clock.now().addingTimeInterval(86_400), branch: "berlin"),
            assignee: berlin.id), as: f.admin)
        #expect(try await f.engine.execute(WorkTask.self, id: own, .reassign(to: newYork.id, reason: nil), as: f.admin).events.count == 1)
        await f.close()
    }

    @Test func aCustomersTaskIsNotDispatchedToAnotherBranchsWorkerButToOneOfItsOwn() async throws {
        let f = try await EngineFixture.make("task-dispatch-rights")
        let berlin = try await f.hire("Berta", branch: "berlin", permissions: Self.worker("berlin"))
        let newYork = try await f.hire("Nora", branch: "new-york", permissions: Self.worker("new-york"))
        let ownWorker = try await f.hire("Olga", branch: "field", permissions: [Permission(module: .tasks, actions: [.query, .edit], scope: .own)])
        let customer = try await f.customer("Berlin Water", branch: "berlin")
        func dispatch(_ label: String, to assignee: Principal, as actor: Principal) async throws -> Int {
            let id = UUID.derived("task", label)
            return try await f.engine.execute(WorkTask.self, id: id, .dispatch(taskID: id, details: WorkTask.Details(
                title: "Call back", customerID: customer, kind: .followUp, dueAt: f.clock.now().addingTimeInterval(86_400)),
                assignee: assignee.id), as: actor).events.count
        }
        let before = try await f.engine.store.headPosition()
        for actor in [berlin, f.admin, .operator(sourceSystem: "crm-cli")] {
            let error = await #expect(throws: EngineError.self) { try await dispatch("to new york", to: newYork, as: actor) }
            #expect(error?.code == .invalid && error?.field == "assignee", "\(String(describing: error))")
            #expect(error?.message.contains(newYork.id) == false)
        }
        #expect(try await f.engine.store.headPosition() == before, "nothing written")
        #expect(try await dispatch("to berlin", to: berlin, as: f.admin) == 1)
        #expect(try await dispatch("to own worker", to: ownWorker, as: berlin) == 1)
        // The system's dispatch (a reaction's, the scheduler's) is not judged.
        #expect(try await dispatch("by the system", to: newYork, as: .system) == 1)
        await f.close()
    }
}
