import EventSourcing
import EventStoreLMDB
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Workload sizes, from the environment so a quick check can run a smaller N:
///
/// | variable                | default    | meaning                                                        |
/// |-------------------------|------------|----------------------------------------------------------------|
/// | `BENCH_EVENTS`          | 1,000,000  | events per batched-append run, and in the store that reads use |
/// | `BENCH_PAYLOAD`         | 200        | payload bytes per event                                        |
/// | `BENCH_BATCH`           | 1,000      | events per append call                                         |
/// | `BENCH_PER_STREAM`      | 10         | consecutive events per stream                                  |
/// | `BENCH_SINGLE`          | 2,000      | sequential one-event durable appends                           |
/// | `BENCH_WRITERS`         | 64         | concurrent one-event appenders                                 |
/// | `BENCH_WRITER_EVENTS`   | 100        | one-event appends per concurrent appender                      |
/// | `BENCH_READS`           | 100,000    | random stream reads per iteration (capped at the stream count) |
/// | `BENCH_ITERATIONS`      | 3          | measured iterations per benchmark (the median is reported)     |
/// | `BENCH_TMPDIR`          | $TMPDIR    | where the fresh store directories go                           |
/// | `BENCH_RESULTS`         | (unset)    | append one JSON line per measured iteration to this file       |
///
/// The model is the one of `shared/bench/lmdb_limit.c`: N events of S payload bytes, appended B per call,
/// 10 consecutive events per stream, stream ids random (not time-ordered), a fresh store per run.
struct Settings: Sendable {
    let events: Int
    let payloadBytes: Int
    let batch: Int
    let perStream: Int
    let singles: Int
    let writers: Int
    let writerEvents: Int
    let reads: Int
    let iterations: Int
    let tmpDir: String
    let resultsFile: String?

    static let current = Settings()

