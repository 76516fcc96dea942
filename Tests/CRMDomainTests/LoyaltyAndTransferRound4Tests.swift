import CRMDomain
import EventSourcing
import Foundation
import Testing

/// A reversed revenue entry takes back what is left of the lot it earned; transfers of ownership follow one
/// another in time.
@Suite struct LoyaltyAndTransferRound4Tests {
    static let customer = UUID.derived("test", "round4-customer")
    static let entry = UUID.derived("test", "round4-entry")

    /// 250 points from the entry (earned 2026-01-10), 100 by hand (earned 2026-01-05, so redeemed first).
    static func account() -> Scenario<LoyaltyAccount> {
        var s = Scenario(LoyaltyAccount.self)
        s.apply(.accrue(customerID: customer, points: 100, source: .manual, sourceReference: "welcome", reason: "welcome",
                        earnedOn: date("2026-01-05"), expiresOn: nil))
        s.apply(.accrue(customerID: customer, points: 250, source: .spend, sourceReference: LoyaltyRules.spendReference(forRevenueEntry: entry),
                        reason: "spend 250.75 CNY", earnedOn: date("2026-01-10"), expiresOn: nil))
        return s
    }

    @Test func aReversedEntryTakesBackWhatIsLeftOfItsLot() {
        var s = Self.account()
        // 200 redeemed: 100 of the welcome lot, 100 of the entry's lot; 150 of it left.
        s.apply(.redeem(redemptionID: UUID.derived("test", "r1"), points: 200, reason: "gift", on: date("2026-01-20")))
        let redemption = UUID.derived("test", "claw")
        let events = s.apply(LoyaltyRules.clawBack(forReversalOf: Self.entry, clawbackID: redemption, on: date("2026-01-25")))
        let lot = LoyaltyAccount.lotID(customerID: Self.customer, sourceReference: LoyaltyRules.spendReference(forRevenueEntry: Self.entry))
        #expect(events == [.clawedBack(PointsClawedBack(customerID: Self.customer, clawbackID: redemption,
                                                        sourceReference: LoyaltyRules.spendReference(forRevenueEntry: Self.entry), points: 150,
                                                        reason: "revenue entry reversed", clawedBackOn: date("2026-01-25"),
                                                        draws: [LotDraw(lotID: lot, points: 150)]))])
        #expect(s.state.recordedBalance == 0)
        #expect(s.state.ledger.last?.points == -150)
        // Again (the reaction run twice) or for a lot with nothing left: nothing.
        #expect(s.when(LoyaltyRules.clawBack(forReversalOf: Self.entry, clawbackID: redemption, on: date("2026-01-25"))).isEmpty)
        #expect(s.when(LoyaltyRules.clawBack(forReversalOf: Self.entry, clawbackID: UUID.derived("test", "other"), on: date("2026-01-25"))).isEmpty)
    }

    @Test func aReversalTakesBackTheWholeLotWhenNothingWasSpentAndNothingForAnEntryThatEarnedNone() {
        let s = Self.account()
        let events = s.when(LoyaltyRules.clawBack(forReversalOf: Self.entry, clawbackID: UUID.derived("test", "claw"), on: date("2026-01-25")))
        #expect(events.count == 1)
        if case .clawedBack(let e)? = events.first { #expect(e.points == 250) } else { Issue.record("no clawback") }
        #expect(s.when(LoyaltyRules.clawBack(forReversalOf: UUID.derived("test", "no points"), clawbackID: UUID(), on: date("2026-01-25"))).isEmpty)
        // An account never opened records nothing.
        #expect(Scenario(LoyaltyAccount.self).when(LoyaltyRules.clawBack(forReversalOf: Self.entry, clawbackID: UUID(), on: date("2026-01-25"))).isEmpty)
    }

    @Test func aTransferEffectiveBeforeThePreviousTransferIsRefused() {
        var s = CustomerFixtures.scenario()
        s.apply(.transferOwnership(newHolder: "Wang Fang", effective: date("2026-12-01")))
        let error = s.whenRefused(.transferOwnership(newHolder: "Zhao Lei", effective: date("2020-01-01")))
        #expect(error?.code == .invalid && error?.field == "effective", "\(String(describing: error))")
        #expect(s.state.accountHolder == "Wang Fang")
        // The same day or a later one is accepted.
        s.apply(.transferOwnership(newHolder: "Zhao Lei", effective: date("2026-12-01")))
        s.apply(.transferOwnership(newHolder: "Sun Li", effective: date("2027-01-01")))
        #expect(s.state.accountHolder == "Sun Li" && s.state.transferredOn == date("2027-01-01"))
    }
}
