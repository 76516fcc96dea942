import CRMDomain
import CRMProjections
import EventSourcing
import Foundation
import Testing

/// The revenue cube keeps each entry's charge item, business line and day (R-SAL-6): totals group by them
/// and by quarter and year, and a rebuild in other batchings gives the same tables.
@Suite struct RevenueCubeLinesTests {
    let log = WorkTestLog()
    let projection = RevenueCube()
    let year = (RevenueMonth(year: 2026, month: 1), RevenueMonth(year: 2026, month: 12))

    @discardableResult
    func record(_ name: String, customer: UUID, charge: String, line: String, day: String, amount: Decimal, currency: Currency = .cny) throws -> UUID {
        let id = UUID.derived("entry", name)
        let entry = RevenueLedger.Entry(id: id, customerID: customer, chargeItem: charge, productID: nil, businessLine: line,
                                        date: try WorkTestLog.day(day), amount: Money(amount, currency))
        try log.run(RevenueLedger.self, RevenueLedger.id(customerID: customer), .record(entry), at: WorkTestLog.start)
        return id
    }

    @Test func cellsKeepChargeItemBusinessLineAndDayAndTotalsGroupByThem() throws {
        let wang = try log.customer("Wang", branch: "north", owner: "emp-1")
        try record("1", customer: wang, charge: "monthly fee", line: "gas", day: "2026-01-05", amount: 10)
        try record("2", customer: wang, charge: "monthly fee", line: "gas", day: "2026-01-05", amount: Decimal(string: "0.5") ?? 0)
        try record("3", customer: wang, charge: "monthly fee", line: "water", day: "2026-01-20", amount: 4)
        try record("4", customer: wang, charge: "installation", line: "gas", day: "2026-05-02", amount: 100)
        let views = try log.views(projection)

        // Same day, charge item and line: one cell; another day or line: another cell.
        let cells = try RevenueCube.cells(from: year.0, through: year.1, in: views)
        #expect(cells.map { "\($0.month)-\($0.day) \($0.chargeItem)/\($0.businessLine) \($0.amount) \($0.entries)" }
            == ["2026-01-5 monthly fee/gas 10.5 2", "2026-01-20 monthly fee/water 4 1", "2026-05-2 installation/gas 100 1"])
        #expect(cells.first?.date == (try WorkTestLog.day("2026-01-05")))

        let byCharge = try RevenueCube.totals(by: .chargeItem, from: year.0, through: year.1, in: views)
        #expect(byCharge.map { "\($0.key) \($0.amount)" } == ["installation 100", "monthly fee 14.5"])
        let byLine = try RevenueCube.totals(by: .businessLine, from: year.0, through: year.1, in: views)
        #expect(byLine.map { "\($0.key) \($0.amount) \($0.entries)" } == ["gas 110.5 3", "water 4 1"])
        let byQuarter = try RevenueCube.totals(by: .quarter, from: year.0, through: year.1, in: views)
        #expect(byQuarter.map { "\($0.key) \($0.amount)" } == ["2026-Q1 14.5", "2026-Q2 100"])
        let byYear = try RevenueCube.totals(by: .year, from: year.0, through: year.1, in: views)
        #expect(byYear.map { "\($0.key) \($0.amount)" } == ["2026 114.5"])
    }

    @Test func aLongCJKChargeItemFitsTheKeyAndKeepsItsText() throws {
        let wang = try log.customer("Wang", branch: "north", owner: "emp-1")
        let long = String(repeating: "燃气费", count: 66)
        try record("1", customer: wang, charge: long, line: "燃气", day: "2026-03-31", amount: 8)
        let views = try log.views(projection)
        #expect(try RevenueCube.totals(by: .chargeItem, from: year.0, through: year.1, in: views).map(\.key) == [long])
        #expect(try RevenueCube.customer(wang, from: year.0, through: year.1, in: views).map(\.businessLine) == ["燃气"])
    }

    @Test func aReversedEntryNetsToZeroInItsChargeItemCellAndRebuildsIdentically() throws {
        let wang = try log.customer("Wang", branch: "north", owner: "emp-1")
        let li = try log.customer("Li", branch: "south", owner: "emp-2")
        let wrong = try record("1", customer: wang, charge: "monthly fee", line: "gas", day: "2026-02-01", amount: 99)
        try record("2", customer: li, charge: "installation", line: "heating", day: "2026-02-01", amount: 5, currency: .usd)
        try log.run(RevenueLedger.self, RevenueLedger.id(customerID: wang),
                    .reverse(entryID: wrong, reversalID: UUID.derived("entry", "1r"), reason: "wrong meter"), at: WorkTestLog.start)
        log.move(wang, fromBranch: "north", toBranch: "south", owner: ("emp-1", "emp-2"))
        let views = try log.views(projection)
        let cells = try RevenueCube.cells(from: year.0, through: year.1, in: views)
        #expect(cells.first { $0.chargeItem == "monthly fee" }.map { "\($0.amount) \($0.entries) \($0.reversals) \($0.scope.branch ?? "")" } == "0 1 1 south")
        try log.expectSameTablesInTwoBatchings(projection)
    }
}
