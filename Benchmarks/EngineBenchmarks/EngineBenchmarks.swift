import Benchmark
import CRMDataGenerator
import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import EventStoreLMDB
import Foundation

// Benchmarks of the engine (issue 6): rebuilding every view from a generated history, and the customer-360
// query. Each rebuild iteration replays the whole cached store once into a fresh directory through
// `ProjectionRunner.build` (the rebuild path: one LMDB environment per view, MDB_WRITEMAP | MDB_NOSYNC,
// 1,024-event transactions, one sync at the end). Figures are custom metrics and, with BENCH_RESULTS set, one JSON
// line per iteration, which Benchmarks/engine-compare.sh puts beside raw LMDB and the Python peer.
// Workload sizes: EngineWorkload.swift.

let eventsPerSecond = BenchmarkMetric.custom("events/s", polarity: .prefersLarger, useScalingFactor: false)
let peakRSSMiB = BenchmarkMetric.custom("peak RSS (MiB, sampled)", polarity: .prefersSmaller, useScalingFactor: false)
let peakAnonMiB = BenchmarkMetric.custom("peak RssAnon (MiB, sampled)", polarity: .prefersSmaller, useScalingFactor: false)
let p50Nanos = BenchmarkMetric.custom("p50 (ns)", polarity: .prefersSmaller, useScalingFactor: false)
let p99Nanos = BenchmarkMetric.custom("p99 (ns)", polarity: .prefersSmaller, useScalingFactor: false)

func configuration(
    metrics: [BenchmarkMetric], iterations: Int = EngineSettings.current.iterations,
    setup: Benchmark.BenchmarkSetupHook? = nil, teardown: Benchmark.BenchmarkTeardownHook? = nil
) -> Benchmark.Configuration {
    .init(
        metrics: metrics, timeUnits: .milliseconds, warmupIterations: 0, scalingFactor: .one,
        maxDuration: .seconds(3_600), maxIterations: iterations, setup: setup, teardown: teardown)
}

enum BenchError: Error {
    case notPrepared
    case noAdministrator
}

// MARK: - Rebuild

struct RebuildState: Sendable {
    let store: LMDBEventStore
    let events: Int
    let registry: PayloadRegistry
}

/// The cached rebuild store opened for each benchmark that replays it, closed after it.
func replayConfiguration(_ state: Slot<RebuildState>, metrics: [BenchmarkMetric]) -> Benchmark.Configuration {
    configuration(
        metrics: metrics,
        setup: {
            let cached = CachedStore.rebuildStore()
            try await cached.ensure()
            let store = try cached.open()
            let head = try await store.headPosition()
            state.value = RebuildState(store: store, events: Int(head.rawValue), registry: try CRMEvents.registry())
        },
        teardown: {
            if let store = state.value?.store { await store.close() }
            state.value = nil
        })
}

