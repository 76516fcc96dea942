import AsyncHTTPClient
import CRMDomain
import CRMEngine
import CRMHTTP
import EventSourcing
import Foundation
import NIOCore
import Testing

/// An open `/v1/events` stream acts with the rights its token stands for now, not those it connected with: a
/// token revoked or expired, or an employee deactivated, ends the stream; changed rights apply to the events
/// after. Its starting position is checked against the log's head, and a hidden board post stays withheld.
@Suite(.serialized) struct EventStreamReauthenticationTests {
    static let customers = [Permission(module: .customers, actions: [.query], scope: .all)]

    /// Reads `path` as `token` until the stream ends or `within` passes; `onText` sees the text so far after
    /// each chunk (and may act, or answer true to stop reading). Returns the text and whether the server ended it.
    static func read(_ s: LiveServer, _ path: String, token: String, within: Duration = .seconds(10),
                     onText: (String) async throws -> Bool = { _ in false }) async throws -> (text: String, ended: Bool) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(s.port)\(path)")
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        let response = try await s.client.execute(request, timeout: .seconds(30))
        #expect(response.status == .ok)
        let deadline = ContinuousClock.now + within
        var text = ""
        // Keep-alives come every 200 ms (LiveServer's heartbeat): the deadline is looked at often enough.
        for try await chunk in response.body {
            text += String(buffer: chunk)
            if try await onText(text) || ContinuousClock.now > deadline { return (text, false) }
        }
        return (text, true)
    }

    static func customer(_ s: LiveServer, _ name: String, branch: String = "north") async throws -> String {
        try await s.created("/v1/customers", #"{"kind": "person", "name": "\#(name)", "group": "g", "branch": "\#(branch)"}"#).lowercased()
    }

    /// Opens a stream as a reader of every customer (a token expiring in `expiresIn` seconds), waits for a
    /// first customer to arrive, applies `change`, lets the engine's clock pass the re-check, adds a second
    /// customer and reads on: the stream must end without sending the second.
    static func expectStreamEnds(_ label: String, expiresIn: TimeInterval? = nil,
                                 sourceLocation: SourceLocation = #_sourceLocation,
                                 after change: @escaping @Sendable (LiveServer, UUID, IssuedToken) async throws -> Void) async throws {
        try await LiveServer.with(label, reactions: []) { s in
            let (reader, _) = try await s.hire("Reader", branch: "north", permissions: customers)
            let employee = try #require(reader.employeeID)
            let issued = try await s.engine.issueToken(for: employee, name: "stream", expiresAt: expiresIn.map { s.clock.now().addingTimeInterval($0) },
                                                       as: s.admin)
            let before = try await customer(s, "Before")
            let from = try await s.engine.store.headPosition().rawValue
            var after = ""
            // A generous bound: the stream ends at the first keep-alive after the re-check, and on a loaded
            // machine the change and the second customer alone can take seconds.
            let (text, ended) = try await read(s, "/v1/events?from=\(from)", token: issued.token, within: .seconds(60)) { text in
                guard after.isEmpty, text.contains(before) else { return false }
                try await change(s, employee, issued)
                s.clock.advance(by: 10)
                after = try await customer(s, "After")
                return false
            }
            #expect(ended && text.contains(before), "\(text)", sourceLocation: sourceLocation)
            #expect(!after.isEmpty && !text.contains(after), "\(text)", sourceLocation: sourceLocation)
            #expect(text.hasSuffix(": the token is no longer valid; the stream ends\n\n"), "\(text)", sourceLocation: sourceLocation)
        }
    }

    @Test func aRevokedTokensOpenStreamEndsAndSendsNothingMore() async throws {
        try await Self.expectStreamEnds("events-revoked") { s, _, issued in
            try await s.engine.revokeToken(issued.tokenID, as: s.admin)
        }
    }

    @Test func aDeactivatedEmployeesOpenStreamEnds() async throws {
        try await Self.expectStreamEnds("events-deactivated") { s, employee, _ in
            try await s.engine.execute(Organisation.self, id: employee, .deactivate(employeeID: employee, reason: "left"), as: s.admin)
        }
    }

    /// The token expires within the 10 s the clock moves on.
    @Test func anExpiredTokensOpenStreamEnds() async throws {
        try await Self.expectStreamEnds("events-expired", expiresIn: 5) { _, _, _ in }
    }

    @Test func narrowedRightsApplyToTheEventsOfAnOpenStream() async throws {
        try await LiveServer.with("events-narrowed", reactions: []) { s in
            let (_, token) = try await s.hire("Reader", branch: "north", permissions: Self.customers)
            let before = try await Self.customer(s, "Before", branch: "south")
            let from = try await s.engine.store.headPosition().rawValue
            var south = "", north = ""
            let (text, _) = try await Self.read(s, "/v1/events?from=\(from)", token: token) { text in
                if !north.isEmpty { return text.contains(north) }
                guard text.contains(before) else { return false }
                let role = UUID.derived("role", "Reader")
                try await s.engine.execute(Organisation.self, id: role, .changeRole(roleID: role, RoleDefinition(
                    name: "role of Reader", permissions: [Permission(module: .customers, actions: [.query], scope: .branch("north"))],
                    hiddenFields: []), grantor: .none), as: s.admin)
                s.clock.advance(by: 60)
                south = try await Self.customer(s, "South after", branch: "south")
                north = try await Self.customer(s, "North after", branch: "north")
                return false
            }
            #expect(text.contains(before) && !north.isEmpty && text.contains(north), "\(text)")
            #expect(!south.isEmpty && !text.contains(south), "\(text)")
        }
    }

    @Test func aStartBeyondTheLogsHeadIsA400NamingItsParameter() async throws {
        try await LiveServer.with("events-beyond-head", reactions: []) { s in
            let head = try await s.engine.store.headPosition().rawValue
            /// A 400 naming `field`, answered at once (not a stream left waiting: the request times out then).
            func refused(_ path: String, headers: [(String, String)] = [], field: String) async throws {
                var request = HTTPClientRequest(url: "http://127.0.0.1:\(s.port)\(path)")
                request.headers.add(name: "Authorization", value: "Bearer \(s.adminToken)")
                for (name, value) in headers { request.headers.add(name: name, value: value) }
                let response = try await s.client.execute(request, timeout: .seconds(5))
                #expect(response.status == .badRequest, "\(path)")
                let body = Data(try await response.body.collect(upTo: 64 * 1024).readableBytesView)
                let problem = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:]
                #expect(text(problem["type"]) == "urn:crm:problem:invalid-field" && text(problem["field"]) == field,
                        "\(path): \(String(decoding: body, as: UTF8.self))")
            }
            try await refused("/v1/events?from=\(head + 2)", field: "from")
            try await refused("/v1/events?from=0", field: "from")
            try await refused("/v1/events", headers: [("Last-Event-ID", "\(head + 1)")], field: "Last-Event-ID")
            try await refused("/v1/events?from=1", headers: [("Last-Event-ID", "99999999")], field: "Last-Event-ID")
            // What comes next: the head's next position, or after the head itself.
            let created = try await Self.customer(s, "Next")
            var opened = try await Self.read(s, "/v1/events?from=\(head + 1)", token: s.adminToken) { $0.contains(created) }
            #expect(opened.text.contains(created), "\(opened.text)")
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(s.port)/v1/events")
            request.headers.add(name: "Authorization", value: "Bearer \(s.adminToken)")
            request.headers.add(name: "Last-Event-ID", value: "\(head)")
            let response = try await s.client.execute(request, timeout: .seconds(30))
            #expect(response.status == .ok)
            opened = ("", false)
            for try await chunk in response.body {
                opened.text += String(buffer: chunk)
                if opened.text.contains(created) { break }
            }
            #expect(opened.text.contains(created), "\(opened.text)")
        }
    }

    /// A post hidden now keeps its body and flagged words from a reader who may not moderate the board, in
    /// the stream as on the board's reads.
    @Test func aHiddenPostsBodyIsWithheldFromTheStreamOfWhoMayNotModerate() async throws {
        try await LiveServer.with("events-hidden-post", reactions: []) { s in
            let (_, token) = try await s.hire("Poster", branch: "north", permissions: [Permission(module: .organisation, actions: [.query, .create, .edit], scope: .all)])
            let thread = try await s.created("/v1/board/threads", #"{"title": "Canteen", "body": "Soup?"}"#)
            let post = UUID.derived("post", "scam")
            try await s.expect(.POST, "/v1/board/threads/\(thread)/replies", #"{"postId": "\#(post)", "body": "This is a SCAM-SECRET"}"#)
            let hidden = try await s.expect(.POST, "/v1/board/threads/\(thread)/hide", #"{"postId": "\#(post)", "reason": "rude"}"#)
            let position = try #require(text(hidden.json["position"]))
            let (seen, _) = try await Self.read(s, "/v1/events?from=1", token: token) { $0.contains("id: \(position)\n") }
            #expect(seen.contains("id: \(position)\n") && seen.contains("Soup?"), "\(seen)")
            #expect(!seen.contains("SCAM-SECRET"), "\(seen)")
            // A moderator (the administrator) still reads it.
            let (moderated, _) = try await Self.read(s, "/v1/events?from=1", token: s.adminToken) { $0.contains("id: \(position)\n") }
            #expect(moderated.contains("SCAM-SECRET"))
        }
    }
}
