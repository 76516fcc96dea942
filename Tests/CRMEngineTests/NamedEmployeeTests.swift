import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// Work and records are handed only to active employees: an assignee, owner, visitor, agent or delegate a
/// person names must be an employee the organisation records and has not deactivated.
@Suite struct NamedEmployeeTests {
    static func task(_ label: String, customer: UUID, assignee: String) -> WorkTask.Command {
        .dispatch(taskID: UUID.derived("task", label), details: WorkTask.Details(
            title: "Call back", customerID: customer, kind: .followUp, dueAt: Date(timeIntervalSince1970: 1_767_600_000), branch: "A"), assignee: assignee)
    }

    @Test func aTaskDispatchedToAnUnknownOrDeactivatedEmployeeIsRefusedAndWritesNothing() async throws {
        let f = try await EngineFixture.make("named-employees")
        let alice = try await f.hire("Alice", branch: "A", permissions: ScopeTests.allRights)
        let bob = try await f.hire("Bob", branch: "A", permissions: [])
        let customer = try await f.customer("Customer of A", branch: "A")
        try await f.engine.execute(Organisation.self, id: try #require(bob.employeeID), .deactivate(employeeID: try #require(bob.employeeID), reason: "left"), as: f.admin)
        let head = try await f.engine.store.headPosition()
        for (label, assignee, message) in [("typo", "emp-7", "no employee has this id"),
                                           ("unknown", UUID.derived("employee", "nobody").lowercasedString, "no employee has this id"),
                                           ("left", bob.id, "the employee is deactivated")] {
            let error = await #expect(throws: EngineError.self, "\(label)") {
                try await f.engine.execute(WorkTask.self, id: UUID.derived("task", label), Self.task(label, customer: customer, assignee: assignee), as: alice)
            }
            #expect(error?.code == .invalid && error?.field == "assignee" && error?.message == message, "\(label): \(String(describing: error))")
        }
        #expect(try await f.engine.store.headPosition() == head)
        // An active employee is accepted, and so is the system's own command (a reaction replayed from the log).
        try await f.engine.execute(WorkTask.self, id: UUID.derived("task", "ok"), Self.task("ok", customer: customer, assignee: alice.id), as: alice)
        try await f.engine.execute(WorkTask.self, id: UUID.derived("task", "system"), Self.task("system", customer: customer, assignee: bob.id), as: .system)
        // Reassigning is judged the same way.
        let reassign = await #expect(throws: EngineError.self) {
            try await f.engine.execute(WorkTask.self, id: UUID.derived("task", "ok"), .reassign(to: bob.id), as: alice)
        }
        #expect(reassign?.field == "assignee")
        await f.close()
    }

    @Test func aCustomersOwnerMustBeAnActiveEmployeeWhenSetButAnEditLeavingItIsFine() async throws {
        let f = try await EngineFixture.make("named-owner")
        let bob = try await f.hire("Bob", branch: "A", permissions: [])
        let id = UUID.derived("customer", "owned")
        let refused = await #expect(throws: EngineError.self) {
            try await f.engine.execute(Customer.self, id: id, .create(customerID: id, NewCustomer(
                kind: .person, name: "Owned", group: "residential", branch: "A", owner: "someone"), form: .empty(group: "residential")), as: f.admin)
        }
        #expect(refused?.code == .invalid && refused?.field == "owner")
        // A blank owner is no owner, as the domain reads it.
        _ = try await f.customer("Unowned", branch: "A", owner: "")
        let customer = try await f.customer("Owned", branch: "A", owner: bob.id)
        try await f.engine.execute(Organisation.self, id: try #require(bob.employeeID), .deactivate(employeeID: try #require(bob.employeeID), reason: "left"), as: f.admin)
        // The customer keeps its recorded owner through edits that leave the owner as it is, also one that
        // sends the unchanged owner again (as a whole-record form does)…
        try await f.engine.execute(Customer.self, id: customer, .edit(CustomerEdit(name: "Owned Ltd"), form: .empty(group: "residential")), as: f.admin)
        try await f.engine.execute(Customer.self, id: customer, .edit(CustomerEdit(name: "Owned Co", owner: .set(bob.id)), form: .empty(group: "residential")), as: f.admin)
        // …but another customer cannot be handed to the deactivated employee, or to nobody known.
        let other = try await f.customer("Other", branch: "A", owner: f.admin.id)
        for owner in [bob.id, "owner-1"] {
            let error = await #expect(throws: EngineError.self) {
                try await f.engine.execute(Customer.self, id: other, .edit(CustomerEdit(owner: .set(owner)), form: .empty(group: "residential")), as: f.admin)
            }
            #expect(error?.code == .invalid && error?.field == "owner")
        }
        await f.close()
    }

    @Test func aWorkflowStepEscalatedToANamedEmployeeNeedsAnActiveOneButARoleOrAnUnchangedNameIsFine() async throws {
        let f = try await EngineFixture.make("named-escalation")
        let bob = try await f.hire("Bob", branch: "A", permissions: [])
        let id = UUID.derived("workflowdef", "escalation")
        func steps(_ party: WorkflowParty) -> [WorkflowStep] {
            [WorkflowStep(name: "check", approverRole: "departmentManager", deadlineHours: 48, reminderLeadHours: 8, escalateTo: party)]
        }
        let head = try await f.engine.store.headPosition()
        let unknown = await #expect(throws: EngineError.self) {
            try await f.engine.execute(WorkflowDefinition.self, id: id, .define(id: id, name: "Check", kind: .materialRequest,
                                                                                steps: steps(.employee("emp-7"))), as: f.admin)
        }
        #expect(unknown?.code == .invalid && unknown?.field == "steps.escalateTo")
        #expect(try await f.engine.store.headPosition() == head)
        // A role is no employee's name; an active employee is accepted.
        try await f.engine.execute(WorkflowDefinition.self, id: id, .define(id: id, name: "Check", kind: .materialRequest,
                                                                            steps: steps(.role("departmentManager"))), as: f.admin)
        try await f.engine.execute(WorkflowDefinition.self, id: id, .revise(name: "Check", steps: steps(.employee(bob.id))), as: f.admin)
        // Bob leaves: a revision keeping him is fine (the definition stays editable); naming him anew elsewhere is not.
        try await f.engine.execute(Organisation.self, id: try #require(bob.employeeID), .deactivate(employeeID: try #require(bob.employeeID), reason: "left"), as: f.admin)
        try await f.engine.execute(WorkflowDefinition.self, id: id, .revise(name: "Check v3", steps: steps(.employee(bob.id))), as: f.admin)
        let other = UUID.derived("workflowdef", "other")
        let left = await #expect(throws: EngineError.self) {
            try await f.engine.execute(WorkflowDefinition.self, id: other, .define(id: other, name: "Other", kind: .quote,
                                                                                   steps: steps(.employee(bob.id))), as: f.admin)
        }
        #expect(left?.code == .invalid && left?.field == "steps.escalateTo" && left?.message == "the employee is deactivated")
        await f.close()
    }
}

