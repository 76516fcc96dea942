import CRMAnalytics
import CRMDomain
import Foundation
import Testing

/// The reports over the new read-model facts, with expected values computed by hand.
@Suite struct ReportFactsTests {
    let mar = RevenueMonth(year: 2026, month: 3), apr = RevenueMonth(year: 2026, month: 4)
    let feb = RevenueMonth(year: 2026, month: 2), may = RevenueMonth(year: 2026, month: 5)
    let t0 = Date(timeIntervalSince1970: 1_772_323_200)  // 2026-03-01T00:00Z

    func day(_ text: String) throws -> LocalDate { try #require(LocalDate(text)) }

    @Test func aBudgetIsSpreadByDaysAndTheLastMonthTakesTheRemainder() throws {
        // 2026-01-31 … 2026-03-01: 1 + 28 + 1 = 30 days. 100 × 1/30 = 3.33, 100 × 28/30 = 93.33, rest 3.34.
        let shares = Reports.spread(100, from: try day("2026-01-31"), through: try day("2026-03-01"))
        #expect(shares.map(\.month.description) == ["2026-01", "2026-02", "2026-03"])
        #expect(shares.map(\.amount) == [dec("3.33"), dec("93.33"), dec("3.34")])
        #expect(shares.reduce(0) { $0 + $1.amount } == 100)
        #expect(Reports.spread(100, from: try day("2026-03-02"), through: try day("2026-03-01")).isEmpty)
    }

    @Test func costsAreBudgetAgainstActualByMonthCategoryAndIndustry() throws {
        let campaign = UUID.derived("campaign", "spring"), x = UUID.derived("customer", "x"), y = UUID.derived("customer", "y")
        // 1000 over 2026-03-22 … 2026-04-15: March 10 of 25 days = 400, April 600.
        let budgets = [Reports.BudgetFact(category: "marketing", source: campaign, start: try day("2026-03-22"), end: try day("2026-04-15"), amount: Money(1000, .cny))]
        let costs = [
            Reports.CostFact(category: "marketing", source: campaign, month: mar, amount: Money(300, .cny)),
            Reports.CostFact(category: "marketing", source: campaign, month: apr, amount: Money(200, .cny)),
            Reports.CostFact(category: "visits", source: UUID(), month: mar, customerID: x, industry: "energy", amount: Money(50, .cny)),
            Reports.CostFact(category: "visits", source: UUID(), month: apr, customerID: y, amount: Money(70, .cny)),
            Reports.CostFact(category: "visits", source: UUID(), month: may, customerID: x, industry: "energy", amount: Money(999, .cny)),
            Reports.CostFact(category: "visits", source: UUID(), month: mar, customerID: x, industry: "energy", amount: Money(10, .usd)),
        ]
        let byMonth = Reports.costs(costs, budgets: budgets, by: .month, in: mar...apr)
        #expect(byMonth.map { "\($0.key) \($0.currency.rawValue)" } == ["2026-03 CNY", "2026-03 USD", "2026-04 CNY"])
        #expect(byMonth.map(\.actual) == [350, 10, 270])
        #expect(byMonth.map(\.budget) == [400, nil, 600])
        #expect(byMonth.map(\.variance) == [-50, nil, -330])
        #expect(byMonth.map(\.usedPercent) == [dec("87.5"), nil, 45])

        let byCategory = Reports.costs(costs, budgets: budgets, by: .category, in: mar...apr)
        #expect(byCategory.map { "\($0.key) \($0.currency.rawValue) \($0.actual)" } == ["marketing CNY 500", "visits CNY 120", "visits USD 10"])
        #expect(byCategory.map(\.budget) == [1000, nil, nil])
        #expect(byCategory.first?.usedPercent == 50)

        let byIndustry = Reports.costs(costs, budgets: budgets, by: .industry, in: mar...apr)
        #expect(byIndustry.map { "\($0.key) \($0.currency.rawValue) \($0.actual)" } == [" CNY 570", "energy CNY 50", "energy USD 10"])
        #expect(byIndustry.allSatisfy { $0.budget == nil })

        let byCustomer = Reports.costs(costs, budgets: budgets, by: .customer, in: mar...apr)
        let cny = Dictionary(uniqueKeysWithValues: byCustomer.filter { $0.currency == .cny }.map { ($0.key, $0.actual) })
        #expect(cny == ["": 500, x.uuidString.lowercased(): 50, y.uuidString.lowercased(): 70])
    }

    @Test func monthlyBudgetsOfTheSettingsCountWhereTheirDimensionIsTheReports() throws {
        let x = UUID.derived("customer", "x").uuidString.lowercased()
        let costs = [
            Reports.CostFact(category: "visits", source: UUID(), month: mar, customerID: UUID.derived("customer", "x"), industry: "energy", amount: Money(50, .cny)),
            Reports.CostFact(category: "visits", source: UUID(), month: apr, customerID: UUID.derived("customer", "x"), industry: "energy", amount: Money(30, .cny)),
        ]
        let monthly = [
            CostBudget(dimension: .category, key: "visits", month: mar, amount: Money(40, .cny)),
            CostBudget(dimension: .category, key: "visits", month: apr, amount: Money(60, .cny)),
            CostBudget(dimension: .category, key: "visits", month: may, amount: Money(999, .cny)),
            CostBudget(dimension: .customer, key: x, month: mar, amount: Money(100, .cny)),
            CostBudget(dimension: .industry, key: "energy", month: apr, amount: Money(25, .cny)),
        ]
        // By month: the category budgets (categories partition the total); May is outside the period.
        let byMonth = Reports.costs(costs, budgets: [], monthly: monthly, by: .month, in: mar...apr)
        #expect(byMonth.map { "\($0.key) \($0.actual)/\($0.budget ?? -1)" } == ["2026-03 50/40", "2026-04 30/60"])
        #expect(byMonth.map(\.usedPercent) == [125, 50] && byMonth.map(\.variance) == [10, -30])
        // By category: 80 of 100; by customer: 80 of 100 (March's budget only); by industry: 80 of 25.
        let byCategory = Reports.costs(costs, budgets: [], monthly: monthly, by: .category, in: mar...apr)
        #expect(byCategory.map { "\($0.key) \($0.actual)/\($0.budget ?? -1)" } == ["visits 80/100"])
        let byCustomer = Reports.costs(costs, budgets: [], monthly: monthly, by: .customer, in: mar...apr)
        #expect(byCustomer.map { "\($0.key) \($0.actual)/\($0.budget ?? -1)" } == ["\(x) 80/100"])
        let byIndustry = Reports.costs(costs, budgets: [], monthly: monthly, by: .industry, in: mar...apr)
        #expect(byIndustry.map { "\($0.key) \($0.actual)/\($0.budget ?? -1)" } == ["energy 80/25"] && byIndustry.first?.usedPercent == 320)
        // A budget with no cost yet still shows, with actual 0.
        let onlyMay = Reports.costs(costs, budgets: [], monthly: monthly, by: .category, in: may...may)
        #expect(onlyMay.map { "\($0.key) \($0.actual)/\($0.budget ?? -1)" } == ["visits 0/999"] && onlyMay.first?.usedPercent == 0)
    }

    @Test func theTwoLayerAssessmentGoesBothWays() {
        let c = (1...4).map { UUID.derived("customer", "\($0)") }
        let pairings = [Reports.Pairing(customerID: c[0], agent: "a1", manager: "m1"), Reports.Pairing(customerID: c[1], agent: "a1", manager: "m1"),
                        Reports.Pairing(customerID: c[2], agent: "a2", manager: "m1"), Reports.Pairing(customerID: c[3], agent: "a2", manager: "m2")]
        let ratings = [
            Reports.Rating(direction: .agentRatesManager, giver: "a1", subject: "m1", rating: 4, month: mar),
            Reports.Rating(direction: .agentRatesManager, giver: "a2", subject: "m1", rating: 2, month: mar),
            Reports.Rating(direction: .agentRatesManager, giver: "a1", subject: "m1", rating: 5, month: feb),  // outside the period
            Reports.Rating(direction: .agentRatesManager, giver: "a2", subject: "m2", rating: 3, month: mar),
            Reports.Rating(direction: .managerRatesAgent, giver: "m1", subject: "a1", rating: 5, month: mar),
            Reports.Rating(direction: .managerRatesAgent, giver: "m1", subject: "a1", rating: 4, month: mar),
            Reports.Rating(direction: .managerRatesAgent, giver: "m2", subject: "a3", rating: 1, month: mar),  // a3 holds no pair now
        ]
        let rows = Reports.twoLayer(pairings: pairings, ratings: ratings, in: mar...mar)
        #expect(rows.map(\.employee) == ["m1", "m2", "a1", "a2", "a3"])
        #expect(rows.map(\.role) == ["manager", "manager", "agent", "agent", "agent"])
        #expect(rows.map(\.pairedCustomers) == [3, 1, 2, 2, 0])
        #expect(rows.map(\.partners) == [2, 1, 1, 2, 0])
        #expect(rows.map(\.ratings) == [2, 1, 2, 0, 1])
        #expect(rows.map(\.raters) == [2, 1, 1, 0, 1])
        #expect(rows.map(\.averageRating) == [3, 3, dec("4.5"), nil, 1])
        #expect(rows.map(\.lowRatings) == [1, 0, 0, 0, 1])
    }

    @Test func surveyStatisticsGiveRateSpeedAndPerQuestionResults() {
        let r = (1...4).map { UUID.derived("recipient", "\($0)") }
        let questions: [SurveyQuestion] = [.singleChoice("q1", "Happy?", options: ["yes", "no"]), .rating("q2", "Rate us", scale: 5),
                                           .freeText("q3", "Anything else?", maxLength: 200)]
        let h = 3600.0
        let facts = Reports.SurveyFacts(
            surveyID: UUID.derived("survey", "1"), title: "Service 2026", questions: questions,
            distributedAt: [r[0]: t0, r[1]: t0, r[2]: t0 + h, r[3]: t0 + h],
            responses: [
                .init(recipient: r[0], respondedAt: t0 + 2 * h, answers: [.choice("q1", "yes"), .rating("q2", 4), .text("q3", "fine")]),  // 2 h
                .init(recipient: r[1], respondedAt: t0 + 5 * h, answers: [.choice("q1", "no"), .rating("q2", 5)]),  // 5 h
                .init(recipient: r[2], respondedAt: t0 + 2 * h, answers: [.choice("q1", "yes"), .rating("q2", 4)]),  // 1 h
            ])
        let rows = Reports.surveyStatistics([facts])
        #expect(rows.count == 2 + 5 + 1)
        #expect(rows.allSatisfy { $0.recipients == 4 && $0.responses == 3 && $0.responseRatePercent == 75 })
        #expect(rows.allSatisfy { $0.averageResponseHours == dec("2.67") && $0.medianResponseHours == 2 })
        #expect(rows.map(\.question) == ["q1", "q1", "q2", "q2", "q2", "q2", "q2", "q3"])
        #expect(rows.map(\.answer) == ["yes", "no", "1", "2", "3", "4", "5", nil])
        #expect(rows.map(\.count) == [2, 1, 0, 0, 0, 2, 1, nil])
        #expect(rows.map(\.percent) == [dec("66.67"), dec("33.33"), 0, 0, 0, dec("66.67"), dec("33.33"), nil])
        #expect(rows.map(\.answered) == [3, 3, 3, 3, 3, 3, 3, 1])
        #expect(rows.filter { $0.question == "q2" }.allSatisfy { $0.averageRating == dec("4.33") })
    }

    @Test func feedbackFormsAreAggregatedPerBranchAndTemplate() {
        func form(_ branch: String, _ status: FeedbackStatus, _ month: RevenueMonth, reviewedAfter hours: Double? = nil, _ values: [FeedbackValue]) -> Reports.FeedbackForm {
            Reports.FeedbackForm(branch: branch, template: "Weekly", status: status, month: month, submittedAt: t0,
                                 reviewedAt: hours.map { t0 + $0 * 3600 }, values: values)
        }
        let forms = [
            form("A", .reviewed, mar, reviewedAfter: 3, [FeedbackValue(field: "hours", value: .number(4)), FeedbackValue(field: "mood", value: .option("good"))]),
            form("A", .returned, mar, [FeedbackValue(field: "hours", value: .number(2)), FeedbackValue(field: "mood", value: .option("bad"))]),
            form("A", .inReview, mar, [FeedbackValue(field: "hours", value: .number(6)), FeedbackValue(field: "mood", value: .option("good")),
                                       FeedbackValue(field: "note", value: .text("x"))]),
            form("B", .submitted, mar, [FeedbackValue(field: "hours", value: .number(1))]),
            form("A", .submitted, apr, [FeedbackValue(field: "hours", value: .number(100))]),  // outside the period
        ]
        let rows = Reports.feedbackByBranch(forms, in: mar...mar)
        #expect(rows.map { "\($0.branch)|\($0.field ?? "")|\($0.answer ?? "")|\($0.count)" }
                == ["A|||3", "A|hours||3", "A|mood|bad|1", "A|mood|good|2", "A|note||1", "B|||1", "B|hours||1"])
        let totalA = rows[0]
        #expect(totalA.reviewed == 1 && totalA.returned == 1 && totalA.open == 1 && totalA.averageReviewHours == 3)
        #expect(rows[1].sum == 12 && rows[1].mean == 4)
        #expect(rows[5].open == 1 && rows[5].averageReviewHours == nil)
        #expect(rows[6].sum == 1 && rows[6].mean == 1)
    }

