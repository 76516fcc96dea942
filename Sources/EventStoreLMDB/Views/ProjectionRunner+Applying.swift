import Dispatch
import EventSourcing
import Foundation
import LMDB
import Logging
import Synchronization

extension ProjectionRunner {
    // MARK: Applying

    struct Batch {
        var events: [Decoded] = []
        var last: GlobalPosition?
        /// The distinct event types of ``events``, in order of appearance; each event's `typeIndex` points here,
        /// so a projection decides once per type and batch whether it reads an event, not once per event.
        var types: [String] = []
    }

    struct Decoded {
        let position: GlobalPosition
        let type: String
        let typeIndex: Int
        /// Nil when the payload could not be decoded (`error` says why).
        let boxed: DecodedEvent?
        let error: String?
    }

    /// A decoded event in a box: each projection is handed the box's event borrowed, where unwrapping an
    /// optional `ProjectionEvent` copied all of its fields (a retain each) for every projection and event.
    final class DecodedEvent: @unchecked Sendable {
        let event: ProjectionEvent
        init(_ event: ProjectionEvent) { self.event = event }
    }

    /// Passes a batch decoded on one of the threads applying the current batch back to the replay loop.
    final class BatchHandoff: Sendable {
        let batch = Mutex<Batch?>(nil)
    }

    /// Events read but not decoded yet: copied out of the store, so decoding can run elsewhere.
    struct RawBatch: Sendable {
        /// Each event with the index of its type in ``types``.
        var events: [(typeIndex: Int, event: RecordedEvent)] = []
        var last: GlobalPosition?
        var types: [String] = []

        /// The batch decoded; an event that cannot be decoded carries the error instead.
        func decoded(by registry: PayloadRegistry) -> Batch {
            Batch(events: events.map { entry in entry.event.borrowed { ProjectionRunner.decode($0, typeIndex: entry.typeIndex, by: registry) } },
                  last: last, types: types)
        }
    }

    /// One event decoded; an event that cannot be decoded carries the error instead.
    static func decode(_ event: BorrowedEvent, typeIndex: Int, by registry: PayloadRegistry) -> Decoded {
        do {
            let payload = try registry.decode(event.type, schemaVersion: event.schemaVersion, from: event.payload)
            return Decoded(
                position: event.position, type: event.type, typeIndex: typeIndex,
                boxed: DecodedEvent(ProjectionEvent(
                    id: event.id, stream: event.stream, streamVersion: event.streamVersion, position: event.position,
                    recordedAt: event.recordedAt, metadata: event.metadata, payload: payload)),
                error: nil)
        } catch {
            return Decoded(position: event.position, type: event.type, typeIndex: typeIndex, boxed: nil, error: "\(error)")
        }
    }

    /// Reads up to `limit` events from `from` and hands each of `wanted` types (all when nil) to `body` with the
    /// index of its type in the `types` returned.
    private func forEachWanted(
        from: GlobalPosition, limit: Int, wanted: Set<String>?, _ body: (BorrowedEvent, Int) -> Void
    ) async throws -> (last: GlobalPosition?, types: [String]) {
        var last: GlobalPosition?
        var types: [String] = []
        var typeIndexes: [String: Int] = [:]
        try await store.forEachEvent(from: from, limit: limit) { event in
            last = event.position
            guard wanted?.contains(event.type) ?? true else { return }
            let typeIndex: Int
            if let known = typeIndexes[event.type] {
                typeIndex = known
            } else {
                typeIndex = types.count
                typeIndexes[event.type] = typeIndex
                types.append(event.type)
            }
            body(event, typeIndex)
        }
        return (last, types)
    }

    /// Reads up to `limit` events from `from`, copying those of `wanted` types (all when nil), to decode later.
    func readRaw(from: GlobalPosition, limit: Int, wanted: Set<String>?) async throws -> RawBatch {
        var events: [(typeIndex: Int, event: RecordedEvent)] = []
        events.reserveCapacity(min(limit, 65_536))
        let (last, types) = try await forEachWanted(from: from, limit: limit, wanted: wanted) { events.append(($1, $0.copy())) }
        return RawBatch(events: events, last: last, types: types)
    }

    /// Reads up to `limit` events from `from`, decoding those of `wanted` types (all when nil) straight from
    /// the store's memory.
    func readBatch(from: GlobalPosition, limit: Int, wanted: Set<String>?) async throws -> Batch {
        var events: [Decoded] = []
        events.reserveCapacity(min(limit, 65_536))
        let registry = self.registry
        let (last, types) = try await forEachWanted(from: from, limit: limit, wanted: wanted) {
            events.append(Self.decode($0, typeIndex: $1, by: registry))
        }
        return Batch(events: events, last: last, types: types)
    }

