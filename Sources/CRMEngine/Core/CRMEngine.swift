import CRMDomain
import CRMProjections
import Crypto
import EventSourcing
import EventStoreLMDB
import Foundation
import Logging
import Synchronization

/// The CRM as a library (ARCHITECTURE: the application layer users embed). It executes the domain's
/// commands as an authenticated principal — authorization and data scope here, not in adapters —, keeps
/// the read models up to date, answers queries, and records who read which customer data.
///
/// ```swift
/// let engine = try await CRMEngine.open(at: "./crm-data")
/// let (admin, token) = try await engine.bootstrap(administrator: NewEmployee(...))
/// let result = try await engine.execute(Customer.self, id: customerID, .create(customerID: customerID, new, form: form), as: admin)
/// let view = try await engine.customer(customerID, as: admin)
/// await engine.close()
/// ```
public final class CRMEngine: Sendable {
    /// The engine's own views, kept beside the configured ones: tokens and passwords, the outbox's pending
    /// items, the reminders' sources and the customers' loyalty tenure.
    static var engineProjections: [any Projection] {
        [CredentialsProjection(), PendingOutboxProjection(), ReminderSourcesProjection(), LoyaltyTenureProjection(), CustomerGroupsProjection()]
    }

    /// The folders of a data directory (``open(at:configuration:)``) derived from its log: the views, the
    /// snapshots of long streams and the reactor's checkpoint. Built again from the log when the engine next
    /// opens, so safe to delete while no process has the directory open, and to be deleted when the log is
    /// replaced (`crm restore`): they would describe the log they were made from. The read audit (`audit/`)
    /// is not derived from the log — it is the only record of who read what — and is not among them.
    public static let derivedDirectories = ["views", "snapshots", "reactor"]

    /// What the engine is opened with; every part has a default.
    public struct Configuration: Sendable {
        /// The clock of every decision ("now" of commands, token expiry, overdue).
        public var clock: any WallClock
        /// New record and event ids (time-ordered UUIDv7 by default).
        public var ids: any IDGenerator
        public var logger: Logger
        /// How often a command without an expected version is decided again when a concurrent write
        /// changed its record first.
        public var maxAttempts: Int
        /// How long read-audit entries are kept.
        public var readAuditRetention: TimeInterval
        /// The read models to keep (all the CRM's by default).
        public var projections: [any Projection]
        /// Durability of the log (an LMDB store opened by ``CRMEngine/open(at:configuration:)``).
        public var durability: LMDBEventStore.Durability
        /// The event → command rules the reactor runs (the CRM's by default); empty runs no reactor.
        public var reactions: [Reaction]
        /// Where the read audit is written; `<directory>/audit` when nil. A private views directory (a
        /// scratch engine over a read-only log) still audits into the data directory's `audit/`.
        public var auditDirectory: String?
        /// Snapshots of long streams (``SnapshottableRecord``: the organisation, the settings, revenue
        /// ledgers): a new one after a load that folded at least this many events past the last; nil keeps none.
        public var snapshotEvery: Int?
        /// How many decoded customer-360 views are kept in memory for repeated reads; 0 keeps none.
        public var customerCacheSize: Int
        /// Told how far the views built from the log while the engine opens have come (views never built,
        /// or whose projection version changed: ``ProjectionRunner/start(progress:)``); not called when
        /// every view is current. For a progress line; nil by default.
        public var viewBuildProgress: (@Sendable (ProjectionRunner.Progress) -> Void)?

        public init(
            clock: any WallClock = SystemClock(), ids: (any IDGenerator)? = nil,
            logger: Logger = Logger(label: "crm.engine", factory: { _ in SwiftLogNoOpLogHandler() }),
            maxAttempts: Int = 5, readAuditRetention: TimeInterval = 400 * 86_400,
            projections: [any Projection]? = nil, durability: LMDBEventStore.Durability = .full,
            reactions: [Reaction]? = nil, auditDirectory: String? = nil, snapshotEvery: Int? = 500,
            customerCacheSize: Int = 2048
        ) {
            self.customerCacheSize = max(0, customerCacheSize)
            self.auditDirectory = auditDirectory
            self.snapshotEvery = snapshotEvery.map { max(1, $0) }
            self.reactions = reactions ?? CRMReactions.all
            self.clock = clock
            self.ids = ids ?? UUIDv7Generator(clock: clock)
            self.logger = logger
            self.maxAttempts = max(maxAttempts, 1)
            self.readAuditRetention = readAuditRetention
            self.projections = projections ?? CRMViews.all
            self.durability = durability
        }
    }