/// Replays the cached store into a fresh directory through `projections`, per iteration.
func registerRebuild(key: String, name: String, projections: @escaping @Sendable () -> [any Projection]) {
    let state = Slot<RebuildState>()
    Benchmark(
        name, configuration: replayConfiguration(state, metrics: [.wallClock, .peakMemoryResident, eventsPerSecond, peakRSSMiB, peakAnonMiB])
    ) { benchmark in
        guard let state = state.value else { throw BenchError.notPrepared }
        let directory = try freshDirectory(key)
        // BENCH_KEEP_VIEWS=1 keeps the built views (to inspect them, e.g. with mdb_stat); the path is printed.
        let keep = ProcessInfo.processInfo.environment["BENCH_KEEP_VIEWS"] == "1"
        defer { if keep { print("views kept in \(directory)") } else { try? FileManager.default.removeItem(atPath: directory) } }
        let chosen = projections()
        let clock = ContinuousClock()
        let sampler = MemorySampler()
        benchmark.startMeasurement()
        let cpuBefore = processCPUSeconds()
        let started = clock.now
        let position = try await ProjectionRunner.build(store: state.store, registry: state.registry, projections: chosen, into: directory)
        let elapsed = started.duration(to: clock.now)
        let cpuSeconds = processCPUSeconds() - cpuBefore
        benchmark.stopMeasurement()
        let peaks = sampler.stop()
        let seconds = elapsed.seconds
        let rate = seconds > 0 ? Double(state.events) / seconds : 0
        benchmark.measurement(eventsPerSecond, Int(rate.rounded()))
        benchmark.measurement(peakRSSMiB, peaks.rss >> 20)
        benchmark.measurement(peakAnonMiB, peaks.anon >> 20)
        let viewBytes = directorySize(directory)
        recordEngine([
            "key": key, "name": benchmark.name, "iteration": benchmark.currentIteration, "events": state.events,
            "position": Int(position.rawValue), "seconds": seconds, "eventsPerSecond": rate,
            // User + system CPU time of the process during the build: steadier than wall time on a busy machine.
            "cpuSeconds": cpuSeconds,
            "projections": chosen.map(\.name), "viewBytes": viewBytes,
            "peakRSSBytes": peaks.rss, "peakAnonBytes": peaks.anon, "peakFileBytes": peaks.file,
            "processMaxRSSBytes": processMaxRSS(),
        ])
    }
}

/// The Python peer's row c on our log, for a like-for-like figure beside it (not the rebuild goal): every
/// event read in order (1,000 per read), decoded into a typed event with its envelope — as the peer's
/// mapper makes a domain event — and folded into a count per stream. One thread, no view written.
func registerFold(name: String) {
    let state = Slot<RebuildState>()
    Benchmark(name, configuration: replayConfiguration(state, metrics: [.wallClock, eventsPerSecond])) { benchmark in
        guard let state = state.value else { throw BenchError.notPrepared }
        let clock = ContinuousClock()
        benchmark.startMeasurement()
        let cpuBefore = processCPUSeconds()
        let started = clock.now
        var counts: [StreamID: Int] = [:]
        var from = GlobalPosition.start.next
        var folded = 0
        while true {
            var last = from
            let read = try await state.store.forEachEvent(from: from, limit: 1_000) { event in
                let decoded = ProjectionEvent(
                    id: event.id, stream: event.stream, streamVersion: event.streamVersion, position: event.position,
                    recordedAt: event.recordedAt, metadata: event.metadata,
                    payload: try state.registry.decode(event.type, schemaVersion: event.schemaVersion, from: event.payload))
                counts[decoded.stream, default: 0] += 1
                last = event.position
            }
            guard read > 0 else { break }
            folded += read
            from = last.next
        }
        let seconds = started.duration(to: clock.now).seconds
        let cpuSeconds = processCPUSeconds() - cpuBefore
        benchmark.stopMeasurement()
        guard folded == state.events, counts.values.reduce(0, +) == folded else { throw BenchError.notPrepared }
        let rate = seconds > 0 ? Double(folded) / seconds : 0
        benchmark.measurement(eventsPerSecond, Int(rate.rounded()))
        recordEngine([
            "key": "fold", "name": benchmark.name, "iteration": benchmark.currentIteration, "events": folded,
            "streams": counts.count, "seconds": seconds, "eventsPerSecond": rate, "cpuSeconds": cpuSeconds,
        ])
    }
}

/// User + system CPU seconds this process has used so far.
func processCPUSeconds() -> Double {
    var usage = rusage()
    guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return 0 }
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// Bytes of the files under `directory`.
func directorySize(_ directory: String) -> Int {
    guard let walker = FileManager.default.enumerator(atPath: directory) else { return 0 }
    var total = 0
    while let entry = walker.nextObject() as? String {
        if let size = (try? FileManager.default.attributesOfItem(atPath: directory + "/" + entry))?[.size] as? Int { total += size }
    }
    return total
}

