import CRMAnalytics
import CRMDomain
import CRMProjections
import EventSourcing
import Foundation

/// A customer meter's usage-anomaly episodes (R-ANA-4, the gas specification's theft detection), stream
/// `usagewatch-<UUID.derived("usagewatch", customer, meter)>`: the engine's scheduled run judges each
/// meter's latest reading with ``CRMAnalytics/UsageAnomaly/check(reading:history:peers:configuration:)``
/// and steps the episode with ``CRMAnalytics/UsageAnomaly/step(_:customerID:meter:readingID:flagged:taskCompleted:)``;
/// an opened episode names the one task to dispatch to the owner, like ``ChurnWatch``.
public enum UsageWatch: Aggregate, EngineRecord {
    public static let category = "usagewatch"

    public struct State: Sendable, Equatable {
        public var episode = UsageAnomaly.EpisodeState()
        public var customerID: UUID?
        public init() {}
    }

    public enum Command: Sendable {
        /// One evaluation of a meter's latest reading.
        case evaluate(customerID: UUID, meter: String, readingID: UUID, flagged: Bool, taskCompleted: Bool, belowOwnPercent: Decimal?)
    }

    public enum Event: DomainEvent {
        case opened(UsageAnomalyEpisodeOpened)
        case ended(UsageAnomalyEpisodeEnded)

        public static var payloadTypes: [any EventPayload.Type] { [UsageAnomalyEpisodeOpened.self, UsageAnomalyEpisodeEnded.self] }
        public var payload: any EventPayload {
            switch self {
            case .opened(let e): return e
            case .ended(let e): return e
            }
        }
        public init?(payload: any EventPayload) {
            switch payload {
            case let e as UsageAnomalyEpisodeOpened: self = .opened(e)
            case let e as UsageAnomalyEpisodeEnded: self = .ended(e)
            default: return nil
            }
        }
    }

    public static var initialState: State { State() }

    /// A meter's readings that stand, by period end: of readings whose periods share a day (recorded before a
    /// meter kept one reading per day, ``CRMDomain/RevenueLedger/Command/recordUsage(_:)``), the one recorded
    /// later stands as the correction and the others are dropped, so a repeated period is neither the latest
    /// twice nor its own history. `recordingOrder` is each reading's position in its ledger; readings it lacks
    /// come after, by id (with no overlap the order does not change the result).
    static func standing(_ rows: [UsageReadings.Row], recordingOrder: [UUID: Int]) -> [UsageReadings.Row] {
        let byRecording = rows.sorted {
            (recordingOrder[$0.reading.id] ?? Int.max, $0.reading.id.uuidString) < (recordingOrder[$1.reading.id] ?? Int.max, $1.reading.id.uuidString)
        }
        var standing: [UsageReadings.Row] = []
        for row in byRecording {
            standing.removeAll { $0.reading.periodStart <= row.reading.periodEnd && row.reading.periodStart <= $0.reading.periodEnd }
            standing.append(row)
        }
        return standing.sorted { ($0.reading.periodEnd, $0.reading.id.uuidString) < ($1.reading.periodEnd, $1.reading.id.uuidString) }
    }

    /// The stream id of a customer's meter.
    public static func id(customerID: UUID, meter: String) -> UUID { UUID.derived("usagewatch", customerID.lowercasedString, meter) }

    public static func decide(_ command: Command, state: State, context: CommandContext) throws(DomainError) -> [Event] {
        guard case let .evaluate(customerID, meter, readingID, flagged, completed, below) = command else { return [] }
        let (_, decision) = UsageAnomaly.step(state.episode, customerID: customerID, meter: meter, readingID: readingID, flagged: flagged,
                                              taskCompleted: completed)
        switch decision {
        case .none: return []
        case .dispatchTask(let taskID):
            return [.opened(UsageAnomalyEpisodeOpened(customerID: customerID, meter: meter, readingID: readingID, taskID: taskID,
                                                      belowOwnPercent: below ?? 0))]
        case .episodeEnded(let taskID, let reason):
            return [.ended(UsageAnomalyEpisodeEnded(customerID: customerID, meter: meter, readingID: readingID, taskID: taskID, reason: reason.rawValue))]
        }
    }

