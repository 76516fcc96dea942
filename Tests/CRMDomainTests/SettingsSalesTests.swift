import CRMDomain
import EventSourcing
import Foundation
import Testing

@Suite("Settings, part 2: discounts, exchange rates, thresholds, KPI rules")
struct SettingsSalesTests {
    func dec(_ text: String) -> Decimal { Decimal(string: text) ?? .nan }

    @Test func discountLimitsDefaultToTheSpecificationAndCanBeChanged() {
        var s = Scenario(Settings.self)
        #expect(s.state.effectiveDiscountLimits.first { $0.role == "officeManager" }?.maxPercent == 25)
        let events = s.apply(.setDiscountLimit(DiscountLimit(role: "officeManager", maxPercent: 20)))
        #expect(events == [.discountLimitSet(DiscountLimitSet(limit: DiscountLimit(role: "officeManager", maxPercent: 20), previous: nil))])
        #expect(s.state.effectiveDiscountLimits.first { $0.role == "officeManager" }?.maxPercent == 20)
        #expect(s.state.effectiveDiscountLimits.count == 3)
        #expect(s.when(.setDiscountLimit(DiscountLimit(role: "officeManager", maxPercent: 20))).isEmpty)
        #expect(s.whenRefused(.setDiscountLimit(DiscountLimit(role: "x", maxPercent: 101)))?.field == "maxPercent")
        #expect(s.whenRefused(.setDiscountLimit(DiscountLimit(role: " ", maxPercent: 5)))?.field == "role")
    }

