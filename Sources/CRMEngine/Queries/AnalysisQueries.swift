import CRMAnalytics
import CRMDomain
import CRMProjections
import EventSourcing
import Foundation

extension CRMEngine {
    static let employeeIndicators = "employee-indicators"
    static let customerActivity = "customer-activity"
    static let kpiRuleVersions = "kpi-rule-versions"
    /// The views the KPI assessments and the daily pay read (their `consistentWith` waits for these).
    static let kpiViews: Set<String> = [kpiRuleVersions, employeeIndicators]
    /// The views RFM reads (its `consistentWith` waits for these).
    static let rfmViews: Set<String> = [customerActivity, "customer-directory"]

    /// The KPI assessment of every employee `principal` may see for `month` (`YYYY-MM`, months read in each
    /// record's branch time zone), ranked (R-ANA-1): a superior sees the employees under them, an employee
    /// only themself, a holder of `analyse` in the analysis module over all data everyone. Every active
    /// employee hired by the month's last day is assessed — one without any indicator cell scores 0 and
    /// is ranked with the others — and so is anyone with cells in the months the rules read (a deactivated
    /// employee's past work still counts). Each rule is
    /// scored over its own period (``KPI/assess(employee:month:monthly:rules:workingDays:)``): a quarterly
    /// or yearly rule sums the monthly indicator cells of the quarter or year holding `month`. Each
    /// assessment keeps the rule version it was computed under (the rules in force at the month's start in the
    /// employee's branch calendar: ``KPIRulesInForce``).
    /// With `position`, first waits until the views it reads have applied it (read your own write).
    public func kpiAssessments(month: String, as principal: Principal,
                               consistentWith position: GlobalPosition? = nil) async throws -> (assessments: [KPI.Assessment], ranking: [KPI.Ranking]) {
        try requireOpen()
        try await consistent(with: position, Self.kpiViews)
        guard let first = RevenueMonth(text: month), let start = LocalDate(year: first.year, month: first.month, day: 1) else {
            throw EngineError(.invalid, field: "month", "a month is written YYYY-MM")
        }
        let visible = try await employeesVisible(to: principal)
        let versions = try views.read(Self.kpiRuleVersions) { try KPIRuleVersions.all(in: $0) }
        let history = KPI.RuleHistory(versions)
        let settings = try await self.settings()
        let organisation = try await organisation.current(store: store, registry: registry)
        guard let inForce = KPIRulesInForce(history, settings: settings, organisation: organisation) else { return ([], []) }
        func monthsRead(_ rules: KPI.RuleSet) -> Set<RevenueMonth> {
            Set(rules.rules.flatMap { KPI.months(of: $0.period, containing: first) }).union([first])
        }
        // Every month some employee's rules need, read once: employee → indicator → count.
        let needed = inForce.ruleSets(on: start).reduce(into: Set<RevenueMonth>()) { $0.formUnion(monthsRead($1)) }
        var counts: [RevenueMonth: [String: [String: Int]]] = [:]
        try views.read(Self.employeeIndicators) { reader in
            for m in needed { counts[m] = try EmployeeIndicators.month(m.description, in: reader) }
        }
        let last = start.lastOfMonth
        let employed = Set(organisation.employees.values.filter { $0.active && $0.hiredOn <= last }.map(\.id.lowercasedString))
        // The employed, and anyone with cells in the months their own rules read.
        let employees = Set(counts.values.flatMap(\.keys)).union(employed).filter { employee in
            employed.contains(employee) || monthsRead(inForce.rules(of: employee, on: start)).contains { counts[$0]?[employee] != nil }
        }
        let workingDays = Self.workingDays(in: first, settings: settings, organisation: organisation)
        var assessments: [KPI.Assessment] = []
        for employee in employees.sorted() where visible.map({ $0.contains(employee) }) ?? true {
            assessments.append(KPI.assess(employee: employee, month: first, monthly: { KPI.values(counts[$0]?[employee] ?? [:]) },
                                          rules: inForce.rules(of: employee, on: start), workingDays: workingDays(employee)))
        }
        return (assessments, KPI.rank(assessments))
    }

