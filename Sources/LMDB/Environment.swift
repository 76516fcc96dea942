import CLMDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An LMDB environment: one memory-mapped file holding one or more named databases.
///
/// ```swift
/// let env = try Environment(path: dir, options: .init(maxDatabases: 4))
/// let db = try env.openDatabase(named: "items")
/// try env.write { txn in try txn.put(Array("v".utf8), forKey: Array("k".utf8), in: db) }
/// let value = try env.read { txn in try txn.value(forKey: Array("k".utf8), in: db) }
/// ```
///
/// Transactions are closures: ``write(_:)`` commits when its closure returns and aborts when it throws;
/// ``read(_:)`` always ends its transaction when the closure returns. A write transaction begins and
/// commits on the calling thread, inside one synchronous call, as LMDB requires.
///
/// The map grows by itself: when a write fills it (`MDB_MAP_FULL`), the transaction is aborted, the map is
/// doubled while no transaction of this environment is active, and the closure runs again. When another
/// process has grown the map (`MDB_MAP_RESIZED`), the new size is adopted and the transaction retried.
/// A write closure may therefore run more than once: keep its effects inside the transaction.
///
/// The environment is always opened with `MDB_NOTLS`, so read transactions are not tied to threads.
///
/// Do not call ``write(_:)`` from inside a ``read(_:)`` closure: growing the map waits until no transaction
/// of this environment is active, and the enclosing read would never end.
// @unchecked Sendable: LMDB's environment is thread-safe with MDB_NOTLS; write transactions are
// serialised by LMDB's writer lock; transactions never leave one synchronous call; map resizing is
// guarded by `resizeLock`, which every transaction holds shared.
public final class Environment: @unchecked Sendable {
    /// How durable a committed write transaction is.
    public enum Durability: Sendable, Hashable {
        /// Flush data and meta page on every commit (LMDB's default): survives power loss.
        case full
        /// Flush data but not the meta page (`MDB_NOMETASYNC`): a power loss may undo the last commit.
        case noMetaSync
        /// No flush (`MDB_NOSYNC`): the OS writes back later; call ``sync(force:)`` at safe points.
        case noSync
    }

    /// Options for opening an environment.
    public struct Options: Sendable, Hashable {
        /// Initial map size in bytes; grows on demand. Only address space is reserved up front.
        public var mapSize: Int
        /// Maximum number of named databases.
        public var maxDatabases: Int
        /// Maximum number of simultaneous read transactions.
        public var maxReaders: Int
        public var durability: Durability
        /// Open read-only: every write fails with ``LMDBError/readOnly``.
        public var readOnly: Bool
        /// The environment path is a file rather than a directory (`MDB_NOSUBDIR`).
        public var noSubdirectory: Bool
        /// Permissions of newly created files.
        public var fileMode: UInt32
        /// Write pages straight into a writable map (`MDB_WRITEMAP`) instead of copying them into malloc'd
        /// buffers and writing those at commit: cheaper bulk writes and no heap for dirty pages, but the data
        /// file is extended to the whole map size (sparse) while open — see ``Environment/closeTrimmingFile()`` — and
        /// a stray write through a bad pointer could reach the file. For environments written in bulk.
        public var writeMap: Bool

        public init(
            mapSize: Int = 1 << 30,
            maxDatabases: Int = 8,
            maxReaders: Int = 126,
            durability: Durability = .full,
            readOnly: Bool = false,
            noSubdirectory: Bool = false,
            fileMode: UInt32 = 0o644,
            writeMap: Bool = false
        ) {
            self.mapSize = mapSize
            self.maxDatabases = maxDatabases
            self.maxReaders = maxReaders
            self.durability = durability
            self.readOnly = readOnly
            self.noSubdirectory = noSubdirectory
            self.fileMode = fileMode
            self.writeMap = writeMap
        }
    }

    /// Facts about the environment (`MDB_envinfo`).
    public struct Info: Sendable, Hashable {
        public let mapSize: Int
        public let lastPageNumber: Int
        public let lastTransactionID: Int
        public let maxReaders: Int
        public let readersInUse: Int
    }

    public let path: String
    public let options: Options

    private var env: OpaquePointer?
    private let resizeLock: UnsafeMutablePointer<pthread_rwlock_t>
    private var isClosed = false
    /// The data file this environment opened (held in ``openFiles`` until it is closed); nil when the file
    /// could not be asked.
    public let identity: FileIdentity?

    /// A file by device and inode, so two spellings of one path (or a symbolic link) are one file, and a file
    /// replaced at the same path is another.
    public struct FileIdentity: Hashable, Sendable {
        public let device: UInt64
        public let inode: UInt64
        init(_ file: stat) {
            device = UInt64(file.st_dev)
            inode = UInt64(file.st_ino)
        }
    }

