import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// A customer's group must be a known one — a group whose customer form is defined — once any form exists
/// (R-CUS-1, R-CUS-2): a mistyped group would otherwise get no form and skip its validation.
@Suite("Engine: customer groups are known groups")
struct CustomerGroupRegistryTests {
    /// Defines a group's form and waits for the views, whose `customer-groups` answers for unknown groups.
    private func defineForm(_ f: EngineFixture, _ group: String, fields: [FieldDefinition] = []) async throws {
        let defined = try await f.engine.execute(CustomerForm.self, id: CustomerForm.id(group: group), .define(group: group, fields: fields), as: f.admin)
        try await f.engine.views.waitUntil(defined.position)
    }

    private func create(_ f: EngineFixture, _ name: String, group: String, fields: [String: FieldValue] = [:]) async throws -> UUID {
        let id = UUID.derived("customer", name)
        try await f.engine.execute(Customer.self, id: id, .create(customerID: id, NewCustomer(
            kind: .person, name: name, group: group, branch: "north", customFields: fields), form: .empty(group: group)), as: f.admin)
        return id
    }

    /// The refusal of an unknown group: `invalid`, field `group`, the known groups named, nothing written.
    private func expectUnknownGroup(_ f: EngineFixture, stream: StreamID, naming known: [String], _ body: () async throws -> Void) async throws {
        let before = try await f.engine.store.headPosition()
        let error = await #expect(throws: EngineError.self) { try await body() }
        #expect(error?.code == .invalid)
        #expect(error?.field == "group")
        for group in known { #expect(error?.message.contains(group) == true, "\(error?.message ?? "")") }
        #expect(try await f.engine.store.headPosition() == before, "nothing is written")
        _ = stream
    }

    @Test func aStoreWithoutAnyFormAcceptsEveryGroup() async throws {
        let f = try await EngineFixture.make("groups-fresh")
        #expect(try await f.engine.customerGroups().isEnforced == false)
        let id = try await create(f, "Li Wei", group: "anything")
        #expect(try await f.engine.state(Customer.self, id: id, as: f.admin).state.group == "anything")
        await f.close()
    }

    @Test func onceAFormExistsAMistypedGroupIsRefusedNamingTheKnownGroupsAndNothingIsWritten() async throws {
        let f = try await EngineFixture.make("groups-typo")
        try await defineForm(f, "residential", fields: [FieldDefinition(name: "meterType", label: "Meter type", type: .enumeration,
                                                                          required: true, options: ["gas", "water"])])
        try await defineForm(f, "business")
        let typo = UUID.derived("customer", "Typo")
        try await expectUnknownGroup(f, stream: Customer.stream(typo), naming: ["residential", "business"]) {
            _ = try await create(f, "Typo", group: "residental")
        }
        #expect(try await f.engine.store.streamVersion(of: Customer.stream(typo)) == .noStream)
        // The closest known group is named first.
        let error = await #expect(throws: EngineError.self) { _ = try await create(f, "Typo", group: "residental") }
        let message = error?.message ?? ""
        let residential = try #require(message.range(of: "residential")), business = try #require(message.range(of: "business"))
        #expect(residential.lowerBound < business.lowerBound, "\(message)")
        // A known group is accepted, and its form's validation applies: the required field is asked for.
        let missing = await #expect(throws: EngineError.self) { _ = try await create(f, "Li Wei", group: "residential") }
        #expect(missing?.field == "meterType")
        _ = try await create(f, "Li Wei", group: "residential", fields: ["meterType": .option("gas")])
        // A form without fields registers a group: it is known at once (the view may lag; the check does not).
        try await defineForm(f, "sme")
        _ = try await create(f, "Acme", group: "sme")
        await f.close()
    }

    @Test func anEditMovingACustomerToAnUnknownGroupIsRefusedAndToAKnownOneAccepted() async throws {
        let f = try await EngineFixture.make("groups-edit")
        try await defineForm(f, "residential")
        try await defineForm(f, "business")
        let id = try await create(f, "Li Wei", group: "residential")
        let version = try await f.engine.store.streamVersion(of: Customer.stream(id))
        try await expectUnknownGroup(f, stream: Customer.stream(id), naming: ["business", "residential"]) {
            try await f.engine.execute(Customer.self, id: id, .edit(CustomerEdit(group: "busines"), form: .empty(group: "busines")), as: f.admin)
        }
        #expect(try await f.engine.store.streamVersion(of: Customer.stream(id)) == version)
        try await f.engine.execute(Customer.self, id: id, .edit(CustomerEdit(group: "business"), form: .empty(group: "business")), as: f.admin)
        #expect(try await f.engine.state(Customer.self, id: id, as: f.admin).state.group == "business")
        await f.close()
    }

    @Test func aCustomerInAGroupNoLongerKnownStaysEditableAndTransferableButCannotMoveToAnotherUnknownGroup() async throws {
        let f = try await EngineFixture.make("groups-legacy")
        // Created before any form existed, in a group that never got one.
        let id = try await create(f, "Old Timer", group: "legacy")
        try await defineForm(f, "residential")
        #expect(try await f.engine.customerGroups().names == ["residential"])
        // Edits that keep the group work, naming the group or not.
        try await f.engine.execute(Customer.self, id: id, .edit(CustomerEdit(name: "Old Timer Sr"), form: .empty(group: "legacy")), as: f.admin)
        try await f.engine.execute(Customer.self, id: id, .edit(CustomerEdit(group: "legacy", community: .set("harbour")), form: .empty(group: "legacy")), as: f.admin)
        // So do the lifecycle commands: a transfer of ownership does not change the group.
        try await f.engine.execute(Customer.self, id: id, .activate, as: f.admin)
        try await f.engine.execute(Customer.self, id: id, .transferOwnership(newHolder: "Young Timer", effective: try EngineFixture.day("2026-01-01")), as: f.admin)
        let state = try await f.engine.state(Customer.self, id: id, as: f.admin).state
        #expect(state.name == "Old Timer Sr" && state.community == "harbour" && state.group == "legacy" && state.accountHolder == "Young Timer")
        // Moving to another unknown group is refused; to a known one, accepted.
        try await expectUnknownGroup(f, stream: Customer.stream(id), naming: ["residential"]) {
            try await f.engine.execute(Customer.self, id: id, .edit(CustomerEdit(group: "legacy-2"), form: .empty(group: "legacy-2")), as: f.admin)
        }
        try await f.engine.execute(Customer.self, id: id, .edit(CustomerEdit(group: "residential"), form: .empty(group: "residential")), as: f.admin)
        await f.close()
    }

    @Test func theKnownGroupsSurviveReopeningTheEngine() async throws {
        let f = try await EngineFixture.make("groups-reopen")
        try await defineForm(f, "residential")
        await f.closeEngine()
        let engine = try await CRMEngine.open(at: f.directory, configuration: .init(clock: f.clock, durability: .noSync))
        #expect(try await engine.customerGroups().names == ["residential"])
        let admin = try await engine.principal(employeeID: try #require(f.admin.employeeID))
        let id = UUID.derived("customer", "Typo")
        await #expect(throws: EngineError.self) {
            try await engine.execute(Customer.self, id: id, .create(customerID: id, NewCustomer(kind: .person, name: "Typo", group: "Residential"),
                                                                     form: .empty(group: "Residential")), as: admin)
        }
        await engine.close()
        try? FileManager.default.removeItem(atPath: f.directory)
    }

    @Test func theClosestKnownGroupsComeFirstAndAreAtMostFive() {
        let known = CustomerGroups(["residential", "business", "key-account", "sme", "enterprise", "public", "vip"])
        #expect(known.closest(to: "residental", limit: 5).first == "residential")
        #expect(known.closest(to: "Business", limit: 2).first == "business")
        #expect(known.closest(to: "x", limit: 5).count == 5)
        #expect(throws: DomainError.self) { try known.validate("residental") }
        #expect(throws: Never.self) { try known.validate("legacy", unlessUnchangedFrom: "legacy") }
        #expect(throws: Never.self) { try CustomerGroups([String]()).validate("anything") }
    }

    /// A group name of 100 characters that are 8 bytes each (flags) is longer than LMDB's key limit: the
    /// customer-groups view keys its rows by the form's id, keeps going, and still knows the group after a
    /// reopen (seeded from the view).
    @Test func aGroupNameLongerThanAKeyIsKnownAndTheViewKeepsGoing() async throws {
        let f = try await EngineFixture.make("groups-long-name")
        let long = String(repeating: "🇨🇳", count: 100)
        #expect(long.utf8.count > 511)
        try await defineForm(f, long)
        let head = try await f.engine.store.headPosition()
        try await f.engine.views.waitUntil(head)
        let id = try await create(f, "Flag Fan", group: long)
        try await expectUnknownGroup(f, stream: Customer.stream(UUID()), naming: []) { _ = try await create(f, "Typo", group: "residental") }
        let directory = f.directory
        await f.closeEngine()
        let engine = try await CRMEngine.open(at: directory, configuration: .init(clock: f.clock, durability: .noSync))
        #expect(try await engine.customerGroups().isEnforced)
        try await engine.execute(Customer.self, id: id, .edit(CustomerEdit(name: "Flag Fan Two"), form: .empty(group: long)), as: f.admin)
        await engine.close()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