    /// The KPI rankings of `month` by organisation unit (R-ANA-1): the employees `principal` may see
    /// (``kpiAssessments(month:as:)``'s reach) grouped by the unit of `level` they belong to — for a team or
    /// an office the nearest unit of that kind at or above their own unit, for a department the top-most
    /// department above it — each group's members ranked, and the groups ranked by their members' average
    /// total (competition ranking, ties by name, then unit id). Employees without such a unit are left out.
    /// Groups are units, told apart by id — two units of one name are two groups — and each carries its
    /// unit's id and name.
    /// With `position`, first waits until the views it reads have applied it (read your own write).
    public func kpiGroupRankings(month: String, level: OrgUnit.Kind, as principal: Principal,
                                 consistentWith position: GlobalPosition? = nil) async throws -> (rankings: [KPI.Ranking], groups: [KPI.GroupPlace]) {
        try requireOpen()
        let (assessments, _) = try await kpiAssessments(month: month, as: principal, consistentWith: position)
        let organisation = try await organisation.current(store: store, registry: registry)
        var unitOf: [String: KPI.Unit] = [:]
        for (id, employee) in organisation.employees {
            guard let unitID = employee.unitID else { continue }
            let unit = level == .department ? organisation.department(of: unitID) : organisation.chain(from: unitID).first { $0.kind == level }
            if let unit { unitOf[id.lowercasedString] = KPI.Unit(id: unit.id, name: unit.name) }
        }
        let rankings = KPI.rank(assessments) { unitOf[$0] }
        return (rankings, KPI.rankGroups(rankings))
    }

    /// The daily pay estimate (R-ANA-2) of `employee` — or, with nil, of every employee of the organisation
    /// `principal` may see (``kpiAssessments(month:as:)``'s reach) who is active and hired by the day, and of
    /// a deactivated one who has figures that day — on `day`, from the settings' pay scheme and the KPI rules
    /// in force at the day's start in the employee's branch calendar (``KPIRulesInForce``): each rule's target
    /// scaled to one day (a monthly target ÷ the month's working days — Monday to Friday less the holidays of
    /// the employee's branch — a quarterly ÷ 3 × them, a yearly ÷ 12 × them), the day's indicator values (in
    /// the records' branch zones) scored like an assessment, each item paid at its rate per point, plus the
    /// base per day. Without `day`, each employee's own day: today at the engine's clock in their branch's
    /// time zone (UTC when it has none). Refused
    /// (`invalid`) while no pay scheme or no KPI rules are set; an employee the organisation does not know,
    /// or the principal may not see, is `notFound`. With `position`, first waits until the views it reads
    /// have applied it (read your own write).
    public func dailyPay(on day: LocalDate? = nil, employee: String? = nil, as principal: Principal,
                         consistentWith position: GlobalPosition? = nil) async throws -> [KPI.PayEstimate] {
        try requireOpen()
        try await consistent(with: position, Self.kpiViews)
        let settings = try await self.settings()
        guard let scheme = settings.payScheme else { throw EngineError(.invalid, field: "payScheme", "no pay scheme is set in the settings") }
        let versions = try views.read(Self.kpiRuleVersions) { try KPIRuleVersions.all(in: $0) }
        let history = KPI.RuleHistory(versions)
        let organisation = try await organisation.current(store: store, registry: registry)
        guard let inForce = KPIRulesInForce(history, settings: settings, organisation: organisation) else {
            throw EngineError(.invalid, field: "kpiRules", "no KPI rules are set in the settings")
        }
        let visible = try await employeesVisible(to: principal)
        let staff = Dictionary(organisation.employees.values.map { ($0.id.lowercasedString, $0) }, uniquingKeysWith: { a, _ in a })
        let today = BranchDays(at: clock.now(), settings: settings)
        func dayOf(_ id: String) -> LocalDate { day ?? today.day(ofBranch: staff[id]?.branch) }
        let candidates: [String]
        if let employee {
            let id = Employee.canonicalID(employee)
            guard staff[id] != nil, visible.map({ $0.contains(id) }) ?? true else { throw EngineError.notFound() }
            candidates = [id]
        } else {
            candidates = staff.keys.filter { id in visible.map { $0.contains(id) } ?? true }.sorted()
        }
        let pay = KPI.PayScheme(currency: scheme.currency, basePerDay: scheme.basePerDay, defaultRatePerPoint: scheme.defaultRatePerPoint,
                                ratePerPoint: Dictionary(scheme.rates.map { ($0.indicator, $0.perPoint) }, uniquingKeysWith: { a, _ in a }))
        let values = try views.read(Self.employeeIndicators) { reader in
            try candidates.map { try EmployeeIndicators.values(employee: $0, day: dayOf($0), in: reader) }
        }
        var workingDays: [RevenueMonth: (String) -> Int] = [:]
        var estimates: [KPI.PayEstimate] = []
        for (id, counts) in zip(candidates, values) {
            let day = dayOf(id)
            // Asked by name, an employee is estimated whatever their state; in the list, those at work that day.
            if employee == nil, let person = staff[id], !(person.active && person.hiredOn <= day), counts.values.allSatisfy({ $0 == 0 }) { continue }
            let month = RevenueMonth(day)
            let days = workingDays[month] ?? Self.workingDays(in: month, settings: settings, organisation: organisation)
            workingDays[month] = days
            estimates.append(KPI.dailyPay(employee: id, day: day, values: KPI.values(counts), rules: inForce.rules(of: id, on: day),
                                          scheme: pay, workingDays: days(id)))
        }
        return estimates
    }

