import EventSourcing
import Foundation
import Logging
import PostgresNIO
import Synchronization

/// The appender of one store (group commit, like the LMDB store's writer). Appends from any number of
/// tasks queue here; one drain task at a time takes everything queued and applies it in one transaction:
///
/// 1. `SELECT position FROM log_head … FOR UPDATE` — waits for every other appender (this process or
///    another) and yields the head to number from, with the `recorded_at` of the event there (by primary
///    key, in the same statement): the group records no earlier time (clamped, as the LMDB store does);
/// 2. reads the stored rows of every event id and the versions of every stream in the group (one query);
/// 3. plans each request in order, in memory — idempotent re-sends, id conflicts and stale versions are
///    that request's own error, and nothing of it is written;
/// 4. in one statement, inserts the planned events and stream versions (arrays unnested), moves the head
///    and `pg_notify`s the new head; commits — then answers every caller.
///
/// Five round trips per group: BEGIN, lock, read, write, COMMIT (one more to read the last event's time
/// when another appender moved the head while this one waited for the lock).
final class PostgresAppendWriter: Sendable {
    private struct Request: Sendable {
        let appends: [StreamAppend]
        let continuation: CheckedContinuation<[AppendResult], any Error>
        var eventCount: Int { appends.reduce(0) { $0 + $1.events.count } }
    }

    private struct State {
        var queue: [Request] = []
        var draining = false
        var stopping = false
        var idleWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let client: PostgresClient
    private let schema: String
    private let clock: any WallClock
    private let notifier: CommitNotifier
    private let timeout: Duration
    private let maxEventsPerCommit: Int
    private let logger: Logger
    private let queryLogger: Logger
    private let state = Mutex(State())

    init(
        client: PostgresClient, schema: String, clock: any WallClock, notifier: CommitNotifier, timeout: Duration,
        maxEventsPerCommit: Int, logger: Logger, queryLogger: Logger
    ) {
        self.client = client
        self.schema = schema
        self.clock = clock
        self.notifier = notifier
        self.timeout = timeout
        self.maxEventsPerCommit = max(maxEventsPerCommit, 1)
        self.logger = logger
        self.queryLogger = queryLogger
    }

