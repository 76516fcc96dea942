import AsyncHTTPClient
import CRMDomain
import CRMEngine
import CRMHTTP
import EventSourcing
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Testing

/// An engine over a real LMDB store in a temporary directory with its administrator, served by the real
/// application on a loopback port (0: the system picks one), and a real HTTP client (AsyncHTTPClient).
struct LiveServer: Sendable {
    let directory: String
    let clock: ManualClock
    let engine: CRMEngine
    let admin: Principal
    let adminToken: String
    let port: Int
    /// A client of this server alone: a pooled connection must never outlive the server it was opened to
    /// (a later test's server may get the same port).
    let client: HTTPClient

    struct Answer: Sendable {
        let status: Int
        let headers: HTTPHeaders
        let body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
        /// The body as a JSON object (empty when it is not one).
        var json: [String: Any] { ((try? JSONSerialization.jsonObject(with: body)) as? [String: Any]) ?? [:] }
        func header(_ name: String) -> String? { headers.first(name: name) }
    }

    /// Runs `body` against a fresh server and stops it gracefully afterwards.
    static func with(_ label: String = "http", trustedProxies: Set<String> = [], maxBodySize: Int = 64 * 1024, reactions: [Reaction]? = nil,
                     eventStreamHeartbeat: Duration = .milliseconds(200), _ body: @Sendable (LiveServer) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crm-http-tests-\(label)-\(UUID().uuidString)").path
        let clock = ManualClock(Date(timeIntervalSince1970: 1_767_225_600))  // 2026-01-01T00:00Z
        let engine = try await CRMEngine.open(at: directory, configuration: .init(clock: clock, durability: .noSync, reactions: reactions))
        let adminID = UUID.derived("employee", "admin")
        let (admin, bootstrapToken) = try await engine.bootstrap(administrator: NewEmployee(
            id: adminID, name: "Ada Admin", position: "administrator", branch: "head-office", hiredOn: try #require(LocalDate("2020-01-01"))))
        let token = bootstrapToken
        let ports = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "crm.http.tests")
        logger.logLevel = .warning
        let app = buildApplication(engine: engine, configuration: HTTPConfiguration(
            host: "127.0.0.1", port: 0, trustedProxies: trustedProxies, maxBodySize: maxBodySize, eventStreamHeartbeat: eventStreamHeartbeat,
            logger: logger, onServerRunning: { port in ports.continuation.yield(port) }))
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let running = Task { try await group.run() }
        var iterator = ports.stream.makeAsyncIterator()
        let port = try #require(await iterator.next())
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let server = LiveServer(directory: directory, clock: clock, engine: engine, admin: admin, adminToken: token.token, port: port, client: client)
        do {
            try await body(server)
        } catch {
            try? await client.shutdown()
            await group.triggerGracefulShutdown()
            _ = try? await running.value
            await engine.close()
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
        try await client.shutdown()
        await group.triggerGracefulShutdown()
        try await running.value
        await engine.close()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Sends a request; `json` is sent as the body with `Content-Type: application/json`.
    @discardableResult
    func send(_ method: HTTPMethod, _ path: String, token: String? = nil, json: String? = nil, headers: [(String, String)] = [],
              authenticated: Bool = true) async throws -> Answer {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = method
        if authenticated { request.headers.add(name: "Authorization", value: "Bearer \(token ?? adminToken)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        }
        let response = try await client.execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 64 * 1024 * 1024)
        return Answer(status: Int(response.status.code), headers: response.headers, body: Data(bytes.readableBytesView))
    }

    /// Sends `body` as it is with the `Content-Type` given (none when nil), authenticated unless told otherwise.
    @discardableResult
    func send(_ method: HTTPMethod, _ path: String, body: String?, contentType: String?, headers: [(String, String)] = [],
              authenticated: Bool = true) async throws -> Answer {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = method
        if authenticated { request.headers.add(name: "Authorization", value: "Bearer \(adminToken)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await client.execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 64 * 1024 * 1024)
        return Answer(status: Int(response.status.code), headers: response.headers, body: Data(bytes.readableBytesView))
    }

    /// Sends a request and expects `status`; a different status fails the test at the caller's line, naming
    /// the method, the path and the start of the answer.
    @discardableResult
    func expect(_ method: HTTPMethod, _ path: String, _ json: String? = nil, status: Int = 200, headers: [(String, String)] = [],
                sourceLocation: SourceLocation = #_sourceLocation) async throws -> Answer {
        let answer = try await send(method, path, json: json, headers: headers)
        #expect(answer.status == status, "\(method) \(path): \(answer.status) \(answer.text.prefix(400))", sourceLocation: sourceLocation)
        return answer
    }

    /// POSTs a create to the collection `path`, expects 201 with `Location: <path>/<id>`, and returns the id.
    func created(_ path: String, _ json: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> String {
        let answer = try await expect(.POST, path, json, status: 201, sourceLocation: sourceLocation)
        let id = text(answer.json["id"]) ?? ""
        #expect(answer.header("Location") == "\(path)/\(id.lowercased())", "\(path)", sourceLocation: sourceLocation)
        return id
    }

    /// Hires an employee of `branch` holding one role with `permissions` and issues them a token.
    func hire(_ name: String, branch: String, permissions: [Permission]) async throws -> (principal: Principal, token: String) {
        let id = UUID.derived("employee", name)
        try await engine.execute(Organisation.self, id: id, .hire(NewEmployee(id: id, name: name, position: "staff", branch: branch,
                                                                              hiredOn: try #require(LocalDate("2024-01-01")))), as: admin)
        let roleID = UUID.derived("role", name)
        try await engine.execute(Organisation.self, id: roleID, .defineRole(roleID: roleID, RoleDefinition(name: "role of \(name)", permissions: permissions, hiddenFields: []), grantor: .none), as: admin)
        try await engine.execute(Organisation.self, id: roleID, .grantRole(grantID: UUID.derived("grant", name), employeeID: id, roleID: roleID, validity: .always, grantor: .none), as: admin)
        let principal = try await engine.principal(employeeID: id)
        let token = try await engine.issueToken(for: id, name: "tests", as: admin)
        return (principal, token.token)
    }
}

/// A JSON object's member as text (numbers and strings alike).
func text(_ value: Any?) -> String? {
    switch value {
    case let s as String: return s
    case let n as NSNumber: return n.stringValue
    default: return nil
    }
}