    /// The KPI rules in force for an employee on a day (R-ANA-1, R-ANA-2): the version in force when the day
    /// began in the calendar of the employee's branch (``Settings/State/calendar(forBranch:)``: UTC for a
    /// branch without a known zone, and for an employee the organisation does not know) — a version recorded
    /// after a Shanghai employee's day began applies from their next day — or, where none was in force then
    /// (the first rules were recorded later), the first version recorded.
    struct KPIRulesInForce {
        let history: KPI.RuleHistory
        let first: KPI.RuleSet
        let calendars: [String: LocalCalendar]
        let branchOf: [String: String]

        /// Nil while no rules were ever recorded.
        init?(_ history: KPI.RuleHistory, settings: Settings.State, organisation: Organisation.State) {
            guard let first = history.versions.first else { return nil }
            self.history = history
            self.first = first
            branchOf = Dictionary(organisation.employees.map { ($0.key.lowercasedString, $0.value.branch) }, uniquingKeysWith: { a, _ in a })
            calendars = Dictionary(Set(branchOf.values).map { ($0, settings.calendar(forBranch: $0)) }, uniquingKeysWith: { a, _ in a })
        }

        /// The rules of `employee` (id text) on `day`.
        func rules(of employee: String, on day: LocalDate) -> KPI.RuleSet {
            rules(in: branchOf[employee.lowercased()].flatMap { calendars[$0] } ?? .utc, on: day)
        }

        /// Every rule set some employee has on `day` (one per calendar in use).
        func ruleSets(on day: LocalDate) -> Set<KPI.RuleSet> {
            Set(Set(calendars.values).union([.utc]).map { rules(in: $0, on: day) })
        }

        private func rules(in calendar: LocalCalendar, on day: LocalDate) -> KPI.RuleSet {
            history.ruleSet(at: calendar.startOfDay(day)) ?? first
        }
    }

    /// The working days of `month` per employee (id text): Monday to Friday less the settings' holidays
    /// that apply to the employee's branch (only holidays of every branch for an unknown employee).
    static func workingDays(in month: RevenueMonth, settings: Settings.State, organisation: Organisation.State) -> (String) -> Int {
        var byBranch: [String: Int] = [:]
        let everywhere = KPI.workingDays(in: month, holidays: settings.holidays.filter { $0.branches.isEmpty }.map(\.date))
        for branch in Set(organisation.employees.values.map(\.branch)) {
            byBranch[branch] = KPI.workingDays(in: month, holidays: settings.holidays.filter { $0.applies(to: branch) }.map(\.date))
        }
        let branchOf = Dictionary(organisation.employees.map { ($0.key.lowercasedString, $0.value.branch) }, uniquingKeysWith: { a, _ in a })
        return { employee in branchOf[employee.lowercased()].flatMap { byBranch[$0] } ?? everywhere }
    }