    public let store: any EventStore
    public let views: ProjectionRunner
    public let registry: PayloadRegistry
    public let configuration: Configuration
    let audit: ReadAuditLog
    let reactor: Reactor
    /// Snapshots of long streams; nil when the configuration keeps none or the engine is read-only.
    let snapshots: SnapshotStore?
    let organisation = SingletonCache<Organisation>(stream: Organisation.streamID)
    let settingsCache = SingletonCache<Settings>(stream: Settings.streamID)
    /// The settings as of a log position, for reactions (``settings(asOf:)``).
    let settingsAsOf = SettingsAsOfCache()
    let principals = PrincipalCache()
    let customerViews: StampedCache<Customer360>
    let scheduler = Mutex<Task<Void, Never>?>(nil)
    private let ownsStore: Bool
    private let directory: String
    /// The directories this engine holds in the process (``DirectoryClaim``), given back by ``close()``.
    private let claim: DirectoryClaim
    /// Set by ``close()`` (and by an open that failed): a deinit without it says so.
    let closeCalled = Atomic<Bool>(false)

    var clock: any WallClock { configuration.clock }
    var logger: Logger { configuration.logger }

    private init(store: any EventStore, ownsStore: Bool, directory: String, claim: DirectoryClaim, views: ProjectionRunner, registry: PayloadRegistry,
                 audit: ReadAuditLog, reactor: Reactor, snapshots: SnapshotStore? = nil, configuration: Configuration) {
        self.claim = claim
        self.snapshots = snapshots
        self.reactor = reactor
        self.store = store
        self.ownsStore = ownsStore
        self.directory = directory
        self.views = views
        self.registry = registry
        self.audit = audit
        self.configuration = configuration
        self.customerViews = StampedCache(capacity: configuration.customerCacheSize)
    }

    /// Opens the engine over the embedded LMDB store in `directory` (created when missing): the log in
    /// `log/`, one environment per read model in `views/`, the read audit in `audit/`. One process writes
    /// a directory at a time, and one engine of a process has it open at a time: a second open in the same
    /// process — this one or ``openReadOnly(at:configuration:)`` — fails with `storeInUse` ("already open in
    /// this process") until the first engine is closed (``DirectoryClaim``).
    public static func open(at directory: String, configuration: Configuration = Configuration()) async throws -> CRMEngine {
        let claim = try DirectoryClaim.claim(claimedPaths(directory, log: true, configuration))
        let store: LMDBEventStore
        do {
            store = try LMDBEventStore(
                directory: directory + "/log", options: LMDBEventStore.Options(durability: configuration.durability),
                clock: configuration.clock, logger: configuration.logger)
        } catch {
            claim.release()
            throw error
        }
        do {
            return try await open(store: store, ownsStore: true, directory: directory, claim: claim, configuration: configuration)
        } catch {
            await store.close()
            claim.release()
            throw error
        }
    }

    /// What an engine over `directory` holds in the process: the log (when the engine opens it), the views,
    /// snapshots and reactor folders, and the read audit.
    private static func claimedPaths(_ directory: String, log: Bool, _ configuration: Configuration) -> [String] {
        (log ? [directory + "/log"] : []) + ["/views", "/snapshots", "/reactor"].map { directory + $0 }
            + [configuration.auditDirectory ?? directory + "/audit"]
    }

    /// Opens the engine read-only over `directory` beside the process that writes it (a running `crm serve`):
    /// the log and the views are read as that process keeps them (views are not caught up here: their lag is
    /// in ``ProjectionRunner/status()``), no reactor runs, and every command fails with the store's
    /// `readOnly` error. Queries authorize and audit as usual: the read audit (`audit/`) is written beside
    /// the server's own entries (see ``CRMEngine/readAudit(from:to:principal:after:limit:newestFirst:as:)``).
    /// Another process, that is: in the process whose engine has `directory` open it fails with `storeInUse`
    /// ("already open in this process") — LMDB allows one handle per environment and process (query that
    /// engine instead).
    public static func openReadOnly(at directory: String, configuration: Configuration = Configuration()) async throws -> CRMEngine {
        let claim = try DirectoryClaim.claim(claimedPaths(directory, log: true, configuration))
        let store: LMDBEventStore
        do {
            store = try LMDBEventStore(directory: directory + "/log", options: .readOnly, clock: configuration.clock, logger: configuration.logger)
        } catch {
            claim.release()
            throw error
        }
        do {
            return try openReadOnly(store: store, ownsStore: true, directory: directory, claim: claim, configuration: configuration)
        } catch {
            await store.close()
            claim.release()
            throw error
        }
    }

