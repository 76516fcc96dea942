import CRMDomain
import CRMProjections
import Foundation

// Adapters from the read models of CRMProjections/Analytics to the inputs of the pure functions.

extension PurchaseHistory {
    /// A customer's purchases in `currency`: months in other currencies are converted at the rate valid
    /// on the first day of their month. A month's amount in a currency without such a rate is not in the
    /// month's `amount` but named in its ``PurchaseHistory/Month/unconverted`` (for the caller to refuse,
    /// ``PurchaseHistory/missingRates(in:)``); its purchases count whatever the rates.
    /// For an analysis of a past day, pass the summary as of that day (``CustomerActivity/summary(_:asOf:in:)``).
    public init(_ summary: CustomerActivity.Summary, currency: Currency, rates: [ExchangeRate] = []) {
        var months: [RevenueMonth: Month] = [:]
        for m in summary.months {
            guard let month = RevenueMonth(text: m.month) else { continue }
            var row = months[month] ?? Month(month: month, purchases: 0, amount: 0)
            row.purchases += m.purchases
            if m.currency == currency || m.amount == 0 {
                row.amount += m.currency == currency ? m.amount : 0
            } else if let first = LocalDate(year: month.year, month: month.month, day: 1),
                      let converted = rates.convert(Money(m.amount, m.currency), to: currency, on: first) {
                row.amount += converted.amount
            } else if !row.unconverted.contains(m.currency) {
                row.unconverted.append(m.currency)
            }
            months[month] = row
        }
        self.init(customerID: summary.customerID, branch: summary.scope.branch, firstPurchase: summary.firstPurchase,
                  lastPurchase: summary.lastPurchase, totalPurchases: summary.purchases,
                  months: months.values.sorted { $0.month < $1.month })
    }
}

extension Churn.Signals {
    /// The signals of a customer's activity on `day`: the current period is the `months` months ending
    /// with `day`'s month, the previous one the `months` before; activity counts contacts, visits and
    /// purchases. The contract facts are the caller's (from the contracts and the pipeline).
    /// The months of each period by default (the current one and the previous one).
    public static let periodMonths = 3

    public init(_ summary: CustomerActivity.Summary, on day: LocalDate, calendar: LocalCalendar = .utc, months: Int = periodMonths,
                currency: Currency, rates: [ExchangeRate] = [], contractExpiresInDays: Int? = nil, hasRenewalOpportunity: Bool = false) {
        let history = PurchaseHistory(summary, currency: currency, rates: rates)
        let current = RevenueMonth.window(endingAt: RevenueMonth(day), months: months)
        let previous = RevenueMonth.window(endingAt: current.lowerBound.adding(months: -1), months: months)
        func count(_ rows: [CustomerActivity.MonthCount], _ window: ClosedRange<RevenueMonth>) -> Int {
            rows.filter { RevenueMonth(text: $0.month).map(window.contains) ?? false }.reduce(0) { $0 + $1.count }
        }
        let now = history.totals(in: current), before = history.totals(in: previous)
        self.init(
            customerID: summary.customerID, daysSinceLastPurchase: history.recencyDays(asOf: day), usualGapDays: history.usualGapDays,
            revenueCurrent: now.amount, revenuePrevious: before.amount,
            activityCurrent: count(summary.activity, current) + now.purchases, activityPrevious: count(summary.activity, previous) + before.purchases,
            daysSinceLastContact: summary.lastContactAt.map { max(0, calendar.localDate(of: $0).days(until: day)) },
            openComplaints: summary.openComplaints, slaBreaches: count(summary.slaBreaches, current),
            contractExpiresInDays: contractExpiresInDays, hasRenewalOpportunity: hasRenewalOpportunity)
    }
}

extension KPI.RuleHistory {
    /// The history of the settings' KPI rules (``KPIRuleVersions``), each rule with the scoring curve and
    /// period its version's settings gave it (``CRMDomain/KPIScoring``; the default curve and period
    /// otherwise).
    public init(_ versions: [KPIRuleVersions.Version]) {
        self.init(versions.map { v in
            KPI.RuleSet(version: v.version, effectiveFrom: v.effectiveFrom, rules: v.rules.map { rule in
                v.scoring.first { $0.indicator == rule.indicator }.map { KPI.Rule(rule, scoring: $0) } ?? KPI.Rule(rule)
            })
        })
    }
}

extension KPI.Rule {
    /// A settings rule scored as the settings' ``CRMDomain/KPIScoring`` says.
    public init(_ rule: KPIRule, scoring: KPIScoring) {
        let curve: KPI.Curve
        switch scoring.curve {
        case .linear: curve = .linear(cap: scoring.cap)
        case .threshold: curve = .threshold
        case .steps: curve = .steps(scoring.steps.map { KPI.Step(from: $0.from, factor: $0.factor) })
        }
        let period: KPI.Period
        switch scoring.period {
        case .day: period = .day
        case .month: period = .month
        case .quarter: period = .quarter
        case .year: period = .year
        }
        self.init(rule, curve: curve, period: period)
    }
}

extension KPI {
    /// Indicator counts as the Decimal values ``KPI/assess(employee:period:values:rules:)`` reads.
    public static func values(_ counts: [String: Int]) -> [String: Decimal] { counts.mapValues { Decimal($0) } }
}
