import Foundation
import Testing

@Suite("crm: customers, tasks and tickets", .serialized)
struct DailyWorkTests {
    private func id(_ run: Run) -> String { (object(run.lines.last ?? "")["id"] as? String) ?? "" }

    @Test func customerAddEditShowListAndTasks() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let data = dir + "/data"
        let initRun = try await crm(["init", "--data", data, "--admin-name", "Ada", "--json"])
        let admin = try #require(object(initRun.lines.first ?? "")["employeeID"] as? String)
        let token = try #require(object(initRun.lines.first ?? "")["token"] as? String)

        let added = try await crm(["customer", "add", "--data", data, "--name", "王芳", "--group", "residential", "--branch", "north", "--json", "--token", token])
        #expect(added.status == 0, "\(added.stderr)")
        let customer = id(added)
        #expect(try await crm(["customer", "edit", customer, "--data", data, "--industry", "gas"]).status == 0)
        let shown = try await crm(["customer", "show", customer, "--data", data, "--json"])
        #expect(shown.stdout.contains("王芳") && shown.stdout.contains("gas"))
        let history = try await crm(["history", customer, "--data", data, "--json"])
        #expect(history.lines.count == 2)
        #expect(object(history.lines.first ?? "")["actor"] as? String == admin, "the token's employee is the actor")
        let list = try await crm(["customer", "list", "--data", data, "--branch", "north"])
        #expect(list.stdout.contains("王芳"))
        #expect(try await crm(["customer", "edit", "not-an-id", "--data", data]).status == 64)

