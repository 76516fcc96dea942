import EventSourcing
import Foundation
import Logging
import PostgresNIO
import Synchronization

/// The event log on PostgreSQL: several engine processes share one log (R-NF-3, docs/POSTGRES.md).
///
/// ```swift
/// let store = try await PostgresEventStore.open(url: "postgres://crm@db:5432/crm?schema=crm")
/// try await store.append([event], to: "customer-42", expectedVersion: .noStream)
/// for try await event in store.subscribe(from: .start) { … }
/// await store.close()
/// ```
///
/// It passes the same conformance suite as the LMDB store. Appends of this process queue to one writer
/// that commits them in groups (one transaction each); every transaction first locks the one-row
/// `log_head` table, so appenders of all processes are serialised and positions are gapless and in commit
/// order. Subscriptions catch up by reading the log, then follow it through LISTEN/NOTIFY, with a poll of
/// the head every ``PostgresStoreConfiguration/pollInterval`` in case a notification was missed.
///
/// A database that cannot be reached (an outage, a restart) makes operations fail with
/// ``EventStoreError/Code/storage`` after at most ``PostgresStoreConfiguration/operationTimeout``; an
/// append that failed that way may or may not have committed: re-send the same events (same ids), which is
/// idempotent, to find out.
public final class PostgresEventStore: EventStore {
    public let configuration: PostgresStoreConfiguration
    public var limits: EventStoreLimits { configuration.limits }

    let client: PostgresClient
    let schema: String
    let logger: Logger
    let queryLogger: Logger
    let notifier: CommitNotifier
    private let writer: PostgresAppendWriter
    private let runTask: Task<Void, Never>
    private let listenTask: Mutex<Task<Void, Never>?> = Mutex(nil)
    private let closed = Atomic<Bool>(false)

    /// The NOTIFY channel of this log's commits (the payload is the new head position).
    var channel: String { Self.channel(schema: schema) }

    /// The NOTIFY channel of the log in `schema`.
    static func channel(schema: String) -> String { "crm_log_" + schema }

    private init(
        configuration: PostgresStoreConfiguration, client: PostgresClient, runTask: Task<Void, Never>, head: GlobalPosition,
        clock: any WallClock, logger: Logger
    ) {
        self.configuration = configuration
        self.client = client
        self.schema = configuration.schema
        self.runTask = runTask
        self.logger = logger
        self.queryLogger = Logger(label: "crm.eventstore.postgres.query", factory: { _ in SwiftLogNoOpLogHandler() })
        let notifier = CommitNotifier(head: head)
        self.notifier = notifier
        self.writer = PostgresAppendWriter(
            client: client, schema: configuration.schema, clock: clock, notifier: notifier,
            timeout: configuration.operationTimeout, maxEventsPerCommit: configuration.maxEventsPerCommit,
            logger: logger, queryLogger: queryLogger)
    }

    /// Opens the log at `url` (see ``PostgresStoreConfiguration/init(url:)``), creating its schema when missing.
    public static func open(
        url: String, clock: any WallClock = SystemClock(),
        logger: Logger = Logger(label: "crm.eventstore", factory: { _ in SwiftLogNoOpLogHandler() })
    ) async throws -> PostgresEventStore {
        try await open(PostgresStoreConfiguration(url: url), clock: clock, logger: logger)
    }

