import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import NIOHTTP1
import Testing

/// What docs/openapi.yaml promises and an exploratory review found the adapter not keeping: cursors, media
/// types, duplicate keys, 405 and HEAD, `Location` headers and unknown approvals.
@Suite(.serialized) struct ContractConformanceTests {
    static let unknownID = "0190a1b2-0000-7000-8000-000000000001"

    /// Every opaque `after` cursor is checked the same way: a text this server did not give is a 400
    /// naming `after`, never a page from somewhere; a cursor the server gave pages on.
    @Test func everyCursorParameterRefusesATextTheServerDidNotGive() async throws {
        try await LiveServer.with("cursors") { s in
            for name in ["Ann", "Ben", "Cid"] {
                try await s.expect(.POST, "/v1/customers", #"{"kind": "person", "name": "\#(name)", "group": "retail", "branch": "head-office"}"#, status: 201)
            }
            let head = try await s.engine.store.headPosition().rawValue
            let paths = ["/v1/customers?consistentWith=\(head)&after=", "/v1/tasks/overdue?after=", "/v1/tickets/overdue?after=",
                         "/v1/tickets?department=service&after=", "/v1/employees?after=", "/v1/roles?after=", "/v1/reports/rfm?after=",
                         "/v1/reports/churn?after=", "/v1/units?after=", "/v1/activity?customerId=\(Self.unknownID)&after=",
                         "/v1/search?q=Ann&after=", "/v1/outbox?after=", "/v1/audit/reads?after="]
            for path in paths {
                for garbage in ["garbage", "AAAA", "AAAAAAAAAAA", "QUJD", "a+b/c", "%00%01"] {
                    let answer = try await s.send(.GET, path + garbage)
                    #expect(answer.status == 400, "\(path)\(garbage): \(answer.status) \(answer.text.prefix(200))")
                    #expect(text(answer.json["type"]) == "urn:crm:problem:invalid-field" && text(answer.json["field"]) == "after",
                            "\(path)\(garbage): \(answer.text.prefix(200))")
                }
            }
            // A cursor the server gave still pages on, to the end.
            var seen: [String] = []
            var next: String? = "/v1/customers?consistentWith=\(head)&limit=2"
            while let path = next, seen.count < 10 {
                let page = try await s.expect(.GET, path)
                seen += ((page.json["items"] as? [[String: Any]]) ?? []).compactMap { text($0["name"]) }
                next = text(page.json["next"])
                #expect((text(page.json["after"]) == nil) == (next == nil), "\(page.text.prefix(300))")
            }
            #expect(seen.sorted() == ["Ann", "Ben", "Cid"], "\(seen)")
            _ = try await s.hire("Eve", branch: "head-office", permissions: [])
            let roles = try await s.expect(.GET, "/v1/roles?limit=1")
            let after = try #require(text(roles.json["after"]), "\(roles.text.prefix(300))")
            try await s.expect(.GET, "/v1/roles?limit=1&after=\(after)")
            // One character changed is refused.
            let changed = String(after.dropLast()) + (after.last == "A" ? "B" : "A")
            try await s.expect(.GET, "/v1/roles?limit=1&after=\(changed)", status: 400)
        }
    }

