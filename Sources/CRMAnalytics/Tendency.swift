import CRMDomain
import Foundation

/// Consumption tendency (R-ANA-3): spend and frequency of the last period against the one before it.
///
/// ```swift
/// let t = Tendency.of(history, through: RevenueMonth(year: 2026, month: 3), months: 3)
/// if t.direction == .falling { … }
/// ```
public struct Tendency: Hashable, Sendable {
    /// How consumption moved.
    public enum Direction: String, Hashable, Sendable, Codable {
        /// Spend changed by at least +threshold %.
        case rising
        /// Spend changed by at most −threshold %.
        case falling
        /// Within ± threshold %.
        case stable
        /// Nothing in the previous period, something in the last.
        case new
        /// Nothing in either period.
        case inactive
    }

    public var currentSpend: Decimal
    public var previousSpend: Decimal
    public var currentPurchases: Int
    public var previousPurchases: Int
    /// `(current − previous) / previous × 100`, 2 places; nil when the previous spend is 0.
    public var spendChangePercent: Decimal?
    /// The same for the number of purchases.
    public var frequencyChangePercent: Decimal?
    public var direction: Direction

    /// The tendency of `history` for the `months` months ending at `through` against the `months` before;
    /// the direction follows spend, with `thresholdPercent` (default 10) as the band of "stable".
    public static func of(_ history: PurchaseHistory, through: RevenueMonth, months: Int, thresholdPercent: Decimal = 10) -> Tendency {
        let current = RevenueMonth.window(endingAt: through, months: months)
        let previous = RevenueMonth.window(endingAt: through.adding(months: -max(1, months)), months: months)
        let now = history.totals(in: current)
        let before = history.totals(in: previous)
        let spend = changePercent(now.amount, before.amount)
        let frequency = changePercent(Decimal(now.purchases), Decimal(before.purchases))
        let direction: Direction
        if before.amount == 0 && now.amount == 0 {
            direction = .inactive
        } else if before.amount == 0 {
            direction = .new
        } else if let spend, spend >= thresholdPercent {
            direction = .rising
        } else if let spend, spend <= -thresholdPercent {
            direction = .falling
        } else {
            direction = .stable
        }
        return Tendency(currentSpend: now.amount, previousSpend: before.amount, currentPurchases: now.purchases,
                        previousPurchases: before.purchases, spendChangePercent: spend, frequencyChangePercent: frequency,
                        direction: direction)
    }

    /// `(current − previous) / previous × 100` rounded half-even to 2 places; nil when previous is 0.
    public static func changePercent(_ current: Decimal, _ previous: Decimal) -> Decimal? {
        guard previous != 0 else { return nil }
        return ((current - previous) / abs(previous) * 100).rounded(2)
    }
}