/// Reads and decodes every event and does nothing with it: the replay's own cost (profile only).
struct DecodeOnlyProjection: Projection {
    let name = "decode-only"
    let version: UInt32 = 1
    let tables: [ViewTable] = [ViewTable("none")]
    let eventTypes: Set<String>? = nil
    func apply(_ event: ProjectionEvent, to views: any ViewWriter) throws {}
}

// MARK: - Customer 360

struct QueryState: Sendable {
    let store: any EventStore
    let engine: CRMEngine
    let admin: Principal
    let customers: [UUID]
}

/// Opens the engine over the cached customer-360 store, building its views once into the cache.
func openCustomer360Engine() async throws -> QueryState {
    let cached = CachedStore.customer360Store()
    try await cached.ensure()
    return try await openQueryEngine(over: try cached.open(), of: cached, views: cached.engineDirectory, viewsMarker: cached.viewsMarker)
}

/// The engine over `store` (which holds `cached`'s history) as the generated administrator, with the views
/// under `directory` built once (`viewsMarker` says they are complete).
func openQueryEngine(over store: any EventStore, of cached: CachedStore, views directory: String, viewsMarker: String) async throws -> QueryState {
    let fm = FileManager.default
    if !fm.fileExists(atPath: viewsMarker) {
        try? fm.removeItem(atPath: directory)
        try fm.createDirectory(atPath: directory + "/views", withIntermediateDirectories: true)
        FileHandle.standardError.write(Data("building the views of \(cached.directory) into \(directory)\n".utf8))
        _ = try await ProjectionRunner.build(store: store, registry: try CRMEvents.registry(), projections: CRMViews.all, into: directory + "/views")
        try Data("ok\n".utf8).write(to: URL(fileURLWithPath: viewsMarker))
    }
    // Read-audit entries of earlier runs are not needed.
    try? fm.removeItem(atPath: directory + "/audit")
    let generator = HistoryGenerator(cached.configuration)
    let engine = try await CRMEngine.open(
        store: store, views: directory, configuration: .init(clock: ManualClock(generator.world.end), durability: .noSync, reactions: []))
    guard let adminID = generator.world.administrator?.id else { throw BenchError.noAdministrator }
    let admin = try await engine.principal(employeeID: adminID)
    return QueryState(store: store, engine: engine, admin: admin, customers: generator.world.customers.map(\.id))
}

enum QueryPath: String, Sendable {
    /// `ProjectionRunner.read("customer-360") { Customer360Projection.customer(id, in: $0) }`.
    case view = "c360_view"
    /// `CRMEngine.customer(id, as: administrator)`: the view read plus authorization, hidden fields, the
    /// related records' scopes and the read-audit entry.
    case engine = "c360_engine"
    /// `CRMEngine.history(ofCustomer: id, as: administrator, limit: 100)`: the first page of a customer's
    /// history with its linked records (positions from the view, events from the log).
    case customerHistory = "history_customer"
    /// `CRMEngine.history(of: customer stream, as: administrator, limit: 100)`: the customer record's own
    /// history (its stream from the log, customer and scopes from the view).
    case recordHistory = "history_record"
}