    private init() {
        let env = ProcessInfo.processInfo.environment
        func int(_ name: String, _ fallback: Int, min: Int = 1) -> Int {
            guard let text = env[name]?.replacingOccurrences(of: "_", with: ""), let value = Int(text) else { return fallback }
            return Swift.max(value, min)
        }
        events = int("BENCH_EVENTS", 1_000_000)
        payloadBytes = int("BENCH_PAYLOAD", 200, min: 8)
        batch = int("BENCH_BATCH", 1_000)
        perStream = int("BENCH_PER_STREAM", 10)
        singles = int("BENCH_SINGLE", 2_000)
        writers = int("BENCH_WRITERS", 64)
        writerEvents = int("BENCH_WRITER_EVENTS", 100)
        reads = int("BENCH_READS", 100_000)
        iterations = int("BENCH_ITERATIONS", 3)
        let tmp = env["BENCH_TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? NSTemporaryDirectory()
        tmpDir = tmp.hasSuffix("/") ? String(tmp.dropLast()) : tmp
        resultsFile = env["BENCH_RESULTS"].flatMap { $0.isEmpty ? nil : $0 }
    }
}

// MARK: - Deterministic workload

/// splitmix64's finaliser, as in lmdb_limit.c.
@inline(__always)
func mix64(_ input: UInt64) -> UInt64 {
    var z = input &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}

private let hexDigits = Array("0123456789abcdef".utf8)

/// `"s-"` + 16 hex digits of a seeded mix of the stream's number: random, not time-ordered.
func streamID(_ number: Int, seed: UInt64 = 0x5EED) -> StreamID {
    var value = mix64(UInt64(number) &* 2 ^ seed)
    var bytes = [UInt8](repeating: 0, count: 18)
    bytes[0] = UInt8(ascii: "s")
    bytes[1] = UInt8(ascii: "-")
    for i in 0..<16 {
        bytes[17 - i] = hexDigits[Int(value & 0xF)]
        value >>= 4
    }
    return StreamID(String(decoding: bytes, as: UTF8.self))
}

enum IDKind: Sendable {
    /// Time-ordered UUIDv7 ids from the library's generator (what applications should use).
    case timeOrdered
    /// `UUID()` (v4): scatters id-index inserts across the B-tree.
    case random
}

let benchEventType = "BenchEvent"
let benchMetadata = EventMetadata(actor: "bench")

/// A payload of `size` bytes: a fixed pattern with the event's number in the first 8 bytes (as in the C code).
func payload(_ number: UInt64, size: Int) -> [UInt8] {
    var bytes = payloadTemplate(size)
    withUnsafeBytes(of: number.bigEndian) { raw in
        for i in 0..<Swift.min(8, size) { bytes[i] = raw[i] }
    }
    return bytes
}

private func payloadTemplate(_ size: Int) -> [UInt8] {
    (0..<size).map { UInt8(truncatingIfNeeded: mix64(UInt64($0))) }
}

func makeEvent(_ number: UInt64, id: UUID, size: Int) -> EventData {
    EventData(id: id, type: benchEventType, schemaVersion: 1, payload: payload(number, size: size), metadata: benchMetadata)
}

/// The append calls of one batched run: `events` events, `batch` per call, `perStream` consecutive events
/// per stream (a call holds one `StreamAppend` per stream it touches), every event with its own payload.
/// Built before the clock starts: the benchmark measures the store, not the caller's allocations.
func makeBatches(events: Int, batch: Int, perStream: Int, payloadBytes: Int, ids: IDKind, seed: UInt64 = 0x5EED) -> [[StreamAppend]] {
    let generator = UUIDv7Generator()
    var calls: [[StreamAppend]] = []
    calls.reserveCapacity((events + batch - 1) / batch)
    var i = 0
    while i < events {
        let end = Swift.min(i + batch, events)
        var appends: [StreamAppend] = []
        var j = i
        while j < end {
            let stream = j / perStream
            let streamEnd = Swift.min((stream + 1) * perStream, end)
            var streamEvents: [EventData] = []
            streamEvents.reserveCapacity(streamEnd - j)
            for k in j..<streamEnd {
                let id = ids == .timeOrdered ? generator.next() : UUID()
                streamEvents.append(makeEvent(UInt64(k + 1), id: id, size: payloadBytes))
            }
            appends.append(StreamAppend(stream: streamID(stream, seed: seed), expectedVersion: .any, events: streamEvents))
            j = streamEnd
        }
        calls.append(appends)
        i = end
    }
    return calls
}

// MARK: - Stores

/// A fresh, empty directory for one run.
func freshDirectory(_ label: String) throws -> String {
    let path = "\(Settings.current.tmpDir)/crm-bench-\(label)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func removeDirectory(_ path: String) {
    try? FileManager.default.removeItem(atPath: path)
}

/// Flush every dirty page of earlier work, as lmdb_limit.c does before each timed phase.
func flushDisk() {
    sync()
}

/// A store filled with the batched workload (time-ordered ids, written without fsync to save time): the
/// subject of the read benchmarks. Returns the store and the number of streams.
func populatedStore(_ label: String) async throws -> (store: LMDBEventStore, directory: String, streams: Int) {
    let s = Settings.current
    let directory = try freshDirectory(label)
    let store = try LMDBEventStore(directory: directory, options: .init(durability: .noSync))
    var calls = makeBatches(events: s.events, batch: s.batch, perStream: s.perStream, payloadBytes: s.payloadBytes, ids: .timeOrdered)
    for call in calls { _ = try await store.append(call) }
    calls = []
    await store.close()
    flushDisk()
    return (try LMDBEventStore(directory: directory, options: .init(durability: .noSync)), directory, (s.events + s.perStream - 1) / s.perStream)
}

/// Reads every byte of a value, 8 at a time (`touch()` in lmdb_limit.c).
@inline(__always)
func touch(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
    var sum: UInt64 = 0
    var i = 0
    let n = bytes.count
    while i + 8 <= n {
        sum &+= bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)
        i += 8
    }
    while i < n {
        sum &+= UInt64(bytes[i])
        i += 1
    }
    return sum
}

@inline(__always)
func touch(_ bytes: [UInt8]) -> UInt64 {
    bytes.withUnsafeBytes { touch($0) }
}

@inline(__always)
func touch(_ id: UUID) -> UInt64 {
    withUnsafeBytes(of: id.uuid) { $0.loadUnaligned(fromByteOffset: 0, as: UInt64.self) &+ $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self) }
}

// MARK: - State shared between a benchmark's setup, iterations and teardown

/// Holds what a benchmark's setup prepares for its iterations.
// @unchecked Sendable: the benchmark runner calls setup, iterations and teardown of one benchmark one after
// another, never at the same time, so `value` is never touched concurrently.
final class Slot<Value>: @unchecked Sendable {
    var value: Value?
    init() {}
}

// MARK: - Results

/// One measured iteration, appended as a JSON line to `BENCH_RESULTS` for Benchmarks/compare.sh (the
/// benchmark tool's own exports round custom metrics through a histogram and need a throughput metric).
func record(key: String, name: String, iteration: Int, events: Int, seconds: Double) {
    guard let path = Settings.current.resultsFile else { return }
    let object: [String: Any] = [
        "key": key, "name": name, "iteration": iteration, "events": events, "seconds": seconds,
        "eventsPerSecond": seconds > 0 ? Double(events) / seconds : 0,
        "settings": [
            "events": Settings.current.events, "payloadBytes": Settings.current.payloadBytes,
            "batch": Settings.current.batch, "perStream": Settings.current.perStream,
        ],
    ]
    guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]),
        var line = String(data: data, encoding: .utf8)
    else { return }
    line += "\n"
    guard let file = fopen(path, "a") else { return }
    fputs(line, file)
    fclose(file)
}

extension Duration {
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
    }
}
