import CRMEngine
import EventSourcing
import Foundation
import HTTPTypes
import Hummingbird

/// JSON answers: UTF-8, sorted keys, RFC 3339 instants, an `ETag` when the answer is one record's state.
enum JSONOutput {
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok, version: StreamVersion? = nil,
                         headers extra: HTTPFields = [:]) throws -> Response {
        response(json: try encoder().encode(value), status: status, version: version, headers: extra)
    }

    /// An answer whose JSON is already written (``Customer360JSON``).
    static func response(json: some Sequence<UInt8>, status: HTTPResponse.Status = .ok, version: StreamVersion? = nil,
                         headers extra: HTTPFields = [:]) -> Response {
        var headers = extra
        headers[.contentType] = "application/json; charset=utf-8"
        if let version { headers[.eTag] = etag(version) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: json)))
    }

    /// A record version as an entity tag: `"3"`.
    static func etag(_ version: StreamVersion) -> String { "\"\(version.rawValue)\"" }

    /// A view cursor (raw key bytes) as an opaque URL-safe text.
    static func cursor(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// A cursor text back to its bytes; a 400 problem naming `after` when it is not one.
    static func cursorBytes(_ text: String?) throws -> [UInt8]? {
        guard let text, !text.isEmpty else { return nil }
        var s = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.count % 4 != 0 { s += "=" }
        guard text.count <= 2048, let data = Data(base64Encoded: s) else { throw Problem.invalid("after", "not a cursor this server gave") }
        return Array(data)
    }
}

/// What a command did, as answered to a write: the record, its version after the command (also the
/// `ETag`), the log position to pass as `consistentWith` for reading one's own write, and the events.
struct CommandAnswer: Encodable {
    struct Event: Encodable {
        var id: UUID
        var type: String
        var version: UInt64
        var position: UInt64
        var recordedAt: Date
    }

    var id: UUID?
    var stream: String
    var version: UInt64
    var position: UInt64
    var events: [Event]

    init(_ result: CRMEngine.CommandResult) {
        id = recordID(of: result.stream)
        stream = result.stream.rawValue
        version = result.version.rawValue
        position = result.position.rawValue
        events = result.events.map {
            Event(id: $0.id, type: $0.type, version: $0.streamVersion.rawValue, position: $0.position.rawValue, recordedAt: $0.recordedAt)
        }
    }
}

/// The record id of a stream `category-<uuid>`; nil for singleton streams.
func recordID(of stream: StreamID) -> UUID? {
    guard let dash = stream.rawValue.firstIndex(of: "-") else { return nil }
    return UUID(uuidString: String(stream.rawValue[stream.rawValue.index(after: dash)...]))
}

/// A page of a list: the items and, when more follow, the link to the next page.
struct PageAnswer<Item: Encodable>: Encodable {
    var items: [Item]
    /// The cursor to pass as `after`; nil on the last page.
    var after: String?
    /// The next page's path and query, ready to follow.
    var next: String?
}

/// Query parameters read strictly: a bad value answers 400 naming the parameter.
struct QueryParameters {
    let request: Request

    func string(_ name: String) -> String? { request.uri.queryParameters[Substring(name)].map { String($0) } }

    func limit(default value: Int, max: Int) throws -> Int {
        guard let text = string("limit") else { return value }
        guard let limit = Int(text), (1...max).contains(limit) else { throw Problem.invalid("limit", "expected a whole number from 1 to \(max)") }
        return limit
    }

    func position(_ name: String) throws -> GlobalPosition? {
        guard let text = string(name) else { return nil }
        guard let value = UInt64(text) else { throw Problem.invalid(name, "expected a log position (a whole number)") }
        return GlobalPosition(value)
    }

    func version(_ name: String) throws -> StreamVersion? {
        guard let text = string(name) else { return nil }
        guard let value = UInt64(text) else { throw Problem.invalid(name, "expected a version (a whole number)") }
        return StreamVersion(value)
    }
}

extension HTTPFields {
    /// The values of the field `canonical` (lowercase name): for fields HTTPTypes has no constant for.
    func values(named canonical: String) -> [String] {
        filter { $0.name.canonicalName == canonical }.map(\.value)
    }

    /// The first value of the field `canonical` (lowercase name).
    func value(named canonical: String) -> String? { values(named: canonical).first }

    /// Sets a field HTTPTypes has no constant for (a valid token name, checked without trapping).
    mutating func set(_ name: String, _ value: String) {
        if let name = HTTPField.Name(name) { self[name] = value }
    }
}

/// The write preconditions of a request: `If-Match` (a record version) and `Idempotency-Key`.
struct WriteHeaders {
    var expectedVersion: StreamVersion?
    var idempotencyKey: String?

    init(_ request: Request) throws {
        if let match = request.headers[.ifMatch]?.trimmingCharacters(in: .whitespaces), match != "*" {
            var text = Substring(match)
            if text.hasPrefix("W/") { text = text.dropFirst(2) }
            if text.hasPrefix("\""), text.hasSuffix("\""), text.count >= 2 { text = text.dropFirst().dropLast() }
            guard let version = UInt64(text) else { throw Problem.invalid("If-Match", "expected the record's ETag, e.g. \"3\"") }
            expectedVersion = StreamVersion(version)
        }
        if let key = request.headers.value(named: "idempotency-key") {
            guard (1...200).contains(key.unicodeScalars.count), key.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
                throw Problem.invalid("Idempotency-Key", "1 to 200 visible ASCII characters")
            }
            idempotencyKey = key
        }
    }
}
