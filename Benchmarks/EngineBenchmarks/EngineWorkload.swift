import CRMDataGenerator
import CRMDomain
import EventSourcing
import EventStoreLMDB
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Workload sizes of the engine benchmarks, from the environment:
///
/// | variable                   | default      | meaning                                                         |
/// |----------------------------|--------------|-----------------------------------------------------------------|
/// | `BENCH_ENGINE_EVENTS`      | 1,000,000    | generated events the rebuild replays (run again with 3,000,000) |
/// | `BENCH_ENGINE_SEED`        | 42           | the generator's seed                                            |
/// | `BENCH_ENGINE_CUSTOMERS`   | 100,000      | customers of the customer-360 store                             |
/// | `BENCH_ENGINE_C360_EVENTS` | 3,000,000    | target events of the customer-360 store (12 months)             |
/// | `BENCH_ENGINE_QUERIES`     | 20,000       | measured customer-360 queries per iteration (after 2,000 warm)  |
/// | `BENCH_ENGINE_CACHE`       | $BENCH_TMPDIR/crm-engine-bench-cache | where generated stores are kept across runs |
/// | `BENCH_ENGINE_CACHE_TAG`   | (empty)      | appended to cached store names (engine-compare.sh: the git tree of the generator and domain) |
/// | `BENCH_ITERATIONS`         | 3            | measured iterations per benchmark                               |
/// | `BENCH_TMPDIR`             | $TMPDIR      | where fresh view directories go                                 |
/// | `BENCH_RESULTS`            | (unset)      | append one JSON line per measured iteration to this file        |
///
/// Generating is slow (~36k events/s in release), so each store is generated once per size, seed and tag
/// into the cache (the `prepare` benchmarks) and reused by every iteration and run.
struct EngineSettings: Sendable {
    let events: Int
    let seed: UInt64
    let customers: Int
    let c360Events: Int
    let queries: Int
    let iterations: Int
    let tmpDir: String
    let cacheDir: String
    let cacheTag: String
    let resultsFile: String?
    /// A PostgreSQL server for the history queries over a PostgreSQL log (`BENCH_POSTGRES_URL`); without
    /// it those benchmarks are not registered.
    let postgresURL: String?
    /// Events of the history those benchmarks query, in PostgreSQL and in LMDB alike.
    let postgresHistoryEvents: Int

    static let current = EngineSettings()

