import CRMDomain
import EventSourcing
import Foundation
import Testing

@Suite("Loyalty points")
struct LoyaltyTests {
    let customer = UUID(uuidString: "0190F6A2-7C1D-7ABC-8DEF-00000000C0DE") ?? UUID()

    func accrue(_ points: Int, _ reference: String, earned: String, expires: String?) -> LoyaltyAccount.Command {
        .accrue(customerID: customer, points: points, source: .spend, sourceReference: reference, reason: "spend",
                earnedOn: date(earned), expiresOn: expires.map(date))
    }

    /// Three lots: 100 (Jan, expires Jul 1), 50 (Mar, expires Sep 1), 30 (May, never expires).
    func account() -> Scenario<LoyaltyAccount> {
        var s = Scenario(LoyaltyAccount.self)
        s.apply(accrue(50, "r-2", earned: "2026-03-10", expires: "2026-09-01"))
        s.apply(accrue(100, "r-1", earned: "2026-01-05", expires: "2026-07-01"))
        s.apply(accrue(30, "r-3", earned: "2026-05-20", expires: nil))
        return s
    }

    @Test func accrualAddsALotToTheBalanceAndTheLedger() {
        let s = account()
        #expect(s.state.balance(on: date("2026-06-01")) == 180)
        #expect(s.state.ledger.map(\.points) == [50, 100, 30])
        #expect(s.state.lots.count == 3)
    }

    @Test func accruingTheSameSourceTwiceRecordsNothing() {
        let s = account()
        #expect(s.when(accrue(100, "r-1", earned: "2026-01-05", expires: "2026-07-01")).isEmpty)
    }

    @Test func invalidAccrualsAreRefused() {
        let s = account()
        #expect(s.whenRefused(accrue(0, "x", earned: "2026-01-01", expires: nil))?.field == "points")
        #expect(s.whenRefused(accrue(5, "x", earned: "2026-01-01", expires: "2026-01-01"))?.field == "expiresOn")
        #expect(s.whenRefused(accrue(5, " ", earned: "2026-01-01", expires: nil))?.field == "sourceReference")
        let other = LoyaltyAccount.Command.accrue(customerID: UUID(), points: 1, source: .manual, sourceReference: "m", reason: "gift", earnedOn: date("2026-01-01"), expiresOn: nil)
        #expect(s.whenRefused(other)?.field == "customerID")
    }

    @Test func redemptionDrawsOnTheOldestLotsFirst() {
        var s = account()
        let events = s.apply(.redeem(redemptionID: UUID.derived("red-1"), points: 120, reason: "voucher", on: date("2026-06-01")))
        guard case .redeemed(let e)? = events.first else {
            Issue.record("expected a redemption")
            return
        }
        let jan = LoyaltyAccount.lotID(customerID: customer, sourceReference: "r-1")
        let mar = LoyaltyAccount.lotID(customerID: customer, sourceReference: "r-2")
        #expect(e.draws == [LotDraw(lotID: jan, points: 100), LotDraw(lotID: mar, points: 20)])
        #expect(s.state.balance(on: date("2026-06-01")) == 60)
        #expect(s.state.ledger.last?.points == -120)
    }

    @Test func pointsNeverGoBelowZero() {
        let s = account()
        let error = s.whenRefused(.redeem(redemptionID: UUID.derived("red-2"), points: 181, reason: "too much", on: date("2026-06-01")))
        #expect(error?.code == .invalid)
        #expect(error?.field == "points")
        #expect(Scenario(LoyaltyAccount.self).whenRefused(.redeem(redemptionID: UUID.derived("r"), points: 1, reason: "x", on: date("2026-01-01")))?.code == .notFound)
        #expect(s.whenRefused(.redeem(redemptionID: UUID.derived("r"), points: 0, reason: "x", on: date("2026-01-01")))?.field == "points")
    }

    @Test func expiredLotsCannotBeRedeemedAcrossTheBoundary() {
        let s = account()
        // On 2026-06-30 the January lot is still valid; on 2026-07-01 it is not.
        #expect(s.state.balance(on: date("2026-06-30")) == 180)
        #expect(s.state.balance(on: date("2026-07-01")) == 80)
        #expect(s.whenRefused(.redeem(redemptionID: UUID.derived("red-3"), points: 81, reason: "x", on: date("2026-07-01")))?.field == "points")
        let events = s.when(.redeem(redemptionID: UUID.derived("red-4"), points: 60, reason: "x", on: date("2026-07-01")))
        guard case .redeemed(let e)? = events.first else {
            Issue.record("expected a redemption")
            return
        }
        #expect(e.draws.map(\.points) == [50, 10], "skips the expired January lot")
    }

