import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// A person names a customer's owner — creating it with one, or giving it to one — only if owning it gives that
/// employee no rights their roles do not give them where it is (or goes): a permission over another branch in
/// a module ownership reaches would otherwise cover it, since every data scope covers one's own records. An
/// account manager could then hand a customer to another branch's employee, who would read it and move it away.
@Suite struct CustomerOwnerRightsTests {
    static func manager(_ branch: String) -> [Permission] {
        [Permission(module: .customers, actions: [.query, .create, .edit], scope: .branch(branch))]
    }

    struct World {
        let f: EngineFixture
        let berlin: Principal
        let berlin2: Principal
        let newYork: Principal
        let ownWorker: Principal
    }

    static func world(_ label: String) async throws -> World {
        let f = try await EngineFixture.make(label)
        return World(f: f,
                     berlin: try await f.hire("Berta", branch: "berlin", permissions: manager("berlin")),
                     berlin2: try await f.hire("Bruno", branch: "berlin", permissions: manager("berlin")),
                     newYork: try await f.hire("Nora", branch: "new-york", permissions: manager("new-york")),
                     ownWorker: try await f.hire("Olga", branch: "field", permissions: [Permission(module: .customers, actions: [.query, .edit], scope: .own)]))
    }

    static func create(_ f: EngineFixture, _ label: String, owner: Principal, as actor: Principal) async throws -> UUID {
        let id = UUID.derived("customer", label)
        try await f.engine.execute(Customer.self, id: id, .create(customerID: id, NewCustomer(
            kind: .person, name: label, group: "residential", branch: "berlin", owner: owner.id), form: .empty(group: "residential")), as: actor)
        return id
    }

    static func giveOwner(_ f: EngineFixture, _ id: UUID, to owner: Principal, as actor: Principal) async throws -> Int {
        try await f.engine.execute(Customer.self, id: id, .edit(CustomerEdit(owner: .set(owner.id)), form: .empty(group: "residential")), as: actor).events.count
    }

    @Test func aCustomerIsNotCreatedForAnotherBranchsEmployeeButForOneOfItsOwn() async throws {
        let w = try await Self.world("customer-owner-create")
        let f = w.f
        try await OwnerRightsTests.expectRefused(f, field: "owner", naming: w.newYork.id,
                                                 actors: [w.berlin, f.admin, .operator(sourceSystem: "crm-cli")]) {
            _ = try await Self.create(f, "to new york", owner: w.newYork, as: $0)
        }
        // Ownership would reach the customer's tickets too.
        let ticketsNewYork = try await f.hire("Tess", branch: "new-york", permissions: [Permission(module: .tickets, actions: [.query, .edit], scope: .branch("new-york"))])
        try await OwnerRightsTests.expectRefused(f, field: "owner", naming: ticketsNewYork.id, actors: [w.berlin]) {
            _ = try await Self.create(f, "to new york's tickets", owner: ticketsNewYork, as: $0)
        }
        _ = try await Self.create(f, "to berlin", owner: w.berlin2, as: w.berlin)
        // Rights ownership does not reach (settings) are no reason to refuse.
        let settingsReader = try await f.hire("Sam", branch: "new-york", permissions: [Permission(module: .settings, actions: [.query], scope: .branch("new-york"))])
        _ = try await Self.create(f, "to a settings reader", owner: settingsReader, as: w.berlin)
        _ = try await Self.create(f, "to own worker", owner: w.ownWorker, as: w.berlin)
        // The system's replayed decisions are not judged.
        _ = try await Self.create(f, "by the system", owner: w.newYork, as: .system)
        await f.close()
    }