        let task = try await crm(["task", "dispatch", "--data", data, "--title", "Call back", "--assignee", admin, "--due", "2020-01-01T23:59:59Z",
                                  "--customer", customer, "--json"])
        #expect(task.status == 0, "\(task.stderr)")
        let overdue = try await crm(["task", "list", "--data", data, "--overdue", "--json"])
        #expect(overdue.lines.count == 1)
        #expect(try await crm(["task", "list", "--data", data, "--due", "today", "--json"]).lines.isEmpty)
        #expect(try await crm(["task", "complete", id(task), "--data", data, "--result", "called"]).status == 0)
        #expect(try await crm(["task", "list", "--data", data, "--json"]).lines.isEmpty)
        #expect(try await crm(["task", "list", "--data", data, "--all", "--json"]).lines.count == 1)
        let again = try await crm(["task", "complete", id(task), "--data", data, "--result", "called"])
        #expect(again.status == 5, "a completed task cannot be completed again: \(again.stderr)")
        // A task that does not exist is not found (4), not refused (5).
        let missing = try await crm(["task", "complete", UUID().uuidString.lowercased(), "--data", data, "--result", "called"])
        #expect(missing.status == 4, "\(missing.stderr)")
    }

    @Test func ticketsOnADemoStore() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let data = dir + "/data"
        let demo = try await crm(["demo", "--data", data, "--events", "3000", "--json"])
        #expect(demo.status == 0, "\(demo.stderr)")
        let admin = try #require(object(demo.lines.last ?? "")["employeeID"] as? String)
        let customer = try #require(object(try await crm(["customer", "list", "--data", data, "--json"]).lines.first ?? "")["id"] as? String)
        // The demo's groups have required form fields: --field fills them, by the field's type.
        let required = try await crm(["customer", "add", "--data", data, "--name", "Li Wei", "--group", "residential"])
        #expect(required.status == 5 && required.stderr.contains("meterType: "), "the engine's refusal names the field: \(required.stderr)")
        let filled = try await crm(["customer", "add", "--data", data, "--name", "Li Wei", "--group", "residential", "--field", "meterType=gas",
                                    "--field", "moveInDate=2026-03-01", "--json"])
        #expect(filled.status == 0, "\(filled.stderr)")
        #expect(try await crm(["customer", "show", id(filled), "--data", data]).stdout.contains("gas"))
        let unknown = try await crm(["customer", "add", "--data", data, "--name", "X", "--group", "residential", "--field", "nosuch=1"])
        #expect(unknown.status == 64 && unknown.stderr.contains("its fields: meterType"), "\(unknown.stderr)")
        let malformed = try await crm(["customer", "add", "--data", data, "--name", "X", "--group", "business", "--field", "employees=1-2"])
        #expect(malformed.status == 64 && malformed.stderr.contains("is not a number"), "\(malformed.stderr)")
        let opened = try await crm(["ticket", "open", "--data", data, "--customer", customer, "--subject", "No water", "--department", "service",
                                    "--kind", "faultRepair", "--severity", "high", "--json"])
        #expect(opened.status == 0, "\(opened.stderr)")
        let ticket = id(opened)
        #expect(try await crm(["ticket", "assign", ticket, "--data", data, "--to", admin]).status == 0)
        let listed = try await crm(["ticket", "list", "--data", data, "--department", "service", "--json"])
        #expect(listed.lines.contains { object($0)["id"] as? String == ticket })
        let early = try await crm(["ticket", "resolve", ticket, "--data", data, "--resolution", "valve replaced"])
        #expect(early.status == 5 && early.stderr.contains("in progress"), "\(early.stderr)")
        #expect(try await crm(["ticket", "start", ticket, "--data", data]).status == 0)
        #expect(try await crm(["ticket", "resolve", ticket, "--data", data, "--resolution", "valve replaced"]).status == 0)
        let after = try await crm(["ticket", "list", "--data", data, "--department", "service", "--json"])
        #expect(!after.lines.contains { object($0)["id"] as? String == ticket })
        #expect(try await crm(["ticket", "list", "--data", data, "--overdue"]).status == 0)
    }

    @Test("crm ticket walks the whole state machine: open, assign, start, resolve, close, reopen, resolve, close")
    func ticketsCloseAndReopen() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let data = dir + "/data"
        let demo = try await crm(["demo", "--data", data, "--events", "3000", "--json"])
        #expect(demo.status == 0, "\(demo.stderr)")
        let admin = try #require(object(demo.lines.last ?? "")["employeeID"] as? String)
        let customer = try #require(object(try await crm(["customer", "list", "--data", data, "--json"]).lines.first ?? "")["id"] as? String)
        let opened = try await crm(["ticket", "open", "--data", data, "--customer", customer, "--subject", "No water", "--department", "service",
                                    "--kind", "faultRepair", "--severity", "high", "--json"])
        #expect(opened.status == 0, "\(opened.stderr)")
        let ticket = id(opened)
        // The operator is no employee: work on a ticket in the queue starts once it is assigned (refused: 5).
        let unassigned = try await crm(["ticket", "start", ticket, "--data", data])
        #expect(unassigned.status == 5 && unassigned.stderr.contains("assignee"), "\(unassigned.stderr)")
        #expect(try await crm(["ticket", "assign", ticket, "--data", data, "--to", admin]).status == 0)
        func status() async throws -> String? {
            let shown = try await crm(["show", "ticket-" + ticket, "--data", data, "--json"])
            return (object(shown.stdout)["state"] as? [String: Any])?["status"] as? String
        }
        // Only a resolved ticket can be closed, only a resolved or closed one reopened (refused: 5).
        let early = try await crm(["ticket", "close", ticket, "--data", data, "--satisfaction", "4"])
        #expect(early.status == 5 && early.stderr.contains("resolved"), "\(early.stderr)")
        #expect(try await crm(["ticket", "reopen", ticket, "--data", data, "--reason", "again"]).status == 5)
        #expect(try await crm(["ticket", "start", ticket, "--data", data]).status == 0)
        let resolved = try await crm(["ticket", "resolve", ticket, "--data", data, "--resolution", "valve replaced"])
        #expect(resolved.status == 0 && resolved.stdout.contains("Resolved ticket \(ticket)."), "\(resolved.stderr)")
        let outOfRange = try await crm(["ticket", "close", ticket, "--data", data, "--satisfaction", "9"])
        #expect(outOfRange.status == 5 && outOfRange.stderr.contains("satisfaction: "), "the refusal names the field: \(outOfRange.stderr)")
        let closed = try await crm(["ticket", "close", ticket, "--data", data, "--satisfaction", "4", "--comment", "quick"])
        #expect(closed.status == 0 && closed.stdout.contains("Closed ticket \(ticket)."), "\(closed.stderr)")
        #expect(try await status() == "closed")
        let reopened = try await crm(["ticket", "reopen", ticket, "--data", data, "--reason", "leaks again"])
        #expect(reopened.status == 0 && reopened.stdout.contains("Reopened ticket \(ticket)."), "\(reopened.stderr)")
        #expect(try await status() == "assigned", "back to its assignee")
        #expect(try await crm(["ticket", "start", ticket, "--data", data]).status == 0)
        #expect(try await crm(["ticket", "resolve", ticket, "--data", data, "--resolution", "pipe replaced"]).status == 0)
        #expect(try await crm(["ticket", "close", ticket, "--data", data, "--satisfaction", "5"]).status == 0)
        #expect(try await status() == "closed")
        // A ticket that does not exist is not found (4); a malformed id or a missing option is bad usage (64).
        let missing = try await crm(["ticket", "close", UUID().uuidString.lowercased(), "--data", data, "--satisfaction", "4"])
        #expect(missing.status == 4, "\(missing.stderr)")
        #expect(try await crm(["ticket", "reopen", "not-an-id", "--data", data, "--reason", "x"]).status == 64)
        #expect(try await crm(["ticket", "reopen", ticket, "--data", data]).status == 64)
    }
}
