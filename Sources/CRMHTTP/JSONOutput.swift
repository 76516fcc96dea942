import CRMEngine
import EventSourcing
import Foundation
import HTTPTypes
import Hummingbird

/// JSON answers: UTF-8, sorted keys, RFC 3339 instants, ids in lower case, an `ETag` when the answer is one
/// record's state.
enum JSONOutput {
    /// The encoder's settings. It writes a `UUID` as `uuidString` (upper case): answers encode through
    /// ``encode(_:)``, which writes ids in lower case as every other answer, path and stream does.
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    /// `value` as answers write it: by ``encoder()``, with every `UUID` in it, at any depth, in lower case
    /// (``LowercasedUUIDs``). Text that merely looks like an id (a name, a note) is written as it is.
    static func encode(_ value: some Encodable) throws -> Data {
        try encoder().encode(LowercasedUUIDs(value))
    }

    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok, version: StreamVersion? = nil,
                         headers extra: HTTPFields = [:]) throws -> Response {
        response(json: try encode(value), status: status, version: version, headers: extra)
    }

    /// An answer whose JSON is already written (``Customer360JSON``).
    static func response(json: some Sequence<UInt8>, status: HTTPResponse.Status = .ok, version: StreamVersion? = nil,
                         headers extra: HTTPFields = [:]) -> Response {
        var headers = extra
        headers[.contentType] = "application/json; charset=utf-8"
        if let version { headers[.eTag] = etag(version) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: json)))
    }

    /// An answer whose JSON is already in a buffer (a cached customer 360 document): sent without a copy.
    static func response(buffer: ByteBuffer, version: StreamVersion?) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        if let version { headers[.eTag] = etag(version) }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: buffer))
    }

    /// An answer whose money amounts are written as exact decimal strings (``moneyAsText(_:)``): for values
    /// whose Codable form holds ``CRMDomain/Money`` (custom values, field changes) and writes amounts as numbers.
    static func response(moneyAsText value: some Encodable, version: StreamVersion? = nil,
                         headers extra: HTTPFields = [:]) throws -> Response {
        response(json: try moneyAsText(encode(value)), version: version, headers: extra)
    }

    /// JSON written by ``encode(_:)`` with every money amount — an object of exactly `amount` (a number) and
    /// `currency` (a string) — as an exact decimal string, as record answers write amounts.
    static func moneyAsText(_ json: some Collection<UInt8>) throws -> [UInt8] {
        let value: JSONValue
        do {
            value = try JSONParser.parse(json)
        } catch {
            throw Problem("internal", .internalServerError, "the server failed to write its answer")
        }
        return Array(try encoder().encode(value.moneyAsText()))
    }

    /// A record version as an entity tag: `"3"`.
    static func etag(_ version: StreamVersion) -> String { "\"\(version.rawValue)\"" }
}

/// What a command did, as answered to a write: the record, its version after the command (also the
/// `ETag`), the log position to pass as `consistentWith` for reading one's own write, and the events.
/// Written by ``json()``; `Encodable` so a test can hold that against ``JSONOutput/encode(_:)``. Ids are
/// written in lower case, as in the `Location`, the stream and every record's answer: a new employee's id is
/// then the very text principals and the records naming them hold.
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

    init(id: UUID?, stream: String, version: UInt64, position: UInt64, events: [Event]) {
        (self.id, self.stream, self.version, self.position, self.events) = (id, stream, version, position, events)
    }

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

extension CommandAnswer {
    /// The answer to `result` as a write answers it. A command that wrote nothing (a value unchanged, a
    /// severity already set) answers as `position` the log position of the record's last event — what the
    /// command was judged on, so that `consistentWith` reads the record as it found it — or, for a record with
    /// no event, the log's head: never 0, which is no event's position.
    init(_ result: CRMEngine.CommandResult, engine: CRMEngine) async throws {
        self.init(result)
        guard result.events.isEmpty else { return }
        if result.version != .noStream,
           let last = try await engine.store.readStream(result.stream, from: result.version, direction: .forward, limit: 1).first {
            position = last.position.rawValue
        } else {
            position = try await engine.store.headPosition().rawValue
        }
    }

    /// The answer's JSON written by hand, byte for byte what ``JSONOutput/encode(_:)`` writes (a test checks
    /// both side by side): every write answers one, and the encoder was a twentieth of a write's CPU.
    func json() -> [UInt8] {
        var out = JSONBytes()
        out.bytes.reserveCapacity(256 + 160 * events.count)
        out.raw("{")
        out.key("events", first: true)
        out.array(events) { out, event in
            out.raw("{")
            out.key("id", first: true)
            out.uuid(event.id)
            out.key("position")
            out.raw(String(event.position))
            out.key("recordedAt")
            out.instant(event.recordedAt)
            out.key("type")
            out.string(event.type)
            out.key("version")
            out.raw(String(event.version))
            out.raw("}")
        }
        if let id {
            out.key("id")
            out.uuid(id)
        }
        out.key("position")
        out.raw(String(position))
        out.key("stream")
        out.string(stream)
        out.key("version")
        out.raw(String(version))
        out.raw("}")
        return out.bytes
    }
}

/// The record id of a stream `category-<uuid>`; nil for singleton streams.
func recordID(of stream: StreamID) -> UUID? {
    guard let dash = stream.rawValue.firstIndex(of: "-") else { return nil }
    return UUID(text: String(stream.rawValue[stream.rawValue.index(after: dash)...]))
}

/// A page of a list: the items and, when more follow, the cursor and the link to the next page (see
/// ``PagedList``).
struct PageAnswer<Item: Encodable>: Encodable {
    var items: [Item]
    /// The cursor to pass as `after`; nil on the last page.
    var after: String?
    /// The next page's path and query, ready to follow.
    var next: String?

    init(items: [Item], after: String?, next: String?) {
        (self.items, self.after, self.next) = (items, after, next)
    }
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
        guard let value = Self.counter(text) else { throw Problem.invalid(name, "expected a log position (a whole number)") }
        return GlobalPosition(value)
    }

    func version(_ name: String) throws -> StreamVersion? {
        guard let text = string(name) else { return nil }
        guard let value = Self.counter(text) else { throw Problem.invalid(name, "expected a version (a whole number)") }
        return StreamVersion(value)
    }

    /// A log position or version as a client may send it: plain digits without a leading zero, up to
    /// `Int64.max` (what the stores hold), so that the next one (`+ 1`) can never overflow; nil for anything
    /// else (`+12`, `012`, `1e3`) — the rule of `asOf` (``AsOf/position(_:)``).
    static func counter(_ text: some StringProtocol) -> UInt64? {
        AsOf.position(text)?.rawValue
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
            // If-Match compares strongly (RFC 9110 §13.1.1): a weak tag never matches, whatever the version.
            if text.hasPrefix("W/") {
                throw Problem("conflict", .preconditionFailed, "a weak entity tag never matches If-Match: send the ETag as answered, e.g. \"3\"",
                              field: "If-Match")
            }
            if text.hasPrefix("\""), text.hasSuffix("\""), text.count >= 2 { text = text.dropFirst().dropLast() }
            guard let version = QueryParameters.counter(text) else { throw Problem.invalid("If-Match", "expected the record's ETag, e.g. \"3\"") }
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
