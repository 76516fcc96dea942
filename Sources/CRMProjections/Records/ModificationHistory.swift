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
/// Tables: `history` (position → entry, holding the scope at the event), `history-by-stream` (stream +
/// version → position), `history-by-customer` (customer id + position, no value), `history-stream-customer`
/// (stream → customer id) and the projection's own `customer-scope`.
///
/// ```swift
/// let trail = try ModificationHistory.history(of: Customer.stream(id), in: views)
/// ```
public struct ModificationHistory: Projection {
    public let name = "modification-history"
    /// 2: rows keyed by position (were stream + version, with a stream-and-version pointer per customer).
    public let version: UInt32 = 2
    public init() {}

    static let entries = ViewTable("history")
    static let byStream = ViewTable("history-by-stream")
    static let byCustomer = ViewTable("history-by-customer")
    static let streamCustomer = ViewTable("history-stream-customer")
    public var tables: [ViewTable] { [Self.entries, Self.byStream, Self.byCustomer, Self.streamCustomer, CustomerScopes.table] }
    /// Every event: each one is part of some record's history.
    public var eventTypes: Set<String>? { nil }

    /// Which of the two protocols each payload type conforms to (a conformance lookup per event otherwise).
    private static let traits = PayloadTypeMemo<(namesCustomer: Bool, hasFieldChanges: Bool)>()

    public func apply(_ event: ProjectionEvent, to views: any ViewWriter) throws {
        try CustomerScopes.apply(event, to: views)
        let streamKey = ViewKey().string(event.stream.rawValue)
        var customer = try views.row(UUID.self, forKey: streamKey.bytes, in: Self.streamCustomer)
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
        var row = BinaryWriter(capacity: 160)
        StoredEntry.encode(
            stream: event.stream, version: event.streamVersion, recordedAt: event.recordedAt, metadata: event.metadata,
            eventType: eventType, changes: changes, customerID: customer, to: &row)
        try CustomerScopes.appendScope(of: customer, in: views, to: &row)  // the scope at the event
        try views.append(row.bytes, forKey: position, in: Self.entries)
        try views.put(position, forKey: streamKey.uint64(event.streamVersion.rawValue).bytes, in: Self.byStream)
        if let customer {
            // Not `append`: the key leads with the customer, so it is rarely after the table's last one.
            try views.put([], forKey: ViewKey().uuid(customer).position(event.position).bytes, in: Self.byCustomer)
        }
    }

    /// The stored form of an entry: what ``HistoryEntry`` holds but its position (the row's key), its
    /// summary (the event type when there are no field changes) and its current scope (filled in by queries).
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
            // The scope at the event follows: ``CustomerScopes/appendScope(of:in:to:)``.
        }

        /// The entry at `position`, with `current` (the record's scope now) as its scope and the stored one as
        /// its scope at the event.
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
            let scope = try RecordScope(fromBinary: &r)
            return HistoryEntry(
                stream: stream, version: version, position: position, recordedAt: recordedAt, actor: actor, clientIP: clientIP,
                sourceSystem: sourceSystem, eventType: eventType, changes: changes, summary: changes.isEmpty ? eventType : nil,
                customerID: customerID, scope: current, scopeAtEvent: scope)
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
                guard let position = Self.position(value, at: 0) else { throw PayloadCodingError(.invalid, "history position") }
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
        try positions.compactMap { position in
            try views.withValue(forKey: ViewKey().position(position).bytes, in: entries) {
                try StoredEntry.decode($0, position: position, current: current)
            }
        }
    }

    /// The big-endian position of 8 bytes at `offset` of `bytes`.
    private static func position(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> GlobalPosition? {
        guard offset >= 0, bytes.count - offset == 8 else { return nil }
        return GlobalPosition(bytes[offset...].reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
    }
}
