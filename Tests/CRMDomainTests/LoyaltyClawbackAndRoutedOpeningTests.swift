import CRMDomain
import EventSourcing
import Foundation
import Testing

/// A clawback is recorded as `PointsClawedBack`, not as a redemption, while the clawbacks stored as
/// `PointsRedeemed` before fold as they did; an opening the routing rules chose the owner of says so.
@Suite struct LoyaltyClawbackAndRoutedOpeningTests {
    static let customer = UUID.derived("test", "clawback-customer")
    static let entry = UUID.derived("test", "clawback-entry")
    static var reference: String { LoyaltyRules.spendReference(forRevenueEntry: entry) }
    static var lot: UUID { LoyaltyAccount.lotID(customerID: customer, sourceReference: reference) }

    static var accrued: LoyaltyEvent {
        .accrued(PointsAccrued(customerID: customer, lotID: lot, points: 250, source: .spend, sourceReference: reference,
                               reason: "spend 250 CNY", earnedOn: date("2026-01-10")))
    }

    @Test func aClawbackIsRecordedAsClawedBackNotAsARedemption() throws {
        let s = Scenario(LoyaltyAccount.self, given: [Self.accrued])
        let clawback = UUID.derived("test", "clawback")
        let events = s.when(LoyaltyRules.clawBack(forReversalOf: Self.entry, clawbackID: clawback, on: date("2026-01-25")))
        #expect(events == [.clawedBack(PointsClawedBack(customerID: Self.customer, clawbackID: clawback, sourceReference: Self.reference, points: 250,
                                                        reason: "revenue entry reversed", clawedBackOn: date("2026-01-25"),
                                                        draws: [LotDraw(lotID: Self.lot, points: 250)]))])
        let state = events.reduce(s.state, LoyaltyAccount.evolve)
        #expect(state.ledger.map(\.kind) == [.accrual, .clawback])
        #expect(state.redemptions.isEmpty && state.clawbacks == [clawback] && state.recordedBalance == 0)
        try expectRoundTrips(events)
    }

    /// A clawback stored before `PointsClawedBack` existed (a `PointsRedeemed` whose id the reactor derived from
    /// the reversal) folds as the redemption it was recorded as, and the reaction run again records nothing.
    @Test func aClawbackStoredAsARedemptionFoldsTheSameAndIsNotTakenAgain() {
        let clawback = UUID.derived("test", "old-clawback")
        let old = LoyaltyEvent.redeemed(PointsRedeemed(customerID: Self.customer, redemptionID: clawback, points: 200, reason: "revenue entry reversed",
                                                       redeemedOn: date("2026-01-25"), draws: [LotDraw(lotID: Self.lot, points: 200)]))
        let s = Scenario(LoyaltyAccount.self, given: [Self.accrued, old])
        #expect(s.state.ledger.map(\.kind) == [.accrual, .redemption] && s.state.ledger.last?.points == -200)
        #expect(s.state.redemptions == [clawback] && s.state.recordedBalance == 50)
        #expect(s.when(LoyaltyRules.clawBack(forReversalOf: Self.entry, clawbackID: clawback, on: date("2026-01-25"))).isEmpty)
    }

    static let opportunity = UUID.derived("test", "routed-opportunity")
    static let details = Opportunity.Details(customerID: customer, title: "Heat pump", source: "visit", expectedRevenue: Money(1000, .cny),
                                             closeDate: date("2026-06-30"))

    @Test func anOpeningRoutedByTheRulesRecordsTheRulesAssignment() {
        var s = Scenario(Opportunity.self)
        let events = s.apply(.open(opportunityID: Self.opportunity, details: Self.details, pipeline: .default, stage: nil, owner: "emp-gas",
                                   assignment: .rules))
        #expect(events.count == 2)
        #expect(events.last == .assigned(OpportunityAssigned(opportunityID: Self.opportunity, previousOwner: "", owner: "emp-gas", assignment: .rules)))
        #expect(s.state.owner == "emp-gas" && s.state.assignment == .rules)
        // Repeated: nothing. A manager's assignment is not an opening's.
        #expect(s.when(.open(opportunityID: Self.opportunity, details: Self.details, pipeline: .default, stage: nil, owner: "emp-gas", assignment: .rules)).isEmpty)
        let refused = Scenario(Opportunity.self).whenRefused(.open(opportunityID: Self.opportunity, details: Self.details, pipeline: .default, stage: nil,
                                                                   owner: "emp-gas", assignment: .manager))
        #expect(refused?.field == "assignment")
    }
}
