import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import Foundation
import Testing

/// Hidden fields are decided per customer scope: an employee whose role over Berlin hides `salary` and whose
/// role over Hamburg hides nothing sees `salary` on Hamburg customers only.
@Suite struct HiddenFieldScopeEngineTests {
    static let rights: [Permission.Action] = [.query, .create, .edit]

    /// A residential form with `salary` and `floor`; Mia, holding X (customers of Berlin, `salary` hidden) and
    /// Y (customers of Hamburg, nothing hidden); a customer in each branch with both fields set.
    func berlinAndHamburg(_ label: String) async throws -> (f: EngineFixture, mia: Principal, berlin: UUID, hamburg: UUID, head: GlobalPosition) {
        let f = try await EngineFixture.make(label)
        try await f.engine.execute(CustomerForm.self, id: CustomerForm.id(group: "residential"), .define(group: "residential", fields: [
            FieldDefinition(name: "salary", label: "Salary", type: .text),
            FieldDefinition(name: "floor", label: "Floor", type: .text),
        ]), as: f.admin)
        let miaID = UUID.derived("employee", "Mia")
        _ = try await f.hire("Mia", branch: "berlin", permissions: [Permission(module: .customers, actions: Self.rights, scope: .branch("berlin"))],
                             hidden: [HiddenField(formGroup: "residential", field: "salary")])
        let y = UUID.derived("role", "Mia", "hamburg")
        try await f.engine.execute(Organisation.self, id: y, .defineRole(roleID: y, RoleDefinition(
            name: "Hamburg reader", permissions: [Permission(module: .customers, actions: Self.rights, scope: .branch("hamburg"))], hiddenFields: []),
            grantor: .none), as: f.admin)
        try await f.engine.execute(Organisation.self, id: y, .grantRole(grantID: UUID.derived("grant", "Mia", "hamburg"), employeeID: miaID, roleID: y,
                                                                      validity: .always, grantor: .none), as: f.admin)
        let mia = try await f.engine.principal(employeeID: miaID)
        var ids: [UUID] = []
        var head = GlobalPosition.start
        for branch in ["berlin", "hamburg"] {
            let id = UUID.derived("customer", branch)
            let created = try await f.engine.execute(Customer.self, id: id, .create(customerID: id, NewCustomer(
                kind: .person, name: "Customer in \(branch)", group: "residential", branch: branch,
                customFields: ["salary": .text("90000"), "floor": .text("3")]), form: .empty(group: "residential")), as: f.admin)
            let edited = try await f.engine.execute(Customer.self, id: id, .edit(CustomerEdit(setCustomFields: ["salary": .text("95000")]),
                                                                                 form: .empty(group: "residential")), as: f.admin)
            ids.append(id)
            head = max(created.position, edited.position)
        }
        return (f, mia, ids[0], ids[1], head)
    }

    @Test func aFieldHiddenInBerlinIsLeftOutOfBerlinCustomersOnlyInCustomer360() async throws {
        let (f, mia, berlin, hamburg, head) = try await berlinAndHamburg("hidden-scope-360")
        #expect(try await f.engine.customer(berlin, as: mia, consistentWith: head).profile.customFields.map(\.field) == ["floor"])
        #expect(try await f.engine.customer(hamburg, as: mia, consistentWith: head).profile.customFields.map(\.field).sorted() == ["floor", "salary"])
        #expect(try await f.engine.customerRead(berlin, as: mia).isComplete == false)
        #expect(try await f.engine.customerForm(of: berlin, as: mia).fields.map(\.name) == ["floor"])
        #expect(try await f.engine.customerForm(of: hamburg, as: mia).fields.map(\.name).sorted() == ["floor", "salary"])
        await f.close()
    }

    @Test func aFieldHiddenInBerlinIsLeftOutOfBerlinCustomersOnlyInRecordQueries() async throws {
        let (f, mia, berlin, hamburg, head) = try await berlinAndHamburg("hidden-scope-record")
        #expect(try await f.engine.state(Customer.self, id: berlin, as: mia).state.customFields.keys.sorted() == ["floor"])
        #expect(try await f.engine.state(Customer.self, id: hamburg, as: mia).state.customFields.keys.sorted() == ["floor", "salary"])
        let listed = try await f.engine.records(Customer.self, as: mia)
        #expect(listed.first { $0.id == berlin }?.state.customFields.keys.sorted() == ["floor"])
        #expect(listed.first { $0.id == hamburg }?.state.customFields.keys.sorted() == ["floor", "salary"])
        let paged = try await f.engine.records(Customer.self, as: mia, consistentWith: head)
        #expect(paged.first { $0.id == berlin }?.state.customFields.keys.sorted() == ["floor"])
        // The raw events of a Berlin customer hold the value: not for Mia, who does not read the whole log.
        let raw = await #expect(throws: EngineError.self) { try await f.engine.events(of: Customer.stream(berlin), as: mia) }
        #expect(raw?.code == .forbidden)
        await f.close()
    }

    @Test func aFieldHiddenInBerlinIsLeftOutOfBerlinCustomersOnlyInHistory() async throws {
        let (f, mia, berlin, hamburg, head) = try await berlinAndHamburg("hidden-scope-history")
        func fields(_ entries: [HistoryEntry]) -> Set<String> { Set(entries.flatMap { $0.changes.map(\.field) }) }
        let berlinTrail = try await f.engine.history(of: Customer.stream(berlin), as: mia, consistentWith: head)
        #expect(!fields(berlinTrail).contains("custom.salary"))
        #expect(fields(berlinTrail).contains("custom.floor"))
        #expect(!fields(try await f.engine.history(ofCustomer: berlin, as: mia, consistentWith: head)).contains("custom.salary"))
        #expect(fields(try await f.engine.history(of: Customer.stream(hamburg), as: mia, consistentWith: head)).contains("custom.salary"))
        #expect(fields(try await f.engine.history(ofCustomer: hamburg, as: mia, consistentWith: head)).contains("custom.salary"))
        await f.close()
    }

    @Test func aFieldHiddenInBerlinCanBeNeitherSetThereNorShownByMovingTheCustomer() async throws {
        let (f, mia, berlin, hamburg, _) = try await berlinAndHamburg("hidden-scope-write")
        let before = try await f.engine.store.headPosition()
        let set = await #expect(throws: EngineError.self) {
            try await f.engine.execute(Customer.self, id: berlin, .edit(CustomerEdit(setCustomFields: ["salary": .text("1")]), form: .empty(group: "residential")), as: mia)
        }
        #expect(set?.code == .forbidden && set?.field == "customFields.salary")
        // Moving the Berlin customer to Hamburg, where Mia sees `salary`, would show its value.
        let moved = await #expect(throws: EngineError.self) {
            try await f.engine.execute(Customer.self, id: berlin, .edit(CustomerEdit(branch: .set("hamburg")), form: .empty(group: "residential")), as: mia)
        }
        #expect(moved?.code == .forbidden && moved?.field == "branch")
        #expect(try await f.engine.store.headPosition() == before, "nothing written")
        // In Hamburg the field is hers to change, and a Hamburg customer may move to Berlin (hiding it).
        try await f.engine.execute(Customer.self, id: hamburg, .edit(CustomerEdit(setCustomFields: ["salary": .text("1")]), form: .empty(group: "residential")), as: mia)
        try await f.engine.execute(Customer.self, id: hamburg, .edit(CustomerEdit(branch: .set("berlin")), form: .empty(group: "residential")), as: mia)
        #expect(try await f.engine.state(Customer.self, id: hamburg, as: mia).state.customFields.keys.sorted() == ["floor"])
        await f.close()
    }
}
