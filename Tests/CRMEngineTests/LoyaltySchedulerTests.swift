import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import EventStoreLMDB
import Foundation
import Testing

/// The scheduler's loyalty work (R-CUS-8) over a real LMDB store with a manual clock: tenure points on
/// anniversaries and the expiry of lapsed points, each recorded once however often and wherever it runs.
@Suite struct LoyaltySchedulerTests {
    static let tenureRule = LoyaltyAccrualRule(source: .tenure, points: 100, validityMonths: 12)

    func instant(_ text: String) throws -> Date {
        try #require(ISO8601DateFormatter().date(from: text))
    }

    /// The customer's tenure lots; none when it has no points account at all.
    func tenureLots(_ f: EngineFixture, _ customer: UUID, engine: CRMEngine? = nil) async throws -> [LoyaltyAccount.Lot] {
        do {
            return try await (engine ?? f.engine).state(LoyaltyAccount.self, id: customer, as: f.admin).state.lots.filter { $0.source == .tenure }
        } catch let error as EngineError where error.code == .notFound {
            return []
        }
    }

    @Test func anAnniversaryGrantsTenurePointsOnceAcrossRunsNodesAndRestarts() async throws {
        let f = try await EngineFixture.make("loyalty-tenure")
        try await f.engine.execute(Settings.self, id: UUID(), .replaceLoyaltyAccrualRules([Self.tenureRule]), as: f.admin)
        // A customer since 1 January 2026 (created active; the clock's now).
        let id = UUID.derived("customer", "Loyal")
        try await f.engine.execute(Customer.self, id: id, .create(customerID: id, NewCustomer(
            kind: .person, name: "Loyal Customer", group: "residential", branch: "north", status: .active), form: .empty(group: "residential")), as: f.admin)
        #expect(try await f.engine.runScheduledWork().tenurePointsGranted == 0, "no full year yet")
        f.clock.set(try instant("2026-12-31T23:59:00Z"))
        #expect(try await f.engine.runScheduledWork().tenurePointsGranted == 0, "the day before the anniversary")

        // The first anniversary: two runs at once (as two nodes would) and one more grant one lot.
        f.clock.set(try instant("2027-01-01T06:00:00Z"))
        async let a = f.engine.runScheduledWork()
        async let b = f.engine.runScheduledWork()
        let (first, second) = try await (a, b)
        #expect(first.tenurePointsGranted + second.tenurePointsGranted == 1)
        let head = try await f.engine.store.headPosition()
        #expect(try await f.engine.runScheduledWork().tenurePointsGranted == 0)
        #expect(try await f.engine.store.headPosition() == head, "a second run writes nothing")
        let lots = try await tenureLots(f, id)
        #expect(lots.count == 1)
        let anniversary = try EngineFixture.day("2027-01-01")
        let lapses = try EngineFixture.day("2028-01-01")
        #expect(lots.first?.points == 100 && lots.first?.earnedOn == anniversary)
        #expect(lots.first?.expiresOn == lapses)
        #expect(try await f.engine.loyalty(of: id, as: f.admin, consistentWith: head).usable == 100)

        // After a restart (the node that reopens the directory), later the same month: nothing again.
        await f.closeEngine()
        f.clock.set(try instant("2027-01-20T06:00:00Z"))
        let node = try await CRMEngine.open(at: f.directory, configuration: .init(clock: f.clock, durability: .noSync))
        #expect(try await node.runScheduledWork().tenurePointsGranted == 0)
        #expect(try await node.store.headPosition() == head)

        // The server was down on the second anniversary: the next run catches it up, earned on the day
        // itself; the first year's lot lapsed that day and is recorded as expired by the same run.
        f.clock.set(try instant("2028-01-05T06:00:00Z"))
        let caughtUp = try await node.runScheduledWork()
        #expect(caughtUp.tenurePointsGranted == 1 && caughtUp.pointsExpired == 1)
        let later = try await tenureLots(f, id, engine: node)
        #expect(later.map(\.earnedOn) == [try EngineFixture.day("2027-01-01"), try EngineFixture.day("2028-01-01")])
        #expect(later.map(\.remaining) == [0, 100])
        let balance = try await node.loyalty(of: id, as: f.admin, consistentWith: try await node.store.headPosition())
        #expect(balance.usable == 100 && balance.account.accrued == 200 && balance.account.expired == 100 && balance.account.balance == 100)
        #expect(balance.account.lastMovements.map(\.kind) == [.expiry, .accrual, .accrual])
        await node.close()
        try? FileManager.default.removeItem(atPath: f.directory)
    }

