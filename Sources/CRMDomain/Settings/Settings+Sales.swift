import EventSourcing
import Foundation

extension Settings.State {
    /// Every role's discount limit: the ones set, then the specification's defaults for roles not set.
    public var effectiveDiscountLimits: [DiscountLimit] {
        discountLimits + DiscountLimit.defaults.filter { d in !discountLimits.contains { $0.role == d.role } }
    }

    /// The most specific threshold for `metric` in a branch and community: community, then branch, then global.
    /// A value of a known metric outside its valid range (recorded before `setWarningThreshold` checked it:
    /// ``WarningThreshold/Metric``) is passed over, so the next less specific one, else the consumer's
    /// default, applies and no consumer is handed a value it cannot work with.
    public func warningThreshold(_ metric: String, branch: String?, community: String?) -> WarningThreshold? {
        let known = WarningThreshold.Metric(rawValue: metric)
        let candidates = warningThresholds.filter { $0.metric == metric && (known?.accepts($0.value) ?? true) }
        return candidates.first { $0.branch == branch && $0.community == community && community != nil }
            ?? candidates.first { $0.branch == branch && $0.community == nil && branch != nil }
            ?? candidates.first { $0.branch == nil && $0.community == nil }
    }
}

extension KPIRule {
    /// The indicators a KPI rule may score: the counts the `employee-indicators` view keeps per employee
    /// (`CRMProjections.EmployeeIndicators.Indicator`, which holds the same names; docs/ANALYTICS.md). A
    /// rule of another name would score 0 forever, so `replaceKPIRules` refuses it (`invalid`, field
    /// `indicator`, naming these).
    public static let indicators = [
        "contactsMade", "visitsMade", "newOpportunities", "newPotentialCustomers", "dealsWon",
        "tasksOnTime", "tasksLate", "ticketsResolvedInSLA", "ticketsResolvedLate", "campaignItemsDone",
    ]

    /// Refuses an indicator that is none of ``indicators`` (`invalid`, field `indicator`, naming them) unless
    /// the settings already hold it (`recorded`: a name stored before the check existed stays while the rest
    /// of its list is edited, as other legacy values do). Used by the KPI rules, their scoring and the pay
    /// scheme's rates alike.
    static func requireKnown(_ indicator: String, recorded: [String]) throws(DomainError) {
        guard indicators.contains(indicator) || recorded.contains(indicator) else {
            throw .invalid("indicator", "unknown indicator; one of: " + indicators.joined(separator: ", "))
        }
    }
}

extension WarningThreshold {
    func sameScope(as other: WarningThreshold) -> Bool {
        metric == other.metric && branch == other.branch && community == other.community
    }
}

