import CRMAnalytics
import CRMDomain
import CRMProjections
import EventSourcing
import Foundation

/// A customer's churn episodes (R-ANA-5), stream `churnwatch-<customer id>`: the engine's daily run
/// evaluates each customer's risk with ``Churn/step(_:customerID:risk:taskCompleted:on:configuration:)``;
/// an episode opened records the retention task to dispatch (once per episode), an episode ended records
/// why. Recorded in the log, so every node of a shared store agrees on the episodes.
public enum ChurnWatch: Aggregate, EngineRecord {
    public static let category = "churnwatch"

    public struct State: Sendable, Equatable {
        public var episode: Churn.EpisodeState = .calm
        public init() {}
    }

    public enum Command: Sendable {
        /// One evaluation: the customer's risk on `day`, whether the open episode's task was completed, and
        /// the threshold and margin in force for the customer.
        case evaluate(customerID: UUID, risk: Decimal, taskCompleted: Bool, day: LocalDate, threshold: Decimal, margin: Decimal)
    }

    public enum Event: DomainEvent {
        case opened(ChurnEpisodeOpened)
        case ended(ChurnEpisodeEnded)

        public static var payloadTypes: [any EventPayload.Type] { [ChurnEpisodeOpened.self, ChurnEpisodeEnded.self] }
        public var payload: any EventPayload {
            switch self {
            case .opened(let e): return e
            case .ended(let e): return e
            }
        }
        public init?(payload: any EventPayload) {
            switch payload {
            case let e as ChurnEpisodeOpened: self = .opened(e)
            case let e as ChurnEpisodeEnded: self = .ended(e)
            default: return nil
            }
        }
    }

    public static var initialState: State { State() }

    public static func decide(_ command: Command, state: State, context: CommandContext) throws(DomainError) -> [Event] {
        guard case let .evaluate(customerID, risk, taskCompleted, day, threshold, margin) = command else { return [] }
        // The ranges the settings command holds warning thresholds to (one definition: `WarningThreshold.Metric`).
        guard WarningThreshold.Metric.churnRiskThreshold.accepts(threshold), WarningThreshold.Metric.churnRiskMargin.accepts(margin) else {
            throw .invalid("threshold", "the threshold is \(WarningThreshold.Metric.churnRiskThreshold.validValues), the margin \(WarningThreshold.Metric.churnRiskMargin.validValues)")
        }
        var configuration = Churn.Configuration()
        configuration.threshold = threshold
        configuration.margin = margin
        let (_, decision) = Churn.step(state.episode, customerID: customerID, risk: risk, taskCompleted: taskCompleted, on: day, configuration: configuration)
        switch decision {
        case .none: return []
        case .dispatchRetentionTask(let taskID):
            return [.opened(ChurnEpisodeOpened(customerID: customerID, startedOn: day, taskID: taskID, risk: risk))]
        case .episodeEnded(let taskID, let reason):
            return [.ended(ChurnEpisodeEnded(customerID: customerID, taskID: taskID, endedOn: day, reason: reason.rawValue, risk: risk))]
        }
    }

    public static func evolve(_ state: State, _ event: Event) -> State {
        var s = state
        switch event {
        case .opened(let e): s.episode = .open(Churn.Episode(customerID: e.customerID, startedOn: e.startedOn, taskID: e.taskID, peakRisk: e.risk))
        case .ended: s.episode = .calm
        }
        return s
    }

    public static var module: Permission.Module { .analysis }
    public static func action(for command: Command) -> Permission.Action { .analyse }
    public static func scope(of command: Command?, state: State) -> ScopeSource {
        if case .evaluate(let customerID, _, _, _, _, _)? = command { return .customer(customerID, owners: []) }
        if case .open(let episode) = state.episode { return .customer(episode.customerID, owners: []) }
        return .customer(nil, owners: [])
    }
}

/// A customer's churn risk crossed the threshold: a retention task `taskID` goes to its owner.
public struct ChurnEpisodeOpened: EventPayload, Equatable {
    public static let eventType = "ChurnEpisodeOpened"
    public static let schemaVersion: UInt32 = 1
    public var customerID: UUID
    public var startedOn: LocalDate
    public var taskID: UUID
    public var risk: Decimal
    public init(customerID: UUID, startedOn: LocalDate, taskID: UUID, risk: Decimal) {
        self.customerID = customerID
        self.startedOn = startedOn
        self.taskID = taskID
        self.risk = risk
    }
}

