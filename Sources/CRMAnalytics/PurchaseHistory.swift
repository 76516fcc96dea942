import CRMDomain
import Foundation

/// A customer's purchases summed per month, in one currency: what RFM, tendency and churn read
/// (built from ``CustomerActivity`` rows by ``PurchaseHistory/init(_:currency:rates:)``).
public struct PurchaseHistory: Hashable, Sendable {
    /// One month's purchases.
    public struct Month: Hashable, Sendable {
        public var month: RevenueMonth
        /// Purchases (entries less reversals).
        public var purchases: Int
        /// Net amount.
        public var amount: Decimal
        /// Currencies of the month's purchases that could not be converted into the history's currency (no
        /// rate): their amounts are not in `amount`, their purchases are in `purchases`.
        public var unconverted: [Currency]

        public init(month: RevenueMonth, purchases: Int, amount: Decimal, unconverted: [Currency] = []) {
            self.month = month
            self.purchases = purchases
            self.amount = amount
            self.unconverted = unconverted
        }
    }

    public var customerID: UUID
    public var branch: String?
    public var firstPurchase: LocalDate?
    public var lastPurchase: LocalDate?
    /// Every purchase ever (for the usual gap).
    public var totalPurchases: Int
    public var months: [Month]

    public init(customerID: UUID, branch: String? = nil, firstPurchase: LocalDate? = nil, lastPurchase: LocalDate? = nil,
                totalPurchases: Int? = nil, months: [Month]) {
        self.customerID = customerID
        self.branch = branch
        self.firstPurchase = firstPurchase
        self.lastPurchase = lastPurchase
        self.totalPurchases = totalPurchases ?? months.reduce(0) { $0 + $1.purchases }
        self.months = months
    }

    /// Purchases and amount in the months `window` (inclusive).
    public func totals(in window: ClosedRange<RevenueMonth>) -> (purchases: Int, amount: Decimal) {
        var purchases = 0
        var amount: Decimal = 0
        for m in months where window.contains(m.month) {
            purchases += m.purchases
            amount += m.amount
        }
        return (purchases, amount)
    }

    /// The currencies without a rate into the history's currency in the months `window`, each with the
    /// first day a rate was needed (the first of its earliest month): what an analysis over the window
    /// refuses rather than count as nothing.
    public func missingRates(in window: ClosedRange<RevenueMonth>) -> [Currency: LocalDate] {
        var missing: [Currency: LocalDate] = [:]
        for m in months where window.contains(m.month) {
            guard let first = LocalDate(year: m.month.year, month: m.month.month, day: 1) else { continue }
            for currency in m.unconverted { missing[currency] = min(missing[currency] ?? first, first) }
        }
        return missing
    }

    /// The usual days between purchases: `(last − first) / (purchases − 1)`; nil with fewer than two
    /// purchases (a one-purchase customer has no usual gap).
    public var usualGapDays: Decimal? {
        guard totalPurchases >= 2, let first = firstPurchase, let last = lastPurchase else { return nil }
        return (Decimal(first.days(until: last)) / Decimal(totalPurchases - 1)).rounded(2)
    }

    /// Days from the last purchase to `day`; nil when the customer never bought. The history must hold only
    /// the purchases on or before `day` — built from the summary as of the day
    /// (``CustomerActivity/summary(_:asOf:in:)``) — or a later purchase counts as one made that day.
    public func recencyDays(asOf day: LocalDate) -> Int? {
        lastPurchase.map { max(0, $0.days(until: day)) }
    }
}

extension RFM.Input {
    /// The RFM facts of a history: recency to `asOf`, frequency and monetary over `window`.
    public init(_ history: PurchaseHistory, window: ClosedRange<RevenueMonth>, asOf: LocalDate) {
        let totals = history.totals(in: window)
        self.init(customerID: history.customerID, branch: history.branch, recencyDays: history.recencyDays(asOf: asOf),
                  frequency: totals.purchases, monetary: totals.amount)
    }
}

extension RevenueMonth {
    /// The month `count` months later (earlier when negative).
    public func adding(months count: Int) -> RevenueMonth {
        let total = year * 12 + (month - 1) + count
        return RevenueMonth(year: total / 12, month: total % 12 + 1)
    }

    /// The months `through` and the `count − 1` before it.
    public static func window(endingAt through: RevenueMonth, months count: Int) -> ClosedRange<RevenueMonth> {
        through.adding(months: -(max(1, count) - 1))...through
    }

    /// The month of a local day.
    public init(_ day: LocalDate) { self.init(year: day.year, month: day.month) }

    /// Parses `YYYY-MM` strictly: exactly four ASCII digits of a year 0001…9999 (so month arithmetic on it
    /// never overflows), a hyphen and two digits 01…12 — the month of the days ``LocalDate`` reads as
    /// `YYYY-MM-DD`. `26-03`, `2026-3`, `+2026-03` and `2026-003` are nil; `0026-03` is the year 26, as the
    /// day `0026-03-01` is. Every month a report, a KPI assessment or an export is asked for goes through here.
    public init?(text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 7, bytes[4] == UInt8(ascii: "-") else { return nil }
        var digits: [Int] = []
        for (i, byte) in bytes.enumerated() where i != 4 {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            digits.append(Int(byte - UInt8(ascii: "0")))
        }
        let y = digits[0] * 1000 + digits[1] * 100 + digits[2] * 10 + digits[3], m = digits[4] * 10 + digits[5]
        guard (1...9999).contains(y), (1...12).contains(m) else { return nil }
        self.init(year: y, month: m)
    }
}