    /// RFM scores, loyalty scores, tiers and segments of the customers `principal` may see (R-ANA-3), over
    /// the `months` months ending with `day`'s month, in `currency` (other currencies converted at the
    /// settings' rates), scored globally or per branch. Only customers that existed by `day` are scored:
    /// those recorded (created) on or before it in their branch's time zone, as the composition report
    /// counts the customers of a period — and, as there, neither archived nor merged ones
    /// (``analysedCustomers(where:)``). Without `day`, each customer is scored as of its own today: the
    /// engine clock's day in its branch's time zone (UTC when it has none), so every existing customer is.
    /// Only the revenue entries dated on or before a customer's day count (last purchase, frequency,
    /// monetary: ``CustomerActivity/summary(_:asOf:in:)``). A month of the window with purchases in a currency
    /// without a rate into `currency` on its first day refuses the analysis (`rejected`, field
    /// `exchangeRates`, naming each pair and the first day it was needed), as the revenue reports refuse.
    /// With `position`, first waits until the views it reads have applied it (read your own write).
    public func rfm(asOf day: LocalDate? = nil, months: Int = 12, currency: Currency, partition: RFM.Partition = .global,
                    as principal: Principal, consistentWith position: GlobalPosition? = nil) async throws -> [RFM.Score] {
        try requireOpen()
        try await consistent(with: position, Self.rfmViews)
        guard months > 0, months <= 120 else { throw EngineError(.invalid, field: "months", "from 1 to 120 months") }
        let settings = try await self.settings()
        let now = clock.now()
        let today = BranchDays(at: now, settings: settings)
        func dayOf(_ branch: String?) -> LocalDate { day ?? today.day(ofBranch: branch) }
        let existing = try analysedCustomers { profile in
            settings.calendar(forBranch: profile.scope.branch).localDate(of: profile.createdAt) <= dayOf(profile.scope.branch)
        }
        // Each customer as of its day: only the entries dated on or before it count.
        let summaries = try views.read(Self.customerActivity) { reader in
            try CustomerActivity.all(in: reader) { existing.contains($0.customerID) && principal.may(.analyse, in: .analysis, on: $0.scope, at: now) }
                .map { try CustomerActivity.summary($0, asOf: dayOf($0.scope.branch), in: reader) }
        }
        var missing: [Currency: LocalDate] = [:]
        let inputs = summaries.map { summary in
            let day = dayOf(summary.scope.branch)
            let history = PurchaseHistory(summary, currency: currency, rates: settings.exchangeRates)
            let window = RevenueMonth.window(endingAt: RevenueMonth(day), months: months)
            missing.merge(history.missingRates(in: window)) { min($0, $1) }
            return RFM.Input(history, window: window, asOf: day)
        }
        // A month without a rate refuses the analysis (as the revenue reports refuse), never scores as nothing.
        try Self.refuse(missingRates: missing, into: currency)
        return RFM.score(inputs, partition: partition, weights: RFM.Weights(settings.rfmScheme),
                         segments: RFM.SegmentRule.rules(of: settings.rfmScheme), tiers: settings.loyaltyThresholds)
    }

