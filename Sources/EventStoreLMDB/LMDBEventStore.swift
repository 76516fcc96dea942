import EventSourcing
import Foundation
import LMDB
import Logging
import Synchronization

/// The embedded event store: an append-only log in one LMDB environment (ARCHITECTURE decisions 1–5).
///
/// ```swift
/// let store = try LMDBEventStore(directory: "notes-data/log")   // a log of its own: never a CRM's `log/`
/// let ids = UUIDv7Generator()
/// let event = EventData(id: ids.next(), type: "NoteWritten", payload: bytes, metadata: .init(actor: "emp-7"))
/// try await store.append([event], to: "note-42", expectedVersion: .noStream)
/// for event in try await store.readStream("note-42") { print(event.type, event.position) }
/// await store.close()
/// ```
///
/// One process writes a directory at a time: a writable open takes `writer.lock` (holding the owner's pid)
/// and a second writer fails with ``EventStoreError/Code/storeInUse``. Read-only opens (verify, backup,
/// dump) work beside a running writer. Appends from all tasks go through one writer thread that commits
/// them in groups (one transaction, one flush); reads run on the caller's task and never block appends.
///
/// Documented limits (``EventStoreLimits``): stream ids up to 256 UTF-8 bytes, events up to 4 MiB,
/// 100,000 events per append; each is refused with a typed error and nothing written.
public final class LMDBEventStore: EventStore {
    /// Whether a commit survives power loss, or only a process crash.
    public enum Durability: Sendable, Hashable {
        /// Flush on every commit (default): acknowledged events survive power loss.
        case full
        /// Skip flushing the meta page: a power loss may undo the last commits, never corrupt the log.
        case noMetaSync
        /// No flush: fastest; acknowledged events survive a process crash but not a power loss.
        case noSync
    }

    /// Read-write (the one writer) or read-only (beside a writer, for verify, backup and dumps).
    public enum AccessMode: Sendable, Hashable {
        case readWrite, readOnly
    }

    /// Options for opening a store.
    public struct Options: Sendable {
        public var mode: AccessMode
        public var durability: Durability
        /// Initial size of the memory map; it grows by itself when full.
        public var initialMapSize: Int
        /// Maximum simultaneous read transactions (LMDB reader slots).
        public var maxReaders: Int
        public var limits: EventStoreLimits
        /// Most events the writer commits in one transaction when appends queue up.
        public var maxEventsPerCommit: Int

        public init(
            mode: AccessMode = .readWrite, durability: Durability = .full, initialMapSize: Int = 1 << 30,
            maxReaders: Int = 126, limits: EventStoreLimits = .standard, maxEventsPerCommit: Int = 200_000
        ) {
            self.mode = mode
            self.durability = durability
            self.initialMapSize = initialMapSize
            self.maxReaders = maxReaders
            self.limits = limits
            self.maxEventsPerCommit = maxEventsPerCommit
        }

        /// Read-only, with the other options at their defaults.
        public static var readOnly: Options { Options(mode: .readOnly) }
    }

    /// Counts and sizes, for operators.
    public struct Statistics: Sendable, Hashable {
        public let eventCount: Int
        public let streamCount: Int
        public let headPosition: GlobalPosition
        public let mapSize: Int
        /// Bytes of the map in use (pages up to the last one written).
        public let usedBytes: Int
    }

    public let directory: String
    public let limits: EventStoreLimits
    public let mode: AccessMode

    let env: Environment
    let dbs: Databases
    private let writer: AppendWriter?
    private let lock: WriterLock?
    private let notifier: CommitNotifier
    private let logger: Logger
    private let closed = Atomic<Bool>(false)

