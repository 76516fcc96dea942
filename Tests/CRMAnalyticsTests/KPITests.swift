import CRMAnalytics
import CRMDomain
import Foundation
import Testing

@Suite struct KPITests {
    static let jan1 = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00Z
    static let apr1 = Date(timeIntervalSince1970: 1_775_001_600)  // 2026-04-01T00:00Z
    static let mar15 = Date(timeIntervalSince1970: 1_773_532_800) // 2026-03-15T00:00Z

    /// Version 10: contacts 40 % (target 100, bonus 5), visits 30 % (target 10), deals 30 % on a threshold curve (target 2, bonus 10).
    static let v1 = KPI.RuleSet(version: 10, effectiveFrom: jan1, rules: [
        KPI.Rule(KPIRule(indicator: "contactsMade", weight: 40, target: 100, bonusPoints: 5)),
        KPI.Rule(KPIRule(indicator: "visitsMade", weight: 30, target: 10)),
        KPI.Rule(KPIRule(indicator: "dealsWon", weight: 30, target: 2, bonusPoints: 10), curve: .threshold),
    ])
    /// Version 20, from April: contacts weigh 10, visits 60.
    static let v2 = KPI.RuleSet(version: 20, effectiveFrom: apr1, rules: [
        KPI.Rule(KPIRule(indicator: "contactsMade", weight: 10, target: 100, bonusPoints: 5)),
        KPI.Rule(KPIRule(indicator: "visitsMade", weight: 60, target: 10)),
        KPI.Rule(KPIRule(indicator: "dealsWon", weight: 30, target: 2, bonusPoints: 10), curve: .threshold),
    ])

    let march: [String: [String: Decimal]] = [
        "e1": ["contactsMade": 120, "visitsMade": 5, "dealsWon": 2],
        "e2": ["contactsMade": 80, "visitsMade": 10, "dealsWon": 1],
        "e3": ["contactsMade": 50, "visitsMade": 12, "dealsWon": 3],
        "e4": ["contactsMade": 75, "visitsMade": 10, "dealsWon": 2],
    ]
    let team = ["e1": "A", "e2": "A", "e3": "B", "e4": "B"]

    @Test func itemsScoreWeightTimesCappedAchievementPlusBonusAtTarget() {
        let a = KPI.assess(employee: "e1", period: "2026-03", values: march["e1"] ?? [:], rules: Self.v1)
        // contacts 120/100 = 1.2 → capped 1 → 40 + bonus 5; visits 5/10 → 15; deals 2/2 reached → 30 + 10.
        #expect(a.items.map(\.score) == [45, 15, 40])
        #expect(a.items.map(\.bonus) == [5, 0, 10])
        #expect(a.items.map(\.achievement) == [dec("1.2"), dec("0.5"), 1])
        #expect(a.total == 100 && a.ruleVersion == 10)
        // e2: 0.8 × 40 = 32; 30; deals 1/2 misses the threshold → 0.
        #expect(KPI.assess(employee: "e2", period: "2026-03", values: march["e2"] ?? [:], rules: Self.v1).total == 62)
        // A missing indicator counts 0.
        #expect(KPI.assess(employee: "e5", period: "2026-03", values: [:], rules: Self.v1).total == 0)
    }

    @Test func aStepCurvePaysTheFactorOfTheHighestStepReached() {
        let curve = KPI.Curve.steps([KPI.Step(from: 0.5, factor: 0.5), KPI.Step(from: 1, factor: 1), KPI.Step(from: 1.2, factor: 1.3)])
        #expect(curve.factor(dec("1.25")) == dec("1.3"))
        #expect(curve.factor(dec("0.7")) == dec("0.5"))
        #expect(curve.factor(dec("0.4")) == 0)
        let item = KPI.item(KPI.Rule(indicator: "x", weight: 20, target: 8, curve: curve), value: 10)
        #expect(item.points == 26)  // 10/8 = 1.25 → 1.3 × 20
    }

