import CRMAnalytics
import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import Foundation
import Testing

/// The visit cost report (R-SRV-4) on a real LMDB store: costs summed by visit, customer, month and place,
/// per kind and currency, kept to what the principal may analyse. Branch A is in Shanghai (UTC+8), B in UTC.
@Suite struct VisitCostQueriesTests {
    static let march = RevenueMonth(year: 2026, month: 3), april = RevenueMonth(year: 2026, month: 4)

    static func at(_ text: String) throws -> Date { try #require(ISO8601DateFormatter().date(from: text)) }

    struct World {
        let f: EngineFixture
        let manager: Principal  // analysis over branch A
        let accountManager: Principal  // analysis over the records they own
        let customerA: UUID
        let customerA2: UUID
        let customerB: UUID
        let visits: [String: UUID]
    }

    /// Visits: a1 (customer A, Alice's "Head Office", Mar 10) transport 100 + lodging 300 CNY; a2 (customer A,
    /// " head office", 17:00Z Mar 31 = April 1 in Shanghai) transport 40 CNY + entertainment 20 USD; a3
    /// (customer A2, owned by the account manager, "Plant 2", recorded actual at "Depot", Mar 12) lodging 60
    /// CNY; b1 (customer B, "Head Office", Mar 20) transport 500 CNY.
    func world(_ label: String) async throws -> World {
        let f = try await EngineFixture.make(label)
        f.clock.set(try Self.at("2026-03-01T00:00:00Z"))
        try await f.engine.execute(Settings.self, id: UUID(), .setBranchTimeZone(branch: "A", timeZoneID: "Asia/Shanghai"), as: f.admin)
        let manager = try await f.hire("Mona Manager", branch: "A", permissions: [
            Permission(module: .analysis, actions: [.analyse], scope: .branch("A")),
            Permission(module: .visits, actions: [.query], scope: .branch("A")),
        ])
        let accountManager = try await f.hire("Kai Account", branch: "A", permissions: [
            Permission(module: .analysis, actions: [.analyse], scope: .own),
            Permission(module: .visits, actions: [.query, .create, .edit], scope: .own),
        ])
        let a = try await f.customer("Visit cost A", branch: "A")
        let a2 = try await f.customer("Visit cost A2", branch: "A", owner: accountManager.id)
        let b = try await f.customer("Visit cost B", branch: "B")
        var visits: [String: UUID] = [:]
        for (label, customer, at, place, visitor) in [
            ("a1", a, "2026-03-10T02:00:00Z", "Head Office", f.admin.id), ("a2", a, "2026-03-31T17:00:00Z", " head office", f.admin.id),
            ("a3", a2, "2026-03-12T02:00:00Z", "Plant 2", accountManager.id), ("b1", b, "2026-03-20T10:00:00Z", "Head Office", f.admin.id),
        ] {
            let id = UUID.derived("visit", label)
            visits[label] = id
            try await f.engine.execute(Visit.self, id: id, .plan(id: id, customerID: customer, visitor: visitor, scheduledAt: try Self.at(at),
                                                                 contacts: [], agenda: "review", place: place), as: f.admin)
        }
        let costs: [(String, Visit.CostKind, Int, Currency)] = [
            ("a1", .transport, 100, .cny), ("a1", .lodging, 300, .cny), ("a2", .transport, 40, .cny),
            ("a2", .entertainment, 20, .usd), ("a3", .lodging, 60, .cny), ("b1", .transport, 500, .cny),
        ]
        for (n, (label, kind, amount, currency)) in costs.enumerated() {
            let visit = try #require(visits[label])
            try await f.engine.execute(Visit.self, id: visit, .addCostLine(Visit.CostLine(
                id: UUID.derived("visit-cost", "\(n)"), kind: kind, amount: Money(Decimal(amount), currency))), as: f.admin)
        }
        f.clock.set(try Self.at("2026-04-05T00:00:00Z"))
        try await f.engine.execute(Visit.self, id: try #require(visits["a3"]), .recordActual(Visit.Actual(
            date: try EngineFixture.day("2026-03-12"), place: "Depot", summary: "done")), as: f.admin)
        try await f.engine.views.waitUntil(try await f.engine.store.headPosition())
        return World(f: f, manager: manager, accountManager: accountManager, customerA: a, customerA2: a2, customerB: b, visits: visits)
    }

    func lines(_ rows: [CostLedger.VisitCostTotal]) -> [String] {
        rows.map { "\($0.key) \($0.kind.rawValue) \($0.amount) \($0.currency.rawValue) \($0.visits)" }
    }

    @Test func costsSumByPlaceMonthCustomerAndVisitForTheWholeOrganisation() async throws {
        let w = try await world("visit-costs-all")
        let engine = w.f.engine
        let both = CRMEngine.ReportParameters(from: Self.march, through: Self.april, visitCostsBy: .place)
        let byPlace = try await engine.visitCostReport(both, as: w.f.admin)
        #expect(lines(byPlace) == ["depot lodging 60 CNY 1", "head office transport 640 CNY 3", "head office lodging 300 CNY 1",
                                   "head office entertainment 20 USD 1"])
        #expect(byPlace.map { $0.place ?? "-" } == ["Depot", "Head Office", "Head Office", "Head Office"], "shown as most visits recorded it")

        var p = both
        p.visitCostsBy = .month
        #expect(lines(try await engine.visitCostReport(p, as: w.f.admin)) == [
            "2026-03 transport 600 CNY 2", "2026-03 lodging 360 CNY 2", "2026-04 transport 40 CNY 1", "2026-04 entertainment 20 USD 1",
        ], "a2 is April's in Shanghai")

        p.visitCostsBy = .customer
        let byCustomer = try await engine.visitCostReport(p, as: w.f.admin)
        #expect(byCustomer.filter { $0.customerID == w.customerA }.map { "\($0.kind.rawValue) \($0.amount) \($0.currency.rawValue) \($0.visits)" }
            == ["transport 140 CNY 2", "lodging 300 CNY 1", "entertainment 20 USD 1"])

        p.visitCostsBy = .visit
        p.through = Self.march
        let byVisit = try await engine.visitCostReport(p, as: w.f.admin)
        let a1 = try #require(w.visits["a1"]).lowercasedString
        #expect(byVisit.filter { $0.key == a1 }.map { "\($0.kind.rawValue) \($0.amount)" } == ["transport 100", "lodging 300"])
        #expect(byVisit.first { $0.key == a1 }?.day == LocalDate(year: 2026, month: 3, day: 10))
        #expect(!byVisit.contains { $0.key == w.visits["a2"]?.lowercasedString }, "a2 is April's")

        let table = try await engine.report(.visitCosts, p, as: w.f.admin)
        #expect(table.header == ["key", "customer", "day", "place", "kind", "currency", "amount", "visits"])
        #expect(table.rows.contains([a1, w.customerA.lowercasedString, "2026-03-10", "Head Office", "lodging", "CNY", "300", "1"]))
        await w.f.close()
    }

    @Test func aScopedEmployeeOfBranchASeesNoneOfBranchBsVisitCosts() async throws {
        let w = try await world("visit-costs-scope")
        let engine = w.f.engine
        let p = CRMEngine.ReportParameters(from: Self.march, through: Self.april, visitCostsBy: .place)
        let managers = try await engine.visitCostReport(p, as: w.manager)
        #expect(lines(managers) == ["depot lodging 60 CNY 1", "head office transport 140 CNY 2", "head office lodging 300 CNY 1",
                                    "head office entertainment 20 USD 1"], "b1's 500 in branch B is left out")
        var byCustomer = p
        byCustomer.visitCostsBy = .customer
        #expect(!(try await engine.visitCostReport(byCustomer, as: w.manager)).contains { $0.customerID == w.customerB })

        // The account manager analyses their own records only: the visit to their customer.
        let own = try await engine.visitCostReport(byCustomer, as: w.accountManager)
        #expect(own.map { "\($0.customerID == w.customerA2) \($0.kind.rawValue) \($0.amount)" } == ["true lodging 60"])

        // A branch filter narrows what the principal may see, never widens it.
        var branchB = p
        branchB.branch = "B"
        #expect(try await engine.visitCostReport(branchB, as: w.manager).isEmpty)
        #expect(lines(try await engine.visitCostReport(branchB, as: w.f.admin)) == ["head office transport 500 CNY 1"])
        await w.f.close()
    }

    @Test func visitAndCustomerGroupingsAuditTheCustomersTheyName() async throws {
        let w = try await world("visit-costs-audit")
        let since = w.f.clock.now()
        _ = try await w.f.engine.visitCostReport(.init(from: Self.march, through: Self.april, visitCostsBy: .visit), as: w.accountManager)
        _ = try await w.f.engine.visitCostReport(.init(from: Self.march, through: Self.april, visitCostsBy: .place), as: w.manager)
        w.f.clock.advance(by: 1)
        let audited = try w.f.engine.readAudit(from: since, to: w.f.clock.now(), as: w.f.admin)
        #expect(audited.map(\.record) == [Customer.stream(w.customerA2).rawValue] && audited.allSatisfy { $0.principal == w.accountManager.id })
        await w.f.close()
    }
}
