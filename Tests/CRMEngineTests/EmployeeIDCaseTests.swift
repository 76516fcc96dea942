import CRMAnalytics
import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import Foundation
import Testing

/// An employee id a person names in any case is recorded as principals' ids are (lower case): the API and
/// Foundation hand out ids in upper case (`uuidString`), and a record naming one so must still be that
/// employee's own, and a report per employee must hold one row for them.
@Suite struct EmployeeIDCaseTests {
    static let t0 = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00Z, the fixture's start
    static let ownEverywhere = Permission.Module.allCases.map { Permission(module: $0, actions: Permission.Action.allCases, scope: .own) }

    /// The payloads recorded on `stream`, in order.
    static func payloads(_ f: EngineFixture, _ stream: StreamID) async throws -> [any EventPayload] {
        try await f.engine.store.readStream(stream, from: .first, direction: .forward, limit: 100).map { event in
            try event.payload.withUnsafeBytes { try f.engine.registry.decode(event.type, schemaVersion: event.schemaVersion, from: $0) }
        }
    }

    static func task(_ label: String, customer: UUID?, assignee: String, dueIn hours: Double = 2) -> WorkTask.Command {
        .dispatch(taskID: UUID.derived("task", label), details: WorkTask.Details(
            title: label, customerID: customer, kind: .followUp, dueAt: t0 + hours * 3600, branch: "A"), assignee: assignee)
    }

    @Test func theCanonicalFormIsThePrincipalsIdAndAnythingElseStaysAsItIs() throws {
        let id = UUID.derived("employee", "Olga")
        #expect(Employee.canonicalID(id.uuidString) == id.lowercasedString)
        #expect(Employee.canonicalID(id.lowercasedString) == id.lowercasedString)
        #expect(Employee.canonicalID("EMP-7") == "EMP-7" && Employee.canonicalID("") == "")
    }

    @Test func anOwnScopeEmployeeNamedInUpperCaseSeesTheCustomerAndTheTaskAndTheEventsHoldTheCanonicalID() async throws {
        let f = try await EngineFixture.make("employee-id-case")
        let olga = try await f.hire("Olga", branch: "A", permissions: Self.ownEverywhere)
        let upper = try #require(olga.employeeID).uuidString
        #expect(upper != olga.id && upper.lowercased() == olga.id)
        let customer = try await f.customer("Olga's customer", branch: "A", owner: upper)
        let taskID = UUID.derived("task", "olga")
        try await f.engine.execute(WorkTask.self, id: taskID, Self.task("olga", customer: customer, assignee: upper), as: f.admin)
        try await f.engine.views.waitUntil(try await f.engine.store.headPosition())

        // The log holds her id as her principal's.
        let created = try await Self.payloads(f, Customer.stream(customer)).compactMap { $0 as? CustomerCreated }
        #expect(created.map(\.owner) == [olga.id])
        let dispatched = try await Self.payloads(f, WorkTask.stream(taskID)).compactMap { $0 as? TaskDispatched }
        #expect(dispatched.map(\.assignee) == [olga.id])

        // Her list, her board and the task itself are hers.
        #expect(try await f.engine.customers(as: olga).items.map(\.id) == [customer])
        #expect(try await f.engine.state(Customer.self, id: customer, as: olga).state.owner == olga.id)
        #expect(try await f.engine.taskBoard(for: olga.id, as: olga).dueToday.map(\.taskID) == [taskID])
        #expect(try await f.engine.state(WorkTask.self, id: taskID, as: olga).state.assignee == olga.id)
        // A query naming her in upper case means her too.
        #expect(try await f.engine.taskBoard(for: upper, as: olga).dueToday.map(\.taskID) == [taskID])
        #expect(try await f.engine.customers(as: f.admin, filter: CustomerFilter(owner: upper)).items.map(\.id) == [customer])
        #expect(ContactVisitLog.Filter(employee: upper).employee == olga.id)

        // Naming her again in upper case is no change: an edit resending the owner records nothing.
        let edit = try await f.engine.execute(Customer.self, id: customer, .edit(CustomerEdit(owner: .set(upper)), form: .empty(group: "residential")), as: f.admin)
        #expect(edit.events.isEmpty)
        await f.close()
    }

