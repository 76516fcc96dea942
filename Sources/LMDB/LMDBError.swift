import CLMDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An error reported by LMDB or by this wrapper, keeping LMDB's raw result code.
///
/// LMDB's own codes are negative (`MDB_NOTFOUND` …); operating-system errors are positive `errno` values.
/// Compare with the static members: `error.code == LMDBError.notFound.code` or `error == .mapFull`.
public struct LMDBError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The raw result code (an `MDB_…` constant or an `errno` value).
    public let code: Int32
    /// The LMDB call that failed, e.g. `mdb_put`. Never contains keys or values.
    public let operation: String

    public init(code: Int32, operation: String = "") {
        self.code = code
        self.operation = operation
    }

    /// LMDB's description of the code (`mdb_strerror`).
    public var message: String {
        guard let text = mdb_strerror(code) else { return "error \(code)" }
        return String(cString: text)
    }

    public var description: String {
        if operation == Self.truncatedText || operation == Self.openInProcessText { return "LMDB: \(operation)" }  // not LMDB's text for the code
        return operation.isEmpty ? "LMDB error \(code): \(message)" : "LMDB error \(code) in \(operation): \(message)"
    }

    public static func == (lhs: LMDBError, rhs: LMDBError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    /// The key/data pair was not found.
    public static let notFound = LMDBError(code: MDB_NOTFOUND)
    /// The key/data pair already exists (or, with append, is out of order).
    public static let keyExists = LMDBError(code: MDB_KEYEXIST)
    /// The environment's map is full. ``Environment/write(_:)`` grows the map and retries instead of throwing this.
    public static let mapFull = LMDBError(code: MDB_MAP_FULL)
    /// Another process grew the map. ``Environment`` adopts the new size and retries instead of throwing this.
    public static let mapResized = LMDBError(code: MDB_MAP_RESIZED)
    /// The environment already has its maximum number of named databases.
    public static let databasesFull = LMDBError(code: MDB_DBS_FULL)
    /// The reader lock table is full: too many concurrent read transactions.
    public static let readersFull = LMDBError(code: MDB_READERS_FULL)
    /// The file is not an LMDB environment, or of another LMDB version.
    public static let invalid = LMDBError(code: MDB_INVALID)
    /// The environment was closed; no transaction can start.
    public static let closed = LMDBError(code: EBADF, operation: "environment closed")
    /// A write was attempted in a read-only environment or transaction.
    public static let readOnly = LMDBError(code: EACCES, operation: "read-only")
    /// A transaction or cursor was used after its closure returned.
    public static let transactionEnded = LMDBError(code: EINVAL, operation: "transaction ended")
    /// A key is empty or longer than LMDB's maximum key size (511 bytes).
    public static let badKeySize = LMDBError(code: MDB_BAD_VALSIZE)
    /// The environment is already open in this process (``Environment``): LMDB forbids a second handle.
    public static let openInProcess = LMDBError(code: EBUSY, operation: openInProcessText)
    private static let openInProcessText = "the environment is already open in this process"
    /// The data file is shorter than the pages it says it holds: truncated, or copied in part.
    public static let truncated = LMDBError(code: MDB_CORRUPTED, operation: truncatedText)
    private static let truncatedText = "the data file is shorter than its pages (truncated, or copied in part)"
    /// The environment's data is damaged (`MDB_CORRUPTED`, `MDB_PAGE_NOTFOUND`) or truncated.
    public var isCorruption: Bool { code == MDB_CORRUPTED || code == MDB_PAGE_NOTFOUND }
}

@inline(__always)
func check(_ rc: Int32, _ operation: StaticString) throws(LMDBError) {
    if rc != 0 { throw LMDBError(code: rc, operation: "\(operation)") }
}
