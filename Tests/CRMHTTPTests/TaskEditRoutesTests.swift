import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// An open task is reassigned, rescheduled and edited over HTTP (`POST /v1/tasks/{id}/reassign|reschedule|edit`),
/// with `If-Match` and `Idempotency-Key` as on every command; a due instant centuries off is refused naming
/// `dueAt`, with nothing written.
@Suite struct TaskEditRoutesTests {
    @Test func anOpenTaskIsReassignedRescheduledAndEditedOverHTTP() async throws {
        try await LiveServer.with("task-edit-routes") { s in
            let customer = try await s.created("/v1/customers", #"{"kind": "person", "name": "Li Wei", "group": "residential", "branch": "A"}"#)
            let rights = [Permission(module: .tasks, actions: [.query, .create, .edit], scope: .branch("A")),
                          Permission(module: .customers, actions: [.query], scope: .branch("A"))]
            let (anna, _) = try await s.hire("Anna", branch: "A", permissions: rights)
            let (bert, _) = try await s.hire("Bert", branch: "A", permissions: rights)
            let task = try await s.created("/v1/tasks", #"{"title": "Call back", "note": "asked twice", "customerId": "\#(customer)", "dueAt": "2026-01-02T09:00:00Z", "assignee": "\#(anna.id)"}"#)
            let path = "/v1/tasks/\(task)"
            let taskID = try #require(UUID(text: task))

            // Reassigned, with a stale If-Match refused first.
            try await s.expect(.POST, path + "/reassign", #"{"assignee": "\#(bert.id)"}"#, status: 412, headers: [("If-Match", "\"7\"")])
            let current = try #require(try await s.expect(.GET, path).header("ETag"))
            try await s.expect(.POST, path + "/reassign", #"{"assignee": "\#(bert.id)", "reason": "Anna is away"}"#, headers: [("If-Match", current)])
            #expect(try await s.engine.state(WorkTask.self, id: taskID, as: s.admin).state.assignee == bert.id)

            // Rescheduled, once under an idempotency key.
            let later = #"{"dueAt": "2026-01-05T09:00:00Z", "reason": "customer away"}"#
            try await s.expect(.POST, path + "/reschedule", later, headers: [("Idempotency-Key", "move-1")])
            let replay = try await s.expect(.POST, path + "/reschedule", later, headers: [("Idempotency-Key", "move-1")])
            #expect(replay.header("Idempotent-Replayed") == "true")
            let due = try await s.engine.state(WorkTask.self, id: taskID, as: s.admin).state.details?.dueAt
            #expect(due == ISO8601DateFormatter().date(from: "2026-01-05T09:00:00Z"))

            // Edited: the title and note as they should stand.
            try await s.expect(.POST, path + "/edit", #"{"title": "Call back about the meter", "note": "asked three times"}"#)
            let edited = try await s.engine.state(WorkTask.self, id: taskID, as: s.admin).state.details
            #expect(edited?.title == "Call back about the meter" && edited?.note == "asked three times")

            // Refusals name the field and write nothing.
            let head = try await s.engine.store.headPosition()
            for due in ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"] {
                let far = try await s.send(.POST, path + "/reschedule", json: #"{"dueAt": "\#(due)"}"#)
                #expect(far.status == 422 && text(far.json["field"]) == "dueAt", "\(far.status) \(far.text.prefix(300))")
                let created = try await s.send(.POST, "/v1/tasks", json: #"{"title": "Far off", "dueAt": "\#(due)", "assignee": "\#(anna.id)"}"#)
                #expect(created.status == 422 && text(created.json["field"]) == "dueAt", "\(created.status) \(created.text.prefix(300))")
            }
            try await ReviewFindingsTests.refused(s, path + "/reassign", method: .POST, #"{"assignee": 7}"#, field: "assignee")
            try await ReviewFindingsTests.refused(s, path + "/edit", method: .POST, #"{"note": "no title"}"#, field: "title")
            try await ReviewFindingsTests.refused(s, path + "/reschedule", method: .POST, #"{"dueAt": "2026-01-05T09:00:00Z", "colour": "red"}"#, field: "colour")
            #expect(try await s.engine.store.headPosition() == head, "nothing written")
        }
    }
}
