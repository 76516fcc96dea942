import CRMDomain
import EventSourcing
import Foundation
import Testing

@Suite("Loyalty tenure and expiry")
struct LoyaltyTenureExpiryTests {
    let customer = UUID(uuidString: "0190F6A2-7C1D-7ABC-8DEF-00000000AB1E") ?? UUID()
    let tenure = [LoyaltyAccrualRule(source: .tenure, points: 100, validityMonths: 12)]

    func accrual(since: String, on day: String, rules: [LoyaltyAccrualRule]? = nil) -> PointsAccrued? {
        guard let command = LoyaltyRules.tenureAccrual(customerID: customer, customerSince: date(since), on: date(day), rules: rules ?? tenure) else {
            return nil
        }
        guard case .accrued(let e)? = Scenario(LoyaltyAccount.self).when(command).first else { return nil }
        return e
    }

    // MARK: - Tenure

    @Test func fullYearsCountAnniversariesReached() {
        #expect(LoyaltyRules.fullYears(from: date("2023-03-15"), to: date("2024-03-14")) == 0)
        #expect(LoyaltyRules.fullYears(from: date("2023-03-15"), to: date("2024-03-15")) == 1)
        #expect(LoyaltyRules.fullYears(from: date("2023-03-15"), to: date("2026-01-01")) == 2)
        #expect(LoyaltyRules.fullYears(from: date("2023-03-15"), to: date("2023-03-15")) == 0)
        #expect(LoyaltyRules.fullYears(from: date("2026-03-15"), to: date("2023-03-15")) == 0, "a date before the start counts nothing")
        // February 29th's anniversary falls on the 28th in common years.
        #expect(LoyaltyRules.fullYears(from: date("2024-02-29"), to: date("2025-02-27")) == 0)
        #expect(LoyaltyRules.fullYears(from: date("2024-02-29"), to: date("2025-02-28")) == 1)
        #expect(LoyaltyRules.fullYears(from: date("2024-02-29"), to: date("2028-02-28")) == 3)
        #expect(LoyaltyRules.fullYears(from: date("2024-02-29"), to: date("2028-02-29")) == 4)
    }

    @Test func anAnniversaryEarnsTheTenureRulesPointsOnThatDay() throws {
        let e = try #require(accrual(since: "2023-03-15", on: "2025-03-15"))
        #expect(e.points == 100 && e.source == .tenure)
        #expect(e.earnedOn == date("2025-03-15"))
        #expect(e.expiresOn == date("2026-03-15"), "valid for the rule's 12 months from the anniversary")
        #expect(e.sourceReference == "tenure-2025")
        #expect(e.lotID == LoyaltyAccount.lotID(customerID: customer, sourceReference: "tenure-2025"))
        #expect(e.reason == "tenure: 2 years")
        #expect(accrual(since: "2024-03-15", on: "2025-03-15")?.reason == "tenure: 1 year")
    }

    @Test func nothingIsEarnedBeforeTheFirstAnniversaryOrWithoutATenureRule() {
        #expect(accrual(since: "2025-03-16", on: "2026-03-15") == nil)
        #expect(accrual(since: "2023-03-15", on: "2025-03-15", rules: []) == nil)
        #expect(accrual(since: "2023-03-15", on: "2025-03-15", rules: [LoyaltyAccrualRule(source: .spend, points: 1)]) == nil)
    }

    @Test func aMissedAnniversaryIsCaughtUpWithinTheWindowAndEarnedOnTheAnniversary() throws {
        let late = try #require(accrual(since: "2023-03-15", on: "2025-03-20"))
        #expect(late.earnedOn == date("2025-03-15") && late.expiresOn == date("2026-03-15"))
        let lastDay = date("2025-03-15").adding(days: LoyaltyRules.tenureCatchUpDays)
        #expect(accrual(since: "2023-03-15", on: lastDay.description)?.sourceReference == "tenure-2025")
        #expect(accrual(since: "2023-03-15", on: lastDay.adding(days: 1).description) == nil, "past the window: the next anniversary earns")
    }

    @Test func theSameAnniversaryAlwaysGivesTheSameLotSoItEarnsOnce() throws {
        var account = Scenario(LoyaltyAccount.self)
        let first = try #require(LoyaltyRules.tenureAccrual(customerID: customer, customerSince: date("2023-03-15"), on: date("2025-03-15"), rules: tenure))
        #expect(account.apply(first).count == 1)
        // A later run within the window (another node, after a restart) asks for the same anniversary.
        let again = try #require(LoyaltyRules.tenureAccrual(customerID: customer, customerSince: date("2023-03-15"), on: date("2025-03-18"), rules: tenure))
        #expect(account.when(again).isEmpty)
        #expect(account.state.balance(on: date("2025-03-18")) == 100)
        // The next anniversary is a new lot.
        let next = try #require(LoyaltyRules.tenureAccrual(customerID: customer, customerSince: date("2023-03-15"), on: date("2026-03-15"), rules: tenure))
        #expect(account.apply(next).count == 1)
        #expect(account.state.lots.map(\.source) == [.tenure, .tenure])
    }