    /// The identity of the data file of an environment at `path` now (`data.mdb` in it, or `path` itself with
    /// `noSubdirectory`); nil when there is none.
    public static func dataFileIdentity(at path: String, noSubdirectory: Bool = false) -> FileIdentity? {
        var file = stat()
        guard stat(noSubdirectory ? path : path + "/data.mdb", &file) == 0 else { return nil }
        return FileIdentity(file)
    }

    /// The data files of the environments open in this process. LMDB forbids opening one environment twice
    /// in a process, read-only or not: its locks are per process, so a second handle would set up the lock
    /// file again under the first, and closing it would drop the process's locks (a crash or a stale read
    /// later). A second open is refused with ``LMDBError/openInProcess`` until the first is closed.
    nonisolated(unsafe) private static var openFiles: Set<FileIdentity> = []
    /// Guards ``openFiles``; held across an open.
    nonisolated(unsafe) private static let openFilesLock: UnsafeMutablePointer<pthread_mutex_t> = {
        let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(lock, nil)
        return lock
    }()

    /// Gives the data file back to ``openFiles`` once the environment is closed.
    private func releaseIdentity() {
        guard let identity else { return }
        pthread_mutex_lock(Self.openFilesLock)
        Self.openFiles.remove(identity)
        pthread_mutex_unlock(Self.openFilesLock)
    }

    /// Opens (and for a writable environment, creates) the environment at `path`.
    /// The directory must exist unless `noSubdirectory` is set.
    public init(path: String, options: Options = Options()) throws(LMDBError) {
        self.path = path
        self.options = options
        resizeLock = UnsafeMutablePointer<pthread_rwlock_t>.allocate(capacity: 1)
        pthread_rwlock_init(resizeLock, nil)

        // Opens are serialised in the process, so the check below and the registration after the open are one
        // step: two opens of one new environment cannot both find it unclaimed.
        pthread_mutex_lock(Self.openFilesLock)
        defer { pthread_mutex_unlock(Self.openFilesLock) }
        if let existing = Self.dataFileIdentity(at: path, noSubdirectory: options.noSubdirectory), Self.openFiles.contains(existing) {
            // Refused before `mdb_env_open`: its lock-file set-up would already reset the locks of the
            // handle this process holds.
            identity = nil
            throw .openInProcess
        }
        var handle: OpaquePointer?
        var opened: FileIdentity?
        do {
            try check(mdb_env_create(&handle), "mdb_env_create")
            try check(mdb_env_set_mapsize(handle, max(options.mapSize, 1 << 16)), "mdb_env_set_mapsize")
            try check(mdb_env_set_maxdbs(handle, MDB_dbi(max(options.maxDatabases, 0))), "mdb_env_set_maxdbs")
            try check(mdb_env_set_maxreaders(handle, UInt32(max(options.maxReaders, 1))), "mdb_env_set_maxreaders")
            var flags = UInt32(MDB_NOTLS)
            switch options.durability {
            case .full: break
            case .noMetaSync: flags |= UInt32(MDB_NOMETASYNC)
            case .noSync: flags |= UInt32(MDB_NOSYNC)
            }
            if options.readOnly { flags |= UInt32(MDB_RDONLY) }
            if options.writeMap && !options.readOnly { flags |= UInt32(MDB_WRITEMAP) }
            if options.noSubdirectory { flags |= UInt32(MDB_NOSUBDIR) }
            try check(mdb_env_open(handle, path, flags, mdb_mode_t(options.fileMode)), "mdb_env_open")
            if let handle {
                try Self.refuseShortDataFile(handle)
                var descriptor: mdb_filehandle_t = -1
                var file = stat()
                if mdb_env_get_fd(handle, &descriptor) == 0, fstat(descriptor, &file) == 0 { opened = FileIdentity(file) }
            }
            // Clear reader slots left behind by dead processes, so they do not pin old pages.
            var dead: Int32 = 0
            _ = mdb_reader_check(handle, &dead)
        } catch {
            if let handle { mdb_env_close(handle) }
            // Every stored property is initialised here, so throwing runs `deinit`, which destroys and
            // frees `resizeLock`; doing it here too made `deinit` lock a freed lock (hang) and free it twice.
            identity = nil
            throw error
        }
        env = handle
        identity = opened
        if let opened { Self.openFiles.insert(opened) }
    }

