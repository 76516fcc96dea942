// store-harness: a writer process for the event store's crash-safety and multi-process tests.
//
//   store-harness append --dir DIR [--writers N] [--map-size BYTES] [--payload-size BYTES]
//
// Opens the store in DIR for writing and appends until killed (or its parent is gone), from N concurrent tasks, one to five
// events per call. After each acknowledged append it prints one line per event:
//
//   ack <position> <event-id> <stream> <version>
//
// Each payload is derived from its event id (`harnessPayload(for:size:)` in CRMTestSupport), so a test can
// check that every acknowledged event is present and intact after a SIGKILL. It is test infrastructure, not a user tool.
import CRMTestSupport
import EventSourcing
import EventStoreLMDB
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

struct Arguments {
    var command = ""
    var directory = ""
    var writers = 4
    var mapSize = 1 << 20
    var payloadSize = 64

    init(_ args: [String]) throws {
        var rest = args[...]
        command = rest.popFirst() ?? ""
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst() else { throw HarnessError("missing value for \(flag)") }
            switch flag {
            case "--dir": directory = value
            case "--writers": writers = Int(value) ?? writers
            case "--map-size": mapSize = Int(value) ?? mapSize
            case "--payload-size": payloadSize = Int(value) ?? payloadSize
            default: throw HarnessError("unknown option \(flag)")
            }
        }
        guard command == "append", !directory.isEmpty else {
            throw HarnessError("usage: store-harness append --dir DIR [--writers N] [--map-size BYTES] [--payload-size BYTES]")
        }
    }
}

@main
struct StoreHarness {
    static func main() async {
        do {
            let arguments = try Arguments(Array(CommandLine.arguments.dropFirst()))
            try await run(arguments)
        } catch {
            FileHandle.standardError.write(Data("store-harness: \(error)\n".utf8))
            exit(1)
        }
    }

    static func run(_ arguments: Arguments) async throws {
        let store = try LMDBEventStore(
            directory: arguments.directory,
            options: .init(initialMapSize: arguments.mapSize)
        )
        let out = LineWriter()
        // A harness whose test process died (a crash of it) is reparented: it stops then, instead of
        // appending in a loop for good.
        let parent = getppid()
        out.write("ready \(getpid())\n")
        let ids = UUIDv7Generator()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<arguments.writers {
                group.addTask {
                    let stream = StreamID("crash-\(writer)")
                    var round = 0
                    while getppid() == parent {
                        round += 1
                        let count = 1 + (round % 5)
                        let events = (0..<count).map { _ in
                            let id = ids.next()
                            return EventData(id: id, type: "Appended", payload: harnessPayload(for: id, size: arguments.payloadSize), metadata: EventMetadata(actor: "harness-\(writer)"))
                        }
                        let result = try await store.append(events, to: stream, expectedVersion: .any)
                        var lines = ""
                        for (offset, event) in events.enumerated() {
                            let position = result.firstPosition.rawValue + UInt64(offset)
                            let version = result.streamVersion.rawValue - UInt64(count - 1 - offset)
                            lines += "ack \(position) \(event.id.uuidString) \(stream) \(version)\n"
                        }
                        out.write(lines)
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}
