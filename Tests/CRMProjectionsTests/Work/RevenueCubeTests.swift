import CRMDomain
import CRMProjections
import EventSourcing
import Foundation
import Testing

@Suite struct RevenueCubeTests {
    let log = WorkTestLog()
    let projection = RevenueCube()
    let gas = UUID.derived("product", "gas")
    let water = UUID.derived("product", "water")
    let q1 = (RevenueMonth(year: 2026, month: 1), RevenueMonth(year: 2026, month: 3))

    @discardableResult
    func record(_ name: String, customer: UUID, product: UUID?, day: String, amount: Decimal, currency: Currency = .cny) throws -> UUID {
        let id = UUID.derived("entry", name)
        let entry = RevenueLedger.Entry(id: id, customerID: customer, chargeItem: "monthly fee", productID: product, businessLine: "gas",
                                        date: try WorkTestLog.day(day), amount: Money(amount, currency))
        try log.run(RevenueLedger.self, RevenueLedger.id(customerID: customer), .record(entry), at: WorkTestLog.start)
        return id
    }

    @Test func entriesAndReversalsSumExactlyPerMonthProductCustomerAndCurrency() throws {
        let wang = try log.customer("Wang", branch: "north", owner: "emp-1")
        let li = try log.customer("Li", branch: "south", owner: "emp-2")
        try record("1", customer: wang, product: gas, day: "2026-01-05", amount: Decimal(string: "10.10") ?? 0)
        try record("2", customer: wang, product: gas, day: "2026-01-20", amount: Decimal(string: "0.20") ?? 0)
        let wrong = try record("3", customer: wang, product: water, day: "2026-02-01", amount: 99)
        try log.run(RevenueLedger.self, RevenueLedger.id(customerID: wang),
                    .reverse(entryID: wrong, reversalID: UUID.derived("entry", "3r"), reason: "wrong meter"), at: WorkTestLog.start)
        try record("4", customer: li, product: gas, day: "2026-03-31", amount: 5, currency: .usd)
        try record("5", customer: li, product: nil, day: "2026-04-01", amount: 7)
        try record("6", customer: li, product: gas, day: "2025-12-31", amount: 7)
        let views = try log.views(projection)

        let byProduct = try RevenueCube.totals(by: .product, from: q1.0, through: q1.1, in: views)
        let gasKey = gas.uuidString.lowercased()
        let waterKey = water.uuidString.lowercased()
        #expect(byProduct.filter { $0.key == gasKey }.map { "\($0.currency) \($0.amount) \($0.entries)" } == ["CNY 10.3 2", "USD 5 1"])
        #expect(byProduct.first { $0.key == waterKey }.map { "\($0.amount) \($0.entries) \($0.reversals)" } == "0 1 1")

        let byMonth = try RevenueCube.totals(by: .month, from: q1.0, through: q1.1, in: views)
        #expect(byMonth.map { "\($0.key) \($0.currency) \($0.amount)" } == ["2026-01 CNY 10.3", "2026-02 CNY 0", "2026-03 USD 5"])

        let byCustomer = try RevenueCube.totals(by: .customer, from: q1.0, through: RevenueMonth(year: 2026, month: 4), in: views)
        #expect(byCustomer.filter { $0.key == li.uuidString.lowercased() }.map { "\($0.currency) \($0.amount)" } == ["CNY 7", "USD 5"])

        let byCurrency = try RevenueCube.totals(by: .currency, from: RevenueMonth(year: 2025, month: 1), through: RevenueMonth(year: 2027, month: 1),
                                                in: views)
        #expect(byCurrency.map { "\($0.key) \($0.amount)" } == ["CNY 24.3", "USD 5"])
    }

    @Test func cellsCarryTheCustomerScopeForFilteringAndFollowAMove() throws {
        let wang = try log.customer("Wang", branch: "north", owner: "emp-1")
        let li = try log.customer("Li", branch: "south", owner: "emp-2")
        try record("1", customer: wang, product: gas, day: "2026-01-05", amount: 10)
        try record("2", customer: li, product: gas, day: "2026-01-06", amount: 20)
        var views = try log.views(projection)
        let north = try RevenueCube.totals(by: .product, from: q1.0, through: q1.1, in: views) { $0.scope.branch == "north" }
        #expect(north.map(\.amount) == [10])
        #expect(try RevenueCube.customer(wang, from: q1.0, through: q1.1, in: views).map(\.scope)
            == [RecordScope(branch: "north", group: "residential", owners: ["emp-1"])])

        log.move(li, fromBranch: "south", toBranch: "north", owner: ("emp-2", "emp-1"))
        views = try log.views(projection)
        let moved = try RevenueCube.totals(by: .product, from: q1.0, through: q1.1, in: views) { $0.scope.branch == "north" }
        #expect(moved.map(\.amount) == [30])
        #expect(try RevenueCube.cells(from: q1.0, through: q1.1, in: views).allSatisfy { $0.scope.branch == "north" })
    }

    @Test func anImportedBatchAddsEveryEntry() throws {
        let wang = try log.customer("Wang", branch: "north", owner: "emp-1")
        let entries = try (1...3).map { i in
            RevenueLedger.Entry(id: UUID.derived("batch-entry", "\(i)"), customerID: wang, chargeItem: "usage", productID: gas,
                                businessLine: "gas", date: try WorkTestLog.day("2026-02-1\(i)"), amount: Money(Decimal(i), .cny))
        }
        try log.run(RevenueLedger.self, RevenueLedger.id(customerID: wang),
                    .importBatch(RevenueLedger.BatchSource(system: "billing", batchID: "b1"), entries: entries, readings: []), at: WorkTestLog.start)
        let views = try log.views(projection)
        let cells = try RevenueCube.cells(from: q1.0, through: q1.1, in: views)
        // One cell per day (a report converts each at its day's rate); the month sums them.
        #expect(cells.map { "\($0.month)-\($0.day) \($0.amount) \($0.entries)" } == ["2026-02-11 1 1", "2026-02-12 2 1", "2026-02-13 3 1"])
        #expect(try RevenueCube.totals(by: .month, from: q1.0, through: q1.1, in: views).map { "\($0.key) \($0.amount) \($0.entries)" } == ["2026-02 6 3"])
    }

    @Test func oneByOneAndBatchedApplyGiveIdenticalTables() throws {
        let wang = try log.customer("Wang", branch: "north", owner: "emp-1")
        try record("1", customer: wang, product: gas, day: "2026-01-05", amount: Decimal(string: "10.10") ?? 0)
        let e = try record("2", customer: wang, product: nil, day: "2026-01-05", amount: 3)
        log.move(wang, fromBranch: "north", toBranch: "south", owner: ("emp-1", "emp-2"))
        try log.run(RevenueLedger.self, RevenueLedger.id(customerID: wang),
                    .reverse(entryID: e, reversalID: UUID.derived("entry", "2r"), reason: "duplicate"), at: WorkTestLog.start)
        try log.expectSameTablesInTwoBatchings(projection)
    }
}
