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
/// event of every stream, keyed by stream + stream version, and an index of the events of each customer's
/// own stream and of the streams linked to it (contacts, tasks, tickets, visits, …) by global position.
///
/// Tables: `history` (stream + version → entry, holding the scope at the event), `history-by-customer`
/// (customer id + position → stream and version), `history-stream-customer` (stream → customer id) and the
/// projection's own `customer-scope`.
///
/// ```swift
/// let trail = try ModificationHistory.history(of: Customer.stream(id), in: views)
/// ```
public struct ModificationHistory: Projection {
    public let name = "modification-history"
    public let version: UInt32 = 1
    public init() {}

    static let entries = ViewTable("history")
    static let byCustomer = ViewTable("history-by-customer")
    static let streamCustomer = ViewTable("history-stream-customer")
    public var tables: [ViewTable] { [Self.entries, Self.byCustomer, Self.streamCustomer, CustomerScopes.table] }
    /// Every event: each one is part of some record's history.
    public var eventTypes: Set<String>? { nil }

    struct Pointer: Codable {
        var stream: StreamID
        var version: StreamVersion
    }

    public func apply(_ event: ProjectionEvent, to views: any ViewWriter) throws {
        try CustomerScopes.apply(event, to: views)
        let streamKey = ViewKey().string(event.stream.rawValue).bytes
        var customer = try views.row(UUID.self, forKey: streamKey, in: Self.streamCustomer)
        if let named = (event.payload as? NamesCustomer)?.linkedCustomer?.customerID, named != customer {
            customer = named
            try views.put(row: named, forKey: streamKey, in: Self.streamCustomer)
        }
        let changes = (event.payload as? HasFieldChanges)?.fieldChanges ?? []
        let eventType = type(of: event.payload).eventType
        let entry = HistoryEntry(
            stream: event.stream, version: event.streamVersion, position: event.position, recordedAt: event.recordedAt,
            actor: event.metadata.actor, clientIP: event.metadata.clientIP, sourceSystem: event.metadata.sourceSystem,
            eventType: eventType, changes: changes, summary: changes.isEmpty ? eventType : nil, customerID: customer,
            scope: try CustomerScopes.scope(of: customer, in: views), scopeAtEvent: nil)
        try views.put(row: entry, forKey: Self.key(event.stream, event.streamVersion), in: Self.entries)
        if let customer {
            try views.put(row: Pointer(stream: event.stream, version: event.streamVersion),
                          forKey: ViewKey().uuid(customer).position(event.position).bytes, in: Self.byCustomer)
        }
    }

    static func key(_ stream: StreamID, _ version: StreamVersion) -> [UInt8] {
        ViewKey().string(stream.rawValue).uint64(version.rawValue).bytes
    }

    /// The streams of one record category (`product`, `campaign`, …) that have events, in stream-name order,
    /// after the stream named `after`, at most `limit`: one seek per stream, whatever its length.
    public static func streams(category: String, in views: any ViewReader, after: String? = nil, limit: Int = 100) throws -> [StreamID] {
        let prefix = Array((category + "-").utf8)
        var out: [StreamID] = []
        var cursor = after.map { ViewKey().string($0).uint64(.max).bytes }
        while out.count < limit {
            var found: String?
            try views.scan(entries, prefix: prefix, after: cursor) { key, _ in
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
        let prefix = ViewKey().string(stream.rawValue).bytes
        let rows = try views.rows(HistoryEntry.self, in: entries, prefix: prefix, after: after.map { key(stream, $0) }, limit: limit)
        let customer = try views.row(UUID.self, forKey: prefix, in: streamCustomer)
        let current = try CustomerScopes.scope(of: customer, in: views)
        return rows.map { withCurrent($0.row, customer == nil ? .global : current) }
    }

    /// A customer's history: its own stream and every stream linked to it, in log order, after global
    /// position `after`, at most `limit` entries.
    public static func history(
        ofCustomer customerID: UUID, in views: any ViewReader, after: GlobalPosition? = nil, limit: Int = 100
    ) throws -> [HistoryEntry] {
        let prefix = ViewKey().uuid(customerID)
        let pointers = try views.rows(Pointer.self, in: byCustomer, prefix: prefix.bytes, after: after.map { prefix.position($0).bytes }, limit: limit)
        let current = try CustomerScopes.scope(of: customerID, in: views)
        return try pointers.compactMap { pointer in
            try views.row(HistoryEntry.self, forKey: key(pointer.row.stream, pointer.row.version), in: entries).map { withCurrent($0, current) }
        }
    }

    private static func withCurrent(_ stored: HistoryEntry, _ scope: RecordScope) -> HistoryEntry {
        var e = stored
        e.scopeAtEvent = stored.scope
        e.scope = scope
        return e
    }
}
