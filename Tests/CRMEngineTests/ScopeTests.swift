import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import Foundation
import Testing

/// Data scope (R-ORG-2), table-driven: an employee with every right over branch A can neither change nor
/// read anything of branch B — every command kind the engine executes, every query kind it answers —
/// while the same commands and queries succeed for an employee of branch B (so the table can fail).
@Suite struct ScopeTests {
    /// One command kind, run against branch B's customer `customerID` by `principal`.
    struct CommandCase: Sendable, CustomTestStringConvertible {
        let name: String
        let run: @Sendable (CRMEngine, UUID, Principal) async throws -> Void
        var testDescription: String { name }
    }

    static let allRights = Permission.Module.allCases.map { Permission(module: $0, actions: Permission.Action.allCases, scope: .branch("A")) }
    static let allRightsB = Permission.Module.allCases.map { Permission(module: $0, actions: Permission.Action.allCases, scope: .branch("B")) }
    /// Every right over `branch` (an owner of its customers, who gains nothing there by owning them).
    static func allRights(in branch: String) -> [Permission] {
        Permission.Module.allCases.map { Permission(module: $0, actions: Permission.Action.allCases, scope: .branch(branch)) }
    }

    static func n(_ label: String, _ customer: UUID) -> UUID { UUID.derived(label, customer.uuidString) }

