import EventSourcing
import Foundation

/// How spend, tenure and activities earn points (R-CUS-8): configuration the engine keeps with the
/// settings and passes in.
public struct LoyaltyAccrualRule: Hashable, Sendable, Codable {
    public var source: AccrualSource
    /// For spend: points per whole unit of `currency` spent. For activities and tenure: whole points per
    /// occurrence / per full year of being a customer (granted on each anniversary by the engine's scheduler:
    /// ``LoyaltyRules/tenureAccrual(customerID:customerSince:on:rules:catchUpDays:)``). At most
    /// ``LoyaltyRules/maximumPointsPerRule``.
    public var points: Decimal
    /// The currency spend is counted in (converted at the rate valid on the revenue's date).
    public var currency: Currency?
    /// For activities: which one (e.g. `surveyAnswered`); nil for spend and tenure.
    public var activity: String?
    /// Months until accrued points expire, counted from the day they are earned (1 to
    /// ``LoyaltyRules/maximumValidityMonths``); nil: never. Stamped on each lot when it is accrued (a later
    /// change of the rule leaves earned lots as they are); the engine's scheduler records the expiry of what
    /// redemptions, oldest lots first, left of a lot on its `expiresOn`.
    public var validityMonths: Int?

    public init(source: AccrualSource, points: Decimal, currency: Currency? = nil, activity: String? = nil, validityMonths: Int? = nil) {
        self.source = source
        self.points = points
        self.currency = currency
        self.activity = activity
        self.validityMonths = validityMonths
    }
}

/// Pure functions from business facts to accrual commands; the engine's reactor runs them.
public enum LoyaltyRules {
    /// The accrual a revenue entry earns: whole points for the spend converted into the rule's currency at
    /// the rate valid on the entry's day, rounded down. Nil when no spend rule applies, the rate is unknown
    /// or the entry earns less than one point (refunds and reversals earn nothing).
    public static func accrual(
        forRevenueEntry entryID: UUID, customerID: UUID, amount: Money, on day: LocalDate,
        rules: [LoyaltyAccrualRule], rates: [ExchangeRate]
    ) -> LoyaltyAccount.Command? {
        guard let rule = rules.first(where: { $0.source == .spend }), amount.amount > 0 else { return nil }
        let spend = rule.currency.flatMap { rates.convert(amount, to: $0, on: day) } ?? (rule.currency == nil ? amount : nil)
        guard let spend else { return nil }
        var product = spend.amount * rule.points
        var whole = Decimal()
        NSDecimalRound(&whole, &product, 0, .down)
        let points = NSDecimalNumber(decimal: whole).intValue
        guard points >= 1 else { return nil }
        return .accrue(
            customerID: customerID, points: points, source: .spend, sourceReference: spendReference(forRevenueEntry: entryID),
            reason: "spend \(amount)", earnedOn: day, expiresOn: rule.validityMonths.map { day.adding(months: $0) }
        )
    }

    /// The source reference of the lot revenue entry `entryID` earns: `revenue-<entry id, lower case>`.
    public static func spendReference(forRevenueEntry entryID: UUID) -> String { "revenue-\(entryID.lowercasedString)" }

    /// What the reversal of revenue entry `entryID` takes back: what is left of the lot the entry earned
    /// (``LoyaltyAccount/Command/clawBack(clawbackID:sourceReference:reason:on:)``; points of it already
    /// redeemed or expired stay spent), recorded on `day` as clawback `clawbackID` (``PointsClawedBack``) — the
    /// engine's reactor derives it from the reversal's event, so a reversal takes back once.
    public static func clawBack(forReversalOf entryID: UUID, clawbackID: UUID, on day: LocalDate) -> LoyaltyAccount.Command {
        .clawBack(clawbackID: clawbackID, sourceReference: spendReference(forRevenueEntry: entryID),
                  reason: "revenue entry reversed", on: day)
    }

    /// The activity a customer's survey response is (the engine's reactor accrues it).
    public static let surveyAnswered = "surveyAnswered"

    /// How the rules' source references begin (`revenue-<entry id>`, `tenure-<year>`, `<activity>-<reference>`):
    /// a manual accrual may not use them, so it never takes a rule's occurrence before the rule does.
    public static let ruleReferencePrefixes = ["revenue-", "tenure-", surveyAnswered + "-"]

    /// The accrual an activity earns (e.g. a survey answered), once per `reference`.
    public static func accrual(
        forActivity activity: String, reference: String, customerID: UUID, on day: LocalDate, rules: [LoyaltyAccrualRule]
    ) -> LoyaltyAccount.Command? {
        guard let rule = rules.first(where: { $0.source == .activity && $0.activity == activity }) else { return nil }
        let points = NSDecimalNumber(decimal: rule.points).intValue
        guard points >= 1 else { return nil }
        return .accrue(
            customerID: customerID, points: points, source: .activity, sourceReference: "\(activity)-\(reference)",
            reason: activity, earnedOn: day, expiresOn: rule.validityMonths.map { day.adding(months: $0) }
        )
    }
}
