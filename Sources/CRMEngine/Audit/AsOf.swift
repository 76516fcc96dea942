import CRMDomain
import EventSourcing
import EventStoreLMDB
import Foundation

/// A point in the past: a log position, or an instant (the events recorded at or before it).
public enum AsOf: Sendable, Hashable {
    case position(GlobalPosition)
    case time(Date)

    func includes(_ event: RecordedEvent) -> Bool {
        switch self {
        case .position(let p): return event.position <= p
        case .time(let t): return event.recordedAt <= t
        }
    }
}

extension CRMEngine {
    /// A record's state as it was at `point` (R-LOG-7), folded from its events up to then, with its version
    /// then. The principal must be allowed to see the record now. Not found when it did not exist yet (as
    /// when it does not exist or the principal may not see it: ``stateIfExisting(_:id:asOf:as:)`` tells the
    /// two apart).
    public func state<A: EngineRecord>(_ type: A.Type, id: UUID, asOf point: AsOf, as principal: Principal) async throws -> (state: A.State, version: StreamVersion) {
        guard let then = try await stateIfExisting(A.self, id: id, asOf: point, as: principal) else {
            throw EngineError.notFound("the record did not exist then")
        }
        return then
    }

    /// ``state(_:id:asOf:as:)``, with a record that exists now but had no event by `point` answered as nil
    /// instead of "not found": for callers that say so otherwise (`crm show --as-of` hints at a later point).
    /// Still throws ``EngineError/Code/notFound`` when the record does not exist or the principal may not see
    /// it now — so nil tells only of a record the principal may read.
    ///
    /// ```swift
    /// guard let then = try await engine.stateIfExisting(Customer.self, id: id, asOf: .time(t), as: p) else {
    ///     return print("not created yet then")
    /// }
    /// print(then.version, then.state.name)
    /// ```
    public func stateIfExisting<A: EngineRecord>(_ type: A.Type, id: UUID, asOf point: AsOf, as principal: Principal) async throws -> (state: A.State, version: StreamVersion)? {
        let now = try await state(A.self, id: id, as: principal)
        let then = try await load(A.self, stream: A.streamID(id), upTo: point.includes)
        guard then.version != .noStream else { return nil }
        return (A.visible(then.state, to: principal, current: now.state, at: clock.now()), then.version)
    }

    /// The log position of the last event recorded at or before `time` (``GlobalPosition/start`` when none).
    public func position(at time: Date) async throws -> GlobalPosition {
        var low = GlobalPosition.start
        var high = try await store.headPosition()
        // Recorded-at times follow positions (one writer, a monotonic clock), so search by halves.
        while low < high {
            let middle = GlobalPosition(low.rawValue + (high.rawValue - low.rawValue + 1) / 2)
            guard let event = try await store.readAll(from: middle, direction: .forward, limit: 1).first else { break }
            if event.recordedAt <= time { low = middle } else { high = GlobalPosition(middle.rawValue - 1) }
        }
        return low
    }

    /// Builds every read model (the configuration's projections, ``CRMViews/all`` by default) as it was at
    /// `point` into `directory` (which must not hold views yet): the audit replay of all views at once
    /// (R-LOG-7). Open them with ``ProjectionRunner`` over the same store. The engine's own bookkeeping
    /// views — API token hashes, the outbox's pending deliveries, reminder sources — are not replayed: no
    /// credential is copied out of the engine's directory.
    /// Needs the organisation module's `analyse` permission over all data.
    @discardableResult
    public func buildViews(asOf point: AsOf, into directory: String, as principal: Principal,
                           progress: (@Sendable (ProjectionRunner.Progress) -> Void)? = nil) async throws -> GlobalPosition {
        guard principal.may(.analyse, in: .organisation, on: .global, at: clock.now()) else {
            throw EngineError(.forbidden, "replaying all views needs the organisation module's analyse permission over all data")
        }
        let position: GlobalPosition
        switch point {
        case .position(let p): position = p
        case .time(let t): position = try await self.position(at: t)
        }
        return try await ProjectionRunner.build(store: store, registry: registry, projections: configuration.projections, into: directory,
                                                upTo: position, progress: progress)
    }

    /// Rebuilds the views named (all when nil) from the log in shadow environments and swaps them in
    /// while queries go on. Needs the settings module's `edit` permission over all data.
    ///
    /// - Throws: ``EngineError/Code/unavailable`` naming the view, the position and the type of the event
    ///   when a rebuilt view stopped at an event it could not apply. The views rebuilt are swapped in all
    ///   the same; the stopped one answers up to the event before (as in a catch-up, its failure is kept
    ///   in ``ProjectionRunner/status()``).
    public func rebuildViews(_ names: [String]? = nil, as principal: Principal,
                             progress: (@Sendable (ProjectionRunner.Progress) -> Void)? = nil) async throws {
        guard principal.may(.edit, in: .settings, on: .global, at: clock.now()) else {
            throw EngineError(.forbidden, "rebuilding views needs the settings module's edit permission over all data")
        }
        try await views.rebuild(names, progress: progress)
        try checkViews(names)
    }

    /// Throws ``EngineError/Code/unavailable`` naming the view, the position and the type of the event when
    /// one of the views named (all when nil) stopped at an event it could not apply.
    public func checkViews(_ names: [String]? = nil) throws {
        let wanted = Set(names ?? views.projections.map(\.name))
        let stopped = views.status().filter { wanted.contains($0.name) && $0.failure != nil }.sorted { $0.name < $1.name }
        if let first = stopped.first, let failure = first.failure {
            let others = stopped.count > 1 ? "; \(stopped.count - 1) more stopped: \(stopped.dropFirst().map(\.name).joined(separator: ", "))" : ""
            throw EngineError(.unavailable, "\(failure)\(others)")
        }
    }
}
