// QuickStart: embed the event store, append a small stream of events and read them back.
//
//   swift run QuickStart [DIRECTORY]        (default: a new temporary directory)
//
// On an empty (or new) directory it records a small demo history (a note written, then edited by two
// employees); on every run it prints the stream, the log's head and the result of verify(). It writes only
// into a log of its own: a directory that holds anything else — a CRM data directory, its `log/` — is
// refused, and nothing is written there (the log is append-only, and the CRM's views cannot read these
// events).
import EventSourcing
import EventStoreLMDB
import Foundation

@main
struct QuickStart {
    /// The example's one stream: its events use type names no CRM event has.
    static let stream = StreamID("note-1")

    static func main() async {
        let directory = CommandLine.arguments.dropFirst().first
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("crm-quickstart-\(UUID().uuidString)").path
        do {
            try await run(directory: directory)
        } catch {
            FileHandle.standardError.write(Data("QuickStart failed: \(error)\n".utf8))
            exit(1)
        }
    }

    /// Refuses a directory QuickStart did not make: it may write one that does not exist yet, an empty one,
    /// or an event store (`data.mdb`) holding its stream and nothing else — checked read-only, so another
    /// program's log is never opened for writing.
    static func refuseForeignLog(in directory: String) async throws {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        guard entries.contains("data.mdb") else {
            if !entries.isEmpty { throw Refused("\(directory) is not empty and holds no event store: give QuickStart a new or empty directory") }
            return
        }
        let existing = try LMDBEventStore(directory: directory, options: .readOnly)
        let head = try await existing.headPosition()
        let ours = try await existing.streamVersion(of: stream)
        await existing.close()
        // Another program's log (a CRM's `crm-data/log`): events appended there would stay for good.
        if head != .start && ours.rawValue != head.rawValue {
            throw Refused("\(directory) holds a log QuickStart did not write (\(head.rawValue) events): give it a new or empty directory")
        }
    }

    static func run(directory: String) async throws {
        try await refuseForeignLog(in: directory)
        let store = try LMDBEventStore(directory: directory)
        do {
            try await record(in: store, directory: directory)
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }

    static func record(in store: LMDBEventStore, directory: String) async throws {
        let ids = UUIDv7Generator()
        if try await store.streamVersion(of: stream) == .noStream {
            let correlation = ids.next()
            func event(_ type: String, _ json: String, actor: String) -> EventData {
                EventData(
                    id: ids.next(), type: type, payload: Array(json.utf8),
                    metadata: EventMetadata(actor: actor, correlationID: correlation, sourceSystem: "quickstart", clientIP: "127.0.0.1")
                )
            }
            try await store.append([
                event("NoteWritten", #"{"title":"Gas meter reading","text":"Reading due on the 5th"}"#, actor: "emp-ada"),
                event("NoteEdited", #"{"text":"Reading due on the 7th"}"#, actor: "emp-ada"),
            ], to: stream, expectedVersion: .noStream)
            try await store.append([
                event("NoteEdited", #"{"title":"Gas meter reading (north)"}"#, actor: "emp-bo"),
            ], to: stream, expectedVersion: .exact(2))
            print("Recorded a demo note history in \(directory).")
        }

        print("Stream \(stream):")
        for event in try await store.readStream(stream) {
            let payload = String(decoding: event.payload, as: UTF8.self)
            print("  v\(event.streamVersion) @\(event.position) \(event.type) by \(event.metadata.actor) at \(event.recordedAt): \(payload)")
        }
        print("Log head: \(try await store.headPosition())")
        print("verify(): \(try store.verify())")
    }
}

/// Why QuickStart will not write into a directory.
struct Refused: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