    @Test func overdueReportsOfSeveralZonesMergePerMonthAndDepartment() {
        func report(_ month: Int, _ counts: [(String, Int)]) -> OverdueReport {
            OverdueReport(year: 2026, month: month, lines: [], departments: counts.map { OverdueReport.DepartmentCount(department: $0.0, count: $0.1, ticketIDs: []) })
        }
        let rows = Reports.overdueByDepartment([report(3, [("service", 2), ("billing", 1)]), report(4, [("service", 1)]), report(3, [("billing", 2)])])
        #expect(rows.map { "\($0.month) \($0.department) \($0.lateTickets)" } == ["2026-03 billing 3", "2026-03 service 2", "2026-04 service 1"])
        #expect(ReportTable(rows: rows).rows.first == ["2026-03", "billing", "3"])
    }

    @Test func aReportTableIsRFC4180CSV() {
        let table = ReportTable(header: ["a", "b"], rows: [["x,y", "say \"hi\""], ["line\nbreak", ""]])
        #expect(table.csv() == "a,b\r\n\"x,y\",\"say \"\"hi\"\"\"\r\n\"line\nbreak\",\r\n")
        #expect(table.csv(bom: true).hasPrefix("\u{FEFF}a,b\r\n"))
    }

    @Test func aUsageAnomalyDispatchesOneTaskPerEpisode() {
        let customer = UUID.derived("customer", "meter"), r = (1...4).map { UUID.derived("reading", "\($0)") }
        var state = UsageAnomaly.EpisodeState()
        func step(_ reading: UUID, flagged: Bool, completed: Bool = false) -> UsageAnomaly.Decision {
            let (next, decision) = UsageAnomaly.step(state, customerID: customer, meter: "m-1", readingID: reading, flagged: flagged, taskCompleted: completed)
            state = next
            return decision
        }
        let first = UsageAnomaly.taskID(customerID: customer, meter: "m-1", readingID: r[0])
        #expect(step(r[0], flagged: true) == .dispatchTask(taskID: first))
        #expect(step(r[0], flagged: true) == .none, "a reading is judged once")
        #expect(step(r[1], flagged: true) == .none, "a further low reading stays in the episode")
        #expect(step(r[2], flagged: false) == .episodeEnded(taskID: first, reason: .usageRecovered))
        let second = UsageAnomaly.taskID(customerID: customer, meter: "m-1", readingID: r[3])
        #expect(second != first)
        #expect(step(r[3], flagged: true) == .dispatchTask(taskID: second))
        #expect(step(r[3], flagged: true, completed: true) == .episodeEnded(taskID: second, reason: .taskCompleted))
        #expect(step(r[3], flagged: true) == .none, "the completed episode's reading opens nothing again")
    }
}