/// Times `path` for random customers of the engine `open` gives (the customer-360 store by default);
/// `key` names the JSON lines (the path's own name by default).
func registerCustomer360(
    _ path: QueryPath, name: String, key: String? = nil,
    open: @escaping @Sendable () async throws -> QueryState = { try await openCustomer360Engine() }
) {
    let state = Slot<QueryState>()
    Benchmark(
        name,
        configuration: configuration(
            metrics: [.wallClock, eventsPerSecond, p50Nanos, p99Nanos],
            setup: { state.value = try await open() },
            teardown: {
                if let s = state.value {
                    await s.engine.close()
                    await s.store.close()
                }
                state.value = nil
            })
    ) { benchmark in
        guard let s = state.value else { throw BenchError.notPrepared }
        let queries = EngineSettings.current.queries
        var random = SplitMix64(state: 0xC360 &+ UInt64(benchmark.currentIteration))
        let picks = (0..<(queries + 2_000)).map { _ in s.customers[Int(random.next() % UInt64(s.customers.count))] }
        let clock = ContinuousClock()
        var latencies: [Double] = []
        latencies.reserveCapacity(queries)
        var found = 0
        func query(_ id: UUID) async throws -> Bool {
            switch path {
            case .view:
                return try s.engine.views.read("customer-360") { try Customer360Projection.customer(id, in: $0) } != nil
            case .engine, .customerHistory, .recordHistory:
                do {
                    switch path {
                    case .customerHistory: return try await !s.engine.history(ofCustomer: id, as: s.admin, limit: 100).isEmpty
                    case .recordHistory: return try await !s.engine.history(of: Customer.stream(id), as: s.admin, limit: 100).isEmpty
                    default: _ = try await s.engine.customer(id, as: s.admin)
                    }
                    return true
                } catch let error as EngineError where error.code == .notFound {
                    return false
                }
            }
        }
        for id in picks.prefix(2_000) { _ = try await query(id) }  // warm the page cache and the caches
        benchmark.startMeasurement()
        let started = clock.now
        for id in picks.dropFirst(2_000) {
            let t = clock.now
            if try await query(id) { found += 1 }
            latencies.append((clock.now - t).seconds)
        }
        let elapsed = (clock.now - started).seconds
        benchmark.stopMeasurement()
        latencies.sort()
        let p50 = quantile(latencies, 0.50), p99 = quantile(latencies, 0.99), p999 = quantile(latencies, 0.999)
        benchmark.measurement(eventsPerSecond, Int((Double(queries) / elapsed).rounded()))
        benchmark.measurement(p50Nanos, Int(p50 * 1e9))
        benchmark.measurement(p99Nanos, Int(p99 * 1e9))
        recordEngine([
            "key": key ?? path.rawValue, "name": benchmark.name, "iteration": benchmark.currentIteration, "queries": queries,
            "found": found, "customers": s.customers.count, "seconds": elapsed, "queriesPerSecond": Double(queries) / elapsed,
            "p50": p50, "p90": quantile(latencies, 0.90), "p99": p99, "p999": p999, "max": latencies.last ?? 0,
            "mean": latencies.reduce(0, +) / Double(max(latencies.count, 1)),
        ])
    }
}

// MARK: - Preparing the cached stores

func registerPrepare(_ name: String, _ work: @escaping @Sendable () async throws -> Void) {
    Benchmark(name, configuration: configuration(metrics: [.wallClock], iterations: 1)) { _ in try await work() }
}

let benchmarks: @Sendable () -> Void = {
    let s = EngineSettings.current

    // Generating runs ~36k events/s: engine-compare.sh runs these first, outside the measured runs.
    registerPrepare("prepare rebuild store") { try await CachedStore.rebuildStore().ensure() }
    registerPrepare("prepare customer-360 store") {
        let state = try await openCustomer360Engine()
        await state.engine.close()
        await state.store.close()
    }

    registerRebuild(key: "rebuild", name: "rebuild all views, \(s.events) events") { CRMViews.all }
    registerFold(name: "replay and fold, \(s.events) events (decode, count per stream: the Python peer's row c)")

    registerCustomer360(.view, name: "customer-360 view read, \(s.customers) customers")
    registerCustomer360(.engine, name: "customer-360 engine query as administrator, \(s.customers) customers")
    registerCustomer360(.customerHistory, name: "customer history page (100 entries) as administrator, \(s.customers) customers")
    registerCustomer360(.recordHistory, name: "customer record history page (100 entries) as administrator, \(s.customers) customers")

    registerAnalysis()
    registerPostgresHistory()

    // Profile: each projection alone, and the replay with decoding only (run with --filter 'profile.*').
    registerRebuild(key: "profile_decode_only", name: "profile rebuild, decode only") { [DecodeOnlyProjection()] }
    for projection in CRMViews.all {
        let name = projection.name
        registerRebuild(key: "profile_\(name)", name: "profile rebuild, \(name) alone") {
            CRMViews.all.filter { $0.name == name }
        }
    }
}
