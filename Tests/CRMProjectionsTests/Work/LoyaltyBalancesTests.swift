import CRMDomain
import CRMProjections
import EventSourcing
import Foundation
import Testing

@Suite struct LoyaltyBalancesTests {
    let log = WorkTestLog()
    let projection = LoyaltyBalances()

    func accrue(_ customer: UUID, _ points: Int, reference: String, earned: String, expires: String?) throws {
        try log.run(LoyaltyAccount.self, customer, .accrue(
            customerID: customer, points: points, source: .spend, sourceReference: reference, reason: "spend \(reference)",
            earnedOn: try WorkTestLog.day(earned), expiresOn: try expires.map(WorkTestLog.day)), at: WorkTestLog.start)
    }

    @Test func theBalanceFollowsAccrualsRedemptionsAndExpiriesWithTheLastMovementsFirst() throws {
        let wang = try log.customer("Wang", branch: "north", owner: "emp-1")
        try accrue(wang, 100, reference: "r1", earned: "2026-01-01", expires: "2026-06-01")
        try accrue(wang, 50, reference: "r2", earned: "2026-02-01", expires: nil)
        try log.run(LoyaltyAccount.self, wang, .redeem(redemptionID: UUID.derived("redeem", "1"), points: 30, reason: "gift",
                                                       on: try WorkTestLog.day("2026-03-01")), at: WorkTestLog.start)
        var views = try log.views(projection)
        var account = try #require(try LoyaltyBalances.account(of: wang, in: views))
        #expect(account.balance == 120)
        #expect(account.lastMovements.map(\.points) == [-30, 50, 100])
        #expect(account.scope == RecordScope(branch: "north", group: "residential", owners: ["emp-1"]))
        #expect(try LoyaltyBalances.lots(of: wang, in: views).map(\.remaining).sorted() == [50, 70])

        // Usable points are read from the lots at the day asked: before and after the first lot's expiry.
        #expect(try LoyaltyBalances.balance(of: wang, on: try WorkTestLog.day("2026-05-31"), in: views)?.usable == 120)
        let june = try #require(try LoyaltyBalances.balance(of: wang, on: try WorkTestLog.day("2026-06-01"), in: views))
        #expect(june.usable == 50)
        #expect(june.pendingExpiry == 70)

        try log.run(LoyaltyAccount.self, wang, .expire(asOf: try WorkTestLog.day("2026-06-01")), at: WorkTestLog.start)
        views = try log.views(projection)
        account = try #require(try LoyaltyBalances.account(of: wang, in: views))
        #expect(account.balance == 50)
        #expect(account.expired == 70 && account.redeemed == 30 && account.accrued == 150)
        #expect(account.lastMovements.first?.kind == .expiry)
        #expect(try LoyaltyBalances.lots(of: wang, in: views).map(\.remaining) == [50])
    }

    @Test func onlyTheLastTenMovementsAreKept() throws {
        let wang = try log.customer("Wang", branch: "north", owner: "emp-1")
        for i in 1...12 { try accrue(wang, i, reference: "r\(i)", earned: "2026-01-01", expires: nil) }
        let views = try log.views(projection)
        let account = try #require(try LoyaltyBalances.account(of: wang, in: views))
        #expect(account.lastMovements.map(\.points) == Array((3...12).reversed()))
        #expect(account.balance == 78)
    }

    @Test func accountsArePaginatedFilteredByScopeAndFollowACustomersMove() throws {
        let wang = try log.customer("Wang", branch: "north", owner: "emp-1")
        let li = try log.customer("Li", branch: "south", owner: "emp-2")
        try accrue(wang, 10, reference: "a", earned: "2026-01-01", expires: nil)
        try accrue(li, 20, reference: "b", earned: "2026-01-01", expires: nil)
        var views = try log.views(projection)
        let first = try LoyaltyBalances.accounts(in: views, limit: 1)
        let second = try LoyaltyBalances.accounts(in: views, after: first.next, limit: 1)
        #expect(Set((first.items + second.items).map(\.customerID)) == [wang, li])
        #expect(try LoyaltyBalances.accounts(in: views) { $0.scope.branch == "south" }.items.map(\.customerID) == [li])

        log.move(li, fromBranch: "south", toBranch: "north", owner: ("emp-2", "emp-1"))
        views = try log.views(projection)
        #expect(try LoyaltyBalances.accounts(in: views) { $0.scope.branch == "south" }.items.isEmpty)
    }

    @Test func oneByOneAndBatchedApplyGiveIdenticalTables() throws {
        let wang = try log.customer("Wang", branch: "north", owner: "emp-1")
        try accrue(wang, 100, reference: "r1", earned: "2026-01-01", expires: "2026-06-01")
        log.move(wang, fromBranch: "north", toBranch: "south", owner: ("emp-1", "emp-2"))
        try log.run(LoyaltyAccount.self, wang, .redeem(redemptionID: UUID.derived("redeem", "1"), points: 30, reason: "gift",
                                                       on: try WorkTestLog.day("2026-03-01")), at: WorkTestLog.start)
        try log.expectSameTablesInTwoBatchings(projection)
    }
}
