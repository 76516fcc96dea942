import CRMAnalytics
import CRMDomain
import CRMProjections
import EventSourcing
import Foundation

/// The statistics reports (R-ANA-5, R-TSK-6, R-SRV-5, R-SAL-7, R-CUS-9, R-MKT-4, R-ORG-3) as engine
/// queries. Every report covers the months `from` through `through` (inclusive); an instant falls in the
/// month it has in the time zone of its record's branch (settings; UTC when the branch or its zone is
/// unknown). Rows are kept when `principal` may `analyse` in the analysis module on their scope (reports
/// per employee: the employees ``employeesVisible(to:)`` gives), and, with `branch`, when they belong to it.
/// Reports name no customer except the cost report by customer and the visit cost report by visit or
/// customer, whose customers go to the read audit.
/// Every result converts to a ``ReportTable`` for CSV (``report(_:_:as:)``).
extension CRMEngine {
    /// The reports by name, as the CLI and HTTP call them.
    public enum ReportName: String, CaseIterable, Sendable {
        case overdue, taskCompletion = "task-completion", revenueByManager = "revenue-by-manager", serviceQuality = "service-quality",
             costs, visitCosts = "visit-costs", composition, twoLayer = "two-layer", surveys, feedback

        /// Whether the report is grouped by something a `by` chooses (costs, visit-costs, composition); the
        /// others take no `by`, and the adapters refuse one (HTTP 400, CLI exit 64).
        public var takesBy: Bool {
            switch self {
            case .costs, .visitCosts, .composition: return true
            default: return false
            }
        }

        /// The read models the report reads (for a tool that builds only those).
        public var projections: [String] {
            switch self {
            case .overdue: return [CRMEngine.ticketBoardView]
            case .taskCompletion: return [CRMEngine.taskBoardView]
            case .revenueByManager: return [CRMEngine.revenueView]
            case .serviceQuality: return [CRMEngine.ticketBoardView, "ticket-satisfaction"]
            case .costs, .visitCosts: return ["cost-ledger"]
            case .composition: return ["customer-directory", CRMEngine.customerActivity, CRMEngine.revenueView]
            case .twoLayer: return ["maintenance-assessment"]
            case .surveys: return ["survey-results"]
            case .feedback: return ["feedback-forms"]
            }
        }

        /// The most months one request of the report may cover, for a report whose work grows with its months
        /// rather than with its data: the overdue report reads the ticket board's deadlines once per month, so
        /// it covers at most 1,200 months (a hundred years, as many as the revenue explanation lists month by
        /// month); nil for the others, which read their rows once whatever the range. A longer range is
        /// `invalid`, field `through` (HTTP 400, CLI exit 64 naming `--to`).
        public var monthLimit: Int? {
            switch self {
            case .overdue: return 1200
            default: return nil
            }
        }
    }

    /// What a report covers besides its months.
    public struct ReportParameters: Sendable, Hashable {
        public var from: RevenueMonth
        public var through: RevenueMonth
        /// Only this branch's records (a report per employee: the employees of the branch).
        public var branch: String?
        /// Revenue and value: the currency (an ISO 4217 code) every entry is converted into, by revenue by manager
        /// and composition alike, at the rate of each entry's day (a missing rate refusing the report).
        public var currency: Currency
        /// The cost report's dimension.
        public var costsBy: Reports.CostDimension
        /// The composition's class: kind, group, industry, branch, community, status, segment or tier.
        public var compositionBy: String
        /// The visit cost report's grouping: visit, customer, month or place.
        public var visitCostsBy: CostLedger.VisitGrouping

        public init(from: RevenueMonth, through: RevenueMonth, branch: String? = nil, currency: Currency = .cny,
                    costsBy: Reports.CostDimension = .month, compositionBy: String = "group", visitCostsBy: CostLedger.VisitGrouping = .visit) {
            self.from = from
            self.through = through
            self.branch = branch
            self.currency = currency
            self.costsBy = costsBy
            self.compositionBy = compositionBy
            self.visitCostsBy = visitCostsBy
        }

