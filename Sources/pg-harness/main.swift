// pg-harness: a writer process for the PostgreSQL store's multi-process tests (not a user tool).
//
//   pg-harness append --url URL --schema NAME --name WRITER [--appends N] [--tasks T] [--payload-size B]
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
import EventSourcing
import EventStorePostgres
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

func payload(for id: UUID, size: Int) -> [UInt8] {
    let bytes = withUnsafeBytes(of: id.uuid) { Array($0) }
    return (0..<size).map { bytes[$0 % 16] &+ UInt8(truncatingIfNeeded: $0 / 16) }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

struct Arguments: Sendable {
    var url = ""
    var schema = ""
    var name = ""
    var appends = 100
    var tasks = 4
    var payloadSize = 64

    init(_ args: [String]) throws {
        var rest = args[...]
        guard rest.popFirst() == "append" else { throw HarnessError("usage: pg-harness append --url URL --schema NAME --name WRITER [--appends N] [--tasks T] [--payload-size B]") }
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst() else { throw HarnessError("missing value for \(flag)") }
            switch flag {
            case "--url": url = value
            case "--schema": schema = value
            case "--name": name = value
            case "--appends": appends = Int(value) ?? appends
            case "--tasks": tasks = Int(value) ?? tasks
            case "--payload-size": payloadSize = Int(value) ?? payloadSize
            default: throw HarnessError("unknown option \(flag)")
            }
        }
        guard !url.isEmpty, !schema.isEmpty, !name.isEmpty else { throw HarnessError("--url, --schema and --name are required") }
    }
}

/// Serialises whole lines to stdout, each written at once.
final class LineWriter: Sendable {
    private let lock = Mutex(())
    func write(_ text: String) {
        lock.withLock { _ in
            var text = text
            text.withUTF8 { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = Glibc.write(1, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
                    if written <= 0 { return }
                    offset += written
                }
            }
        }
    }
}

@main
struct PostgresHarness {
    static func main() async {
        do {
            try await run(try Arguments(Array(CommandLine.arguments.dropFirst())))
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
                            return EventData(id: id, type: "Written", payload: payload(for: id, size: arguments.payloadSize), metadata: EventMetadata(actor: arguments.name))
                        }
                        var appends = [StreamAppend(stream: stream, expectedVersion: .exact(StreamVersion(version)), events: events)]
                        if call % 4 == 3 {
                            let id = ids.next()
                            appends.append(StreamAppend(stream: "shared", expectedVersion: .any, events: [
                                EventData(id: id, type: "Shared", payload: payload(for: id, size: arguments.payloadSize), metadata: EventMetadata(actor: arguments.name)),
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
