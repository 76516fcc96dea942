// pg-harness: a writer process for the PostgreSQL store's multi-process tests (not a user tool).
//
//   pg-harness append --url URL --schema NAME --name WRITER [--appends N] [--tasks T] [--payload-size B]
//   pg-harness bench  --url URL --schema NAME [--aggregates N] [--singles N] [--tasks T] [--payload-size B]
//
// `bench` mirrors shared/bench/bench_eventsourcing.py on a fresh schema (dropped afterwards): a) N
// aggregates, 10 events each, one append per aggregate; a') the same, 100 aggregates (1,000 events) per
// append; b) single-event appends to one stream, one at a time (commits/s, mean and p99 latency); b-par)
// single-event appends from T concurrent tasks (group commit); c-raw) a full scan of the log through
// forEachEvent, counting events per stream (no payload decode).
//
// Opens the log at URL (schema NAME) and makes N appends from T concurrent tasks, each to the task's own
// stream with an exact expected version, one to three events per call; every fourth call also appends
// one event to the stream `shared` (expected version: any) in the same atomic append, so the writers
// contend. After each acknowledged append it prints one line per event:
//
//   ack <position> <event-id> <stream> <version>
//
// A failed append prints `err <code> <detail>` and is re-sent with the same events (idempotent) until
// it is acknowledged. Payloads derive from event ids, so a test can check every event's bytes.
import CRMTestSupport
import EventSourcing
import EventStorePostgres
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

struct Arguments: Sendable {
    var url = ""
    var schema = ""
    var name = ""
    var appends = 100
    var tasks = 4
    var payloadSize = 64
    var command = ""
    var aggregates = 5_000
    var singles = 2_000

    init(_ args: [String]) throws {
        var rest = args[...]
        command = rest.popFirst() ?? ""
        guard command == "append" || command == "bench" else {
            throw HarnessError("usage: pg-harness append|bench --url URL --schema NAME [--name WRITER] [--appends N] [--tasks T] [--payload-size B] [--aggregates N] [--singles N]")
        }
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst() else { throw HarnessError("missing value for \(flag)") }
            switch flag {
            case "--url": url = value
            case "--schema": schema = value
            case "--name": name = value
            case "--appends": appends = Int(value) ?? appends
            case "--tasks": tasks = Int(value) ?? tasks
            case "--payload-size": payloadSize = Int(value) ?? payloadSize
            case "--aggregates": aggregates = Int(value) ?? aggregates
            case "--singles": singles = Int(value) ?? singles
            default: throw HarnessError("unknown option \(flag)")
            }
        }
        guard !url.isEmpty, !schema.isEmpty, command == "bench" || !name.isEmpty else { throw HarnessError("--url, --schema and --name are required") }
    }
}

@main
struct PostgresHarness {
    static func main() async {
        do {
            let arguments = try Arguments(Array(CommandLine.arguments.dropFirst()))
            if arguments.command == "bench" { try await bench(arguments) } else { try await run(arguments) }
        } catch {
            FileHandle.standardError.write(Data("pg-harness: \(error)\n".utf8))
            exit(1)
        }
    }

    static func run(_ arguments: Arguments) async throws {
        var configuration = try PostgresStoreConfiguration(url: arguments.url)
        configuration.schema = arguments.schema
        configuration.connectTimeout = .seconds(30)
        let store = try await PostgresEventStore.open(configuration)
        let out = LineWriter()
        let ids = UUIDv7Generator()
        let perTask = (arguments.appends + arguments.tasks - 1) / max(arguments.tasks, 1)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<arguments.tasks {
                group.addTask {
                    let stream = StreamID("w-\(arguments.name)-\(task)")
                    var version: UInt64 = 0
                    for call in 0..<perTask {
                        let count = 1 + call % 3
                        let events = (0..<count).map { _ -> EventData in
                            let id = ids.next()
                            return EventData(id: id, type: "Written", payload: harnessPayload(for: id, size: arguments.payloadSize), metadata: EventMetadata(actor: arguments.name))
                        }
                        var appends = [StreamAppend(stream: stream, expectedVersion: .exact(StreamVersion(version)), events: events)]
                        if call % 4 == 3 {
                            let id = ids.next()
                            appends.append(StreamAppend(stream: "shared", expectedVersion: .any, events: [
                                EventData(id: id, type: "Shared", payload: harnessPayload(for: id, size: arguments.payloadSize), metadata: EventMetadata(actor: arguments.name)),
                            ]))
                        }
                        var results: [AppendResult] = []
                        while true {
                            do {
                                results = try await store.append(appends)
                                break
                            } catch let error as EventStoreError {
                                out.write("err \(error.code) \(error.detail)\n")
                                try await Task.sleep(for: .milliseconds(100))
                            }
                        }
                        var lines = ""
                        for (append, result) in zip(appends, results) {
                            let firstVersion = result.streamVersion.rawValue - UInt64(append.events.count) + 1
                            for (i, event) in append.events.enumerated() {
                                lines += "ack \(result.firstPosition.rawValue + UInt64(i)) \(event.id.uuidString) \(append.stream) \(firstVersion + UInt64(i))\n"
                            }
                        }
                        out.write(lines)
                        version += UInt64(count)
                    }
                }
            }
            try await group.waitForAll()
        }
        await store.close()
        out.write("done\n")
    }
}

