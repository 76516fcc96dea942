import Foundation
import Testing

@Suite("crm task reassign, reschedule and edit", .serialized)
struct TaskEditCLITests {
    private func tasks(_ data: String) async throws -> [[String: Any]] {
        try await crm(["task", "list", "--data", data, "--all", "--json"]).lines.map(object)
    }

    @Test("crm task reassign, reschedule and edit change an open task on the store; a due time centuries off is refused naming dueAt")
    func reassignRescheduleAndEditOnTheStore() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let data = dir + "/data"
        #expect(try await crm(["demo", "--data", data, "--events", "3000"]).status == 0)
        let all = try await tasks(data)
        let open = try #require(all.first { ["dispatched", "accepted"].contains($0["status"] as? String ?? "") })
        let task = try #require(open["id"] as? String)
        let other = try #require(all.compactMap { $0["assignee"] as? String }.first { $0 != open["assignee"] as? String })

        let reassigned = try await crm(["task", "reassign", task, "--data", data, "--to", other, "--reason", "Workload"])
        #expect(reassigned.status == 0 && reassigned.stdout.contains("Reassigned task \(task)."), "\(reassigned.stderr)")
        #expect(try await crm(["task", "reassign", task, "--data", data, "--to", other]).stdout.contains("Nothing changed."))
        let rescheduled = try await crm(["task", "reschedule", task, "--data", data, "--due", "2026-02-01T10:00:00Z"])
        #expect(rescheduled.status == 0 && rescheduled.stdout.contains("Rescheduled task \(task)."), "\(rescheduled.stderr)")
        let edited = try await crm(["task", "edit", task, "--data", data, "--title", "Call about the meter", "--note", "twice"])
        #expect(edited.status == 0 && edited.stdout.contains("Edited task \(task)."), "\(edited.stderr)")
        let now = try #require(try await tasks(data).first { $0["id"] as? String == task })
        #expect(now["assignee"] as? String == other && now["status"] as? String == "dispatched", "\(now)")
        #expect(now["dueAt"] as? String == "2026-02-01T10:00:00.000Z" && now["title"] as? String == "Call about the meter", "\(now)")

        // Refused (5) naming the field, nothing written; a time that is no time is a usage error (64).
        let far = try await crm(["task", "reschedule", task, "--data", data, "--due", "0001-01-01T00:00:00Z"])
        #expect(far.status == 5 && far.stderr.contains("dueAt: "), "\(far.stderr)")
        let farDispatch = try await crm(["task", "dispatch", "--data", data, "--title", "Far", "--assignee", other, "--due", "9999-12-31T23:59:59Z"])
        #expect(farDispatch.status == 5 && farDispatch.stderr.contains("dueAt: "), "\(farDispatch.stderr)")
        let nobody = try await crm(["task", "reassign", task, "--data", data, "--to", UUID().uuidString.lowercased()])
        #expect(nobody.status == 5 && nobody.stderr.contains("assignee: "), "\(nobody.stderr)")
        #expect(try await crm(["task", "reschedule", task, "--data", data, "--due", "soon"]).status == 64)
        let after = try #require(try await tasks(data).first { $0["id"] as? String == task })
        #expect(after["assignee"] as? String == other && after["dueAt"] as? String == "2026-02-01T10:00:00.000Z", "\(after)")
        #expect(try await tasks(data).allSatisfy { $0["title"] as? String != "Far" }, "no task dispatched")
    }
}
