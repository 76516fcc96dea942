import AsyncHTTPClient
import CRMDomain
import CRMEngine
import CRMHTTP
import EventSourcing
import Foundation
import NIOCore
import NIOHTTP1
import Testing

@Suite(.serialized) struct OpenAPITests {
    /// `METHOD /path` of every operation in docs/openapi.yaml (as compiled into the server), read from the
    /// document's `paths:` block: two-space-indented paths, four-space-indented methods.
    static func documentedRoutes() -> Set<String> {
        let text = String(decoding: OpenAPIDocument.bytes, as: UTF8.self)
        var routes: Set<String> = []
        var inPaths = false
        var path: String?
        let methods: Set<String> = ["get", "put", "post", "patch", "delete", "head", "options"]
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.hasPrefix(" ") && !line.isEmpty { inPaths = line == "paths:"; continue }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), !line.hasPrefix("   ") {
                path = String(line.dropFirst(2).prefix { $0 != ":" })
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), let path {
                let key = String(line.dropFirst(4).prefix { $0 != ":" })
                if methods.contains(key) { routes.insert(key.uppercased() + " " + path) }
            }
        }
        return routes
    }

    @Test func theDocumentListsExactlyTheRoutesOfTheRouter() async throws {
        try await LiveServer.with("openapi") { s in
            let router = buildRouter(engine: s.engine, configuration: HTTPConfiguration())
            // The web console's HTML pages (docs/CONSOLE.md) are not part of the JSON API the document describes.
            let routed = Set(router.routes.filter { !$0.path.description.hasPrefix("/console") }.map { "\($0.method.rawValue) \($0.path.description)" })
            #expect(router.routes.contains { $0.path.description.hasPrefix("/console") }, "the console is mounted by default")
            let documented = Self.documentedRoutes()
            #expect(!routed.isEmpty)
            #expect(routed.subtracting(documented).isEmpty, "routes missing from docs/openapi.yaml: \(routed.subtracting(documented).sorted())")
            #expect(documented.subtracting(routed).isEmpty, "documented routes the router lacks: \(documented.subtracting(routed).sorted())")
        }
    }

    @Test func theServedDocumentIsTheOneInDocs() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/openapi.yaml")
        let onDisk = try Data(contentsOf: url)
        #expect(Array(onDisk) == OpenAPIDocument.bytes)
    }
}

@Suite(.serialized) struct EventStreamTests {
    /// Reads server-sent events until `count` events arrived (or the deadline), returning their data lines.
    static func readEvents(_ s: LiveServer, path: String, token: String? = nil, count: Int,
                           whileReading: @escaping @Sendable () async throws -> Void = {}) async throws -> [[String: Any]] {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(s.port)\(path)")
        request.headers.add(name: "Authorization", value: "Bearer \(token ?? s.adminToken)")
        let response = try await s.client.execute(request, timeout: .seconds(30))
        #expect(response.status == .ok)
        #expect(response.headers.first(name: "Content-Type") == "text/event-stream")
        let writer = Task { try await whileReading() }
        var buffer = ""
        var events: [[String: Any]] = []
        for try await chunk in response.body {
            buffer += String(buffer: chunk)
            while let end = buffer.range(of: "\n\n") {
                let block = buffer[..<end.lowerBound]
                buffer = String(buffer[end.upperBound...])
                for line in block.split(separator: "\n") where line.hasPrefix("data: ") {
                    if let object = try? JSONSerialization.jsonObject(with: Data(line.dropFirst(6).utf8)) as? [String: Any] { events.append(object) }
                }
            }
            if events.count >= count { break }
        }
        try await writer.value
        return events
    }

