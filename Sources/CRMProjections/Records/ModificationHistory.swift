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

/// The modification history of every record type (R-LOG-5, R-LOG-6, ARCHITECTURE decision 8): an index of
/// each stream's events by stream version, and of the events of each customer's own stream and of the
/// streams linked to it (contacts, tasks, tickets, visits, …) by position. The entries themselves — when,
/// who, from where, field old → new — are the events in the log: a query reads the positions here and the
/// events there (``trail(of:in:after:limit:)``, then ``entries(_:events:)``), so the views hold no second
/// copy of the log.
///
/// Tables: `history-by-stream` (stream + version → position, then the id of the record's customer after the
/// event when it has one), `history-by-customer` (customer id + position, no value),
/// `history-stream-customer` (stream → customer id, for queries), `history-customer-scopes` (customer id +
/// position → the scope the customer took there: the scope at any event is the last one at or before it)
/// and the projection's own `customer-scope` (every customer's scope now).
///
/// Per event the projection reads one row, the stream's previous index row, whose key sits next to the one
/// it then writes; the scope at the event is looked up by queries, not copied into every row.
///
/// ```swift
/// let trail = try ModificationHistory.trail(of: Customer.stream(id), in: views)
/// let events = … // the log's events at trail.points.map(\.position), decoded
/// let entries = ModificationHistory.entries(trail) { events[$0] }
/// ```
public struct ModificationHistory: Projection {
    public let name = "modification-history"
    /// 2: rows keyed by position (were stream + version, with a stream-and-version pointer per customer).
    /// 3: the scope at the event in `history-customer-scopes` (was in every entry), the customer in the
    /// stream index's rows. 4: no `history` table of entries (queries read the events from the log).
    public let version: UInt32 = 4
    public init() {}

    static let byStream = ViewTable("history-by-stream")
    static let byCustomer = ViewTable("history-by-customer")
    static let streamCustomer = ViewTable("history-stream-customer")
    static let scopeChanges = ViewTable("history-customer-scopes")
    public var tables: [ViewTable] {
        [Self.byStream, Self.byCustomer, Self.streamCustomer, CustomerScopes.table, Self.scopeChanges]
    }
    /// Every event: each one is part of some record's history.
    public var eventTypes: Set<String>? { nil }

    /// Whether each payload type names a customer (a conformance lookup per event otherwise).
    private static let namesCustomer = PayloadTypeMemo<Bool>()

