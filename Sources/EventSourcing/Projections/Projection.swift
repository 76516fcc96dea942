import Foundation

/// A named table of a projection's view: rows are byte keys to byte values, sorted by key.
public struct ViewTable: Hashable, Sendable, CustomStringConvertible {
    public let name: String
    /// A 64-bit FNV-1a hash of `name`: storages look a table up on every row operation, and two different
    /// tables then differ in one integer comparison instead of a comparison of their names.
    private let fingerprint: UInt64

    public init(_ name: String) {
        self.name = name
        fingerprint = name.utf8.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }

    public var description: String { name }

    public static func == (lhs: ViewTable, rhs: ViewTable) -> Bool {
        lhs.fingerprint == rhs.fingerprint && lhs.name == rhs.name
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(name) }
}

/// Reads the rows of a projection's tables: what a query gets, inside one consistent snapshot.
public protocol ViewReader {
    /// The value stored under `key`, or nil.
    func value(forKey key: [UInt8], in table: ViewTable) throws -> [UInt8]?
    /// Lends the value stored under `key` to `body` (nil when absent) without copying it where the storage
    /// allows; the buffer is valid only inside `body`. A default implementation copies through ``value(forKey:in:)``.
    func withValue<R>(forKey key: [UInt8], in table: ViewTable, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R?
    /// Visits the rows whose key starts with `prefix`, in key order, starting after `after` when given
    /// (for cursor pagination). `body` returns false to stop. The buffers are valid only inside `body`.
    func scan(
        _ table: ViewTable, prefix: [UInt8], after: [UInt8]?,
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Bool
    ) throws
    /// Visits the rows whose key starts with `prefix` in reverse key order (the last first), starting below
    /// `before` when given (for newest-first pages). `body` returns false to stop. A default implementation
    /// reads the prefix's rows forward and visits them backwards; storages with cursors walk back directly.
    func scanBackward(
        _ table: ViewTable, prefix: [UInt8], before: [UInt8]?,
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Bool
    ) throws
}

/// Writes the rows of a projection's tables, inside the transaction that also stores its checkpoint.
public protocol ViewWriter: ViewReader {
    func put(_ value: [UInt8], forKey key: [UInt8], in table: ViewTable) throws
    /// Stores a row whose key is expected to sort after every key of `table` (a log position, say): the
    /// same result as ``put(_:forKey:in:)``, which it falls back to otherwise, but a storage may add it at
    /// the table's end without a search and fill its pages completely.
    func append(_ value: [UInt8], forKey key: [UInt8], in table: ViewTable) throws
    /// Removes a row; removing a missing row is not an error.
    func delete(key: [UInt8], in table: ViewTable) throws
}

extension ViewWriter {
    public func append(_ value: [UInt8], forKey key: [UInt8], in table: ViewTable) throws {
        try put(value, forKey: key, in: table)
    }
}

extension ViewReader {
    public func scanBackward(
        _ table: ViewTable, prefix: [UInt8], before: [UInt8]?,
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Bool
    ) throws {
        var rows: [(key: [UInt8], value: [UInt8])] = []
        try scan(table, prefix: prefix, after: nil) { key, value in
            if let before, !Array(key).lexicographicallyPrecedes(before) { return false }
            rows.append((Array(key), Array(value)))
            return true
        }
        for (key, value) in rows.reversed() {
            guard try key.withUnsafeBytes({ k in try value.withUnsafeBytes { v in try body(k, v) } }) else { return }
        }
    }

    public func withValue<R>(forKey key: [UInt8], in table: ViewTable, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R? {
        guard let bytes = try value(forKey: key, in: table) else { return nil }
        return try bytes.withUnsafeBytes { try body($0) }
    }

    /// Every row whose key starts with `prefix`.
    public func scan(
        _ table: ViewTable, prefix: [UInt8] = [],
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Bool
    ) throws {
        try scan(table, prefix: prefix, after: nil, body)
    }

    /// The row under `key` decoded as `T` (a row type written with ``ViewWriter/put(row:forKey:in:)``).
    public func row<T: Decodable>(_ type: T.Type, forKey key: [UInt8], in table: ViewTable) throws -> T? {
        guard let bytes = try value(forKey: key, in: table) else { return nil }
        return try BinaryPayloadDecoder.decode(T.self, from: bytes)
    }

    /// Up to `limit` rows whose key starts with `prefix`, after `after`, decoded as `T`, with their keys.
    public func rows<T: Decodable>(
        _ type: T.Type, in table: ViewTable, prefix: [UInt8] = [], after: [UInt8]? = nil, limit: Int = .max,
        where include: (T) -> Bool = { _ in true }
    ) throws -> [(key: [UInt8], row: T)] {
        try collect(in: table, prefix: prefix, after: after, limit: limit, where: include) { try BinaryPayloadDecoder.decode(T.self, from: $0) }
    }

    /// The rows of a prefix scan decoded by `decode`, filtered by `include`, at most `limit`.
    func collect<T>(
        in table: ViewTable, prefix: [UInt8], after: [UInt8]?, limit: Int, where include: (T) -> Bool,
        _ decode: (UnsafeRawBufferPointer) throws -> T
    ) throws -> [(key: [UInt8], row: T)] {
        var out: [(key: [UInt8], row: T)] = []
        guard limit > 0 else { return out }
        try scan(table, prefix: prefix, after: after) { key, value in
            let row = try decode(value)
            if include(row) { out.append((Array(key), row)) }
            return out.count < limit
        }
        return out
    }
}

// Fast paths for row types with a hand-written binary form (``BinaryPayloadCodable``): the same bytes as
// the generic `Codable` path, which reaches the same form, but chosen at compile time — no coder object,
// no dynamic cast or conformance lookup per row, and rows decoded straight from the storage's buffer.
// Overload resolution picks them wherever the row type is known statically.
extension ViewReader {
    /// The row under `key` decoded through its hand-written binary form.
    public func row<T: Decodable & BinaryPayloadCodable>(_ type: T.Type, forKey key: [UInt8], in table: ViewTable) throws -> T? {
        try withValue(forKey: key, in: table) { try BinaryPayloadDecoder.decodeBinary(T.self, from: $0) }
    }

