import CRMDomain
import EventSourcing
import Foundation
import Testing

/// Points exist from the day they are earned: a redemption dated before enough points were usable then is
/// refused; a reference reused by hand for another accrual is a conflict, the same accrual again nothing.
@Suite("Loyalty points over time")
struct LoyaltyHistoryTests {
    let customer = UUID(uuidString: "0190F6A2-7C1D-7ABC-8DEF-00000000C0DE") ?? UUID()

    func manual(_ points: Int, _ reference: String, earned: String, expires: String? = nil, reason: String = "goodwill") -> LoyaltyAccount.Command {
        .accrue(customerID: customer, points: points, source: .manual, sourceReference: reference, reason: reason,
                earnedOn: date(earned), expiresOn: expires.map(date))
    }

    @Test func pointsEarnedOnALaterDayAreNotUsableBeforeIt() {
        var s = Scenario(LoyaltyAccount.self)
        s.apply(manual(100, "m-1", earned: "2026-03-01"))
        s.apply(manual(40, "m-2", earned: "2027-01-01"))
        #expect(s.state.balance(on: date("2026-02-28")) == 0)
        #expect(s.state.balance(on: date("2026-06-01")) == 100, "the 2027 lot does not count in 2026")
        #expect(s.state.balance(on: date("2027-01-01")) == 140)
    }

    @Test func aRedemptionDatedBeforeThePointsWereEarnedIsRefused() {
        var s = Scenario(LoyaltyAccount.self)
        s.apply(manual(100, "m-1", earned: "2026-03-01"))
        s.apply(manual(40, "m-2", earned: "2027-01-01"))
        #expect(s.whenRefused(.redeem(redemptionID: UUID.derived("r-1"), points: 60, reason: "ok", on: date("2020-01-01")))?.field == "points")
        #expect(s.whenRefused(.redeem(redemptionID: UUID.derived("r-2"), points: 101, reason: "ok", on: date("2026-12-31")))?.field == "points")
        let events = s.when(.redeem(redemptionID: UUID.derived("r-3"), points: 100, reason: "ok", on: date("2026-12-31")))
        guard case .redeemed(let e)? = events.first else {
            Issue.record("expected a redemption")
            return
        }
        #expect(e.draws == [LotDraw(lotID: LoyaltyAccount.lotID(customerID: customer, sourceReference: "m-1"), points: 100)])
    }

    @Test func aManualAccrualMayNotTakeARulesReference() {
        let s = Scenario(LoyaltyAccount.self)
        for reference in [LoyaltyRules.tenureReference(year: 2026), "revenue-\(UUID.derived("entry").lowercasedString)", "surveyAnswered-r1"] {
            #expect(s.whenRefused(manual(10, reference, earned: "2026-03-01"))?.field == "sourceReference", "\(reference)")
        }
        // The rule's own accrual of that reference is then recorded, and a manual reference of another form is.
        let tenure = LoyaltyAccount.Command.accrue(customerID: customer, points: 50, source: .tenure, sourceReference: LoyaltyRules.tenureReference(year: 2026),
                                                   reason: "tenure", earnedOn: date("2026-03-01"), expiresOn: nil)
        #expect(s.when(tenure).count == 1)
        #expect(s.when(manual(10, "goodwill-tenure-2026", earned: "2026-03-01")).count == 1)
    }

    @Test func anExpiryLeavesLotsEarnedLaterAlone() {
        var s = Scenario(LoyaltyAccount.self)
        s.apply(manual(100, "m-1", earned: "2026-01-01", expires: "2026-06-01"))
        s.apply(manual(40, "m-2", earned: "2026-09-01"))
        let events = s.apply(.expire(asOf: date("2026-07-01")))
        #expect(events.count == 1)
        #expect(s.state.recordedBalance == 40, "the September lot is not expired in July")
    }

    @Test func aReferenceReusedByHandForOtherPointsIsAConflictTheSameAccrualNothing() {
        var s = Scenario(LoyaltyAccount.self)
        s.apply(manual(100, "R-1", earned: "2026-03-01"))
        #expect(s.when(manual(100, "R-1", earned: "2026-03-01")).isEmpty)
        let refused = s.whenRefused(manual(60, "R-1", earned: "2026-03-01"))
        #expect(refused?.code == .alreadyExists && refused?.field == "sourceReference")
        #expect(s.whenRefused(manual(100, "R-1", earned: "2026-03-02"))?.code == .alreadyExists)
        #expect(s.whenRefused(manual(100, "R-1", earned: "2026-03-01", reason: "other"))?.code == .alreadyExists)
        // A rule's lot again, even as the rule now stands (other points): the occurrence earned once.
        s.apply(.accrue(customerID: customer, points: 12, source: .spend, sourceReference: "revenue-1", reason: "spend", earnedOn: date("2026-03-01"), expiresOn: nil))
        #expect(s.when(.accrue(customerID: customer, points: 15, source: .spend, sourceReference: "revenue-1", reason: "spend",
                               earnedOn: date("2026-03-01"), expiresOn: nil)).isEmpty)
        // By hand under a rule's reference: never (the rules' references are theirs).
        #expect(s.whenRefused(manual(12, "revenue-1", earned: "2026-03-01", reason: "spend"))?.code == .invalid)
    }
}