    /// Opens the log, creating its schema when missing.
    ///
    /// - Throws: ``EventStoreError`` — `.storage` when the database cannot be reached within
    ///   ``PostgresStoreConfiguration/connectTimeout`` or refuses the schema, `.incompatibleFormat` for a
    ///   schema of another format or a database not in UTF-8.
    public static func open(
        _ configuration: PostgresStoreConfiguration, clock: any WallClock = SystemClock(),
        logger: Logger = Logger(label: "crm.eventstore", factory: { _ in SwiftLogNoOpLogHandler() })
    ) async throws -> PostgresEventStore {
        try PostgresStoreConfiguration.validate(schema: configuration.schema)
        let client = try makeClient(configuration, logger: logger)
        let runTask = Task { await client.run() }
        let queryLogger = Logger(label: "crm.eventstore.postgres.query", factory: { _ in SwiftLogNoOpLogHandler() })
        do {
            let head = try await withDeadline(configuration.connectTimeout, "opening the log") {
                try await Schema.prepare(client, schema: configuration.schema, creating: configuration.createsSchema, logger: queryLogger)
                return try await readHead(client, schema: configuration.schema, logger: queryLogger)
            }
            let store = PostgresEventStore(
                configuration: configuration, client: client, runTask: runTask, head: head, clock: clock, logger: logger)
            if configuration.listenForNotifications { store.startListening() }
            logger.info("event store opened", metadata: [
                "crm.store": "\(configuration.redactedURL)", "crm.head": "\(head)",
            ])
            return store
        } catch {
            runTask.cancel()
            var translated = translate(error, during: "opening the log")
            // The pool retries a failing connection quietly until the deadline; one attempt of our own
            // says why (a refused certificate or password) instead of only "no answer".
            if translated.code == .storage, let why = await connectionProblem(configuration, within: min(.seconds(5), configuration.connectTimeout)) {
                translated = EventStoreError(.storage, detail: "cannot connect to the database while opening the log: \(why)")
            }
            logger.error("event store open failed", metadata: ["crm.store": "\(configuration.redactedURL)", "crm.error": "\(translated)"])
            throw translated
        }
    }

    /// Drops the log's schema with every event in it: for tests and decommissioning, never in normal use.
    public static func destroy(_ configuration: PostgresStoreConfiguration, logger: Logger = Logger(label: "crm.eventstore", factory: { _ in SwiftLogNoOpLogHandler() })) async throws {
        try PostgresStoreConfiguration.validate(schema: configuration.schema)
        let client = try makeClient(configuration, logger: logger)
        let runTask = Task { await client.run() }
        defer { runTask.cancel() }
        do {
            _ = try await withDeadline(configuration.connectTimeout, "dropping the log") {
                try await client.query(PostgresQuery(unsafeSQL: "DROP SCHEMA IF EXISTS \(configuration.schema) CASCADE"))
            }
        } catch {
            throw translate(error, during: "dropping the log")
        }
    }

    deinit {
        if !closed.load(ordering: .acquiring) {
            notifier.close()
            listenTask.withLock { $0?.cancel() }
            runTask.cancel()
        }
    }

    public func close() async {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        await writer.stop()
        notifier.close()
        listenTask.withLock { $0?.cancel() }
        runTask.cancel()
        logger.info("event store closed")
    }

    // MARK: Appending

    public func append(_ appends: [StreamAppend]) async throws -> [AppendResult] {
        guard !closed.load(ordering: .acquiring) else { throw EventStoreError(.closed, detail: "the store is closed") }
        try limits.validate(appends)
        let total = appends.reduce(0) { $0 + $1.events.count }
        if total > 1 {
            var seen = Set<UUID>(minimumCapacity: total)
            for append in appends {
                for event in append.events where !seen.insert(event.id).inserted {
                    throw EventStoreError(.duplicateEventInAppend, detail: "an event id appears twice in one append", stream: append.stream, eventID: event.id)
                }
            }
        }
        return try await writer.submit(appends)
    }

    // MARK: Reading

    static let columns = "position, stream_id, stream_version, event_id, type, schema_version, recorded_at, metadata, payload"

    public func readStream(_ stream: StreamID, from version: StreamVersion = .first, direction: ReadDirection = .forward, limit: Int = .max) async throws -> [RecordedEvent] {
        var events: [RecordedEvent] = []
        try await forEachRow(of: stream, from: version, direction: direction, limit: limit) { events.append($0.recorded()) }
        return events
    }

    public func readAll(from position: GlobalPosition, direction: ReadDirection = .forward, limit: Int) async throws -> [RecordedEvent] {
        var events: [RecordedEvent] = []
        try await forEachRow(from: position, direction: direction, limit: limit) { events.append($0.recorded()) }
        return events
    }

    /// One query per ``PostgresStoreConfiguration/readBatchSize`` positions (`position = ANY(…)`).
    public func readEvents(at positions: [GlobalPosition]) async throws -> [RecordedEvent] {
        try checkOpen()
        let wanted = Set(positions).sorted().filter { $0 > .start }.map { Int64(clamping: $0.rawValue) }
        var events: [RecordedEvent] = []
        var start = 0
        while start < wanted.count {
            let chunk = Array(wanted[start..<min(start + max(configuration.readBatchSize, 1), wanted.count)])
            let query: PostgresQuery = "SELECT \(unescaped: Self.columns) FROM \(unescaped: schema).events WHERE position = ANY(\(chunk)) ORDER BY position ASC"
            events += try await fetch(query, "reading events by position").map { $0.recorded() }
            start += chunk.count
        }
        return events
    }