    /// Up to `limit` rows whose key starts with `prefix`, after `after`, decoded through their binary form.
    public func rows<T: Decodable & BinaryPayloadCodable>(
        _ type: T.Type, in table: ViewTable, prefix: [UInt8] = [], after: [UInt8]? = nil, limit: Int = .max,
        where include: (T) -> Bool = { _ in true }
    ) throws -> [(key: [UInt8], row: T)] {
        try collect(in: table, prefix: prefix, after: after, limit: limit, where: include) { try BinaryPayloadDecoder.decodeBinary(T.self, from: $0) }
    }
}

extension ViewWriter {
    /// Stores a row through its hand-written binary form.
    public func put<T: Encodable & BinaryPayloadCodable>(row: T, forKey key: [UInt8], in table: ViewTable) throws {
        try put(row.binaryForm, forKey: key, in: table)
    }

    /// ``update(_:forKey:in:_:)`` for a row type with a hand-written binary form.
    public func update<T: Codable & BinaryPayloadCodable>(_ type: T.Type, forKey key: [UInt8], in table: ViewTable, _ body: (T?) throws -> T?) throws {
        let old = try row(T.self, forKey: key, in: table)
        if let new = try body(old) {
            try put(row: new, forKey: key, in: table)
        } else if old != nil {
            try delete(key: key, in: table)
        }
    }
}

extension ViewWriter {
    /// Stores a row type in the binary payload format (deterministic bytes: dictionaries in key order), so a
    /// rebuilt view equals the incrementally built one byte for byte.
    public func put<T: Encodable>(row: T, forKey key: [UInt8], in table: ViewTable) throws {
        try put(BinaryPayloadEncoder.encode(row), forKey: key, in: table)
    }

    /// Reads a row, lets `body` change it (nil: a new row) and stores it again; returning nil deletes it.
    public func update<T: Codable>(_ type: T.Type, forKey key: [UInt8], in table: ViewTable, _ body: (T?) throws -> T?) throws {
        let old = try row(T.self, forKey: key, in: table)
        if let new = try body(old) {
            try put(row: new, forKey: key, in: table)
        } else if old != nil {
            try delete(key: key, in: table)
        }
    }
}

/// A decoded event as a projection sees it: where it sits in the log, who caused it, and its payload.
public struct ProjectionEvent: @unchecked Sendable {
    public let id: UUID
    public let stream: StreamID
    public let streamVersion: StreamVersion
    public let position: GlobalPosition
    public let recordedAt: Date
    public let metadata: EventMetadata
    /// The payload, upcast to its current schema.
    public let payload: any EventPayload

    public init(
        id: UUID, stream: StreamID, streamVersion: StreamVersion, position: GlobalPosition, recordedAt: Date,
        metadata: EventMetadata, payload: any EventPayload
    ) {
        self.id = id
        self.stream = stream
        self.streamVersion = streamVersion
        self.position = position
        self.recordedAt = recordedAt
        self.metadata = metadata
        self.payload = payload
    }
}

/// A read model folded from the log (ARCHITECTURE decision 1): a pure function from events to rows.
///
/// A projection has a unique ``name``, a ``version`` (raise it whenever the rows it writes change shape
/// or meaning: the runtime then rebuilds it from the log on open) and the ``tables`` it writes. `apply`
/// must depend only on the event and the rows already written — never on a clock or on another
/// projection — so that rebuilding from zero gives exactly the rows incremental updating gave.
///
/// A projection that handles several event types switches over the payload *opened to its type* — passed
/// to a generic function first, as below. Each `case let e as T` is a dynamic cast, and a failing one
/// from a known type costs a fraction of one out of the `any EventPayload` existential; over a rebuild's
/// million events and a few dozen cases the difference showed (docs/BENCHMARKS.md, "Engine").
///
/// ```swift
/// struct CustomerNames: Projection {
///     let name = "customer-names"; let version: UInt32 = 1
///     static let names = ViewTable("names")
///     var tables: [ViewTable] { [Self.names] }
///     var eventTypes: Set<String>? { [CustomerCreated.eventType, CustomerRenamed.eventType] }
///     func apply(_ event: ProjectionEvent, to views: any ViewWriter) throws {
///         try apply(event.payload, to: views)
///     }
///     private func apply<Payload: EventPayload>(_ payload: Payload, to views: any ViewWriter) throws {
///         switch payload {
///         case let e as CustomerCreated: try views.put(Array(e.name.utf8), forKey: ViewKey().uuid(e.customerID).bytes, in: Self.names)
///         case let e as CustomerRenamed: try views.put(Array(e.name.utf8), forKey: ViewKey().uuid(e.customerID).bytes, in: Self.names)
///         default: return
///         }
///     }
/// }
/// ```
public protocol Projection: Sendable {
    var name: String { get }
    var version: UInt32 { get }
    var tables: [ViewTable] { get }
    /// The event types this projection reads; other events are not decoded for it (its checkpoint still
    /// advances past them). Nil reads every event.
    var eventTypes: Set<String>? { get }
    func apply(_ event: ProjectionEvent, to views: any ViewWriter) throws
}