        var period: ClosedRange<RevenueMonth> { from...max(from, through) }

        /// The number of months `from` through `through` (what ``ReportName/monthLimit`` bounds).
        public var months: Int { (through.year - from.year) * 12 + through.month - from.month + 1 }
    }

    /// Any report as a table (for CSV export). With `position`, first waits until the views the report
    /// reads (``ReportName/projections``) have applied it (read your own write).
    ///
    /// ```swift
    /// let table = try await engine.report(.overdue, .init(from: march, through: april), as: manager)
    /// print(table.csv())
    /// ```
    public func report(_ name: ReportName, _ p: ReportParameters, as principal: Principal,
                       consistentWith position: GlobalPosition? = nil) async throws -> ReportTable {
        try requireOpen()
        // Refused before waiting for the views: a range the report never covers needs no consistent read.
        try Self.checkMonths(p, limit: name.monthLimit)
        try await consistent(with: position, Set(name.projections))
        switch name {
        case .overdue: return ReportTable(rows: try await overdueReport(p, as: principal))
        case .taskCompletion: return ReportTable(rows: try await taskCompletionReport(p, as: principal))
        case .revenueByManager: return ReportTable(rows: try await revenueByManagerReport(p, as: principal))
        case .serviceQuality: return ReportTable(rows: try await serviceQualityReport(p, as: principal))
        case .costs: return ReportTable(rows: try await costReport(p, as: principal))
        case .visitCosts: return ReportTable(rows: try await visitCostReport(p, as: principal))
        case .composition: return ReportTable(rows: try await compositionReport(p, as: principal))
        case .twoLayer: return ReportTable(rows: try await twoLayerReport(p, as: principal))
        case .surveys: return ReportTable(rows: try await surveyReport(p, as: principal))
        case .feedback: return ReportTable(rows: try await feedbackReport(p, as: principal))
        }
    }

    /// The monthly overdue report per department (R-TSK-6) for each month of the period: the tickets whose
    /// resolution deadline fell in the month in their customer's branch zone and were late as known at the
    /// engine's `now`, counted per late department. It reads the board once per month, so it covers at most
    /// ``ReportName/monthLimit`` months (`invalid`, field `through`).
    public func overdueReport(_ p: ReportParameters, as principal: Principal) async throws -> [Reports.OverdueRow] {
        try requireOpen()
        let scope = try await reportScope(p, principal, monthLimit: ReportName.overdue.monthLimit)
        var reports: [OverdueReport] = []
        var month = p.period.lowerBound
        while month <= p.period.upperBound {
            reports.append(try overdueReport(year: month.year, month: month.month, asOf: scope.now, settings: scope.settings) { scope.admits($0.scope) })
            month = month.adding(months: 1)
        }
        return Reports.overdueByDepartment(reports)
    }

    /// Task completion statistics per assignee (on time, late; R-ANA-5): completions counted in the
    /// month of completion in the task's branch zone (the task board's counts).
    public func taskCompletionReport(_ p: ReportParameters, as principal: Principal) async throws -> [Reports.TaskCompletion] {
        try requireOpen()
        let employees = try await reportEmployees(p, principal)
        let rows = try views.read(Self.taskBoardView) { try $0.rows(TaskBoard.Completions.self, in: TaskBoard.completions).map(\.row) }
        return Reports.taskCompletion(rows.filter { employees($0.assignee) }, from: p.period.lowerBound, through: p.period.upperBound)
    }

    /// Revenue and growth per account manager (R-SAL-7) in `currency`: the period against the same number
    /// of months before it; a customer counts for its current owner. Every entry of both ranges is converted
    /// as ``revenue(_:as:consistentWith:)`` converts it (the rate valid on its day); one without a rate
    /// refuses the report (`rejected`, field `exchangeRates`, naming each missing pair) — never left out.
    public func revenueByManagerReport(_ p: ReportParameters, as principal: Principal) async throws -> [Reports.ManagerRevenue] {
        try requireOpen()
        let scope = try await reportScope(p, principal)
        let length = (p.period.upperBound.year - p.period.lowerBound.year) * 12 + p.period.upperBound.month - p.period.lowerBound.month + 1
        let previous = p.period.lowerBound.adding(months: -length)...p.period.lowerBound.adding(months: -1)
        let cells = try views.read(Self.revenueView) {
            try RevenueCube.cells(from: previous.lowerBound, through: p.period.upperBound, in: $0) { scope.admits($0.scope) }
        }
        var conversion = RevenueConversion(currency: p.currency, rates: scope.settings.exchangeRates)
        let converted = conversion.converted(cells)
        try conversion.check()
        return Reports.revenueByManager(converted, current: p.period, previous: previous, currency: p.currency)
    }

