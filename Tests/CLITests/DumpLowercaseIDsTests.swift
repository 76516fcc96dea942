import EventSourcing
import Foundation
import Testing

/// `crm dump` and `crm tail` write the ids inside payloads in lower case, as streams, actors and every id of
/// the API are written, so `jq 'select(.payload.customerID=="<id>")'` finds them: the JSON form of payloads
/// (`PayloadRegistry.json`) writes every `UUID` in lower case at any depth, and text that merely looks like an
/// id as it was written.
@Suite("crm dump: ids inside payloads in lower case", .serialized)
struct DumpLowercaseIDsTests {
    /// A canonical UUID in upper case (Foundation's `uuidString`).
    static func isUpperCaseID(_ text: String) -> Bool {
        UUID(uuidString: text) != nil && text != text.lowercased()
    }

    /// Every string in a JSON value, at any depth.
    static func strings(_ value: Any) -> [String] {
        switch value {
        case let text as String: return [text]
        case let array as [Any]: return array.flatMap(strings)
        case let object as [String: Any]: return object.keys.map { $0 } + object.values.flatMap(strings)
        default: return []
        }
    }

    @Test func dumpAndTailWriteIdsInPayloadsInLowerCase() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let data = dir + "/data"
        #expect(try await crm(["init", "--data", data, "--admin-name", "Ada"]).status == 0)
        let added = try await crm(["customer", "add", "--data", data, "--name", "Li Wei", "--group", "residential", "--json"])
        #expect(added.status == 0, "\(added.stderr)")
        let customer = try #require(object(added.lines.last ?? "")["id"] as? String)
        #expect(customer == customer.lowercased())

        let dump = try await crm(["dump", "--data", data])
        #expect(dump.status == 0, "\(dump.stderr)")
        let events = dump.lines.map(object)
        #expect(!events.isEmpty)
        for event in events {
            let payload = try #require(event["payload"])
            let upper = Self.strings(payload).filter(Self.isUpperCaseID)
            #expect(upper.isEmpty, "\(event["type"] ?? "?"): \(upper)")
        }
        let created = events.filter { ($0["payload"] as? [String: Any])?["customerID"] as? String == customer }
        #expect(created.contains { $0["type"] as? String == "CustomerCreated" }, "jq's select by the customer's id finds its creation")

        let tail = try start(["tail", "--data", data, "--from", "1", "--json"])
        for _ in 0..<200 where !tail.stdout.contains("CustomerCreated") { try await Task.sleep(for: .milliseconds(50)) }
        let followed = tail.stop()
        let lines = followed.lines.map(object)
        #expect(lines.contains { ($0["payload"] as? [String: Any])?["customerID"] as? String == customer }, "\(followed.stdout.suffix(500))")
        #expect(lines.allSatisfy { Self.strings($0["payload"] ?? NSNull()).allSatisfy { !Self.isUpperCaseID($0) } })
    }

    struct Inner: Codable, Equatable {
        var owner: UUID
        var helpers: [UUID]
    }

    struct Nested: EventPayload, Equatable {
        static let eventType = "NestedIDs"
        static let schemaVersion: UInt32 = 1
        var id: UUID
        var ids: [UUID]
        var maybe: UUID?
        var none: UUID?
        var maybeInner: Inner?
        var byName: [String: UUID]
        var inner: Inner
        var inners: [Inner]
        /// Text that looks like an id is text: written as it was.
        var note: String
        var count: Int
        var at: Date
    }

    @Test func thePayloadJSONFormWritesEveryNestedIdInLowerCaseAndReadsBack() throws {
        var registry = PayloadRegistry()
        registry.register(Nested.self)
        let (a, b, c) = (UUID(), UUID(), UUID())
        let note = UUID().uuidString
        let value = Nested(id: a, ids: [b, c], maybe: c, none: nil, maybeInner: Inner(owner: b, helpers: [a, c]), byName: ["x": b],
                           inner: Inner(owner: a, helpers: [b]), inners: [Inner(owner: c, helpers: [])], note: note, count: 3,
                           at: Date(timeIntervalSince1970: 1_767_225_600.125))
        let bytes = try BinaryPayloadEncoder.encode(value)
        let json = try bytes.withUnsafeBytes { try registry.json(Nested.eventType, schemaVersion: 1, from: $0) }
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        #expect(object["id"] as? String == a.lowercasedString)
        #expect(object["ids"] as? [String] == [b.lowercasedString, c.lowercasedString])
        #expect(object["maybe"] as? String == c.lowercasedString)
        #expect(object["none"] == nil || object["none"] is NSNull)
        #expect((object["maybeInner"] as? [String: Any])?["helpers"] as? [String] == [a.lowercasedString, c.lowercasedString])
        #expect((object["byName"] as? [String: String])?["x"] == b.lowercasedString)
        #expect((object["inner"] as? [String: Any])?["owner"] as? String == a.lowercasedString)
        #expect((object["inner"] as? [String: Any])?["helpers"] as? [String] == [b.lowercasedString])
        #expect(((object["inners"] as? [[String: Any]])?.first)?["owner"] as? String == c.lowercasedString)
        #expect(object["note"] as? String == note, "text that looks like an id stays as written")
        #expect(object["count"] as? Int == 3)
        #expect(object["at"] as? String == "2026-01-01T00:00:00.125Z")
        let text = String(decoding: json, as: UTF8.self)
        #expect(Self.strings(object).filter(Self.isUpperCaseID) == [note], "\(text)")
        // Read back (an import of the JSON form): ids in either case decode, to the same bytes.
        let back = try registry.binary(Nested.eventType, fromJSON: json)
        #expect(back.bytes == bytes)
        #expect(try BinaryPayloadDecoder.decode(Nested.self, from: back.bytes) == value)
    }
}
