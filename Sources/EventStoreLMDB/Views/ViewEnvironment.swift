import EventSourcing
import Foundation
import LMDB

/// One projection's LMDB environment: its tables as named databases and a `meta` database holding the
/// projection's name, version and checkpoint — written in the same transaction as the rows, so the rows
/// and the checkpoint always agree, whenever the process dies (ARCHITECTURE decision 3).
final class ViewEnvironment: @unchecked Sendable {
    let path: String
    let environment: Environment
    /// The tables in the projection's order: a handful, found by a linear search (cheaper than hashing the
    /// table's name on every read and write of a rebuild).
    let tables: [(table: ViewTable, database: Database)]
    private let meta: Database
    /// The data file opened: a reader in another process than the writer tells by it that the file at
    /// ``path`` was replaced (views dropped and built again under the same generation).
    var file: Environment.FileIdentity? { environment.identity }

    /// The identity of the data file of the environment at `path` now; nil when there is none.
    static func file(at path: String) -> Environment.FileIdentity? { Environment.dataFileIdentity(at: path) }

    private static let checkpointKey = Array("checkpoint".utf8)
    private static let versionKey = Array("version".utf8)
    private static let nameKey = Array("name".utf8)
    private static let failureKey = Array("failure".utf8)

    /// `bulk`: a fresh environment a rebuild fills (no fsync, pages written straight into a writable map,
    /// so dirty pages take no heap and commits copy nothing); ``close()`` then trims the file.
    init(path: String, tables: [ViewTable], durability: Environment.Durability, readOnly: Bool = false, bulk: Bool = false) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        self.path = path
        environment = try LMDBEventStore.opening {
            try Environment(path: path, options: Environment.Options(
                mapSize: 64 << 20, maxDatabases: tables.count + 2, maxReaders: 510, durability: bulk ? .noSync : durability,
                readOnly: readOnly, writeMap: bulk && !readOnly))
        }
        var dbs: [(table: ViewTable, database: Database)] = []
        for table in tables where !dbs.contains(where: { $0.table == table }) {
            dbs.append((table, try environment.openDatabase(named: "t:" + table.name)))
        }
        self.tables = dbs
        meta = try environment.openDatabase(named: "meta")
    }

    /// The position of the last event applied (``GlobalPosition/start`` when none).
    func checkpoint() throws -> GlobalPosition {
        try environment.read { txn in
            guard let bytes = try txn.value(forKey: Self.checkpointKey, in: meta), bytes.count == 8 else { return .start }
            return GlobalPosition(bytes.reduce(0) { $0 << 8 | UInt64($1) })
        }
    }

    /// The projection version these rows were built by; nil for a new environment.
    func storedVersion() throws -> UInt32? {
        try environment.read { txn in
            guard let bytes = try txn.value(forKey: Self.versionKey, in: meta), bytes.count == 4 else { return nil }
            return bytes.reduce(0) { $0 << 8 | UInt32($1) }
        }
    }

    /// Why the projection stopped, as ``recordFailure(_:)`` stored it (nil while it runs): visible to other
    /// processes reading the views (`crm stats` beside a server).
    func storedFailure() throws -> String? {
        try environment.read { txn in
            guard let bytes = try txn.value(forKey: Self.failureKey, in: meta), !bytes.isEmpty else { return nil }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// Stores why the projection stopped (event position, type and the error's type; never field values).
    func recordFailure(_ failure: ViewError) throws {
        try environment.write { txn in try txn.put(Array("\(failure)".utf8), forKey: Self.failureKey, in: meta) }
    }

    /// Forgets a stored failure (the projection runs again: restarted or rebuilt).
    func clearFailure() throws {
        guard try storedFailure() != nil else { return }
        try environment.write { txn in try txn.put([], forKey: Self.failureKey, in: meta) }
    }

    /// Runs `body` with a writer over the tables in one transaction that also stores `checkpoint` and the
    /// projection's identity; nothing is stored when `body` throws.
    func write(projection: any Projection, checkpoint: GlobalPosition, _ body: (any ViewWriter) throws -> Void) throws {
        try environment.write { txn in
            let writer = LMDBViewAccess(transaction: txn, tables: tables)
            try body(writer)
            try txn.put(Self.bigEndian(checkpoint.rawValue, bytes: 8), forKey: Self.checkpointKey, in: meta)
            try txn.put(Self.bigEndian(UInt64(projection.version), bytes: 4), forKey: Self.versionKey, in: meta)
            try txn.put(Array(projection.name.utf8), forKey: Self.nameKey, in: meta)
        }
    }

    /// Runs `body` over one consistent snapshot of the tables.
    func read<R>(_ body: (any ViewReader) throws -> R) throws -> R {
        try environment.read { txn in try body(LMDBViewAccess(transaction: txn, tables: tables)) }
    }

    func sync() throws { try environment.sync(force: true) }

    func close() {
        if environment.options.writeMap { environment.closeTrimmingFile() } else { environment.close() }
    }

    private static func bigEndian(_ value: UInt64, bytes count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: value >> UInt64(8 * (count - 1 - $0))) }
    }
}