    /// Opens the engine read-only over a shared log (PostgreSQL) and the views another process keeps under
    /// `views` from it (a `crm serve --store …` with that data directory), as ``openReadOnly(at:configuration:)``
    /// does over an embedded log: queries read those views, commands fail with the store's `readOnly` error
    /// (the engine appends nothing to `store`). The caller closes `store`. As there, not in the process whose
    /// engine has `views` open (`storeInUse`, "already open in this process").
    public static func openReadOnly(store: any EventStore, views directory: String, configuration: Configuration = Configuration()) throws -> CRMEngine {
        let claim = try DirectoryClaim.claim(claimedPaths(directory, log: false, configuration))
        do {
            return try openReadOnly(store: ReadOnlyLog(base: store), ownsStore: false, directory: directory, claim: claim, configuration: configuration)
        } catch {
            claim.release()
            throw error
        }
    }

    private static func openReadOnly(store: any EventStore, ownsStore: Bool, directory: String, claim: DirectoryClaim, configuration: Configuration) throws -> CRMEngine {
        let registry = try EngineEvents.registry()
        let runner = try ProjectionRunner(
            readingViewsOf: directory + "/views", store: store, registry: registry,
            projections: configuration.projections + Self.engineProjections)
        let audit = try ReadAuditLog(directory: configuration.auditDirectory ?? directory + "/audit", retention: configuration.readAuditRetention, clock: configuration.clock)
        let reactor = try Reactor(reactions: [], directory: directory + "/reactor")
        return CRMEngine(store: store, ownsStore: ownsStore, directory: directory, claim: claim, views: runner, registry: registry,
                         audit: audit, reactor: reactor, configuration: configuration)
    }

    /// Opens the engine over any event store (PostgreSQL later, in-memory in tests), with its views and
    /// read audit under `views` (a local directory: views are derived and rebuilt from the log). One engine of
    /// a process has `views` open at a time (`storeInUse`, "already open in this process", for a second).
    public static func open(store: any EventStore, views directory: String, configuration: Configuration = Configuration()) async throws -> CRMEngine {
        let claim = try DirectoryClaim.claim(claimedPaths(directory, log: false, configuration))
        do {
            return try await open(store: store, ownsStore: false, directory: directory, claim: claim, configuration: configuration)
        } catch {
            claim.release()
            throw error
        }
    }

    private static func open(store: any EventStore, ownsStore: Bool, directory: String, claim: DirectoryClaim, configuration: Configuration) async throws -> CRMEngine {
        let registry = try EngineEvents.registry()
        try FileManager.default.createDirectory(atPath: directory + "/views", withIntermediateDirectories: true)
        let runner = try ProjectionRunner(
            store: store, registry: registry, projections: configuration.projections + Self.engineProjections,
            directory: directory + "/views", logger: configuration.logger)
        let audit = try ReadAuditLog(directory: configuration.auditDirectory ?? directory + "/audit", retention: configuration.readAuditRetention, clock: configuration.clock)
        let reactor = try Reactor(reactions: configuration.reactions, directory: directory + "/reactor")
        let snapshots = try configuration.snapshotEvery.map { try SnapshotStore(directory: directory + "/snapshots", every: $0) }
        let engine = CRMEngine(store: store, ownsStore: ownsStore, directory: directory, claim: claim, views: runner, registry: registry,
                               audit: audit, reactor: reactor, snapshots: snapshots, configuration: configuration)
        do {
            if let seed = try await engine.fittingSnapshot(of: Organisation.self, stream: Organisation.streamID) { engine.organisation.seed(seed.state, version: seed.version) }
            if let seed = try await engine.fittingSnapshot(of: Settings.self, stream: Settings.streamID) { engine.settingsCache.seed(seed.state, version: seed.version) }
            try await runner.start(progress: configuration.viewBuildProgress)
            if !configuration.reactions.isEmpty { try await reactor.start(engine: engine) }
        } catch {
            // Every environment closed before the caller gives the directories back (``DirectoryClaim``).
            engine.closeCalled.store(true, ordering: .releasing)
            await reactor.stop()
            await runner.close()
            await audit.close()
            snapshots?.close()
            throw error
        }
        configuration.logger.info("engine open", metadata: ["views": "\(runner.projections.count)"])
        return engine
    }

