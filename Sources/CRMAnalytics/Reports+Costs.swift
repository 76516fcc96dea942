import CRMDomain
import EventSourcing
import Foundation

extension Reports {
    // MARK: - Cost: budget vs actual (R-ANA-5)

    /// One actual cost: a campaign's cost line (marketing) or a visit's (sales and service visits).
    public struct CostFact: Hashable, Sendable {
        /// `marketing` (campaign cost lines) or `visits` (visit cost lines).
        public var category: String
        /// The campaign or visit.
        public var source: UUID
        /// The local month the cost belongs to (the cost line's day; a visit's day in its branch zone).
        public var month: RevenueMonth
        public var customerID: UUID?
        public var industry: String?
        public var amount: Money

        public init(category: String, source: UUID, month: RevenueMonth, customerID: UUID? = nil, industry: String? = nil, amount: Money) {
            self.category = category
            self.source = source
            self.month = month
            self.customerID = customerID
            self.industry = industry
            self.amount = amount
        }
    }

    /// A budget over a plan's days (a campaign's), spread over its months by ``spread(_:from:through:)``.
    public struct BudgetFact: Hashable, Sendable {
        public var category: String
        public var source: UUID
        public var start: LocalDate
        public var end: LocalDate
        public var amount: Money

        public init(category: String, source: UUID, start: LocalDate, end: LocalDate, amount: Money) {
            self.category = category
            self.source = source
            self.start = start
            self.end = end
            self.amount = amount
        }
    }

    /// What the cost report totals by.
    public enum CostDimension: String, CaseIterable, Hashable, Sendable {
        case month, category, customer, industry
    }

    /// Budget against actual of one key in one currency.
    public struct CostRow: Hashable, Sendable, ReportRow {
        /// The month `YYYY-MM`, category, customer id (lowercased) or industry; `""` when the cost has none.
        public var key: String
        public var currency: Currency
        /// Nil where no budget exists for the key.
        public var budget: Decimal?
        public var actual: Decimal
        /// actual − budget (positive: over budget).
        public var variance: Decimal?
        /// actual ÷ budget × 100, 2 places.
        public var usedPercent: Decimal?

        public static let header = ["key", "currency", "budget", "actual", "variance", "used_percent"]
        public var cells: [String] { [key, currency.rawValue, Cell.text(budget), Cell.text(actual), Cell.text(variance), Cell.text(usedPercent)] }
    }

    /// A budget spread over the months of `from…through` in proportion to the plan's days in each month,
    /// each share rounded half-even to 2 places and the last month taking the remainder (the shares sum
    /// to the budget exactly).
    public static func spread(_ amount: Decimal, from: LocalDate, through: LocalDate) -> [(month: RevenueMonth, amount: Decimal)] {
        guard from <= through else { return [] }
        let total = Decimal(from.days(until: through) + 1)
        var out: [(month: RevenueMonth, amount: Decimal)] = []
        var day = from, assigned: Decimal = 0
        while day <= through {
            let month = RevenueMonth(day)
            let last = min(day.lastOfMonth, through)
            let days = Decimal(day.days(until: last) + 1)
            let share = last == through ? amount - assigned : (amount * days / total).rounded(2)
            out.append((month, share))
            assigned += share
            // Done at `through`: the day after 9999-12-31 is none (`adding(days:)` stays there).
            if last == through { break }
            day = last.adding(days: 1)
        }
        return out
    }

    /// Budget against actual costs by `dimension` over the months of `period`, per currency (never
    /// converted); in key, then currency order. Campaign budgets (`budgets`) count by month and by
    /// category; the settings' monthly budgets (`monthly`) count where their dimension is the report's —
    /// category budgets also by month (categories partition the total; customers and industries do not).
    public static func costs(_ costs: [CostFact], budgets: [BudgetFact], monthly: [CostBudget] = [], by dimension: CostDimension,
                             in period: ClosedRange<RevenueMonth>) -> [CostRow] {
        struct Key: Hashable { var key: String; var currency: Currency }
        var actual: [Key: Decimal] = [:], budget: [Key: Decimal] = [:]
        for cost in costs where period.contains(cost.month) {
            let key: String
            switch dimension {
            case .month: key = cost.month.description
            case .category: key = cost.category
            case .customer: key = cost.customerID?.lowercasedString ?? ""
            case .industry: key = cost.industry ?? ""
            }
            actual[Key(key: key, currency: cost.amount.currency), default: 0] += cost.amount.amount
        }
        if dimension == .month || dimension == .category {
            for b in budgets {
                for share in spread(b.amount.amount, from: b.start, through: b.end) where period.contains(share.month) {
                    let key = dimension == .month ? share.month.description : b.category
                    budget[Key(key: key, currency: b.amount.currency), default: 0] += share.amount
                }
            }
        }
        for b in monthly where period.contains(b.month) {
            let key: String?
            switch (dimension, b.dimension) {
            case (.month, .category): key = b.month.description
            case (.category, .category), (.customer, .customer), (.industry, .industry): key = b.key
            default: key = nil
            }
            if let key { budget[Key(key: key, currency: b.amount.currency), default: 0] += b.amount.amount }
        }
        return Set(actual.keys).union(budget.keys).map { k in
            let a = actual[k] ?? 0, b = budget[k]
            return CostRow(key: k.key, currency: k.currency, budget: b, actual: a, variance: b.map { a - $0 },
                           usedPercent: b.flatMap { $0 == 0 ? nil : (a / $0 * 100).rounded(2) })
        }.sorted { ($0.key, $0.currency.rawValue) < ($1.key, $1.currency.rawValue) }
    }
}
