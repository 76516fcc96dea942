import CRMAnalytics
import CRMDomain
import CRMProjections
import EventSourcing
import Foundation

extension CRMEngine {
    static let employeeIndicators = "employee-indicators"
    static let customerActivity = "customer-activity"
    static let kpiRuleVersions = "kpi-rule-versions"

    /// The KPI assessment of every employee `principal` may see for `month` (`YYYY-MM`, months read in each
    /// record's branch time zone), ranked (R-ANA-1): a superior sees the employees under them, an employee
    /// only themself, a holder of `analyse` in the analysis module over all data everyone. Each rule is
    /// scored over its own period (``KPI/assess(employee:month:monthly:rules:workingDays:)``): a quarterly
    /// or yearly rule sums the monthly indicator cells of the quarter or year holding `month`. Each
    /// assessment keeps the rule version it was computed under (the rules in force at the month's start).
    public func kpiAssessments(month: String, as principal: Principal) async throws -> (assessments: [KPI.Assessment], ranking: [KPI.Ranking]) {
        guard let first = RevenueMonth(text: month), let start = LocalDate(year: first.year, month: first.month, day: 1) else {
            throw EngineError(.invalid, field: "month", "a month is written YYYY-MM")
        }
        let visible = try await employeesVisible(to: principal)
        let versions = try views.read(Self.kpiRuleVersions) { try KPIRuleVersions.all(in: $0) }
        let history = KPI.RuleHistory(versions)
        guard let rules = history.ruleSet(at: LocalCalendar.utc.startOfDay(start)) ?? history.versions.first else { return ([], []) }
        // Every month some rule's period needs, read once: employee → indicator → count.
        let needed = Set(rules.rules.flatMap { KPI.months(of: $0.period, containing: first) }).union([first])
        var counts: [RevenueMonth: [String: [String: Int]]] = [:]
        try views.read(Self.employeeIndicators) { reader in
            for m in needed { counts[m] = try EmployeeIndicators.month(m.description, in: reader) }
        }
        let employees = Set(counts.values.flatMap(\.keys))
        var assessments: [KPI.Assessment] = []
        for employee in employees.sorted() where visible.map({ $0.contains(employee) }) ?? true {
            assessments.append(KPI.assess(employee: employee, month: first, monthly: { KPI.values(counts[$0]?[employee] ?? [:]) },
                                          rules: rules, workingDays: KPI.weekdays(in: first)))
        }
        return (assessments, KPI.rank(assessments))
    }

    /// RFM scores, loyalty scores, tiers and segments of the customers `principal` may see (R-ANA-3), over
    /// the `months` months ending with `day`'s month, in `currency` (other currencies converted at the
    /// settings' rates), scored globally or per branch.
    public func rfm(asOf day: LocalDate, months: Int = 12, currency: Currency, partition: RFM.Partition = .global,
                    as principal: Principal) async throws -> [RFM.Score] {
        guard months > 0, months <= 120 else { throw EngineError(.invalid, field: "months", "from 1 to 120 months") }
        let settings = try await self.settings()
        let now = clock.now()
        let summaries = try views.read(Self.customerActivity) { try CustomerActivity.all(in: $0) }
            .filter { principal.may(.analyse, in: .analysis, on: $0.scope, at: now) }
        let window = RevenueMonth.window(endingAt: RevenueMonth(day), months: months)
        let inputs = summaries.map { RFM.Input(PurchaseHistory($0, currency: currency, rates: settings.exchangeRates), window: window, asOf: day) }
        return RFM.score(inputs, partition: partition, tiers: settings.loyaltyThresholds)
    }

    /// The churn risk of the customers `principal` may see on `day` (R-ANA-5), highest first.
    public func churnRisks(on day: LocalDate, currency: Currency, as principal: Principal) async throws -> [(customerID: UUID, risk: Churn.Risk)] {
        let settings = try await self.settings()
        let now = clock.now()
        let summaries = try views.read(Self.customerActivity) { try CustomerActivity.all(in: $0) }
            .filter { principal.may(.analyse, in: .analysis, on: $0.scope, at: now) }
        return summaries.map { summary in
            let signals = Churn.Signals(summary, on: day, currency: currency, rates: settings.exchangeRates)
            let configuration = Churn.Configuration(settings: settings, branch: summary.scope.branch, community: summary.scope.community)
            return (summary.customerID, Churn.risk(signals, configuration: configuration))
        }.sorted { ($0.risk.score, $1.customerID.uuidString) > ($1.risk.score, $0.customerID.uuidString) }
    }

    /// The win probability suggested for an opportunity from history (R-SAL-2): the win rate of the closed
    /// opportunities of its pipeline (product line) that reached its stage, from its source, falling back
    /// to coarser groups (``WinProbability/suggest(pipeline:stages:stage:source:history:minimumSample:)``);
    /// nil when the history is too thin. Needs the right to query the opportunity; the history is counted
    /// over all opportunities (only the rate leaves the engine).
    public func winProbabilitySuggestion(for opportunityID: UUID, minimumSample: Int = 5, as principal: Principal,
                                         consistentWith position: GlobalPosition? = nil) async throws -> WinProbability.Suggestion? {
        try await consistent(with: position, ["opportunity-outcomes"])
        let (state, _) = try await self.state(Opportunity.self, id: opportunityID, as: principal)
        guard let details = state.details else { throw EngineError.notFound() }
        let history = try views.read("opportunity-outcomes") {
            try OpportunityOutcomes.all(in: $0) { $0.status != .open && $0.opportunityID != opportunityID }
        }
        return WinProbability.suggest(
            pipeline: state.pipeline.name, stages: state.pipeline.stages, stage: state.stage, source: details.source,
            history: history.map { WinProbability.Outcome(pipeline: $0.pipeline, furthestStage: $0.furthestStage, source: $0.source, won: $0.status == .won) },
            minimumSample: minimumSample)
    }

    /// Records the suggestion of ``winProbabilitySuggestion(for:minimumSample:as:consistentWith:)`` on the
    /// opportunity (`suggestWinProbability`; an override by hand still wins); nil, recording nothing, without one.
    @discardableResult
    public func suggestWinProbability(for opportunityID: UUID, minimumSample: Int = 5, as principal: Principal) async throws -> WinProbability.Suggestion? {
        guard let suggestion = try await winProbabilitySuggestion(for: opportunityID, minimumSample: minimumSample, as: principal) else { return nil }
        try await execute(Opportunity.self, id: opportunityID, .suggestWinProbability(suggestion.percent), as: principal)
        return suggestion
    }

    /// The employees whose figures `principal` may see: nil for everyone (analysis over all data), else
    /// themself and everyone who reports to them, directly or not.
    func employeesVisible(to principal: Principal) async throws -> Set<String>? {
        if principal.may(.analyse, in: .analysis, on: .global, at: clock.now()) { return nil }
        guard let me = principal.employeeID else { return [] }
        let organisation = try await organisation.current(store: store, registry: registry)
        var visible: Set<String> = [principal.id]
        for (id, _) in organisation.employees where organisation.managers(of: id).contains(me) {
            visible.insert(id.uuidString.lowercased())
        }
        return visible
    }
}
