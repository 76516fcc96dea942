import EventSourcing

/// A log read through without writing: what ``CRMEngine/openReadOnly(store:views:configuration:)`` runs on,
/// so a command of an engine opened read-only over a shared (writable) log fails as it does over an LMDB log
/// opened read-only, instead of writing beside the process that keeps the views.
struct ReadOnlyLog: EventStore {
    let base: any EventStore

    var limits: EventStoreLimits { base.limits }

    func append(_ appends: [StreamAppend]) async throws -> [AppendResult] {
        throw EventStoreError(.readOnly, detail: "the log was opened read-only")
    }

    func readStream(_ stream: StreamID, from version: StreamVersion, direction: ReadDirection, limit: Int) async throws -> [RecordedEvent] {
        try await base.readStream(stream, from: version, direction: direction, limit: limit)
    }

    func readAll(from position: GlobalPosition, direction: ReadDirection, limit: Int) async throws -> [RecordedEvent] {
        try await base.readAll(from: position, direction: direction, limit: limit)
    }

    func readEvents(at positions: [GlobalPosition]) async throws -> [RecordedEvent] {
        try await base.readEvents(at: positions)
    }

    func forEachEvent(from position: GlobalPosition, limit: Int, _ body: (BorrowedEvent) throws -> Void) async throws -> Int {
        try await base.forEachEvent(from: position, limit: limit, body)
    }

    func streamVersion(of stream: StreamID) async throws -> StreamVersion { try await base.streamVersion(of: stream) }

    func headPosition() async throws -> GlobalPosition { try await base.headPosition() }

    func subscribe(from position: GlobalPosition) -> EventSubscription { base.subscribe(from: position) }

    /// Does nothing: the caller that opened the log closes it.
    func close() async {}
}
