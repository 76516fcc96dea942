import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// An employee id as `POST /v1/employees` answers it — and in upper case, as Foundation's `uuidString` and
/// earlier answers wrote it — names the same employee as their own token does: an own-scope employee sees
/// the customer they own and the task they were given, and a report per employee holds one row for them.
@Suite struct EmployeeIDCaseHTTPTests {
    @Test func anEmployeeIdAsTheAPIAnswersItMakesTheRecordsTheirOwnInEitherCase() async throws {
        try await LiveServer.with("employee-id-case") { s in
            let id = try await s.created("/v1/employees", #"{"name": "Olga", "position": "agent", "branch": "A", "hiredOn": "2024-01-01"}"#)
            // Answered as every record and principal holds an employee id: lower case.
            #expect(id == id.lowercased(), "\(id)")
            let employeeID = try #require(UUID(text: id))
            let roleID = UUID.derived("role", "own everywhere")
            let own = Permission.Module.allCases.map { Permission(module: $0, actions: Permission.Action.allCases, scope: .own) }
            try await s.engine.execute(Organisation.self, id: roleID, .defineRole(roleID: roleID, RoleDefinition(name: "own everywhere", permissions: own), grantor: .none), as: s.admin)
            try await s.engine.execute(Organisation.self, id: roleID, .grantRole(grantID: UUID.derived("grant", "olga"), employeeID: employeeID, roleID: roleID,
                                                                                 validity: .always, grantor: .none), as: s.admin)
            let olga = try await s.engine.issueToken(for: employeeID, name: "tests", as: s.admin).token

            // The customer names her as answered, the tasks in upper case.
            let customer = try await s.created("/v1/customers", #"{"kind": "person", "name": "Olga's customer", "group": "residential", "branch": "A", "owner": "\#(id)"}"#)
            var tasks: [String] = []
            for title in ["Call back", "Send the bill"] {
                tasks.append(try await s.created("/v1/tasks", #"{"title": "\#(title)", "customerId": "\#(customer)", "dueAt": "2026-01-01T09:00:00Z", "assignee": "\#(id.uppercased())"}"#))
            }
            try await s.engine.views.waitUntil(try await s.engine.store.headPosition())

            let list = try await s.send(.GET, "/v1/customers", token: olga)
            #expect(list.status == 200 && ((list.json["items"] as? [[String: Any]]) ?? []).compactMap { text($0["id"])?.lowercased() } == [customer.lowercased()], "\(list.text)")
            let board = try await s.send(.GET, "/v1/tasks/board", token: olga)
            let onBoard = ((board.json["dueToday"] as? [[String: Any]]) ?? []).compactMap { text($0["taskID"])?.lowercased() }
            #expect(board.status == 200 && Set(onBoard) == Set(tasks.map { $0.lowercased() }), "\(board.text)")
            let task = try await s.send(.GET, "/v1/tasks/\(tasks[0])", token: olga)
            #expect(task.status == 200 && text(task.json["assignee"]) == id, "\(task.text)")
            // A query naming her in upper case means her too.
            let hers = try await s.send(.GET, "/v1/tasks/board?assignee=\(id.uppercased())")
            #expect(((hers.json["dueToday"] as? [[String: Any]]) ?? []).count == 2, "\(hers.text)")

            for task in tasks {
                try await s.expect(.POST, "/v1/tasks/\(task)/complete", #"{"resultNote": "done"}"#)
            }
            try await s.engine.views.waitUntil(try await s.engine.store.headPosition())
            let report = try await s.expect(.GET, "/v1/reports/tables/task-completion?from=2026-01")
            let rows = (report.json["rows"] as? [[String]]) ?? []
            #expect(rows.count == 1 && rows.first?.first == id, "\(report.text)")
        }
    }
}
