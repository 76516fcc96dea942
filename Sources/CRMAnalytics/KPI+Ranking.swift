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
        /// The group's name: the unit's name when ranked by unit (``rank(_:unitOf:)``), `""` for everyone.
        public var group: String
        /// The organisation unit the group is, when ranked by unit; nil otherwise. Two units may share a
        /// name: this tells their groups apart.
        public var unitID: UUID?
        /// Best first; equal totals in employee order.
        public var places: [Place]
        /// Mean total of the group's members, 2 places.
        public var averageTotal: Decimal
    }

    /// An organisation unit a ranking groups employees by (``rank(_:unitOf:)``).
    public struct Unit: Hashable, Sendable {
        public var id: UUID
        public var name: String

        public init(id: UUID, name: String) {
            self.id = id
            self.name = name
        }
    }

    /// One group's place among the groups ranked (``rankGroups(_:)``): teams against teams.
    public struct GroupPlace: Hashable, Sendable {
        /// Competition ranking by ``total``, as for employees.
        public var rank: Int
        /// The unit the group is (nil for a group that is no unit).
        public var unitID: UUID?
        /// The group's name (a unit's name; two units may share it).
        public var name: String
        /// The members' average total (the group ranking's ``Ranking/averageTotal``).
        public var total: Decimal
        /// How many members were ranked in the group.
        public var members: Int
    }

    /// Ranks assessments within groups: `groupOf` names an employee's team or department (nil: the
    /// employee is left out); groups in name order.
    public static func rank(_ assessments: [Assessment], groupOf: (String) -> String? = { _ in "" }) -> [Ranking] {
        let groups = Dictionary(grouping: assessments.compactMap { a in groupOf(a.employee).map { (group: $0, a) } }, by: \.group)
        return groups.keys.sorted().map { group in ranking(group: group, unitID: nil, groups[group]?.map(\.1) ?? []) }
    }

    /// Ranks assessments within organisation units: `unitOf` gives an employee's unit (nil: the employee is
    /// left out). Units are told apart by id, so two units of one name are two groups; groups in name
    /// order, then id order.
    public static func rank(_ assessments: [Assessment], unitOf: (String) -> Unit?) -> [Ranking] {
        let groups = Dictionary(grouping: assessments.compactMap { a in unitOf(a.employee).map { (unit: $0, a) } }, by: \.unit)
        return groups.keys.sorted { ($0.name, $0.id.uuidString) < ($1.name, $1.id.uuidString) }.map { unit in
            ranking(group: unit.name, unitID: unit.id, groups[unit]?.map(\.1) ?? [])
        }
    }

    /// One group's members ranked (competition ranking, equal totals in employee order) with their mean.
    private static func ranking(group: String, unitID: UUID?, _ assessments: [Assessment]) -> Ranking {
        let members = assessments.sorted { ($1.total, $0.employee) < ($0.total, $1.employee) }
        var places: [Place] = []
        for (i, a) in members.enumerated() {
            let rank = i > 0 && members[i - 1].total == a.total ? places[i - 1].rank : i + 1
            places.append(Place(rank: rank, employee: a.employee, total: a.total, ruleVersion: a.ruleVersion))
        }
        let sum = members.reduce(Decimal(0)) { $0 + $1.total }
        let average = members.isEmpty ? 0 : (sum / Decimal(members.count)).rounded(2)
        return Ranking(group: group, unitID: unitID, places: places, averageTotal: average)
    }

    /// Ranks the groups themselves (teams against teams) by their members' average total, with the
    /// same competition ranking; equal averages in name order, then unit id order.
    public static func rankGroups(_ rankings: [Ranking]) -> [GroupPlace] {
        let sorted = rankings.sorted {
            ($1.averageTotal, $0.group, $0.unitID?.uuidString ?? "") < ($0.averageTotal, $1.group, $1.unitID?.uuidString ?? "")
        }
        var places: [GroupPlace] = []
        for (i, r) in sorted.enumerated() {
            let rank = i > 0 && sorted[i - 1].averageTotal == r.averageTotal ? places[i - 1].rank : i + 1
            places.append(GroupPlace(rank: rank, unitID: r.unitID, name: r.group, total: r.averageTotal, members: r.places.count))
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
