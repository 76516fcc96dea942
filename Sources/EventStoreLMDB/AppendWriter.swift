import EventSourcing
import Foundation
import LMDB
import Logging

/// The single writer of a store (ARCHITECTURE decision 4). Appends from any number of tasks queue here;
/// a dedicated thread takes everything queued, applies each request in one LMDB write transaction,
/// commits once (one flush for the whole group) and then answers each caller with its own result or
/// its own error. Each request is validated completely before it writes anything, so one caller's
/// conflict never touches the others in the group.
///
/// The thread is dedicated because an LMDB write transaction must begin and commit on one thread.
// @unchecked Sendable: the queue is guarded by `condition`; `head` and `nextStreamNumber` are touched only
// by the writer thread (and read once at start-up before it runs).
final class AppendWriter: @unchecked Sendable {
    private struct Request {
        let appends: [StreamAppend]
        let continuation: CheckedContinuation<[AppendResult], any Error>
    }

    private let env: Environment
    private let dbs: Databases
    private let clock: any WallClock
    private let limits: EventStoreLimits
    private let notifier: CommitNotifier
    private let logger: Logger
    private let maxEventsPerCommit: Int

    private let condition = NSCondition()
    private var queue: [Request] = []
    private var stopping = false
    private var finished = false
    private var finishWaiters: [CheckedContinuation<Void, Never>] = []

    // Writer-thread state.
    private var head: UInt64
    private var nextStreamNumber: UInt64
    /// The `recordedAt` (microseconds) of the last event in the log; nil for an empty log. The next commit
    /// records no earlier time (``recordedTime(now:after:)``).
    private var lastRecordedAt: Int64?

