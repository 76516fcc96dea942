import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import Foundation
import Testing

/// A merged customer's loyalty account is not changed by hand; a clawback is not a redemption; an
/// opportunity the routing rules gave an owner says so.
@Suite struct LoyaltyMergeClawbackRoutingTests {
    static func refusal(_ body: () async throws -> Void) async -> EngineError? {
        await #expect(throws: EngineError.self) { try await body() }
    }

    @Test func aMergedCustomersPointsAreNeitherRedeemedNorExpiredByHand() async throws {
        let f = try await EngineFixture.make("loyalty-merged")
        let survivor = try await f.customer("Li Wei", branch: "north")
        let duplicate = try await f.customer("Li Wei (duplicate)", branch: "north")
        try await f.engine.execute(LoyaltyAccount.self, id: duplicate, .accrue(
            customerID: duplicate, points: 100, source: .manual, sourceReference: "welcome", reason: "welcome",
            earnedOn: try EngineFixture.day("2025-10-01"), expiresOn: try EngineFixture.day("2025-12-01")), as: f.admin)
        try await f.engine.execute(Customer.self, id: duplicate, .markMerged(into: survivor), as: f.admin)
        let head = try await f.engine.store.headPosition()
        let redeemed = await Self.refusal {
            try await f.engine.execute(LoyaltyAccount.self, id: duplicate, .redeem(redemptionID: UUID(), points: 10, reason: "gift",
                                                                                on: try EngineFixture.day("2025-11-01")), as: f.admin)
        }
        #expect(redeemed?.code == .invalid && redeemed?.field == "customerID", "\(String(describing: redeemed))")
        let expired = await Self.refusal {
            try await f.engine.execute(LoyaltyAccount.self, id: duplicate, .expire(asOf: try EngineFixture.day("2026-01-01")), as: f.admin)
        }
        #expect(expired?.code == .invalid && expired?.field == "customerID", "\(String(describing: expired))")
        // The operator (the command line without a token) is a person too.
        let byOperator = await Self.refusal {
            try await f.engine.execute(LoyaltyAccount.self, id: duplicate, .redeem(redemptionID: UUID(), points: 10, reason: "gift",
                                                                                on: try EngineFixture.day("2025-11-01")), as: .operator(sourceSystem: "crm-cli"))
        }
        #expect(byOperator?.code == .invalid && byOperator?.field == "customerID", "\(String(describing: byOperator))")
        #expect(try await f.engine.store.headPosition() == head, "nothing written")
        // The scheduler's own expiry (the system) still records what lapsed.
        let scheduled = try await f.engine.execute(LoyaltyAccount.self, id: duplicate, .expire(asOf: try EngineFixture.day("2026-01-01")), as: .system)
        #expect(scheduled.events.map(\.type) == [PointsExpired.eventType])
        await f.close()
    }

    /// 1 point per CNY: the entry earns 250; its reversal takes them back as a clawback, not a redemption.
    @Test func aReversedEntrysPointsAreRecordedAsClawedBackNotRedeemed() async throws {
        let f = try await EngineFixture.make("loyalty-clawback-event")
        try await f.engine.execute(Settings.self, id: UUID(), .replaceLoyaltyAccrualRules([
            LoyaltyAccrualRule(source: .spend, points: 1, currency: .cny)]), as: f.admin)
        let customer = try await f.customer("Li Wei", branch: "north")
        let ledger = RevenueLedger.id(customerID: customer)
        let entry = RevenueLedger.Entry(id: UUID.derived("entry", "clawback-event"), customerID: customer, chargeItem: "water", businessLine: "utility",
                                        date: try EngineFixture.day("2025-12-30"), amount: Money(250, .cny))
        try await f.engine.execute(RevenueLedger.self, id: ledger, .record(entry), as: f.admin)
        let reversed = try await f.engine.execute(RevenueLedger.self, id: ledger, .reverse(entryID: entry.id, reversalID: UUID.derived("entry", "clawback-event-reversal"),
                                                                                           reason: "billed twice"), as: f.admin)
        try await f.engine.reactionsSettled(upTo: reversed.position)
        let events = try await f.engine.store.readStream(LoyaltyAccount.stream(customer), from: .first, direction: .forward, limit: 10)
        #expect(events.map(\.type) == [PointsAccrued.eventType, PointsClawedBack.eventType])
        let account = try await f.engine.state(LoyaltyAccount.self, id: customer, as: f.admin).state
        #expect(account.ledger.map(\.kind) == [.accrual, .clawback] && account.recordedBalance == 0)
        #expect(account.redemptions.isEmpty)
        let balance = try await f.engine.loyalty(of: customer, as: f.admin, consistentWith: try await f.engine.store.headPosition())
        #expect(balance.account.redeemed == 0 && balance.account.clawedBack == 250 && balance.account.balance == 0)
        #expect(balance.account.lastMovements.first?.kind == .clawback)
        await f.close()
    }

    static func openWithoutOwner(_ id: UUID, customer: UUID, owner: String = "", assignment: Opportunity.Assignment = .opener) throws -> Opportunity.Command {
        .open(opportunityID: id, details: Opportunity.Details(customerID: customer, title: "Heat pump", source: "visit", expectedRevenue: Money(1000, .cny),
                                                              closeDate: try EngineFixture.day("2026-06-30")),
              pipeline: .default, stage: nil, owner: owner, assignment: assignment)
    }

    @Test func anOpportunityTheRulesGaveAnOwnerIsRecordedAsAssignedByTheRules() async throws {
        let f = try await EngineFixture.make("opportunity-routed")
        let seller = try await f.hire("Seller", branch: "north", permissions: [])
        try await f.engine.execute(Settings.self, id: UUID(), .replaceRoutingRules([RoutingRule(name: "north", branch: "north", assignee: seller.id)]), as: f.admin)
        let customer = try await f.customer("Li Wei", branch: "north")
        let routed = UUID.derived("opportunity", "routed")
        let result = try await f.engine.execute(Opportunity.self, id: routed, try Self.openWithoutOwner(routed, customer: customer), as: f.admin)
        #expect(result.events.map(\.type) == [OpportunityOpened.eventType, OpportunityAssigned.eventType])
        let state = try await f.engine.state(Opportunity.self, id: routed, as: f.admin).state
        #expect(state.owner == seller.id && state.assignment == .rules)
        // A person naming the owner is its opener, whatever assignment the command carries.
        let named = UUID.derived("opportunity", "named")
        let opened = try await f.engine.execute(Opportunity.self, id: named, try Self.openWithoutOwner(named, customer: customer, owner: f.admin.id, assignment: .rules),
                                                as: f.admin)
        #expect(opened.events.map(\.type) == [OpportunityOpened.eventType])
        #expect(try await f.engine.state(Opportunity.self, id: named, as: f.admin).state.assignment == .opener)
        await f.close()
    }
}
