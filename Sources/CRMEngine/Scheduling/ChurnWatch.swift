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
    /// one retention task to the owner per episode (R-ANA-5). Idempotent per customer and day.
    func watchChurn(at now: Date, items: inout ScheduledItems) async throws -> Int {
        try await views.waitUntil(try await store.headPosition(), projections: [Self.customerActivity, "customer-directory"])
        let settings = try await self.settings()
        // Archived and merged customers are not watched (no retention task for them), as the churn report leaves them out.
        let live = try analysedCustomers()
        let summaries = try views.read(Self.customerActivity) { try CustomerActivity.all(in: $0) }.filter { live.contains($0.customerID) }
        let days = BranchDays(at: now, settings: settings)
        var dispatched = 0
        for summary in summaries {
            guard let currency = summary.months.last?.currency else { continue }  // never bought: no purchase pattern to lose
            let configuration = Churn.Configuration(settings: settings, branch: summary.scope.branch, community: summary.scope.community)
            let day = days.day(ofBranch: summary.scope.branch)
            let risk = Churn.risk(Churn.Signals(summary, on: day, currency: currency, rates: settings.exchangeRates), configuration: configuration)
            // One customer whose records cannot be read or are refused does not hold up the others.
            try await items.attempt(summary.customerID) {
                let watch = try await load(ChurnWatch.self, stream: ChurnWatch.stream(summary.customerID)).state
                var completed = false
                if case .open(let episode) = watch.episode {
                    completed = try await load(WorkTask.self, stream: WorkTask.stream(episode.taskID)).state.status == .completed
                }
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
}