    @Test func rankingsPerTeamShareRanksOnEqualTotals() {
        let results = march.map { KPI.assess(employee: $0.key, period: "2026-03", values: $0.value, rules: Self.v1) }
        // e1 100, e2 62, e3 20 + 30 + 40 = 90, e4 30 + 30 + 40 = 100.
        let everyone = KPI.rank(results)
        #expect(everyone.first?.places.map(\.employee) == ["e1", "e4", "e3", "e2"])
        #expect(everyone.first?.places.map(\.rank) == [1, 1, 3, 4])
        let teams = KPI.rank(results) { team[$0] }
        #expect(teams.map(\.group) == ["A", "B"])
        #expect(teams.map(\.averageTotal) == [81, 95])
        #expect(teams[1].places.map(\.employee) == ["e4", "e3"])
        #expect(KPI.rankGroups(teams).map(\.name) == ["B", "A"])
    }

    @Test func aPastRankingIsRecomputedExactlyUnderTheRuleVersionItWasComputedUnder() throws {
        let history = KPI.RuleHistory([Self.v2, Self.v1])
        let marchRules = try #require(history.ruleSet(at: Self.mar15))
        #expect(marchRules.version == 10)
        #expect(history.ruleSet(at: Self.apr1)?.version == 20)
        let stored = march.map { KPI.assess(employee: $0.key, period: "2026-03", values: $0.value, rules: marchRules) }
        let storedRanking = KPI.rank(stored)

        // Later, after the rules changed: recompute from each result's own version.
        let recomputed = try stored.map { try #require(KPI.recompute($0, values: march[$0.employee] ?? [:], history: history)) }
        #expect(Set(recomputed) == Set(stored))
        #expect(KPI.rank(recomputed) == storedRanking)
        // Under today's rules the same month would rank differently: e1 = 10 + 5 + 30 + 40 = 85, e2 = 8 + 60 = 68,
        // e3 = 5 + 60 + 40 = 105, e4 = 7.5 + 60 + 40 = 107.5.
        let today = march.map { KPI.assess(employee: $0.key, period: "2026-03", values: $0.value, rules: Self.v2) }
        #expect(KPI.rank(today).first?.places.map(\.employee) == ["e4", "e3", "e1", "e2"])
        #expect(KPI.rank(today).first?.places.map(\.total) == [dec("107.5"), 105, 85, 68])
        // An unknown version cannot be recomputed.
        var orphan = stored[0]
        orphan.ruleVersion = 99
        #expect(KPI.recompute(orphan, values: [:], history: history) == nil)
    }

    @Test func workingDaysAreWeekdaysLessTheHolidaysThatFallOnThem() throws {
        let march = RevenueMonth(year: 2026, month: 3)
        // March 2026: 22 weekdays. Mon 2 Mar (twice: two holidays that day) and Fri 20 Mar are off; Sat 7 Mar
        // was no working day anyway; 1 April is another month.
        let holidays = try ["2026-03-02", "2026-03-02", "2026-03-20", "2026-03-07", "2026-04-01"].map { try #require(LocalDate($0)) }
        #expect(KPI.workingDays(in: march, holidays: holidays) == 20)
        #expect(KPI.workingDays(in: march, holidays: []) == KPI.weekdays(in: march))
        let monday = try #require(LocalDate("2026-03-02")), saturday = try #require(LocalDate("2026-03-07"))
        #expect(KPI.isWeekday(monday) && !KPI.isWeekday(saturday))
    }

    @Test func dailyPaySpreadsMonthlyTargetsOverWorkingDaysAndPaysPerPoint() throws {
        let scheme = KPI.PayScheme(currency: .cny, basePerDay: 100, defaultRatePerPoint: 2, ratePerPoint: ["contactsMade": 3])
        let day = try #require(LocalDate("2026-03-16"))
        let pay = KPI.dailyPay(employee: "e1", day: day, values: ["contactsMade": 6, "visitsMade": 1], rules: Self.v1, scheme: scheme, workingDays: 20)
        // Daily targets 5, 0.5, 0.1. contacts 6/5 = 1.2 → 40 + 5 = 45 points × 3 = 135; visits 1/0.5 → capped 1 → 30 × 2 = 60; deals 0.
        #expect(pay.items.map(\.item.target) == [5, dec("0.5"), dec("0.1")])
        #expect(pay.items.map(\.amount.amount) == [135, 60, 0])
        #expect(pay.total == Money(295, .cny) && pay.base == Money(100, .cny) && pay.ruleVersion == 10)
    }

    @Test func aQuarterRuleSumsTheQuartersMonthsBesideAMonthRuleOnItsMonth() {
        // Contacts monthly: weight 40, target 100. Visits quarterly: weight 60, target 30, bonus 10.
        let rules = KPI.RuleSet(version: 5, rules: [
            KPI.Rule(KPIRule(indicator: "contactsMade", weight: 40, target: 100)),
            KPI.Rule(KPIRule(indicator: "visitsMade", weight: 60, target: 30, bonusPoints: 10), period: .quarter),
        ])
        let cells: [String: [String: [String: Decimal]]] = [
            "e1": ["2026-01": ["contactsMade": 90, "visitsMade": 8], "2026-02": ["contactsMade": 50, "visitsMade": 12],
                   "2026-03": ["contactsMade": 120, "visitsMade": 11], "2026-04": ["contactsMade": 10, "visitsMade": 40]],
            "e2": ["2026-01": ["contactsMade": 100], "2026-02": ["contactsMade": 100], "2026-03": ["contactsMade": 100, "visitsMade": 2]],
        ]
        func assess(_ employee: String, _ month: Int) -> KPI.Assessment {
            KPI.assess(employee: employee, month: RevenueMonth(year: 2026, month: month), monthly: { cells[employee]?[$0.description] ?? [:] }, rules: rules)
        }
        // e1, March: contacts 120/100 capped → 40; visits Jan–Mar 8 + 12 + 11 = 31 ≥ 30 → 60 + bonus 10 = 70; total 110.
        let march = assess("e1", 3)
        #expect(march.items.map(\.value) == [120, 31])
        #expect(march.items.map(\.score) == [40, 70])
        #expect(march.total == 110 && march.period == "2026-03" && march.ruleVersion == 5)
        // February: the same quarter's visits (31 → 70), contacts 50/100 → 20; total 90.
        #expect(assess("e1", 2).total == 90)
        // April starts Q2: visits 40 of 30 → 70, contacts 10/100 → 4; total 74.
        #expect(assess("e1", 4).items.map(\.score) == [4, 70])
        // e2, March: contacts 100 → 40; visits 2/30 = 0.0667 → 60 × 0.0667 = 4.00; total 44. The ranking follows the totals.
        let e2 = assess("e2", 3)
        #expect(e2.items.map(\.achievement) == [1, dec("0.0667")])
        #expect(e2.total == 44)
        #expect(KPI.rank([e2, march]).first?.places.map(\.employee) == ["e1", "e2"])
        // The periods' months.
        #expect(KPI.months(of: .quarter, containing: RevenueMonth(year: 2026, month: 11)).map(\.month) == [10, 11, 12])
        #expect(KPI.months(of: .year, containing: RevenueMonth(year: 2026, month: 5)).count == 12)
        #expect(KPI.months(of: .month, containing: RevenueMonth(year: 2026, month: 5)).map(\.month) == [5])
    }

    @Test func aDailyRuleInAMonthlyAssessmentScalesItsTargetByTheMonthsWeekdays() {
        // March 2026 has 22 weekdays; a daily target of 2 calls → 44 for the month; 33 calls → 0.75 × 20 = 15.
        #expect(KPI.weekdays(in: RevenueMonth(year: 2026, month: 3)) == 22)
        #expect(KPI.weekdays(in: RevenueMonth(year: 2026, month: 2)) == 20)
        let rules = KPI.RuleSet(version: 1, rules: [KPI.Rule(KPIRule(indicator: "contactsMade", weight: 20, target: 2), period: .day)])
        let a = KPI.assess(employee: "e", month: RevenueMonth(year: 2026, month: 3), monthly: { _ in ["contactsMade": 33] }, rules: rules, workingDays: 22)
        #expect(a.items.first?.target == 44 && a.items.first?.score == 15)
    }
}