    /// Stops the views (caught up with the log first, so a process reading them read-only next sees every
    /// write of this one), flushes the read audit and closes the store when the engine opened it; then the
    /// directory may be opened again in this process.
    public func close() async {
        closeCalled.store(true, ordering: .releasing)
        let running = scheduler.withLock { task -> Task<Void, Never>? in
            defer { task = nil }
            return task
        }
        running?.cancel()
        await running?.value
        await reactor.stop()
        try? await views.catchUp()
        await views.close()
        await audit.close()
        snapshots?.close()
        if ownsStore { await store.close() }
        claim.release()
    }

    /// An engine released without ``close()``: the logger says so, and the read-audit entries still queued
    /// are written now. Its directory stays claimed for the rest of the process (``DirectoryClaim``): its
    /// environments close as their threads wind down, and opening them again meanwhile is what LMDB forbids.
    deinit {
        guard !closeCalled.load(ordering: .acquiring) else { return }
        logger.warning("engine released without close(): its read-audit entries still queued are written now, and its directory cannot be opened again in this process")
        try? audit.flush()
    }

    // MARK: Commands

    /// What a command did: the record's stream and version after it, and the events it recorded (none when
    /// the command changed nothing). `repeated` is true when an idempotency key matched an earlier command,
    /// whose result this is.
    public struct CommandResult: Sendable, Hashable {
        public let stream: StreamID
        public let version: StreamVersion
        public let events: [RecordedEvent]
        public let repeated: Bool
        /// The log position of the last event written (or of the earlier result): wait for the views there.
        public var position: GlobalPosition { events.last?.position ?? .start }
    }

