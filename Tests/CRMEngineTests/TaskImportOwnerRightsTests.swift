import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// An imported task's owner is judged as a dispatch's assignee: an active employee (else `invalid`, field
/// `owner`: "no employee has this id" / "the employee is deactivated") who may work on the customer's task —
/// `edit` in tasks over its customer's scope, not counting the ownership the import gives — else `invalid`,
/// field `owner`; nothing written. An import without an owner still goes to the customer's owner.
@Suite struct TaskImportOwnerRightsTests {
    static func agent(_ branch: String) -> [Permission] {
        [Permission(module: .tasks, actions: [.query, .create, .edit], scope: .branch(branch)),
         Permission(module: .customers, actions: [.query], scope: .branch(branch))]
    }

    static func importing(_ externalID: String, customer: UUID, owner: String) -> (UUID, WorkTask.Command) {
        let id = WorkTask.importedTaskID(system: "sap", externalID: externalID)
        return (id, .importExternal(taskID: id, details: WorkTask.Details(title: "External", customerID: customer, kind: .followUp,
                                                                          dueAt: Date(timeIntervalSince1970: 1_767_600_000)),
                                    reference: WorkTask.ExternalReference(system: "sap", id: externalID), owner: owner))
    }

    @Test func anImportedTasksOwnerMustBeAnActiveEmployeeWhoMayWorkOnItsCustomer() async throws {
        let f = try await EngineFixture.make("task-import-owner")
        let shanghai = try await f.hire("Sam", branch: "shanghai", permissions: Self.agent("shanghai"))
        let colleague = try await f.hire("Sue", branch: "shanghai", permissions: Self.agent("shanghai"))
        let berlin = try await f.hire("Bert", branch: "berlin", permissions: Self.agent("berlin"))
        let customer = try await f.customer("Shanghai Water", branch: "shanghai", owner: shanghai.id)
        let head = try await f.engine.store.headPosition()
        for (label, owner, message) in [("other branch", berlin.id, "the employee may not work on this record"),
                                        ("no id", "nobody-at-all", "no employee has this id"),
                                        ("zero", "00000000-0000-4000-8000-000000000000", "no employee has this id")] {
            let (id, command) = Self.importing("E-\(label)", customer: customer, owner: owner)
            let error = await #expect(throws: EngineError.self, "\(label)") {
                try await f.engine.execute(WorkTask.self, id: id, command, as: shanghai)
            }
            #expect(error?.code == .invalid && error?.field == "owner" && error?.message == message, "\(label): \(String(describing: error))")
        }
        #expect(try await f.engine.store.headPosition() == head, "nothing written")
        // A colleague who may work on it, and no owner (the customer's owner), are accepted.
        let (given, command) = Self.importing("E-colleague", customer: customer, owner: colleague.id)
        try await f.engine.execute(WorkTask.self, id: given, command, as: shanghai)
        #expect(try await f.engine.state(WorkTask.self, id: given, as: colleague).state.assignee == colleague.id)
        let (defaulted, blank) = Self.importing("E-default", customer: customer, owner: "")
        try await f.engine.execute(WorkTask.self, id: defaulted, blank, as: shanghai)
        #expect(try await f.engine.state(WorkTask.self, id: defaulted, as: shanghai).state.assignee == shanghai.id)
        await f.close()
    }
}
