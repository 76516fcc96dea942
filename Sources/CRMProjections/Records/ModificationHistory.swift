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

/// The modification history of every record type (R-LOG-5, R-LOG-6, ARCHITECTURE decision 8). The entries
/// — when, who, from where, field old → new — are the events in the log; this view adds what the log does not
/// say by itself: which customer each record belongs to (so a customer's history holds its linked records,
/// in log order) and the scope the record had at each event.
///
/// Tables: `history-streams` (stream + version → the record's customer from that version on, or nothing):
/// a row at each stream's first event and one where its customer changes, so it also lists the streams of a
/// category; `history-by-customer` (customer id + position, no value), the events of each customer's own
/// stream and of the streams linked to it (contacts, tasks, tickets, visits, …); `history-customer-scopes`
/// (customer id + position → the scope the customer took there: the scope at any event is the last one at or
/// before it) and the projection's own `customer-scope` (every customer's scope now).
///
/// Per event the projection reads the stream's rows (one, mostly) and writes a row for a customer's event;
/// a stream's first event writes its stream row.
///
/// ```swift
/// let events = … // a record's events from the log, decoded, in version order
/// let entries = try ModificationHistory.history(of: stream, events: events, in: views)
/// let trail = try ModificationHistory.trail(ofCustomer: id, in: views)   // positions in the log
/// ```
public struct ModificationHistory: Projection {
    public let name = "modification-history"
    /// 2: rows keyed by position (were stream + version, with a stream-and-version pointer per customer).
    /// 3: the scope at the event in `history-customer-scopes` (was in every entry), the customer in the
    /// stream index's rows. 4: no `history` table of entries (queries read the events from the log).
    /// 5: `history-streams` (a row per stream and per change of its customer) instead of a row per event in
    /// `history-by-stream` and the stream's customer in `history-stream-customer`.
    public let version: UInt32 = 5
    public init() {}

    static let streams = ViewTable("history-streams")
    static let byCustomer = ViewTable("history-by-customer")
    static let scopeChanges = ViewTable("history-customer-scopes")
    public var tables: [ViewTable] {
        [Self.streams, Self.byCustomer, CustomerScopes.table, Self.scopeChanges]
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
        let first = event.streamVersion <= .first
        var before: UUID?
        if !first { try Self.forEachCustomerChange(of: streamKey, in: views) { _, customer in before = customer } }
        var customer = before
        if Self.namesCustomer.value(for: event.payload, { event.payload is NamesCustomer }),
           let named = (event.payload as? NamesCustomer)?.linkedCustomer?.customerID {
            customer = named
        }
        if first || customer != before {
            var row = BinaryWriter(capacity: 16)
            if let customer { row.uuid(customer) }
            try views.put(row.bytes, forKey: streamKey.uint64(event.streamVersion.rawValue).bytes, in: Self.streams)
        }
        if let customer {
            // Not `append`: the key leads with the customer, so it is rarely after the table's last one.
            try views.put([], forKey: ViewKey().uuid(customer).position(event.position).bytes, in: Self.byCustomer)
        }
    }