    private init() {
        let env = ProcessInfo.processInfo.environment
        func int(_ name: String, _ fallback: Int, min: Int = 1) -> Int {
            guard let text = env[name]?.replacingOccurrences(of: "_", with: ""), let value = Int(text) else { return fallback }
            return Swift.max(value, min)
        }
        events = int("BENCH_ENGINE_EVENTS", 1_000_000, min: 1_000)
        seed = UInt64(int("BENCH_ENGINE_SEED", 42, min: 0))
        customers = int("BENCH_ENGINE_CUSTOMERS", 100_000, min: 4)
        c360Events = int("BENCH_ENGINE_C360_EVENTS", 3_000_000, min: 1_000)
        queries = int("BENCH_ENGINE_QUERIES", 20_000)
        iterations = int("BENCH_ITERATIONS", 3)
        let tmp = env["BENCH_TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? NSTemporaryDirectory()
        tmpDir = tmp.hasSuffix("/") ? String(tmp.dropLast()) : tmp
        cacheDir = env["BENCH_ENGINE_CACHE"].flatMap { $0.isEmpty ? nil : $0 } ?? "\(tmpDir)/crm-engine-bench-cache"
        cacheTag = env["BENCH_ENGINE_CACHE_TAG"].flatMap { $0.isEmpty ? nil : "-" + $0 } ?? ""
        resultsFile = env["BENCH_RESULTS"].flatMap { $0.isEmpty ? nil : $0 }
        postgresURL = env["BENCH_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
        postgresHistoryEvents = int("BENCH_PG_HISTORY_EVENTS", 300_000, min: 1_000)
    }

    /// 2025-01-01T00:00Z, as in the engine tests.
    static let start = Date(timeIntervalSince1970: 1_735_689_600)

    /// The history the rebuild replays: the generator's defaults (customers scale with the events).
    var rebuildConfiguration: HistoryGenerator.Configuration {
        .init(seed: seed, targetEvents: events, start: Self.start)
    }

    /// The history of the customer-360 queries: `customers` customers over 12 months.
    var customer360Configuration: HistoryGenerator.Configuration {
        .init(seed: seed, targetEvents: c360Events, start: Self.start, customers: customers)
    }
}

// MARK: - Cached generated stores

/// A generated history in an LMDB store under the cache directory: `<dir>/log` is the store, `<dir>/engine`
/// the engine's views (customer-360 store only), `<dir>/complete` the marker written after generation.
struct CachedStore: Sendable {
    let directory: String
    let configuration: HistoryGenerator.Configuration

    var logDirectory: String { directory + "/log" }
    var engineDirectory: String { directory + "/engine" }
    var marker: String { directory + "/complete" }
    var viewsMarker: String { directory + "/engine-views-complete" }

    static func rebuildStore() -> CachedStore {
        let s = EngineSettings.current
        return CachedStore(directory: "\(s.cacheDir)/engine-store-\(s.events)-\(s.seed)\(s.cacheTag)", configuration: s.rebuildConfiguration)
    }

    static func customer360Store() -> CachedStore {
        let s = EngineSettings.current
        return CachedStore(
            directory: "\(s.cacheDir)/engine-store-c\(s.customers)-\(s.c360Events)-\(s.seed)\(s.cacheTag)", configuration: s.customer360Configuration)
    }

    var isComplete: Bool { FileManager.default.fileExists(atPath: marker) }

    /// Generates the history into the store unless a complete one is cached. Appends without fsync, in big
    /// multi-stream appends of consecutive generator batches (a batch whose stream is already in the pending
    /// append starts a new one, so every expected version holds). Returns the number of events.
    @discardableResult
    func ensure(log: (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }) async throws -> Int {
        if isComplete, let text = try? String(contentsOfFile: marker, encoding: .utf8), let count = Int(text.split(separator: " ").first ?? "") {
            return count
        }
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: logDirectory, withIntermediateDirectories: true)
        let generator = HistoryGenerator(configuration)
        log("generating \(configuration.targetEvents) events (seed \(configuration.seed), \(generator.world.customers.count) customers) into \(directory)")
        let store = try LMDBEventStore(directory: logDirectory, options: .init(durability: .noSync))
        let clock = ContinuousClock()
        let started = clock.now
        var pending: [StreamAppend] = []
        var pendingStreams = Set<StreamID>()
        var pendingEvents = 0
        var total = 0
        func flush() async throws {
            guard !pending.isEmpty else { return }
            _ = try await store.append(pending)
            total += pendingEvents
            pending.removeAll(keepingCapacity: true)
            pendingStreams.removeAll(keepingCapacity: true)
            pendingEvents = 0
        }
        var iterator = generator.makeBatchIterator()
        var lastReport = 0
        while let batch = try iterator.next() {
            let count = batch.reduce(0) { $0 + $1.events.count }
            if batch.contains(where: { pendingStreams.contains($0.stream) }) || pendingEvents + count > 50_000 {
                try await flush()
            }
            pending += batch
            pendingStreams.formUnion(batch.map(\.stream))
            pendingEvents += count
            if total - lastReport >= 500_000 {
                lastReport = total
                log("  \(total) events, \(Int(Double(total) / (clock.now - started).seconds)) events/s")
            }
        }
        try await flush()
        await store.close()
        sync()
        let seconds = (clock.now - started).seconds
        log("generated \(total) events in \(String(format: "%.0f", seconds)) s")
        try Data("\(total) events \(generator.world.customers.count) customers\n".utf8).write(to: URL(fileURLWithPath: marker))
        return total
    }

    func open() throws -> LMDBEventStore {
        try LMDBEventStore(directory: logDirectory, options: .init(durability: .noSync))
    }
}

// MARK: - Peak memory

/// Samples the process's resident memory (/proc/self/status) every 5 ms on its own thread while a measured
/// region runs, keeping the peaks of VmRSS (everything resident), RssAnon (heap and other anonymous
/// memory) and RssFile (file pages mapped in: LMDB maps the log and the views, so pages it reads or
/// writes count here). On systems without /proc, only `getrusage`'s ru_maxrss is available.
final class MemorySampler: @unchecked Sendable {
    // @unchecked Sendable: the peaks are written only by the sampling thread until `stop()` has joined it
    // through `done`; `running` is atomic.
    struct Peaks: Sendable {
        var rss = 0
        var anon = 0
        var file = 0
    }

