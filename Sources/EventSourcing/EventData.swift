import Foundation

/// An event to append: its identity, type, schema version, payload bytes and metadata.
///
/// The store treats the payload as opaque bytes; encoding it is the next layer's business. The event id
/// makes appends idempotent: re-sending the same ids writes nothing new. Generate ids with an
/// ``IDGenerator`` (time-ordered UUIDv7) rather than `UUID()`: random ids slow the id index down 5×.
///
/// ```swift
/// let event = EventData(id: ids.next(), type: "CustomerCreated", payload: bytes, metadata: .init(actor: "emp-7"))
/// ```
public struct EventData: Hashable, Sendable {
    public var id: UUID
    /// The event's type name, e.g. `CustomerCreated`.
    public var type: String
    /// The version of the payload's schema; starts at 1 and grows when the payload's shape changes.
    public var schemaVersion: UInt32
    public var payload: [UInt8]
    public var metadata: EventMetadata

    public init(id: UUID, type: String, schemaVersion: UInt32 = 1, payload: [UInt8], metadata: EventMetadata) {
        self.id = id
        self.type = type
        self.schemaVersion = schemaVersion
        self.payload = payload
        self.metadata = metadata
    }
}

/// Events for one stream, with the stream version the append expects; several of these form one atomic
/// multi-stream append.
public struct StreamAppend: Hashable, Sendable {
    public var stream: StreamID
    public var expectedVersion: ExpectedVersion
    public var events: [EventData]

    public init(stream: StreamID, expectedVersion: ExpectedVersion, events: [EventData]) {
        self.stream = stream
        self.expectedVersion = expectedVersion
        self.events = events
    }
}

/// What an append did for one stream.
public struct AppendResult: Hashable, Sendable {
    public let stream: StreamID
    /// Global position of the first and last event of this stream in the append.
    public let firstPosition: GlobalPosition
    public let lastPosition: GlobalPosition
    /// The stream's version after its last event in the append: the next append's `.exact` expectation.
    public let streamVersion: StreamVersion
    /// True when every event was already stored (an idempotent re-send): the positions are the original ones
    /// and nothing was written.
    public let wasAlreadyStored: Bool

    public init(
        stream: StreamID, firstPosition: GlobalPosition, lastPosition: GlobalPosition,
        streamVersion: StreamVersion, wasAlreadyStored: Bool
    ) {
        self.stream = stream
        self.firstPosition = firstPosition
        self.lastPosition = lastPosition
        self.streamVersion = streamVersion
        self.wasAlreadyStored = wasAlreadyStored
    }
}