    /// Executes `command` on the record `id` of aggregate `A` as `principal`.
    ///
    /// - With `expectedVersion`, a record at another version fails with ``EngineError/Code/conflict`` and
    ///   nothing is retried; without it, a concurrent change is met by deciding again on fresh state, up to
    ///   ``Configuration/maxAttempts`` times.
    /// - With `idempotencyKey`, the result is stored beside the events in the same append; sending the same
    ///   key again (same principal) returns that first result and writes nothing. With `requestDigest` too
    ///   (an adapter's digest of the request, e.g. method, path and body), a repeat whose digest differs from
    ///   the first one's fails with ``EngineError/Code/keyReused``: the key was reused for another request.
    ///   Without one, a person's command is digested itself (its value, dictionaries and sets in sorted
    ///   order), so the same key with another command is `keyReused` too.
    /// - Unique keys the command claims are reserved in the same append; a key held by another record fails
    ///   with ``EngineError/Code/keyTaken``.
    /// - The principal must hold the module's permission for the command's action over the record's scope;
    ///   a record it may not even see answers ``EngineError/Code/notFound``.
    @discardableResult
    public func execute<A: EngineRecord>(
        _ type: A.Type, id: UUID, _ command: A.Command, as principal: Principal,
        expectedVersion: StreamVersion? = nil, idempotencyKey: String? = nil, requestDigest: String? = nil, causation: UUID? = nil
    ) async throws -> CommandResult {
        try requireOpen()
        let stream = A.streamID(id)
        // The employees a person (an employee, an operator) names are recorded as principals' ids are (lower
        // case), whatever case they came in: the system's reactions and scheduled work carry what the log holds
        // and are left as they are.
        let command = principal.replaysDecisions ? command : A.canonicalisingEmployeeIDs(command)
        let idempotency = idempotencyKey.map { Self.idempotencyStream(principal: principal, key: $0) }
        // Without an adapter's digest, a person's command is digested itself, so a key reused for another
        // command is refused too; the engine's own reactions and scheduled work keep their keys' first answers.
        let commandDigest = idempotency != nil && requestDigest == nil && !principal.replaysDecisions ? Self.commandDigest(command) : nil
        /// The first answer to the key, when there is one and it answered this same request.
        func firstAnswer() async throws -> CommandResult? {
            guard let idempotency, let earlier = try await earlierResult(idempotency) else { return nil }
            if let digest = earlier.requestDigest, let mine = requestDigest ?? commandDigest,
               Self.isCommandDigest(digest) == Self.isCommandDigest(mine), mine != digest {
                throw EngineError(.keyReused, field: "idempotencyKey", "the key was already used for another request")
            }
            return try sameRecord(earlier.result, stream)
        }
        if let earlier = try await firstAnswer() { return earlier }
        var attempt = 0
        while true {
            attempt += 1
            let (state, version) = try await load(A.self, stream: stream)
            if let expectedVersion, expectedVersion != version {
                // A retry of the same key finds the record moved on by its first try: the first answer.
                if let earlier = try await firstAnswer() { return earlier }
            }
            let now = clock.now()
            try A.check(command, id: id)
            let seen = try await judgedBeforePreparing(A.self, command, id: id, state: state, version: version, principal: principal, now: now)
            // Filled in first, so authorization judges the command that will run, not the caller's values.
            let command = try await A.prepare(command, state: state, id: id, principal: principal, engine: self)
            try await authorize(A.self, command, id: id, state: state, principal: principal, now: now, resolved: seen)
            // Judged after authorization, so a record the principal may not see answers "not found" whatever
            // version is asked for, never its current version; and one that does not exist is not found.
            if let expectedVersion, expectedVersion != version {
                if version == .noStream { throw EngineError.notFound() }
                throw EngineError(.conflict, "the record is at version \(version.rawValue), not \(expectedVersion.rawValue)", currentVersion: version)
            }
            let events: [A.Event]
            do {
                events = try A.decide(command, state: state, context: CommandContext(now: now, actor: principal.id))
            } catch {
                // A retry sent while its first try was being written finds the record changed by it (a
                // create: "already exists"): it gets the first answer, as a later retry does.
                if let earlier = try await firstAnswer() { return earlier }
                throw EngineError(error)
            }
            try await judgeDecided(A.self, events, command, state: state, principal: principal, now: now)
            var metadata = EventMetadata(actor: principal.id, correlationID: configuration.ids.next(), causationID: causation,
                                         sourceSystem: principal.sourceSystem, clientIP: principal.clientIP)
            if metadata.correlationID == nil { metadata.correlationID = causation }
            var appends: [StreamAppend] = []
            if !events.isEmpty {
                let data = try events.map { try $0.eventData(id: configuration.ids.next(), metadata: metadata) }
                appends.append(StreamAppend(stream: stream, expectedVersion: version == .noStream ? .noStream : .exact(version), events: data))
                appends += try await reservations(A.claims(command, state: state), holder: stream, metadata: metadata)
            }
            if let idempotency {
                let outcome = CommandOutcomeRecorded(
                    stream: stream.rawValue, versionBefore: version.rawValue, versionAfter: version.rawValue + UInt64(events.count),
                    requestDigest: requestDigest ?? commandDigest)
                appends.append(StreamAppend(stream: idempotency, expectedVersion: .noStream,
                                            events: [try EventData(id: configuration.ids.next(), payload: outcome, metadata: metadata)]))
            }
            guard !appends.isEmpty else { return CommandResult(stream: stream, version: version, events: [], repeated: false) }
            do {
                try await store.append(appends)
            } catch let error as EventStoreError where error.code == .wrongExpectedVersion {
                // Whichever stream the append met changed first, a retry of the same key written meanwhile
                // holds the first answer.
                if let earlier = try await firstAnswer() { return earlier }
                if error.stream == stream && expectedVersion != nil {
                    throw EngineError(.conflict, "the record changed meanwhile", currentVersion: error.actualVersion)
                }
                if attempt >= configuration.maxAttempts {
                    throw EngineError(.contention, "the record kept changing; try again")
                }
                continue  // decide again on fresh state (the reservation check runs again too)
            } catch {
                throw appendRefusal(error)
            }
            let recorded = events.isEmpty ? [] : try await store.readStream(stream, from: version.next, direction: .forward, limit: events.count)
            return CommandResult(stream: stream, version: StreamVersion(version.rawValue + UInt64(events.count)), events: recorded, repeated: false)
        }
    }

