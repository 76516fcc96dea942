import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import NIOHTTP1
import Testing

/// The main flows over real HTTP: create a customer, read its 360 with an ETag, edit with If-Match (and a
/// 412), read its history, dispatch and complete a task, open and work a ticket, an idempotent retry.
@Suite(.serialized) struct MainFlowTests {
    static let customer = #"{"kind": "person", "name": "Li Wei", "group": "residential", "branch": "A", "birthday": "1980-05-04"}"#

    @Test func healthAnswersWithoutAToken() async throws {
        try await LiveServer.with { s in
            let health = try await s.send(.GET, "/health", authenticated: false)
            #expect(health.status == 200)
            #expect(text(health.json["status"]) == "ok")
            let denied = try await s.send(.GET, "/v1/customers", authenticated: false)
            #expect(denied.status == 401)
            #expect(denied.header("Content-Type") == "application/problem+json")
            #expect(text(denied.json["type"]) == "urn:crm:problem:unauthenticated")
            let wrong = try await s.send(.GET, "/v1/customers", token: "crm_00000000000000000000000000000000_AAAA")
            #expect(wrong.status == 401)
        }
    }

    @Test func tokensAreIssuedListedAndRevokedOverHTTP() async throws {
        try await LiveServer.with { s in
            let adminID = try #require(s.admin.employeeID).uuidString.lowercased()
            let issued = try await s.send(.POST, "/v1/tokens", json: #"{"employeeId": "\#(adminID)", "name": "laptop"}"#)
            #expect(issued.status == 201, "\(issued.text)")
            #expect(issued.header("Cache-Control") == "no-store")
            let token = try #require(text(issued.json["token"]))
            let tokenID = try #require(text(issued.json["tokenId"]))
            #expect(try await s.send(.GET, "/v1/customers", token: token).status == 200)
            let listed = try await s.send(.GET, "/v1/tokens")
            #expect(listed.status == 200)
            #expect(listed.text.contains("laptop") && !listed.text.contains(token.split(separator: "_", maxSplits: 2).last.map(String.init) ?? token))
            #expect(try await s.send(.DELETE, "/v1/tokens/\(tokenID)").status == 204)
            #expect(try await s.send(.GET, "/v1/customers", token: token).status == 401)
            let bad = try await s.send(.POST, "/v1/tokens", json: #"{"employeeId": "\#(adminID)", "name": "x", "scope": "all"}"#)
            #expect(bad.status == 400 && text(bad.json["field"]) == "scope")
        }
    }

    @Test func createReadEditWithIfMatchAndReadTheHistory() async throws {
        try await LiveServer.with { s in
            let created = try await s.send(.POST, "/v1/customers", json: Self.customer)
            #expect(created.status == 201, "\(created.text)")
            let id = try #require(text(created.json["id"]))
            #expect(created.header("Location") == "/v1/customers/\(id.lowercased())")
            #expect(created.header("ETag") == "\"1\"")

            let read = try await s.send(.GET, "/v1/customers/\(id)")
            #expect(read.status == 200, "\(read.text)")
            #expect(read.header("ETag") == "\"1\"")
            let profile = try #require(read.json["profile"] as? [String: Any])
            #expect(text(profile["name"]) == "Li Wei")

            let edited = try await s.send(.PATCH, "/v1/customers/\(id)", json: #"{"name": "Li Wei Zhang", "industry": "retail"}"#,
                                          headers: [("If-Match", "\"1\"")])
            #expect(edited.status == 200, "\(edited.text)")
            #expect(edited.header("ETag") == "\"2\"")

            // A stale If-Match: 412 with the current version, nothing written.
            let head = try await s.engine.store.headPosition()
            let stale = try await s.send(.PATCH, "/v1/customers/\(id)", json: #"{"name": "Someone Else"}"#, headers: [("If-Match", "\"1\"")])
            #expect(stale.status == 412, "\(stale.text)")
            #expect(text(stale.json["type"]) == "urn:crm:problem:conflict")
            #expect(stale.header("ETag") == "\"2\"")
            #expect(try await s.engine.store.headPosition() == head)

            let again = try await s.send(.GET, "/v1/customers/\(id)")
            #expect(again.header("ETag") == "\"2\"")
            #expect(text((again.json["profile"] as? [String: Any])?["name"]) == "Li Wei Zhang")

            let history = try await s.send(.GET, "/v1/customers/\(id)/history")
            #expect(history.status == 200, "\(history.text)")
            let entries = try #require(history.json["items"] as? [[String: Any]])
            #expect(entries.count == 2)
            let changes = entries.last?["changes"] as? [[String: Any]] ?? []
            #expect(changes.contains { text($0["field"]) == "name" })

            let record = try await s.send(.GET, "/v1/records/customer-\(id.lowercased())/history")
            #expect(record.status == 200, "\(record.text)")
            #expect((record.json["items"] as? [[String: Any]])?.count == 2)

            // As of the first version: the old name.
            let firstPosition = try #require(text(entries.first?["position"]))
            let asOf = try await s.send(.GET, "/v1/customers/\(id)?asOf=\(firstPosition)")
            #expect(asOf.status == 200, "\(asOf.text)")
            #expect(text(asOf.json["name"]) == "Li Wei")
            #expect(asOf.header("ETag") == "\"1\"")

            let list = try await s.send(.GET, "/v1/customers?limit=1&consistentWith=\(text(edited.json["position"]) ?? "")")
            #expect(list.status == 200)
            #expect((list.json["items"] as? [[String: Any]])?.count == 1)

            let found = try await s.send(.GET, "/v1/search?q=Zhang&consistentWith=\(text(edited.json["position"]) ?? "")")
            #expect(found.status == 200, "\(found.text)")
            #expect((found.json["items"] as? [[String: Any]])?.count == 1)
        }
    }

    @Test func customerListPagesWithACursor() async throws {
        try await LiveServer.with { s in
            var position = ""
            for i in 0..<5 {
                let created = try await s.send(.POST, "/v1/customers", json: #"{"kind": "organisation", "name": "Firm \#(i)", "group": "business"}"#)
                #expect(created.status == 201)
                position = text(created.json["position"]) ?? ""
            }
            var seen: [String] = []
            var path: String? = "/v1/customers?limit=2&consistentWith=\(position)"
            while let next = path {
                let page = try await s.send(.GET, next)
                #expect(page.status == 200, "\(page.text)")
                seen += (page.json["items"] as? [[String: Any]] ?? []).compactMap { text($0["name"]) }
                path = text(page.json["next"])
            }
            #expect(seen == (0..<5).map { "Firm \($0)" })
        }
    }

    @Test func dispatchAndCompleteATask() async throws {
        try await LiveServer.with { s in
            let customer = try await s.send(.POST, "/v1/customers", json: Self.customer)
            let customerID = try #require(text(customer.json["id"]))
            let dispatched = try await s.send(.POST, "/v1/tasks", json: """
                {"title": "Call back", "customerId": "\(customerID)", "kind": "followUp", "dueAt": "2026-01-02T09:00:00Z", "assignee": "\(s.admin.id)"}
                """)
            #expect(dispatched.status == 201, "\(dispatched.text)")
            let taskID = try #require(text(dispatched.json["id"]))
            let position = try #require(text(dispatched.json["position"]))

            let board = try await s.send(.GET, "/v1/tasks/board?consistentWith=\(position)")
            #expect(board.status == 200, "\(board.text)")
            let upcoming = (board.json["upcoming"] as? [[String: Any]] ?? []) + (board.json["dueToday"] as? [[String: Any]] ?? [])
            #expect(upcoming.contains { text($0["taskID"])?.lowercased() == taskID.lowercased() })

            let completed = try await s.send(.POST, "/v1/tasks/\(taskID)/complete", json: #"{"resultNote": "Called; all fine"}"#)
            #expect(completed.status == 200, "\(completed.text)")
            #expect((completed.json["events"] as? [[String: Any]])?.first.flatMap { text($0["type"]) } == "TaskCompleted")
            let task = try await s.send(.GET, "/v1/tasks/\(taskID)")
            #expect(task.status == 200 && task.header("ETag") == completed.header("ETag"), "\(task.text)")
            #expect(text(task.json["status"]) == "completed", "\(task.text)")

            // Completing again is an invalid transition: 422 naming the reason, nothing written.
            let head = try await s.engine.store.headPosition()
            let twice = try await s.send(.POST, "/v1/tasks/\(taskID)/complete", json: #"{"resultNote": "again"}"#)
            #expect(twice.status == 422 || twice.status == 409, "\(twice.text)")
            #expect(try await s.engine.store.headPosition() == head)

            let history = try await s.send(.GET, "/v1/records/task-\(taskID.lowercased())/history")
            #expect((history.json["items"] as? [[String: Any]])?.count == 2)
        }
    }

    @Test func openAssignStartAndResolveATicket() async throws {
        try await LiveServer.with { s in
            try await s.engine.execute(Settings.self, id: UUID(), .setSLADeadline(SLADeadline(kind: .faultRepair, severity: .high, responseMinutes: 60, resolutionMinutes: 480)), as: s.admin)
            let customer = try await s.send(.POST, "/v1/customers", json: Self.customer)
            let customerID = try #require(text(customer.json["id"]))
            let opened = try await s.send(.POST, "/v1/tickets", json: """
                {"channel": "phone", "kind": "faultRepair", "severity": "high", "customerId": "\(customerID)", "subject": "No water", "department": "service"}
                """)
            #expect(opened.status == 201, "\(opened.text)")
            let ticketID = try #require(text(opened.json["id"]))
            #expect(try await s.send(.POST, "/v1/tickets/\(ticketID)/assign", json: #"{"assignee": "\#(s.admin.id)"}"#).status == 200)
            #expect(try await s.send(.POST, "/v1/tickets/\(ticketID)/start", json: "{}").status == 200)
            let resolved = try await s.send(.POST, "/v1/tickets/\(ticketID)/resolve", json: #"{"resolution": "Valve replaced"}"#)
            #expect(resolved.status == 200, "\(resolved.text)")

            // A second ticket left open goes overdue once the clock passes its deadline.
            let late = try await s.send(.POST, "/v1/tickets", json: """
                {"channel": "phone", "kind": "faultRepair", "severity": "high", "customerId": "\(customerID)", "subject": "Leak", "department": "service"}
                """)
            let position = try #require(text(late.json["position"]))
            s.clock.advance(by: 86_400)
            let overdue = try await s.send(.GET, "/v1/tickets/overdue?consistentWith=\(position)")
            #expect(overdue.status == 200, "\(overdue.text)")
            #expect((overdue.json["items"] as? [[String: Any]])?.count == 1)
            let open = try await s.send(.GET, "/v1/tickets?department=service&consistentWith=\(position)")
            #expect(open.status == 200, "\(open.text)")
            #expect((open.json["items"] as? [[String: Any]])?.count == 1)
        }
    }

    @Test func aRetriedPostWithTheSameIdempotencyKeyWritesNothingAndAnswersTheSame() async throws {
        try await LiveServer.with { s in
            let first = try await s.send(.POST, "/v1/customers", json: Self.customer, headers: [("Idempotency-Key", "create-li-wei-1")])
            #expect(first.status == 201)
            let head = try await s.engine.store.headPosition()
            let retry = try await s.send(.POST, "/v1/customers", json: Self.customer, headers: [("Idempotency-Key", "create-li-wei-1")])
            #expect(retry.status == 201)
            #expect(retry.body == first.body)
            #expect(retry.header("Location") == first.header("Location"))
            #expect(retry.header("Idempotent-Replayed") == "true")
            #expect(try await s.engine.store.headPosition() == head)
            // Another key creates another customer.
            let other = try await s.send(.POST, "/v1/customers", json: Self.customer, headers: [("Idempotency-Key", "create-li-wei-2")])
            #expect(other.status == 201)
            #expect(text(other.json["id"]) != text(first.json["id"]))
        }
    }

    @Test func aKeySentAgainWithAnotherBodyOrPathIsA422AndWritesNothing() async throws {
        try await LiveServer.with { s in
            let first = try await s.send(.POST, "/v1/customers", json: Self.customer, headers: [("Idempotency-Key", "create-1")])
            #expect(first.status == 201)
            let head = try await s.engine.store.headPosition()
            let renamed = Self.customer.replacingOccurrences(of: "Li Wei", with: "Wang Fang")
            let other = try await s.send(.POST, "/v1/customers", json: renamed, headers: [("Idempotency-Key", "create-1")])
            #expect(other.status == 422, "\(other.text)")
            #expect(text(other.json["type"]) == "urn:crm:problem:idempotency-key-reused" && text(other.json["field"]) == "Idempotency-Key")
            #expect(other.header("Idempotent-Replayed") == nil)
            #expect(try await s.engine.store.headPosition() == head)
            // The same request again is still a retry.
            let retry = try await s.send(.POST, "/v1/customers", json: Self.customer, headers: [("Idempotency-Key", "create-1")])
            #expect(retry.status == 201 && retry.header("Idempotent-Replayed") == "true")
        }
    }

    @Test func theOpenAPIDocumentIsServed() async throws {
        try await LiveServer.with { s in
            let doc = try await s.send(.GET, "/openapi.yaml")
            #expect(doc.status == 200)
            #expect(doc.text.hasPrefix("openapi: 3.1"))
        }
    }
}