    public static func evolve(_ state: State, _ event: Event) -> State {
        var s = state
        switch event {
        case .opened(let e):
            s.customerID = e.customerID
            s.episode = UsageAnomaly.EpisodeState(taskID: e.taskID, lastReading: e.readingID)
        case .ended(let e):
            s.customerID = e.customerID
            s.episode = UsageAnomaly.EpisodeState(lastReading: e.readingID)
        }
        return s
    }

    public static var module: Permission.Module { .analysis }
    public static func action(for command: Command) -> Permission.Action { .analyse }
    public static func scope(of command: Command?, state: State) -> ScopeSource {
        if case .evaluate(let customerID, _, _, _, _, _)? = command { return .customer(customerID, owners: []) }
        return .customer(state.customerID, owners: [])
    }
}

/// A meter's reading was flagged as a usage anomaly: task `taskID` goes to the customer's owner.
public struct UsageAnomalyEpisodeOpened: EventPayload, Equatable {
    public static let eventType = "UsageAnomalyEpisodeOpened"
    public static let schemaVersion: UInt32 = 1
    public var customerID: UUID
    public var meter: String
    public var readingID: UUID
    public var taskID: UUID
    public var belowOwnPercent: Decimal
    public init(customerID: UUID, meter: String, readingID: UUID, taskID: UUID, belowOwnPercent: Decimal) {
        self.customerID = customerID
        self.meter = meter
        self.readingID = readingID
        self.taskID = taskID
        self.belowOwnPercent = belowOwnPercent
    }
}

/// A usage-anomaly episode ended: `taskCompleted`, or `usageRecovered` at reading `readingID`.
public struct UsageAnomalyEpisodeEnded: EventPayload, Equatable {
    public static let eventType = "UsageAnomalyEpisodeEnded"
    public static let schemaVersion: UInt32 = 1
    public var customerID: UUID
    public var meter: String
    /// The last reading evaluated.
    public var readingID: UUID
    public var taskID: UUID
    public var reason: String
    public init(customerID: UUID, meter: String, readingID: UUID, taskID: UUID, reason: String) {
        self.customerID = customerID
        self.meter = meter
        self.readingID = readingID
        self.taskID = taskID
        self.reason = reason
    }
}