    @Test func twoNodesSharingOneLogGrantAnAnniversaryAndExpireItsPointsOnce() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crm-engine-tests-loyalty-nodes-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory + "/log", withIntermediateDirectories: true)
        let clock = ManualClock(try instant("2026-01-01T00:00:00Z"))
        let log = try LMDBEventStore(directory: directory + "/log", options: .init(durability: .noSync), clock: clock)
        // Two engines over one log, each with its own views: what two servers sharing a log are.
        let one = try await CRMEngine.open(store: log, views: directory + "/one", configuration: .init(clock: clock))
        let two = try await CRMEngine.open(store: log, views: directory + "/two", configuration: .init(clock: clock))
        let adminID = UUID.derived("employee", "admin")
        let (admin, _) = try await one.bootstrap(administrator: NewEmployee(
            id: adminID, name: "Ada Admin", position: "administrator", branch: "head-office", hiredOn: try EngineFixture.day("2020-01-01")))
        try await one.execute(Settings.self, id: UUID(), .replaceLoyaltyAccrualRules([Self.tenureRule]), as: admin)
        let id = UUID.derived("customer", "Shared")
        try await one.execute(Customer.self, id: id, .create(customerID: id, NewCustomer(
            kind: .person, name: "Shared Customer", group: "residential", branch: "north", status: .active), form: .empty(group: "residential")), as: admin)

        clock.set(try instant("2027-01-01T08:00:00Z"))
        async let a = one.runScheduledWork()
        async let b = two.runScheduledWork()
        let (first, second) = try await (a, b)
        #expect(first.tenurePointsGranted + second.tenurePointsGranted == 1)
        // A year later both nodes meet the lapsed lot (and the next anniversary) at once.
        clock.set(try instant("2028-01-01T08:00:00Z"))
        async let c = one.runScheduledWork()
        async let d = two.runScheduledWork()
        let (third, fourth) = try await (c, d)
        #expect(third.tenurePointsGranted + fourth.tenurePointsGranted == 1)
        #expect(third.pointsExpired + fourth.pointsExpired == 1)
        let events = try await log.readStream(LoyaltyAccount.stream(id)).map(\.type)
        #expect(events.count == 3, "\(events)")
        #expect(events.filter { $0 == PointsAccrued.eventType }.count == 2 && events.filter { $0 == PointsExpired.eventType }.count == 1)
        await one.close()
        await two.close()
        await log.close()
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test func tenureCountsFromActivationAndSkipsProspectsAndArchivedCustomers() async throws {
        let f = try await EngineFixture.make("loyalty-tenure-activation")
        try await f.engine.execute(Settings.self, id: UUID(), .replaceLoyaltyAccrualRules([Self.tenureRule]), as: f.admin)
        let activated = try await f.customer("Activated Later", branch: "north")   // a prospect on 1 January 2026
        let prospect = try await f.customer("Still Prospect", branch: "north")
        let archived = UUID.derived("customer", "Archived")
        try await f.engine.execute(Customer.self, id: archived, .create(customerID: archived, NewCustomer(
            kind: .person, name: "Archived", group: "residential", branch: "north", status: .active), form: .empty(group: "residential")), as: f.admin)
        try await f.engine.execute(Customer.self, id: archived, .archive(reason: "left"), as: f.admin)
        f.clock.set(try instant("2026-02-10T09:00:00Z"))
        try await f.engine.execute(Customer.self, id: activated, .activate, as: f.admin)

        f.clock.set(try instant("2027-01-02T09:00:00Z"))
        #expect(try await f.engine.runScheduledWork().tenurePointsGranted == 0, "a year since creation is not a year as a customer")
        f.clock.set(try instant("2027-02-10T09:00:00Z"))
        #expect(try await f.engine.runScheduledWork().tenurePointsGranted == 1)
        #expect(try await tenureLots(f, activated).map(\.earnedOn) == [try EngineFixture.day("2027-02-10")])
        #expect(try await tenureLots(f, prospect).isEmpty)
        #expect(try await tenureLots(f, archived).isEmpty)
        await f.close()
    }

    @Test func lapsedPointsExpireFirstInFirstOutAgainstRedemptionsAndNeverEarly() async throws {
        let f = try await EngineFixture.make("loyalty-expiry")
        // The branch's calendar is Shanghai's (UTC+8): its days start at 16:00 UTC the day before.
        try await f.engine.execute(Settings.self, id: UUID(), .setBranchTimeZone(branch: "east", timeZoneID: "Asia/Shanghai"), as: f.admin)
        let id = try await f.customer("Point Holder", branch: "east")
        func accrue(_ points: Int, _ reference: String, earned: String, expires: String?) async throws {
            try await f.engine.execute(LoyaltyAccount.self, id: id, .accrue(
                customerID: id, points: points, source: .manual, sourceReference: reference, reason: "welcome",
                earnedOn: try EngineFixture.day(earned), expiresOn: try expires.map(EngineFixture.day)), as: f.admin)
        }
        try await accrue(100, "a", earned: "2025-06-01", expires: "2026-01-10")
        try await accrue(80, "b", earned: "2025-09-01", expires: "2026-03-10")
        try await accrue(50, "c", earned: "2025-10-01", expires: nil)
        // 130 redeemed on 1 January: all of lot a, 30 of lot b.
        try await f.engine.execute(LoyaltyAccount.self, id: id, .redeem(redemptionID: UUID.derived("redemption", "1"), points: 130, reason: "voucher",
                                                                         on: try EngineFixture.day("2026-01-01")), as: f.admin)
        #expect(try await f.engine.runScheduledWork().pointsExpired == 0)

        // Lot a's expiry day comes: it was spent whole, nothing of it expires.
        f.clock.set(try instant("2026-01-10T12:00:00Z"))
        #expect(try await f.engine.runScheduledWork().pointsExpired == 0)
        // 23:30 on 9 March in Shanghai: lot b is still valid.
        f.clock.set(try instant("2026-03-09T15:30:00Z"))
        #expect(try await f.engine.runScheduledWork().pointsExpired == 0, "nothing expires before its day")
        let before = try await f.engine.loyalty(of: id, as: f.admin, consistentWith: try await f.engine.store.headPosition())
        #expect(before.usable == 100 && before.account.expired == 0 && before.pendingExpiry == 0)

        // 00:30 on 10 March in Shanghai (still 9 March in UTC): what redemptions left of lot b expires, once.
        f.clock.set(try instant("2026-03-09T16:30:00Z"))
        #expect(try await f.engine.runScheduledWork().pointsExpired == 1)
        let head = try await f.engine.store.headPosition()
        #expect(try await f.engine.runScheduledWork().pointsExpired == 0)
        f.clock.set(try instant("2026-03-11T03:00:00Z"))
        #expect(try await f.engine.runScheduledWork().pointsExpired == 0)
        #expect(try await f.engine.store.headPosition() == head, "later runs write nothing")

        let state = try await f.engine.state(LoyaltyAccount.self, id: id, as: f.admin).state
        #expect(state.ledger.map(\.kind) == [.accrual, .accrual, .accrual, .redemption, .expiry])
        let expiryDay = try EngineFixture.day("2026-03-10")
        #expect(state.ledger.last?.points == -50 && state.ledger.last?.day == expiryDay)
        #expect(state.lots.map(\.remaining) == [0, 0, 50])
        let after = try await f.engine.loyalty(of: id, as: f.admin, consistentWith: head)
        #expect(after.usable == 50 && after.pendingExpiry == 0)
        #expect(after.account.balance == 50 && after.account.accrued == 230 && after.account.redeemed == 130 && after.account.expired == 50)
        #expect(after.account.lastMovements.first?.kind == .expiry && after.account.lastMovements.first?.points == -50)
        await f.close()
    }

    @Test func aBadTenureRuleIsRefusedNamingTheFieldAndWritesNothing() async throws {
        let f = try await EngineFixture.make("loyalty-rules")
        let head = try await f.engine.store.headPosition()
        for (rule, field) in [
            (LoyaltyAccrualRule(source: .tenure, points: Decimal(string: "1.5") ?? 0), "points"),
            (LoyaltyAccrualRule(source: .tenure, points: 10, validityMonths: -3), "validityMonths"),
            (LoyaltyAccrualRule(source: .tenure, points: 10, currency: .cny), "currency"),
        ] {
            do {
                try await f.engine.execute(Settings.self, id: UUID(), .replaceLoyaltyAccrualRules([rule]), as: f.admin)
                Issue.record("expected \(field) to be refused")
            } catch let error as EngineError {
                #expect(error.field == field, "\(error)")
            }
        }
        #expect(try await f.engine.store.headPosition() == head)
        await f.close()
    }
}