    @discardableResult
    public func forEachEvent(from position: GlobalPosition, limit: Int, _ body: (BorrowedEvent) throws -> Void) async throws -> Int {
        try await forEachRow(from: position, direction: .forward, limit: limit) { row in
            try row.payload.withUnsafeReadableBytes { payload in
                try body(BorrowedEvent(
                    id: row.id, stream: row.stream, streamVersion: row.version, position: row.position, type: row.type,
                    schemaVersion: row.schemaVersion, recordedAt: row.recordedAt, metadata: row.metadata, payload: payload))
            }
        }
    }

    public func streamVersion(of stream: StreamID) async throws -> StreamVersion {
        try checkOpen()
        let schema = schema
        let client = client
        let logger = queryLogger
        let name = stream.rawValue
        return try await run("reading a stream's version") {
            var version: Int64 = 0
            let query: PostgresQuery = "SELECT version FROM \(unescaped: schema).streams WHERE stream_id = \(name)"
            for try await value in try await client.query(query, logger: logger).decode(Int64.self) { version = value }
            return StreamVersion(UInt64(max(version, 0)))
        }
    }

    public func headPosition() async throws -> GlobalPosition {
        try checkOpen()
        let client = client
        let schema = schema
        let logger = queryLogger
        let head = try await run("reading the head") { try await Self.readHead(client, schema: schema, logger: logger) }
        notifier.publish(head: head)
        return head
    }

    public func subscribe(from position: GlobalPosition) -> EventSubscription {
        EventSubscription(
            from: position, batchSize: configuration.readBatchSize,
            read: { [self] from, limit in
                do {
                    return try await readAll(from: from, direction: .forward, limit: limit)
                } catch {
                    // Closed or cancelled while reading: the sequence ends (the wait that follows says so).
                    if Task.isCancelled || closed.load(ordering: .acquiring) { return [] }
                    throw error
                }
            },
            waitForHead: { [self] beyond in await waitForHead(beyond: beyond) }
        )
    }

    /// Waits until the head passes `beyond`: woken by this process's commits and by NOTIFY from the
    /// others, and looking at the head itself every poll interval so a lost notification never stalls.
    func waitForHead(beyond: GlobalPosition) async -> Bool {
        let notifier = notifier
        let poll = configuration.pollInterval
        while !closed.load(ordering: .acquiring) && !Task.isCancelled {
            if notifier.head > beyond { return true }
            let woken: Bool? = await withTaskGroup(of: Bool?.self) { group in
                group.addTask { await notifier.wait(beyond: beyond) }
                group.addTask {
                    try? await Task.sleep(for: poll)
                    return nil
                }
                let first = await group.next() ?? nil
                group.cancelAll()
                return first
            }
            switch woken {
            case .some(true): return true
            case .some(false): return false
            case .none:
                if closed.load(ordering: .acquiring) || Task.isCancelled { return false }
                if let head = try? await headPosition(), head > beyond { return true }
            }
        }
        return false
    }

    // MARK: Internals

    /// One decoded row; the payload stays in the driver's buffer.
    struct Row: Sendable {
        let position: GlobalPosition
        let stream: StreamID
        let version: StreamVersion
        let id: UUID
        let type: String
        let schemaVersion: UInt32
        let recordedAt: Date
        let metadata: EventMetadata
        let payload: ByteBuffer

        func recorded() -> RecordedEvent {
            RecordedEvent(
                id: id, stream: stream, streamVersion: version, position: position, type: type, schemaVersion: schemaVersion,
                recordedAt: recordedAt, metadata: metadata, payload: Array(payload.readableBytesView))
        }
    }