    private let running = Atomic<Bool>(true)
    private let done = DispatchSemaphore(value: 0)
    private var peaks = Peaks()

    init() {
        let thread = Thread { [self] in
            while running.load(ordering: .relaxed) {
                sample()
                usleep(5_000)
            }
            sample()
            done.signal()
        }
        thread.start()
    }

    /// Stops sampling and returns the peaks in bytes.
    func stop() -> Peaks {
        running.store(false, ordering: .relaxed)
        done.wait()
        return peaks
    }

    private func sample() {
        let now = Self.current()
        peaks.rss = max(peaks.rss, now.rss)
        peaks.anon = max(peaks.anon, now.anon)
        peaks.file = max(peaks.file, now.file)
    }

    /// The current VmRSS, RssAnon and RssFile in bytes (zeros without /proc).
    static func current() -> Peaks {
        guard let file = fopen("/proc/self/status", "r") else { return Peaks() }
        defer { fclose(file) }
        var result = Peaks()
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(cString: line)
            func kB(_ prefix: String) -> Int? {
                guard text.hasPrefix(prefix) else { return nil }
                // "VmRSS:\t  123456 kB": the number is the first run of digits.
                let digits = text.dropFirst(prefix.count).drop { !$0.isNumber }.prefix { $0.isNumber }
                return Int(digits).map { $0 * 1024 }
            }
            if let v = kB("VmRSS:") { result.rss = v }
            if let v = kB("RssAnon:") { result.anon = v }
            if let v = kB("RssFile:") { result.file = v }
        }
        return result
    }
}

/// The process's peak resident set since it started (getrusage ru_maxrss), in bytes.
func processMaxRSS() -> Int {
    var usage = rusage()
    #if os(Linux)
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return Int(usage.ru_maxrss) * 1024  // kilobytes on Linux
    #else
    getrusage(RUSAGE_SELF, &usage)
    return Int(usage.ru_maxrss)  // bytes on macOS
    #endif
}

// MARK: - Results

/// One JSON line per measured iteration, appended to `BENCH_RESULTS` for Benchmarks/engine-compare.sh.
func recordEngine(_ object: [String: Any]) {
    guard let path = EngineSettings.current.resultsFile else { return }
    guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]),
        var line = String(data: data, encoding: .utf8)
    else { return }
    line += "\n"
    guard let file = fopen(path, "a") else { return }
    fputs(line, file)
    fclose(file)
}

/// A fresh, empty directory for one run's views.
func freshDirectory(_ label: String) throws -> String {
    let path = "\(EngineSettings.current.tmpDir)/crm-engine-bench-\(label)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Holds what a benchmark's setup prepares for its iterations.
// @unchecked Sendable: the benchmark runner calls setup, iterations and teardown of one benchmark one after
// another, never at the same time, so `value` is never touched concurrently.
final class Slot<Value>: @unchecked Sendable {
    var value: Value?
    init() {}
}

extension Duration {
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
    }
}

/// splitmix64: a seeded generator for the random customer picks (deterministic across runs).
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The value at quantile `q` (0…1) of sorted `values` (nearest rank).
func quantile(_ sorted: [Double], _ q: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    let rank = Int((q * Double(sorted.count)).rounded(.up)) - 1
    return sorted[min(max(rank, 0), sorted.count - 1)]
}
