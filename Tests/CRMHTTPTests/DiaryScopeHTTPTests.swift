import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

@Suite(.serialized) struct DiaryScopeHTTPTests {
    static func rights(_ branch: String) -> [Permission] {
        Permission.Module.allCases.map { Permission(module: $0, actions: Permission.Action.allCases, scope: .branch(branch)) }
    }

    /// A Berlin manager cannot put a Shanghai customer, which she may not see, in her diary: 400 naming
    /// `customerID`, the same as for a customer that does not exist, and nothing written.
    @Test func aDiaryItemNamingACustomerOutsideTheCallersScopeIsRefused() async throws {
        try await LiveServer.with("diary-scope") { s in
            let (tess, token) = try await s.hire("Tess", branch: "berlin", permissions: Self.rights("berlin"))
            let foreign = try await s.created("/v1/customers", #"{"kind": "organisation", "name": "上海瑞丰科技有限公司", "group": "residential", "branch": "shanghai"}"#)
            let local = try await s.created("/v1/customers", #"{"kind": "person", "name": "Berliner Kunde", "group": "residential", "branch": "berlin"}"#)
            #expect(try await s.send(.GET, "/v1/customers/\(foreign)", token: token).status == 404)
            let head = try await s.engine.store.headPosition()
            for customer in [foreign, UUID.derived("customer", "nobody").uuidString] {
                let answer = try await s.send(.POST, "/v1/diaries/\(tess.id)/items", token: token, json: """
                    {"id": "0196a000-0000-7000-8000-0000000d1a02", "date": "2026-11-27", "note": "x", "customerID": "\(customer)"}
                    """)
                #expect(answer.status == 400, "\(answer.text)")
                #expect(text(answer.json["field"]) == "customerID", "\(answer.text)")
                #expect(!answer.text.contains("上海"))
            }
            #expect(try await s.engine.store.headPosition() == head)
            let accepted = try await s.send(.POST, "/v1/diaries/\(tess.id)/items", token: token, json: """
                {"id": "0196a000-0000-7000-8000-0000000d1a03", "date": "2026-11-27", "note": "Call", "customerID": "\(local)"}
                """)
            #expect(accepted.status == 200, "\(accepted.text)")
        }
    }

    /// An assignee with `own` scope reads their task's history as they read the task.
    @Test func anOwnScopeAssigneeReadsTheirTasksHistory() async throws {
        try await LiveServer.with("task-history-own") { s in
            let (assignee, token) = try await s.hire("Assignee", branch: "A", permissions: [Permission(module: .tasks, actions: [.query, .edit], scope: .own)])
            let (_, otherToken) = try await s.hire("Other", branch: "A", permissions: [Permission(module: .tasks, actions: [.query, .edit], scope: .own)])
            let customer = try await s.created("/v1/customers", #"{"kind": "person", "name": "Li Wei", "group": "residential", "branch": "A"}"#)
            let task = try await s.expect(.POST, "/v1/tasks", """
                {"title": "Call back", "customerId": "\(customer)", "kind": "followUp", "dueAt": "2026-01-02T09:00:00Z", "assignee": "\(assignee.id)"}
                """, status: 201)
            let id = try #require(text(task.json["id"])).lowercased()
            let position = text(task.json["position"]) ?? ""
            #expect(try await s.send(.GET, "/v1/tasks/\(id)", token: token).status == 200)
            let history = try await s.send(.GET, "/v1/records/task-\(id)/history?consistentWith=\(position)", token: token)
            #expect(history.status == 200, "\(history.text)")
            #expect(history.text.contains("TaskDispatched"), "\(history.text)")
            #expect(try await s.send(.GET, "/v1/records/task-\(id)/history?consistentWith=\(position)", token: otherToken).status == 404)
        }
    }
}
