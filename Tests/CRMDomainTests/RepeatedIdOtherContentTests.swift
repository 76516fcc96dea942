import CRMDomain
import EventSourcing
import Foundation
import Testing

/// An id reused for other content is a conflict (`alreadyExists`), not a silent success the caller would
/// take for the new content recorded; the exact repeat stays a no-op (idempotent), as a manual accrual's
/// reference does.
@Suite struct RepeatedIdOtherContentTests {
    let customer = UUID.derived("customer", "repeat")
    let redemption = UUID.derived("redemption", "repeat")

    /// An account with 1000 points and a redemption of 300 on 2026-03-01, from the events as stored.
    func account() -> Scenario<LoyaltyAccount> {
        let lot = LoyaltyAccount.lotID(customerID: customer, sourceReference: "m-1")
        return Scenario(LoyaltyAccount.self, given: [
            .accrued(PointsAccrued(customerID: customer, lotID: lot, points: 1000, source: .manual, sourceReference: "m-1",
                                   reason: "welcome", earnedOn: date("2026-01-01"))),
            .redeemed(PointsRedeemed(customerID: customer, redemptionID: redemption, points: 300, reason: "gift",
                                     redeemedOn: date("2026-03-01"), draws: [LotDraw(lotID: lot, points: 300)])),
        ])
    }

    @Test func aRedemptionIdReusedForOtherPointsReasonOrDayIsAlreadyExistsAndTheExactRepeatRecordsNothing() {
        let s = account()
        #expect(s.when(.redeem(redemptionID: redemption, points: 300, reason: "gift", on: date("2026-03-01"))).isEmpty)
        #expect(s.when(.redeem(redemptionID: redemption, points: 300, reason: " gift ", on: date("2026-03-01"))).isEmpty)
        for other in [
            LoyaltyAccount.Command.redeem(redemptionID: redemption, points: 500, reason: "gift2", on: date("2026-03-01")),
            .redeem(redemptionID: redemption, points: 500, reason: "gift", on: date("2026-03-01")),
            .redeem(redemptionID: redemption, points: 300, reason: "gift", on: date("2026-03-02")),
        ] {
            let error = s.whenRefused(other)
            #expect(error?.code == .alreadyExists && error?.field == "redemptionID", "\(String(describing: error))")
        }
        #expect(s.state.balance(on: date("2026-03-02")) == 700)
    }

    // MARK: Campaign messages

    let campaignID = UUID.derived("campaign", "repeat")
    let listID = UUID.derived("list", "repeat")
    let alice = UUID.derived("customer", "alice")
    let bob = UUID.derived("customer", "bob")
    let message = UUID.derived("message", "repeat")
    let now = Date(timeIntervalSince1970: 1_767_225_600)

    /// An executing campaign with a target list of Alice and Bob, and a greeting by SMS sent to Alice.
    func campaign() -> Scenario<Campaign> {
        let list = Campaign.TargetList(id: listID, segment: nil, criteria: "all", customerIDs: [alice, bob])
        return Scenario(Campaign.self, given: [
            .planned(CampaignPlanned(campaignID: campaignID, name: "Spring", objective: "o", owner: "emp-3", budget: Money(100, .cny),
                                     start: date("2026-01-01"), end: date("2026-03-31"), plannedAt: now)),
            .feasibilitySubmitted(CampaignFeasibilitySubmitted(campaignID: campaignID, study: "feasible", by: "emp-3", at: now)),
            .approved(CampaignApproved(campaignID: campaignID, by: "mgr-1", at: now, note: nil)),
            .started(CampaignStarted(campaignID: campaignID, by: "emp-3", at: now)),
            .targetsSelected(CampaignTargetsSelected(campaignID: campaignID, list: list, by: "emp-3", at: now)),
            .messageSent(CampaignMessageSent(campaignID: campaignID, message: Campaign.SentMessage(
                id: message, listID: listID, customerID: alice, kind: .greeting, channel: "sms", sentAt: now))),
        ], at: now, actor: "emp-3")
    }

    @Test func aMessageIdReusedForAnotherCustomerKindOrChannelIsAlreadyExistsAndTheExactRepeatRecordsNothing() {
        let s = campaign()
        #expect(s.when(.recordMessage(id: message, listID: listID, customerID: alice, kind: .greeting, channel: "sms")).isEmpty)
        for other in [
            Campaign.Command.recordMessage(id: message, listID: listID, customerID: bob, kind: .greeting, channel: "sms"),
            .recordMessage(id: message, listID: listID, customerID: alice, kind: .promotion, channel: "sms"),
            .recordMessage(id: message, listID: listID, customerID: alice, kind: .greeting, channel: "email"),
        ] {
            let error = s.whenRefused(other)
            #expect(error?.code == .alreadyExists && error?.field == "id", "\(String(describing: error))")
        }
    }
}