    /// Only `application/json` (any case, parameters allowed, charset utf-8 when given) is read as a body.
    /// A `consistentWith` past the log's head is no position a write returned: 400 at once, on every kind of
    /// read (a record, a list, a search), not 503 after waiting for the views.
    @Test func aPositionBeyondTheHeadIsRefusedAtOnce() async throws {
        try await LiveServer.with("beyond-head") { s in
            let customer = try await s.created("/v1/customers", #"{"kind": "person", "name": "Ann", "group": "retail", "branch": "head-office"}"#)
            let beyond = try await s.engine.store.headPosition().rawValue + 1_000
            for path in ["/v1/customers/\(customer)?consistentWith=\(beyond)", "/v1/customers?consistentWith=\(beyond)",
                         "/v1/search?q=Ann&consistentWith=\(beyond)"] {
                let answer = try await s.send(.GET, path)
                #expect(answer.status == 400 && text(answer.json["field"]) == "consistentWith", "\(path): \(answer.status) \(answer.text.prefix(200))")
            }
        }
    }

    @Test func onlyJSONInUTF8IsAcceptedAsABody() async throws {
        try await LiveServer.with("media-types") { s in
            let body = #"{"kind": "person", "name": "Media", "group": "retail", "branch": "head-office"}"#
            for type in ["application/jsonx", "application/json-patch+json", "application/json; charset=utf-16", "application/json;charset=latin1",
                         "text/json", "application/json garbage", "application/json; charset"] {
                let head = try await s.engine.store.headPosition()
                let answer = try await s.send(.POST, "/v1/customers", body: body, contentType: type)
                #expect(answer.status == 415, "\(type): \(answer.status) \(answer.text.prefix(200))")
                #expect(text(answer.json["type"]) == "urn:crm:problem:unsupported-media-type", "\(type)")
                #expect(try await s.engine.store.headPosition() == head, "\(type) wrote events")
            }
            for type in ["application/json", "Application/JSON", "application/json; charset=utf-8", "application/json;charset=\"UTF-8\"",
                         "application/json ; charset=utf-8; profile=x"] {
                let answer = try await s.send(.POST, "/v1/customers", body: body, contentType: type)
                #expect(answer.status == 201, "\(type): \(answer.status) \(answer.text.prefix(200))")
            }
        }
    }

    /// An object naming a key twice is refused, at the top and nested, and nothing is written.
    @Test func duplicateObjectKeysAreRefused() async throws {
        try await LiveServer.with("duplicate-keys") { s in
            let bodies = [
                #"{"kind": "person", "name": "dupA", "group": "retail", "branch": "head-office", "name": "dupB"}"#,
                #"{"kind": "person", "name": "dupA", "group": "retail", "customFields": {"tier": {"kind": "text", "value": "a", "value": "b"}}}"#,
            ]
            for body in bodies {
                let head = try await s.engine.store.headPosition()
                let answer = try await s.send(.POST, "/v1/customers", json: body)
                #expect(answer.status == 400, "\(answer.status) \(answer.text.prefix(200))")
                #expect(text(answer.json["type"]) == "urn:crm:problem:malformed-json", "\(answer.text.prefix(200))")
                #expect(try await s.engine.store.headPosition() == head)
            }
        }
    }

    /// A known path under a method it does not take answers 405 with `Allow`; an unknown path stays 404;
    /// HEAD answers wherever GET does, on /health without a token.
    @Test func aKnownPathUnderAnotherMethodAnswers405AndHEADFollowsGET() async throws {
        try await LiveServer.with("methods") { s in
            let id = try await s.created("/v1/customers", #"{"kind": "person", "name": "Methods", "group": "retail", "branch": "head-office"}"#)
            for (method, path, allow) in [(HTTPMethod.DELETE, "/v1/customers/\(id)", "GET, HEAD, PATCH"), (.PUT, "/v1/customers", "GET, HEAD, POST"),
                                          (.GET, "/v1/tokens/\(Self.unknownID)", "DELETE"), (.POST, "/health", "GET, HEAD")] {
                let answer = try await s.send(method, path)
                #expect(answer.status == 405, "\(method) \(path): \(answer.status) \(answer.text.prefix(200))")
                #expect(answer.header("Content-Type") == "application/problem+json")
                #expect(text(answer.json["type"]) == "urn:crm:problem:method-not-allowed", "\(answer.text.prefix(200))")
                #expect(answer.header("Allow") == allow, "\(method) \(path)")
            }
            for (method, path) in [(HTTPMethod.DELETE, "/v1/nothing-here"), (.GET, "/v1/customers/\(id)/nothing"), (.HEAD, "/v1/nothing-here")] {
                #expect(try await s.send(method, path).status == 404, "\(method) \(path)")
            }
            let health = try await s.send(.HEAD, "/health", authenticated: false)
            #expect(health.status == 200 && health.body.isEmpty, "\(health.status)")
            let head = try await s.send(.HEAD, "/v1/customers/\(id)")
            #expect(head.status == 200 && head.body.isEmpty && head.header("ETag") == "\"1\"", "\(head.status) \(head.headers)")
            #expect(try await s.send(.HEAD, "/v1/customers/\(Self.unknownID)").status == 404)
            #expect(try await s.send(.HEAD, "/v1/customers/\(id)", authenticated: false).status == 401)
            #expect(try await s.send(.DELETE, "/v1/customers/\(id)", authenticated: false).status == 401)
        }
    }

    /// Every 201's `Location` names a URL a GET answers; an issued token (not readable by id) has none.
    @Test func everyLocationNamesAURLThatAGETAnswers() async throws {
        try await LiveServer.with("locations") { s in
            let customer = try await s.created("/v1/customers", #"{"kind": "person", "name": "Loc", "group": "retail", "branch": "head-office"}"#)
            let creates: [(String, String)] = [
                ("/v1/revenue/entries", #"{"customerId": "\#(customer)", "chargeItem": "gas", "businessLine": "gas", "date": "2025-12-01", "amount": {"amount": 100, "currency": "CNY"}}"#),
                ("/v1/revenue/usage", #"{"customerId": "\#(customer)", "meter": "M1", "periodStart": "2025-11-01", "periodEnd": "2025-11-30", "quantity": 12.5, "unit": "m3"}"#),
                ("/v1/roles", #"{"name": "Viewer", "permissions": []}"#),
                ("/v1/units", #"{"kind": "department", "name": "Sales"}"#),
                ("/v1/forms", #"{"group": "retail"}"#),
            ]
            for (path, body) in creates {
                let answer = try await s.expect(.POST, path, body, status: 201)
                let location = try #require(answer.header("Location"), "\(path) answered no Location")
                let read = try await s.send(.GET, location)
                #expect(read.status == 200, "\(path) → Location \(location): \(read.status) \(read.text.prefix(200))")
            }
            let ledger = try #require(try await s.expect(.POST, "/v1/revenue/entries", #"{"customerId": "\#(customer)", "chargeItem": "gas", "businessLine": "gas", "date": "2025-12-02", "amount": {"amount": 5, "currency": "CNY"}}"#, status: 201).header("Location"))
            #expect(ledger.hasPrefix("/v1/revenue/ledgers/"), "\(ledger)")
            let token = try await s.expect(.POST, "/v1/tokens", #"{"employeeId": "\#(s.admin.employeeID?.lowercasedString ?? "")", "name": "loc"}"#, status: 201)
            #expect(token.header("Location") == nil, "\(token.header("Location") ?? "")")
        }
    }

    /// A decision on an approval that does not exist is a 404, as on any unknown record, and writes nothing.
    @Test func aDecisionOnAnUnknownApprovalIsNotFound() async throws {
        try await LiveServer.with("unknown-approval") { s in
            for (verb, body) in [("approve", #"{"comment": "ok"}"#), ("resubmit", "{}"), ("send-back", #"{"reason": "r"}"#),
                                 ("reject", #"{"reason": "r"}"#), ("delegate", #"{"to": "someone"}"#), ("cancel", #"{"reason": "r"}"#)] {
                let head = try await s.engine.store.headPosition()
                let answer = try await s.send(.POST, "/v1/approvals/\(Self.unknownID)/\(verb)", json: body)
                #expect(answer.status == 404, "\(verb): \(answer.status) \(answer.text.prefix(200))")
                #expect(text(answer.json["type"]) == "urn:crm:problem:not-found", "\(verb)")
                #expect(try await s.engine.store.headPosition() == head)
            }
        }
    }
}