    /// Service quality (R-SRV-5) of the tickets opened in the period (month in the customer's branch zone):
    /// response rate, in-time responses, average wait and handling, resolution within SLA and the average
    /// satisfaction of closed tickets; for all tickets, then per assignee.
    public func serviceQualityReport(_ p: ReportParameters, as principal: Principal) async throws -> [Reports.ServiceQuality] {
        try requireOpen()
        let scope = try await reportScope(p, principal)
        let ratings = try views.read("ticket-satisfaction") { try TicketSatisfaction.all(in: $0) }
        let tickets = try views.read(Self.ticketBoardView) {
            try $0.rows(TicketSLABoard.TicketRow.self, in: TicketSLABoard.tickets) { row in
                scope.admits(row.scope) && scope.contains(row.openedAt, branch: row.scope.branch)
            }.map(\.row)
        }
        return Reports.serviceQuality(tickets.map { Reports.TicketFacts($0, satisfaction: ratings[$0.ticketID]) })
    }

    /// Cost budget against actual (R-ANA-5) by month, category, customer or industry: campaign budgets
    /// spread over their plan's days and campaign cost lines (marketing), visit cost lines on the visit's
    /// day in the customer's branch zone (visits), and the settings' monthly budgets of categories,
    /// customers and industries (`setCostBudget`). Campaigns and the category and industry budgets belong
    /// to no branch: a branch filter leaves them out, and those budgets need analysis over all data; a
    /// customer's budget shows where the customer's own rows would.
    public func costReport(_ p: ReportParameters, as principal: Principal) async throws -> [Reports.CostRow] {
        try requireOpen()
        let scope = try await reportScope(p, principal)
        let wholeOrganisation = p.branch == nil && principal.may(.analyse, in: .analysis, on: .global, at: scope.now)
        let (campaigns, visits, monthly) = try views.read("cost-ledger") { reader in
            let (campaigns, visits) = try CostLedger.all(in: reader, where: scope.admits)
            let monthly = try scope.settings.costBudgets.filter { budget in
                switch budget.dimension {
                case .category, .industry: return wholeOrganisation
                case .customer:
                    guard let id = UUID(text: budget.key) else { return false }
                    return scope.admits(try CustomerScopes.scope(of: id, in: reader))
                }
            }
            return (campaigns, visits, monthly)
        }
        var costs: [Reports.CostFact] = [], budgets: [Reports.BudgetFact] = []
        for c in campaigns {
            budgets.append(Reports.BudgetFact(category: "marketing", source: c.campaignID, start: c.start, end: c.end, amount: c.budget))
            costs += c.lines.map { Reports.CostFact(category: "marketing", source: c.campaignID, month: RevenueMonth($0.date), amount: $0.amount) }
        }
        for (visit, industry) in visits {
            let month = RevenueMonth(visit.day(in: scope.settings.calendar(forBranch: visit.scope.branch)))
            costs += visit.lines.map {
                Reports.CostFact(category: "visits", source: visit.visitID, month: month, customerID: visit.customerID, industry: industry, amount: $0.amount)
            }
        }
        let rows = Reports.costs(costs, budgets: budgets, monthly: monthly, by: p.costsBy, in: p.period)
        if p.costsBy == .customer { auditCustomers(rows.map { UUID(text: $0.key) }, principal) }
        return rows
    }