    /// The churn risk of the customers `principal` may see on `day` (R-ANA-5), highest first: those neither
    /// archived nor merged that existed by `day` (``churnCustomers(settings:on:)``: created on or before it in
    /// their branch's calendar, as RFM scores them), as the churn watch judges them, from the same
    /// signals (``churnSignals(_:on:currency:settings:facts:missingRates:)``: days in each customer's branch calendar, a
    /// contact after the day not counted, the active contracts' expiries). Without `day`, each customer on
    /// its own today: the engine clock's day in its branch's time zone (UTC when it has none). With
    /// `position`, first waits until the views it reads have applied it (read your own write).
    public func churnRisks(on day: LocalDate? = nil, currency: Currency, as principal: Principal,
                           consistentWith position: GlobalPosition? = nil) async throws -> [(customerID: UUID, risk: Churn.Risk)] {
        try requireOpen()
        try await consistent(with: position, Self.churnViews)
        let settings = try await self.settings()
        let now = clock.now()
        let today = BranchDays(at: now, settings: settings)
        let live = try churnCustomers(settings: settings, on: { day ?? today.day(ofBranch: $0) })
        let summaries = try churnSummaries(where: { live.contains($0.customerID) && principal.may(.analyse, in: .analysis, on: $0.scope, at: now) },
                                           on: { day ?? today.day(ofBranch: $0.scope.branch) })
        let facts = try churnFacts()
        var missing: [Currency: LocalDate] = [:]
        let risks = try summaries.map { summary, asOfDay, day in
            let signals = try churnSignals(asOfDay, on: day, currency: currency, settings: settings, facts: facts, missingRates: &missing)
            let configuration = Churn.Configuration(settings: settings, branch: summary.scope.branch, community: summary.scope.community)
            return (customerID: summary.customerID, risk: Churn.risk(signals, configuration: configuration))
        }
        // A period's purchases in a currency without a rate refuse the report, as RFM's do.
        try Self.refuse(missingRates: missing, into: currency)
        return risks.sorted { ($0.risk.score, $1.customerID.uuidString) > ($1.risk.score, $0.customerID.uuidString) }
    }

    /// Why revenue rose or fell (R-ANA-4): the `compare` months against the `base` months in `currency`
    /// — every entry converted as ``revenue(_:as:consistentWith:)`` converts it, at the rate valid on its
    /// day, and the explanation refused (`rejected`, field `exchangeRates`, naming each missing pair) when an
    /// entry of those months has none — split by product and by month (the i-th base month against the
    /// i-th compared one), over the revenue-cube cells of the customers `principal` may analyse — or of one
    /// customer, whose read is audited: one that does not exist, or that `principal` may not analyse over its
    /// scope now, is `notFound` (as reading it is), never explained as zeros. See ``RevenueExplanation``. A range with a month outside
    /// ``RevenueQuery/monthsQueried`` (1900-01…9999-12, as the revenue report's) is `invalid` naming `base` or `compare`.
    public func revenueExplanation(base: ClosedRange<RevenueMonth>, compare: ClosedRange<RevenueMonth>, currency: Currency,
                                   customer: UUID? = nil, as principal: Principal,
                                   consistentWith position: GlobalPosition? = nil) async throws -> RevenueExplanation {
        try requireOpen()
        let bound = RevenueQuery.monthsQueried
        for (field, range) in [("base", base), ("compare", compare)]
        where [range.lowerBound, range.upperBound].contains(where: { !bound.contains($0) || !(1...12).contains($0.month) }) {
            throw EngineError(.invalid, field: field, "holds a month that is not one from \(bound.lowerBound) to \(bound.upperBound)")
        }
        try currency.requireISO4217()
        try await consistent(with: position, [Self.revenueView])
        let now = clock.now()
        // One customer is answered only when it exists and the principal may analyse it where it is now: an
        // unknown customer and one outside the caller's reach are both not found, as reading it is.
        if let customer {
            let record = try await load(Customer.self, stream: Customer.stream(customer)).state
            guard record.exists, principal.may(.analyse, in: .analysis, on: Self.scope(ofCustomer: record), at: now) else {
                throw EngineError.notFound()
            }
        }
        let cells = try views.read(Self.revenueView) {
            try RevenueCube.cells(from: min(base.lowerBound, compare.lowerBound), through: max(base.upperBound, compare.upperBound), in: $0) { cell in
                customer.map { $0 == cell.customerID } ?? true && principal.may(.analyse, in: .analysis, on: cell.scope, at: now)
            }
        }
        if let customer, !cells.isEmpty { auditCustomers([customer], principal) }
        // Only the two periods' months count (not those between them), each entry in the currency.
        var conversion = RevenueConversion(currency: currency, rates: try await settings().exchangeRates)
        let converted = conversion.converted(cells.filter { cell in cell.yearMonth.map { base.contains($0) || compare.contains($0) } ?? false })
        try conversion.check()
        return RevenueExplanation.explain(converted, base: base, compare: compare, currency: currency)
    }