    @Test func everyOtherEmployeeFieldAPersonNamesIsRecordedCanonically() async throws {
        let f = try await EngineFixture.make("employee-id-fields")
        let olga = try await f.hire("Olga", branch: "A", permissions: Self.ownEverywhere)
        let upper = try #require(olga.employeeID).uuidString
        let customer = try await f.customer("Customer", branch: "A", owner: f.admin.id)

        let task = UUID.derived("task", "reassigned")
        try await f.engine.execute(WorkTask.self, id: task, Self.task("reassigned", customer: customer, assignee: f.admin.id), as: f.admin)
        try await f.engine.execute(WorkTask.self, id: task, .reassign(to: upper), as: f.admin)
        #expect(try await f.engine.state(WorkTask.self, id: task, as: f.admin).state.assignee == olga.id)

        let ticket = UUID.derived("ticket", "assigned")
        try await f.engine.execute(Settings.self, id: UUID(), .setSLADeadline(SLADeadline(kind: .consultation, severity: .low, responseMinutes: 60, resolutionMinutes: 480)), as: f.admin)
        try await f.engine.execute(Ticket.self, id: ticket, .open(id: ticket, channel: .phone, kind: .consultation, severity: .low, customerID: customer,
                                                                  subject: "Bill", description: nil, department: "service", sla: nil), as: f.admin)
        try await f.engine.execute(Ticket.self, id: ticket, .assign(assignee: upper), as: f.admin)
        #expect(try await Self.payloads(f, Ticket.stream(ticket)).compactMap { ($0 as? TicketAssigned)?.assignee } == [olga.id])

        let visit = UUID.derived("visit", "planned")
        try await f.engine.execute(Visit.self, id: visit, .plan(id: visit, customerID: customer, visitor: upper, scheduledAt: Self.t0 + 86_400,
                                                                contacts: [], agenda: "meter", place: "site"), as: f.admin)
        #expect(try await f.engine.state(Visit.self, id: visit, as: f.admin).state.visitor == olga.id)

        let pairing = MaintenancePairing.id(customerID: customer)
        try await f.engine.execute(MaintenancePairing.self, id: pairing, .pair(customerID: customer, agent: upper, manager: f.admin.id.uppercased()), as: f.admin)
        let paired = try await f.engine.state(MaintenancePairing.self, id: pairing, as: f.admin).state
        #expect(paired.agent == olga.id && paired.manager == f.admin.id)

        let campaign = UUID.derived("campaign", "owned")
        try await f.engine.execute(Campaign.self, id: campaign, .plan(id: campaign, name: "Spring", objective: "Grow", owner: upper, budget: Money(100, .cny),
                                                                      start: try EngineFixture.day("2026-03-01"), end: try EngineFixture.day("2026-03-31")), as: f.admin)
        try await f.engine.execute(Campaign.self, id: campaign, .assignWorkItem(Campaign.WorkItem(id: UUID.derived("item", "1"), title: "Flyers",
                                                                                                 department: "marketing", person: upper)), as: f.admin)
        let planned = try await f.engine.state(Campaign.self, id: campaign, as: f.admin).state
        #expect(planned.owner == olga.id && planned.workItems.map(\.person) == [olga.id])

        try await f.engine.execute(Settings.self, id: UUID(), .replaceRoutingRules([RoutingRule(name: "all", assignee: upper)]), as: f.admin)
        #expect(try await f.engine.state(Settings.self, id: UUID(), as: f.admin).state.routingRules.map(\.assignee) == [olga.id])

        let definition = UUID.derived("workflowdef", "escalated")
        try await f.engine.execute(WorkflowDefinition.self, id: definition, .define(id: definition, name: "Check", kind: .materialRequest, steps: [
            WorkflowStep(name: "check", approverRole: "departmentManager", deadlineHours: 48, reminderLeadHours: 8, escalateTo: .employee(upper)),
        ]), as: f.admin)
        let steps = try await f.engine.state(WorkflowDefinition.self, id: definition, as: f.admin).state.current?.steps ?? []
        #expect(steps.map(\.escalateTo) == [.employee(olga.id)])
        await f.close()
    }

    @Test func aReportPerEmployeeHoldsOneRowWhicheverCaseTheAssigneeWasNamedIn() async throws {
        let f = try await EngineFixture.make("employee-id-report")
        let olga = try await f.hire("Olga", branch: "A", permissions: Self.ownEverywhere)
        let upper = try #require(olga.employeeID).uuidString
        for (label, assignee) in [("upper", upper), ("lower", olga.id)] {
            let id = UUID.derived("task", label)
            try await f.engine.execute(WorkTask.self, id: id, Self.task(label, customer: nil, assignee: assignee, dueIn: 48), as: f.admin)
            try await f.engine.execute(WorkTask.self, id: id, .complete(resultNote: "done"), as: olga)
        }
        try await f.engine.views.waitUntil(try await f.engine.store.headPosition())
        let month = RevenueMonth(year: 2026, month: 1)
        let rows = try await f.engine.taskCompletionReport(.init(from: month, through: month), as: f.admin)
        #expect(rows.map(\.assignee) == [olga.id] && rows.map(\.onTime) == [2], "\(rows)")
        // Her own report, as an own-scope employee, is the same one row.
        #expect(try await f.engine.taskCompletionReport(.init(from: month, through: month), as: olga).map(\.completed) == [2])
        await f.close()
    }
}
