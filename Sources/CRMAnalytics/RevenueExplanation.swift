import CRMDomain
import CRMProjections
import EventSourcing
import Foundation

/// Explains a revenue rise or fall between two periods (R-ANA-4) by product and by month: each
/// product's change and its share of the total change.
///
/// ```swift
/// let cells = try RevenueCube.cells(from: jan, through: jun, in: views)
/// let why = RevenueExplanation.explain(cells, base: jan...mar, compare: apr...jun, currency: .cny)
/// ```
public struct RevenueExplanation: Hashable, Sendable {
    /// One month × product sum of revenue (a ``CRMProjections/RevenueCube/Cell`` without its customer).
    public struct Row: Hashable, Sendable {
        public var month: RevenueMonth
        public var productID: UUID?
        public var customerID: UUID?
        /// The customer's account manager (first owner of the scope).
        public var manager: String?
        public var amount: Decimal
        public var currency: Currency

        public init(month: RevenueMonth, productID: UUID? = nil, customerID: UUID? = nil, manager: String? = nil, amount: Decimal, currency: Currency) {
            self.month = month
            self.productID = productID
            self.customerID = customerID
            self.manager = manager
            self.amount = amount
            self.currency = currency
        }

        /// A cell of the revenue cube; nil when its month text is malformed.
        public init?(_ cell: RevenueCube.Cell) {
            guard let month = RevenueMonth(text: cell.month) else { return nil }
            self.init(month: month, productID: cell.productID, customerID: cell.customerID, manager: cell.scope.owners.first,
                      amount: cell.amount, currency: cell.currency)
        }
    }

    /// One product's (or month's) part of the change.
    public struct Contribution: Hashable, Sendable {
        /// A product id (lowercased, `""` without product) or, for months, `base month→compare month`.
        public var key: String
        public var base: Decimal
        public var compare: Decimal
        /// compare − base.
        public var change: Decimal
        /// change ÷ total change × 100, 2 places; nil when the total did not change.
        public var sharePercent: Decimal?
    }

    public var currency: Currency
    public var baseTotal: Decimal
    public var compareTotal: Decimal
    /// compareTotal − baseTotal.
    public var change: Decimal
    /// (compare − base) ÷ base × 100, 2 places; nil when the base is 0.
    public var changePercent: Decimal?
    /// Largest absolute change first; ties by key.
    public var byProduct: [Contribution]
    /// The i-th month of the base period against the i-th of the compared one, in month order.
    public var byMonth: [Contribution]

    /// Explains the change of the cube's `cells` (one currency's count; others are left out) from `base` to `compare`.
    public static func explain(_ cells: [RevenueCube.Cell], base: ClosedRange<RevenueMonth>, compare: ClosedRange<RevenueMonth>,
                               currency: Currency) -> RevenueExplanation {
        explain(cells.compactMap(Row.init), base: base, compare: compare, currency: currency)
    }

    /// Explains the change of `rows` (one currency's count; others are left out) from `base` to `compare`.
    public static func explain(_ cells: [Row], base: ClosedRange<RevenueMonth>, compare: ClosedRange<RevenueMonth>,
                               currency: Currency) -> RevenueExplanation {
        var baseProducts: [String: Decimal] = [:]
        var compareProducts: [String: Decimal] = [:]
        var months: [RevenueMonth: Decimal] = [:]
        for cell in cells where cell.currency == currency {
            let month = cell.month
            let product = cell.productID?.lowercasedString ?? ""
            if base.contains(month) { baseProducts[product, default: 0] += cell.amount }
            if compare.contains(month) { compareProducts[product, default: 0] += cell.amount }
            months[month, default: 0] += cell.amount
        }
        let baseTotal = baseProducts.values.reduce(0, +)
        let compareTotal = compareProducts.values.reduce(0, +)
        let change = compareTotal - baseTotal
        func share(_ c: Decimal) -> Decimal? { change == 0 ? nil : (c / change * 100).rounded(2) }
        let products = Set(baseProducts.keys).union(compareProducts.keys).map { key -> Contribution in
            let b = baseProducts[key] ?? 0, c = compareProducts[key] ?? 0
            return Contribution(key: key, base: b, compare: c, change: c - b, sharePercent: share(c - b))
        }.sorted { (abs($1.change), $0.key) < (abs($0.change), $1.key) }
        var byMonth: [Contribution] = []
        let baseMonths = monthList(base), compareMonths = monthList(compare)
        for i in 0..<max(baseMonths.count, compareMonths.count) {
            let bm = i < baseMonths.count ? baseMonths[i] : nil
            let cm = i < compareMonths.count ? compareMonths[i] : nil
            let b = bm.flatMap { months[$0] } ?? 0, c = cm.flatMap { months[$0] } ?? 0
            let key = "\(bm?.description ?? "-")→\(cm?.description ?? "-")"
            byMonth.append(Contribution(key: key, base: b, compare: c, change: c - b, sharePercent: share(c - b)))
        }
        return RevenueExplanation(currency: currency, baseTotal: baseTotal, compareTotal: compareTotal, change: change,
                                  changePercent: Tendency.changePercent(compareTotal, baseTotal), byProduct: products, byMonth: byMonth)
    }

    /// The months of a range, in order (at most 1,200).
    static func monthList(_ range: ClosedRange<RevenueMonth>) -> [RevenueMonth] {
        var out: [RevenueMonth] = []
        var m = range.lowerBound
        while m <= range.upperBound && out.count < 1200 {
            out.append(m)
            m = m.adding(months: 1)
        }
        return out
    }
}