    /// Refuses a data file shorter than the pages its meta page counts (a partly copied or truncated file):
    /// LMDB maps the file, and reading a page past its end kills the process with SIGBUS instead of an error.
    private static func refuseShortDataFile(_ handle: OpaquePointer) throws(LMDBError) {
        var info = MDB_envinfo()
        var statistics = MDB_stat()
        var descriptor: mdb_filehandle_t = -1
        try check(mdb_env_info(handle, &info), "mdb_env_info")
        try check(mdb_env_stat(handle, &statistics), "mdb_env_stat")
        try check(mdb_env_get_fd(handle, &descriptor), "mdb_env_get_fd")
        var file = stat()
        guard fstat(descriptor, &file) == 0 else { return }
        let needed = (Int64(info.me_last_pgno) + 1) * Int64(statistics.ms_psize)
        if Int64(file.st_size) < needed { throw .truncated }
    }

    deinit {
        close()
        pthread_rwlock_destroy(resizeLock)
        resizeLock.deallocate()
    }

    /// Closes the environment. Waits for running transactions; later ones fail with ``LMDBError/closed``.
    /// Database handles become invalid. Calling it twice is harmless.
    public func close() {
        pthread_rwlock_wrlock(resizeLock)
        defer { pthread_rwlock_unlock(resizeLock) }
        guard !isClosed, let env else { return }
        isClosed = true
        mdb_env_close(env)
        self.env = nil
        releaseIdentity()
    }

    /// Closes the environment, then cuts its data file back to the pages in use: a ``Options/writeMap``
    /// environment extends the file to the whole map size (sparse, but that is the size `ls` and
    /// directory totals see). The file is only ever shortened.
    public func closeTrimmingFile() {
        pthread_rwlock_wrlock(resizeLock)
        defer { pthread_rwlock_unlock(resizeLock) }
        guard !isClosed, let env else { return }
        var info = MDB_envinfo()
        var statistics = MDB_stat()
        let measured = mdb_env_info(env, &info) == 0 && mdb_env_stat(env, &statistics) == 0
        isClosed = true
        mdb_env_close(env)
        self.env = nil
        releaseIdentity()
        guard measured, !options.readOnly else { return }
        let used = off_t((info.me_last_pgno + 1) * Int(statistics.ms_psize))
        let file = options.noSubdirectory ? path : path + "/data.mdb"
        var attributes = stat()
        guard stat(file, &attributes) == 0, attributes.st_size > used else { return }
        _ = truncate(file, used)
    }

    /// Opens a named database (or the unnamed main database when `name` is nil).
    public func openDatabase(named name: String?, options: Database.Options = [.create]) throws(LMDBError) -> Database {
        var opts = options
        if self.options.readOnly { opts.remove(.create) }
        do {
            return try withTransaction(readOnly: self.options.readOnly, commitReadOnly: true) { txn in
                var dbi: MDB_dbi = 0
                let rc: Int32
                if let name {
                    rc = mdb_dbi_open(try txn.pointer(), name, opts.rawValue, &dbi)
                } else {
                    rc = mdb_dbi_open(try txn.pointer(), nil, opts.rawValue, &dbi)
                }
                if rc == MDB_MAP_FULL { txn.sawMapFull = true }  // grow the map and retry
                try check(rc, "mdb_dbi_open")
                return Database(handle: dbi)
            }
        } catch let error as LMDBError {
            throw error
        } catch {
            throw LMDBError(code: EIO, operation: "mdb_dbi_open")
        }
    }

    /// Runs `body` in a read-only transaction, which sees one consistent snapshot. Keep it short:
    /// a long-lived reader stops LMDB from reusing freed pages.
    public func read<R>(_ body: (Transaction) throws -> R) throws -> R {
        try withTransaction(readOnly: true, commitReadOnly: false, body)
    }

    /// Runs `body` in a write transaction that commits when it returns and aborts when it throws.
    /// LMDB allows one writer at a time: this call blocks while another write transaction runs.
    /// The closure may run again after the map grows; see the type's documentation.
    public func write<R>(_ body: (Transaction) throws -> R) throws -> R {
        guard !options.readOnly else { throw LMDBError.readOnly }
        return try withTransaction(readOnly: false, commitReadOnly: false, body)
    }

    /// Flushes buffers to disk; with `force`, even under ``Durability/noSync``.
    public func sync(force: Bool = true) throws(LMDBError) {
        try withEnvironment { env throws(LMDBError) in try check(mdb_env_sync(env, force ? 1 : 0), "mdb_env_sync") }
    }

    /// Writes a consistent copy of the environment into the existing, empty directory `directory`
    /// while other transactions go on. With `compact`, free pages are omitted and pages renumbered.
    public func copy(to directory: String, compact: Bool = true) throws(LMDBError) {
        try withEnvironment { env throws(LMDBError) in
            try check(mdb_env_copy2(env, directory, compact ? UInt32(MDB_CP_COMPACT) : 0), "mdb_env_copy2")
        }
    }

