import Dispatch
import EventSourcing
import Foundation
import LMDB
import Logging
import Synchronization

/// Runs projections over an event store into LMDB views (ARCHITECTURE decisions 1 and 3).
///
/// Each projection has its own LMDB environment under `directory/<name>/<generation>/`, with its checkpoint
/// written in the same transaction as its rows. ``start()`` catches every projection up with the log
/// (rebuilding first any whose version changed), then follows the store's subscription. Callers wait for
/// their own writes with ``waitUntil(_:projections:timeout:)`` (read your writes). ``rebuild(_:progress:)``
/// replays the log into a shadow generation (no fsync per transaction, large transactions, one sync at the
/// end) and swaps it in, while queries keep reading the old one. A projection that fails to apply an event
/// stops, keeps its checkpoint before that event and reports it in ``status()``; the others go on.
///
/// ```swift
/// let views = try ProjectionRunner(store: store, registry: registry, projections: [Customer360()], directory: dir)
/// try await views.start()
/// let result = try await store.append(events, to: stream, expectedVersion: .noStream)
/// try await views.waitUntil(result.lastPosition)
/// let row = try views.read("customer-360") { try Customer360.customer(id, in: $0) }
/// ```
public final class ProjectionRunner: Sendable {
    /// A projection's state, as ``status()`` reports it.
    public struct Status: Sendable, Hashable {
        public let name: String
        public let version: UInt32
        public let checkpoint: GlobalPosition
        /// Set when the projection stopped at an event it could not apply.
        public let failure: ViewError?
    }

    /// Progress of a rebuild or an as-of build.
    public struct Progress: Sendable, Hashable {
        /// The last position replayed.
        public let position: GlobalPosition
        /// The position the replay runs to.
        public let target: GlobalPosition
        public let elapsed: Duration
    }

    struct Slot {
        let projection: any Projection
        var environment: ViewEnvironment
        var generation: Int
        var checkpoint: GlobalPosition
        var failure: ViewError?
        /// The checkpoint last written here (it lags ``checkpoint`` while batches concern the projection not).
        var stored: GlobalPosition = .start
    }

    /// How far a projection's stored checkpoint may lag behind its own before it is written anyway, so a
    /// restart never re-reads much of the log for a projection that rarely sees its events.
    static let storedCheckpointLag: UInt64 = 10_000

    private struct Waiter {
        let id: UInt64
        let position: GlobalPosition
        let names: Set<String>?
        let continuation: CheckedContinuation<Void, any Error>
    }

    let store: any EventStore
    let registry: PayloadRegistry
    public let directory: String
    let logger: Logger
    let batchSize: Int
    /// The projections, in the order given.
    public let projections: [any Projection]
    /// Opened read-only (``init(readingViewsOf:store:registry:projections:)``): the views another process
    /// keeps are read as they are; nothing is applied, rebuilt or started.
    public let isReadOnly: Bool
    let slots: Mutex<[String: Slot]>
    private let waiters = Mutex<(next: UInt64, list: [Waiter], closed: Bool)>((0, [], false))
    private let live = Mutex<Task<Void, Never>?>(nil)
    let applier = Applier()
    private let built = Mutex<Set<String>>([])
    /// Makes this process the one writer of the views directory (nil read-only): two processes applying
    /// the same events to the same views would apply them twice. With a log of its own the log's lock
    /// already ensures it; a shared log (PostgreSQL) is written by several processes, each with its views.
    private let lock: WriterLock?
    /// Read-only: when the views' generations were last compared with the writer's (see
    /// ``followWriter(force:)``), and whether the runner is closed (nothing is opened any more then).
    let generations = Mutex<(checked: ContinuousClock.Instant?, closed: Bool)>((nil, false))

    /// The projections ``start(progress:)`` built from the whole log: their version had changed or they had
    /// never been built. A caller about to rebuild them (`crm rebuild` on such a store) can skip them.
    public var builtOnStart: Set<String> { built.withLock { $0 } }