/// The organisation always keeps someone who can administer it (R-ORG-2): a role change, a revoked grant or
/// a deactivation that would leave no active employee with organisation edit rights over all data is refused.
@Suite struct LastAdministratorTests {
    @Test func theLastAdministratorCannotBeRemovedByAnyRouteButASecondOneAllowsIt() async throws {
        let f = try await EngineFixture.make("last-admin")
        let adminID = try #require(f.admin.employeeID)
        let organisation = try await f.engine.state(Organisation.self, id: UUID(), as: f.admin).state
        let grant = try #require(organisation.roleGrants.values.first { $0.employeeID == adminID })
        let role = try #require(organisation.roles[grant.roleID])
        let head = try await f.engine.store.headPosition()
        let attempts: [(String, Organisation.Command)] = [
            ("empty the role", .changeRole(roleID: role.id, RoleDefinition(name: role.name, permissions: [Permission(module: .customers, actions: [.query], scope: .all)]), grantor: .none)),
            ("revoke the grant", .revokeRoleGrant(grantID: grant.id)),
            ("deactivate", .deactivate(employeeID: adminID, reason: "left")),
        ]
        for (label, command) in attempts {
            let error = await #expect(throws: EngineError.self, "\(label)") {
                try await f.engine.execute(Organisation.self, id: UUID(), command, as: f.admin)
            }
            #expect(error?.code == .forbidden, "\(label): \(String(describing: error))")
        }
        #expect(try await f.engine.store.headPosition() == head)
        // A second administrator whose grant runs out does not count: the lock-out would only come later.
        let temporary = try await f.hire("Temporary Admin", branch: "head-office", permissions: [])
        let temporaryID = try #require(temporary.employeeID)
        try await f.engine.execute(Organisation.self, id: UUID(), .grantRole(grantID: UUID.derived("grant", "temporary"), employeeID: temporaryID, roleID: role.id,
                                                                            validity: ValidityPeriod(until: f.clock.now().addingTimeInterval(86_400 * 30)), grantor: .none), as: f.admin)
        let postponed = await #expect(throws: EngineError.self) {
            try await f.engine.execute(Organisation.self, id: UUID(), .revokeRoleGrant(grantID: grant.id), as: f.admin)
        }
        #expect(postponed?.code == .forbidden)
        // With a second administrator for good, the first may go.
        let second = try await f.hire("Second Admin", branch: "head-office", permissions: role.permissions)
        try await f.engine.execute(Organisation.self, id: UUID(), .revokeRoleGrant(grantID: grant.id), as: second)
        #expect(try await f.engine.principal(employeeID: adminID).mayEverywhere(.edit, in: .organisation, at: f.clock.now()) == false)
        await f.close()
    }
}
