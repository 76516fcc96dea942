import CRMDomain
import Foundation

extension KPI {
    /// One place in a ranking.
    public struct Place: Hashable, Sendable {
        /// Competition ranking: equal totals share a rank and the next rank skips (1, 1, 3).
        public var rank: Int
        public var employee: String
        public var total: Decimal
        public var ruleVersion: UInt64
    }

    /// The ranking of one group (a team, a department, or everyone under `""`).
    public struct Ranking: Hashable, Sendable {
        public var group: String
        /// Best first; equal totals in employee order.
        public var places: [Place]
        /// Mean total of the group's members, 2 places.
        public var averageTotal: Decimal
    }

    /// Ranks assessments within groups: `groupOf` names an employee's team or department (nil: the
    /// employee is left out); groups in name order.
    public static func rank(_ assessments: [Assessment], groupOf: (String) -> String? = { _ in "" }) -> [Ranking] {
        var groups: [String: [Assessment]] = [:]
        for a in assessments {
            guard let g = groupOf(a.employee) else { continue }
            groups[g, default: []].append(a)
        }
        return groups.keys.sorted().map { group in
            let members = (groups[group] ?? []).sorted { ($1.total, $0.employee) < ($0.total, $1.employee) }
            var places: [Place] = []
            for (i, a) in members.enumerated() {
                let rank = i > 0 && members[i - 1].total == a.total ? places[i - 1].rank : i + 1
                places.append(Place(rank: rank, employee: a.employee, total: a.total, ruleVersion: a.ruleVersion))
            }
            let sum = members.reduce(Decimal(0)) { $0 + $1.total }
            let average = members.isEmpty ? 0 : (sum / Decimal(members.count)).rounded(2)
            return Ranking(group: group, places: places, averageTotal: average)
        }
    }

    /// Ranks the groups themselves (teams against teams) by their members' average total, with the
    /// same competition ranking; the `employee` of each place is the group's name.
    public static func rankGroups(_ rankings: [Ranking]) -> [Place] {
        let sorted = rankings.sorted { ($1.averageTotal, $0.group) < ($0.averageTotal, $1.group) }
        var places: [Place] = []
        for (i, r) in sorted.enumerated() {
            let rank = i > 0 && sorted[i - 1].averageTotal == r.averageTotal ? places[i - 1].rank : i + 1
            places.append(Place(rank: rank, employee: r.group, total: r.averageTotal, ruleVersion: r.places.first?.ruleVersion ?? 0))
        }
        return places
    }

    // MARK: - Daily pay estimate (R-ANA-2)

    /// How points become pay for account managers: a base amount per day plus a rate per point, per
    /// indicator (``defaultRatePerPoint`` for indicators without their own rate).
    public struct PayScheme: Hashable, Sendable, Codable {
        public var currency: Currency
        public var basePerDay: Decimal
        public var defaultRatePerPoint: Decimal
        public var ratePerPoint: [String: Decimal]

        public init(currency: Currency, basePerDay: Decimal = 0, defaultRatePerPoint: Decimal, ratePerPoint: [String: Decimal] = [:]) {
            self.currency = currency
            self.basePerDay = basePerDay
            self.defaultRatePerPoint = defaultRatePerPoint
            self.ratePerPoint = ratePerPoint
        }
    }

    /// One item of a pay estimate.
    public struct PayItem: Hashable, Sendable {
        public var item: Item
        public var ratePerPoint: Decimal
        /// item.score × rate, 2 places.
        public var amount: Money
    }

    /// A day's estimated pay.
    public struct PayEstimate: Hashable, Sendable {
        public var employee: String
        public var day: LocalDate
        public var ruleVersion: UInt64
        public var base: Money
        public var items: [PayItem]
        /// base + Σ items.
        public var total: Money
    }

    /// The estimated pay of one day from that day's indicator values: each rule's target is scaled to
    /// one day (a monthly target ÷ `workingDays` of the month, a quarterly ÷ 3·`workingDays`, yearly ÷
    /// 12·`workingDays`; a daily target as is), scored like an assessment, and paid at the rate per point.
    public static func dailyPay(employee: String, day: LocalDate, values: [String: Decimal], rules: RuleSet,
                                scheme: PayScheme, workingDays: Int) -> PayEstimate {
        let days = Decimal(max(1, workingDays))
        var items: [PayItem] = []
        for rule in rules.rules {
            let scale: Decimal
            switch rule.period {
            case .day: scale = 1
            case .month: scale = 1 / days
            case .quarter: scale = 1 / (3 * days)
            case .year: scale = 1 / (12 * days)
            }
            let scored = item(rule, value: values[rule.indicator] ?? 0, targetScale: scale)
            let rate = scheme.ratePerPoint[rule.indicator] ?? scheme.defaultRatePerPoint
            items.append(PayItem(item: scored, ratePerPoint: rate, amount: Money((scored.score * rate).rounded(2), scheme.currency)))
        }
        let total = items.reduce(scheme.basePerDay) { $0 + $1.amount.amount }
        return PayEstimate(employee: employee, day: day, ruleVersion: rules.version, base: Money(scheme.basePerDay, scheme.currency),
                           items: items, total: Money(total, scheme.currency))
    }
}