    /// A stream's rows in `history-streams`, in version order: the version from which each customer (or none)
    /// holds.
    private static func forEachCustomerChange(of streamKey: ViewKey, in views: any ViewReader, _ body: (UInt64, UUID?) -> Void) throws {
        let prefixLength = streamKey.bytes.count
        try views.scan(streams, prefix: streamKey.bytes, after: nil) { key, value in
            guard key.count == prefixLength + 8, value.count == 0 || value.count == 16 else { throw PayloadCodingError(.invalid, "history stream row") }
            body(key[prefixLength...].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }, value.count == 16 ? UUID(viewKey: value, at: 0) : nil)
            return true
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
            try views.scan(Self.streams, prefix: prefix, after: cursor) { key, _ in
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

    /// A record's trail at `events` (its events from the log, as version and position, in version order):
    /// the customer it belonged to after each, the scope it had then, and its scope now.
    public static func trail(of stream: StreamID, at events: [(version: StreamVersion, position: GlobalPosition)], in views: any ViewReader) throws -> Trail {
        var changes: [(version: UInt64, customer: UUID?)] = []
        try forEachCustomerChange(of: ViewKey().string(stream.rawValue), in: views) { changes.append(($0, $1)) }
        var next = 0
        var customer: UUID?
        let found = events.map { event -> (GlobalPosition, UUID?) in
            while next < changes.count, changes[next].version <= event.version.rawValue {
                customer = changes[next].customer
                next += 1
            }
            return (event.position, customer)
        }
        return try trail(found, current: try CustomerScopes.scope(of: changes.last?.customer, in: views), in: views)
    }

    /// A customer's trail: its own stream and every stream linked to it, in log order, after global position
    /// `after`, at most `limit` events.
    public static func trail(ofCustomer customerID: UUID, in views: any ViewReader, after: GlobalPosition? = nil, limit: Int = 100) throws -> Trail {
        try customerTrail(customerID, in: views, from: after, limit: limit, backward: false)
    }

    /// A customer's trail newest first: its own stream and every stream linked to it, in reverse log order,
    /// before global position `before`, at most `limit` events.
    public static func latestTrail(ofCustomer customerID: UUID, in views: any ViewReader, before: GlobalPosition? = nil, limit: Int = 100) throws -> Trail {
        try customerTrail(customerID, in: views, from: before, limit: limit, backward: true)
    }

    /// Up to `limit` points of a customer's trail from the position `start` (exclusive), forward or backward.
    private static func customerTrail(_ customerID: UUID, in views: any ViewReader, from start: GlobalPosition?, limit: Int, backward: Bool) throws -> Trail {
        let prefix = ViewKey().uuid(customerID)
        var found: [(GlobalPosition, UUID?)] = []
        func visit(_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Bool {
            guard let position = Self.position(key, at: key.count - 8) else { throw PayloadCodingError(.invalid, "history position") }
            found.append((position, customerID))
            return found.count < limit
        }
        if limit > 0 {
            let bound = start.map { prefix.position($0).bytes }
            if backward {
                try views.scanBackward(byCustomer, prefix: prefix.bytes, before: bound, visit)
            } else {
                try views.scan(byCustomer, prefix: prefix.bytes, after: bound, visit)
            }
        }
        return try trail(found, current: try CustomerScopes.scope(of: customerID, in: views), in: views)
    }

    /// The entries of `trail`, from its events in the log (`events`: the decoded event at a position; a
    /// position it has no event for is left out). `replaced`: the revision each `QuoteRevised` (by its
    /// position) replaced, so its terms show old → new (``QuoteRevised/fieldChanges(replacing:)``; one not
    /// given shows them from nothing) — ``replacedRevisions(in:)`` finds those among the events at hand.
    public static func entries(_ trail: Trail, replaced: [GlobalPosition: QuoteRevision] = [:],
                               events: (GlobalPosition) throws -> ProjectionEvent?) rethrows -> [HistoryEntry] {
        try trail.points.compactMap { point in
            guard let event = try events(point.position) else { return nil }
            let changes = (event.payload as? QuoteRevised).map { $0.fieldChanges(replacing: replaced[point.position]) }
                ?? (event.payload as? HasFieldChanges)?.fieldChanges ?? []
            let eventType = type(of: event.payload).eventType
            return HistoryEntry(
                stream: event.stream, version: event.streamVersion, position: point.position, recordedAt: event.recordedAt,
                actor: event.metadata.actor, clientIP: event.metadata.clientIP, sourceSystem: event.metadata.sourceSystem,
                eventType: eventType, changes: changes, summary: changes.isEmpty ? eventType : nil,
                customerID: point.customerID, scope: trail.scope, scopeAtEvent: point.scopeAtEvent)
        }
    }

    /// A record's scope now (as in its entries' ``HistoryEntry/scope``), or nil when the view has no row of its
    /// stream: no such record, or not indexed yet.
    public static func scope(of stream: StreamID, in views: any ViewReader) throws -> RecordScope? {
        var rows = 0
        var customer: UUID?
        try forEachCustomerChange(of: ViewKey().string(stream.rawValue), in: views) { _, latest in
            rows += 1
            customer = latest
        }
        return rows == 0 ? nil : try CustomerScopes.scope(of: customer, in: views)
    }

    /// A record's history at `events` (its events from the log, decoded, in version order); `replaced` as
    /// ``entries(_:replaced:events:)`` takes it (by default the revisions found among `events`).
    public static func history(of stream: StreamID, events: [ProjectionEvent], replaced: [GlobalPosition: QuoteRevision]? = nil,
                               in views: any ViewReader) throws -> [HistoryEntry] {
        let trail = try trail(of: stream, at: events.map { ($0.streamVersion, $0.position) }, in: views)
        let byPosition = Dictionary(events.map { ($0.position, $0) }, uniquingKeysWith: { first, _ in first })
        return entries(trail, replaced: replaced ?? replacedRevisions(in: events)) { byPosition[$0] }
    }

    /// The revision each `QuoteRevised` among `events` replaced (by the revised event's position), where
    /// `events` hold it: the quote's `QuoteCreated` or `QuoteRevised` just before it (revision n − 1). A
    /// revision whose predecessor is not among them (a page that starts after it) is left out: the caller
    /// looks it up in the quote's state (`Quote.State.revisions`) or shows the terms from nothing.
    public static func replacedRevisions(in events: [ProjectionEvent]) -> [GlobalPosition: QuoteRevision] {
        var latest: [StreamID: QuoteRevision] = [:]
        var replaced: [GlobalPosition: QuoteRevision] = [:]
        for event in events.sorted(by: { $0.position < $1.position }) {
            if let created = event.payload as? QuoteCreated {
                latest[event.stream] = created.revision
            } else if let revised = event.payload as? QuoteRevised {
                if let previous = latest[event.stream], previous.number == revised.revision.number - 1 { replaced[event.position] = previous }
                latest[event.stream] = revised.revision
            }
        }
        return replaced
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
