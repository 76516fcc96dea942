import Foundation

/// An event as the log holds it: the appended ``EventData`` plus where and when it was recorded.
public struct RecordedEvent: Hashable, Sendable {
    public let id: UUID
    public let stream: StreamID
    /// The event's version within its stream (the stream's first event is 1).
    public let streamVersion: StreamVersion
    /// The event's position in the whole log.
    public let position: GlobalPosition
    public let type: String
    public let schemaVersion: UInt32
    /// When the store recorded the event, from the store's injected clock (UTC, microsecond precision).
    public let recordedAt: Date
    public let metadata: EventMetadata
    public let payload: [UInt8]

    public init(
        id: UUID, stream: StreamID, streamVersion: StreamVersion, position: GlobalPosition, type: String,
        schemaVersion: UInt32, recordedAt: Date, metadata: EventMetadata, payload: [UInt8]
    ) {
        self.id = id
        self.stream = stream
        self.streamVersion = streamVersion
        self.position = position
        self.type = type
        self.schemaVersion = schemaVersion
        self.recordedAt = recordedAt
        self.metadata = metadata
        self.payload = payload
    }

    /// The event as it was appended.
    public var data: EventData {
        EventData(id: id, type: type, schemaVersion: schemaVersion, payload: payload, metadata: metadata)
    }

    /// Lends the event to `body` as a ``BorrowedEvent`` (the reverse of ``BorrowedEvent/copy()``), so code
    /// written for a replay's lent events reads a copied one too.
    public func borrowed<R>(_ body: (BorrowedEvent) throws -> R) rethrows -> R {
        try payload.withUnsafeBytes { bytes in
            try body(BorrowedEvent(
                id: id, stream: stream, streamVersion: streamVersion, position: position, type: type,
                schemaVersion: schemaVersion, recordedAt: recordedAt, metadata: metadata, payload: bytes))
        }
    }
}

/// A recorded event whose payload is lent, not copied: the view a replay gets from
/// ``EventStore/forEachEvent(from:limit:_:)``. The payload buffer points into the store's memory (for
/// LMDB, its memory map) and is valid only inside the closure it was passed to; decode it there, or
/// ``copy()`` the event.
public struct BorrowedEvent {
    public let id: UUID
    public let stream: StreamID
    public let streamVersion: StreamVersion
    public let position: GlobalPosition
    public let type: String
    public let schemaVersion: UInt32
    public let recordedAt: Date
    public let metadata: EventMetadata
    public let payload: UnsafeRawBufferPointer

    public init(
        id: UUID, stream: StreamID, streamVersion: StreamVersion, position: GlobalPosition, type: String,
        schemaVersion: UInt32, recordedAt: Date, metadata: EventMetadata, payload: UnsafeRawBufferPointer
    ) {
        self.id = id
        self.stream = stream
        self.streamVersion = streamVersion
        self.position = position
        self.type = type
        self.schemaVersion = schemaVersion
        self.recordedAt = recordedAt
        self.metadata = metadata
        self.payload = payload
    }

    /// A copy that outlives the closure.
    public func copy() -> RecordedEvent {
        RecordedEvent(
            id: id, stream: stream, streamVersion: streamVersion, position: position, type: type,
            schemaVersion: schemaVersion, recordedAt: recordedAt, metadata: metadata, payload: Array(payload)
        )
    }
}
