import CRMAnalytics
import CRMDomain
import CRMProjections
import EventSourcing
import Foundation

/// The revenue report (R-SAL-6) over the revenue cube: one reporting currency, growth and contribution share.
///
/// ```swift
/// let q1 = try await engine.revenue(RevenueQuery(by: .chargeItem, period: .quarter, from: jan, through: mar, currency: .usd), as: manager)
/// ```
public struct RevenueQuery: Hashable, Sendable {
    /// What the rows are: a record dimension (product, customer, charge item, business line, the entries'
    /// currency) or a period (month, quarter, year).
    public var by: RevenueCube.Dimension
    /// With a record dimension: each row split per period as well. With a period `by`: nil or the same period.
    public var period: RevenueCube.Period?
    /// The first month; with a period, the first month of one (e.g. 2026-04 for quarters).
    public var from: RevenueMonth
    /// The last month; with a period, the last month of one (e.g. 2026-06 for quarters).
    public var through: RevenueMonth
    /// The reporting currency (ISO 4217): every entry is converted into it at the rate valid on its date.
    public var currency: Currency

    public init(by: RevenueCube.Dimension = .month, period: RevenueCube.Period? = nil, from: RevenueMonth, through: RevenueMonth,
                currency: Currency = .cny) {
        self.by = by
        self.period = period
        self.from = from
        self.through = through
        self.currency = currency
    }

    /// The period the rows are split by, if any.
    public var splitPeriod: RevenueCube.Period? { by.period ?? period }

    /// How many months back a row is compared: one period when split by period, else the range's own length.
    public var shift: Int {
        splitPeriod?.months ?? ((through.year - from.year) * 12 + through.month - from.month + 1)
    }

    /// The months a query's `from` and `through` may name: from January of ``RevenueLedger/earliestYear``
    /// (no entry of the ledger lies before it) through 9999-12, the last month there is.
    public static let monthsQueried = RevenueMonth(year: RevenueLedger.earliestYear, month: 1)...RevenueMonth(year: 9999, month: 12)

    /// The first month there is (of the year 1): the compared range never begins before it.
    static let firstMonth = RevenueMonth(year: 1, month: 1)
}

/// The answer to a ``RevenueQuery``: exact amounts in one currency, each row with the amount it is compared
/// to, its growth and its share of the total.
public struct RevenueBreakdown: Hashable, Sendable {
    /// One dimension value (in one period, when split by period).
    public struct Row: Hashable, Sendable {
        /// The period label (`2026-03`, `2026-Q1`, `2026`) when the rows are split by period, else nil.
        public var period: String?
        /// The dimension value (see ``RevenueCube/Total/key``).
        public var key: String
        /// In the report's currency, reversals included: the exact sum of the unrounded conversions of its
        /// entries, rounded once, half-even to 4 decimal places.
        public var amount: Decimal
        /// The same key's amount in the compared range (``RevenueBreakdown/compareFrom`` …): the previous
        /// period when split by period, else the report's range shifted back by its own length.
        public var previousAmount: Decimal
        /// (amount − previous) ÷ |previous| × 100, rounded half-even to 2 places; nil when previous is 0.
        public var growthPercent: Decimal?
        /// amount ÷ the report's total × 100, rounded half-even to 2 places; nil when the total is 0.
        public var sharePercent: Decimal?
        public var entries: Int
        public var reversals: Int
    }

    public var query: RevenueQuery
    /// The range the rows are compared with: `from` − ``RevenueQuery/shift`` months through `through` − as many,
    /// begun no earlier than 0001-01, the first month there is (a range longer than the months before it is
    /// compared with all of them: no entry lies before 1900, so the amounts are the same).
    public var compareFrom: RevenueMonth
    public var compareThrough: RevenueMonth
    /// The sum of the rows' unrounded amounts, rounded once (half-even, 4 places) as each row's is: it may
    /// differ from the sum of the rounded rows in the last place.
    public var total: Decimal
    /// By period, then key.
    public var rows: [Row]
}

extension CRMEngine {
    /// Revenue by a dimension and period in one currency (R-SAL-6), of the revenue-cube cells `principal`
    /// may query in the revenue module; reading by customer is recorded in the read audit.
    ///
    /// Each cube cell (one day's entries) is converted at the settings' rate valid on that day
    /// (``ExchangeRate`` — direct, inverse or across a third currency). When an entry of the report or of
    /// its compared range has no rate, the report is refused (`rejected`, field `exchangeRates`, naming
    /// each missing pair and its first day): nothing is counted as 0. An invalid query is `invalid`
    /// naming its field (`currency`, `from`, `through`, `period`; a month outside ``RevenueQuery/monthsQueried``).
    public func revenue(_ query: RevenueQuery, as principal: Principal,
                        consistentWith position: GlobalPosition? = nil) async throws -> RevenueBreakdown {
        try requireOpen()
        try Self.validate(query)
        try await consistent(with: position, [Self.revenueView])
        let now = clock.now()
        let rates = try await settings().exchangeRates
        let compareFrom = max(query.from.adding(months: -query.shift), RevenueQuery.firstMonth)
        let cells = try views.read(Self.revenueView) {
            try RevenueCube.cells(from: compareFrom, through: query.through, in: $0) { principal.may(.query, in: .revenue, on: $0.scope, at: now) }
        }
        var current: [RowID: (amount: Decimal, entries: Int, reversals: Int)] = [:], previous: [RowID: Decimal] = [:]
        var conversion = RevenueConversion(currency: query.currency, rates: rates), customers: Set<UUID> = []
        let bucket = { (month: RevenueMonth) in query.splitPeriod?.label(of: month) }
        for cell in cells {
            guard let month = cell.yearMonth, let date = cell.date else { continue }
            guard let amount = conversion.exactAmount(of: cell, on: date) else { continue }
            let key = cell.value(of: query.by)
            if month >= query.from {
                let id = RowID(period: bucket(month), key: key)
                var row = current[id] ?? (0, 0, 0)
                row.amount += amount
                row.entries += cell.entries
                row.reversals += cell.reversals
                current[id] = row
                customers.insert(cell.customerID)
            }
            let later = month.adding(months: query.shift)
            if later <= query.through {
                previous[RowID(period: bucket(later), key: query.by.period == nil ? key : bucket(later) ?? key), default: 0] += amount
            }
        }
        try conversion.check()
        if query.by == .customer { auditCustomers(customers.sorted { $0.uuidString < $1.uuidString }, principal) }
        // Sums of the unrounded conversions, each rounded once here (never entry by entry); growth and share
        // from the unrounded sums too.
        let total = current.values.reduce(Decimal(0)) { $0 + $1.amount }
        let rows = current.map { id, sums in
            let before = previous[id] ?? 0
            return RevenueBreakdown.Row(period: id.period, key: id.key, amount: ExchangeRate.rounded(sums.amount), previousAmount: ExchangeRate.rounded(before),
                                        growthPercent: Tendency.changePercent(sums.amount, before),
                                        sharePercent: total == 0 ? nil : Self.percent(sums.amount / total), entries: sums.entries, reversals: sums.reversals)
        }.sorted { ($0.period ?? "", $0.key) < ($1.period ?? "", $1.key) }
        return RevenueBreakdown(query: query, compareFrom: compareFrom, compareThrough: query.through.adding(months: -query.shift),
                                total: ExchangeRate.rounded(total), rows: rows)
    }

