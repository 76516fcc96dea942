import CRMDomain
import Foundation

/// Churn warning (R-ANA-4): a risk score from configurable signals, and the episode state machine that
/// decides when the engine's reactor dispatches a retention task (once per episode).
///
/// ```swift
/// let risk = Churn.risk(signals, configuration: config)
/// let (next, decision) = Churn.step(state, customerID: id, risk: risk.score, taskCompleted: done, on: today, configuration: config)
/// if case .dispatchRetentionTask(let taskID) = decision { … }   // the reactor sends DispatchTask with this id
/// ```
public enum Churn {
    /// One customer's facts at the day of the evaluation (all computed by the caller from read models).
    public struct Signals: Hashable, Sendable {
        public var customerID: UUID
        /// Days since the last purchase; nil: never bought (the signal does not fire).
        public var daysSinceLastPurchase: Int?
        /// The customer's usual days between purchases (``PurchaseHistory/usualGapDays``); nil: fewer than two purchases.
        public var usualGapDays: Decimal?
        public var revenueCurrent: Decimal
        public var revenuePrevious: Decimal
        /// Contacts, visits and purchases of the current and previous period.
        public var activityCurrent: Int
        public var activityPrevious: Int
        /// Days since the last contact or visit; nil: never contacted.
        public var daysSinceLastContact: Int?
        public var openComplaints: Int
        public var slaBreaches: Int
        /// Days until the nearest active contract expires; nil: none.
        public var contractExpiresInDays: Int?
        public var hasRenewalOpportunity: Bool

        public init(customerID: UUID, daysSinceLastPurchase: Int? = nil, usualGapDays: Decimal? = nil, revenueCurrent: Decimal = 0,
                    revenuePrevious: Decimal = 0, activityCurrent: Int = 0, activityPrevious: Int = 0, daysSinceLastContact: Int? = nil,
                    openComplaints: Int = 0, slaBreaches: Int = 0, contractExpiresInDays: Int? = nil, hasRenewalOpportunity: Bool = false) {
            self.customerID = customerID
            self.daysSinceLastPurchase = daysSinceLastPurchase
            self.usualGapDays = usualGapDays
            self.revenueCurrent = revenueCurrent
            self.revenuePrevious = revenuePrevious
            self.activityCurrent = activityCurrent
            self.activityPrevious = activityPrevious
            self.daysSinceLastContact = daysSinceLastContact
            self.openComplaints = openComplaints
            self.slaBreaches = slaBreaches
            self.contractExpiresInDays = contractExpiresInDays
            self.hasRenewalOpportunity = hasRenewalOpportunity
        }
    }

    /// The signals' thresholds and weights (points added to the risk when a signal fires), the episode
    /// threshold and its margin. Defaults in docs/ANALYTICS.md.
    public struct Configuration: Hashable, Sendable, Codable {
        /// Fires when days since last purchase > gapFactor × usual gap…
        public var gapFactor: Decimal = 2
        /// …or, without a usual gap (one purchase), > this many days.
        public var defaultGapDays: Int = 90
        public var purchaseGapWeight: Decimal = 30
        /// Fires when revenue fell by at least this percent against the previous period.
        public var revenueDropPercent: Decimal = 30
        public var revenueDropWeight: Decimal = 25
        public var activityDropPercent: Decimal = 50
        public var activityDropWeight: Decimal = 15
        public var noContactDays: Int = 60
        public var noContactWeight: Decimal = 15
        /// Per open complaint or SLA breach, up to ``serviceIssueCap``.
        public var serviceIssueWeight: Decimal = 10
        public var serviceIssueCap: Decimal = 20
        /// Fires when a contract expires within this many days and no renewal opportunity is open.
        public var contractWindowDays: Int = 60
        public var contractWeight: Decimal = 20
        /// An episode opens at risk ≥ threshold…
        public var threshold: Decimal = 50
        /// …and ends when risk < threshold − margin (or its retention task is completed).
        public var margin: Decimal = 10

        public init() {}

        /// The defaults with the settings' warning thresholds for a branch and community applied:
        /// `revenueDropPercent`, `activityDropPercent`, `noContactDays`, `churnRiskThreshold`, `churnRiskMargin`.
        public init(settings: Settings.State, branch: String?, community: String?) {
            self.init()
            func value(_ metric: String) -> Decimal? { settings.warningThreshold(metric, branch: branch, community: community)?.value }
            if let v = value("revenueDropPercent") { revenueDropPercent = v }
            if let v = value("activityDropPercent") { activityDropPercent = v }
            if let v = value("noContactDays") { noContactDays = NSDecimalNumber(decimal: v).intValue }
            if let v = value("churnRiskThreshold") { threshold = v }
            if let v = value("churnRiskMargin") { margin = v }
        }
    }

    /// A signal that fired.
    public enum Reason: String, Hashable, Sendable, Codable {
        case purchaseGap, revenueDrop, activityDrop, noContact, serviceIssues, contractExpiring
    }

    /// The risk: the sum of the fired signals' weights, at most 100.
    public struct Risk: Hashable, Sendable {
        public var customerID: UUID
        public var score: Decimal
        /// Each fired signal and the points it added, in the order of ``Reason``.
        public var contributions: [Contribution]
    }

    /// One fired signal's points.
    public struct Contribution: Hashable, Sendable {
        public var reason: Reason
        public var points: Decimal
    }

    /// The risk of one customer's signals.
    public static func risk(_ s: Signals, configuration c: Configuration = Configuration()) -> Risk {
        var parts: [Contribution] = []
        if let days = s.daysSinceLastPurchase {
            let limit = s.usualGapDays.map { $0 * c.gapFactor } ?? Decimal(c.defaultGapDays)
            if Decimal(days) > limit { parts.append(Contribution(reason: .purchaseGap, points: c.purchaseGapWeight)) }
        }
        if let drop = dropPercent(s.revenueCurrent, s.revenuePrevious), drop >= c.revenueDropPercent {
            parts.append(Contribution(reason: .revenueDrop, points: c.revenueDropWeight))
        }
        if let drop = dropPercent(Decimal(s.activityCurrent), Decimal(s.activityPrevious)), drop >= c.activityDropPercent {
            parts.append(Contribution(reason: .activityDrop, points: c.activityDropWeight))
        }
        if let days = s.daysSinceLastContact, days > c.noContactDays {
            parts.append(Contribution(reason: .noContact, points: c.noContactWeight))
        }
        let issues = s.openComplaints + s.slaBreaches
        if issues > 0 {
            parts.append(Contribution(reason: .serviceIssues, points: min(c.serviceIssueCap, Decimal(issues) * c.serviceIssueWeight)))
        }
        if let days = s.contractExpiresInDays, days >= 0, days <= c.contractWindowDays, !s.hasRenewalOpportunity {
            parts.append(Contribution(reason: .contractExpiring, points: c.contractWeight))
        }
        let score = min(100, parts.reduce(Decimal(0)) { $0 + $1.points })
        return Risk(customerID: s.customerID, score: score, contributions: parts)
    }

    /// The fall from `previous` to `current` in percent (positive when it fell); nil when previous ≤ 0.
    static func dropPercent(_ current: Decimal, _ previous: Decimal) -> Decimal? {
        guard previous > 0 else { return nil }
        return ((previous - current) / previous * 100).rounded(2)
    }
}