    @Test func aCustomerIsNotGivenToAnotherBranchsEmployeeWhoCouldThenReadAndMoveIt() async throws {
        let w = try await Self.world("customer-owner-edit")
        let f = w.f
        let id = try await Self.create(f, "Berlin Water", owner: w.berlin, as: w.berlin)
        try await OwnerRightsTests.expectRefused(f, field: "owner", naming: w.newYork.id, actors: [w.berlin, f.admin]) {
            _ = try await Self.giveOwner(f, id, to: w.newYork, as: $0)
        }
        // Still beyond the New York employee's reach: neither read nor moved.
        await #expect(throws: EngineError.self) { try await f.engine.state(Customer.self, id: id, as: w.newYork) }
        await #expect(throws: EngineError.self) {
            try await f.engine.execute(Customer.self, id: id, .edit(CustomerEdit(branch: .set("new-york")), form: .empty(group: "residential")), as: w.newYork)
        }
        #expect(try await Self.giveOwner(f, id, to: w.berlin2, as: w.berlin) == 1)
        #expect(try await Self.giveOwner(f, id, to: w.ownWorker, as: f.admin) == 1)
        await f.close()
    }

    /// Grants `employee` a second role giving `permissions`.
    static func grant(_ f: EngineFixture, _ employee: Principal, _ label: String, _ permissions: [Permission]) async throws -> Principal {
        let roleID = UUID.derived("role", label)
        try await f.engine.execute(Organisation.self, id: roleID, .defineRole(roleID: roleID, RoleDefinition(name: label, permissions: permissions,
                                                                                                           hiddenFields: []), grantor: .none), as: f.admin)
        let employeeID = try #require(UUID(uuidString: employee.id))
        try await f.engine.execute(Organisation.self, id: roleID, .grantRole(grantID: UUID.derived("grant", label), employeeID: employeeID, roleID: roleID,
                                                                             validity: .always, grantor: .none), as: f.admin)
        return try await f.engine.principal(employeeID: employeeID)
    }

    @Test func anEmployeeOfSeveralBranchesWhoGainsNothingByOwningMayOwnButNotIfOwningShowsAHiddenField() async throws {
        let w = try await Self.world("customer-owner-two-branches")
        let f = w.f
        // The same rights over Berlin and New York: owning a Berlin customer gives nothing more.
        let both = try await Self.grant(f, try await f.hire("Bea", branch: "berlin", permissions: Self.manager("berlin")), "bea-new-york", Self.manager("new-york"))
        _ = try await Self.create(f, "to both", owner: both, as: w.berlin)
        // Berlin hides a field from Hana, New York does not: owning a Berlin customer would show it.
        let hana = try await f.hire("Hana", branch: "berlin", permissions: Self.manager("berlin"),
                                    hidden: [HiddenField(formGroup: "residential", field: "income")])
        let hanaBoth = try await Self.grant(f, hana, "hana-new-york", Self.manager("new-york"))
        try await OwnerRightsTests.expectRefused(f, field: "owner", naming: hanaBoth.id, actors: [w.berlin]) {
            _ = try await Self.create(f, "to hana", owner: hanaBoth, as: $0)
        }
        await f.close()
    }

    @Test func aCustomerIsNotMovedAwayFromItsOwnersPlaceWithItsOwner() async throws {
        let w = try await Self.world("customer-owner-move")
        let f = w.f
        let id = try await Self.create(f, "Berlin Gas", owner: w.berlin2, as: w.berlin)
        let before = try await f.engine.store.headPosition()
        let error = await #expect(throws: EngineError.self) {
            try await f.engine.execute(Customer.self, id: id, .edit(CustomerEdit(branch: .set("new-york")), form: .empty(group: "residential")), as: f.admin)
        }
        #expect(error?.code == .invalid && error?.field == "branch", "\(String(describing: error))")
        #expect(try await f.engine.store.headPosition() == before, "nothing written")
        // Moved with an owner who may work on it there, it moves.
        #expect(try await f.engine.execute(Customer.self, id: id, .edit(CustomerEdit(branch: .set("new-york"), owner: .set(w.newYork.id)),
                                                                        form: .empty(group: "residential")), as: f.admin).events.count >= 1)
        await f.close()
    }
}
