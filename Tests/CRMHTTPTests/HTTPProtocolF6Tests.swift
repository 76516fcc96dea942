import CRMDomain
import CRMEngine
import CRMHTTP
import EventSourcing
import Foundation
import Logging
import ServiceLifecycle
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The HTTP protocol points of the sixth exploratory round (F6): stalled requests are closed, a body needs
/// its media type, the idempotency key is given once, header and body members are named as the request
/// sends them, the OpenAPI document reads the same in YAML 1.1, and `/metrics` labels unmatched requests
/// consistently.
@Suite(.serialized) struct HTTPProtocolF6Tests {
    static let unknownID = "0190a1b2-0000-7000-8000-00000000f6f6"

    // MARK: - Idle timeout

    /// A server with a short idle timeout over a fresh engine; `body` gets its port and the administrator's token.
    static func withServer(idleTimeout: Duration?, _ body: @Sendable (_ port: Int, _ token: String) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crm-http-tests-idle-\(UUID().uuidString)").path
        let engine = try await CRMEngine.open(at: directory, configuration: .init(clock: ManualClock(Date(timeIntervalSince1970: 1_767_225_600)),
                                                                                  durability: .noSync))
        let (_, token) = try await engine.bootstrap(administrator: NewEmployee(
            id: UUID.derived("employee", "admin"), name: "Ada Admin", position: "administrator", branch: "head-office",
            hiredOn: try #require(LocalDate("2020-01-01"))))
        var logger = Logger(label: "crm.http.tests")
        logger.logLevel = .warning
        let ports = AsyncStream<Int>.makeStream()
        let app = buildApplication(engine: engine, configuration: HTTPConfiguration(
            host: "127.0.0.1", port: 0, logger: logger, onServerRunning: { ports.continuation.yield($0) }, idleTimeout: idleTimeout))
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let running = Task { try await group.run() }
        var iterator = ports.stream.makeAsyncIterator()
        let port = try #require(await iterator.next())
        var failure: (any Error)?
        do { try await body(port, token.token) } catch { failure = error }
        await group.triggerGracefulShutdown()
        _ = try? await running.value
        await engine.close()
        try? FileManager.default.removeItem(atPath: directory)
        if let failure { throw failure }
    }

    /// Sends `bytes` to the server and waits up to `bound` seconds: true when the server closed the
    /// connection (whatever it answered first), false when it was still open then.
    static func closed(port: Int, after bytes: [UInt8], within bound: Int) throws -> Bool {
        let fd = try RawHTTP.connected(port: port, receiveTimeout: bound)
        defer { close(fd) }
        let sent = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        guard sent == bytes.count else { throw RawHTTP.Failure(description: "send failed") }
        let deadline = Date().addingTimeInterval(TimeInterval(bound))
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { return true }
            if n < 0 { return errno == ECONNRESET }
        }
        return false
    }

    /// A request whose head never ends, and one whose body stops short of its `Content-Length`, are closed
    /// once the idle timeout passes, instead of holding the connection for ever.
    @Test func unfinishedRequestsAreClosedAfterTheIdleTimeout() async throws {
        try await Self.withServer(idleTimeout: .milliseconds(300)) { port, token in
            let halfHead = Array("GET /health HTTP/1.1\r\nHost: x\r\n".utf8)
            let headClosed = try Self.closed(port: port, after: halfHead, within: 20)
            #expect(headClosed)
            let shortBody = Array("""
                POST /v1/customers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\nContent-Type: application/json\r\n\
                Content-Length: 100\r\n\r\n{
                """.utf8)
            let bodyClosed = try Self.closed(port: port, after: shortBody, within: 20)
            #expect(bodyClosed)
        }
    }

    // MARK: - Media type

    /// A body sent without any `Content-Type` is a 415, nothing written; a command without a body needs none.
    @Test func aBodyWithoutContentTypeIsRefusedAsUnsupportedMediaType() async throws {
        try await LiveServer.with("f6-no-content-type") { s in
            let customer = try await s.created("/v1/customers", #"{"kind": "person", "name": "Typed", "group": "residential"}"#)
            let head = try await s.engine.store.headPosition()
            let untyped = try await s.send(.PATCH, "/v1/customers/\(customer)", body: #"{"name": "Untyped"}"#, contentType: nil)
            #expect(untyped.status == 415 && text(untyped.json["type"]) == "urn:crm:problem:unsupported-media-type", "\(untyped.status) \(untyped.text)")
            #expect(try await s.engine.store.headPosition() == head)
            let empty = try await s.send(.POST, "/v1/customers/\(customer)/activate", body: nil, contentType: nil)
            #expect(empty.status == 200, "\(empty.status) \(empty.text)")
        }
    }

    // MARK: - Header and member names

    /// `Idempotency-Key` given twice is a 400 naming it, nothing written; a key reused for another request
    /// is named as the header too.
    @Test func idempotencyKeyGivenTwiceIsRefusedAndItsErrorsNameTheHeader() async throws {
        try await LiveServer.with("f6-idempotency-twice") { s in
            let head = try await s.engine.store.headPosition()
            let twice = try await s.send(.POST, "/v1/customers", json: #"{"kind": "person", "name": "Twice", "group": "residential"}"#,
                                         headers: [("Idempotency-Key", "f6-a"), ("Idempotency-Key", "f6-b")])
            #expect(twice.status == 400 && text(twice.json["field"]) == "Idempotency-Key", "\(twice.status) \(twice.text)")
            #expect(try await s.engine.store.headPosition() == head)
            try await s.expect(.POST, "/v1/customers", #"{"kind": "person", "name": "Once", "group": "residential"}"#, status: 201,
                               headers: [("Idempotency-Key", "f6-once")])
            let reused = try await s.send(.POST, "/v1/customers", json: #"{"kind": "person", "name": "Other", "group": "residential"}"#,
                                          headers: [("Idempotency-Key", "f6-once")])
            #expect(reused.status == 422 && text(reused.json["field"]) == "Idempotency-Key", "\(reused.status) \(reused.text)")
        }
    }

    /// An unknown customer on a task or ticket is named by the body's member (`customerId`), not the
    /// domain's `customerID`.
    @Test func anUnknownCustomerIsNamedAsTheBodyMember() async throws {
        try await LiveServer.with("f6-customer-id-member") { s in
            try await s.expect(.POST, "/v1/settings/sla", #"{"kind": "faultRepair", "severity": "high", "responseMinutes": 30, "resolutionMinutes": 480}"#)
            let bodies = [
                ("/v1/tasks", #"{"title": "Call back", "customerId": "\#(Self.unknownID)", "dueAt": "2026-01-02T09:00:00Z", "assignee": "\#(s.admin.id)"}"#),
                ("/v1/tickets", #"{"channel": "phone", "kind": "faultRepair", "severity": "high", "customerId": "\#(Self.unknownID)", "subject": "S", "department": "service"}"#),
            ]
            for (path, json) in bodies {
                let answer = try await s.send(.POST, path, json: json)
                #expect(answer.status == 400 && text(answer.json["field"]) == "customerId", "\(path): \(answer.status) \(answer.text)")
            }
        }
    }

    // MARK: - OpenAPI document

    /// No key or parameter name of the OpenAPI document is a bare YAML 1.1 boolean word (`on`, `off`,
    /// `yes`, `no`), which such parsers read as true or false.
    @Test func openAPIDocumentHasNoBareYAMLBooleanNames() {
        let text = String(decoding: OpenAPIDocument.bytes, as: UTF8.self)
        let words = ["on", "off", "yes", "no", "y", "n", "true", "false"]
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.drop { $0 == " " || $0 == "-" || $0 == "{" }
            for word in words {
                #expect(!trimmed.hasPrefix(word + ":"), "line \(number + 1): \(line.prefix(80))")
                #expect(!line.contains("name: \(word),") && !line.contains("name: \(word) "), "line \(number + 1): \(line.prefix(80))")
                #expect(!line.contains(", \(word): {") && !line.contains("{ \(word): {"), "line \(number + 1): \(line.prefix(80))")
            }
        }
    }

    // MARK: - Metrics labels

    /// A 405 on a route's path is counted under that route's pattern; an unknown path is counted as
    /// `NotFound` with a token (404) and without (401) alike, never as `unknown`.
    @Test func metricsLabelMethodNotAllowedByRouteAndUnknownPathsOneWay() async throws {
        try await LiveServer.with("f6-metrics-labels") { s in
            #expect(try await s.send(.DELETE, "/v1/customers/\(Self.unknownID)").status == 405)
            #expect(try await s.send(.PUT, "/v1/tasks/board").status == 405)
            #expect(try await s.send(.GET, "/v1/no-such-route").status == 404)
            #expect(try await s.send(.GET, "/v1/no-such-route", authenticated: false).status == 401)
            let scrape = try await s.send(.GET, "/metrics").text
            let lines = scrape.split(separator: "\n").filter { $0.hasPrefix("crm_http_requests_total{") }
            #expect(lines.contains { $0.contains(#"method="DELETE""#) && $0.contains(#"route="/v1/customers/{id}""#) && $0.contains(#"status="405""#) },
                    "\(lines)")
            #expect(lines.contains { $0.contains(#"method="PUT""#) && $0.contains(#"route="/v1/tasks/board""#) && $0.contains(#"status="405""#) },
                    "\(lines)")
            #expect(lines.contains { $0.contains(#"route="NotFound""#) && $0.contains(#"status="404""#) }, "\(lines)")
            #expect(lines.contains { $0.contains(#"route="NotFound""#) && $0.contains(#"status="401""#) }, "\(lines)")
            #expect(!lines.contains { $0.contains(#"route="unknown""#) }, "\(lines)")
            #expect(!lines.contains { $0.contains(#"route="NotFound""#) && $0.contains(#"status="405""#) }, "\(lines)")
        }
    }
}
