import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// HTTP `asOf`: the `recordedAt` a history shows (whole seconds), given back, answers the record with that
/// change; a position is plain digits, and one beyond the log's head is a 400 naming `asOf`, as
/// `consistentWith` is.
@Suite(.serialized) struct AsOfBeyondHeadTests {
    static func refused(_ s: LiveServer, _ path: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let answer = try await s.send(.GET, path)
        #expect(answer.status == 400, "\(path): \(answer.status) \(answer.text.prefix(300))", sourceLocation: sourceLocation)
        #expect(text(answer.json["type"]) == "urn:crm:problem:invalid-field" && text(answer.json["field"]) == "asOf",
                "\(path): \(answer.text.prefix(300))", sourceLocation: sourceLocation)
    }

    @Test func aRecordedAtFromTheHistoryGivenBackAsOfShowsThatChange() async throws {
        try await LiveServer.with("as-of-shown-time") { s in
            // Created at 00:00:47.327071, edited at 00:00:48.701745 (microseconds, as the stores keep them).
            s.clock.set(Date(microsecondsSince1970: 1_767_225_647_327_071))
            let id = try await s.created("/v1/customers", #"{"kind": "person", "name": "Li Wei", "group": "residential", "branch": "A"}"#)
            s.clock.set(Date(microsecondsSince1970: 1_767_225_648_701_745))
            try await s.expect(.PATCH, "/v1/customers/\(id)", #"{"name": "Li Wei-Zhang"}"#, headers: [("If-Match", "\"1\"")])
            let history = try await s.expect(.GET, "/v1/customers/\(id)/history")
            let items = try #require(history.json["items"] as? [[String: Any]])
            #expect(items.count == 2, "\(history.text)")
            for (index, item) in items.enumerated() {
                let shown = try #require(text(item["recordedAt"]), "\(item)")
                let then = try await s.expect(.GET, "/v1/customers/\(id)?asOf=\(shown)")
                #expect(then.header("ETag") == "\"\(index + 1)\"", "\(shown): \(then.text)")
                #expect(text(then.json["name"]) == (index == 0 ? "Li Wei" : "Li Wei-Zhang"), "\(shown): \(then.text)")
            }
            #expect(items.compactMap { text($0["recordedAt"]) } == ["2026-01-01T00:00:47Z", "2026-01-01T00:00:48Z"])
            // Milliseconds: the whole millisecond written.
            #expect(try await s.expect(.GET, "/v1/customers/\(id)?asOf=2026-01-01T00:00:48.701Z").header("ETag") == "\"2\"")
            #expect(try await s.expect(.GET, "/v1/customers/\(id)?asOf=2026-01-01T00:00:48.700Z").header("ETag") == "\"1\"")
        }
    }

    @Test func anAsOfPositionBeyondTheHeadOrNotPlainDigitsIsA400NamingAsOf() async throws {
        try await LiveServer.with("as-of-beyond-head") { s in
            let id = try await s.created("/v1/customers", #"{"kind": "person", "name": "Li Wei", "group": "residential", "branch": "A"}"#)
            let head = try await s.engine.store.headPosition()
            #expect(try await s.expect(.GET, "/v1/customers/\(id)?asOf=\(head.rawValue)").header("ETag") == "\"1\"")
            try await Self.refused(s, "/v1/customers/\(id)?asOf=\(head.rawValue + 1)")
            try await Self.refused(s, "/v1/customers/\(id)?asOf=99999999")
            try await Self.refused(s, "/v1/customers/\(id)?asOf=%2B\(head.rawValue)")
            try await Self.refused(s, "/v1/customers/\(id)?asOf=0\(head.rawValue)")
            // Position 0 is before every event: the customer did not exist then.
            #expect(try await s.send(.GET, "/v1/customers/\(id)?asOf=0").status == 404)
            #expect(try await s.engine.store.headPosition() == head)
        }
    }
}
