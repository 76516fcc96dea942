import CLMDB

/// A handle to a named database (LMDB's `MDB_dbi`) inside an ``Environment``.
///
/// Obtained from ``Environment/openDatabase(named:options:)``; valid for the life of the environment.
public struct Database: Hashable, Sendable {
    let handle: UInt32

    init(handle: MDB_dbi) { self.handle = handle }

    /// Options for opening a named database.
    public struct Options: OptionSet, Hashable, Sendable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }

        /// Create the database if it does not exist (only in a writable environment).
        public static let create = Options(rawValue: UInt32(MDB_CREATE))
        /// Keys are compared in reverse byte order.
        public static let reverseKey = Options(rawValue: UInt32(MDB_REVERSEKEY))
    }
}

/// Per-database statistics (`MDB_stat`).
public struct DatabaseStatistics: Hashable, Sendable {
    /// Number of key/value pairs.
    public let entries: Int
    /// Depth of the B-tree.
    public let depth: Int
    /// Pages: branch, leaf and overflow.
    public let branchPages: Int
    public let leafPages: Int
    public let overflowPages: Int
    /// Page size in bytes.
    public let pageSize: Int
}

/// Flags for ``Transaction/put(_:forKey:in:options:)``.
public struct PutOptions: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Fail with ``LMDBError/keyExists`` instead of overwriting an existing key.
    public static let noOverwrite = PutOptions(rawValue: UInt32(MDB_NOOVERWRITE))
    /// Append at the end of the database: keys must arrive in byte order (fast bulk loading).
    public static let append = PutOptions(rawValue: UInt32(MDB_APPEND))
}
