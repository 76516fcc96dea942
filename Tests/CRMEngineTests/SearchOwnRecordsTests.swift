import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import Foundation
import Testing

/// Combined search (R-ANA-6) honours the scope the engine reads a record by: an employee whose rights cover
/// only their own records finds their own ticket (as its assignee), opportunity (as its owner) and quote (as its
/// first author) by a word of its title — and never a peer's record holding the same word.
@Suite struct SearchOwnRecordsTests {
    /// Query rights over one's own tickets and opportunities (and edit: a ticket is assigned, an opportunity
    /// given, only to someone who may work on it) and quotes, and creating quotes in branch A (a quote's author
    /// is whoever creates it).
    static let ownRights = [
        Permission(module: .tickets, actions: [.query, .edit], scope: .own),
        Permission(module: .opportunities, actions: [.query, .edit], scope: .own),
        Permission(module: .quotes, actions: [.query], scope: .own),
        Permission(module: .quotes, actions: [.create], scope: .branch("A")),
    ]

    struct World {
        let f: EngineFixture
        let olga: Principal, peter: Principal
        /// Each employee's ticket, opportunity and quote, all holding the word "boiler".
        let records: [String: [UUID]]
    }

    /// One customer of branch A (owned by nobody); Olga and Peter each get a ticket "Boiler leak" assigned, an
    /// opportunity "Boiler upgrade" they own and a quote numbered `Q-BOILER-…` they wrote.
    func world(_ label: String) async throws -> World {
        let f = try await EngineFixture.make(label)
        try await f.meterProduct()
        try await f.engine.execute(Settings.self, id: UUID(), .setSLADeadline(SLADeadline(kind: .faultRepair, severity: .high, responseMinutes: 60,
                                                                                        resolutionMinutes: 480)), as: f.admin)
        let olga = try await f.hire("Olga", branch: "A", permissions: Self.ownRights)
        let peter = try await f.hire("Peter", branch: "A", permissions: Self.ownRights)
        let customer = try await f.customer("Acme Heating", branch: "A")
        var records: [String: [UUID]] = [:]
        for (sequence, (name, employee)) in [("Olga", olga), ("Peter", peter)].enumerated() {
            let ticket = UUID.derived("ticket", employee.id), opportunity = UUID.derived("opportunity", employee.id)
            let quote = UUID.derived("quote", employee.id)
            try await f.engine.execute(Ticket.self, id: ticket, .open(id: ticket, channel: .phone, kind: .faultRepair, severity: .high, customerID: customer,
                                                                     subject: "Boiler leak", description: nil, department: "service", sla: nil), as: f.admin)
            try await f.engine.execute(Ticket.self, id: ticket, .assign(assignee: employee.id), as: f.admin)
            try await f.engine.execute(Opportunity.self, id: opportunity, .open(opportunityID: opportunity, details: Opportunity.Details(
                customerID: customer, title: "Boiler upgrade", source: "visit", expectedRevenue: Money(1_000, .cny),
                closeDate: try EngineFixture.day("2026-06-30")), pipeline: .default, stage: nil, owner: employee.id), as: f.admin)
            try await f.engine.execute(Quote.self, id: quote, .create(
                quoteID: quote, customerID: customer, customerCode: "BOILER", date: try EngineFixture.day("2026-01-02"), sequence: sequence + 1,
                draft: ScopeTestsPart2.draft, authorRole: "role of \(name)", limits: []), as: employee)
            records[employee.id] = [ticket, opportunity, quote]
        }
        try await f.engine.views.waitUntil(try await f.engine.store.headPosition())
        return World(f: f, olga: olga, peter: peter, records: records)
    }

