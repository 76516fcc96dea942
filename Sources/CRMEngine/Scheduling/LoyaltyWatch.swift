import CRMDomain
import CRMProjections
import EventSourcing
import Foundation

/// The scheduler's loyalty work (R-CUS-8): tenure points on customers' anniversaries and the expiry of
/// points past their validity. Both are safe to run on every node and any number of times a day: a tenure
/// lot's id derives from its customer and anniversary year (``LoyaltyAccount/lotID(customerID:sourceReference:)``)
/// and is executed with an idempotency key of that id; an expiry's key names the customer and the day it is
/// recorded as of, and the domain expires a lot once.
extension CRMEngine {
    /// Grants the settings' tenure rule's points to every customer (not a prospect, not archived) whose
    /// latest anniversary — in its branch's calendar — fell within ``LoyaltyRules/tenureCatchUpDays`` of
    /// today and was not granted yet. Returns how many lots this run recorded.
    func grantTenurePoints(now: Date, settings: Settings.State, items: inout ScheduledItems) async throws -> Int {
        let rules = settings.loyaltyAccrualRules
        guard rules.contains(where: { $0.source == .tenure }) else { return 0 }
        try await views.waitUntil(try await store.headPosition(), projections: [Self.tenureView])
        let customers = try views.read(Self.tenureView) { try LoyaltyTenureProjection.customers(in: $0) }
        var granted = 0
        for customer in customers {
            guard let sinceInstant = customer.since else { continue }
            let calendar = settings.calendar(forBranch: customer.branch)
            let today = calendar.localDate(of: now)
            guard let command = LoyaltyRules.tenureAccrual(customerID: customer.customerID, customerSince: calendar.localDate(of: sinceInstant),
                                                           on: today, rules: rules),
                  case .accrue(_, _, _, let reference, _, let earnedOn, _) = command,
                  earnedOn.year > customer.lastTenureYear else { continue }
            let lotID = LoyaltyAccount.lotID(customerID: customer.customerID, sourceReference: reference)
            // One account the domain refuses does not hold up the others.
            try await items.attempt(customer.customerID) {
                let result = try await execute(LoyaltyAccount.self, id: customer.customerID, command, as: .system,
                                               idempotencyKey: "schedule:loyalty-tenure:" + lotID.lowercasedString)
                if !result.repeated && !result.events.isEmpty { granted += 1 }
            }
        }
        return granted
    }

    /// Records the expiry of every lot whose points lapsed (its `expiresOn` is on or before today in the
    /// account's branch calendar) and still has points left: one `PointsExpired` per account and day, drawing
    /// the lots' remaining points — what redemptions (oldest lots first) left of them. Returns how many
    /// accounts had points expired by this run.
    func expireLoyaltyPoints(now: Date, settings: Settings.State, items: inout ScheduledItems) async throws -> Int {
        try await views.waitUntil(try await store.headPosition(), projections: [Self.loyaltyView])
        let latest = LocalCalendar.latestDate(at: now)
        let due = try views.read(Self.loyaltyView) { reader in
            try LoyaltyBalances.dueExpiries(through: latest, in: reader).map { due in
                (due, try LoyaltyBalances.account(of: due.customerID, in: reader)?.scope.branch)
            }
        }
        var expired = 0
        for (account, branch) in due {
            let today = settings.calendar(forBranch: branch).localDate(of: now)
            guard account.earliest <= today else { continue }
            let key = "schedule:loyalty-expiry:\(account.customerID.lowercasedString):\(today)"
            try await items.attempt(account.customerID) {
                let result = try await execute(LoyaltyAccount.self, id: account.customerID, .expire(asOf: today), as: .system, idempotencyKey: key)
                if !result.repeated && !result.events.isEmpty { expired += 1 }
            }
        }
        return expired
    }

    static let tenureView = "loyalty-tenure"
}
