import CRMDomain
import EventSourcing
import Foundation

/// One event in a record's modification trail (R-LOG-5): when, who, from where, what changed.
public struct HistoryEntry: Codable, Hashable, Sendable {
    public var stream: StreamID
    public var version: StreamVersion
    public var position: GlobalPosition
    public var recordedAt: Date
    /// The principal who caused it (`metadata.actor`).
    public var actor: String
    public var clientIP: String?
    public var sourceSystem: String?
    public var eventType: String
    /// Field changes old → new, when the event records them (see ``HasFieldChanges``); else empty.
    public var changes: [FieldChange]
    /// A one-line summary when there are no field changes: the event type.
    public var summary: String?
    /// The customer the record belongs to, if any.
    public var customerID: UUID?
    /// The record's scope now (its customer's current scope; `global` for records of no customer). Queries
    /// fill it in, so a customer moved to another branch is filtered by where it is now.
    public var scope: RecordScope
    /// The scope the record had when the event was recorded (stored; nil inside the table).
    public var scopeAtEvent: RecordScope?
}

/// The modification history of every record type (R-LOG-5, R-LOG-6, ARCHITECTURE decision 8): one row per
/// event of every stream, keyed by its global position, so rows arrive in key order and are appended at the
/// table's end; an index of each stream's events by stream version; and an index of the events of each
/// customer's own stream and of the streams linked to it (contacts, tasks, tickets, visits, …) by position.
///
/// Tables: `history` (position → entry), `history-by-stream` (stream + version → position, then the id of
/// the record's customer after the event when it has one), `history-by-customer` (customer id + position,
/// no value), `history-stream-customer` (stream → customer id, for queries), `history-customer-scopes`
/// (customer id + position → the scope the customer took there: the scope at any event is the last one at
/// or before it) and the projection's own `customer-scope` (every customer's scope now).
///
/// Per event the projection reads one row, the stream's previous index row, whose key sits next to the one
/// it then writes; the scope at the event is looked up by queries, not copied into every entry.
///
/// ```swift
/// let trail = try ModificationHistory.history(of: Customer.stream(id), in: views)
/// ```
public struct ModificationHistory: Projection {
    public let name = "modification-history"
    /// 2: rows keyed by position (were stream + version, with a stream-and-version pointer per customer).
    /// 3: the scope at the event in `history-customer-scopes` (was in every entry), the customer in the
    /// stream index's rows.
    public let version: UInt32 = 3
    public init() {}

    static let entries = ViewTable("history")
    static let byStream = ViewTable("history-by-stream")
    static let byCustomer = ViewTable("history-by-customer")
    static let streamCustomer = ViewTable("history-stream-customer")
    static let scopeChanges = ViewTable("history-customer-scopes")
    public var tables: [ViewTable] {
        [Self.entries, Self.byStream, Self.byCustomer, Self.streamCustomer, CustomerScopes.table, Self.scopeChanges]
    }
    /// Every event: each one is part of some record's history.
    public var eventTypes: Set<String>? { nil }

    /// Which of the two protocols each payload type conforms to (a conformance lookup per event otherwise).
    private static let traits = PayloadTypeMemo<(namesCustomer: Bool, hasFieldChanges: Bool)>()