@Suite struct KPIScoringTests {
    @Test func theSettingsScoringGivesTheCurveAndPeriod() {
        let rule = KPIRule(indicator: "visitsMade", weight: 10, target: 4, bonusPoints: 2)
        // Steps: achievement 3/4 = 0.75 reaches the 0.5 step → 10 × 0.5 = 5 points, no bonus.
        let steps = KPI.Rule(rule, scoring: KPIScoring(indicator: "visitsMade", curve: .steps, steps: [.init(from: 1, factor: 1), .init(from: dec("0.5"), factor: dec("0.5"))],
                                                       period: .quarter))
        #expect(steps.period == .quarter)
        #expect(KPI.item(steps, value: 3).points == 5 && KPI.item(steps, value: 3).score == 5)
        // Threshold: 3 of 4 scores nothing; 4 of 4 the weight and the bonus.
        let threshold = KPI.Rule(rule, scoring: KPIScoring(indicator: "visitsMade", curve: .threshold))
        #expect(KPI.item(threshold, value: 3).score == 0 && KPI.item(threshold, value: 4).score == 12)
        // Linear capped at 1.2: 6 of 4 = 1.5 → 12 points + 2 bonus.
        let linear = KPI.Rule(rule, scoring: KPIScoring(indicator: "visitsMade", cap: dec("1.2")))
        #expect(KPI.item(linear, value: 6).score == 14 && linear.period == .month)
    }
}

