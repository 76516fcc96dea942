import CLMDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read or write transaction, lent to the closure of ``Environment/read(_:)`` or ``Environment/write(_:)``.
///
/// Never keep a transaction, or a buffer it returned, beyond that closure: once the closure returns the
/// transaction is ended and every method throws ``LMDBError/transactionEnded``. Buffers returned by the
/// `unsafe…` methods point into LMDB's memory map and are valid only until the transaction ends (and, in a
/// write transaction, only until the next write).
public final class Transaction {
    private var raw: OpaquePointer?
    /// Whether this is a read-only transaction.
    public let isReadOnly: Bool
    /// Set when any operation reported `MDB_MAP_FULL`; the environment then grows the map and retries.
    var sawMapFull = false

    init(_ raw: OpaquePointer, readOnly: Bool) {
        self.raw = raw
        self.isReadOnly = readOnly
    }

    func invalidate() { raw = nil }

    @inline(__always)
    func pointer() throws(LMDBError) -> OpaquePointer {
        guard let raw else { throw LMDBError.transactionEnded }
        return raw
    }

    @inline(__always)
    private func checkWrite(_ rc: Int32, _ operation: StaticString) throws(LMDBError) {
        if rc == 0 { return }
        if rc == MDB_MAP_FULL { sawMapFull = true }
        throw LMDBError(code: rc, operation: "\(operation)")
    }

    // MARK: Reading

    /// The value stored under `key`, lent without copying, or nil when absent.
    /// The buffer is valid until the transaction ends or, in a write transaction, until the next write.
    @inline(__always)
    public func unsafeValue(forKey key: UnsafeRawBufferPointer, in db: Database) throws(LMDBError) -> UnsafeRawBufferPointer? {
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = MDB_val()
        let rc = mdb_get(try pointer(), db.handle, &k, &v)
        if rc == MDB_NOTFOUND { return nil }
        try check(rc, "mdb_get")
        return UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size)
    }

    /// A copy of the value stored under `key`, or nil when absent.
    public func value(forKey key: [UInt8], in db: Database) throws(LMDBError) -> [UInt8]? {
        try withUnsafeTyped(key) { k throws(LMDBError) in
            try unsafeValue(forKey: k, in: db).map { Array($0) }
        }
    }

    /// Whether `key` is present.
    public func contains(key: [UInt8], in db: Database) throws(LMDBError) -> Bool {
        try withUnsafeTyped(key) { k throws(LMDBError) in try unsafeValue(forKey: k, in: db) != nil }
    }

    /// Statistics of a database as seen by this transaction.
    public func statistics(of db: Database) throws(LMDBError) -> DatabaseStatistics {
        var stat = MDB_stat()
        try check(mdb_stat(try pointer(), db.handle, &stat), "mdb_stat")
        return DatabaseStatistics(
            entries: stat.ms_entries, depth: Int(stat.ms_depth), branchPages: stat.ms_branch_pages,
            leafPages: stat.ms_leaf_pages, overflowPages: stat.ms_overflow_pages, pageSize: Int(stat.ms_psize)
        )
    }

    /// Runs `body` with a cursor over `db`; the cursor is closed when `body` returns.
    public func withCursor<R>(on db: Database, _ body: (Cursor) throws -> R) throws -> R {
        var cursor: OpaquePointer?
        try check(mdb_cursor_open(try pointer(), db.handle, &cursor), "mdb_cursor_open")
        guard let cursor else { throw LMDBError(code: EINVAL, operation: "mdb_cursor_open") }
        let wrapper = Cursor(cursor, transaction: self)
        defer {
            wrapper.invalidate()
            mdb_cursor_close(cursor)
        }
        return try body(wrapper)
    }

    // MARK: Writing

    /// Stores `value` under `key`.
    @inline(__always)
    public func put(_ value: UnsafeRawBufferPointer, forKey key: UnsafeRawBufferPointer, in db: Database, options: PutOptions = []) throws(LMDBError) {
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = MDB_val(mv_size: value.count, mv_data: UnsafeMutableRawPointer(mutating: value.baseAddress))
        try checkWrite(mdb_put(try pointer(), db.handle, &k, &v, options.rawValue), "mdb_put")
    }

    /// Stores `value` under `key`.
    public func put(_ value: [UInt8], forKey key: [UInt8], in db: Database, options: PutOptions = []) throws(LMDBError) {
        try withUnsafeTyped(key) { k throws(LMDBError) in
            try withUnsafeTyped(value) { v throws(LMDBError) in try put(v, forKey: k, in: db, options: options) }
        }
    }

    /// Reserves `count` bytes under `key` and lets `fill` write the value straight into LMDB's buffer
    /// (`MDB_RESERVE`), saving a copy. `fill` must write every byte.
    @inline(__always)
    public func reserve(
        _ count: Int, forKey key: UnsafeRawBufferPointer, in db: Database, options: PutOptions = [],
        fill: (UnsafeMutableRawBufferPointer) -> Void
    ) throws(LMDBError) {
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = MDB_val(mv_size: count, mv_data: nil)
        try checkWrite(mdb_put(try pointer(), db.handle, &k, &v, options.rawValue | UInt32(MDB_RESERVE)), "mdb_put")
        fill(UnsafeMutableRawBufferPointer(start: v.mv_data, count: count))
    }

    /// Deletes `key`; returns false when it was absent.
    @discardableResult
    public func delete(key: UnsafeRawBufferPointer, in db: Database) throws(LMDBError) -> Bool {
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        let rc = mdb_del(try pointer(), db.handle, &k, nil)
        if rc == MDB_NOTFOUND { return false }
        try checkWrite(rc, "mdb_del")
        return true
    }

    /// Deletes `key`; returns false when it was absent.
    @discardableResult
    public func delete(key: [UInt8], in db: Database) throws(LMDBError) -> Bool {
        try withUnsafeTyped(key) { k throws(LMDBError) in try delete(key: k, in: db) }
    }

    /// Removes every entry of `db` (the database itself stays).
    public func removeAll(in db: Database) throws(LMDBError) {
        try checkWrite(mdb_drop(try pointer(), db.handle, 0), "mdb_drop")
    }
}

/// `withUnsafeBytes` does not pass typed throws through; this does, for arrays of bytes.
@inline(__always)
func withUnsafeTyped<R>(_ bytes: [UInt8], _ body: (UnsafeRawBufferPointer) throws(LMDBError) -> R) throws(LMDBError) -> R {
    var failure: LMDBError?
    let result: R? = bytes.withUnsafeBytes { buffer -> R? in
        do throws(LMDBError) { return try body(buffer) } catch { failure = error; return nil }
    }
    if let failure { throw failure }
    guard let result else { throw LMDBError(code: EINVAL, operation: "withUnsafeBytes") }
    return result
}
