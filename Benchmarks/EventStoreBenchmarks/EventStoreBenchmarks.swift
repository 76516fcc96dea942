import Benchmark
import EventSourcing
import EventStoreLMDB
import Foundation

// Benchmarks of the LMDB event store, measured like shared/bench/lmdb_limit.c (the raw-LMDB limit) so
// Benchmarks/compare.sh can put the two side by side. Each iteration does the whole work (e.g. 1M events)
// once; the figure is events per second from the measured region, reported as the custom metric
// `events/s` (and one JSON line per iteration when BENCH_RESULTS is set). Workload sizes: Workload.swift.

let eventsPerSecond = BenchmarkMetric.custom("events/s", polarity: .prefersLarger, useScalingFactor: false)

func configuration(setup: Benchmark.BenchmarkSetupHook? = nil, teardown: Benchmark.BenchmarkTeardownHook? = nil) -> Benchmark.Configuration {
    .init(
        metrics: [.wallClock, .throughput, eventsPerSecond],
        timeUnits: .milliseconds,
        warmupIterations: 0,
        scalingFactor: .one,
        maxDuration: .seconds(1_800),
        maxIterations: Settings.current.iterations,
        setup: setup,
        teardown: teardown
    )
}

/// Reports one measured iteration.
func report(_ benchmark: Benchmark, key: String, events: Int, elapsed: Duration) {
    let seconds = elapsed.seconds
    benchmark.measurement(eventsPerSecond, seconds > 0 ? Int((Double(events) / seconds).rounded()) : 0)
    record(key: key, name: benchmark.name, iteration: benchmark.currentIteration, events: events, seconds: seconds)
}

/// Batched appends into a fresh store: `events` events, `batch` per `append` call, awaiting each call.
func registerBatchedAppend(key: String, name: String, durability: LMDBEventStore.Durability, ids: IDKind) {
    let prepared = Slot<[[StreamAppend]]>()
    Benchmark(
        name,
        configuration: configuration(
            setup: {
                let s = Settings.current
                prepared.value = makeBatches(events: s.events, batch: s.batch, perStream: s.perStream, payloadBytes: s.payloadBytes, ids: ids)
            },
            teardown: { prepared.value = nil }
        )
    ) { benchmark in
        guard let calls = prepared.value else { throw BenchError.notPrepared }
        let directory = try freshDirectory(key)
        defer { removeDirectory(directory) }
        let store = try LMDBEventStore(directory: directory, options: .init(durability: durability))
        let events = calls.reduce(0) { $0 + $1.reduce(0) { $0 + $1.events.count } }
        flushDisk()

        let clock = ContinuousClock()
        benchmark.startMeasurement()
        let start = clock.now
        for call in calls {
            _ = try await store.append(call)
        }
        let elapsed = start.duration(to: clock.now)
        benchmark.stopMeasurement()

        await store.close()
        report(benchmark, key: key, events: events, elapsed: elapsed)
    }
}

enum BenchError: Error {
    case notPrepared
    case wrongCount(expected: Int, actual: Int)
}