    init(
        env: Environment, dbs: Databases, clock: any WallClock, limits: EventStoreLimits, notifier: CommitNotifier,
        logger: Logger, maxEventsPerCommit: Int, head: UInt64, nextStreamNumber: UInt64, lastRecordedAt: Int64?
    ) {
        self.lastRecordedAt = lastRecordedAt
        self.env = env
        self.dbs = dbs
        self.clock = clock
        self.limits = limits
        self.notifier = notifier
        self.logger = logger
        self.maxEventsPerCommit = max(maxEventsPerCommit, 1)
        self.head = head
        self.nextStreamNumber = nextStreamNumber
    }

    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "lmdb-event-writer"
        thread.start()
    }

    /// Queues an append and waits for its commit.
    func submit(_ appends: [StreamAppend]) async throws -> [AppendResult] {
        try await withCheckedThrowingContinuation { continuation in
            condition.lock()
            if stopping {
                condition.unlock()
                continuation.resume(throwing: EventStoreError(.closed, detail: "the store is closed"))
                return
            }
            queue.append(Request(appends: appends, continuation: continuation))
            condition.signal()
            condition.unlock()
        }
    }

    /// Lets queued appends finish, then stops the thread.
    func stop() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            condition.lock()
            stopping = true
            if finished {
                condition.unlock()
                continuation.resume()
                return
            }
            finishWaiters.append(continuation)
            condition.signal()
            condition.unlock()
        }
    }

    /// Asks the thread to stop without waiting (for deinit).
    func requestStop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    // MARK: - The writer thread

    private func run() {
        while true {
            condition.lock()
            while queue.isEmpty && !stopping { condition.wait() }
            if queue.isEmpty {
                finished = true
                let waiters = finishWaiters
                finishWaiters = []
                condition.unlock()
                for waiter in waiters { waiter.resume() }
                return
            }
            var batch: [Request] = []
            var events = 0
            var taken = 0
            for request in queue {
                let count = request.appends.reduce(0) { $0 + $1.events.count }
                if !batch.isEmpty && events + count > maxEventsPerCommit { break }
                batch.append(request)
                events += count
                taken += 1
            }
            queue.removeFirst(taken)
            condition.unlock()
            process(batch)
        }
    }

    /// Positions and stream numbers as they stand inside the current transaction.
    private struct TransactionState {
        var head: UInt64
        var nextStreamNumber: UInt64
    }

    private func process(_ batch: [Request]) {
        var outcomes: [Result<[AppendResult], EventStoreError>] = []
        var final = TransactionState(head: head, nextStreamNumber: nextStreamNumber)
        let recordedAt = Self.recordedTime(now: clock.now().microsecondsSince1970, after: lastRecordedAt)
        do {
            try env.write { txn in
                // The closure runs again if the map had to grow: start from the committed state each time.
                outcomes = []
                outcomes.reserveCapacity(batch.count)
                var state = TransactionState(head: head, nextStreamNumber: nextStreamNumber)
                for request in batch {
                    do {
                        outcomes.append(.success(try apply(request.appends, txn: txn, state: &state, recordedAt: recordedAt)))
                    } catch let error as EventStoreError {
                        outcomes.append(.failure(error))
                    }
                }
                final = state
            }
        } catch {
            let failure = EventStoreError(.storage, detail: "commit failed: \(error)")
            logger.error("event store commit failed", metadata: ["crm.error": "\(error)", "crm.requests": "\(batch.count)"])
            for request in batch { request.continuation.resume(throwing: failure) }
            return
        }
        if final.head != head { lastRecordedAt = recordedAt }
        head = final.head
        nextStreamNumber = final.nextStreamNumber
        for (request, outcome) in zip(batch, outcomes) {
            request.continuation.resume(with: outcome.mapError { $0 as any Error })
        }
        notifier.publish(head: GlobalPosition(head))
    }

    /// The time a commit records: the clock's, unless it reads earlier than the last event's (the clock was
    /// set back) — then 1 µs after that one, so recorded times never decrease along positions and an as-of
    /// by time before the step still leaves the new events out.
    static func recordedTime(now: Int64, after last: Int64?) -> Int64 {
        guard let last, now < last else { return now }
        return last == .max ? last : last + 1
    }

    private enum Plan {
        case alreadyStored(AppendResult)
        case write(StreamAppend, number: UInt64, fromVersion: UInt64)
    }

    /// Validates one request completely, then writes it. Throws EventStoreError (request refused, nothing
    /// written) or LMDBError (the whole transaction fails).
    private func apply(_ appends: [StreamAppend], txn: Transaction, state: inout TransactionState, recordedAt: Int64) throws -> [AppendResult] {
        try limits.validate(appends)
        let total = appends.reduce(0) { $0 + $1.events.count }
        if total > 1 {
            var seen = Set<UUID>(minimumCapacity: total)
            for append in appends {
                for event in append.events where !seen.insert(event.id).inserted {
                    throw EventStoreError(.duplicateEventInAppend, detail: "an event id appears twice in one append", stream: append.stream, eventID: event.id)
                }
            }
        }

        // Plan every stream before writing any.
        var plans: [Plan] = []
        plans.reserveCapacity(appends.count)
        var planned: [StreamID: Keys.Head] = [:]
        var nextNumber = state.nextStreamNumber
        for append in appends {
            if let stored = try storedResult(of: append, txn: txn) {
                plans.append(.alreadyStored(stored))
                continue
            }
            let current = try planned[append.stream] ?? readHead(append.stream, txn: txn)
            let version = StreamVersion(current?.version ?? 0)
            guard append.expectedVersion.isSatisfied(by: version) else {
                throw EventStoreError.wrongExpectedVersion(append.stream, expected: append.expectedVersion, actual: version)
            }
            let number: UInt64
            if let current { number = current.number } else {
                number = nextNumber
                nextNumber += 1
            }
            planned[append.stream] = Keys.Head(number: number, version: version.rawValue + UInt64(append.events.count))
            plans.append(.write(append, number: number, fromVersion: version.rawValue))
        }

        // Write. Nothing below throws an EventStoreError.
        state.nextStreamNumber = nextNumber
        let highestNumber = nextNumber - 1
        var results: [AppendResult] = []
        results.reserveCapacity(plans.count)
        for plan in plans {
            switch plan {
            case .alreadyStored(let result):
                results.append(result)
            case .write(let append, let number, let fromVersion):
                let first = state.head + 1
                var version = fromVersion
                // Keys of the newest stream number sort after every key in the index: append them.
                let streamOptions: PutOptions = number == highestNumber ? [.append] : [.noOverwrite]
                for event in append.events {
                    state.head += 1
                    version += 1
                    let position = state.head
                    let size = Envelope.size(of: event, stream: append.stream)
                    try Keys.withPosition(position) { key in
                        try txn.reserve(size, forKey: key, in: dbs.events, options: .append) { buffer in
                            Envelope.encode(event, stream: append.stream, version: StreamVersion(version), recordedAtMicros: recordedAt, into: buffer)
                        }
                        try Keys.withStreamKey(number, version) { streamKey in
                            try txn.put(key, forKey: streamKey, in: dbs.streams, options: streamOptions)
                        }
                        try Keys.withID(event.id) { idKey in
                            try txn.put(key, forKey: idKey, in: dbs.ids, options: .noOverwrite)
                        }
                    }
                }
                var streamText = append.stream.rawValue
                try streamText.withUTF8 { name in
                    try Keys.Head(number: number, version: version).withBytes { value in
                        try txn.put(value, forKey: UnsafeRawBufferPointer(name), in: dbs.heads)
                    }
                }
                results.append(AppendResult(
                    stream: append.stream, firstPosition: GlobalPosition(first), lastPosition: GlobalPosition(state.head),
                    streamVersion: StreamVersion(version), wasAlreadyStored: false
                ))
            }
        }
        return results
    }

    private func readHead(_ stream: StreamID, txn: Transaction) throws -> Keys.Head? {
        var text = stream.rawValue
        return try text.withUTF8 { name in
            guard let value = try txn.unsafeValue(forKey: UnsafeRawBufferPointer(name), in: dbs.heads) else { return nil }
            guard let head = Keys.Head(value) else {
                throw EventStoreError(.corrupted, detail: "unreadable stream head", stream: stream)
            }
            return head
        }
    }

    /// For an idempotent re-send, the original result; nil when none of the ids is stored.
    /// Throws when some ids are stored and some are new, or a stored id has other content.
    private func storedResult(of append: StreamAppend, txn: Transaction) throws -> AppendResult? {
        var positions: [UInt64] = []
        for event in append.events {
            let position = try Keys.withID(event.id) { key -> UInt64? in
                guard let value = try txn.unsafeValue(forKey: key, in: dbs.ids) else { return nil }
                return Keys.readUInt64(value)
            }
            if let position { positions.append(position) } else if !positions.isEmpty { break }
        }
        if positions.isEmpty { return nil }
        guard positions.count == append.events.count else {
            throw EventStoreError(.partiallyStored, detail: "some event ids are stored and some are new", stream: append.stream)
        }
        var lastVersion = StreamVersion.noStream
        for (event, position) in zip(append.events, positions) {
            let matches = try Keys.withPosition(position) { key -> Bool in
                guard let record = try txn.unsafeValue(forKey: key, in: dbs.events) else { return false }
                let stored = try Envelope.decode(record, position: GlobalPosition(position))
                lastVersion = max(lastVersion, stored.streamVersion)
                return stored.stream == append.stream && stored.type == event.type
                    && stored.schemaVersion == event.schemaVersion && stored.metadata == event.metadata
                    && stored.payload.elementsEqual(event.payload)
            }
            guard matches else {
                throw EventStoreError(.eventIDConflict, detail: "event id is stored with another stream or other content", stream: append.stream, eventID: event.id)
            }
        }
        return AppendResult(
            stream: append.stream, firstPosition: GlobalPosition(positions.min() ?? 0), lastPosition: GlobalPosition(positions.max() ?? 0),
            streamVersion: lastVersion, wasAlreadyStored: true
        )
    }
}
