import CRMDomain
import Foundation

/// KPI assessment (R-ANA-1): rules applied to indicator values per employee, a score per item and in
/// total, rankings per team or department, and results that name the rule version they were computed
/// under so a past ranking can be recomputed exactly.
///
/// ```swift
/// let rules = history.ruleSet(at: periodStart) ?? KPI.RuleSet(version: 0, rules: [])
/// let results = values.map { KPI.assess(employee: $0.key, period: "2026-03", values: $0.value, rules: rules) }
/// let board = KPI.rank(results, groupOf: { teamOf[$0] })
/// ```
public enum KPI {
    /// How achievement (value ÷ target) becomes a factor of the item's weight.
    public enum Curve: Hashable, Sendable, Codable {
        /// `min(achievement, cap)`: proportional, no credit past `cap` (1 by default).
        case linear(cap: Decimal)
        /// 1 when the target is reached, else 0.
        case threshold
        /// The factor of the highest step whose `from` achievement is reached (0 below the first).
        case steps([Step])

        /// The default: linear, capped at the target.
        public static let `default` = Curve.linear(cap: 1)

        /// The factor for an achievement.
        public func factor(_ achievement: Decimal) -> Decimal {
            switch self {
            case .linear(let cap): return max(0, min(achievement, cap))
            case .threshold: return achievement >= 1 ? 1 : 0
            case .steps(let steps):
                return steps.filter { $0.from <= achievement }.max { $0.from < $1.from }?.factor ?? 0
            }
        }
    }

    /// A step of a ``Curve/steps(_:)`` curve.
    public struct Step: Hashable, Sendable, Codable {
        public var from: Decimal
        public var factor: Decimal
        public init(from: Decimal, factor: Decimal) {
            self.from = from
            self.factor = factor
        }
    }

    /// The period a rule's target is set for.
    public enum Period: String, Hashable, Sendable, Codable {
        case day, month, quarter, year
    }

    /// One indicator's rule: the settings' ``KPIRule`` with a scoring curve and a period.
    public struct Rule: Hashable, Sendable, Codable {
        public var indicator: String
        public var weight: Decimal
        public var target: Decimal
        /// Added once the target is reached (achievement ≥ 1).
        public var bonusPoints: Decimal
        public var curve: Curve
        public var period: Period

        public init(indicator: String, weight: Decimal, target: Decimal, bonusPoints: Decimal = 0, curve: Curve = .default, period: Period = .month) {
            self.indicator = indicator
            self.weight = weight
            self.target = target
            self.bonusPoints = bonusPoints
            self.curve = curve
            self.period = period
        }

        /// A settings rule with the default curve (linear, capped at the target) and a monthly period.
        public init(_ rule: KPIRule, curve: Curve = .default, period: Period = .month) {
            self.init(indicator: rule.indicator, weight: rule.weight, target: rule.target, bonusPoints: rule.bonusPoints, curve: curve, period: period)
        }
    }

    /// The rules in force from one change of the settings on: `version` is the change's log position
    /// (``KPIRuleVersions``), so it is stable across rebuilds.
    public struct RuleSet: Hashable, Sendable, Codable {
        public var version: UInt64
        /// When the rules took effect (the settings event's recorded time); nil: always.
        public var effectiveFrom: Date?
        public var rules: [Rule]

        public init(version: UInt64, effectiveFrom: Date? = nil, rules: [Rule]) {
            self.version = version
            self.effectiveFrom = effectiveFrom
            self.rules = rules
        }
    }

    /// Every rule set the settings ever held, oldest first.
    public struct RuleHistory: Hashable, Sendable {
        public var versions: [RuleSet]

        public init(_ versions: [RuleSet]) { self.versions = versions.sorted { $0.version < $1.version } }

        /// The rule set of a version (to recompute a stored result).
        public func ruleSet(version: UInt64) -> RuleSet? { versions.first { $0.version == version } }

        /// The rule set in force at `instant`: the last one effective at or before it.
        public func ruleSet(at instant: Date) -> RuleSet? {
            versions.last { ($0.effectiveFrom ?? .distantPast) <= instant }
        }
    }

    /// One indicator's result.
    public struct Item: Hashable, Sendable, Codable {
        public var indicator: String
        public var value: Decimal
        public var target: Decimal
        /// value ÷ target, 4 places.
        public var achievement: Decimal
        public var weight: Decimal
        /// weight × curve(achievement), 2 places.
        public var points: Decimal
        /// The rule's bonus when the target is reached, else 0.
        public var bonus: Decimal
        /// points + bonus.
        public var score: Decimal
    }

    /// One employee's assessment for one period, under one rule version.
    public struct Assessment: Hashable, Sendable, Codable {
        public var employee: String
        /// E.g. `2026-03`, or a day `2026-03-14`.
        public var period: String
        public var ruleVersion: UInt64
        public var items: [Item]
        /// Sum of the items' scores.
        public var total: Decimal
    }