    static let commands: [CommandCase] = [
        CommandCase(name: "customer edit") { e, c, p in
            try await e.execute(Customer.self, id: c, .edit(CustomerEdit(name: "Renamed"), form: .empty(group: "residential")), as: p) },
        CommandCase(name: "customer activate") { e, c, p in try await e.execute(Customer.self, id: c, .activate, as: p) },
        CommandCase(name: "customer external key") { e, c, p in
            try await e.execute(Customer.self, id: c, .setExternalKey(ExternalKey(system: "billing", key: "X-\(c.uuidString.prefix(4))")), as: p) },
        CommandCase(name: "customer appointment") { e, c, p in
            try await e.execute(Customer.self, id: c, .scheduleAppointment(id: n("appt", c), kind: .install, at: Date(timeIntervalSince1970: 1_767_400_000), address: "2 Side St", note: nil), as: p) },
        CommandCase(name: "contact create") { e, c, p in
            let id = n("contact", c)
            try await e.execute(Contact.self, id: id, .create(contactID: id, NewContact(customerID: c, name: "Zhang Min", role: .primary)), as: p) },
        CommandCase(name: "task dispatch") { e, c, p in
            let id = n("task", c)
            try await e.execute(WorkTask.self, id: id, .dispatch(taskID: id, details: WorkTask.Details(
                title: "Call back", customerID: c, kind: .followUp, dueAt: Date(timeIntervalSince1970: 1_767_300_000)), assignee: p.id), as: p) },
        CommandCase(name: "ticket open") { e, c, p in
            let id = n("ticket", c)
            try await e.execute(Ticket.self, id: id, .open(id: id, channel: .phone, kind: .faultRepair, severity: .high, customerID: c,
                                                          subject: "No water", description: nil, department: "service", sla: nil), as: p) },
        CommandCase(name: "visit plan") { e, c, p in
            let id = n("visit", c)
            try await e.execute(Visit.self, id: id, .plan(id: id, customerID: c, visitor: p.id, scheduledAt: Date(timeIntervalSince1970: 1_767_500_000),
                                                         contacts: [], agenda: "Review", place: "On site"), as: p) },
        CommandCase(name: "contact log") { e, c, p in
            let id = n("log", c)
            try await e.execute(ContactLogEntry.self, id: id, .log(id: id, customerID: c, details: ContactLogEntry.Details(
                channel: .phone, subject: "Asked about the bill", occurredAt: Date(timeIntervalSince1970: 1_767_220_000))), as: p) },
        CommandCase(name: "opportunity open") { e, c, p in
            let id = n("opportunity", c)
            try await e.execute(Opportunity.self, id: id, .open(opportunityID: id, details: Opportunity.Details(
                customerID: c, title: "Upgrade", source: "visit", expectedRevenue: Money(1000, .cny), closeDate: try #require(LocalDate(year: 2026, month: 6, day: 30))),
                pipeline: .default, stage: nil, owner: p.id), as: p) },
        // Last: an archived customer refuses further changes.
        CommandCase(name: "customer archive") { e, c, p in try await e.execute(Customer.self, id: c, .archive(reason: "gone"), as: p) },
    ]

    /// Sets up branch A's and branch B's customers, an employee with all rights in each branch, and a ticket SLA.
    func world() async throws -> (EngineFixture, a: Principal, b: Principal, customerA: UUID, customerB: UUID) {
        let f = try await EngineFixture.make("scope")
        try await f.engine.execute(Settings.self, id: UUID(), .setSLADeadline(SLADeadline(kind: .faultRepair, severity: .high, responseMinutes: 60, resolutionMinutes: 480)), as: f.admin)
        let a = try await f.hire("Alice", branch: "A", permissions: Self.allRights)
        let b = try await f.hire("Bob", branch: "B", permissions: Self.allRightsB)
        let customerA = try await f.customer("Customer of A", branch: "A")
        let customerB = try await f.customer("Customer of B", branch: "B")
        return (f, a, b, customerA, customerB)
    }

    @Test(arguments: commands)
    func anEmployeeOfBranchACannotChangeBranchBsRecords(_ command: CommandCase) async throws {
        let (f, a, b, _, customerB) = try await world()
        let head = try await f.engine.store.headPosition()
        let error = await #expect(throws: EngineError.self) { try await command.run(f.engine, customerB, a) }
        #expect(error?.code == .notFound || error?.code == .forbidden, "\(command.name): \(String(describing: error))")
        #expect(try await f.engine.store.headPosition() == head, "\(command.name) wrote events")
        // The same command is allowed to branch B's own employee.
        try await command.run(f.engine, customerB, b)
        #expect(try await f.engine.store.headPosition() > head)
        await f.close()
    }

    @Test func everyQueryHidesBranchBFromAnEmployeeOfBranchA() async throws {
        let (f, a, b, customerA, customerB) = try await world()
        // Give both customers related records of every kind, as their own branch's employee.
        for command in Self.commands where command.name != "customer archive" {
            try await command.run(f.engine, customerA, a)
            try await command.run(f.engine, customerB, b)
        }
        let head = try await f.engine.store.headPosition()
        try await f.engine.views.waitUntil(head)

        await #expect(throws: EngineError.self) { try await f.engine.customer(customerB, as: a) }
        await #expect(throws: EngineError.self) { try await f.engine.state(Customer.self, id: customerB, as: a) }
        await #expect(throws: EngineError.self) { try await f.engine.history(of: Customer.stream(customerB), as: a) }
        await #expect(throws: EngineError.self) { try await f.engine.history(of: WorkTask.stream(Self.n("task", customerB)), as: a) }
        await #expect(throws: EngineError.self) { try await f.engine.history(ofCustomer: customerB, as: a) }
        let listed = try await f.engine.customers(as: a).items.map(\.id)
        #expect(listed.contains(customerA) && !listed.contains(customerB))
        let found = try await f.engine.search("Renamed", as: a)
        #expect(!found.isEmpty && found.allSatisfy { $0.customerID != customerB && $0.id != customerB })
        let logged = try await f.engine.activity(as: a, text: "bill")
        #expect(!logged.isEmpty && logged.allSatisfy { $0.customerID == customerA })
        #expect(try await f.engine.activity(as: a, filter: .init(customerID: customerB)).isEmpty)

        // Branch B's employee sees them (the checks above can fail).
        let seen = try await f.engine.customer(customerB, as: b)
        #expect(seen.openTasks.count == 1 && seen.openTickets.count == 1 && seen.contacts.count == 1)
        #expect(try await f.engine.history(ofCustomer: customerB, as: b).count > 3)
        #expect(try await f.engine.search("Renamed", as: b).contains { $0.id == customerB })
        await f.close()
    }

    /// A residential form with `income` and `floor`, a viewer of branch A from whom `income` is hidden, and a
    /// customer of branch A with both fields set (income 90000, floor 3).
    func hiddenIncome(_ label: String) async throws -> (f: EngineFixture, viewer: Principal, id: UUID) {
        let f = try await EngineFixture.make(label)
        try await f.engine.execute(CustomerForm.self, id: CustomerForm.id(group: "residential"), .define(group: "residential", fields: [
            FieldDefinition(name: "income", label: "Income", type: .text),
            FieldDefinition(name: "floor", label: "Floor", type: .text),
        ]), as: f.admin)
        let viewer = try await f.hire("Viewer", branch: "A", permissions: Self.allRights, hidden: [HiddenField(formGroup: "residential", field: "income")])
        let id = UUID.derived("customer", "Hidden")
        try await f.engine.execute(Customer.self, id: id, .create(customerID: id, NewCustomer(
            kind: .person, name: "Hidden Income", group: "residential", branch: "A", customFields: ["income": .text("90000"), "floor": .text("3")]),
            form: .empty(group: "residential")), as: f.admin)
        return (f, viewer, id)
    }

    @Test func aHiddenFieldNeverAppearsInAnyQueryResult() async throws {
        let (f, viewer, id) = try await hiddenIncome("hidden")
        let edit = try await f.engine.execute(Customer.self, id: id, .edit(CustomerEdit(setCustomFields: ["income": .text("95000"), "floor": .text("4")]), form: .empty(group: "residential")), as: f.admin)
        let view = try await f.engine.customer(id, as: viewer, consistentWith: edit.position)
        #expect(view.profile.customFields.map(\.field) == ["floor"])
        let history = try await f.engine.history(of: Customer.stream(id), as: viewer)
        #expect(history.allSatisfy { entry in entry.changes.allSatisfy { $0.field != "custom.income" } })
        #expect(history.contains { entry in entry.changes.contains { $0.field == "custom.floor" } })
        let whole = try await f.engine.history(ofCustomer: id, as: viewer)
        #expect(whole.allSatisfy { entry in entry.changes.allSatisfy { $0.field != "custom.income" } })
        // The record's state now, as of a past point, and in the list of every customer.
        #expect(try await f.engine.state(Customer.self, id: id, as: viewer).state.customFields.keys.sorted() == ["floor"])
        #expect(try await f.engine.state(Customer.self, id: id, asOf: .position(edit.position), as: viewer).state.customFields.keys.sorted() == ["floor"])
        let listed = try await f.engine.records(Customer.self, as: viewer).first { $0.id == id }
        #expect(listed?.state.customFields.keys.sorted() == ["floor"])
        let paged = try await f.engine.records(Customer.self, as: viewer, consistentWith: edit.position).first { $0.id == id }
        #expect(paged?.state.customFields.keys.sorted() == ["floor"])
        // The raw events hold the value: the viewer, who does not read the whole log, does not get them.
        let raw = await #expect(throws: EngineError.self) { try await f.engine.events(of: Customer.stream(id), as: viewer) }
        #expect(raw?.code == .forbidden)
        // The administrator, who hides nothing, sees it.
        #expect(try await f.engine.customer(id, as: f.admin).profile.customFields.map(\.field).sorted() == ["floor", "income"])
        #expect(try await f.engine.state(Customer.self, id: id, as: f.admin).state.customFields.keys.sorted() == ["floor", "income"])
        #expect(try await f.engine.events(of: Customer.stream(id), as: f.admin).count == 2)
        await f.close()
    }

    @Test func aHiddenFieldCanBeNeitherSetNorClearedNorProbedByWhomItIsHiddenFrom() async throws {
        let (f, viewer, id) = try await hiddenIncome("hidden-write")
        let head = try await f.engine.store.headPosition()
        let attempts: [CustomerEdit] = [
            CustomerEdit(setCustomFields: ["income": .text("1")]),          // overwrite
            CustomerEdit(clearCustomFields: ["income"]),                     // clear
            CustomerEdit(setCustomFields: ["income": .text("90000")]),      // the right guess: no "nothing changed" answer
            CustomerEdit(setCustomFields: ["floor": .text("4"), "income": .text("2")]),
        ]
        for edit in attempts {
            let refused = await #expect(throws: EngineError.self) {
                try await f.engine.execute(Customer.self, id: id, .edit(edit, form: .empty(group: "residential")), as: viewer)
            }
            #expect(refused?.code == .forbidden && refused?.field == "customFields.income", "\(String(describing: refused))")
        }
        // Nor on a new customer.
        let other = UUID.derived("customer", "Other")
        let create = await #expect(throws: EngineError.self) {
            try await f.engine.execute(Customer.self, id: other, .create(customerID: other, NewCustomer(
                kind: .person, name: "Other", group: "residential", branch: "A", customFields: ["income": .text("5")]),
                form: .empty(group: "residential")), as: viewer)
        }
        #expect(create?.code == .forbidden)
        #expect(try await f.engine.store.headPosition() == head, "nothing written")
        // The fields they see stay theirs to change.
        try await f.engine.execute(Customer.self, id: id, .edit(CustomerEdit(setCustomFields: ["floor": .text("4")]), form: .empty(group: "residential")), as: viewer)
        await f.close()
    }
}