@Suite struct WinProbabilityTests {
    @Test func theFinestGroupWithEnoughHistoryGivesTheRate() {
        let stages = ["lead", "proposal", "negotiation"]
        let history = [
            WinProbability.Outcome(pipeline: "gas", furthestStage: 2, source: "referral", won: true),
            WinProbability.Outcome(pipeline: "gas", furthestStage: 1, source: "referral", won: false),
            WinProbability.Outcome(pipeline: "gas", furthestStage: 2, source: "inbound", won: true),
            WinProbability.Outcome(pipeline: "gas", furthestStage: 0, source: "inbound", won: false),
            WinProbability.Outcome(pipeline: "gas", furthestStage: 1, source: "referral", won: true),
            WinProbability.Outcome(pipeline: "water", furthestStage: 2, source: "referral", won: true),
        ]
        func suggest(_ minimum: Int, stage: String = "proposal") -> WinProbability.Suggestion? {
            WinProbability.suggest(pipeline: "gas", stages: stages, stage: stage, source: "referral", history: history, minimumSample: minimum)
        }
        // Reached "proposal" from a referral: won, lost, won → 2 of 3 = 66.67 → 67 %.
        #expect(suggest(3).map { [$0.percent, Decimal($0.sample)] } == [67, 3] && suggest(3)?.basis == "pipeline+stage+source")
        // Any source that reached "proposal": 3 of 4 = 75 %.
        #expect(suggest(4)?.percent == 75 && suggest(4)?.basis == "pipeline+stage")
        // The whole gas pipeline: 3 of 5 = 60 %.
        #expect(suggest(5)?.percent == 60 && suggest(5)?.basis == "pipeline")
        #expect(suggest(6) == nil)
        #expect(suggest(1, stage: "unknown") == nil)
    }