    /// Visit costs (R-SRV-4) summed by visit, customer, month or place (`visitCostsBy`), per cost kind and
    /// currency (never converted): the cost lines of the visits whose day (the actual date once recorded,
    /// else the scheduled instant in the customer's branch zone) falls in the period. A visit counts where
    /// the cost report's visit costs do: when `principal` may analyse on its scope (the customer's, the
    /// visitor among its owners) and, with `branch`, when it is the branch's. Places group by
    /// ``CostLedger/placeKey(_:)`` (trimmed, case-folded) and show as recorded. By visit or customer, the
    /// customers named go to the read audit.
    ///
    /// ```swift
    /// let byPlace = try await engine.visitCostReport(.init(from: march, through: april, visitCostsBy: .place), as: manager)
    /// ```
    public func visitCostReport(_ p: ReportParameters, as principal: Principal) async throws -> [CostLedger.VisitCostTotal] {
        try requireOpen()
        let scope = try await reportScope(p, principal)
        let visits = try views.read("cost-ledger") { try CostLedger.visitsWithCosts(in: $0, where: scope.admits) }
        let rows = CostLedger.visitCostTotals(visits, by: p.visitCostsBy, in: p.period) { scope.settings.calendar(forBranch: $0) }
        if p.visitCostsBy == .visit || p.visitCostsBy == .customer { auditCustomers(rows.map(\.customerID), principal) }
        return rows
    }

    /// What the composition report groups customers by (``ReportParameters/compositionBy``).
    public static let compositionClasses = ["kind", "group", "industry", "branch", "community", "status", "segment", "tier"]

    /// Customer composition (R-ANA-5): the customers that existed by the end of the period, grouped by
    /// `compositionBy` (kind, group, industry, branch, community, status, or the RFM segment or loyalty
    /// tier over the period), with each class's revenue in the period in `currency` as its value — converted
    /// as ``revenue(_:as:consistentWith:)`` converts it: at the rate valid on each entry's day, and refused
    /// (`rejected`, field `exchangeRates`, naming each missing pair) when an entry of the period has none.
    public func compositionReport(_ p: ReportParameters, as principal: Principal) async throws -> [Reports.Share] {
        try requireOpen()
        let scope = try await reportScope(p, principal)
        let classes = Self.compositionClasses
        guard classes.contains(p.compositionBy) else {
            throw EngineError(.invalid, field: "by", "one of: " + classes.joined(separator: ", "))
        }
        guard let last = LocalDate(year: p.period.upperBound.year, month: p.period.upperBound.month, day: 1)?.lastOfMonth else {
            throw EngineError(.invalid, field: "through", "not a valid month")
        }
        let profiles = try views.read("customer-directory") {
            try CustomerDirectory.all(in: $0) { profile in
                scope.admits(profile.scope) && profile.isAnalysed
                    && scope.settings.calendar(forBranch: profile.scope.branch).localDate(of: profile.createdAt) <= last
            }
        }
        // Each class's value is its customers' revenue converted as the revenue report converts it (the
        // rate valid on each entry's day, unrounded, each class's sum rounded once): an entry without a rate
        // refuses the report, never drops out of it.
        let admitted = Set(profiles.map(\.customerID))
        let cells = try views.read(Self.revenueView) {
            try RevenueCube.cells(from: p.period.lowerBound, through: p.period.upperBound, in: $0) { admitted.contains($0.customerID) }
        }
        var conversion = RevenueConversion(currency: p.currency, rates: scope.settings.exchangeRates)
        var values: [UUID: Decimal] = [:], rfm: [UUID: RFM.Score] = [:]
        for cell in cells {
            guard let date = cell.date, let amount = conversion.exactAmount(of: cell, on: date) else { continue }
            values[cell.customerID, default: 0] += amount
        }
        try conversion.check()
        if p.compositionBy == "segment" || p.compositionBy == "tier" {
            // Each customer as of the period's last day: its last purchase on or before it.
            let summaries = try views.read(Self.customerActivity) { reader in
                try Dictionary(CustomerActivity.all(in: reader) { admitted.contains($0.customerID) }
                    .map { ($0.customerID, try CustomerActivity.summary($0, asOf: last, in: reader)) }, uniquingKeysWith: { a, _ in a })
            }
            // RFM over the period: monetary = the value above, frequency = the purchases in the period whatever their currency.
            let inputs = profiles.compactMap { profile -> RFM.Input? in
                guard let summary = summaries[profile.customerID] else { return nil }
                let purchases = summary.months.filter { RevenueMonth(text: $0.month).map(p.period.contains) ?? false }.reduce(0) { $0 + $1.purchases }
                return RFM.Input(customerID: profile.customerID, branch: summary.scope.branch,
                                 recencyDays: summary.lastPurchase.map { max(0, $0.days(until: last)) }, frequency: purchases,
                                 monetary: values[profile.customerID] ?? 0)
            }
            for score in RFM.score(inputs, weights: RFM.Weights(scope.settings.rfmScheme), segments: RFM.SegmentRule.rules(of: scope.settings.rfmScheme),
                                   tiers: scope.settings.loyaltyThresholds) { rfm[score.customerID] = score }
        }
        return Reports.composition(profiles, by: { profile in
            switch p.compositionBy {
            case "kind": return profile.kind.rawValue
            case "industry": return profile.industry ?? ""
            case "branch": return profile.scope.branch ?? ""
            case "community": return profile.scope.community ?? ""
            case "status": return profile.status.rawValue
            case "segment": return rfm[profile.customerID]?.segment ?? ""
            case "tier": return rfm[profile.customerID]?.tier ?? ""
            default: return profile.group
            }
        }, value: { values[$0.customerID] ?? 0 }).map { share in
            var rounded = share
            rounded.value = ExchangeRate.rounded(share.value)
            return rounded
        }
    }

