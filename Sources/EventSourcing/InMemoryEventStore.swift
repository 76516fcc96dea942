import Foundation
import Synchronization

/// An ``EventStore`` in memory, for tests of the layers above and as the reference the conformance suite
/// is checked against. Nothing survives the process; use `LMDBEventStore` for real data.
public final class InMemoryEventStore: EventStore {
    private struct State {
        var log: [RecordedEvent] = []
        var streams: [StreamID: [Int]] = [:]
        var ids: [UUID: Int] = [:]
        var closed = false
    }

    public let limits: EventStoreLimits
    private let clock: any WallClock
    private let state = Mutex(State())
    private let notifier = CommitNotifier()

    public init(clock: any WallClock = SystemClock(), limits: EventStoreLimits = .standard) {
        self.clock = clock
        self.limits = limits
    }

    @discardableResult
    public func append(_ appends: [StreamAppend]) async throws -> [AppendResult] {
        try limits.validate(appends)
        var seen = Set<UUID>()
        for append in appends {
            for event in append.events where !seen.insert(event.id).inserted {
                throw EventStoreError(.duplicateEventInAppend, detail: "an event id appears twice in one append", stream: append.stream, eventID: event.id)
            }
        }
        let clockNow = clock.now()
        let (results, head) = try state.withLock { s throws(EventStoreError) -> ([AppendResult], Int) in
            guard !s.closed else { throw EventStoreError(.closed, detail: "the store is closed") }
            // Recorded times never decrease along positions: a clock reading earlier than the last event's
            // time (it was set back) records 1 µs after it, as the stores on disk do.
            let now = s.log.last.map { clockNow < $0.recordedAt ? $0.recordedAt.addingTimeInterval(0.000_001) : clockNow } ?? clockNow
            // Plan every stream first, so a refusal writes nothing.
            var plans: [(StreamAppend, from: UInt64)?] = []
            var stored: [AppendResult?] = []
            var planned: [StreamID: UInt64] = [:]
            for append in appends {
                if let result = try Self.storedResult(of: append, in: s) {
                    stored.append(result)
                    plans.append(nil)
                    continue
                }
                let current = planned[append.stream] ?? UInt64(s.streams[append.stream]?.count ?? 0)
                guard append.expectedVersion.isSatisfied(by: StreamVersion(current)) else {
                    throw EventStoreError.wrongExpectedVersion(append.stream, expected: append.expectedVersion, actual: StreamVersion(current))
                }
                planned[append.stream] = current + UInt64(append.events.count)
                stored.append(nil)
                plans.append((append, current))
            }
            var results: [AppendResult] = []
            for (plan, storedResult) in zip(plans, stored) {
                if let storedResult {
                    results.append(storedResult)
                    continue
                }
                guard let (append, from) = plan else { continue }
                let first = s.log.count + 1
                var version = from
                for event in append.events {
                    version += 1
                    let index = s.log.count
                    s.log.append(RecordedEvent(
                        id: event.id, stream: append.stream, streamVersion: StreamVersion(version),
                        position: GlobalPosition(UInt64(index + 1)), type: event.type, schemaVersion: event.schemaVersion,
                        recordedAt: now, metadata: event.metadata, payload: event.payload
                    ))
                    s.streams[append.stream, default: []].append(index)
                    s.ids[event.id] = index
                }
                results.append(AppendResult(
                    stream: append.stream, firstPosition: GlobalPosition(UInt64(first)), lastPosition: GlobalPosition(UInt64(s.log.count)),
                    streamVersion: StreamVersion(version), wasAlreadyStored: false
                ))
            }
            return (results, s.log.count)
        }
        notifier.publish(head: GlobalPosition(UInt64(head)))
        return results
    }

    private static func storedResult(of append: StreamAppend, in s: State) throws(EventStoreError) -> AppendResult? {
        let indices = append.events.compactMap { s.ids[$0.id] }
        if indices.isEmpty { return nil }
        guard indices.count == append.events.count else {
            throw EventStoreError(.partiallyStored, detail: "some event ids are stored and some are new", stream: append.stream)
        }
        for (event, index) in zip(append.events, indices) {
            let recorded = s.log[index]
            guard recorded.stream == append.stream, recorded.data == event else {
                throw EventStoreError(.eventIDConflict, detail: "event id is stored with another stream or other content", stream: append.stream, eventID: event.id)
            }
        }
        let positions = indices.map { s.log[$0].position }
        return AppendResult(
            stream: append.stream, firstPosition: positions.min() ?? .start, lastPosition: positions.max() ?? .start,
            streamVersion: indices.map { s.log[$0].streamVersion }.max() ?? .noStream, wasAlreadyStored: true
        )
    }

    public func readStream(_ stream: StreamID, from version: StreamVersion, direction: ReadDirection, limit: Int) async throws -> [RecordedEvent] {
        try state.withLock { s throws(EventStoreError) in
            guard !s.closed else { throw EventStoreError(.closed, detail: "the store is closed") }
            let events = (s.streams[stream] ?? []).map { s.log[$0] }
            switch direction {
            case .forward: return Array(events.filter { $0.streamVersion >= version }.prefix(max(limit, 0)))
            case .backward: return Array(events.reversed().filter { $0.streamVersion <= version }.prefix(max(limit, 0)))
            }
        }
    }

    public func readAll(from position: GlobalPosition, direction: ReadDirection, limit: Int) async throws -> [RecordedEvent] {
        try state.withLock { s throws(EventStoreError) in
            guard !s.closed else { throw EventStoreError(.closed, detail: "the store is closed") }
            guard limit > 0, !s.log.isEmpty else { return [] }
            switch direction {
            case .forward:
                let start = Int(min(max(position.rawValue, 1), UInt64(s.log.count + 1))) - 1
                return Array(s.log[start...].prefix(limit))
            case .backward:
                guard position.rawValue >= 1 else { return [] }
                let end = Int(min(position.rawValue, UInt64(s.log.count))) - 1
                return Array(s.log[...end].reversed().prefix(limit))
            }
        }
    }

    @discardableResult
    public func forEachEvent(from position: GlobalPosition, limit: Int, _ body: (BorrowedEvent) throws -> Void) async throws -> Int {
        let events = try await readAll(from: position, direction: .forward, limit: limit)
        for event in events {
            try event.payload.withUnsafeBytes { payload in
                try body(BorrowedEvent(
                    id: event.id, stream: event.stream, streamVersion: event.streamVersion, position: event.position,
                    type: event.type, schemaVersion: event.schemaVersion, recordedAt: event.recordedAt,
                    metadata: event.metadata, payload: payload
                ))
            }
        }
        return events.count
    }

    public func streamVersion(of stream: StreamID) async throws -> StreamVersion {
        try state.withLock { s throws(EventStoreError) in
            guard !s.closed else { throw EventStoreError(.closed, detail: "the store is closed") }
            return StreamVersion(UInt64(s.streams[stream]?.count ?? 0))
        }
    }

    public func headPosition() async throws -> GlobalPosition {
        try state.withLock { s throws(EventStoreError) in
            guard !s.closed else { throw EventStoreError(.closed, detail: "the store is closed") }
            return GlobalPosition(UInt64(s.log.count))
        }
    }

    public func subscribe(from position: GlobalPosition) -> EventSubscription {
        EventSubscription(
            from: position,
            read: { [self] from, limit in try await readAll(from: from, direction: .forward, limit: limit) },
            waitForHead: { [notifier] beyond in await notifier.wait(beyond: beyond) }
        )
    }

    public func close() async {
        state.withLock { $0.closed = true }
        notifier.close()
    }
}
