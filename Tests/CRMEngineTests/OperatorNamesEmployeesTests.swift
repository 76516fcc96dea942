import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// An operator (a person at the command line, `Principal.operator`) acts with the system's rights, but the
/// employees its commands name are judged as anyone's — an active employee, else `invalid` naming the field,
/// nothing written — and recorded in lower case; the engine's own reactions, which replay decisions taken
/// from the log, are neither judged nor rewritten.
@Suite("Operator: named employees judged as a person's")
struct OperatorNamesEmployeesTests {
    static let cli = Principal.operator(sourceSystem: "crm-cli")

    static func task(_ label: String, customer: UUID?, assignee: String) -> WorkTask.Command {
        .dispatch(taskID: UUID.derived("task", label), details: WorkTask.Details(
            title: "Call back", customerID: customer, kind: .followUp, dueAt: Date(timeIntervalSince1970: 1_767_600_000), branch: "A"), assignee: assignee)
    }

    static func newCustomer(_ name: String, owner: String?) -> NewCustomer {
        NewCustomer(kind: .person, name: name, group: "residential", branch: "A", owner: owner)
    }

    @Test func anOperatorNamingAnUnknownOrDeactivatedEmployeeIsRefusedNamingTheFieldAndWritesNothing() async throws {
        let f = try await EngineFixture.make("operator-named")
        let bob = try await f.hire("Bob", branch: "A", permissions: [])
        let bobID = try #require(bob.employeeID)
        try await f.engine.execute(Organisation.self, id: bobID, .deactivate(employeeID: bobID, reason: "left"), as: f.admin)
        let customer = try await f.customer("Customer of A", branch: "A")
        try await f.engine.execute(Settings.self, id: UUID(), .setSLADeadline(SLADeadline(kind: .billingQuery, severity: .low, responseMinutes: 60, resolutionMinutes: 480)), as: f.admin)
        let ticketID = UUID.derived("ticket", "operator")
        try await f.engine.execute(Ticket.self, id: ticketID, .open(id: ticketID, channel: .phone, kind: .billingQuery, severity: .low, customerID: customer,
                                                                   subject: "Meter", description: nil, department: "service", sla: nil), as: f.admin)
        let head = try await f.engine.store.headPosition()
        let unknown = UUID.derived("employee", "nobody").uuidString
        for (label, named, message) in [("mail", "secret@example.com", "no employee has this id"),
                                        ("unknown", unknown, "no employee has this id"),
                                        ("left", bob.id, "the employee is deactivated")] {
            let owned = UUID.derived("customer", label)
            let create = await #expect(throws: EngineError.self, "\(label)") {
                try await f.engine.execute(Customer.self, id: owned, .create(customerID: owned, Self.newCustomer(label, owner: named), form: .empty(group: "residential")),
                                           as: Self.cli)
            }
            #expect(create?.code == .invalid && create?.field == "owner" && create?.message == message, "\(label): \(String(describing: create))")
            // An import checks its rows with a dry run: refused alike.
            let checked = await #expect(throws: EngineError.self, "\(label)") {
                try await f.engine.dryRun(Customer.self, id: owned, .create(customerID: owned, Self.newCustomer(label, owner: named), form: .empty(group: "residential")),
                                          as: Self.cli)
            }
            #expect(checked?.code == .invalid && checked?.field == "owner", "\(label): \(String(describing: checked))")
            let dispatch = await #expect(throws: EngineError.self, "\(label)") {
                try await f.engine.execute(WorkTask.self, id: UUID.derived("task", label), Self.task(label, customer: customer, assignee: named), as: Self.cli)
            }
            #expect(dispatch?.code == .invalid && dispatch?.field == "assignee" && dispatch?.message == message, "\(label): \(String(describing: dispatch))")
            let assign = await #expect(throws: EngineError.self, "\(label)") {
                try await f.engine.execute(Ticket.self, id: ticketID, .assign(assignee: named), as: Self.cli)
            }
            #expect(assign?.code == .invalid && assign?.field == "assignee" && assign?.message == message, "\(label): \(String(describing: assign))")
        }
        #expect(try await f.engine.store.headPosition() == head)
        await f.close()
    }

    @Test func anOperatorsEmployeeIDsAreRecordedInLowerCaseWithTheSystemsRights() async throws {
        let f = try await EngineFixture.make("operator-case")
        // The operator needs no role of its own; the task it hands Alice is judged as a person's dispatch (a role
        // over her own tasks lets her work on it).
        let alice = try await f.hire("Alice", branch: "A", permissions: [Permission(module: .tasks, actions: [.query, .edit], scope: .own)])
        let upper = alice.id.uppercased()
        let customer = UUID.derived("customer", "owned")
        let created = try await f.engine.execute(Customer.self, id: customer, .create(customerID: customer, Self.newCustomer("Owned", owner: upper),
                                                                                      form: .empty(group: "residential")), as: Self.cli)
        #expect(created.events.first?.metadata.actor == "system")
        #expect(created.events.first?.metadata.sourceSystem == "crm-cli")
        #expect(try await f.engine.state(Customer.self, id: customer, as: f.admin).state.owner == alice.id)
        let taskID = UUID.derived("task", "upper")
        try await f.engine.execute(WorkTask.self, id: taskID, Self.task("upper", customer: customer, assignee: upper), as: Self.cli)
        #expect(try await f.engine.state(WorkTask.self, id: taskID, as: f.admin).state.assignee == alice.id)
        // A dry run answers the events as they would be recorded.
        let other = UUID.derived("task", "dry")
        let events = try await f.engine.dryRun(WorkTask.self, id: other, Self.task("dry", customer: customer, assignee: upper), as: Self.cli)
        #expect(WorkTask.replay(events).assignee == alice.id)
        await f.close()
    }

    /// The reactions run as the system and are not judged as a person's: a ticket's rule chain hands its
    /// follow-ups to departments (no employee at all) — the owner's task to the department holding the ticket
    /// when the owner had left by the triggering event (docs/EVENTS.md, notifyOwner).
    @Test func theSystemsReactionsStillNameAnEmployeeWhoHasLeftOrADepartment() async throws {
        #expect(Principal.system.replaysDecisions && Principal.system.isSystem)
        #expect(!Self.cli.replaysDecisions && Self.cli.isSystem && Self.cli.id == "system")
        let f = try await EngineFixture.make("operator-reactions")
        try await f.engine.execute(Settings.self, id: UUID(), .setSLADeadline(SLADeadline(kind: .complaint, severity: .high, responseMinutes: 60, resolutionMinutes: 480)), as: f.admin)
        try await f.engine.execute(Settings.self, id: UUID(), .setTicketRuleChain(TicketRuleChain(kind: .complaint, minimumSeverity: .high, actions: [
            RuleAction(kind: .notifyOwner),
            RuleAction(kind: .createTask, template: "Call the customer back", department: "quality", dueInHours: 4),
        ])), as: f.admin)
        let bob = try await f.hire("Bob", branch: "north", permissions: [])
        let bobID = try #require(bob.employeeID)
        let customer = try await f.customer("Li Wei", branch: "north", owner: bob.id)
        try await f.engine.execute(Organisation.self, id: bobID, .deactivate(employeeID: bobID, reason: "left"), as: f.admin)
        let ticketID = UUID.derived("ticket", "complaint")
        let opened = try await f.engine.execute(Ticket.self, id: ticketID, .open(
            id: ticketID, channel: .phone, kind: .complaint, severity: .high, customerID: customer, subject: "Rude installer", description: nil,
            department: "service", sla: nil), as: Self.cli)
        try await f.engine.reactionsSettled(upTo: opened.position)
        let view = try await f.engine.customer(customer, as: f.admin, consistentWith: try await f.engine.store.headPosition())
        #expect(Set(view.openTasks.map(\.title)) == ["Ticket: Rude installer", "Call the customer back"])
        #expect(Set(view.openTasks.compactMap(\.owner)) == ["service", "quality"])
        await f.close()
    }
}
