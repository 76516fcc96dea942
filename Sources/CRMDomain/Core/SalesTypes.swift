import Foundation

/// A dated exchange rate: from `validFrom` on, one unit of `from` is worth `rate` units of `to` (R-SAL-6).
public struct ExchangeRate: Hashable, Sendable, Codable {
    public var from: Currency
    public var to: Currency
    public var rate: Decimal
    public var validFrom: LocalDate

    public init(from: Currency, to: Currency, rate: Decimal, validFrom: LocalDate) {
        self.from = from
        self.to = to
        self.rate = rate
        self.validFrom = validFrom
    }
}

extension Array where Element == ExchangeRate {
    /// The rate from `from` to `to` valid on `date`: the one with the latest `validFrom` not after `date`.
    /// The inverse of a stored rate is used when only the other direction is stored. Without either, the
    /// cross rate through a third currency both have a rate with (CNY → USD → EUR when the settings hold
    /// CNY/USD and EUR/USD); with several such currencies, the first by code.
    public func rate(from: Currency, to: Currency, on date: LocalDate) -> Decimal? {
        if from == to { return 1 }
        if let known = storedRate(from: from, to: to, on: date) { return known }
        let pivots = Set(flatMap { [$0.from, $0.to] }).subtracting([from, to]).sorted { $0.rawValue < $1.rawValue }
        for pivot in pivots {
            if let first = storedRate(from: from, to: pivot, on: date), let second = storedRate(from: pivot, to: to, on: date) {
                return first * second
            }
        }
        return nil
    }

    /// A rate stored for the pair, either way round (see ``rate(from:to:on:)``).
    private func storedRate(from: Currency, to: Currency, on date: LocalDate) -> Decimal? {
        let direct = filter { $0.from == from && $0.to == to && $0.validFrom <= date }.max { $0.validFrom < $1.validFrom }
        let inverse = filter { $0.from == to && $0.to == from && $0.validFrom <= date && $0.rate != 0 }.max { $0.validFrom < $1.validFrom }
        switch (direct, inverse) {
        case let (d?, i?): return d.validFrom >= i.validFrom ? d.rate : 1 / i.rate
        case let (d?, nil): return d.rate
        case let (nil, i?): return 1 / i.rate
        case (nil, nil): return nil
        }
    }

    /// `money` in `currency` at the rate valid on `date`, or nil when no rate is known; exact decimal
    /// arithmetic, rounded half-even to 4 decimal places (round for display at the edge).
    public func convert(_ money: Money, to currency: Currency, on date: LocalDate) -> Money? {
        guard let rate = rate(from: money.currency, to: currency, on: date) else { return nil }
        return Money(ExchangeRate.rounded(money.amount * rate), currency)
    }
}

extension ExchangeRate {
    /// A converted amount rounded as conversions round: half-even to 4 decimal places.
    public static func rounded(_ amount: Decimal) -> Decimal {
        var value = amount
        var rounded = Decimal()
        NSDecimalRound(&rounded, &value, 4, .bankers)
        return rounded
    }
}

/// The largest discount a role may grant on a quote without approval (R-SAL-3), in percent.
public struct DiscountLimit: Hashable, Sendable, Codable {
    public var role: String
    public var maxPercent: Decimal

    public init(role: String, maxPercent: Decimal) {
        self.role = role
        self.maxPercent = maxPercent
    }

    /// The specification's defaults: sales manager 15 %, office manager 25 %, department manager 35 %.
    public static let defaults: [DiscountLimit] = [
        DiscountLimit(role: "salesManager", maxPercent: 15),
        DiscountLimit(role: "officeManager", maxPercent: 25),
        DiscountLimit(role: "departmentManager", maxPercent: 35),
    ]
}

/// A warning threshold for a branch or community (R-ORG-4, R-ANA-4): e.g. revenue drop percent.
public struct WarningThreshold: Hashable, Sendable, Codable {
    /// What it watches, e.g. `revenueDropPercent`, `activityDropPercent`, `usageBelowPeerPercent`.
    public var metric: String
    /// Nil: every branch.
    public var branch: String?
    /// Nil: every community of the branch.
    public var community: String?
    public var value: Decimal

    public init(metric: String, branch: String? = nil, community: String? = nil, value: Decimal) {
        self.metric = metric
        self.branch = branch
        self.community = community
        self.value = value
    }
}

/// A loyalty class and the score from which a customer belongs to it (R-ANA-3).
public struct LoyaltyThreshold: Hashable, Sendable, Codable {
    public var tier: String
    public var minimumScore: Decimal

    public init(tier: String, minimumScore: Decimal) {
        self.tier = tier
        self.minimumScore = minimumScore
    }
}

/// One KPI indicator's rule (R-ANA-1): weight, target and bonus points.
public struct KPIRule: Hashable, Sendable, Codable {
    /// One of ``KPIRule/indicators`` (the names the employee indicators count), e.g. `contactsMade`,
    /// `visitsMade`, `newOpportunities`, `dealsWon`, `tasksOnTime`; `replaceKPIRules` refuses another.
    public var indicator: String
    public var weight: Decimal
    public var target: Decimal
    public var bonusPoints: Decimal

    public init(indicator: String, weight: Decimal, target: Decimal, bonusPoints: Decimal = 0) {
        self.indicator = indicator
        self.weight = weight
        self.target = target
        self.bonusPoints = bonusPoints
    }
}

/// How one KPI indicator is scored and over which period (R-ANA-1), beside its ``KPIRule``: the curve
/// that turns achievement (value ÷ target) into a factor of the weight, and the period the target is set
/// for. An indicator without one is scored linearly capped at 1, monthly.
public struct KPIScoring: Hashable, Sendable, Codable {
    public enum Curve: String, Hashable, Sendable, Codable, CaseIterable {
        /// `min(achievement, cap)`.
        case linear
        /// 1 once the target is reached, else 0.
        case threshold
        /// The factor of the highest step reached.
        case steps
    }

    public enum Period: String, Hashable, Sendable, Codable, CaseIterable {
        case day, month, quarter, year
    }

    /// One step of a `steps` curve: from this achievement on, this factor.
    public struct Step: Hashable, Sendable, Codable {
        public var from: Decimal
        public var factor: Decimal
        public init(from: Decimal, factor: Decimal) {
            self.from = from
            self.factor = factor
        }
    }

    public var indicator: String
    public var curve: Curve
    /// The linear curve's cap (1: no credit past the target).
    public var cap: Decimal
    /// The steps of a `steps` curve, by `from`.
    public var steps: [Step]
    public var period: Period

    public init(indicator: String, curve: Curve = .linear, cap: Decimal = 1, steps: [Step] = [], period: Period = .month) {
        self.indicator = indicator
        self.curve = curve
        self.cap = cap
        self.steps = steps
        self.period = period
    }
}