    /// Opens (creating when missing) the view environments of `projections` under `directory`.
    public init(
        store: any EventStore, registry: PayloadRegistry, projections: [any Projection], directory: String,
        logger: Logger = Logger(label: "crm.views", factory: { _ in SwiftLogNoOpLogHandler() }), batchSize: Int = 4096
    ) throws {
        self.store = store
        self.registry = registry
        self.directory = directory
        self.logger = logger
        self.batchSize = max(batchSize, 1)
        self.projections = projections
        isReadOnly = false
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let lock = try WriterLock.acquire(directory: directory, holding: "the views in \(directory)")
        self.lock = lock
        do {
            slots = Mutex(try Self.openSlots(of: projections, in: directory, logger: logger))
            try UnsyncedViews.mark(in: directory)
        } catch {
            lock.release()
            throw error
        }
    }

    deinit { lock?.release() }

    /// The writable environments of `projections` under `directory`, each at its stored checkpoint.
    private static func openSlots(of projections: [any Projection], in directory: String, logger: Logger) throws -> [String: Slot] {
        // Live views commit without a flush (see ``UnsyncedViews``): after the machine went down while they
        // were open, their files may hold torn pages, so they are dropped and built again from the log.
        let discard = UnsyncedViews.mustDiscard(in: directory)
        if discard {
            logger.warning("the machine stopped while the views were open; rebuilding them from the log")
        }
        var opened: [String: Slot] = [:]
        for projection in projections {
            guard opened[projection.name] == nil else { throw ViewError.duplicateName(projection.name) }
            if discard { Self.removeAllGenerations(of: projection.name, in: directory) }
            let generation = try Self.currentGeneration(of: projection.name, in: directory)
            Self.removeStaleGenerations(of: projection.name, keeping: generation, in: directory)
            let env = try ViewEnvironment(
                path: Self.path(projection.name, generation, in: directory), tables: projection.tables, durability: .noSync)
            // A failure stored by an earlier run is forgotten: the projection is tried again from its checkpoint.
            try env.clearFailure()
            let checkpoint = try env.checkpoint()
            opened[projection.name] = Slot(projection: projection, environment: env, generation: generation, checkpoint: checkpoint, stored: checkpoint)
        }
        return opened
    }

    /// Opens the views of `projections` that exist under `directory` read-only, beside the process that
    /// writes them (LMDB readers in other processes see its commits). Views not built yet are left out
    /// (reading one throws ``ViewError/unknownProjection(_:)``) until the writer has built them.
    /// ``status()``, ``hasReached(_:projections:)`` and ``waitUntil(_:projections:timeout:)`` read the
    /// checkpoints and failures the writer stores now; a view the writer rebuilt (a new generation) or built
    /// is taken up on the next read, status or wait (``followWriter(force:)``).
    public init(readingViewsOf directory: String, store: any EventStore, registry: PayloadRegistry, projections: [any Projection]) throws {
        self.store = store
        self.registry = registry
        self.directory = directory
        self.logger = Logger(label: "crm.views", factory: { _ in SwiftLogNoOpLogHandler() })
        self.batchSize = 1
        self.projections = projections
        isReadOnly = true
        lock = nil
        var opened: [String: Slot] = [:]
        for projection in projections where opened[projection.name] == nil {
            let generation = try Self.currentGeneration(of: projection.name, in: directory)
            let path = Self.path(projection.name, generation, in: directory)
            guard FileManager.default.fileExists(atPath: path + "/data.mdb") else { continue }
            let env = try ViewEnvironment(path: path, tables: projection.tables, durability: .noMetaSync, readOnly: true)
            let failure = try env.storedFailure().map { ViewError.stored(name: projection.name, detail: $0) }
            opened[projection.name] = Slot(projection: projection, environment: env, generation: generation, checkpoint: try env.checkpoint(), failure: failure)
        }
        slots = Mutex(opened)
    }

    // MARK: Running

