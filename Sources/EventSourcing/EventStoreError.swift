import Foundation

/// An error from an ``EventStore``. Compare ``code`` with the static members of ``Code``; the other
/// properties carry the facts of the case. The text never holds payloads or metadata values.
///
/// ```swift
/// do { try await store.append(events, to: id, expectedVersion: .exact(3)) }
/// catch let error as EventStoreError where error.code == .wrongExpectedVersion {
///     print("stream is at \(error.actualVersion!)")
/// }
/// ```
public struct EventStoreError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of error.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case wrongExpectedVersion, eventIDConflict, partiallyStored, duplicateEventInAppend
            case emptyAppend, tooManyEvents, eventTooLarge, invalidStreamID, invalidEvent
            case storeInUse, readOnly, closed, incompatibleFormat, corrupted, storage
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }
        public var description: String { base.rawValue }

        /// The stream is not at the version the append expected; ``actualVersion`` says where it is. Nothing was written.
        public static let wrongExpectedVersion = Code(.wrongExpectedVersion)
        /// An event id is already stored with another stream or other content. Nothing was written.
        public static let eventIDConflict = Code(.eventIDConflict)
        /// Some of the append's event ids are stored and some are new. Nothing was written.
        public static let partiallyStored = Code(.partiallyStored)
        /// The same event id appears twice in one append. Nothing was written.
        public static let duplicateEventInAppend = Code(.duplicateEventInAppend)
        /// An append without events. Nothing was written.
        public static let emptyAppend = Code(.emptyAppend)
        /// More events in one append than ``EventStoreLimits/maxEventsPerAppend``. Nothing was written.
        public static let tooManyEvents = Code(.tooManyEvents)
        /// An event larger than ``EventStoreLimits/maxEventBytes``. Nothing was written.
        public static let eventTooLarge = Code(.eventTooLarge)
        /// A stream id that is empty, too long or holds control characters. Nothing was written.
        public static let invalidStreamID = Code(.invalidStreamID)
        /// An event whose type name, schema version or metadata breaks the limits. Nothing was written.
        public static let invalidEvent = Code(.invalidEvent)
        /// Another process (``ownerPID``) has the store open for writing.
        public static let storeInUse = Code(.storeInUse)
        /// The store was opened read-only.
        public static let readOnly = Code(.readOnly)
        /// The store is closed.
        public static let closed = Code(.closed)
        /// The data was written in another storage format version.
        public static let incompatibleFormat = Code(.incompatibleFormat)
        /// Stored data failed to decode; ``position`` names the event when known.
        public static let corrupted = Code(.corrupted)
        /// The storage engine failed (I/O, disk full, …); ``detail`` says how.
        public static let storage = Code(.storage)
    }

    public let code: Code
    public var stream: StreamID?
    public var expectedVersion: ExpectedVersion?
    public var actualVersion: StreamVersion?
    public var eventID: UUID?
    public var position: GlobalPosition?
    /// The process holding the store, for ``Code/storeInUse``.
    public var ownerPID: Int32?
    /// A short explanation; never payload or metadata values.
    public var detail: String

    public init(
        _ code: Code, detail: String = "", stream: StreamID? = nil, expectedVersion: ExpectedVersion? = nil,
        actualVersion: StreamVersion? = nil, eventID: UUID? = nil, position: GlobalPosition? = nil,
        ownerPID: Int32? = nil
    ) {
        self.code = code
        self.detail = detail
        self.stream = stream
        self.expectedVersion = expectedVersion
        self.actualVersion = actualVersion
        self.eventID = eventID
        self.position = position
        self.ownerPID = ownerPID
    }

    public var description: String {
        var parts = ["\(code)"]
        if !detail.isEmpty { parts.append(detail) }
        if let stream { parts.append("stream \(stream)") }
        if let expectedVersion { parts.append("expected \(expectedVersion)") }
        if let actualVersion { parts.append("actual version \(actualVersion)") }
        if let eventID { parts.append("event \(eventID)") }
        if let position { parts.append("position \(position)") }
        if let ownerPID { parts.append("held by pid \(ownerPID)") }
        return parts.joined(separator: ", ")
    }

    public static func wrongExpectedVersion(_ stream: StreamID, expected: ExpectedVersion, actual: StreamVersion) -> Self {
        EventStoreError(.wrongExpectedVersion, stream: stream, expectedVersion: expected, actualVersion: actual)
    }
}