    /// The win probability suggested for an opportunity from history (R-SAL-2): the win rate of the closed
    /// opportunities of its pipeline and product line that reached its stage, from its source, falling back
    /// to coarser groups (``WinProbability/suggest(pipeline:stages:stage:source:productLine:history:minimumSample:)``);
    /// nil when the history is too thin. Needs the right to query the opportunity; the history is counted
    /// over all opportunities (only the rate leaves the engine).
    public func winProbabilitySuggestion(for opportunityID: UUID, minimumSample: Int = 5, as principal: Principal,
                                         consistentWith position: GlobalPosition? = nil) async throws -> WinProbability.Suggestion? {
        try requireOpen()
        try await consistent(with: position, ["opportunity-outcomes"])
        let (state, _) = try await self.state(Opportunity.self, id: opportunityID, as: principal)
        guard let details = state.details else { throw EngineError.notFound() }
        let history = try views.read("opportunity-outcomes") {
            try OpportunityOutcomes.all(in: $0) { $0.status != .open && $0.opportunityID != opportunityID }
        }
        return WinProbability.suggest(
            pipeline: state.pipeline.name, stages: state.pipeline.stages, stage: state.stage, source: details.source, productLine: state.productLine,
            history: history.map {
                WinProbability.Outcome(pipeline: $0.pipeline, furthestStage: $0.furthestStage, source: $0.source, productLine: $0.productLine, won: $0.status == .won)
            },
            minimumSample: minimumSample)
    }

    /// Records the suggestion of ``winProbabilitySuggestion(for:minimumSample:as:consistentWith:)`` on the
    /// opportunity (`suggestWinProbability`; an override by hand still wins); nil, recording nothing, without one.
    @discardableResult
    public func suggestWinProbability(for opportunityID: UUID, minimumSample: Int = 5, as principal: Principal) async throws -> WinProbability.Suggestion? {
        try requireOpen()
        guard let suggestion = try await winProbabilitySuggestion(for: opportunityID, minimumSample: minimumSample, as: principal) else { return nil }
        try await execute(Opportunity.self, id: opportunityID, .suggestWinProbability(suggestion.percent), as: principal)
        return suggestion
    }

    /// The customers analyses take part in (RFM, churn, the churn watch, the composition report): those of
    /// the `customer-directory` view neither archived nor merged, and for which `include` holds.
    func analysedCustomers(where include: (CustomerProfiles.Profile) -> Bool = { _ in true }) throws -> Set<UUID> {
        try views.read("customer-directory") { views in
            Set(try CustomerDirectory.all(in: views) { $0.isAnalysed && include($0) }.map(\.customerID))
        }
    }

    /// The employees whose figures `principal` may see: nil for everyone (analysis over all data), else
    /// themself and everyone who reports to them, directly or not.
    func employeesVisible(to principal: Principal) async throws -> Set<String>? {
        if principal.may(.analyse, in: .analysis, on: .global, at: clock.now()) { return nil }
        guard let me = principal.employeeID else { return [] }
        let organisation = try await organisation.current(store: store, registry: registry)
        var visible: Set<String> = [principal.id]
        for (id, _) in organisation.employees where organisation.managers(of: id).contains(me) {
            visible.insert(id.lowercasedString)
        }
        return visible
    }

    /// Refuses an analysis whose months need rates that are not set (`rejected`, field `exchangeRates`, each
    /// pair with the first day it was needed), as the revenue reports refuse; nothing when none is missing.
    static func refuse(missingRates missing: [Currency: LocalDate], into currency: Currency) throws {
        guard !missing.isEmpty else { return }
        let pairs = missing.map { ("\($0.key)→\(currency)", $0.value) }.sorted { $0.0 < $1.0 }
            .map { "\($0.0) (first needed on \($0.1))" }.joined(separator: ", ")
        throw EngineError(DomainError(.notConfigured, field: "exchangeRates", "no exchange rate valid on the months' first days for " + pairs))
    }
}
