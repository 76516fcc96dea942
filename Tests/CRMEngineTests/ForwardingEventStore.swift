import EventSourcing
import EventStoreLMDB

/// A test's LMDB log that forwards every call to `base`: a test store states only the calls it changes (a read
/// that fails, a hook before an append) and gets the rest from here.
protocol ForwardingEventStore: EventStore {
    var base: LMDBEventStore { get }
}

extension ForwardingEventStore {
    var limits: EventStoreLimits { base.limits }

    @discardableResult
    func append(_ appends: [StreamAppend]) async throws -> [AppendResult] { try await base.append(appends) }

    func readStream(_ stream: StreamID, from version: StreamVersion, direction: ReadDirection, limit: Int) async throws -> [RecordedEvent] {
        try await base.readStream(stream, from: version, direction: direction, limit: limit)
    }

    func readAll(from position: GlobalPosition, direction: ReadDirection, limit: Int) async throws -> [RecordedEvent] {
        try await base.readAll(from: position, direction: direction, limit: limit)
    }

    func readEvents(at positions: [GlobalPosition]) async throws -> [RecordedEvent] { try await base.readEvents(at: positions) }

    func forEachEvent(from position: GlobalPosition, limit: Int, _ body: (BorrowedEvent) throws -> Void) async throws -> Int {
        try await base.forEachEvent(from: position, limit: limit, body)
    }

    func streamVersion(of stream: StreamID) async throws -> StreamVersion { try await base.streamVersion(of: stream) }

    func headPosition() async throws -> GlobalPosition { try await base.headPosition() }

    func subscribe(from position: GlobalPosition) -> EventSubscription { base.subscribe(from: position) }

    /// Does nothing: the test closes the LMDB log itself, after the engine.
    func close() async {}
}