    /// Revenue-cube cells in one currency, as every report that converts revenue reads them (the revenue
    /// report, the composition's values): each cell (one day's entries) at the settings' rate valid on its
    /// day — direct, inverse or across a third currency. A cell without a rate is not counted as 0: the pair
    /// is remembered with the first day it was needed, and ``check()`` refuses the report naming them all.
    struct RevenueConversion {
        let currency: Currency
        let rates: [ExchangeRate]
        private var missing: [String: LocalDate] = [:]

        init(currency: Currency, rates: [ExchangeRate]) {
            self.currency = currency
            self.rates = rates
        }

        /// The cell's amount in the currency, rounded half-even to 4 places as ``Swift/Array/convert(_:to:on:)``
        /// rounds; nil (and remembered) when no rate is valid on `date`.
        mutating func amount(of cell: RevenueCube.Cell, on date: LocalDate) -> Decimal? {
            exactAmount(of: cell, on: date).map(ExchangeRate.rounded)
        }

        /// The cell's amount times the rate, unrounded (for sums rounded once: ``ExchangeRate/rounded(_:)``);
        /// nil (and remembered) when no rate is valid on `date`.
        mutating func exactAmount(of cell: RevenueCube.Cell, on date: LocalDate) -> Decimal? {
            guard cell.amount != 0 else { return 0 }
            guard let rate = rates.rate(from: cell.currency, to: currency, on: date) else {
                let pair = "\(cell.currency)→\(currency)"
                missing[pair] = min(missing[pair] ?? date, date)
                return nil
            }
            return cell.amount * rate
        }

        /// Refuses (`rejected`, reason `notConfigured`, field `exchangeRates`) naming each missing pair and
        /// the first day it was needed, when any cell had no rate.
        func check() throws {
            guard missing.isEmpty else {
                let pairs = missing.sorted { $0.key < $1.key }.map { "\($0.key) (first needed on \($0.value))" }.joined(separator: ", ")
                throw EngineError(DomainError(.notConfigured, field: "exchangeRates", "no exchange rate valid on the entries' dates for " + pairs))
            }
        }
    }

    /// A row of the revenue report: its period label (nil when not split by period) and dimension value.
    private struct RowID: Hashable {
        var period: String?
        var key: String
    }

    /// An ISO 4217 currency, months in order, a period `by` not contradicted by `period`, and a range of whole
    /// periods when split by period.
    private static func validate(_ query: RevenueQuery) throws {
        try query.currency.requireISO4217()
        for (field, month) in [("from", query.from), ("through", query.through)]
        where !RevenueQuery.monthsQueried.contains(month) || !(1...12).contains(month.month) {
            throw EngineError(.invalid, field: field, "is not a month from \(RevenueQuery.monthsQueried.lowerBound) to \(RevenueQuery.monthsQueried.upperBound)")
        }
        guard query.from <= query.through else { throw EngineError(.invalid, field: "from", "the first month comes after the last") }
        if let byPeriod = query.by.period, let period = query.period, period != byPeriod {
            throw EngineError(.invalid, field: "period", "contradicts by=\(byPeriod.rawValue)")
        }
        guard let period = query.splitPeriod else { return }
        guard period.starts(at: query.from) else { throw EngineError(.invalid, field: "from", "must be the first month of a \(period.rawValue)") }
        guard period.starts(at: query.through.adding(months: 1)) else {
            throw EngineError(.invalid, field: "through", "must be the last month of a \(period.rawValue)")
        }
    }

    /// `fraction` × 100 rounded half-even to 2 places (percentages are shown so across the reports).
    private static func percent(_ fraction: Decimal) -> Decimal {
        var value = fraction * 100
        var rounded = Decimal()
        NSDecimalRound(&rounded, &value, 2, .bankers)
        return rounded
    }
}

extension Currency {
    /// Refuses a currency that is not an ISO 4217 code (`invalid`, field `currency`): what a query converts into.
    func requireISO4217() throws {
        guard isISO4217 else { throw EngineError(.invalid, field: "currency", "is not an ISO 4217 currency code") }
    }
}
