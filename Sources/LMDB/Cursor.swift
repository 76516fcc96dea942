import CLMDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A position in a database, lent to the closure of ``Transaction/withCursor(on:_:)``.
///
/// Every move returns the key and value at the new position, lent without copying (valid until the
/// transaction ends), or nil when there is no such entry. Keys are ordered byte-wise.
public final class Cursor {
    /// A key/value pair lent from LMDB's memory map.
    public typealias Entry = (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)

    private var raw: OpaquePointer?
    private unowned let transaction: Transaction

    init(_ raw: OpaquePointer, transaction: Transaction) {
        self.raw = raw
        self.transaction = transaction
    }

    func invalidate() { raw = nil }

    @inline(__always)
    private func move(_ op: MDB_cursor_op, key: UnsafeRawBufferPointer? = nil) throws(LMDBError) -> Entry? {
        guard let raw else { throw LMDBError.transactionEnded }
        var k = MDB_val(mv_size: key?.count ?? 0, mv_data: UnsafeMutableRawPointer(mutating: key?.baseAddress))
        var v = MDB_val()
        let rc = mdb_cursor_get(raw, &k, &v, op)
        if rc == MDB_NOTFOUND { return nil }
        try check(rc, "mdb_cursor_get")
        return (UnsafeRawBufferPointer(start: k.mv_data, count: k.mv_size), UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size))
    }

    /// Moves to the first entry.
    public func first() throws(LMDBError) -> Entry? { try move(MDB_FIRST) }
    /// Moves to the last entry.
    public func last() throws(LMDBError) -> Entry? { try move(MDB_LAST) }
    /// Moves to the next entry.
    @inline(__always)
    public func next() throws(LMDBError) -> Entry? { try move(MDB_NEXT) }
    /// Moves to the previous entry.
    @inline(__always)
    public func previous() throws(LMDBError) -> Entry? { try move(MDB_PREV) }
    /// The entry at the current position.
    public func current() throws(LMDBError) -> Entry? { try move(MDB_GET_CURRENT) }
    /// Moves to the first entry whose key is greater than or equal to `key`.
    public func seek(atLeast key: UnsafeRawBufferPointer) throws(LMDBError) -> Entry? { try move(MDB_SET_RANGE, key: key) }
    /// Moves to the entry whose key equals `key`.
    public func seek(exactly key: UnsafeRawBufferPointer) throws(LMDBError) -> Entry? { try move(MDB_SET_KEY, key: key) }

    /// Moves to the first entry whose key is greater than or equal to `key`.
    public func seek(atLeast key: [UInt8]) throws(LMDBError) -> Entry? {
        try withUnsafeTyped(key) { k throws(LMDBError) in try seek(atLeast: k) }
    }

    /// Moves to the last entry whose key is less than or equal to `key`.
    public func seek(atMost key: UnsafeRawBufferPointer) throws(LMDBError) -> Entry? {
        if let entry = try seek(atLeast: key) {
            if compare(entry.key, key) == 0 { return entry }
            return try previous()
        }
        return try last()
    }

    /// Deletes the entry at the cursor (write transactions only).
    public func deleteCurrent() throws(LMDBError) {
        guard let raw else { throw LMDBError.transactionEnded }
        let rc = mdb_cursor_del(raw, 0)
        if rc == MDB_MAP_FULL { transaction.sawMapFull = true }  // grow the map and retry
        try check(rc, "mdb_cursor_del")
    }
}

/// Byte-wise comparison of two buffers, as LMDB orders keys by default.
@inline(__always)
public func compare(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
    let n = min(a.count, b.count)
    if n > 0, let pa = a.baseAddress, let pb = b.baseAddress {
        let c = memcmp(pa, pb, n)
        if c != 0 { return Int(c) }
    }
    return a.count - b.count
}