    /// Rebuilds projections whose version changed, builds views never built before from the log, catches
    /// every projection up with the log, then keeps them following it until ``close()``.
    ///
    /// A view whose checkpoint is beyond the log's head (the log was replaced under it: restored or copied in)
    /// is rebuilt too, with a warning: its rows hold events the log does not.
    ///
    /// A view never built (a new projection, a new views directory, views dropped after a crash) is built
    /// like a rebuild — into a fresh environment in large unsynced transactions, one flush at the end — when
    /// the log holds more than one batch for it: several times cheaper than catching it up batch by batch
    /// through durable transactions. `progress` reports those builds (nothing when every view is current);
    /// ``builtOnStart`` names the projections built so.
    public func start(progress: (@Sendable (Progress) -> Void)? = nil) async throws {
        if isReadOnly { return }
        let head = try await store.headPosition()
        let (changed, unbuilt, ahead) = try slots.withLock { slots in
            var changed: [String] = [], unbuilt: [String] = [], ahead: [String] = []
            for slot in slots.values {
                let stored = try slot.environment.storedVersion()
                if let stored, stored != slot.projection.version {
                    changed.append(slot.projection.name)
                } else if slot.checkpoint > head {
                    // Rows of events the log does not hold (a log restored or copied in under these views).
                    ahead.append(slot.projection.name)
                }
                if stored == nil, slot.checkpoint == .start, head.rawValue > UInt64(batchSize) { unbuilt.append(slot.projection.name) }
            }
            return (changed.sorted(), unbuilt.sorted(), ahead.sorted())
        }
        if !changed.isEmpty {
            logger.info("projection version changed; rebuilding", metadata: ["projections": "\(changed)"])
        }
        if !unbuilt.isEmpty {
            logger.info("views not built yet; building them from the log", metadata: ["projections": "\(unbuilt)", "events": "\(head.rawValue)"])
        }
        if !ahead.isEmpty {
            logger.warning("views are ahead of the log (a replaced log); rebuilding them",
                           metadata: ["projections": "\(ahead)", "head": "\(head.rawValue)"])
        }
        let rebuilt = changed + unbuilt + ahead
        if !rebuilt.isEmpty {
            try await rebuild(rebuilt, progress: progress)
            built.withLock { $0 = Set(rebuilt) }
        }
        try await catchUp()
        let task = Task { [weak self] in
            // Follows from the lowest checkpoint, so an append that landed between the catch-up and the
            // subscription is not left waiting for a later one; a failure (a store hiccup) is logged and
            // the subscription started again after a pause, until the runtime closes.
            while !Task.isCancelled {
                guard let from = self?.lowestCheckpoint().next, let subscription = self?.store.subscribe(from: from) else { return }
                do {
                    for try await event in subscription {
                        guard let self else { return }
                        if self.lowestCheckpoint() < event.position { try await self.catchUp() }
                    }
                    return
                } catch is CancellationError {
                    return
                } catch {
                    self?.logger.error("views stopped following the log; retrying", metadata: ["error": "\(type(of: error))"])
                    try? await Task.sleep(for: .seconds(1))
                }
            }
        }
        live.withLock { $0 = task }
    }

    /// Applies every stored event the projections have not seen yet, in batches.
    public func catchUp() async throws {
        if isReadOnly { return }
        try await applier.run { try await self.catchUpNow() }
    }

    private func catchUpNow() async throws {
        while true {
            let healthy = slots.withLock { $0.values.filter { $0.failure == nil } }
            guard let from = healthy.map(\.checkpoint).min()?.next else { return }
            let batch = try await readBatch(from: from, limit: batchSize, wanted: Self.wantedTypes(healthy.map(\.projection)))
            guard let last = batch.last else { return }
            // No suspension from here to the end of the loop body: a rebuild's swap cannot interleave.
            let current = slots.withLock { $0 }
            let behind = current.filter { $0.value.failure == nil && $0.value.checkpoint < last }.sorted { $0.key < $1.key }
            // A projection that no event of the batch concerns only moves its checkpoint in memory: writing
            // it would cost a transaction and a flush per projection and batch under a stream of small
            // appends. Its stored checkpoint stays behind, so after a restart it reads those events again
            // and applies nothing, exactly as now; it is stored with the next batch that concerns it.
            let newest = Self.newestPositionByType(batch.events)
            let due = behind.filter {
                Self.concerns($0.value.projection, newest, after: $0.value.checkpoint) || last.rawValue > $0.value.stored.rawValue + Self.storedCheckpointLag
            }
            let results = applyConcurrently(batch, through: last, due.map { (projection: $0.value.projection, environment: $0.value.environment, after: $0.value.checkpoint) })
            var updated: [String: (GlobalPosition, ViewError?)] = [:]
            for entry in behind { updated[entry.key] = (last, nil) }
            for (entry, result) in zip(due, results) { updated[entry.key] = result }
            let written = Set(due.map(\.key))
            slots.withLock { slots in
                for (name, (checkpoint, failure)) in updated {
                    slots[name]?.checkpoint = checkpoint
                    if written.contains(name) { slots[name]?.stored = checkpoint }
                    if let failure {
                        slots[name]?.failure = failure
                        try? slots[name]?.environment.recordFailure(failure)
                        logger.error("projection stopped", metadata: ["projection": "\(name)", "failure": "\(failure)"])
                    }
                }
            }
            notifyWaiters()
        }
    }