    @Test func anOpportunityWithAProductLineIsFirstComparedWithItsOwnLine() {
        let stages = ["lead", "proposal", "negotiation"]
        let history = [
            WinProbability.Outcome(pipeline: "gas", furthestStage: 2, source: "referral", productLine: "meters", won: true),
            WinProbability.Outcome(pipeline: "gas", furthestStage: 1, source: "referral", productLine: "meters", won: true),
            WinProbability.Outcome(pipeline: "gas", furthestStage: 1, source: "inbound", productLine: "meters", won: false),
            WinProbability.Outcome(pipeline: "gas", furthestStage: 1, source: "referral", productLine: "boilers", won: false),
            WinProbability.Outcome(pipeline: "gas", furthestStage: 2, source: "referral", won: false),
        ]
        func suggest(_ minimum: Int, line: String?) -> WinProbability.Suggestion? {
            WinProbability.suggest(pipeline: "gas", stages: stages, stage: "proposal", source: "referral", productLine: line,
                                   history: history, minimumSample: minimum)
        }
        // Meters from referrals at "proposal" or beyond: 2 of 2 = 100 %; all meters that far: 2 of 3 = 67 %.
        #expect(suggest(2, line: "meters").map { "\($0.basis) \($0.percent)" } == "pipeline+line+stage+source 100")
        #expect(suggest(3, line: "meters").map { "\($0.basis) \($0.percent)" } == "pipeline+line+stage 67")
        // Then without the line: referrals that far 2 of 4 = 50 %; without a line the line groups are skipped.
        #expect(suggest(4, line: "meters").map { "\($0.basis) \($0.percent)" } == "pipeline+stage+source 50")
        #expect(suggest(2, line: nil).map { "\($0.basis) \($0.percent)" } == "pipeline+stage+source 50")
        #expect(suggest(2, line: "pipes").map { "\($0.basis) \($0.percent)" } == "pipeline+stage+source 50", "no history of the line")
    }
}