    /// Reads the log from `position` (inclusive) page by page, each page one query under the timeout.
    @discardableResult
    private func forEachRow(from position: GlobalPosition, direction: ReadDirection, limit: Int, _ body: (Row) throws -> Void) async throws -> Int {
        let schema = schema
        return try await forEachPage(from: position.rawValue, direction: direction, limit: limit, "reading the log", key: \.position.rawValue) { from, want in
            switch direction {
            case .forward:
                "SELECT \(unescaped: Self.columns) FROM \(unescaped: schema).events WHERE position >= \(from) ORDER BY position ASC LIMIT \(want)"
            case .backward:
                "SELECT \(unescaped: Self.columns) FROM \(unescaped: schema).events WHERE position <= \(from) ORDER BY position DESC LIMIT \(want)"
            }
        } body: { try body($0) }
    }

    /// Reads one stream from `version` (inclusive) page by page.
    private func forEachRow(of stream: StreamID, from version: StreamVersion, direction: ReadDirection, limit: Int, _ body: (Row) throws -> Void) async throws {
        let schema = schema
        let name = stream.rawValue
        try await forEachPage(from: version.rawValue, direction: direction, limit: limit, "reading a stream", key: \.version.rawValue) { from, want in
            switch direction {
            case .forward:
                "SELECT \(unescaped: Self.columns) FROM \(unescaped: schema).events WHERE stream_id = \(name) AND stream_version >= \(from) ORDER BY stream_version ASC LIMIT \(want)"
            case .backward:
                "SELECT \(unescaped: Self.columns) FROM \(unescaped: schema).events WHERE stream_id = \(name) AND stream_version <= \(from) ORDER BY stream_version DESC LIMIT \(want)"
            }
        } body: { try body($0) }
    }

    /// Pages through rows ordered by `key` (a position or a stream version) from `start` (inclusive) in
    /// `direction`, at most `limit`: `query(from, want)` selects one page; each page is one query under the
    /// timeout. Returns how many rows were passed to `body`.
    @discardableResult
    private func forEachPage(
        from start: UInt64, direction: ReadDirection, limit: Int, _ what: String, key: (Row) -> UInt64,
        query: (_ from: Int64, _ want: Int64) -> PostgresQuery, body: (Row) throws -> Void
    ) async throws -> Int {
        try checkOpen()
        guard limit > 0 else { return 0 }
        var next = Int64(clamping: start)
        var count = 0
        while count < limit {
            let want = min(configuration.readBatchSize, limit - count)
            let page = try await fetch(query(next, Int64(want)), what)
            for row in page { try body(row) }
            count += page.count
            guard page.count == want, let last = page.last else { break }
            if direction == .forward {
                next = Int64(clamping: key(last)) + 1
            } else {
                guard key(last) > 1 else { break }
                next = Int64(clamping: key(last)) - 1
            }
        }
        return count
    }

    private func fetch(_ query: PostgresQuery, _ what: String) async throws -> [Row] {
        let client = client
        let logger = queryLogger
        return try await run(what) {
            var rows: [Row] = []
            let sequence = try await client.query(query, logger: logger)
            for try await columns in sequence.decode((Int64, String, Int64, UUID, String, Int64, Int64, ByteBuffer, ByteBuffer).self) {
                rows.append(try Self.row(columns))
            }
            return rows
        }
    }

    static func row(_ c: (Int64, String, Int64, UUID, String, Int64, Int64, ByteBuffer, ByteBuffer)) throws(EventStoreError) -> Row {
        let position = GlobalPosition(UInt64(max(c.0, 0)))
        let metadata = c.7.withUnsafeReadableBytes { MetadataCodec.decode($0) }
        guard let metadata, c.2 > 0, c.5 >= 0, c.5 <= Int64(UInt32.max) else {
            throw EventStoreError(.corrupted, detail: "unreadable event row", position: position)
        }
        return Row(
            position: position, stream: StreamID(c.1), version: StreamVersion(UInt64(c.2)), id: c.3, type: c.4,
            schemaVersion: UInt32(c.5), recordedAt: Date(microsecondsSince1970: c.6), metadata: metadata, payload: c.8)
    }

    static func readHead(_ client: PostgresClient, schema: String, logger: Logger) async throws -> GlobalPosition {
        var head: Int64 = 0
        let query = PostgresQuery(unsafeSQL: "SELECT position FROM \(schema).log_head WHERE id = 1")
        for try await value in try await client.query(query, logger: logger).decode(Int64.self) { head = value }
        return GlobalPosition(UInt64(max(head, 0)))
    }