    /// What ``execute(_:id:_:as:expectedVersion:idempotencyKey:requestDigest:causation:)`` and
    /// ``dryRun(_:id:_:as:)`` judge before `prepare`: a record the principal may not even see does not exist
    /// for it — before `prepare` reads it, so no error of preparing (a hidden field, a line's agreed price)
    /// tells anything about it (the same judgement as ``authorize``'s "not found", made early: the principal
    /// may neither query the record nor do the command's action on it); a new record needs a permission to
    /// create where it goes. Returns the scope it resolved, for ``authorize`` to use again.
    func judgedBeforePreparing<A: EngineRecord>(_ type: A.Type, _ command: A.Command, id: UUID, state: A.State, version: StreamVersion,
                                                principal: Principal, now: Date) async throws -> (source: ScopeSource, scope: RecordScope, namedOwners: Bool)? {
        guard !principal.isSystem, !isPartysOwn(A.self, command, state: state, principal: principal) else { return nil }
        if version != .noStream {
            let source = A.scope(of: command, state: state, id: id)
            let scope = try await resolve(source)
            guard principal.may(.query, in: A.module, on: scope, at: now) || principal.may(A.action(for: command), in: A.module, on: scope, at: now),
                  // What its binding asks more to read it (a workflow instance: its subject's module, unless
                  // the principal has a part in it): one it may not read it may not learn of by a command.
                  try await A.mayRead(state, scope: scope, as: principal, engine: self, at: now) else {
                throw EngineError.notFound()
            }
            return (source, scope, true)
        }
        guard A.action(for: command) == .create else { return nil }
        // A new record: creating needs a permission over where it goes (authorize's rule), judged also
        // before `prepare` reads what the command names (a contact, a quote), so an error of preparing
        // tells nothing to whoever may not create there.
        let source = A.scope(of: command, state: state, id: id)
        let scope = try await resolve(source, includingNamedOwners: false)
        guard principal.may(.create, in: A.module, on: scope, at: now) else {
            throw EngineError(.forbidden, "create in \(A.module.rawValue) is not allowed here")
        }
        return (source, scope, false)
    }

    /// What `execute` and `dryRun` judge once the domain decided: the employees the command names (on a
    /// command that changes something, so "no such record" answers first and a repeat that records nothing
    /// stays a repeat) and what the events would leave behind.
    func judgeDecided<A: EngineRecord>(_ type: A.Type, _ events: [A.Event], _ command: A.Command, state: A.State,
                                       principal: Principal, now: Date) async throws {
        if !events.isEmpty { try await requireActiveEmployees(A.employeesNamed(by: command, state: state), principal: principal) }
        try A.checkOutcome(events, on: state, principal: principal, now: now)
    }

    /// The current state and version of a record, for a principal allowed to see it: `query` in its module
    /// over its scope, and what its binding asks more (``EngineRecord/mayRead(_:scope:as:engine:at:)``: a
    /// workflow instance's subject module) — of a person whose own the record is by its binding (``PartyCommands``:
    /// a workflow instance's submitter), only the latter; anyone else gets "not found".
    public func state<A: EngineRecord>(_ type: A.Type, id: UUID, as principal: Principal) async throws -> (state: A.State, version: StreamVersion) {
        try requireOpen()
        let loaded = try await load(A.self, stream: A.streamID(id))
        guard loaded.version != .noStream else { throw EngineError.notFound() }
        let scope = try await resolve(A.scope(of: nil, state: loaded.state, id: id))
        let now = clock.now()
        guard principal.may(.query, in: A.module, on: scope, at: now) || isPartysOwn(A.self, state: loaded.state, principal: principal),
              try await A.mayRead(loaded.state, scope: scope, as: principal, engine: self, at: now) else { throw EngineError.notFound() }
        audit.record(principal: principal, record: A.streamID(id).rawValue)
        return (A.visible(loaded.state, to: principal, current: nil, at: now), loaded.version)
    }

    /// Waits until the reactor has handled the log up to `position` (the reactions of a command: pass its
    /// ``CommandResult/position``).
    public func reactionsSettled(upTo position: GlobalPosition, timeout: Duration = .seconds(30)) async throws {
        try requireOpen()
        try await reactor.waitUntil(position, timeout: timeout)
    }
}