extension PostgresHarness {
    static func bench(_ arguments: Arguments) async throws {
        var configuration = try PostgresStoreConfiguration(url: arguments.url)
        configuration.schema = arguments.schema
        try await PostgresEventStore.destroy(configuration)
        let store = try await PostgresEventStore.open(configuration)
        let ids = UUIDv7Generator()
        let payload = [UInt8](repeating: 0x78, count: arguments.payloadSize)
        let metadata = EventMetadata(actor: "bench")
        func event() -> EventData { EventData(id: ids.next(), type: "NoteAdded", payload: payload, metadata: metadata) }
        func report(_ label: String, _ value: Double, _ unit: String) {
            print(label.padding(toLength: 44, withPad: " ", startingAt: 0) + String(format: "%12.0f", value) + "  " + unit)
        }
        let clock = ContinuousClock()
        let n = arguments.aggregates

        var start = clock.now
        for i in 0..<n {
            try await store.append((0..<10).map { _ in event() }, to: StreamID("contact-a-\(i)"), expectedVersion: .noStream)
        }
        report("a  append, 1 aggregate (10 events)/append", Double(n * 10) / seconds(clock.now - start), "events/s")

        start = clock.now
        for i in stride(from: 0, to: n, by: 100) {
            let appends = (0..<min(100, n - i)).map { j in
                StreamAppend(stream: StreamID("contact-b-\(i + j)"), expectedVersion: .noStream, events: (0..<10).map { _ in event() })
            }
            _ = try await store.append(appends)
        }
        report("a' append, 100 aggregates (1000 ev)/append", Double(n * 10) / seconds(clock.now - start), "events/s")

        var latencies: [Double] = []
        latencies.reserveCapacity(arguments.singles)
        var version: UInt64 = 0
        start = clock.now
        for _ in 0..<arguments.singles {
            let t = clock.now
            try await store.append([event()], to: "contact-single", expectedVersion: .exact(StreamVersion(version)))
            version += 1
            latencies.append(seconds(clock.now - t))
        }
        report("b  single-event append, one at a time", Double(arguments.singles) / seconds(clock.now - start), "commits/s")
        latencies.sort()
        report("b  latency mean", latencies.reduce(0, +) / Double(max(latencies.count, 1)) * 1e6, "us")
        report("b  latency p99", latencies[min(latencies.count - 1, latencies.count * 99 / 100)] * 1e6, "us")

        let tasks = max(arguments.tasks, 1)
        let perTask = max(arguments.singles / tasks, 1)
        start = clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for t in 0..<tasks {
                group.addTask {
                    for v in 0..<perTask {
                        let e = EventData(id: ids.next(), type: "NoteAdded", payload: payload, metadata: metadata)
                        try await store.append([e], to: StreamID("contact-par-\(t)"), expectedVersion: .exact(StreamVersion(UInt64(v))))
                    }
                }
            }
            try await group.waitForAll()
        }
        report("b-par single-event appends, \(tasks) tasks", Double(perTask * tasks) / seconds(clock.now - start), "appends/s")

        start = clock.now
        var counts: [StreamID: Int] = [:]
        var seen = 0
        var next = GlobalPosition(1)
        while true {
            var last = GlobalPosition.start
            let passed = try await store.forEachEvent(from: next, limit: 1_000) { e in
                counts[e.stream, default: 0] += 1
                last = e.position
            }
            if passed == 0 { break }
            seen += passed
            next = last.next
        }
        report("c-raw scan (forEachEvent), count per stream", Double(seen) / seconds(clock.now - start), "events/s")
        print("events in the log: \(seen), payload \(arguments.payloadSize) B")
        await store.close()
        try await PostgresEventStore.destroy(configuration)
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