    // MARK: Reading

    /// Runs `body` over one consistent snapshot of projection `name`'s tables.
    public func read<R>(_ name: String, _ body: (any ViewReader) throws -> R) throws -> R {
        followWriter()
        guard let env = slots.withLock({ $0[name]?.environment }) else { throw ViewError.unknownProjection(name) }
        return try env.read(body)
    }

    /// The position up to which projection `name`'s views are written (as stored now; read-only: by the
    /// writing process).
    public func checkpoint(of name: String) throws -> GlobalPosition {
        followWriter()
        guard let env = slots.withLock({ $0[name]?.environment }) else { throw ViewError.unknownProjection(name) }
        return try env.checkpoint()
    }

    /// Every projection's version, checkpoint and failure (read-only: as stored now by the writing process).
    public func status() -> [Status] {
        if isReadOnly {
            followWriter(force: true)
            refreshStored(nil)
        }
        return slots.withLock { slots in
            projections.compactMap { p in
                slots[p.name].map { Status(name: p.name, version: p.version, checkpoint: $0.checkpoint, failure: $0.failure) }
            }
        }
    }

    /// Every row of every table of projection `name`, in key order: for comparing views.
    public func rows(of name: String) throws -> [String: [(key: [UInt8], value: [UInt8])]] {
        followWriter()
        guard let slot = slots.withLock({ $0[name] }) else { throw ViewError.unknownProjection(name) }
        return try slot.environment.environment.read { txn in
            let access = LMDBViewAccess(transaction: txn, tables: slot.environment.tables)
            var out: [String: [(key: [UInt8], value: [UInt8])]] = [:]
            for table in slot.projection.tables { out[table.name] = try access.allRows(table) }
            return out
        }
    }

