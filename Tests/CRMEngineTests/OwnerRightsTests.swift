import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// A person hands a customer's opportunity, contract or visit only to an employee who may work on it: `edit` in
/// the record's module over the customer's branch (or a role over one's own records of it) — not through the
/// ownership the hand-over itself gives. Anyone else is refused `invalid`, naming the field, with nothing
/// written; an operator is judged too, the system's replayed decisions are not.
@Suite struct OwnerRightsTests {
    static func worker(_ module: Permission.Module, _ branch: String) -> [Permission] {
        [Permission(module: module, actions: [.query, .create, .edit], scope: .branch(branch)),
         Permission(module: .customers, actions: [.query], scope: .branch(branch))]
    }

    struct World {
        let f: EngineFixture
        let berlin: Principal
        let newYork: Principal
        let ownWorker: Principal
        let customer: UUID
    }

    static func world(_ label: String, _ module: Permission.Module) async throws -> World {
        let f = try await EngineFixture.make(label)
        let berlin = try await f.hire("Berta", branch: "berlin", permissions: worker(module, "berlin"))
        let newYork = try await f.hire("Nora", branch: "new-york", permissions: worker(module, "new-york"))
        let ownWorker = try await f.hire("Olga", branch: "field", permissions: [Permission(module: module, actions: [.query, .edit], scope: .own)])
        return World(f: f, berlin: berlin, newYork: newYork, ownWorker: ownWorker, customer: try await f.customer("Berlin Water", branch: "berlin"))
    }

    /// Expects every actor's command to be refused `invalid`, naming `field`, without the employee's id, and nothing written.
    static func expectRefused(_ f: EngineFixture, field: String, naming id: String, actors: [Principal],
                              _ run: (Principal) async throws -> Void) async throws {
        let before = try await f.engine.store.headPosition()
        for actor in actors {
            let error = await #expect(throws: EngineError.self) { try await run(actor) }
            #expect(error?.code == .invalid && error?.field == field, "\(String(describing: error))")
            #expect(error?.message.contains(id) == false)
        }
        #expect(try await f.engine.store.headPosition() == before, "nothing written")
    }

    static func open(_ id: UUID, customer: UUID, owner: String) -> Opportunity.Command {
        .open(opportunityID: id, details: Opportunity.Details(customerID: customer, title: "Heat pump", source: "visit",
                                                              expectedRevenue: Money(8_000, .cny), closeDate: LocalDate(year: 2026, month: 9, day: 30)!),
              pipeline: .default, stage: nil, owner: owner)
    }

    @Test func anOpportunityIsNotOpenedForAnotherBranchsSellerButForOneOfItsOwn() async throws {
        let w = try await Self.world("owner-rights-open", .opportunities)
        let f = w.f
        func open(_ label: String, owner: Principal, as actor: Principal) async throws -> Int {
            let id = UUID.derived("opportunity", label)
            return try await f.engine.execute(Opportunity.self, id: id, Self.open(id, customer: w.customer, owner: owner.id), as: actor).events.count
        }
        try await Self.expectRefused(f, field: "owner", naming: w.newYork.id, actors: [w.berlin, f.admin, .operator(sourceSystem: "crm-cli")]) {
            _ = try await open("to new york", owner: w.newYork, as: $0)
        }
        #expect(try await open("to berlin", owner: w.berlin, as: f.admin) >= 1)
        #expect(try await open("to own worker", owner: w.ownWorker, as: w.berlin) >= 1)
        // The system's replayed decisions are not judged.
        #expect(try await open("by the system", owner: w.newYork, as: .system) >= 1)
        await f.close()
    }

    @Test func anOpportunityIsNotGivenToAnotherBranchsSellerButToOneOfItsOwn() async throws {
        let w = try await Self.world("owner-rights-assign", .opportunities)
        let f = w.f
        let berlin2 = try await f.hire("Bruno", branch: "berlin", permissions: Self.worker(.opportunities, "berlin"))
        let id = UUID.derived("opportunity", "assigned")
        try await f.engine.execute(Opportunity.self, id: id, Self.open(id, customer: w.customer, owner: w.berlin.id), as: w.berlin)
        try await Self.expectRefused(f, field: "owner", naming: w.newYork.id, actors: [w.berlin, f.admin]) {
            try await f.engine.execute(Opportunity.self, id: id, .assignByManager(owner: w.newYork.id, reason: nil), as: $0)
        }
        #expect(try await f.engine.execute(Opportunity.self, id: id, .assignByManager(owner: berlin2.id, reason: nil), as: w.berlin).events.count == 1)
        #expect(try await f.engine.execute(Opportunity.self, id: id, .assignByManager(owner: w.ownWorker.id, reason: nil), as: f.admin).events.count == 1)
        await f.close()
    }

    @Test func aContractIsNotDraftedForAnotherBranchsOwnerButForOneOfItsOwn() async throws {
        let w = try await Self.world("owner-rights-contract", .contracts)
        let f = w.f
        try await f.meterProduct()
        let quote = UUID.derived("quote", "owner-rights")
        try await f.engine.execute(Quote.self, id: quote, .create(quoteID: quote, customerID: w.customer, customerCode: "OWR", date: try EngineFixture.day("2026-01-01"),
                                                                  sequence: 1, draft: ScopeTestsPart2.draft, authorRole: "Administrator", limits: []), as: f.admin)
        try await f.engine.execute(Quote.self, id: quote, .accept, as: f.admin)
        func draft(_ label: String, owner: Principal, as actor: Principal) async throws -> Int {
            let id = UUID.derived("contract", label)
            return try await f.engine.execute(Contract.self, id: id, .draft(id: id, customerID: w.customer, owner: owner.id, branch: "berlin", title: label,
                                                                            quoteID: quote, quoteNumber: "", lines: ScopeTestsPart2.lines,
                                                                            terms: ScopeTestsPart2.terms), as: actor).events.count
        }
        try await Self.expectRefused(f, field: "owner", naming: w.newYork.id, actors: [w.berlin, f.admin, .operator(sourceSystem: "crm-cli")]) {
            _ = try await draft("to new york", owner: w.newYork, as: $0)
        }
        #expect(try await draft("to berlin", owner: w.berlin, as: f.admin) >= 1)
        #expect(try await draft("to own worker", owner: w.ownWorker, as: f.admin) >= 1)
        #expect(try await draft("by the system", owner: w.newYork, as: .system) >= 1)
        await f.close()
    }

    @Test func aVisitIsNotPlannedForAnotherBranchsVisitorButForOneOfItsOwn() async throws {
        let w = try await Self.world("owner-rights-visit", .visits)
        let f = w.f
        func plan(_ label: String, visitor: Principal, as actor: Principal) async throws -> Int {
            let id = UUID.derived("visit", label)
            return try await f.engine.execute(Visit.self, id: id, .plan(id: id, customerID: w.customer, visitor: visitor.id,
                                                                        scheduledAt: f.clock.now().addingTimeInterval(86_400), contacts: [],
                                                                        agenda: "review", place: "site"), as: actor).events.count
        }
        try await Self.expectRefused(f, field: "visitor", naming: w.newYork.id, actors: [w.berlin, f.admin, .operator(sourceSystem: "crm-cli")]) {
            _ = try await plan("to new york", visitor: w.newYork, as: $0)
        }
        #expect(try await plan("to berlin", visitor: w.berlin, as: f.admin) == 1)
        #expect(try await plan("to own worker", visitor: w.ownWorker, as: w.berlin) == 1)
        #expect(try await plan("by the system", visitor: w.newYork, as: .system) == 1)
        await f.close()
    }
}
