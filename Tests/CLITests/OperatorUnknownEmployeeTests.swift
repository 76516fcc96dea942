import Foundation
import Testing

/// Without a token the CLI acts as the operator: the system's rights, but an employee its commands name
/// must be an active employee, as for anyone — else the command is refused naming the field (exit 5) and
/// nothing is written; an import reports the row. Ids given in upper case are recorded in lower case by the
/// engine.
@Suite("crm: the operator names only active employees", .serialized)
struct OperatorUnknownEmployeeTests {
    @Test func anUnknownOwnerOrAssigneeIsRefusedNamingTheFieldAndNothingIsWritten() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let data = dir + "/data"
        let initialised = try await crm(["init", "--data", data, "--admin-name", "Ada", "--json"])
        #expect(initialised.status == 0, "\(initialised.stderr)")
        _ = try #require(object(initialised.lines.last ?? "")["employeeID"] as? String)
        let unknown = UUID().uuidString

        let owner = try await crm(["customer", "add", "--data", data, "--name", "Y", "--group", "residential", "--owner", "secret@example.com"])
        #expect(owner.status == 5, "\(owner.stdout) \(owner.stderr)")
        #expect(owner.stderr.contains("invalid: owner: no employee has this id"), "\(owner.stderr)")
        #expect(try await crm(["customer", "list", "--data", data, "--json"]).lines.isEmpty)

        let dispatched = try await crm(["task", "dispatch", "--data", data, "--title", "x", "--assignee", unknown, "--due", "2030-01-01T23:59:59Z"])
        #expect(dispatched.status == 5, "\(dispatched.stdout) \(dispatched.stderr)")
        #expect(dispatched.stderr.contains("invalid: assignee: no employee has this id"), "\(dispatched.stderr)")
        #expect(try await crm(["task", "list", "--data", data, "--all", "--json"]).lines.isEmpty)

        let file = dir + "/o.csv"
        write("name,owner\nAnn,\(unknown)\n", to: file)
        let dry = try await crm(["import", "customers", file, "--group", "residential", "--data", data, "--dry-run"])
        #expect(dry.status == 2, "\(dry.stdout) \(dry.stderr)")
        #expect(dry.stdout.contains("line 2: owner: no employee has this id"), "\(dry.stdout)")
        #expect(dry.stdout.contains("would create 0, update 0, leave unchanged 0, invalid 1"), "\(dry.stdout)")

        let added = try await crm(["customer", "add", "--data", data, "--name", "Z", "--group", "residential", "--json"])
        let customer = try #require(object(added.lines.last ?? "")["id"] as? String, "\(added.stderr)")
        let edited = try await crm(["customer", "edit", customer, "--data", data, "--owner", unknown])
        #expect(edited.status == 5 && edited.stderr.contains("invalid: owner: no employee has this id"), "\(edited.stderr)")
    }

    /// On a demo store (its tickets have SLAs): the generated history still seeds, and a ticket goes only to
    /// an active employee.
    @Test func aTicketIsAssignedByTheOperatorOnlyToAnActiveEmployee() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let data = dir + "/data"
        let demo = try await crm(["demo", "--data", data, "--events", "3000", "--json"])
        #expect(demo.status == 0, "\(demo.stderr)")
        let admin = try #require(object(demo.lines.last ?? "")["employeeID"] as? String)
        let customer = try #require(object(try await crm(["customer", "list", "--data", data, "--json"]).lines.first ?? "")["id"] as? String)
        let opened = try await crm(["ticket", "open", "--data", data, "--customer", customer, "--subject", "No water", "--department", "service",
                                    "--kind", "faultRepair", "--severity", "high", "--json"])
        let ticket = try #require(object(opened.lines.last ?? "")["id"] as? String, "\(opened.stderr)")
        let unknown = UUID().uuidString
        let assigned = try await crm(["ticket", "assign", ticket, "--data", data, "--to", unknown])
        #expect(assigned.status == 5, "\(assigned.stdout) \(assigned.stderr)")
        #expect(assigned.stderr.contains("invalid: assignee: no employee has this id"), "\(assigned.stderr)")
        #expect(try await crm(["ticket", "list", "--data", data, "--json"]).lines.contains { object($0)["id"] as? String == ticket && object($0)["assignee"] is NSNull })

        // An active employee, named in upper case, is accepted and recorded as the engine records ids.
        let toAdmin = try await crm(["ticket", "assign", ticket, "--data", data, "--to", admin.uppercased()])
        #expect(toAdmin.status == 0, "\(toAdmin.stderr)")
        let tickets = try await crm(["ticket", "list", "--data", data, "--json"])
        #expect(tickets.lines.contains { object($0)["id"] as? String == ticket && object($0)["assignee"] as? String == admin }, "\(tickets.stdout)")
    }
}
