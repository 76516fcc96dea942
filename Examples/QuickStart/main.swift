// QuickStart: embed the event store, append a customer's events and read them back.
//
//   swift run QuickStart [DIRECTORY]        (default: ./crm-data/log)
//
// On an empty store it records a small demo history (a customer created, then edited twice by two
// employees); on every run it prints the stream, the log's head and the result of verify().
import EventSourcing
import EventStoreLMDB
import Foundation

@main
struct QuickStart {
    static func main() async {
        let directory = CommandLine.arguments.dropFirst().first ?? "./crm-data/log"
        do {
            try await run(directory: directory)
        } catch {
            FileHandle.standardError.write(Data("QuickStart failed: \(error)\n".utf8))
            exit(1)
        }
    }

    static func run(directory: String) async throws {
        let store = try LMDBEventStore(directory: directory)
        let ids = UUIDv7Generator()
        let customer = StreamID("customer-demo-1")

        if try await store.streamVersion(of: customer) == .noStream {
            let correlation = ids.next()
            func event(_ type: String, _ json: String, actor: String) -> EventData {
                EventData(
                    id: ids.next(), type: type, payload: Array(json.utf8),
                    metadata: EventMetadata(actor: actor, correlationID: correlation, sourceSystem: "quickstart", clientIP: "127.0.0.1")
                )
            }
            try await store.append([
                event("CustomerCreated", #"{"name":"Acme Gas Ltd","group":"key-account","branch":"north"}"#, actor: "emp-ada"),
                event("CustomerEdited", #"{"changes":[{"field":"owner","old":null,"new":"emp-ada"}]}"#, actor: "emp-ada"),
            ], to: customer, expectedVersion: .noStream)
            try await store.append([
                event("CustomerEdited", #"{"changes":[{"field":"status","old":"prospect","new":"active"}]}"#, actor: "emp-bo"),
            ], to: customer, expectedVersion: .exact(2))
            print("Recorded a demo customer history in \(directory).")
        }

        print("Stream \(customer):")
        for event in try await store.readStream(customer) {
            let payload = String(decoding: event.payload, as: UTF8.self)
            print("  v\(event.streamVersion) @\(event.position) \(event.type) by \(event.metadata.actor) at \(event.recordedAt): \(payload)")
        }
        print("Log head: \(try await store.headPosition())")
        print("verify(): \(try store.verify())")
        await store.close()
        print("(The CRM HTTP server arrives with the HTTP issue; until then `make run` runs this example.)")
    }
}
