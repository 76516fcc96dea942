/// An append-only event log: the one source of truth (ARCHITECTURE decision 1).
///
/// Every implementation passes the same conformance suite (`EventStoreConformance`), so the embedded
/// LMDB store and a later PostgreSQL store behave alike:
/// - appends are atomic across all their streams, and get gapless global positions in commit order;
/// - an append states the version it expects of each stream; a stale one fails with
///   ``EventStoreError/Code/wrongExpectedVersion`` and writes nothing;
/// - appends are idempotent by event id: re-sending stored events returns their original positions and
///   writes nothing; a mix of stored and new ids, or a stored id with other content, fails;
/// - reads never block appends.
///
/// ```swift
/// let result = try await store.append(events, to: "customer-42", expectedVersion: .noStream)
/// let history = try await store.readStream("customer-42")
/// for try await event in store.subscribe(from: .start) { … }
/// ```
public protocol EventStore: Sendable {
    /// The limits this store enforces.
    var limits: EventStoreLimits { get }

    /// Appends events to several streams atomically: all are written, or none. Each stream's expected
    /// version is checked against its state before this append. Returns one result per stream, in order.
    @discardableResult
    func append(_ appends: [StreamAppend]) async throws -> [AppendResult]

    /// Events of one stream from `version` (inclusive) in `direction`, at most `limit`. A missing stream reads empty.
    func readStream(_ stream: StreamID, from version: StreamVersion, direction: ReadDirection, limit: Int) async throws -> [RecordedEvent]

    /// Events of the whole log from `position` (inclusive) in `direction`, at most `limit`: read in batches by
    /// passing the last position's neighbour as the next `position`.
    func readAll(from position: GlobalPosition, direction: ReadDirection, limit: Int) async throws -> [RecordedEvent]

    /// The events at `positions`, in position order, each once; positions past the head are left out. For
    /// reads of scattered events (a customer's history): a store may answer them in one round trip.
    func readEvents(at positions: [GlobalPosition]) async throws -> [RecordedEvent]

    /// Lends up to `limit` events from `position` (inclusive, forward) to `body` without copying their
    /// payloads — the replay path. Returns how many events were passed.
    @discardableResult
    func forEachEvent(from position: GlobalPosition, limit: Int, _ body: (BorrowedEvent) throws -> Void) async throws -> Int

    /// The current version of a stream (``StreamVersion/noStream`` when it has no event).
    func streamVersion(of stream: StreamID) async throws -> StreamVersion

    /// The position of the newest event (``GlobalPosition/start`` for an empty log).
    func headPosition() async throws -> GlobalPosition

    /// Every event from `position` (inclusive) on: first those already stored, then new ones as they are
    /// committed — in order, with no gap and no duplicate. The sequence ends when the iterating task is
    /// cancelled or the store is closed.
    func subscribe(from position: GlobalPosition) -> EventSubscription

    /// Stops accepting work, ends subscriptions and releases resources. Calling it twice is harmless.
    func close() async
}

extension EventStore {
    /// One ``readAll(from:direction:limit:)`` of one event per position.
    public func readEvents(at positions: [GlobalPosition]) async throws -> [RecordedEvent] {
        var events: [RecordedEvent] = []
        for position in Set(positions).sorted() where position > .start {
            if let event = try await readAll(from: position, direction: .forward, limit: 1).first, event.position == position {
                events.append(event)
            }
        }
        return events
    }

    /// Appends events to one stream. See ``append(_:)``.
    @discardableResult
    public func append(_ events: [EventData], to stream: StreamID, expectedVersion: ExpectedVersion) async throws -> AppendResult {
        let results = try await append([StreamAppend(stream: stream, expectedVersion: expectedVersion, events: events)])
        guard let result = results.first else {
            throw EventStoreError(.storage, detail: "append returned no result", stream: stream)
        }
        return result
    }

    /// The whole stream, oldest first (up to `limit` events).
    public func readStream(_ stream: StreamID, limit: Int = .max) async throws -> [RecordedEvent] {
        try await readStream(stream, from: .first, direction: .forward, limit: limit)
    }
}