    public func apply(_ event: ProjectionEvent, to views: any ViewWriter) throws {
        if let moved = try CustomerScopes.apply(event, to: views) {
            var scope = BinaryWriter(capacity: 64)
            try CustomerScopes.appendScope(of: moved, in: views, to: &scope)
            try views.put(scope.bytes, forKey: ViewKey().uuid(moved).position(event.position).bytes, in: Self.scopeChanges)
        }
        let streamKey = ViewKey().string(event.stream.rawValue)
        var customer = try customerBefore(event, streamKey: streamKey, in: views)
        let traits = Self.traits.value(for: event.payload) {
            (namesCustomer: event.payload is NamesCustomer, hasFieldChanges: event.payload is HasFieldChanges)
        }
        if traits.namesCustomer, let named = (event.payload as? NamesCustomer)?.linkedCustomer?.customerID, named != customer {
            customer = named
            try views.put(row: named, forKey: streamKey.bytes, in: Self.streamCustomer)
        }
        let changes = traits.hasFieldChanges ? (event.payload as? HasFieldChanges)?.fieldChanges ?? [] : []
        let eventType = type(of: event.payload).eventType
        let position = ViewKey().position(event.position).bytes
        var row = BinaryWriter(capacity: 128)
        StoredEntry.encode(
            stream: event.stream, version: event.streamVersion, recordedAt: event.recordedAt, metadata: event.metadata,
            eventType: eventType, changes: changes, customerID: customer, to: &row)
        try views.append(row.bytes, forKey: position, in: Self.entries)
        var index = BinaryWriter(capacity: 24)
        position.withUnsafeBytes { index.verbatim($0) }
        if let customer { index.uuid(customer) }
        try views.put(index.bytes, forKey: streamKey.uint64(event.streamVersion.rawValue).bytes, in: Self.byStream)
        if let customer {
            // Not `append`: the key leads with the customer, so it is rarely after the table's last one.
            try views.put([], forKey: ViewKey().uuid(customer).position(event.position).bytes, in: Self.byCustomer)
        }
    }

    /// The customer of the event's stream before the event: from the stream's previous index row (its key is
    /// next to the row this event writes, so the write finds its page at hand), else from
    /// `history-stream-customer`.
    private func customerBefore(_ event: ProjectionEvent, streamKey: ViewKey, in views: any ViewReader) throws -> UUID? {
        guard event.streamVersion > .first else { return nil }
        let previous = streamKey.uint64(event.streamVersion.rawValue - 1).bytes
        if let found = try views.withValue(forKey: previous, in: Self.byStream, { Self.customer(inIndexRow: $0) }) { return found }
        return try views.row(UUID.self, forKey: streamKey.bytes, in: Self.streamCustomer)
    }

    /// The customer id after the position in a `history-by-stream` row (nil when the record has none).
    private static func customer(inIndexRow bytes: UnsafeRawBufferPointer) -> UUID? {
        bytes.count == 24 ? UUID(viewKey: bytes, at: 8) : nil
    }

    /// The stored form of an entry: what ``HistoryEntry`` holds but its position (the row's key), its
    /// summary (the event type when there are no field changes) and its scopes (filled in by queries).
    enum StoredEntry {
        static func encode(
            stream: StreamID, version: StreamVersion, recordedAt: Date, metadata: EventMetadata, eventType: String,
            changes: [FieldChange], customerID: UUID?, to w: inout BinaryWriter
        ) {
            w.string(stream.rawValue)
            w.varint(version.rawValue)
            w.date(recordedAt)
            w.string(metadata.actor)
            w.optional(metadata.clientIP) { $0.string($1) }
            w.optional(metadata.sourceSystem) { $0.string($1) }
            w.string(eventType)
            changes.encode(toBinary: &w)
            w.optional(customerID) { $0.uuid($1) }
        }

        /// The entry at `position`, with `current` (the record's scope now) as its scope; its scope at the
        /// event is left nil.
        static func decode(_ bytes: UnsafeRawBufferPointer, position: GlobalPosition, current: RecordScope) throws -> HistoryEntry {
            var r = BinaryReader(bytes)
            let stream = StreamID(try r.string())
            let version = StreamVersion(try r.varint())
            let recordedAt = try r.date()
            let actor = try r.string()
            let clientIP = try r.optional { try $0.string() }
            let sourceSystem = try r.optional { try $0.string() }
            let eventType = try r.string()
            let changes = try [FieldChange](fromBinary: &r)
            let customerID = try r.optional { try $0.uuid() }
            return HistoryEntry(
                stream: stream, version: version, position: position, recordedAt: recordedAt, actor: actor, clientIP: clientIP,
                sourceSystem: sourceSystem, eventType: eventType, changes: changes, summary: changes.isEmpty ? eventType : nil,
                customerID: customerID, scope: current, scopeAtEvent: nil)
        }
    }