    /// Opens the store in `directory`, creating it (and the directory) for a read-write open.
    ///
    /// - Parameters:
    ///   - clock: stamps `recordedAt` on each event.
    ///   - logger: receives open, close and failure messages; never payloads.
    /// - Throws: ``EventStoreError`` — `.storeInUse` when another process writes the directory,
    ///   `.incompatibleFormat` for another storage format, `.storage` for I/O failures.
    public init(
        directory: String, options: Options = Options(), clock: any WallClock = SystemClock(),
        logger: Logger = Logger(label: "crm.eventstore", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws(EventStoreError) {
        self.directory = directory
        self.limits = options.limits
        self.mode = options.mode
        self.logger = logger
        let readOnly = options.mode == .readOnly

        if readOnly {
            guard FileManager.default.fileExists(atPath: directory + "/data.mdb") else {
                throw EventStoreError(.storage, detail: "no event store in the directory")
            }
            lock = nil
        } else {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw EventStoreError(.storage, detail: "cannot create the store directory")
            }
            lock = try WriterLock.acquire(directory: directory)
        }

        do {
            let durability: Environment.Durability
            switch options.durability {
            case .full: durability = .full
            case .noMetaSync: durability = .noMetaSync
            case .noSync: durability = .noSync
            }
            env = try Environment(path: directory, options: .init(
                mapSize: options.initialMapSize, maxDatabases: Databases.count + 2, maxReaders: options.maxReaders,
                durability: durability, readOnly: readOnly
            ))
            dbs = try Databases.open(env, create: !readOnly)
            try dbs.checkFormat(env, initialise: !readOnly)
            let (head, streams, lastRecordedAt) = try Self.readCounters(env, dbs)
            notifier = CommitNotifier(head: GlobalPosition(head))
            if readOnly {
                writer = nil
            } else {
                let writer = AppendWriter(
                    env: env, dbs: dbs, clock: clock, limits: options.limits, notifier: notifier, logger: logger,
                    maxEventsPerCommit: options.maxEventsPerCommit, head: head, nextStreamNumber: UInt64(streams) + 1,
                    lastRecordedAt: lastRecordedAt
                )
                writer.start()
                self.writer = writer
            }
            logger.info("event store opened", metadata: ["crm.mode": "\(options.mode)", "crm.head": "\(head)"])
        } catch {
            lock?.release()
            if let error = error as? EventStoreError { throw error }
            if let error = error as? LMDBError { throw Self.translate(error) }
            throw EventStoreError(.storage, detail: "\(error)")
        }
    }

    deinit {
        if !closed.load(ordering: .acquiring) {
            writer?.requestStop()
            notifier.close()
            lock?.release()
        }
    }

    public func close() async {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        await writer?.stop()
        notifier.close()
        env.close()
        lock?.release()
        logger.info("event store closed")
    }

    // MARK: Appending

    public func append(_ appends: [StreamAppend]) async throws -> [AppendResult] {
        guard let writer else { throw EventStoreError(.readOnly, detail: "the store was opened read-only") }
        guard !closed.load(ordering: .acquiring) else { throw EventStoreError(.closed, detail: "the store is closed") }
        return try await writer.submit(appends)
    }

    // MARK: Reading

    public func readStream(_ stream: StreamID, from version: StreamVersion = .first, direction: ReadDirection = .forward, limit: Int = .max) async throws -> [RecordedEvent] {
        var events: [RecordedEvent] = []
        try forEachEvent(of: stream, from: version, direction: direction, limit: limit) { events.append($0.copy()) }
        return events
    }

    public func readAll(from position: GlobalPosition, direction: ReadDirection = .forward, limit: Int) async throws -> [RecordedEvent] {
        var events: [RecordedEvent] = []
        if limit > 0 && limit < 100_000 { events.reserveCapacity(limit) }
        try scan(from: position, direction: direction, limit: limit) { events.append($0.copy()) }
        return events
    }

    /// One read transaction and one cursor for all of them.
    public func readEvents(at positions: [GlobalPosition]) async throws -> [RecordedEvent] {
        let wanted = Set(positions).sorted().filter { $0 > .start }
        guard !wanted.isEmpty else { return [] }
        return try read { txn in
            try txn.withCursor(on: dbs.events) { cursor in
                var events: [RecordedEvent] = []
                events.reserveCapacity(wanted.count)
                var cache = Envelope.TextCache()
                for position in wanted {
                    guard let entry = try Keys.withPosition(position.rawValue, { try cursor.seek(atLeast: $0) }) else { break }
                    guard let key = Keys.readUInt64(entry.key) else { throw EventStoreError(.corrupted, detail: "unreadable log key") }
                    guard key == position.rawValue else { continue }
                    events.append(try Envelope.decode(entry.value, position: position, cache: &cache).copy())
                }
                return events
            }
        }
    }

    @discardableResult
    public func forEachEvent(from position: GlobalPosition, limit: Int, _ body: (BorrowedEvent) throws -> Void) async throws -> Int {
        try scan(from: position, direction: .forward, limit: limit, body)
    }

    public func streamVersion(of stream: StreamID) async throws -> StreamVersion {
        try read { txn in
            var text = stream.rawValue
            let head = try text.withUTF8 { name in try txn.unsafeValue(forKey: UnsafeRawBufferPointer(name), in: dbs.heads) }
            guard let head else { return .noStream }
            guard let parsed = Keys.Head(head) else { throw EventStoreError(.corrupted, detail: "unreadable stream head", stream: stream) }
            return StreamVersion(parsed.version)
        }
    }

    public func headPosition() async throws -> GlobalPosition {
        try read { txn in try Self.lastPosition(txn, dbs) }
    }

    public func subscribe(from position: GlobalPosition) -> EventSubscription {
        EventSubscription(
            from: position,
            read: { [self] from, limit in try await readAll(from: from, direction: .forward, limit: limit) },
            waitForHead: { [self] beyond in
                if writer != nil { return await notifier.wait(beyond: beyond) }
                // Read-only: another process writes; look for new events now and then.
                while !closed.load(ordering: .acquiring) && !Task.isCancelled {
                    if let head = try? await headPosition(), head > beyond { return true }
                    try? await Task.sleep(for: .milliseconds(50))
                }
                return false
            }
        )
    }

    /// Synchronous lending scan: the replay path. `body` sees each event with its payload lent from
    /// LMDB's memory map; keep it short, it runs inside one read transaction.
    @discardableResult
    public func scan(from position: GlobalPosition, direction: ReadDirection = .forward, limit: Int, _ body: (BorrowedEvent) throws -> Void) throws -> Int {
        guard limit > 0 else { return 0 }
        return try read { txn in
            try txn.withCursor(on: dbs.events) { cursor in
                var count = 0
                var cache = Envelope.TextCache()
                var entry: Cursor.Entry?
                switch direction {
                case .forward:
                    entry = try Keys.withPosition(position.rawValue) { try cursor.seek(atLeast: $0) }
                case .backward:
                    entry = try Keys.withPosition(position.rawValue) { try cursor.seek(atMost: $0) }
                }
                while let current = entry {
                    guard let key = Keys.readUInt64(current.key) else {
                        throw EventStoreError(.corrupted, detail: "unreadable log key")
                    }
                    try body(try Envelope.decode(current.value, position: GlobalPosition(key), cache: &cache))
                    count += 1
                    if count >= limit { break }
                    entry = direction == .forward ? try cursor.next() : try cursor.previous()
                }
                return count
            }
        }
    }

    /// Synchronous lending read of one stream.
    @discardableResult
    public func forEachEvent(
        of stream: StreamID, from version: StreamVersion = .first, direction: ReadDirection = .forward, limit: Int = .max,
        _ body: (BorrowedEvent) throws -> Void
    ) throws -> Int {
        guard limit > 0 else { return 0 }
        return try read { txn in
            var text = stream.rawValue
            let headBytes = try text.withUTF8 { name in try txn.unsafeValue(forKey: UnsafeRawBufferPointer(name), in: dbs.heads) }
            guard let headBytes else { return 0 }
            guard let head = Keys.Head(headBytes) else { throw EventStoreError(.corrupted, detail: "unreadable stream head", stream: stream) }
            return try txn.withCursor(on: dbs.streams) { cursor in
                var count = 0
                var cache = Envelope.TextCache()
                var entry: Cursor.Entry?
                switch direction {
                case .forward: entry = try Keys.withStreamKey(head.number, version.rawValue) { try cursor.seek(atLeast: $0) }
                case .backward: entry = try Keys.withStreamKey(head.number, version.rawValue) { try cursor.seek(atMost: $0) }
                }
                while let current = entry, Keys.readUInt64(current.key) == head.number {
                    guard let position = Keys.readUInt64(current.value) else {
                        throw EventStoreError(.corrupted, detail: "unreadable stream index entry", stream: stream)
                    }
                    let record = try Keys.withPosition(position) { try txn.unsafeValue(forKey: $0, in: dbs.events) }
                    guard let record else {
                        throw EventStoreError(.corrupted, detail: "stream index points past the log", stream: stream, position: GlobalPosition(position))
                    }
                    try body(try Envelope.decode(record, position: GlobalPosition(position), cache: &cache))
                    count += 1
                    if count >= limit { break }
                    entry = direction == .forward ? try cursor.next() : try cursor.previous()
                }
                return count
            }
        }
    }

    /// Counts and sizes.
    public func statistics() throws -> Statistics {
        let info = try translating { try env.info() }
        let pageSize = try translating { try env.pageSize() }
        return try read { txn in
            Statistics(
                eventCount: try txn.statistics(of: dbs.events).entries,
                streamCount: try txn.statistics(of: dbs.heads).entries,
                headPosition: try Self.lastPosition(txn, dbs),
                mapSize: info.mapSize,
                usedBytes: (info.lastPageNumber + 1) * pageSize
            )
        }
    }

    // MARK: Internals

    /// Runs a read transaction, translating LMDB's errors.
    func read<R>(_ body: (Transaction) throws -> R) throws -> R {
        try translating { try env.read(body) }
    }

    func translating<R>(_ body: () throws -> R) throws -> R {
        do {
            return try body()
        } catch let error as LMDBError {
            throw Self.translate(error)
        }
    }

    /// Opens an environment of a store's directory (views, checkpoints, audit), giving a second open of one
    /// this process holds (``LMDBError/openInProcess``) as ``EventStoreError/Code/storeInUse``; other errors
    /// as they are.
    public static func opening(_ open: () throws -> Environment) throws -> Environment {
        do {
            return try open()
        } catch let error as LMDBError {
            guard error == .openInProcess, error.operation == LMDBError.openInProcess.operation else { throw error }
            throw translate(error)
        }
    }

    static func translate(_ error: LMDBError) -> EventStoreError {
        if error == .closed { return EventStoreError(.closed, detail: "the store is closed") }
        if error == .openInProcess && error.operation == LMDBError.openInProcess.operation {
            return EventStoreError(.storeInUse, detail: "the directory is already open in this process: close that store first")
        }
        // A data file whose header (meta pages) is no LMDB environment's (`MDB_INVALID`) is damage too: the
        // store's data file was an environment when it was written.
        if error.isCorruption || error == .invalid { return EventStoreError(.corrupted, detail: error.description) }
        return EventStoreError(.storage, detail: error.description)
    }

    static func lastPosition(_ txn: Transaction, _ dbs: Databases) throws -> GlobalPosition {
        try txn.withCursor(on: dbs.events) { cursor in
            guard let last = try cursor.last() else { return .start }
            return GlobalPosition(Keys.readUInt64(last.key) ?? 0)
        }
    }

    /// The head, the number of streams and the last event's `recordedAt` (microseconds; nil for an empty log
    /// or a record too short to hold it, which `verify()` reports).
    private static func readCounters(_ env: Environment, _ dbs: Databases) throws -> (head: UInt64, streams: Int, lastRecordedAt: Int64?) {
        try env.read { txn in
            let (head, recordedAt) = try txn.withCursor(on: dbs.events) { cursor -> (UInt64, Int64?) in
                guard let last = try cursor.last() else { return (0, nil) }
                return (Keys.readUInt64(last.key) ?? 0, Envelope.recordedAtMicros(last.value))
            }
            return (head, try txn.statistics(of: dbs.heads).entries, recordedAt)
        }
    }
}