    /// What arrives first on `path`: the status, the `Content-Type` and the first chunk of the body; nil when
    /// nothing arrived within `bound` (the request is then cancelled).
    static func firstBytes(_ s: LiveServer, path: String, within bound: Duration) async throws -> (status: UInt, contentType: String?, chunk: String)? {
        try await withThrowingTaskGroup(of: (status: UInt, contentType: String?, chunk: String)?.self) { group in
            group.addTask {
                var request = HTTPClientRequest(url: "http://127.0.0.1:\(s.port)\(path)")
                request.headers.add(name: "Authorization", value: "Bearer \(s.adminToken)")
                let response = try await s.client.execute(request, timeout: .seconds(120))
                var body = response.body.makeAsyncIterator()
                let chunk = try await body.next().map { String(buffer: $0) } ?? ""
                return (response.status.code, response.headers.first(name: "Content-Type"), chunk)
            }
            group.addTask {
                try? await Task.sleep(for: bound)
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    @Test("an event stream sends its status, headers and a first line on connect, before any event or keep-alive")
    func anEventStreamAnswersOnConnect() async throws {
        // The keep-alive is an hour away and nothing is stored after `from`: without an answer on connect, the
        // client would see nothing within the (much shorter) bound.
        try await LiveServer.with("events-connect", eventStreamHeartbeat: .seconds(3600)) { s in
            let head = try await s.engine.store.headPosition()
            let first = try await Self.firstBytes(s, path: "/v1/events?from=\(head.rawValue + 1)", within: .seconds(30))
            let answer = try #require(first, "no status line, headers or body within the bound")
            #expect(answer.status == 200)
            #expect(answer.contentType == "text/event-stream")
            #expect(answer.chunk.hasPrefix(": connected\n"), "\(answer.chunk)")
            #expect(answer.chunk.contains("retry: "), "\(answer.chunk)")
        }
    }

    @Test func eventsStreamCatchUpThenLiveFilteredByPermissions() async throws {
        try await LiveServer.with("events", reactions: []) { s in
            let rights = Permission.Module.allCases.map { Permission(module: $0, actions: Permission.Action.allCases, scope: .branch("A")) }
            let (_, alice) = try await s.hire("Alice", branch: "A", permissions: rights)
            let a1 = try await s.send(.POST, "/v1/customers", json: #"{"kind": "person", "name": "A one", "group": "g", "branch": "A"}"#)
            _ = try await s.send(.POST, "/v1/customers", json: #"{"kind": "person", "name": "B one", "group": "g", "branch": "B"}"#)
            let from = try #require(text(a1.json["position"]))
            // Catch-up: A's customer; then live: a later edit of A's customer and another customer of B.
            let idA = try #require(text(a1.json["id"]))
            let events = try await Self.readEvents(s, path: "/v1/events?from=\(from)", token: alice, count: 2) {
                try await Task.sleep(for: .milliseconds(300))
                _ = try await s.send(.POST, "/v1/customers", json: #"{"kind": "person", "name": "B two", "group": "g", "branch": "B"}"#)
                _ = try await s.send(.PATCH, "/v1/customers/\(idA)", json: #"{"name": "A renamed"}"#)
            }
            #expect(events.count == 2)
            #expect(events.allSatisfy { text($0["stream"]) == "customer-\(idA.lowercased())" }, "\(events)")
            #expect(events.map { text($0["version"]) } == ["1", "2"])
        }
    }

    /// The stream judges each record once and keeps the decision (CRMEngine.ReadDecisions), but drops it from
    /// the first event past the head it was made at: a customer moved out of the caller's branch mid-stream
    /// is sent no more — neither the move nor its later change —, while a new customer of the branch is.
    @Test func aRecordMovedOutOfTheCallersScopeMidStreamStopsAppearing() async throws {
        try await LiveServer.with("events-moved", reactions: []) { s in
            let rights = Permission.Module.allCases.map { Permission(module: $0, actions: Permission.Action.allCases, scope: .branch("A")) }
            let (_, alice) = try await s.hire("Alice", branch: "A", permissions: rights)
            let moving = try await s.send(.POST, "/v1/customers", json: #"{"kind": "person", "name": "Moving", "group": "g", "branch": "A"}"#)
            let id = try #require(text(moving.json["id"]))
            let from = try #require(text(moving.json["position"]))
            let events = try await Self.readEvents(s, path: "/v1/events?from=\(from)", token: alice, count: 2) {
                try await Task.sleep(for: .milliseconds(300))
                _ = try await s.send(.PATCH, "/v1/customers/\(id)", json: #"{"branch": "B"}"#)
                _ = try await s.send(.PATCH, "/v1/customers/\(id)", json: #"{"name": "Moved"}"#)
                _ = try await s.send(.POST, "/v1/customers", json: #"{"kind": "person", "name": "Staying", "group": "g", "branch": "A"}"#)
            }
            #expect(events.count == 2)
            #expect(text(events.first?["stream"]) == "customer-\(id.lowercased())" && text(events.first?["version"]) == "1", "\(events)")
            #expect(text(events.last?["stream"]) != "customer-\(id.lowercased())" && text(events.last?["version"]) == "1", "\(events)")
        }
    }
}