/// A churn episode ended: `taskCompleted` or `riskFell` below threshold − margin.
public struct ChurnEpisodeEnded: EventPayload, Equatable {
    public static let eventType = "ChurnEpisodeEnded"
    public static let schemaVersion: UInt32 = 1
    public var customerID: UUID
    public var taskID: UUID
    public var endedOn: LocalDate
    public var reason: String
    public var risk: Decimal
    public init(customerID: UUID, taskID: UUID, endedOn: LocalDate, reason: String, risk: Decimal) {
        self.customerID = customerID
        self.taskID = taskID
        self.endedOn = endedOn
        self.reason = reason
        self.risk = risk
    }
}

extension CRMEngine {
    /// Evaluates every customer's churn risk on its day at `now` (in its branch's calendar) and dispatches
    /// one retention task to the owner per episode (R-ANA-5). An evaluation that decides nothing writes
    /// nothing; one that opens or ends an episode is keyed per customer and day (`schedule:churn:<customer>:<day>`),
    /// so a customer's episode steps at most once a day (the retention task's id names its day).
    func watchChurn(at now: Date, items: inout ScheduledItems) async throws -> Int {
        try await views.waitUntil(try await store.headPosition(), projections: Self.churnViews)
        let settings = try await self.settings()
        // Archived and merged customers are not watched (no retention task for them), nor those not created yet on
        // their day, as the churn report leaves them out.
        let days = BranchDays(at: now, settings: settings)
        let live = try churnCustomers(settings: settings, on: { days.day(ofBranch: $0) })
        let summaries = try churnSummaries(where: { live.contains($0.customerID) }, on: { days.day(ofBranch: $0.scope.branch) })
        let facts = try churnFacts()
        var dispatched = 0
        for (summary, asOfDay, day) in summaries {
            guard let currency = summary.months.last?.currency else { continue }  // never bought: no purchase pattern to lose
            let configuration = Churn.Configuration(settings: settings, branch: summary.scope.branch, community: summary.scope.community)
            // The customer's own latest currency: a month in another one without a rate leaves its amount out.
            var unconverted: [Currency: LocalDate] = [:]
            let signals = try churnSignals(asOfDay, on: day, currency: currency, settings: settings, facts: facts, missingRates: &unconverted)
            let risk = Churn.risk(signals, configuration: configuration)
            // One customer whose records cannot be read or are refused does not hold up the others.
            try await items.attempt(summary.customerID) {
                let watch = try await load(ChurnWatch.self, stream: ChurnWatch.stream(summary.customerID)).state
                var completed = false
                if case .open(let episode) = watch.episode {
                    completed = try await load(WorkTask.self, stream: WorkTask.stream(episode.taskID)).state.status == .completed
                }
                // Nothing to decide (calm below the threshold, an open episode going on): nothing is written, not even
                // the day's key, so a change later that day (a crossing) is judged by the next run of the day.
                if case .none = Churn.step(watch.episode, customerID: summary.customerID, risk: risk.score, taskCompleted: completed,
                                           on: day, configuration: configuration).1 { return }
                let result = try await execute(ChurnWatch.self, id: summary.customerID, .evaluate(
                    customerID: summary.customerID, risk: risk.score, taskCompleted: completed, day: day,
                    threshold: configuration.threshold, margin: configuration.margin),
                    as: .system, idempotencyKey: "schedule:churn:\(summary.customerID.lowercasedString):\(day)")
                for event in result.events where event.type == ChurnEpisodeOpened.eventType {
                    let opened = try registry.decode(ChurnEpisodeOpened.self, schemaVersion: event.schemaVersion, from: event.payload)
                    let reasons = risk.contributions.map(\.reason.rawValue).joined(separator: ", ")
                    if try await dispatchToOwner(of: opened.customerID, taskID: opened.taskID, title: "Retention: customer at risk",
                                                 note: "churn risk \(risk.score) (\(reasons))", key: "schedule:retention") { dispatched += 1 }
                }
            }
        }
        return dispatched
    }

    /// The views churn is judged from, by ``churnRisks(on:currency:as:consistentWith:)`` and the churn watch
    /// alike: the customers' activity and directory, the contracts' stamped expiries (`reminder-sources`), the
    /// opportunities' stamped openings and closings (`opportunity-pipeline`) and the contact and visit log (a
    /// past day's last contact).
    static let churnViews: Set<String> = [customerActivity, "customer-directory", "reminder-sources", pipelineView, activityLog]

    /// The customers churn judges, by ``churnRisks(on:currency:as:consistentWith:)`` and the churn watch alike:
    /// those neither archived nor merged (``analysedCustomers(where:)``) that existed by their day — recorded
    /// (created) on or before it in their branch's calendar (UTC without one), as RFM scores only those.
    /// `day` gives the day of a customer's branch.
    func churnCustomers(settings: Settings.State, on day: (String?) -> LocalDate) throws -> Set<UUID> {
        try analysedCustomers { profile in
            settings.calendar(forBranch: profile.scope.branch).localDate(of: profile.createdAt) <= day(profile.scope.branch)
        }
    }