let benchmarks: @Sendable () -> Void = {
    let s = Settings.current

    // MARK: Batched appends (raw rows a4, a3, b4, b3)

    registerBatchedAppend(key: "a4", name: "append batched durable, UUIDv7 ids", durability: .full, ids: .timeOrdered)
    registerBatchedAppend(key: "a3", name: "append batched durable, random ids", durability: .full, ids: .random)
    registerBatchedAppend(key: "b4", name: "append batched noSync, UUIDv7 ids", durability: .noSync, ids: .timeOrdered)
    registerBatchedAppend(key: "b3", name: "append batched noSync, random ids", durability: .noSync, ids: .random)

    // MARK: Full scan (raw row d)

    // The store is filled once; every iteration reopens it (a fresh memory map, page cache warm, as the C
    // scan right after its appends) and scans it through the lending `scan`, reading every materialised
    // envelope field and every payload byte.
    let scanStore = Slot<(store: LMDBEventStore, directory: String, streams: Int)>()
    Benchmark(
        "scan all events, lending",
        configuration: configuration(
            setup: { scanStore.value = try await populatedStore("scan") },
            teardown: {
                if let fixture = scanStore.value {
                    await fixture.store.close()
                    removeDirectory(fixture.directory)
                }
                scanStore.value = nil
            }
        )
    ) { benchmark in
        guard let fixture = scanStore.value else { throw BenchError.notPrepared }
        await fixture.store.close()
        let store = try LMDBEventStore(directory: fixture.directory, options: .init(durability: .noSync))
        scanStore.value = (store, fixture.directory, fixture.streams)

        var sink: UInt64 = 0
        let clock = ContinuousClock()
        benchmark.startMeasurement()
        let start = clock.now
        let count = try store.scan(from: .start, limit: .max) { e in
            sink &+= touch(e.id)
            sink &+= UInt64(e.stream.rawValue.utf8.count)
            sink &+= e.streamVersion.rawValue &+ e.position.rawValue
            sink &+= UInt64(e.type.utf8.count) &+ UInt64(e.schemaVersion)
            sink &+= UInt64(bitPattern: Int64(e.recordedAt.timeIntervalSince1970 * 1_000_000))
            sink &+= UInt64(e.metadata.actor.utf8.count)
            if e.metadata.correlationID != nil || e.metadata.causationID != nil { sink &+= 1 }
            sink &+= UInt64(e.metadata.sourceSystem?.utf8.count ?? 0) &+ UInt64(e.metadata.clientIP?.utf8.count ?? 0)
            sink &+= touch(e.payload)
        }
        let elapsed = start.duration(to: clock.now)
        benchmark.stopMeasurement()
        blackHole(sink)

        guard count == s.events else { throw BenchError.wrongCount(expected: s.events, actual: count) }
        report(benchmark, key: "d", events: count, elapsed: elapsed)
    }

    // MARK: Durable one-event appends: one writer (raw row c) and many (group commit)

    Benchmark("append single durable, 1 writer", configuration: configuration()) { benchmark in
        let directory = try freshDirectory("c1")
        defer { removeDirectory(directory) }
        let store = try LMDBEventStore(directory: directory, options: .init(durability: .full))
        let generator = UUIDv7Generator()
        let events = (0..<s.singles).map { makeEvent(UInt64($0 + 1), id: generator.next(), size: s.payloadBytes) }
        let streams = (0..<s.singles).map { streamID($0 / s.perStream, seed: 0xC1) }
        flushDisk()

        let clock = ContinuousClock()
        benchmark.startMeasurement()
        let start = clock.now
        for (event, stream) in zip(events, streams) {
            try await store.append([event], to: stream, expectedVersion: .any)
        }
        let elapsed = start.duration(to: clock.now)
        benchmark.stopMeasurement()

        await store.close()
        report(benchmark, key: "c1", events: s.singles, elapsed: elapsed)
    }

    Benchmark("append single durable, \(s.writers) concurrent writers", configuration: configuration()) { benchmark in
        let directory = try freshDirectory("cN")
        defer { removeDirectory(directory) }
        let store = try LMDBEventStore(directory: directory, options: .init(durability: .full))
        let generator = UUIDv7Generator()
        // Each writer appends its own events, one per call, to its own stream, awaiting each commit.
        let work: [(stream: StreamID, events: [EventData])] = (0..<s.writers).map { writer in
            let events = (0..<s.writerEvents).map { k in
                makeEvent(UInt64(writer * s.writerEvents + k + 1), id: generator.next(), size: s.payloadBytes)
            }
            return (streamID(writer, seed: 0xC64), events)
        }
        flushDisk()

        let clock = ContinuousClock()
        benchmark.startMeasurement()
        let start = clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (stream, events) in work {
                group.addTask {
                    for event in events {
                        try await store.append([event], to: stream, expectedVersion: .any)
                    }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = start.duration(to: clock.now)
        benchmark.stopMeasurement()

        await store.close()
        report(benchmark, key: "cN", events: s.writers * s.writerEvents, elapsed: elapsed)
    }

    // MARK: Random whole-stream reads (compare with raw row e, random point reads)

    let readStore = Slot<(store: LMDBEventStore, directory: String, streams: Int)>()
    let readSetup: Benchmark.BenchmarkSetupHook = {
        if readStore.value == nil { readStore.value = try await populatedStore("reads") }
    }
    let readTeardown: Benchmark.BenchmarkTeardownHook = {
        if let fixture = readStore.value {
            await fixture.store.close()
            removeDirectory(fixture.directory)
        }
        readStore.value = nil
    }

    /// The streams one iteration reads: a seeded random sample.
    func sample(_ streams: Int, iteration: Int) -> [StreamID] {
        let reads = min(s.reads, streams)
        return (0..<reads).map { i in
            streamID(Int(mix64(UInt64(iteration) << 32 | UInt64(i)) % UInt64(streams)))
        }
    }

    Benchmark("read stream, random streams, readStream", configuration: configuration(setup: readSetup, teardown: readTeardown)) { benchmark in
        guard let fixture = readStore.value else { throw BenchError.notPrepared }
        let ids = sample(fixture.streams, iteration: benchmark.currentIteration)
        var sink: UInt64 = 0
        var count = 0
        let clock = ContinuousClock()
        benchmark.startMeasurement()
        let start = clock.now
        for id in ids {
            let events = try await fixture.store.readStream(id, from: .first, direction: .forward, limit: .max)
            for e in events {
                sink &+= touch(e.id) &+ e.position.rawValue &+ touch(e.payload)
            }
            count += events.count
        }
        let elapsed = start.duration(to: clock.now)
        benchmark.stopMeasurement()
        blackHole(sink)
        guard count >= ids.count else { throw BenchError.wrongCount(expected: ids.count * s.perStream, actual: count) }
        report(benchmark, key: "e", events: count, elapsed: elapsed)
    }

    Benchmark("read stream, random streams, lending forEachEvent", configuration: configuration(setup: readSetup, teardown: readTeardown)) { benchmark in
        guard let fixture = readStore.value else { throw BenchError.notPrepared }
        let ids = sample(fixture.streams, iteration: benchmark.currentIteration)
        var sink: UInt64 = 0
        var count = 0
        let clock = ContinuousClock()
        benchmark.startMeasurement()
        let start = clock.now
        for id in ids {
            count += try fixture.store.forEachEvent(of: id) { e in
                sink &+= touch(e.id) &+ e.position.rawValue &+ touch(e.payload)
            }
        }
        let elapsed = start.duration(to: clock.now)
        benchmark.stopMeasurement()
        blackHole(sink)
        guard count >= ids.count else { throw BenchError.wrongCount(expected: ids.count * s.perStream, actual: count) }
        report(benchmark, key: "e_lend", events: count, elapsed: elapsed)
    }
}