    /// The two-layer assessment both ways (R-CUS-9): per account manager the agents' ratings, per agent
    /// the managers' ratings given in the period (month in the customer's branch zone), with the
    /// customers and partners each holds now.
    public func twoLayerReport(_ p: ReportParameters, as principal: Principal) async throws -> [Reports.TwoLayerRow] {
        try requireOpen()
        let scope = try await reportScope(p, principal)
        let (pairs, ratings) = try views.read("maintenance-assessment") { try MaintenanceAssessment.all(in: $0, where: scope.admits) }
        return Reports.twoLayer(
            pairings: pairs.map { Reports.Pairing(customerID: $0.pair.customerID, agent: $0.pair.agent, manager: $0.pair.manager) },
            ratings: ratings.map {
                Reports.Rating(direction: $0.direction, giver: $0.giver, subject: $0.subject, rating: $0.rating,
                               month: scope.month(of: $0.givenAt, branch: $0.scope.branch))
            }, in: p.period)
    }

    /// Survey statistics (R-MKT-4) of the surveys created in the period (UTC months: surveys belong to no
    /// branch): response rate and speed, per-question results.
    public func surveyReport(_ p: ReportParameters, as principal: Principal) async throws -> [Reports.SurveyRow] {
        try requireOpen()
        let scope = try await reportScope(p, principal)
        let surveys = try views.read("survey-results") {
            try SurveyResults.all(in: $0) { scope.admits($0.scope) && p.period.contains(RevenueMonth(LocalCalendar.utc.localDate(of: $0.createdAt))) }
        }
        return Reports.surveyStatistics(surveys.map { s in
            Reports.SurveyFacts(
                surveyID: s.survey.surveyID, title: s.survey.title, questions: s.survey.questions,
                distributedAt: Dictionary(s.distributions.map { ($0.recipient, $0.distributedAt) }, uniquingKeysWith: { Swift.min($0, $1) }),
                responses: s.responses.map { Reports.SurveyFacts.Response(recipient: $0.recipient, respondedAt: $0.respondedAt, answers: $0.answers) })
        })
    }