    /// Current facts about the environment.
    public func info() throws(LMDBError) -> Info {
        try withEnvironment { env throws(LMDBError) in
            var info = MDB_envinfo()
            try check(mdb_env_info(env, &info), "mdb_env_info")
            return Info(
                mapSize: info.me_mapsize,
                lastPageNumber: info.me_last_pgno,
                lastTransactionID: info.me_last_txnid,
                maxReaders: Int(info.me_maxreaders),
                readersInUse: Int(info.me_numreaders)
            )
        }
    }

    /// The size of a page in bytes.
    public func pageSize() throws(LMDBError) -> Int {
        try withEnvironment { env throws(LMDBError) in
            var stat = MDB_stat()
            try check(mdb_env_stat(env, &stat), "mdb_env_stat")
            return Int(stat.ms_psize)
        }
    }

    /// The largest key LMDB accepts in this environment, in bytes.
    public func maxKeySize() throws(LMDBError) -> Int {
        try withEnvironment { env throws(LMDBError) in Int(mdb_env_get_maxkeysize(env)) }
    }

    /// Grows the map to at least `bytes`. Waits until no transaction of this environment is active.
    public func setMapSize(_ bytes: Int) throws(LMDBError) {
        pthread_rwlock_wrlock(resizeLock)
        defer { pthread_rwlock_unlock(resizeLock) }
        guard let env, !isClosed else { throw LMDBError.closed }
        try check(mdb_env_set_mapsize(env, bytes), "mdb_env_set_mapsize")
    }

    // MARK: - Internals

    private func withEnvironment<R>(_ body: (OpaquePointer) throws(LMDBError) -> R) throws(LMDBError) -> R {
        pthread_rwlock_rdlock(resizeLock)
        defer { pthread_rwlock_unlock(resizeLock) }
        guard let env, !isClosed else { throw LMDBError.closed }
        return try body(env)
    }

    /// Thrown inside ``attempt`` to ask for a retry after the map changes.
    private enum RetrySignal: Error { case grow, adopt }

    /// Begins a transaction under the shared resize lock, runs `body`, ends the transaction; grows or
    /// adopts the map and retries when LMDB asks for it.
    private func withTransaction<R>(
        readOnly: Bool,
        commitReadOnly: Bool,
        _ body: (Transaction) throws -> R
    ) throws -> R {
        while true {
            let retry: RetrySignal
            do {
                return try attempt(readOnly: readOnly, commitReadOnly: commitReadOnly, body)
            } catch let signal as RetrySignal {
                retry = signal
            }
            pthread_rwlock_wrlock(resizeLock)
            defer { pthread_rwlock_unlock(resizeLock) }
            guard let env, !isClosed else { continue }
            switch retry {
            case .adopt:
                _ = mdb_env_set_mapsize(env, 0)
            case .grow:
                var info = MDB_envinfo()
                if mdb_env_info(env, &info) == 0 {
                    let current = info.me_mapsize
                    let increment = min(max(current, 1 << 20), 8 << 30)
                    _ = mdb_env_set_mapsize(env, current + increment)
                }
            }
        }
    }

    private func attempt<R>(
        readOnly: Bool,
        commitReadOnly: Bool,
        _ body: (Transaction) throws -> R
    ) throws -> R {
        pthread_rwlock_rdlock(resizeLock)
        defer { pthread_rwlock_unlock(resizeLock) }
        guard let env, !isClosed else { throw LMDBError.closed }

        var raw: OpaquePointer?
        let rc = mdb_txn_begin(env, nil, readOnly ? UInt32(MDB_RDONLY) : 0, &raw)
        if rc == MDB_MAP_RESIZED { throw RetrySignal.adopt }
        try check(rc, "mdb_txn_begin")
        guard let raw else { throw LMDBError(code: EINVAL, operation: "mdb_txn_begin") }

        let txn = Transaction(raw, readOnly: readOnly)
        let result: R
        do {
            result = try body(txn)
        } catch {
            let sawMapFull = txn.sawMapFull
            txn.invalidate()
            mdb_txn_abort(raw)
            if sawMapFull { throw RetrySignal.grow }
            throw error
        }
        let sawMapFull = txn.sawMapFull
        txn.invalidate()
        if sawMapFull {
            // The body swallowed a MAP_FULL; the transaction is unusable. Abort and retry bigger.
            mdb_txn_abort(raw)
            throw RetrySignal.grow
        }
        if readOnly && !commitReadOnly {
            mdb_txn_abort(raw)
            return result
        }
        // mdb_txn_commit frees the transaction even when it fails: never abort after it.
        let crc = mdb_txn_commit(raw)
        if crc == MDB_MAP_FULL { throw RetrySignal.grow }
        try check(crc, "mdb_txn_commit")
        return result
    }
}