    public func apply(_ event: ProjectionEvent, to views: any ViewWriter) throws {
        if let moved = try CustomerScopes.apply(event, to: views) {
            var scope = BinaryWriter(capacity: 64)
            try CustomerScopes.appendScope(of: moved, in: views, to: &scope)
            try views.put(scope.bytes, forKey: ViewKey().uuid(moved).position(event.position).bytes, in: Self.scopeChanges)
        }
        let streamKey = ViewKey().string(event.stream.rawValue)
        var customer = try customerBefore(event, streamKey: streamKey, in: views)
        if Self.namesCustomer.value(for: event.payload, { event.payload is NamesCustomer }),
           let named = (event.payload as? NamesCustomer)?.linkedCustomer?.customerID, named != customer {
            customer = named
            try views.put(row: named, forKey: streamKey.bytes, in: Self.streamCustomer)
        }
        let position = ViewKey().position(event.position).bytes
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

    /// Where a record's entries are in the log, and what the views add to them: the customer of the record
    /// after each event and the scope it had then, and the record's scope now.
    public struct Trail: Sendable, Hashable {
        public struct Point: Sendable, Hashable {
            public var position: GlobalPosition
            /// The customer the record belonged to after the event, if any.
            public var customerID: UUID?
            /// The scope the record had when the event was recorded.
            public var scopeAtEvent: RecordScope
        }
        public var points: [Point]
        /// The record's scope now (its customer's current scope; `global` for records of no customer).
        public var scope: RecordScope
    }

    /// A record's trail, oldest first, after stream version `after`, at most `limit` events.
    public static func trail(of stream: StreamID, in views: any ViewReader, after: StreamVersion? = nil, limit: Int = 100) throws -> Trail {
        let prefix = ViewKey().string(stream.rawValue)
        var found: [(GlobalPosition, UUID?)] = []
        if limit > 0 {
            try views.scan(byStream, prefix: prefix.bytes, after: after.map { prefix.uint64($0.rawValue).bytes }) { _, value in
                // The position, then the customer's id when the record has one.
                guard value.count == 8 || value.count == 24, let position = Self.position(UnsafeRawBufferPointer(rebasing: value[..<8]), at: 0) else {
                    throw PayloadCodingError(.invalid, "history position")
                }
                found.append((position, value.count == 24 ? UUID(viewKey: value, at: 8) : nil))
                return found.count < limit
            }
        }
        let customer = try views.row(UUID.self, forKey: prefix.bytes, in: streamCustomer)
        return try trail(found, current: try CustomerScopes.scope(of: customer, in: views), in: views)
    }

    /// A customer's trail: its own stream and every stream linked to it, in log order, after global position
    /// `after`, at most `limit` events.
    public static func trail(ofCustomer customerID: UUID, in views: any ViewReader, after: GlobalPosition? = nil, limit: Int = 100) throws -> Trail {
        let prefix = ViewKey().uuid(customerID)
        var found: [(GlobalPosition, UUID?)] = []
        if limit > 0 {
            try views.scan(byCustomer, prefix: prefix.bytes, after: after.map { prefix.position($0).bytes }) { key, _ in
                guard let position = Self.position(key, at: key.count - 8) else { throw PayloadCodingError(.invalid, "history position") }
                found.append((position, customerID))
                return found.count < limit
            }
        }
        return try trail(found, current: try CustomerScopes.scope(of: customerID, in: views), in: views)
    }

    /// The entries of `trail`, from its events in the log (`events`: the decoded event at a position; a
    /// position it has no event for is left out).
    public static func entries(_ trail: Trail, events: (GlobalPosition) throws -> ProjectionEvent?) rethrows -> [HistoryEntry] {
        try trail.points.compactMap { point in
            guard let event = try events(point.position) else { return nil }
            let changes = (event.payload as? HasFieldChanges)?.fieldChanges ?? []
            let eventType = type(of: event.payload).eventType
            return HistoryEntry(
                stream: event.stream, version: event.streamVersion, position: point.position, recordedAt: event.recordedAt,
                actor: event.metadata.actor, clientIP: event.metadata.clientIP, sourceSystem: event.metadata.sourceSystem,
                eventType: eventType, changes: changes, summary: changes.isEmpty ? eventType : nil,
                customerID: point.customerID, scope: trail.scope, scopeAtEvent: point.scopeAtEvent)
        }
    }

    /// A record's history, oldest first (``trail(of:in:after:limit:)`` with its entries).
    public static func history(
        of stream: StreamID, in views: any ViewReader, after: StreamVersion? = nil, limit: Int = 100,
        events: (GlobalPosition) throws -> ProjectionEvent?
    ) throws -> [HistoryEntry] {
        try entries(try trail(of: stream, in: views, after: after, limit: limit), events: events)
    }

    /// A customer's history with its linked records, in log order (``trail(ofCustomer:in:after:limit:)`` with
    /// its entries).
    public static func history(
        ofCustomer customerID: UUID, in views: any ViewReader, after: GlobalPosition? = nil, limit: Int = 100,
        events: (GlobalPosition) throws -> ProjectionEvent?
    ) throws -> [HistoryEntry] {
        try entries(try trail(ofCustomer: customerID, in: views, after: after, limit: limit), events: events)
    }

    private static func trail(_ found: [(position: GlobalPosition, customer: UUID?)], current: RecordScope, in views: any ViewReader) throws -> Trail {
        var scopeChanges: [UUID: [(position: GlobalPosition, scope: RecordScope)]] = [:]
        let points = try found.map { position, customer -> Trail.Point in
            var scope = RecordScope.global
            if let customer {
                if scopeChanges[customer] == nil { scopeChanges[customer] = try Self.scopeChanges(of: customer, in: views) }
                scope = scopeChanges[customer]?.last { $0.position <= position }?.scope ?? .global
            }
            return Trail.Point(position: position, customerID: customer, scopeAtEvent: scope)
        }
        return Trail(points: points, scope: current)
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
