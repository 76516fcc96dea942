import CRMAnalytics
import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import Foundation
import Testing

/// The exploratory tester's case on a real LMDB store: a visit's costs and the two-layer ratings of a
/// customer moved from branch north to branch south are south's, for the branch filter and for an analyst
/// scoped to a branch alike (they used to stay north's: the views kept the customer's scope of the day the
/// visit was planned or the rating given).
@Suite struct CostScopeFollowsCustomerEngineTests {
    static let march = RevenueMonth(year: 2026, month: 3)

    struct World {
        let f: EngineFixture
        let customer: UUID
        let northAnalyst: Principal
        let southAnalyst: Principal
    }

    /// Customer C of branch north, visited on 10 March with a 40 CNY transport cost, paired with an agent and a
    /// manager, the manager rating the agent 2 on 11 March.
    func world(_ label: String) async throws -> World {
        let f = try await EngineFixture.make(label)
        f.clock.set(try #require(ISO8601DateFormatter().date(from: "2026-03-01T00:00:00Z")))
        let northAnalyst = try await f.hire("North Analyst", branch: "north",
                                            permissions: [Permission(module: .analysis, actions: [.analyse], scope: .branch("north"))])
        let southAnalyst = try await f.hire("South Analyst", branch: "south",
                                            permissions: [Permission(module: .analysis, actions: [.analyse], scope: .branch("south"))])
        let agent = try await f.hire("Pair Agent", branch: "north", permissions: [Permission(module: .customers, actions: [.query], scope: .own)])
        let manager = try await f.hire("Pair Manager", branch: "north", permissions: [Permission(module: .customers, actions: [.query], scope: .own)])
        let customer = try await f.customer("Customer C", branch: "north")
        let visit = UUID.derived("visit", label)
        try await f.engine.execute(Visit.self, id: visit, .plan(
            id: visit, customerID: customer, visitor: f.admin.id, scheduledAt: try #require(ISO8601DateFormatter().date(from: "2026-03-10T09:00:00Z")),
            contacts: [], agenda: "meter check", place: "Plant"), as: f.admin)
        try await f.engine.execute(Visit.self, id: visit, .addCostLine(Visit.CostLine(
            id: UUID.derived("visit-cost", label), kind: .transport, amount: Money(40, .cny))), as: f.admin)
        let pairing = MaintenancePairing.id(customerID: customer)
        try await f.engine.execute(MaintenancePairing.self, id: pairing, .pair(customerID: customer, agent: agent.id, manager: manager.id), as: f.admin)
        f.clock.set(try #require(ISO8601DateFormatter().date(from: "2026-03-11T09:00:00Z")))
        try await f.engine.execute(MaintenancePairing.self, id: pairing, .giveFeedback(
            feedbackID: UUID.derived("feedback", label), direction: .managerRatesAgent, giver: manager.id, rating: 2, comment: nil, about: nil),
            as: .system)
        f.clock.set(try #require(ISO8601DateFormatter().date(from: "2026-04-02T00:00:00Z")))
        return World(f: f, customer: customer, northAnalyst: northAnalyst, southAnalyst: southAnalyst)
    }

    func move(_ w: World, to branch: String) async throws {
        try await w.f.engine.execute(Customer.self, id: w.customer, .edit(CustomerEdit(branch: .set(branch)), form: .empty(group: "residential")),
                                     as: w.f.admin)
        try await w.f.engine.views.waitUntil(try await w.f.engine.store.headPosition())
    }

    func visitCosts(_ w: World, branch: String? = nil, as principal: Principal) async throws -> [UUID?] {
        var p = CRMEngine.ReportParameters(from: Self.march, through: Self.march, visitCostsBy: .customer)
        p.branch = branch
        return try await w.f.engine.visitCostReport(p, as: principal).map(\.customerID)
    }

    func ratings(_ w: World, branch: String? = nil, as principal: Principal) async throws -> Int {
        var p = CRMEngine.ReportParameters(from: Self.march, through: Self.march)
        p.branch = branch
        return try await w.f.engine.twoLayerReport(p, as: principal).reduce(0) { $0 + $1.ratings }
    }

    @Test func visitCostsFollowTheirCustomerToItsNewBranch() async throws {
        let w = try await world("cost-scope-visits")
        try await w.f.engine.views.waitUntil(try await w.f.engine.store.headPosition())
        #expect(try await visitCosts(w, branch: "north", as: w.f.admin) == [w.customer], "north's before the move")
        #expect(try await visitCosts(w, as: w.northAnalyst) == [w.customer])

        try await move(w, to: "south")
        #expect(try await visitCosts(w, branch: "north", as: w.f.admin).isEmpty, "north no longer shows C")
        #expect(try await visitCosts(w, branch: "south", as: w.f.admin) == [w.customer], "south shows C's costs")
        #expect(try await visitCosts(w, as: w.northAnalyst).isEmpty, "an analyst of north no longer sees C's costs")
        #expect(try await visitCosts(w, as: w.southAnalyst) == [w.customer])

        var costs = CRMEngine.ReportParameters(from: Self.march, through: Self.march, costsBy: .customer)
        #expect(try await w.f.engine.costReport(costs, as: w.northAnalyst).isEmpty, "the cost report alike")
        #expect(try await w.f.engine.costReport(costs, as: w.southAnalyst).map(\.key) == [w.customer.lowercasedString])
        costs.branch = "north"
        #expect(try await w.f.engine.costReport(costs, as: w.f.admin).isEmpty)
        await w.f.close()
    }

    @Test func twoLayerRatingsFollowTheirCustomerToItsNewBranch() async throws {
        let w = try await world("cost-scope-ratings")
        try await w.f.engine.views.waitUntil(try await w.f.engine.store.headPosition())
        #expect(try await ratings(w, as: w.northAnalyst) == 1, "north's before the move")

        try await move(w, to: "south")
        #expect(try await ratings(w, as: w.northAnalyst) == 0, "an analyst of north no longer sees C's ratings")
        #expect(try await ratings(w, as: w.southAnalyst) == 1)
        #expect(try await ratings(w, branch: "north", as: w.f.admin) == 0)
        #expect(try await ratings(w, branch: "south", as: w.f.admin) == 1)
        await w.f.close()
    }
}