    @Test func anOwnerScopedEmployeeFindsTheirOwnTicketOpportunityAndQuoteButNotAPeers() async throws {
        let w = try await world("search-own-records")
        let olgas = try #require(w.records[w.olga.id]), peters = try #require(w.records[w.peter.id])
        // She may read each of her own records…
        #expect(try await w.f.engine.state(Ticket.self, id: olgas[0], as: w.olga).state.subject == "Boiler leak")
        // …and the search finds them, and only them.
        let found = try await w.f.engine.search("boiler", as: w.olga)
        #expect(Set(found.map(\.id)) == Set(olgas), "\(found.map { "\($0.kind) \($0.id)" })")
        #expect(Set(found.map(\.kind)) == [.ticket, .opportunity, .quote])
        #expect(Set(try await w.f.engine.search("boiler", as: w.peter).map(\.id)) == Set(peters))
        // The administrator finds all six.
        #expect(try await w.f.engine.search("boiler", as: w.f.admin).filter { $0.kind != .customer }.count == 6)
        await w.f.close()
    }

    /// Her own records are found by their own words only: not through the name of a customer she may not see
    /// (it would tell the name word by word), and their hits do not tell that customer's branch or owner.
    @Test func aRecordFoundThroughItsCustomersNameIsAHitOnlyForWhoMaySeeTheCustomer() async throws {
        let w = try await world("search-own-customer-name")
        let olgas = try #require(w.records[w.olga.id])
        let own = try await w.f.engine.search("boiler", as: w.olga)
        #expect(Set(own.map(\.id)) == Set(olgas))
        #expect(own.allSatisfy { $0.scope == RecordScope(owners: [w.olga.id]) }, "\(own.map(\.scope))")
        #expect(try await w.f.engine.search("boiler acme", as: w.olga).isEmpty)
        #expect(try await w.f.engine.search("acme heating", as: w.olga).isEmpty)
        // Whoever may see the customer finds them through its name, with the customer's scope.
        let all = try await w.f.engine.search("boiler acme", as: w.f.admin)
        #expect(Set(all.map(\.id)).isSuperset(of: Set(olgas)))
        #expect(all.allSatisfy { $0.scope.branch == "A" })
        await w.f.close()
    }

    @Test func aRecordGivenToSomeoneElseLeavesItsFormerOwnersSearch() async throws {
        let w = try await world("search-own-reassigned")
        let olgas = try #require(w.records[w.olga.id])
        // Her opportunity goes to Peter, her ticket to another department (no assignee).
        try await w.f.engine.execute(Opportunity.self, id: olgas[1], .assignByManager(owner: w.peter.id, reason: "holiday"), as: w.f.admin)
        try await w.f.engine.execute(Ticket.self, id: olgas[0], .handOver(toDepartment: "field", reason: nil), as: w.f.admin)
        try await w.f.engine.views.waitUntil(try await w.f.engine.store.headPosition())
        #expect(try await w.f.engine.search("boiler", as: w.olga).map(\.id) == [olgas[2]])
        #expect(try await w.f.engine.search("boiler upgrade", as: w.peter).count == 2)
        await w.f.close()
    }

    /// The other way round: a contact log entry has no owner of its own (the engine reads it by its customer's
    /// scope alone), so whoever logged it with rights over their own records only may not read it — and the
    /// search does not show it to them either, while a visit they made is theirs in both.
    @Test func aContactLogEntryIsFoundOnlyByWhoMayReadIt() async throws {
        let f = try await EngineFixture.make("search-own-contact-log")
        let lena = try await f.hire("Lena", branch: "A", permissions: [.contacts, .visits].flatMap { module in
            [Permission(module: module, actions: module == .visits ? [.query, .edit] : [.query], scope: .own),  // a visitor may work on their visit
             Permission(module: module, actions: [.create], scope: .branch("A"))]
        } + [Permission(module: .customers, actions: [.query], scope: .branch("A"))])  // a record is created only about a customer one may see
        let customer = try await f.customer("Acme Heating", branch: "A")
        let (entry, visit) = try await ActivityOwnRecordsTests.callAndVisit(f, customer, by: lena, tag: "lena")
        let read = await #expect(throws: EngineError.self) { try await f.engine.state(ContactLogEntry.self, id: entry, as: lena) }
        #expect(read?.code == .notFound)
        #expect(try await f.engine.state(Visit.self, id: visit, as: lena).state.agenda == "Radiator check")
        #expect(try await f.engine.search("radiator", as: lena).map(\.id) == [visit])
        #expect(Set(try await f.engine.search("radiator", as: f.admin).map(\.id)) == [entry, visit])
        await f.close()
    }
}