extension Settings {
    /// The part-2 commands: validation and the events they record.
    static func decideSales(_ command: Command, state: State) throws(DomainError) -> [Event] {
        switch command {
        case .setDiscountLimit(var limit):
            limit.role = try Validate.text(limit.role, field: "role", max: 100, unlessAmong: state.discountLimits.map(\.role))
            guard limit.maxPercent >= 0, limit.maxPercent <= 100 else { throw .invalid("maxPercent", "must be between 0 and 100") }
            let previous = state.discountLimits.first { $0.role == limit.role }
            guard previous != limit else { return [] }
            return [.discountLimitSet(DiscountLimitSet(limit: limit, previous: previous))]

        case .setExchangeRate(let rate):
            // Replacing a recorded rate keeps its currencies: they are not judged again.
            let previous = state.exchangeRates.first { $0.from == rate.from && $0.to == rate.to && $0.validFrom == rate.validFrom }
            try Validate.currency(rate.from, field: "from", unlessUnchangedFrom: previous?.from)
            try Validate.currency(rate.to, field: "to", unlessUnchangedFrom: previous?.to)
            guard rate.from != rate.to else { throw .invalid("to", "a rate needs two different currencies") }
            guard rate.rate > 0 else { throw .invalid("rate", "must be positive") }
            try Validate.amount(rate.rate, field: "rate", unlessUnchangedFrom: previous?.rate)
            guard previous != rate else { return [] }
            return [.exchangeRateSet(ExchangeRateSet(rate: rate, previous: previous))]

        case .setWarningThreshold(var threshold):
            if threshold.community != nil && threshold.branch == nil {
                throw .invalid("branch", "a community threshold needs its branch")
            }
            // Only the metrics a consumer reads, each with a value it can work with (a churn threshold of 0 or
            // less used to stop the scheduled run): the ranges are `WarningThreshold.Metric`'s.
            let metric = try WarningThreshold.Metric.named(try Validate.text(threshold.metric, field: "metric", max: 100))
            threshold.metric = metric.rawValue
            guard metric.accepts(threshold.value) else { throw .invalid("value", "\(metric.rawValue) must be \(metric.validValues)") }
            let previous = state.warningThresholds.first { $0.sameScope(as: threshold) }
            guard previous != threshold else { return [] }
            return [.warningThresholdSet(WarningThresholdSet(threshold: threshold, previous: previous))]

        case .replaceLoyaltyThresholds(let thresholds):
            var tiers = Set<String>()
            for t in thresholds {
                _ = try Validate.text(t.tier, field: "tier", max: 100, unlessAmong: state.loyaltyThresholds.map(\.tier))
                guard tiers.insert(t.tier).inserted else { throw .invalid("tier", "tiers must be unique") }
            }
            guard Set(thresholds.map(\.minimumScore)).count == thresholds.count else {
                throw .invalid("minimumScore", "two tiers cannot start at the same score")
            }
            let sorted = thresholds.sorted { $0.minimumScore < $1.minimumScore }
            guard sorted != state.loyaltyThresholds else { return [] }
            return [.loyaltyThresholdsReplaced(LoyaltyThresholdsReplaced(thresholds: sorted))]

        case .replaceKPIRules(let rules):
            var indicators = Set<String>()
            for rule in rules {
                _ = try Validate.text(rule.indicator, field: "indicator", max: 100, unlessAmong: state.kpiRules.map(\.indicator))
                guard indicators.insert(rule.indicator).inserted else { throw .invalid("indicator", "indicators must be unique") }
                guard rule.weight >= 0 else { throw .invalid("weight", "must not be negative") }
                guard rule.target > 0 else { throw .invalid("target", "must be positive") }
                guard rule.bonusPoints >= 0 else { throw .invalid("bonusPoints", "must not be negative") }
                try KPIRule.requireKnown(rule.indicator, recorded: state.kpiRules.map(\.indicator))
            }
            guard rules != state.kpiRules else { return [] }
            return [.kpiRulesReplaced(KPIRulesReplaced(rules: rules))]

        case .setKPIScoring(var scoring):
            scoring.indicator = try Validate.text(scoring.indicator, field: "indicator", max: 100, unlessAmong: state.kpiScoring.map(\.indicator))
            try KPIRule.requireKnown(scoring.indicator, recorded: state.kpiScoring.map(\.indicator))
            switch scoring.curve {
            case .linear:
                guard scoring.cap > 0 else { throw .invalid("cap", "must be positive") }
                guard scoring.steps.isEmpty else { throw .invalid("steps", "only a steps curve has steps") }
            case .threshold:
                guard scoring.steps.isEmpty else { throw .invalid("steps", "only a steps curve has steps") }
            case .steps:
                guard !scoring.steps.isEmpty, Set(scoring.steps.map(\.from)).count == scoring.steps.count else {
                    throw .invalid("steps", "a steps curve needs steps with distinct achievements")
                }
                guard scoring.steps.allSatisfy({ $0.from >= 0 && $0.factor >= 0 }) else { throw .invalid("steps", "must not be negative") }
                scoring.steps.sort { $0.from < $1.from }
            }
            let previous = state.kpiScoring.first { $0.indicator == scoring.indicator }
            guard previous != scoring else { return [] }
            return [.kpiScoringSet(KPIScoringSet(scoring: scoring, previous: previous))]

        case .replaceLoyaltyAccrualRules(let rules):
            var kinds = Set<String>()
            let recordedCurrencies = state.loyaltyAccrualRules.compactMap(\.currency)
            let recordedActivities = state.loyaltyAccrualRules.compactMap(\.activity)
            for rule in rules {
                guard rule.points > 0 else { throw .invalid("points", "must be positive") }
                guard rule.points <= Decimal(LoyaltyRules.maximumPointsPerRule) else {
                    throw .invalid("points", "must be at most \(LoyaltyRules.maximumPointsPerRule)")
                }
                if let currency = rule.currency {
                    try Validate.currency(currency, field: "currency", unlessUnchangedFrom: recordedCurrencies.contains(currency) ? currency : nil)
                }
                if let months = rule.validityMonths, months <= 0 { throw .invalid("validityMonths", "must be positive") }
                if let months = rule.validityMonths, months > LoyaltyRules.maximumValidityMonths {
                    throw .invalid("validityMonths", "must be at most \(LoyaltyRules.maximumValidityMonths) months")
                }
                // Tenure and activities earn whole points per year / occurrence, and count in no currency.
                if rule.source == .tenure || rule.source == .activity {
                    guard LoyaltyRules.wholePoints(rule.points) != nil else { throw .invalid("points", "must be a whole number of points") }
                    guard rule.currency == nil else { throw .invalid("currency", "only a spend rule counts in a currency") }
                }
                switch rule.source {
                case .activity:
                    guard let activity = rule.activity, !activity.trimmingCharacters(in: .whitespaces).isEmpty else {
                        throw .invalid("activity", "an activity rule names its activity")
                    }
                    try Validate.characters(of: activity, field: "activity", multiline: false, unlessAmong: recordedActivities)
                case .spend, .tenure:
                    guard rule.activity == nil else { throw .invalid("activity", "only activity rules name an activity") }
                case .manual:
                    throw .invalid("source", "manual points follow no rule")
                }
                guard kinds.insert("\(rule.source.rawValue)/\(rule.activity ?? "")").inserted else {
                    throw .invalid("source", "one rule per source (and per activity)")
                }
            }
            guard rules != state.loyaltyAccrualRules else { return [] }
            return [.loyaltyAccrualRulesReplaced(LoyaltyAccrualRulesReplaced(rules: rules))]

        case .setPayScheme(var scheme):
            try Validate.currency(scheme.currency, field: "currency", unlessUnchangedFrom: state.payScheme?.currency)
            guard scheme.basePerDay >= 0 else { throw .invalid("basePerDay", "must not be negative") }
            guard scheme.defaultRatePerPoint >= 0 else { throw .invalid("defaultRatePerPoint", "must not be negative") }
            try Validate.amount(scheme.basePerDay, field: "basePerDay", unlessUnchangedFrom: state.payScheme?.basePerDay)
            try Validate.amount(scheme.defaultRatePerPoint, field: "defaultRatePerPoint", unlessUnchangedFrom: state.payScheme?.defaultRatePerPoint)
            var indicators = Set<String>()
            for rate in scheme.rates {
                _ = try Validate.text(rate.indicator, field: "indicator", max: 100, unlessAmong: state.payScheme?.rates.map(\.indicator) ?? [])
                try KPIRule.requireKnown(rate.indicator, recorded: state.payScheme?.rates.map(\.indicator) ?? [])
                guard indicators.insert(rate.indicator).inserted else { throw .invalid("indicator", "one rate per indicator") }
                guard rate.perPoint >= 0 else { throw .invalid("perPoint", "must not be negative") }
                try Validate.amount(rate.perPoint, field: "perPoint",
                                    unlessUnchangedFrom: state.payScheme?.rates.first { $0.indicator == rate.indicator }?.perPoint)
            }
            scheme.rates.sort { $0.indicator < $1.indicator }
            guard scheme != state.payScheme else { return [] }
            return [.paySchemeSet(PaySchemeSet(scheme: scheme, previous: state.payScheme))]

        case .setCostBudget(var budget):
            budget.key = try Validate.text(budget.key, field: "key", max: 100, unlessAmong: state.costBudgets.map(\.key))
            // Resetting a recorded budget (same slot) keeps its currency: it is not judged again.
            let recordedCurrencies = state.costBudgets.filter { $0.dimension == budget.dimension && $0.key == budget.key && $0.month == budget.month }
                .map(\.amount.currency)
            try Validate.currency(budget.amount.currency, field: "amount",
                                  unlessUnchangedFrom: recordedCurrencies.contains(budget.amount.currency) ? budget.amount.currency : nil)
            if budget.dimension == .customer {
                guard let id = UUID(text: budget.key) else { throw .invalid("key", "a customer budget's key is the customer's id") }
                budget.key = id.lowercasedString
            }
            guard (1...12).contains(budget.month.month), (1...9999).contains(budget.month.year) else {
                throw .invalid("month", "a month is written YYYY-MM")
            }
            guard budget.amount.amount >= 0 else { throw .invalid("amount", "must not be negative") }
            let previous = state.costBudgets.first { $0.sameSlot(as: budget) }
            try Validate.amount(budget.amount.amount, field: "amount", unlessUnchangedFrom: previous?.amount.amount)
            guard previous != budget else { return [] }
            return [.costBudgetSet(CostBudgetSet(budget: budget, previous: previous))]

        case .setRFMScheme(var scheme):
            for (field, weight) in [("recencyWeight", scheme.recencyWeight), ("frequencyWeight", scheme.frequencyWeight), ("monetaryWeight", scheme.monetaryWeight)] {
                guard weight >= 0 else { throw .invalid(field, "must not be negative") }
            }
            for i in scheme.segments.indices {
                scheme.segments[i].name = try Validate.text(scheme.segments[i].name, field: "name", max: 100,
                                                            unlessAmong: state.rfmScheme?.segments.map(\.name) ?? [])
                let segment = scheme.segments[i]
                guard (1...5).contains(segment.recencyFrom), (1...5).contains(segment.recencyTo), segment.recencyFrom <= segment.recencyTo else {
                    throw .invalid("recencyFrom", "an R range from 1 to 5, from ≤ to")
                }
                guard segment.fmFrom >= 1, segment.fmTo <= 5, segment.fmFrom <= segment.fmTo else { throw .invalid("fmFrom", "an FM range from 1 to 5, from ≤ to") }
            }
            guard scheme != state.rfmScheme else { return [] }
            return [.rfmSchemeSet(RFMSchemeSet(scheme: scheme, previous: state.rfmScheme))]

        default:
            return []
        }
    }
}