    /// Feedback forms (R-ORG-3) submitted in the period (month in the form's branch zone), aggregated per
    /// branch and template.
    public func feedbackReport(_ p: ReportParameters, as principal: Principal) async throws -> [Reports.FeedbackRow] {
        try requireOpen()
        let scope = try await reportScope(p, principal)
        let forms = try views.read("feedback-forms") { try FeedbackForms.all(in: $0) { scope.admits($0.scope) } }
        return Reports.feedbackByBranch(forms.map {
            Reports.FeedbackForm(branch: $0.branch, template: $0.template, status: $0.status, month: scope.month(of: $0.submittedAt, branch: $0.branch),
                                 submittedAt: $0.submittedAt, reviewedAt: $0.reviewedAt, values: $0.values)
        }, in: p.period)
    }

    // MARK: - Helpers

    /// Who may see what in a report, and the local months of its instants.
    struct ReportScope {
        let principal: Principal
        let branch: String?
        let now: Date
        let settings: Settings.State
        let period: ClosedRange<RevenueMonth>

        /// Whether a row of this scope belongs in the report.
        func admits(_ scope: RecordScope) -> Bool {
            (branch.map { scope.branch == $0 } ?? true) && principal.may(.analyse, in: .analysis, on: scope, at: now)
        }

        /// The month of `instant` in `branch`'s zone.
        func month(of instant: Date, branch: String?) -> RevenueMonth {
            RevenueMonth(settings.calendar(forBranch: branch).localDate(of: instant))
        }

        /// Whether `instant` falls in the period in `branch`'s zone.
        func contains(_ instant: Date, branch: String?) -> Bool { period.contains(month(of: instant, branch: branch)) }
    }

    func reportScope(_ p: ReportParameters, _ principal: Principal, monthLimit: Int? = nil) async throws -> ReportScope {
        try Self.checkMonths(p, limit: monthLimit)
        try p.currency.requireISO4217()
        return ReportScope(principal: principal, branch: p.branch, now: clock.now(), settings: try await settings(), period: p.period)
    }

    /// Refuses (`invalid`) a report's months outside ``RevenueQuery/monthsQueried`` (1900-01…9999-12, the
    /// revenue queries' bound: nothing a report counts lies before 1900) naming `from` or `through`, a first
    /// month after the last naming `from`, and more than `limit` months naming `through`.
    static func checkMonths(_ p: ReportParameters, limit: Int?) throws {
        let bound = RevenueQuery.monthsQueried
        for (field, month) in [("from", p.from), ("through", p.through)] where !bound.contains(month) || !(1...12).contains(month.month) {
            throw EngineError(.invalid, field: field, "is not a month from \(bound.lowerBound) to \(bound.upperBound)")
        }
        guard p.from <= p.through else { throw EngineError(.invalid, field: "from", "the first month comes after the last") }
        if let limit, p.months > limit {
            throw EngineError(.invalid, field: "through", "the report covers at most \(limit) months: the last month is at most \(limit - 1) months after the first")
        }
    }

    /// Whether a report per employee shows an employee (id text): one `principal` may see
    /// (``employeesVisible(to:)``) and, with a branch, one of that branch.
    func reportEmployees(_ p: ReportParameters, _ principal: Principal) async throws -> (String) -> Bool {
        _ = try await reportScope(p, principal)
        let visible = try await employeesVisible(to: principal)
        var branchOf: [String: String] = [:]
        if p.branch != nil {
            for (id, employee) in try await organisation.current(store: store, registry: registry).employees {
                branchOf[id.lowercasedString] = employee.branch
            }
        }
        return { employee in (visible?.contains(employee) ?? true) && (p.branch.map { branchOf[employee] == $0 } ?? true) }
    }
}

extension CRMEngine.RevenueConversion {
    /// `cells` in the conversion's currency, each at the rate valid on its day (``amount(of:on:)``) and marked
    /// in that currency, for the reports that sum one currency (revenue by manager, the revenue explanation).
    /// A cell without a rate is left out here and remembered: ``check()`` then refuses the report.
    mutating func converted(_ cells: [RevenueCube.Cell]) -> [RevenueCube.Cell] {
        cells.compactMap { cell in
            guard let date = cell.date, let amount = amount(of: cell, on: date) else { return nil }
            var converted = cell
            converted.amount = amount
            converted.currency = currency
            return converted
        }
    }
}