    private func checkOpen() throws(EventStoreError) {
        if closed.load(ordering: .acquiring) { throw EventStoreError(.closed, detail: "the store is closed") }
    }

    /// Runs one database operation under the operation timeout, translating its errors.
    private func run<T: Sendable>(_ what: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        do {
            return try await withDeadline(configuration.operationTimeout, what, body)
        } catch {
            if closed.load(ordering: .acquiring) { throw EventStoreError(.closed, detail: "the store is closed") }
            throw Self.translate(error, during: what)
        }
    }

    /// Follows NOTIFY on the log's channel on one pooled connection; reconnects after a failure.
    private func startListening() {
        let client = client
        let channel = channel
        let notifier = notifier
        let logger = logger
        let task = Task {
            var failures = 0
            while !Task.isCancelled {
                do {
                    try await client.withConnection { connection in
                        try await connection.listen(on: channel) { notifications in
                            failures = 0
                            for try await notification in notifications {
                                if let head = UInt64(notification.payload) { notifier.publish(head: GlobalPosition(head)) }
                            }
                        }
                    }
                } catch {
                    if Task.isCancelled { break }
                    failures += 1
                    if failures == 1 {
                        logger.warning("event store notification listener lost its connection; retrying (subscriptions poll meanwhile)",
                                       metadata: ["crm.error": "\(PostgresEventStore.translate(error, during: "listening"))"])
                    }
                }
                if Task.isCancelled { break }
                try? await Task.sleep(for: .milliseconds(min(200 * (failures + 1), 2_000)))
            }
        }
        listenTask.withLock { $0 = task }
    }

    static func makeClient(_ configuration: PostgresStoreConfiguration, logger: Logger) throws(EventStoreError) -> PostgresClient {
        let tls: PostgresClient.Configuration.TLS
        switch try configuration.tlsSettings() {
        case nil: tls = .disable
        case let (settings, plainAllowed)?: tls = plainAllowed ? .prefer(settings) : .require(settings)
        }
        var config = PostgresClient.Configuration(
            host: configuration.host, port: configuration.port, username: configuration.username,
            password: configuration.password, database: configuration.database, tls: tls)
        config.options.maximumConnections = max(configuration.maxConnections, 2)
        config.options.connectTimeout = configuration.connectTimeout
        // The driver's own background messages (connection attempts); never query binds.
        var background = logger
        background.logLevel = max(logger.logLevel, .warning)
        return PostgresClient(configuration: config, backgroundLogger: background)
    }

    /// Why one connection attempt fails (nil when it succeeds or says nothing more): TLS, authentication or
    /// the network, in words that name no value of the caller's.
    static func connectionProblem(_ configuration: PostgresStoreConfiguration, within limit: Duration) async -> String? {
        let tls: PostgresConnection.Configuration.TLS
        do {
            switch try configuration.tlsSettings() {
            case nil: tls = .disable
            case let (settings, plainAllowed)?:
                let context = try NIOSSLContext(configuration: settings)
                tls = plainAllowed ? .prefer(context) : .require(context)
            }
        } catch {
            return "TLS settings refused (\(type(of: error)))"
        }
        var connection = PostgresConnection.Configuration(
            host: configuration.host, port: configuration.port, username: configuration.username,
            password: configuration.password, database: configuration.database, tls: tls)
        connection.options.connectTimeout = .seconds(max(1, limit.components.seconds))
        let quiet = Logger(label: "crm.eventstore.postgres.probe", factory: { _ in SwiftLogNoOpLogHandler() })
        let attempt = connection
        do {
            let opened = try await withDeadline(limit, "connecting") {
                try await PostgresConnection.connect(configuration: attempt, id: 0, logger: quiet)
            }
            try? await opened.close()
            return nil
        } catch let error as PSQLError {
            if error.code == .server {
                return "the server refused the connection (SQLSTATE \(error.serverInfo?[.sqlState] ?? "?"))"
            }
            if let underlying = error.underlying {
                if let extra = underlying as? NIOSSLExtraError, extra == .failedToValidateHostname {
                    return "the server's certificate does not name \(configuration.host) (sslmode=verify-full)"
                }
                if "\(underlying)".contains("CERTIFICATE_VERIFY_FAILED") {
                    return "the server's certificate does not chain to a trusted root (give its root in sslrootcert, or use sslmode=require to encrypt without checking)"
                }
                if underlying is NIOSSLError || underlying is NIOSSLExtraError || underlying is BoringSSLError {
                    return "the TLS handshake failed (\(type(of: underlying)))"
                }
                return "\(error.code) (\(type(of: underlying)))"
            }
            return error.code == .sslUnsupported ? "the server does not offer TLS, which sslmode requires" : "\(error.code)"
        } catch {
            return nil
        }
    }