    @Test func pointsThatWouldAlreadyHaveLapsedAreNotGranted() {
        let short = [LoyaltyAccrualRule(source: .tenure, points: 10, validityMonths: 1)]
        // 31 January + 1 month = 28 February: caught up on 2 March, the lot would be born expired.
        #expect(accrual(since: "2024-01-31", on: "2025-03-02", rules: short) == nil)
        #expect(accrual(since: "2024-01-31", on: "2025-02-27", rules: short)?.expiresOn == date("2025-02-28"))
        #expect(accrual(since: "2024-01-31", on: "2025-03-02", rules: [LoyaltyAccrualRule(source: .tenure, points: 10)])?.expiresOn == nil,
                "without a validity the points never expire")
    }

    // MARK: - Expiry

    func accrue(_ points: Int, _ reference: String, earned: String, expires: String?) -> LoyaltyAccount.Command {
        .accrue(customerID: customer, points: points, source: .spend, sourceReference: reference, reason: "spend",
                earnedOn: date(earned), expiresOn: expires.map(date))
    }

    @Test func expiryTakesWhatRedemptionsLeftOfTheOldestLotsFirst() throws {
        var s = Scenario(LoyaltyAccount.self)
        s.apply(accrue(100, "jan", earned: "2025-01-10", expires: "2026-01-10"))
        s.apply(accrue(80, "mar", earned: "2025-03-10", expires: "2026-03-10"))
        // 130 redeemed: all of January's lot, 30 of March's.
        s.apply(.redeem(redemptionID: UUID.derived("r1"), points: 130, reason: "voucher", on: date("2025-12-01")))
        #expect(s.when(.expire(asOf: date("2026-01-10"))).isEmpty, "January's lot was spent whole: nothing of it to expire")
        #expect(s.when(.expire(asOf: date("2026-03-09"))).isEmpty, "March's lot is still valid the day before its expiry")
        let events = s.apply(.expire(asOf: date("2026-03-10")))
        guard case .expired(let e)? = events.first else {
            Issue.record("expected an expiry")
            return
        }
        #expect(e.points == 50)
        #expect(e.draws == [LotDraw(lotID: LoyaltyAccount.lotID(customerID: customer, sourceReference: "mar"), points: 50)])
        #expect(s.state.recordedBalance == 0)
        #expect(s.state.ledger.map(\.kind) == [.accrual, .accrual, .redemption, .expiry])
        #expect(s.state.ledger.last?.points == -50)
        #expect(s.when(.expire(asOf: date("2026-03-11"))).isEmpty, "an expiry is recorded once")
    }

    @Test func aRedemptionBeforeTheExpiryDayUsesTheExpiringPointsFirst() {
        var s = Scenario(LoyaltyAccount.self)
        s.apply(accrue(40, "old", earned: "2025-01-01", expires: "2026-01-01"))
        s.apply(accrue(60, "new", earned: "2025-06-01", expires: nil))
        s.apply(.redeem(redemptionID: UUID.derived("r2"), points: 30, reason: "gift", on: date("2025-12-31")))
        guard case .expired(let e)? = s.apply(.expire(asOf: date("2026-01-01"))).first else {
            Issue.record("expected an expiry")
            return
        }
        #expect(e.points == 10, "40 earned − 30 redeemed from the oldest lot")
        #expect(s.state.balance(on: date("2026-01-01")) == 60)
    }

    // MARK: - Configuration

    @Test func tenureRulesAreValidatedNamingTheField() {
        var s = Scenario(Settings.self)
        let rules = [LoyaltyAccrualRule(source: .spend, points: 1, currency: .cny, validityMonths: 24),
                     LoyaltyAccrualRule(source: .tenure, points: 200, validityMonths: 12)]
        #expect(s.apply(.replaceLoyaltyAccrualRules(rules)).count == 1)
        #expect(s.state.loyaltyAccrualRules == rules)
        #expect(s.whenRefused(.replaceLoyaltyAccrualRules([LoyaltyAccrualRule(source: .tenure, points: Decimal(string: "2.5") ?? 0)]))?.field == "points")
        #expect(s.whenRefused(.replaceLoyaltyAccrualRules([LoyaltyAccrualRule(source: .tenure, points: 0)]))?.field == "points")
        #expect(s.whenRefused(.replaceLoyaltyAccrualRules([LoyaltyAccrualRule(source: .tenure, points: 2_000_000)]))?.field == "points")
        #expect(s.whenRefused(.replaceLoyaltyAccrualRules([LoyaltyAccrualRule(source: .tenure, points: 5, validityMonths: 0)]))?.field == "validityMonths")
        #expect(s.whenRefused(.replaceLoyaltyAccrualRules([LoyaltyAccrualRule(source: .tenure, points: 5, validityMonths: 1_201)]))?.field == "validityMonths")
        #expect(s.whenRefused(.replaceLoyaltyAccrualRules([LoyaltyAccrualRule(source: .spend, points: 1, validityMonths: Int.max)]))?.field == "validityMonths")
        #expect(s.whenRefused(.replaceLoyaltyAccrualRules([LoyaltyAccrualRule(source: .tenure, points: 5, currency: .cny)]))?.field == "currency")
        #expect(s.whenRefused(.replaceLoyaltyAccrualRules([LoyaltyAccrualRule(source: .tenure, points: 5, activity: "x")]))?.field == "activity")
        #expect(s.whenRefused(.replaceLoyaltyAccrualRules([LoyaltyAccrualRule(source: .tenure, points: 5), LoyaltyAccrualRule(source: .tenure, points: 6)]))?.field == "source")
        #expect(s.whenRefused(.replaceLoyaltyAccrualRules([LoyaltyAccrualRule(source: .activity, points: Decimal(string: "0.5") ?? 0, activity: "surveyAnswered")]))?.field == "points")
        #expect(s.state.loyaltyAccrualRules == rules, "a refused replacement changes nothing")
    }
}