    /// Queues an append and waits for its commit.
    func submit(_ appends: [StreamAppend]) async throws -> [AppendResult] {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[AppendResult], any Error>) in
            let startDrain: Bool? = state.withLock { s in
                if s.stopping { return nil }
                s.queue.append(Request(appends: appends, continuation: continuation))
                if s.draining { return false }
                s.draining = true
                return true
            }
            switch startDrain {
            case .none: continuation.resume(throwing: EventStoreError(.closed, detail: "the store is closed"))
            case .some(true): Task { await self.drain() }
            case .some(false): break
            }
        }
    }

    /// Refuses new appends, lets queued ones finish, then returns.
    func stop() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let idle = state.withLock { s -> Bool in
                s.stopping = true
                if !s.draining { return true }
                s.idleWaiters.append(continuation)
                return false
            }
            if idle { continuation.resume() }
        }
    }

    private func drain() async {
        while true {
            let (batch, waiters) = state.withLock { s -> ([Request], [CheckedContinuation<Void, Never>]) in
                if s.queue.isEmpty {
                    s.draining = false
                    let waiters = s.idleWaiters
                    s.idleWaiters = []
                    return ([], waiters)
                }
                var taken = 0
                var events = 0
                for request in s.queue {
                    let count = request.eventCount
                    if taken > 0 && events + count > maxEventsPerCommit { break }
                    taken += 1
                    events += count
                }
                let batch = Array(s.queue.prefix(taken))
                s.queue.removeFirst(taken)
                return (batch, [])
            }
            if batch.isEmpty {
                for waiter in waiters { waiter.resume() }
                return
            }
            await process(batch)
        }
    }

    private func process(_ batch: [Request]) async {
        let requests = batch.map(\.appends)
        let now = clock.now().microsecondsSince1970
        do {
            let (outcomes, head) = try await withDeadline(timeout, "appending") { [self] in
                try await commit(requests, now: now)
            }
            for (request, outcome) in zip(batch, outcomes) {
                request.continuation.resume(with: outcome.mapError { $0 as any Error })
            }
            notifier.publish(head: head)
        } catch {
            var failure = PostgresEventStore.translate(error, during: "appending")
            if failure.code == .storage {
                failure.detail += "; the append may or may not have committed: re-send the same events to find out"
            }
            logger.error("event store append failed", metadata: ["crm.error": "\(failure)", "crm.requests": "\(batch.count)"])
            for request in batch { request.continuation.resume(throwing: failure) }
        }
    }

    /// A stored event, as far as an idempotency check needs it.
    private struct Stored {
        let position: Int64
        let stream: String
        let version: Int64
        let type: String
        let schemaVersion: Int64
        let metadata: [UInt8]
        let payload: [UInt8]
    }

    /// The transaction of one group. Returns each request's outcome and the head after the commit.
    /// `now`: the clock's time; the events record it, or 1 µs after the last event's `recordedAt` when the
    /// clock reads earlier than that (it was set back, here or on another node): recorded times never
    /// decrease along positions.
    private func commit(_ requests: [[StreamAppend]], now: Int64) async throws -> ([Result<[AppendResult], EventStoreError>], GlobalPosition) {
        let s = schema
        let logger = queryLogger
        return try await client.withTransaction(logger: logger) { connection in
            var head: Int64 = 0
            var lastRecordedAt: Int64?
            let lock: PostgresQuery = """
                SELECT h.position, (SELECT e.recorded_at FROM \(unescaped: s).events e WHERE e.position = h.position)
                FROM \(unescaped: s).log_head h WHERE h.id = 1 FOR UPDATE OF h
                """
            for try await (value, recorded) in try await connection.query(lock, logger: logger).decode((Int64, Int64?).self) {
                head = value
                lastRecordedAt = recorded
            }
            if head > 0 && lastRecordedAt == nil {
                // The head moved while this waited for the lock: the statement's snapshot is older than the
                // commit that moved it (read committed), a new statement sees that commit's last event.
                let last: PostgresQuery = "SELECT recorded_at FROM \(unescaped: s).events WHERE position = \(head)"
                for try await value in try await connection.query(last, logger: logger).decode(Int64.self) { lastRecordedAt = value }
            }
            let recordedAt = lastRecordedAt.map { now < $0 ? ($0 == .max ? $0 : $0 + 1) : now } ?? now

            // Every id and stream of the group, read once.
            var ids: [UUID] = []
            var streamSet = Set<String>()
            for appends in requests {
                for append in appends {
                    streamSet.insert(append.stream.rawValue)
                    for event in append.events { ids.append(event.id) }
                }
            }
            // One query for both: the stored rows of the ids, then the versions of the streams (rows
            // without an event id).
            var known: [UUID: Stored] = [:]
            var versions: [String: Int64] = [:]
            let readQuery: PostgresQuery = """
                SELECT event_id, position, stream_id, stream_version, type, schema_version, metadata, payload
                FROM \(unescaped: s).events WHERE event_id = ANY(\(ids))
                UNION ALL
                SELECT NULL::uuid, NULL::bigint, stream_id, version, NULL::text, NULL::bigint, NULL::bytea, NULL::bytea
                FROM \(unescaped: s).streams WHERE stream_id = ANY(\(Array(streamSet)))
                """
            for try await (id, position, stream, version, type, schemaVersion, metadata, payload) in try await connection.query(readQuery, logger: logger)
                .decode((UUID?, Int64?, String, Int64, String?, Int64?, ByteBuffer?, ByteBuffer?).self)
            {
                guard let id else {
                    versions[stream] = version
                    continue
                }
                known[id] = Stored(
                    position: position ?? 0, stream: stream, version: version, type: type ?? "", schemaVersion: schemaVersion ?? 0,
                    metadata: metadata.map { Array($0.readableBytesView) } ?? [], payload: payload.map { Array($0.readableBytesView) } ?? [])
            }

            // Plan each request in order; a refused request writes nothing.
            var outcomes: [Result<[AppendResult], EventStoreError>] = []
            outcomes.reserveCapacity(requests.count)
            var rows = EventRows()
            var touched = Set<String>()
            for appends in requests {
                do throws(EventStoreError) {
                    outcomes.append(.success(try plan(
                        appends, known: &known, versions: &versions, head: &head, rows: &rows, touched: &touched, recordedAt: recordedAt)))
                } catch {
                    outcomes.append(.failure(error))
                }
            }

            if !rows.isEmpty {
                // One statement writes the events, the stream versions and the head, and notifies.
                let streamVersions = Dictionary(uniqueKeysWithValues: touched.map { ($0, versions[$0] ?? 0) })
                try await connection.query(rows.write(schema: s, streamVersions: streamVersions, head: head), logger: logger)
            }
            return (outcomes, GlobalPosition(UInt64(max(head, 0))))
        }
    }

    private enum Plan {
        case alreadyStored(AppendResult)
        case write(StreamAppend, fromVersion: Int64)
    }

    /// Checks one request against the group's state so far, then records its rows. Throws (and changes
    /// nothing) when the request is refused.
    private func plan(
        _ appends: [StreamAppend], known: inout [UUID: Stored], versions: inout [String: Int64], head: inout Int64,
        rows: inout EventRows, touched: inout Set<String>, recordedAt: Int64
    ) throws(EventStoreError) -> [AppendResult] {
        var plans: [Plan] = []
        plans.reserveCapacity(appends.count)
        var planned: [String: Int64] = [:]
        for append in appends {
            if let stored = try storedResult(of: append, known: known) {
                plans.append(.alreadyStored(stored))
                continue
            }
            let name = append.stream.rawValue
            let current = planned[name] ?? versions[name] ?? 0
            let version = StreamVersion(UInt64(max(current, 0)))
            guard append.expectedVersion.isSatisfied(by: version) else {
                throw EventStoreError.wrongExpectedVersion(append.stream, expected: append.expectedVersion, actual: version)
            }
            planned[name] = current + Int64(append.events.count)
            plans.append(.write(append, fromVersion: current))
        }

        var results: [AppendResult] = []
        results.reserveCapacity(plans.count)
        for plan in plans {
            switch plan {
            case .alreadyStored(let result):
                results.append(result)
            case .write(let append, let fromVersion):
                let name = append.stream.rawValue
                let first = head + 1
                var version = fromVersion
                for event in append.events {
                    head += 1
                    version += 1
                    let metadata = MetadataCodec.encode(event.metadata)
                    rows.append(position: head, stream: name, version: version, id: event.id, type: event.type, schemaVersion: event.schemaVersion,
                                recordedAt: recordedAt, metadata: metadata, payload: event.payload)
                    known[event.id] = Stored(
                        position: head, stream: name, version: version, type: event.type,
                        schemaVersion: Int64(event.schemaVersion), metadata: metadata, payload: event.payload)
                }
                versions[name] = version
                touched.insert(name)
                results.append(AppendResult(
                    stream: append.stream, firstPosition: GlobalPosition(UInt64(first)), lastPosition: GlobalPosition(UInt64(head)),
                    streamVersion: StreamVersion(UInt64(version)), wasAlreadyStored: false))
            }
        }
        return results
    }

    /// For an idempotent re-send, the original result; nil when none of the ids is stored. Throws when
    /// some ids are stored and some are new, or a stored id has another stream or other content.
    private func storedResult(of append: StreamAppend, known: [UUID: Stored]) throws(EventStoreError) -> AppendResult? {
        var matches: [(EventData, Stored)] = []
        var missing = 0
        for event in append.events {
            if let stored = known[event.id] { matches.append((event, stored)) } else { missing += 1 }
        }
        if matches.isEmpty { return nil }
        guard missing == 0 else {
            throw EventStoreError(.partiallyStored, detail: "some event ids are stored and some are new", stream: append.stream)
        }
        for (event, stored) in matches {
            let same = stored.stream == append.stream.rawValue && stored.type == event.type
                && stored.schemaVersion == Int64(event.schemaVersion) && stored.payload == event.payload
                && stored.metadata == MetadataCodec.encode(event.metadata)
            guard same else {
                throw EventStoreError(.eventIDConflict, detail: "event id is stored with another stream or other content", stream: append.stream, eventID: event.id)
            }
        }
        let positions = matches.map(\.1.position)
        let lastVersion = matches.map(\.1.version).max() ?? 0
        return AppendResult(
            stream: append.stream, firstPosition: GlobalPosition(UInt64(positions.min() ?? 0)),
            lastPosition: GlobalPosition(UInt64(positions.max() ?? 0)),
            streamVersion: StreamVersion(UInt64(max(lastVersion, 0))), wasAlreadyStored: true)
    }
}