extension CRMEngine {
    /// Judges every meter's latest reading (of readings sharing days, the one recorded last: ``UsageWatch/standing(_:recordingOrder:)``)
    /// against the customer's earlier readings of that meter in the latest's unit and the
    /// peers' latest readings in the same unit and period-end month (customers of the same community, else
    /// the same branch), and dispatches one task to the owner per anomaly episode (R-ANA-4). Each run judges
    /// the latest reading as it is then, so a reading recorded after the day's first run is judged on the next
    /// run; an evaluation that decides nothing writes nothing, and one that does is keyed by the reading and the
    /// watch's version (`schedule:usage:<watch>:<reading>:<version>`), so it is taken once by any node.
    func watchUsage(at now: Date, items: inout ScheduledItems) async throws -> Int {
        try await views.waitUntil(try await store.headPosition(), projections: ["usage-readings"])
        let settings = try await self.settings()
        let rows = try views.read("usage-readings") { try UsageReadings.all(in: $0) }
        struct Meter: Hashable { var customer: UUID; var meter: String }
        let recorded = Dictionary(grouping: rows) { Meter(customer: $0.reading.customerID, meter: $0.reading.meter) }
        var meters = recorded.mapValues { UsageWatch.standing($0, recordingOrder: [:]) }
        // Readings recorded before a meter kept one reading per day may share days: the customer's ledger tells
        // which was recorded later. A ledger that cannot be read leaves its customer's meters out of this run.
        let overlapping = Dictionary(grouping: recorded.keys.filter { meters[$0]?.count != recorded[$0]?.count }, by: \.customer)
        for customer in overlapping.keys.sorted(by: { $0.uuidString < $1.uuidString }) {
            let ledgerID = RevenueLedger.id(customerID: customer)
            var order: [UUID: Int]?
            try await items.attempt(ledgerID) {
                let ledger = try await load(RevenueLedger.self, stream: RevenueLedger.stream(ledgerID)).state
                order = Dictionary(ledger.readings.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
            }
            for key in overlapping[customer] ?? [] {
                meters[key] = order.map { UsageWatch.standing(recorded[key] ?? [], recordingOrder: $0) }
            }
        }
        let latest = meters.compactMapValues(\.last)
        var dispatched = 0
        for key in meters.keys.sorted(by: { ($0.customer.uuidString, $0.meter) < ($1.customer.uuidString, $1.meter) }) {
            guard let readings = meters[key], let last = readings.last else { continue }
            let r = last.reading
            let history = readings.dropLast().filter { $0.reading.unit == r.unit }.map(\.reading.quantity)
            let peers = latest.values.filter { peer in
                peer.reading.customerID != r.customerID && peer.reading.unit == r.unit
                    && RevenueMonth(peer.reading.periodEnd) == RevenueMonth(r.periodEnd)
                    && (last.scope.community.map { peer.scope.community == $0 } ?? (peer.scope.branch == last.scope.branch))
            }.map(\.reading.quantity)
            let configuration = UsageAnomaly.Configuration(settings: settings, branch: last.scope.branch, community: last.scope.community)
            let anomaly = UsageAnomaly.check(reading: r.quantity, history: history, peers: peers, configuration: configuration)
            let watchID = UsageWatch.id(customerID: r.customerID, meter: r.meter)
            // One meter whose records cannot be read or are refused does not hold up the others.
            try await items.attempt(watchID) {
                let (watch, version) = try await load(UsageWatch.self, stream: UsageWatch.stream(watchID))
                var completed = false
                if let taskID = watch.episode.taskID {
                    completed = try await load(WorkTask.self, stream: WorkTask.stream(taskID)).state.status == .completed
                }
                // Nothing to decide (the reading judged before, a normal one while calm, a further low one in the open
                // episode): nothing is written, not even the key's outcome, so a run an hour later judges a reading
                // recorded meanwhile.
                if case .none = UsageAnomaly.step(watch.episode, customerID: r.customerID, meter: r.meter, readingID: r.id,
                                                  flagged: anomaly != nil, taskCompleted: completed).1 { return }
                // Keyed by the reading and the watch's version it is judged at: each step is taken once (by any node),
                // and every new reading — or the task completed — is judged on the next run, whatever the day.
                let result = try await execute(UsageWatch.self, id: watchID, .evaluate(
                    customerID: r.customerID, meter: r.meter, readingID: r.id, flagged: anomaly != nil, taskCompleted: completed,
                    belowOwnPercent: anomaly?.belowOwnPercent),
                    as: .system, idempotencyKey: "schedule:usage:\(watchID.lowercasedString):\(r.id.lowercasedString):\(version.rawValue)")
                for event in result.events where event.type == UsageAnomalyEpisodeOpened.eventType {
                    let opened = try registry.decode(UsageAnomalyEpisodeOpened.self, schemaVersion: event.schemaVersion, from: event.payload)
                    let note = "usage \(opened.belowOwnPercent)% below its own history"
                    if try await dispatchToOwner(of: opened.customerID, taskID: opened.taskID, title: "Usage anomaly: check the meter", note: note,
                                                 key: "schedule:usage-task") { dispatched += 1 }
                }
            }
        }
        return dispatched
    }
}