    /// The streams of one record category (`product`, `campaign`, …) that have events, in stream-name order,
    /// after the stream named `after`, at most `limit`: one seek per stream, whatever its length.
    public static func streams(category: String, in views: any ViewReader, after: String? = nil, limit: Int = 100) throws -> [StreamID] {
        let prefix = Array((category + "-").utf8)
        var out: [StreamID] = []
        var cursor = after.map { ViewKey().string($0).uint64(.max).bytes }
        while out.count < limit {
            var found: String?
            try views.scan(byStream, prefix: prefix, after: cursor) { key, _ in
                if let end = key.firstIndex(of: 0) { found = String(decoding: key[..<end], as: UTF8.self) }
                return false
            }
            guard let name = found else { break }
            out.append(StreamID(name))
            cursor = ViewKey().string(name).uint64(.max).bytes
        }
        return out
    }

    /// A record's history, oldest first, after stream version `after`, at most `limit` entries.
    public static func history(
        of stream: StreamID, in views: any ViewReader, after: StreamVersion? = nil, limit: Int = 100
    ) throws -> [HistoryEntry] {
        let prefix = ViewKey().string(stream.rawValue)
        var positions: [GlobalPosition] = []
        if limit > 0 {
            try views.scan(byStream, prefix: prefix.bytes, after: after.map { prefix.uint64($0.rawValue).bytes }) { _, value in
                // The position, then the customer's id when the record has one.
                guard value.count == 8 || value.count == 24, let position = Self.position(UnsafeRawBufferPointer(rebasing: value[..<8]), at: 0) else {
                    throw PayloadCodingError(.invalid, "history position")
                }
                positions.append(position)
                return positions.count < limit
            }
        }
        let customer = try views.row(UUID.self, forKey: prefix.bytes, in: streamCustomer)
        return try entries(at: positions, current: try CustomerScopes.scope(of: customer, in: views), in: views)
    }

    /// A customer's history: its own stream and every stream linked to it, in log order, after global
    /// position `after`, at most `limit` entries.
    public static func history(
        ofCustomer customerID: UUID, in views: any ViewReader, after: GlobalPosition? = nil, limit: Int = 100
    ) throws -> [HistoryEntry] {
        let prefix = ViewKey().uuid(customerID)
        var positions: [GlobalPosition] = []
        if limit > 0 {
            try views.scan(byCustomer, prefix: prefix.bytes, after: after.map { prefix.position($0).bytes }) { key, _ in
                guard let position = Self.position(key, at: key.count - 8) else { throw PayloadCodingError(.invalid, "history position") }
                positions.append(position)
                return positions.count < limit
            }
        }
        return try entries(at: positions, current: try CustomerScopes.scope(of: customerID, in: views), in: views)
    }

    private static func entries(at positions: [GlobalPosition], current: RecordScope, in views: any ViewReader) throws -> [HistoryEntry] {
        var scopeChanges: [UUID: [(position: GlobalPosition, scope: RecordScope)]] = [:]
        return try positions.compactMap { position in
            let stored = try views.withValue(forKey: ViewKey().position(position).bytes, in: entries) {
                try StoredEntry.decode($0, position: position, current: current)
            }
            guard var entry = stored else { return nil }
            entry.scopeAtEvent = .global
            if let customer = entry.customerID {
                if scopeChanges[customer] == nil { scopeChanges[customer] = try Self.scopeChanges(of: customer, in: views) }
                entry.scopeAtEvent = scopeChanges[customer]?.last { $0.position <= position }?.scope ?? .global
            }
            return entry
        }
    }

    /// The scopes a customer took, in log order, each with the position of the event that gave it.
    private static func scopeChanges(of customer: UUID, in views: any ViewReader) throws -> [(position: GlobalPosition, scope: RecordScope)] {
        try views.rows(RecordScope.self, in: scopeChanges, prefix: ViewKey().uuid(customer).bytes).map { key, scope in
            guard let position = key.withUnsafeBytes({ Self.position($0, at: $0.count - 8) }) else {
                throw PayloadCodingError(.invalid, "history scope position")
            }
            return (position, scope)
        }
    }

    /// The big-endian position of 8 bytes at `offset` of `bytes`.
    private static func position(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> GlobalPosition? {
        guard offset >= 0, bytes.count - offset == 8 else { return nil }
        return GlobalPosition(bytes[offset...].reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
    }
}