    /// The score of one value under one rule (the target scaled by `targetScale`, e.g. a month's target
    /// spread over its working days).
    public static func item(_ rule: Rule, value: Decimal, targetScale: Decimal = 1) -> Item {
        let target = rule.target * targetScale
        let achievement = target > 0 ? (value / target).rounded(4) : 0
        let points = (rule.weight * rule.curve.factor(achievement)).rounded(2)
        let bonus = achievement >= 1 ? rule.bonusPoints : 0
        return Item(indicator: rule.indicator, value: value, target: target.rounded(4), achievement: achievement, weight: rule.weight,
                    points: points, bonus: bonus, score: points + bonus)
    }

    /// Scores an employee's indicator values for a period: an item per rule (a missing value counts 0).
    public static func assess(employee: String, period: String, values: [String: Decimal], rules: RuleSet) -> Assessment {
        let items = rules.rules.map { item($0, value: values[$0.indicator] ?? 0) }
        return Assessment(employee: employee, period: period, ruleVersion: rules.version, items: items,
                          total: items.reduce(0) { $0 + $1.score })
    }

    /// The months whose indicator values a rule of `period` adds up when `month` is assessed: the month
    /// itself for a monthly (or daily) rule, the three months of its calendar quarter for a quarterly one,
    /// the twelve of its year for a yearly one. Months are the indicator cells' months, which the read
    /// model keeps in each record's branch time zone.
    public static func months(of period: Period, containing month: RevenueMonth) -> [RevenueMonth] {
        switch period {
        case .day, .month:
            return [month]
        case .quarter:
            let first = (month.month - 1) / 3 * 3 + 1
            return (first..<first + 3).map { RevenueMonth(year: month.year, month: $0) }
        case .year:
            return (1...12).map { RevenueMonth(year: month.year, month: $0) }
        }
    }

    /// Scores an employee for `month` with each rule over its own period (``months(of:containing:)``):
    /// a quarterly rule's value is the sum of the quarter's monthly values, scored against its quarterly
    /// target, side by side with monthly rules scored on the month alone. A daily rule is scored on the
    /// month's value against its daily target × the month's `workingDays` (the scale daily pay uses).
    /// `monthly` gives one month's values of the employee (missing: 0).
    public static func assess(
        employee: String, month: RevenueMonth, monthly: (RevenueMonth) -> [String: Decimal], rules: RuleSet, workingDays: Int = 22
    ) -> Assessment {
        var cache: [RevenueMonth: [String: Decimal]] = [:]
        func values(_ m: RevenueMonth) -> [String: Decimal] {
            if let known = cache[m] { return known }
            let v = monthly(m)
            cache[m] = v
            return v
        }
        let items = rules.rules.map { rule -> Item in
            let value = months(of: rule.period, containing: month).reduce(Decimal(0)) { $0 + (values($1)[rule.indicator] ?? 0) }
            return item(rule, value: value, targetScale: rule.period == .day ? Decimal(max(1, workingDays)) : 1)
        }
        return Assessment(employee: employee, period: month.description, ruleVersion: rules.version, items: items,
                          total: items.reduce(0) { $0 + $1.score })
    }

    /// Monday to Friday days of a month (no holiday subtracted; see ``workingDays(in:holidays:)``).
    public static func weekdays(in month: RevenueMonth) -> Int { workingDays(in: month, holidays: []) }

    /// The working days of a month: Monday to Friday, less the `holidays` that fall on one of them (a date
    /// counted once however many holidays share it). A daily rule's target is multiplied by them in a
    /// monthly assessment, and monthly targets are divided by them for the daily pay.
    public static func workingDays(in month: RevenueMonth, holidays: [LocalDate]) -> Int {
        guard let first = LocalDate(year: month.year, month: month.month, day: 1) else { return 22 }
        // Counted to the month's last day, not to the next month's first: December 9999 has no next month.
        let length = first.days(until: first.lastOfMonth) + 1
        let off = Set(holidays)
        return (0..<length).map { first.adding(days: $0) }.filter { isWeekday($0) && !off.contains($0) }.count
    }

    /// Whether `day` is a Monday to Friday.
    public static func isWeekday(_ day: LocalDate) -> Bool {
        // 1970-01-01 was a Thursday: day n (0-based from then) is a weekday when (n + 3) mod 7 < 5.
        let n = LocalDate(year: 1970, month: 1, day: 1).map { $0.days(until: day) } ?? 0
        return (((n + 3) % 7) + 7) % 7 < 5
    }

    /// Recomputes a stored assessment under the rule version it names: nil when that version is unknown.
    public static func recompute(_ assessment: Assessment, values: [String: Decimal], history: RuleHistory) -> Assessment? {
        history.ruleSet(version: assessment.ruleVersion).map {
            assess(employee: assessment.employee, period: assessment.period, values: values, rules: $0)
        }
    }
}

extension KPI.RuleSet {
    /// The rules of a settings value, all with the default curve and period.
    public init(version: UInt64, effectiveFrom: Date? = nil, settings rules: [KPIRule]) {
        self.init(version: version, effectiveFrom: effectiveFrom, rules: rules.map { KPI.Rule($0) })
    }
}