    /// A typed error for anything the driver or the network throws. The text names SQLSTATEs and what was
    /// being done, never values.
    static func translate(_ error: any Error, during what: String) -> EventStoreError {
        if let error = error as? EventStoreError { return error }
        // `withTransaction` wraps what failed inside it: the failure itself is what the caller must see
        // (a log of another format, a missing log), not "a transaction failed".
        if let error = error as? PostgresTransactionError,
           let inner = error.beginError ?? error.closureError ?? error.commitError {
            return translate(inner, during: what)
        }
        if let error = error as? PSQLError {
            switch error.code {
            case .server:
                let state = error.serverInfo?[.sqlState] ?? "?"
                if state.hasPrefix("08") || state.hasPrefix("57P") || state == "53300" {
                    return EventStoreError(.storage, detail: "database unavailable (SQLSTATE \(state)) while \(what)")
                }
                return EventStoreError(.storage, detail: "PostgreSQL refused the request (SQLSTATE \(state)) while \(what)")
            case .poolClosed:
                return EventStoreError(.closed, detail: "the store is closed")
            default:
                return EventStoreError(.storage, detail: "database unavailable (\(error.code)) while \(what)")
            }
        }
        if error is CancellationError { return EventStoreError(.storage, detail: "cancelled while \(what)") }
        return EventStoreError(.storage, detail: "database unavailable (\(String(describing: type(of: error)))) while \(what)")
    }
}

/// Runs `body`, failing with ``EventStoreError/Code/storage`` when it takes longer than `limit`. On the
/// deadline the caller gets its error at once and `body` is cancelled and left to end by itself (a connection
/// lease gives up at once; a query on a half-open connection ends when the connection does): a silent
/// network never holds a caller longer than `limit`.
func withDeadline<T: Sendable>(_ limit: Duration, _ what: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    let gate = DeadlineGate<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            gate.install(continuation)
            let work = Task {
                do {
                    gate.finish(.success(try await body()))
                } catch {
                    gate.finish(.failure(error))
                }
            }
            let timer = Task {
                try? await Task.sleep(for: limit)
                if Task.isCancelled { return }
                gate.finish(.failure(EventStoreError(.storage, detail: "database unavailable: no answer within \(limit) while \(what)")))
            }
            gate.attach(work: work, timer: timer)
        }
    } onCancel: {
        gate.finish(.failure(CancellationError()))
    }
}

/// The one answer of ``withDeadline(_:_:_:)``: whichever of the work, the timer and cancellation comes
/// first resumes the caller; the others are cancelled.
final class DeadlineGate<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var outcome: Result<T, any Error>?
        var work: Task<Void, Never>?
        var timer: Task<Void, Never>?
    }
    private let state = Mutex(State())

    func install(_ continuation: CheckedContinuation<T, any Error>) {
        let ready = state.withLock { s -> Result<T, any Error>? in
            if let outcome = s.outcome { return outcome }
            s.continuation = continuation
            return nil
        }
        if let ready { continuation.resume(with: ready) }
    }

    func attach(work: Task<Void, Never>, timer: Task<Void, Never>) {
        let finished = state.withLock { s -> Bool in
            s.work = work
            s.timer = timer
            return s.outcome != nil
        }
        if finished {
            work.cancel()
            timer.cancel()
        }
    }

    func finish(_ outcome: Result<T, any Error>) {
        let (continuation, work, timer) = state.withLock { s -> (CheckedContinuation<T, any Error>?, Task<Void, Never>?, Task<Void, Never>?) in
            guard s.outcome == nil else { return (nil, nil, nil) }
            s.outcome = outcome
            defer { s.continuation = nil }
            return (s.continuation, s.work, s.timer)
        }
        continuation?.resume(with: outcome)
        work?.cancel()
        timer?.cancel()
    }
}