    /// The position of the newest event of each type in `events`.
    static func newestPositionByType(_ events: [Decoded]) -> [String: GlobalPosition] {
        var newest: [String: GlobalPosition] = [:]
        for event in events { newest[event.type] = max(newest[event.type] ?? .start, event.position) }
        return newest
    }

    /// Whether an event of a type `projection` follows lies after `checkpoint` (`newest`: per type).
    static func concerns(_ projection: any Projection, _ newest: [String: GlobalPosition], after checkpoint: GlobalPosition) -> Bool {
        guard let types = projection.eventTypes else { return newest.values.contains { $0 > checkpoint } }
        return types.contains { newest[$0].map { $0 > checkpoint } ?? false }
    }

    /// Applies the events after `checkpoint` to one projection in one transaction that stores `last` as its
    /// checkpoint. On a failure nothing of the batch is stored and the failure names the event.
    func apply(_ batch: Batch, through last: GlobalPosition, to projection: any Projection, in env: ViewEnvironment, after checkpoint: GlobalPosition) -> (GlobalPosition, ViewError?) {
        let types = projection.eventTypes
        let reads = batch.types.map { types?.contains($0) ?? true }
        let events = batch.events
        var failing: Int?
        do {
            try env.write(projection: projection, checkpoint: last) { writer in
                // By index: copying each `Decoded` would retain all of its fields, for every projection.
                for index in events.indices where reads[events[index].typeIndex] && events[index].position > checkpoint {
                    failing = index
                    guard let boxed = events[index].boxed else {
                        throw ViewError.projectionFailed(
                            name: projection.name, position: events[index].position, eventType: events[index].type,
                            reason: events[index].error ?? "undecodable")
                    }
                    try projection.apply(boxed.event, to: writer)
                }
                failing = nil
            }
            return (last, nil)
        } catch let error as ViewError {
            if case .projectionFailed = error { return (checkpoint, error) }
            // A misuse of the views (a table the projection did not declare), named at its event; its
            // description holds table names only.
            let position = failing.map { events[$0].position } ?? last
            return (checkpoint, ViewError.projectionFailed(
                name: projection.name, position: position, eventType: failing.map { events[$0].type } ?? "?", reason: "\(error)"))
        } catch {
            let position = failing.map { events[$0].position } ?? last
            // Only the error's type: its description could hold field values of the event (never in logs).
            return (checkpoint, ViewError.projectionFailed(
                name: projection.name, position: position, eventType: failing.map { events[$0].type } ?? "?", reason: "\(type(of: error))"))
        }
    }

    /// Applies one batch to several projections at once, one thread per projection and environment (each
    /// write transaction starts and ends on its thread): the views of a batch are independent, so a
    /// rebuild uses every core. Results come back in the order of `jobs`.
    func applyConcurrently(
        _ events: Batch, through last: GlobalPosition,
        _ jobs: [(projection: any Projection, environment: ViewEnvironment, after: GlobalPosition)],
        alongside: (@Sendable () -> Void)? = nil, durations: JobDurations? = nil
    ) -> [(GlobalPosition, ViewError?)] {
        guard jobs.count + (alongside == nil ? 0 : 1) > 1 else {
            alongside?()
            return jobs.map { apply(events, through: last, to: $0.projection, in: $0.environment, after: $0.after) }
        }
        let results = Mutex<[Int: (GlobalPosition, ViewError?)]>([:])
        let shared = UncheckedBox(events)
        // `alongside` first, so that it starts at once and the projections share the rest of the threads' time.
        let offset = alongside == nil ? 0 : 1
        DispatchQueue.concurrentPerform(iterations: jobs.count + offset) { index in
            guard index >= offset else {
                alongside?()
                return
            }
            let job = jobs[index - offset]
            let started = ContinuousClock.now
            let result = apply(shared.value, through: last, to: job.projection, in: job.environment, after: job.after)
            durations?.times.withLock { $0[index - offset] = ContinuousClock.now - started }
            results.withLock { $0[index - offset] = result }
        }
        return results.withLock { done in jobs.indices.map { done[$0] ?? (jobs[$0].after, ViewError.closed) } }
    }

    static func wantedTypes(_ projections: [any Projection]) -> Set<String>? {
        var all = Set<String>()
        for p in projections {
            guard let types = p.eventTypes else { return nil }
            all.formUnion(types)
        }
        return all
    }
}

/// How long each job of one ``ProjectionRunner/applyConcurrently(_:through:_:alongside:durations:)`` took, by index.
final class JobDurations: Sendable {
    let times = Mutex<[Int: Duration]>([:])
}

/// Lends immutable decoded events to the threads applying one batch: they only read them.
struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