    /// Waits until the projections named (all when nil) have applied the log up to `position`: read your
    /// own writes. Throws when one of them has failed, when the runtime closes, or after `timeout`.
    public func waitUntil(_ position: GlobalPosition, projections names: Set<String>? = nil, timeout: Duration = .seconds(30)) async throws {
        if try reached(position, names) { return }
        // Read-only, the writer is another process: nothing here wakes a waiter, so its stored checkpoints are
        // read again every few milliseconds.
        if isReadOnly { return try await poll(until: position, names, timeout: timeout) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.suspend(until: position, names) }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw ViewError.timedOut(position)
            }
            defer { group.cancelAll() }
            _ = try await group.next()
        }
    }

    /// Whether the views named (all when nil) have applied the log up to `position` now, without waiting;
    /// a stopped view throws its failure.
    public func hasReached(_ position: GlobalPosition, projections names: Set<String>? = nil) throws -> Bool {
        try reached(position, names)
    }

    private func reached(_ position: GlobalPosition, _ names: Set<String>?) throws -> Bool {
        if isReadOnly {
            followWriter()
            refreshStored(names)
        }
        return try slots.withLock { slots in
            // By name when named (a query waits for one or two of many views), without copying a slot.
            if let names {
                for name in names {
                    guard let index = slots.index(forKey: name) else { continue }
                    if let failure = slots.values[index].failure { throw failure }
                    if slots.values[index].checkpoint < position { return false }
                }
                return true
            }
            for index in slots.indices {
                if let failure = slots.values[index].failure { throw failure }
                if slots.values[index].checkpoint < position { return false }
            }
            return true
        }
    }

    /// Read-only: waits for the writer's stored checkpoints to reach `position`, reading them again every
    /// few milliseconds, until `timeout` or ``close()``.
    private func poll(until position: GlobalPosition, _ names: Set<String>?, timeout: Duration) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            if waiters.withLock({ $0.closed }) { throw ViewError.closed }
            if try reached(position, names) { return }
            guard clock.now < deadline else { throw ViewError.timedOut(position) }
            try await Task.sleep(for: Self.readOnlyPollInterval)
        }
    }

    private func suspend(until position: GlobalPosition, _ names: Set<String>?) async throws {
        let id = waiters.withLock { state -> UInt64 in
            state.next += 1
            return state.next
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let refused = waiters.withLock { state -> (any Error)? in
                    if state.closed { return ViewError.closed }
                    // Cancelled before being listed: the cancellation handler found nothing to resume.
                    if Task.isCancelled { return CancellationError() }
                    state.list.append(Waiter(id: id, position: position, names: names, continuation: continuation))
                    return nil
                }
                if let refused { continuation.resume(throwing: refused) }
                notifyWaiters()
            }
        } onCancel: {
            let waiter = waiters.withLock { state -> Waiter? in
                guard let index = state.list.firstIndex(where: { $0.id == id }) else { return nil }
                return state.list.remove(at: index)
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    private func notifyWaiters() {
        let pending = waiters.withLock { $0.list }
        var done: [(Waiter, (any Error)?)] = []
        for waiter in pending {
            do {
                if try reached(waiter.position, waiter.names) { done.append((waiter, nil)) }
            } catch {
                done.append((waiter, error))
            }
        }
        guard !done.isEmpty else { return }
        let ids = Set(done.map(\.0.id))
        // Resume only the waiters still listed (a cancelled one was resumed by its handler).
        let removed = waiters.withLock { state -> Set<UInt64> in
            let listed = Set(state.list.map(\.id)).intersection(ids)
            state.list.removeAll { ids.contains($0.id) }
            return listed
        }
        for (waiter, error) in done where removed.contains(waiter.id) {
            if let error { waiter.continuation.resume(throwing: error) } else { waiter.continuation.resume() }
        }
    }

    func lowestCheckpoint() -> GlobalPosition {
        slots.withLock { $0.values.filter { $0.failure == nil }.map(\.checkpoint).min() ?? .start }
    }

    /// Stops following the log, fails pending waits and closes the environments. Harmless twice.
    public func close() async {
        let task = live.withLock { task -> Task<Void, Never>? in
            defer { task = nil }
            return task
        }
        task?.cancel()
        await task?.value
        let pending = waiters.withLock { state -> [Waiter] in
            state.closed = true
            defer { state.list = [] }
            return state.list
        }
        for waiter in pending { waiter.continuation.resume(throwing: ViewError.closed) }
        // Read-only: no generation of the writer's is taken up from now on.
        generations.withLock { $0.closed = true }
        await applier.run {
            self.slots.withLock { slots in
                for slot in slots.values {
                    // A checkpoint kept only in memory (no recent batch concerned the projection) is stored
                    // now, so a reader of these views sees them current after a clean stop.
                    if !self.isReadOnly, slot.failure == nil, slot.stored < slot.checkpoint {
                        try? slot.environment.write(projection: slot.projection, checkpoint: slot.checkpoint) { _ in }
                    }
                }
                // Every view flushed: the marker of unflushed views goes (kept when a flush failed).
                var flushed = true
                if !self.isReadOnly {
                    for slot in slots.values {
                        do { try slot.environment.sync() } catch { flushed = false }
                    }
                    if flushed { UnsyncedViews.clear(in: self.directory) }
                }
                for slot in slots.values { slot.environment.close() }
            }
        }
        lock?.release()
    }
}

/// Runs one piece of work at a time, across suspensions: batches are applied and shadows swapped in
/// strict order. (An actor alone would not do: it is free again while the work awaits.)
actor Applier {
    private var busy = false
    private var queue: [CheckedContinuation<Void, Never>] = []

    private func acquire() async {
        if !busy {
            busy = true
            return
        }
        await withCheckedContinuation { queue.append($0) }
    }

    private func release() {
        if queue.isEmpty { busy = false } else { queue.removeFirst().resume() }
    }

    nonisolated func run<R: Sendable>(_ body: @Sendable () async throws -> R) async throws -> R {
        await acquire()
        do {
            let result = try await body()
            await release()
            return result
        } catch {
            await release()
            throw error
        }
    }

    nonisolated func run(_ body: @Sendable () async -> Void) async {
        await acquire()
        await body()
        await release()
    }
}