    @Test func expiryRecordsTheRemainingPointsOfLapsedLotsOnce() {
        var s = account()
        s.apply(.redeem(redemptionID: UUID.derived("red-5"), points: 30, reason: "x", on: date("2026-06-01")))
        #expect(s.when(.expire(asOf: date("2026-06-30"))).isEmpty, "nothing lapsed yet")
        let events = s.apply(.expire(asOf: date("2026-07-01")))
        #expect(events == [.expired(PointsExpired(customerID: customer, asOf: date("2026-07-01"), points: 70,
                                                 draws: [LotDraw(lotID: LoyaltyAccount.lotID(customerID: customer, sourceReference: "r-1"), points: 70)]))])
        #expect(s.when(.expire(asOf: date("2026-07-01"))).isEmpty, "expiring again records nothing")
        #expect(s.state.recordedBalance == 80)
        let later = s.apply(.expire(asOf: date("2026-12-31")))
        guard case .expired(let e)? = later.first else {
            Issue.record("expected an expiry")
            return
        }
        #expect(e.points == 50)
        #expect(s.state.recordedBalance == 30, "the lot without expiry stays")
    }

    @Test func repeatingARedemptionRecordsNothing() {
        var s = account()
        let id = UUID.derived("red-6")
        s.apply(.redeem(redemptionID: id, points: 10, reason: "x", on: date("2026-06-01")))
        #expect(s.when(.redeem(redemptionID: id, points: 10, reason: "x", on: date("2026-06-01"))).isEmpty)
    }

    @Test func revenueEarnsWholePointsAtTheRateOfItsDay() {
        let rules = [LoyaltyAccrualRule(source: .spend, points: 1, currency: .cny, validityMonths: 12)]
        let rates = [ExchangeRate(from: .usd, to: .cny, rate: Decimal(string: "7.1") ?? 0, validFrom: date("2026-01-01"))]
        let entry = UUID.derived("revenue-1")
        let command = LoyaltyRules.accrual(forRevenueEntry: entry, customerID: customer, amount: Money(Decimal(string: "10.05") ?? 0, .usd),
                                           on: date("2026-02-28"), rules: rules, rates: rates)
        guard case .accrue(_, let points, let source, let reference, _, let earned, let expires)? = command else {
            Issue.record("expected an accrual")
            return
        }
        #expect(points == 71, "10.05 USD × 7.1 = 71.355 CNY → 71 points")
        #expect(source == .spend)
        #expect(reference == "revenue-\(entry.uuidString.lowercased())")
        #expect(earned == date("2026-02-28"))
        #expect(expires == date("2027-02-28"))
        #expect(LoyaltyRules.accrual(forRevenueEntry: entry, customerID: customer, amount: Money(-5, .cny), on: date("2026-02-28"), rules: rules, rates: rates) == nil)
        #expect(LoyaltyRules.accrual(forRevenueEntry: entry, customerID: customer, amount: Money(5, .eur), on: date("2026-02-28"), rules: rules, rates: rates) == nil, "no EUR rate")
        #expect(LoyaltyRules.accrual(forActivity: "surveyAnswered", reference: "s-1", customerID: customer, on: date("2026-02-28"),
                                     rules: [LoyaltyAccrualRule(source: .activity, points: 20, activity: "surveyAnswered")]) != nil)
    }

    @Test func monthsAreAddedToTheLastDayOfShorterMonths() {
        #expect(date("2026-01-31").adding(months: 1) == date("2026-02-28"))
        #expect(date("2026-11-15").adding(months: 3) == date("2027-02-15"))
        #expect(date("2028-02-29").adding(months: 12) == date("2029-02-28"))
    }

    /// A validity recorded before it was bounded (a loyalty rule of 10^6 months, or Int.max) neither traps nor
    /// wraps to a day before the start: it ends on the last day a date holds.
    @Test func monthsBeyondTheYear9999EndOnItsLastDayWithoutOverflow() {
        #expect(date("2026-03-01").adding(months: 1_000_000) == date("9999-12-31"))
        #expect(date("2026-03-01").adding(months: Int.max) == date("9999-12-31"))
        #expect(date("2026-03-01").adding(months: Int.min) == date("0001-01-01"))
        #expect(date("9999-12-01").adding(months: 1) == date("9999-12-31"))
        #expect(date("0001-02-01").adding(months: -2) == date("0001-01-01"))
        let rule = LoyaltyAccrualRule(source: .activity, points: 20, activity: "surveyAnswered", validityMonths: 100_000)
        if case .accrue(_, _, _, _, _, _, let expires)? = LoyaltyRules.accrual(forActivity: "surveyAnswered", reference: "s-1", customerID: UUID(),
                                                                              on: date("2026-02-28"), rules: [rule]) {
            #expect(expires == date("9999-12-31"), "valid for as long as a date goes, not expired on the day it was earned")
        } else {
            Issue.record("no accrual")
        }
    }

    @Test func loyaltyEventsRoundTrip() throws {
        try expectRoundTrips([
            LoyaltyEvent.accrued(PointsAccrued(customerID: customer, lotID: UUID.derived("l"), points: 5, source: .tenure, sourceReference: "tenure-2026", reason: "会员周年", earnedOn: date("2026-01-01"), expiresOn: nil)),
            .redeemed(PointsRedeemed(customerID: customer, redemptionID: UUID.derived("r"), points: 3, reason: "gift", redeemedOn: date("2026-02-01"), draws: [LotDraw(lotID: UUID.derived("l"), points: 3)])),
            .expired(PointsExpired(customerID: customer, asOf: date("2027-01-01"), points: 2, draws: [LotDraw(lotID: UUID.derived("l"), points: 2)])),
        ])
    }
}