/// ``ViewReader``/``ViewWriter`` over an LMDB transaction.
struct LMDBViewAccess: ViewWriter {
    let transaction: Transaction
    let tables: [(table: ViewTable, database: Database)]

    @inline(__always)
    private func db(_ table: ViewTable) throws -> Database {
        for entry in tables where entry.table == table { return entry.database }
        throw ViewError.unknownTable(table.name)
    }

    func value(forKey key: [UInt8], in table: ViewTable) throws -> [UInt8]? {
        try transaction.value(forKey: key, in: db(table))
    }

    func withValue<R>(forKey key: [UInt8], in table: ViewTable, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R? {
        let database = try db(table)
        return try key.withUnsafeBytes { k in
            // Lent from LMDB's map: valid until the next write, so `body` only reads it.
            guard let value = try transaction.unsafeValue(forKey: k, in: database) else { return nil }
            return try body(value)
        }
    }

    func put(_ value: [UInt8], forKey key: [UInt8], in table: ViewTable) throws {
        try transaction.put(value, forKey: key, in: db(table))
    }

    func append(_ value: [UInt8], forKey key: [UInt8], in table: ViewTable) throws {
        let database = try db(table)
        do {
            try transaction.put(value, forKey: key, in: database, options: .append)
        } catch let error where error == LMDBError.keyExists {
            // Not after the table's last key: an ordinary put.
            try transaction.put(value, forKey: key, in: database)
        }
    }

    func delete(key: [UInt8], in table: ViewTable) throws {
        _ = try transaction.delete(key: key, in: db(table))
    }

    func scan(
        _ table: ViewTable, prefix: [UInt8], after: [UInt8]?,
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Bool
    ) throws {
        let database = try db(table)
        try transaction.withCursor(on: database) { cursor in
            let start = after.map { $0.lexicographicallyPrecedes(prefix) ? prefix : $0 } ?? prefix
            var entry = start.isEmpty ? try cursor.first() : try cursor.seek(atLeast: start)
            while let (key, value) = entry {
                guard key.starts(with: prefix) else { return }
                if let after, key.elementsEqual(after) {
                    entry = try cursor.next()
                    continue
                }
                guard try body(key, value) else { return }
                entry = try cursor.next()
            }
        }
    }

    func scanBackward(
        _ table: ViewTable, prefix: [UInt8], before: [UInt8]?,
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Bool
    ) throws {
        if let before, before.isEmpty { return }  // no key sorts below the empty one
        let database = try db(table)
        // The first key past the prefix's rows (nil: they run to the table's end).
        var upper: [UInt8]? = prefix
        while let last = upper?.last, last == 0xFF { upper?.removeLast() }
        if let count = upper?.count, count > 0 { upper?[count - 1] += 1 } else { upper = nil }
        if let before, upper.map({ before.lexicographicallyPrecedes($0) }) ?? true { upper = before }
        try transaction.withCursor(on: database) { cursor in
            var entry: Cursor.Entry?
            if let upper, try cursor.seek(atLeast: upper) != nil {
                entry = try cursor.previous()
            } else {
                entry = try cursor.last()
            }
            while let (key, value) = entry {
                guard key.starts(with: prefix) else { return }
                guard try body(key, value) else { return }
                entry = try cursor.previous()
            }
        }
    }

    /// Every row of `table`, in key order.
    func allRows(_ table: ViewTable) throws -> [(key: [UInt8], value: [UInt8])] {
        var rows: [(key: [UInt8], value: [UInt8])] = []
        try scan(table, prefix: [], after: nil) { key, value in
            rows.append((Array(key), Array(value)))
            return true
        }
        return rows
    }
}

/// What can go wrong in the projection runtime.
public enum ViewError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A projection wrote a table it did not declare.
    case unknownTable(String)
    /// No projection has that name.
    case unknownProjection(String)
    /// Two projections share one name.
    case duplicateName(String)
    /// The projection stopped at an event it could not apply; its views stay at its checkpoint.
    case projectionFailed(name: String, position: GlobalPosition, eventType: String, reason: String)
    /// The runtime was closed.
    case closed
    /// Waiting for the views to reach a position took longer than allowed.
    case timedOut(GlobalPosition)
    /// The process writing the views stored that the projection stopped (seen read-only, by another process).
    case stored(name: String, detail: String)
    /// The views were opened read-only (beside the process that writes them).
    case readOnly
    /// The marker of unflushed views (``UnsyncedViews``) could not be written.
    case marker(path: String, errno: Int32)

    public var description: String {
        switch self {
        case .unknownTable(let t): return "the projection wrote a table it did not declare: \(t)"
        case .unknownProjection(let n): return "no projection named \(n)"
        case .duplicateName(let n): return "two projections are named \(n)"
        case let .projectionFailed(name, position, type, reason):
            return "projection \(name) stopped at position \(position.rawValue) (\(type)): \(reason)"
        case .closed: return "the views are closed"
        case .timedOut(let p): return "the views did not reach position \(p.rawValue) in time"
        case .stored(_, let detail): return detail
        case .readOnly: return "the views are open read-only"
        case let .marker(path, code): return "cannot write \(path): \(String(cString: strerror(code)))"
        }
    }
}
