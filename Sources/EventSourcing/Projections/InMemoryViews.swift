import Foundation

/// Projection tables in memory: for tests of a projection's `apply` and its queries without LMDB.
///
/// ```swift
/// let views = InMemoryViews()
/// try projection.apply(event, to: views)
/// let row = try views.row(Row.self, forKey: key, in: table)
/// ```
public final class InMemoryViews: ViewWriter {
    /// Every table's rows, sorted by key.
    public private(set) var tables: [ViewTable: [[UInt8]: [UInt8]]] = [:]

    public init() {}

    public func value(forKey key: [UInt8], in table: ViewTable) throws -> [UInt8]? { tables[table]?[key] }

    public func put(_ value: [UInt8], forKey key: [UInt8], in table: ViewTable) throws {
        tables[table, default: [:]][key] = value
    }

    public func delete(key: [UInt8], in table: ViewTable) throws { tables[table]?[key] = nil }

    public func scan(
        _ table: ViewTable, prefix: [UInt8], after: [UInt8]?,
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Bool
    ) throws {
        let rows = (tables[table] ?? [:]).filter { $0.key.starts(with: prefix) }.sorted { $0.key.lexicographicallyPrecedes($1.key) }
        for (key, value) in rows {
            if let after, !after.lexicographicallyPrecedes(key) { continue }
            let more = try key.withUnsafeBytes { k in try value.withUnsafeBytes { v in try body(k, v) } }
            if !more { return }
        }
    }

    /// Applies events in order: what the runtime does, without checkpoints.
    public func apply(_ events: [ProjectionEvent], to projection: any Projection) throws {
        for event in events {
            if let types = projection.eventTypes, !types.contains(type(of: event.payload).eventType) { continue }
            try projection.apply(event, to: self)
        }
    }
}