    @Test func thePaySchemeIsValidatedAndReplacedWithThePreviousRecorded() {
        var s = Scenario(Settings.self)
        let first = PayScheme(currency: .cny, basePerDay: 100, defaultRatePerPoint: 2,
                              rates: [PayScheme.Rate(indicator: "visitsMade", perPoint: 3), PayScheme.Rate(indicator: "contactsMade", perPoint: 1)])
        var sorted = first
        sorted.rates.sort { $0.indicator < $1.indicator }
        #expect(s.apply(.setPayScheme(first)) == [.paySchemeSet(PaySchemeSet(scheme: sorted, previous: nil))])
        #expect(s.state.payScheme == sorted)
        #expect(s.when(.setPayScheme(first)).isEmpty, "the same scheme again records nothing")
        var second = sorted
        second.basePerDay = 120
        #expect(s.apply(.setPayScheme(second)) == [.paySchemeSet(PaySchemeSet(scheme: second, previous: sorted))])
        #expect(s.whenRefused(.setPayScheme(PayScheme(currency: .cny, basePerDay: -1, defaultRatePerPoint: 1)))?.field == "basePerDay")
        #expect(s.whenRefused(.setPayScheme(PayScheme(currency: .cny, defaultRatePerPoint: 1,
                                                      rates: [.init(indicator: "dealsWon", perPoint: 1), .init(indicator: "dealsWon", perPoint: 2)])))?.field == "indicator")
        #expect(s.whenRefused(.setPayScheme(PayScheme(currency: .cny, defaultRatePerPoint: 1, rates: [.init(indicator: "dealsWon", perPoint: -1)])))?.field == "perPoint")
    }

    @Test func aCostBudgetHoldsOneAmountPerDimensionKeyMonthAndCurrency() {
        var s = Scenario(Settings.self)
        let march = RevenueMonth(year: 2026, month: 3)
        let customer = UUID(uuidString: "0196A000-0000-7000-8000-00000000C001")!
        s.apply(.setCostBudget(CostBudget(dimension: .customer, key: customer.uuidString, month: march, amount: Money(100, .cny))))
        #expect(s.state.costBudgets.map(\.key) == [customer.uuidString.lowercased()], "a customer's key is its id, lowercased")
        s.apply(.setCostBudget(CostBudget(dimension: .industry, key: "energy", month: march, amount: Money(50, .cny))))
        s.apply(.setCostBudget(CostBudget(dimension: .industry, key: "energy", month: march, amount: Money(7, .usd))))
        let replaced = s.apply(.setCostBudget(CostBudget(dimension: .industry, key: "energy", month: march, amount: Money(80, .cny))))
        #expect(replaced == [.costBudgetSet(CostBudgetSet(budget: CostBudget(dimension: .industry, key: "energy", month: march, amount: Money(80, .cny)),
                                                          previous: CostBudget(dimension: .industry, key: "energy", month: march, amount: Money(50, .cny))))])
        #expect(s.state.costBudgets.map { "\($0.key) \($0.amount)" }.sorted() == ["\(customer.uuidString.lowercased()) \(Money(100, .cny))", "energy \(Money(7, .usd))", "energy \(Money(80, .cny))"])
        #expect(s.whenRefused(.setCostBudget(CostBudget(dimension: .customer, key: "not-an-id", month: march, amount: Money(1, .cny))))?.field == "key")
        #expect(s.whenRefused(.setCostBudget(CostBudget(dimension: .category, key: "visits", month: RevenueMonth(year: 2026, month: 13), amount: Money(1, .cny))))?.field == "month")
        #expect(s.whenRefused(.setCostBudget(CostBudget(dimension: .category, key: "visits", month: march, amount: Money(-1, .cny))))?.field == "amount")
    }

    @Test func conversionUsesTheRateValidOnTheEntrysDateAcrossARateChange() {
        var s = Scenario(Settings.self)
        s.apply(.setExchangeRate(ExchangeRate(from: .usd, to: .cny, rate: dec("7.10"), validFrom: date("2026-01-01"))))
        s.apply(.setExchangeRate(ExchangeRate(from: .usd, to: .cny, rate: dec("7.25"), validFrom: date("2026-03-01"))))
        let rates = s.state.exchangeRates
        let hundred = Money(100, .usd)
        #expect(rates.convert(hundred, to: .cny, on: date("2026-02-28")) == Money(dec("710"), .cny))
        #expect(rates.convert(hundred, to: .cny, on: date("2026-03-01")) == Money(dec("725"), .cny))
        #expect(rates.convert(hundred, to: .cny, on: date("2025-12-31")) == nil, "no rate before the first one")
        #expect(rates.convert(Money(dec("725"), .cny), to: .usd, on: date("2026-03-02")) == Money(100, .usd), "inverse rate")
        #expect(rates.convert(Money(5, .eur), to: .cny, on: date("2026-03-02")) == nil, "unknown pair, and no third currency to cross through")
        #expect(rates.convert(Money(5, .eur), to: .eur, on: date("2026-03-02")) == Money(5, .eur))
    }

    @Test func aPairWithoutARateOfItsOwnConvertsThroughACurrencyBothHaveARateWith() {
        var s = Scenario(Settings.self)
        s.apply(.setExchangeRate(ExchangeRate(from: .cny, to: .usd, rate: dec("0.14"), validFrom: date("2026-01-01"))))
        s.apply(.setExchangeRate(ExchangeRate(from: .eur, to: .usd, rate: dec("1.10"), validFrom: date("2026-01-01"))))
        let rates = s.state.exchangeRates
        // EUR → USD → CNY: 1.10 / 0.14 per euro; CNY → EUR the other way round.
        #expect(rates.rate(from: .eur, to: .cny, on: date("2026-02-01")) == dec("1.10") * (1 / dec("0.14")))
        #expect(rates.convert(Money(dec("1000"), .cny), to: .eur, on: date("2026-02-01")) == Money(dec("127.2727"), .eur))
        #expect(rates.rate(from: .eur, to: .cny, on: date("2025-12-31")) == nil, "no rate yet on either leg")
        // A rate of the pair's own is used before any cross rate.
        s.apply(.setExchangeRate(ExchangeRate(from: .eur, to: .cny, rate: dec("7.9"), validFrom: date("2026-01-01"))))
        #expect(s.state.exchangeRates.rate(from: .eur, to: .cny, on: date("2026-02-01")) == dec("7.9"))
    }

    @Test func replacingARateOnTheSameDayRecordsThePreviousOne() {
        var s = Scenario(Settings.self)
        let first = ExchangeRate(from: .eur, to: .cny, rate: dec("7.8"), validFrom: date("2026-01-01"))
        s.apply(.setExchangeRate(first))
        let corrected = ExchangeRate(from: .eur, to: .cny, rate: dec("7.9"), validFrom: date("2026-01-01"))
        #expect(s.apply(.setExchangeRate(corrected)) == [.exchangeRateSet(ExchangeRateSet(rate: corrected, previous: first))])
        #expect(s.state.exchangeRates == [corrected])
        #expect(s.whenRefused(.setExchangeRate(ExchangeRate(from: .eur, to: .eur, rate: 1, validFrom: date("2026-01-01"))))?.field == "to")
        #expect(s.whenRefused(.setExchangeRate(ExchangeRate(from: .eur, to: .usd, rate: 0, validFrom: date("2026-01-01"))))?.field == "rate")
    }

    @Test func warningThresholdsResolveFromTheMostSpecificScope() {
        var s = Scenario(Settings.self)
        s.apply(.setWarningThreshold(WarningThreshold(metric: "revenueDropPercent", value: 30)))
        s.apply(.setWarningThreshold(WarningThreshold(metric: "revenueDropPercent", branch: "north", value: 20)))
        s.apply(.setWarningThreshold(WarningThreshold(metric: "revenueDropPercent", branch: "north", community: "harbour", value: 10)))
        #expect(s.state.warningThreshold("revenueDropPercent", branch: "north", community: "harbour")?.value == 10)
        #expect(s.state.warningThreshold("revenueDropPercent", branch: "north", community: "hill")?.value == 20)
        #expect(s.state.warningThreshold("revenueDropPercent", branch: "south", community: nil)?.value == 30)
        #expect(s.state.warningThreshold("activityDropPercent", branch: "south", community: nil) == nil)
        #expect(s.whenRefused(.setWarningThreshold(WarningThreshold(metric: "m", community: "c", value: 1)))?.field == "branch")
    }

    @Test func loyaltyThresholdsAreUniqueAndKeptInScoreOrder() {
        var s = Scenario(Settings.self)
        s.apply(.replaceLoyaltyThresholds([LoyaltyThreshold(tier: "gold", minimumScore: 80), LoyaltyThreshold(tier: "silver", minimumScore: 50)]))
        #expect(s.state.loyaltyThresholds.map(\.tier) == ["silver", "gold"])
        #expect(s.whenRefused(.replaceLoyaltyThresholds([LoyaltyThreshold(tier: "a", minimumScore: 1), LoyaltyThreshold(tier: "a", minimumScore: 2)]))?.field == "tier")
        #expect(s.whenRefused(.replaceLoyaltyThresholds([LoyaltyThreshold(tier: "a", minimumScore: 1), LoyaltyThreshold(tier: "b", minimumScore: 1)]))?.field == "minimumScore")
    }

    @Test func kpiRulesAreValidated() {
        var s = Scenario(Settings.self)
        let rules = [KPIRule(indicator: "visitsMade", weight: dec("0.4"), target: 20, bonusPoints: 5), KPIRule(indicator: "dealsWon", weight: dec("0.6"), target: 3)]
        #expect(s.apply(.replaceKPIRules(rules)) == [.kpiRulesReplaced(KPIRulesReplaced(rules: rules))])
        #expect(s.when(.replaceKPIRules(rules)).isEmpty)
        #expect(s.whenRefused(.replaceKPIRules([KPIRule(indicator: "a", weight: -1, target: 1)]))?.field == "weight")
        #expect(s.whenRefused(.replaceKPIRules([KPIRule(indicator: "a", weight: 1, target: 0)]))?.field == "target")
        #expect(s.whenRefused(.replaceKPIRules([KPIRule(indicator: "a", weight: 1, target: 1), KPIRule(indicator: "a", weight: 1, target: 2)]))?.field == "indicator")
    }

    @Test func kpiScoringIsValidatedAndReplacesTheIndicatorsPrevious() {
        var s = Scenario(Settings.self)
        let steps = KPIScoring(indicator: "visitsMade", curve: .steps, steps: [.init(from: 1, factor: 1), .init(from: dec("0.5"), factor: dec("0.5"))], period: .quarter)
        let sorted = KPIScoring(indicator: "visitsMade", curve: .steps, steps: [.init(from: dec("0.5"), factor: dec("0.5")), .init(from: 1, factor: 1)], period: .quarter)
        #expect(s.apply(.setKPIScoring(steps)) == [.kpiScoringSet(KPIScoringSet(scoring: sorted, previous: nil))])
        #expect(s.when(.setKPIScoring(sorted)).isEmpty)
        let threshold = KPIScoring(indicator: "visitsMade", curve: .threshold)
        #expect(s.apply(.setKPIScoring(threshold)) == [.kpiScoringSet(KPIScoringSet(scoring: threshold, previous: sorted))])
        #expect(s.state.kpiScoring == [threshold])
        #expect(s.whenRefused(.setKPIScoring(KPIScoring(indicator: "dealsWon", cap: 0)))?.field == "cap")
        #expect(s.whenRefused(.setKPIScoring(KPIScoring(indicator: "dealsWon", curve: .steps)))?.field == "steps")
        #expect(s.whenRefused(.setKPIScoring(KPIScoring(indicator: "dealsWon", curve: .threshold, steps: [.init(from: 1, factor: 1)])))?.field == "steps")
    }

    @Test func loyaltyAccrualRulesAreValidated() {
        var s = Scenario(Settings.self)
        let rules = [
            LoyaltyAccrualRule(source: .spend, points: 1, currency: .cny, validityMonths: 24),
            LoyaltyAccrualRule(source: .activity, points: 5, activity: "surveyAnswered"),
        ]
        #expect(s.apply(.replaceLoyaltyAccrualRules(rules)) == [.loyaltyAccrualRulesReplaced(LoyaltyAccrualRulesReplaced(rules: rules))])
        #expect(s.state.loyaltyAccrualRules == rules)
        #expect(s.when(.replaceLoyaltyAccrualRules(rules)).isEmpty)
        #expect(s.whenRefused(.replaceLoyaltyAccrualRules([LoyaltyAccrualRule(source: .spend, points: 0)]))?.field == "points")
        #expect(s.whenRefused(.replaceLoyaltyAccrualRules([LoyaltyAccrualRule(source: .spend, points: 1, validityMonths: 0)]))?.field == "validityMonths")
        #expect(s.whenRefused(.replaceLoyaltyAccrualRules([LoyaltyAccrualRule(source: .activity, points: 1)]))?.field == "activity")
        #expect(s.whenRefused(.replaceLoyaltyAccrualRules([LoyaltyAccrualRule(source: .spend, points: 1, activity: "x")]))?.field == "activity")
        #expect(s.whenRefused(.replaceLoyaltyAccrualRules([LoyaltyAccrualRule(source: .manual, points: 1)]))?.field == "source")
        #expect(s.whenRefused(.replaceLoyaltyAccrualRules([LoyaltyAccrualRule(source: .spend, points: 1), LoyaltyAccrualRule(source: .spend, points: 2)]))?.field == "source")
    }

    @Test func partTwoSettingsEventsRoundTrip() throws {
        try expectRoundTrips([
            SettingsEvent.discountLimitSet(DiscountLimitSet(limit: DiscountLimit(role: "salesManager", maxPercent: dec("12.5")), previous: DiscountLimit.defaults[0])),
            .exchangeRateSet(ExchangeRateSet(rate: ExchangeRate(from: .usd, to: .cny, rate: dec("7.1234"), validFrom: date("2026-01-01")), previous: nil)),
            .warningThresholdSet(WarningThresholdSet(threshold: WarningThreshold(metric: "m", branch: "b", community: "c", value: dec("12.5")), previous: nil)),
            .loyaltyThresholdsReplaced(LoyaltyThresholdsReplaced(thresholds: [LoyaltyThreshold(tier: "金卡", minimumScore: 90)])),
            .kpiRulesReplaced(KPIRulesReplaced(rules: [KPIRule(indicator: "visitsMade", weight: dec("0.5"), target: 10, bonusPoints: 2)])),
            .loyaltyAccrualRulesReplaced(LoyaltyAccrualRulesReplaced(rules: [LoyaltyAccrualRule(source: .spend, points: dec("0.5"), currency: .cny, validityMonths: 12)])),
        ])
    }
}
