/// The documented limits every store enforces, with ``EventStoreError`` codes for breaches.
public struct EventStoreLimits: Hashable, Sendable {
    /// Longest stream id, in UTF-8 bytes.
    public var maxStreamIDBytes: Int
    /// Longest event type name, in UTF-8 bytes.
    public var maxEventTypeBytes: Int
    /// Longest actor, source system or client IP, in UTF-8 bytes.
    public var maxMetadataFieldBytes: Int
    /// Largest event: payload plus metadata, in bytes.
    public var maxEventBytes: Int
    /// Most events in one append call (all streams together).
    public var maxEventsPerAppend: Int

    public init(
        maxStreamIDBytes: Int = 256,
        maxEventTypeBytes: Int = 256,
        maxMetadataFieldBytes: Int = 1024,
        maxEventBytes: Int = 4 << 20,
        maxEventsPerAppend: Int = 100_000
    ) {
        self.maxStreamIDBytes = maxStreamIDBytes
        self.maxEventTypeBytes = maxEventTypeBytes
        self.maxMetadataFieldBytes = maxMetadataFieldBytes
        self.maxEventBytes = maxEventBytes
        self.maxEventsPerAppend = maxEventsPerAppend
    }

    /// The defaults.
    public static let standard = EventStoreLimits()

    /// Checks a whole append against the limits, before anything is written.
    public func validate(_ appends: [StreamAppend]) throws(EventStoreError) {
        var total = 0
        for append in appends {
            try validate(append.stream)
            guard !append.events.isEmpty else {
                throw EventStoreError(.emptyAppend, detail: "an append needs at least one event", stream: append.stream)
            }
            total += append.events.count
            guard total <= maxEventsPerAppend else {
                throw EventStoreError(.tooManyEvents, detail: "more than \(maxEventsPerAppend) events in one append")
            }
            for event in append.events { try validate(event, in: append.stream) }
        }
        guard total > 0 else { throw EventStoreError(.emptyAppend, detail: "an append needs at least one event") }
    }

    /// Checks a stream id: non-empty, at most ``maxStreamIDBytes`` bytes, no control characters.
    public func validate(_ stream: StreamID) throws(EventStoreError) {
        let bytes = stream.rawValue.utf8.count
        guard bytes > 0 else { throw EventStoreError(.invalidStreamID, detail: "empty stream id") }
        guard bytes <= maxStreamIDBytes else {
            throw EventStoreError(.invalidStreamID, detail: "stream id of \(bytes) bytes exceeds \(maxStreamIDBytes)")
        }
        guard !Self.hasControlCharacters(stream.rawValue) else {
            throw EventStoreError(.invalidStreamID, detail: "stream id holds control characters")
        }
    }

    /// The bytes an event occupies for the size limit: payload plus metadata text.
    public static func size(of event: EventData) -> Int {
        let m = event.metadata
        return event.payload.count + event.type.utf8.count + m.actor.utf8.count
            + (m.sourceSystem?.utf8.count ?? 0) + (m.clientIP?.utf8.count ?? 0) + 64
    }

    private func validate(_ event: EventData, in stream: StreamID) throws(EventStoreError) {
        let typeBytes = event.type.utf8.count
        guard typeBytes > 0, typeBytes <= maxEventTypeBytes, !Self.hasControlCharacters(event.type) else {
            throw EventStoreError(.invalidEvent, detail: "event type must be 1...\(maxEventTypeBytes) bytes without control characters", stream: stream, eventID: event.id)
        }
        guard event.schemaVersion >= 1 else {
            throw EventStoreError(.invalidEvent, detail: "schema version starts at 1", stream: stream, eventID: event.id)
        }
        let m = event.metadata
        for field in [m.actor, m.sourceSystem ?? "", m.clientIP ?? ""] where field.utf8.count > maxMetadataFieldBytes {
            throw EventStoreError(.invalidEvent, detail: "metadata field exceeds \(maxMetadataFieldBytes) bytes", stream: stream, eventID: event.id)
        }
        let size = Self.size(of: event)
        guard size <= maxEventBytes else {
            throw EventStoreError(.eventTooLarge, detail: "event of \(size) bytes exceeds \(maxEventBytes)", stream: stream, eventID: event.id)
        }
    }

    private static func hasControlCharacters(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.value < 0x20 || ($0.value >= 0x7F && $0.value < 0xA0) }
    }
}