    /// What churn reads besides the activity summaries, once per evaluation of every customer: the contracts
    /// and opportunities with their stamped changes, each customer's read as they stood at the end of its day
    /// (``Churn/RecordHistory``).
    typealias ChurnFacts = Churn.RecordHistory

    /// Every contract ever active (its activation, renewals, term changes, expiry or termination) and every
    /// opportunity's openings and closings, each change stamped with the instant it was recorded.
    func churnFacts() throws -> ChurnFacts {
        var facts = ChurnFacts()
        for contract in try views.read("reminder-sources", { try ReminderSourcesProjection.contractChanges(in: $0) }) {
            facts.contracts[contract.customerID, default: []].append(contract.changes.map {
                Churn.ContractState(since: $0.at, active: $0.active, expiry: $0.expiry, renews: $0.renews)
            })
        }
        for history in try views.read(Self.pipelineView, { try OpportunityPipeline.statusHistories(in: $0) }) {
            facts.opportunities[history.customerID, default: []].append(history.changes.map { Churn.OpportunityState(since: $0.at, open: $0.open) })
        }
        return facts
    }

    /// The activity summaries of the customers `include` keeps, each with the same summary as of its day
    /// (`day`: only the purchases dated on or before it, ``CustomerActivity/summary(_:asOf:in:)``) and that day,
    /// all read in one transaction — what ``churnSignals(_:on:currency:settings:facts:missingRates:)`` takes.
    func churnSummaries(where include: (CustomerActivity.Summary) -> Bool, on day: (CustomerActivity.Summary) -> LocalDate) throws
        -> [(summary: CustomerActivity.Summary, asOfDay: CustomerActivity.Summary, day: LocalDate)] {
        try views.read(Self.customerActivity) { reader in
            try CustomerActivity.all(in: reader, where: include).map { summary in
                let day = day(summary)
                return (summary, try CustomerActivity.summary(summary, asOf: day, in: reader), day)
            }
        }
    }

    /// One customer's churn signals on `day`, every day read in the customer's branch calendar (UTC without
    /// one), from its activity summary as of `day` (``churnSummaries(where:on:)``: the purchases dated on or
    /// before it only): days since the last contact or visit **on or before** `day` (one after it does not
    /// count for the day: a past day's last contact is read from the contact and visit log), and the days
    /// until the nearest contract active at the end of `day` and expiring on or after it, with whether an
    /// opportunity of the customer was open then (a termination, renewal, win or loss recorded later does
    /// not change the day). `missingRates` gains the currencies of the two periods' purchases without a rate into
    /// `currency` (with the first day one was needed): their amounts are not in the revenue signal.
    func churnSignals(_ summary: CustomerActivity.Summary, on day: LocalDate, currency: Currency, settings: Settings.State,
                      facts: ChurnFacts, missingRates: inout [Currency: LocalDate]) throws -> Churn.Signals {
        let calendar = settings.calendar(forBranch: summary.scope.branch)
        // The current and the previous period of the revenue signal (Churn.Signals' 3 months each).
        let periods = RevenueMonth.window(endingAt: RevenueMonth(day), months: 2 * Churn.Signals.periodMonths)
        missingRates.merge(PurchaseHistory(summary, currency: currency, rates: settings.exchangeRates).missingRates(in: periods)) { min($0, $1) }
        let end = calendar.endOfDay(day)
        var signals = Churn.Signals(summary, on: day, calendar: calendar, currency: currency, rates: settings.exchangeRates,
                                    contractExpiresInDays: facts.contractExpiresInDays(of: summary.customerID, on: day, before: end),
                                    hasRenewalOpportunity: facts.hasOpenOpportunity(summary.customerID, before: end))
        if let last = summary.lastContactAt, calendar.localDate(of: last) > day {
            let through = try lastContact(of: summary.customerID, before: calendar.startOfDay(day.adding(days: 1)))
            signals.daysSinceLastContact = through.map { calendar.localDate(of: $0).days(until: day) }
        }
        return signals
    }

    /// The instant of the customer's last contact or recorded visit before `end` (the contact and visit log,
    /// newest first); nil when there is none.
    private func lastContact(of customerID: UUID, before end: Date) throws -> Date? {
        let done: Set<String> = ["logged", Visit.Status.done.rawValue]
        return try views.read(Self.activityLog) { reader in
            try ContactVisitLog.log(ofCustomer: customerID, in: reader, filter: ContactVisitLog.Filter(until: end), limit: 1) {
                done.contains($0.status)
            }.entries.first?.at
        }
    }
}
