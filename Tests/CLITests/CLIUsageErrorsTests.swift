import Foundation
import Testing

/// Bad usage says which argument or option is wrong without repeating what was typed (it may be a name,
/// a birthday: personal data), and a malformed id is bad usage (64) everywhere, while a well-formed id of
/// no record stays "not found" (4). A command that wrote nothing says `Nothing changed.`, locally and through
/// a server.
@Suite("crm: usage errors name the argument, not its value; malformed ids; nothing changed", .serialized)
struct CLIUsageErrorsTests {
    private func id(_ run: Run) -> String { (object(run.lines.last ?? "")["id"] as? String) ?? "" }

    static let personal = ["王芳", "Li Na's birthday", "Li Na"]

    @Test func badUsageNamesTheArgumentAndNeverRepeatsItsValue() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let data = dir + "/data"
        let created = object(try await crm(["init", "--data", data, "--admin-name", "Ada", "--json"]).lines.last ?? "")
        let admin = try #require(created["employeeID"] as? String)
        let customer = id(try await crm(["customer", "add", "--data", data, "--name", "Li Wei", "--group", "residential", "--json"]))
        let uuid = UUID().uuidString.lowercased()
        let cases: [(arguments: [String], names: String)] = [
            (["customer", "activate", "王芳"], "<id>"),
            (["customer", "edit", "王芳", "--industry", "gas"], "<id>"),
            (["customer", "show", "王芳"], "<id>"),
            (["customer", "transfer", customer, "--to", "Li Na", "--effective", "Li Na's birthday"], "--effective"),
            (["customer", "merge", customer, "--into", "Li Na"], "--into"),
            (["customer", "appointment", "add", customer, "--kind", "Li Na", "--at", "2099-01-01T09:00:00Z", "--address", "1 Main St"], "--kind"),
            (["customer", "appointment", "add", customer, "--kind", "install", "--at", "Li Na's birthday", "--address", "1 Main St"], "--at"),
            (["customer", "appointment", "complete", customer, "Li Na"], "<appointment>"),
            (["customer", "installation", "remove", customer, "王芳"], "<installation>"),
            (["customer", "add", "--name", "Li Wei", "--group", "residential", "--field", "Li Na=1"], "--field"),
            (["token", "create", "--employee", "王芳", "--name", "ci"], "--employee"),
            (["token", "create", "--employee", admin, "--name", "ci", "--expires", "Li Na's birthday"], "--expires"),
            (["token", "list", "--employee", "王芳"], "--employee"),
            (["token", "revoke", "王芳"], "<token-id>"),
            (["task", "dispatch", "--title", "Call", "--assignee", admin, "--due", "Li Na's birthday"], "--due"),
            (["task", "dispatch", "--title", "Call", "--assignee", admin, "--due", "2099-01-01T23:59:59Z", "--kind", "Li Na"], "--kind"),
            (["task", "dispatch", "--title", "Call", "--assignee", admin, "--due", "2099-01-01T23:59:59Z", "--customer", "王芳"], "--customer"),
            (["task", "complete", "王芳", "--result", "done"], "<id>"),
            (["ticket", "open", "--customer", "王芳", "--subject", "Leak", "--department", "service"], "--customer"),
            (["ticket", "assign", "王芳", "--to", admin], "<id>"),
            (["ticket", "severity", uuid, "--severity", "Li Na"], "--severity"),
            (["opportunity", "open", "--customer", customer, "--title", "Boiler", "--source", "visit", "--revenue", "Li Na", "--close", "2099-01-01"], "--revenue"),
            (["opportunity", "open", "--customer", customer, "--title", "Boiler", "--source", "visit", "--revenue", "5 CNY", "--close", "Li Na's birthday"], "--close"),
            (["opportunity", "contact", "add", uuid, "王芳"], "<contacts>"),
            (["show", "customer-" + customer, "--as-of", "Li Na's birthday"], "--as-of"),
            (["replay", "--to", "Li Na's birthday", "--out", dir + "/replay"], "--to"),
            (["audit", "--from", "Li Na's birthday"], "--from"),
            (["show", "王芳"], "<record>"),
            (["dump", "--stream", "customer-王芳"], "--stream"),
            (["customer", "add", "--name", "Li Wei", "--group", "residential", "--server", "王芳", "--token", "crm_x"], "--server"),
        ]
        for (arguments, name) in cases {
            let run = try await crm(arguments + ["--data", data])
            #expect(run.status == 64, "\(arguments): \(run.status) \(run.stderr)")
            #expect(run.stderr.contains("error: \(name)"), "names \(name): \(arguments): \(run.stderr)")
            for value in Self.personal {
                #expect(!run.stderr.contains(value) && !run.stdout.contains(value), "\(arguments) repeats what was typed: \(run.stderr)")
            }
        }
    }

    @Test func aMalformedIdIsBadUsageEverywhereAndAWellFormedUnknownOneIsNotFound() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let data = dir + "/data"
        #expect(try await crm(["init", "--data", data, "--admin-name", "Ada"]).status == 0)
        let customer = id(try await crm(["customer", "add", "--data", data, "--name", "Li Wei", "--group", "residential", "--json"]))
        let unknown = UUID().uuidString.lowercased()
        let malformed: [[String]] = [
            ["customer", "show", "notauuid"], ["customer", "activate", "notauuid"], ["show", "customer-nope"], ["show", "task-nope"],
            ["show", "ticket-12"], ["history", "customer-nope"], ["history", "notauuid"], ["dump", "--stream", "customer-nope"],
            ["customer", "show", customer + "x"],
        ]
        for arguments in malformed {
            let run = try await crm(arguments + ["--data", data])
            #expect(run.status == 64, "\(arguments): \(run.status) \(run.stderr)")
        }
        let notFound: [[String]] = [
            ["customer", "show", unknown], ["customer", "activate", unknown], ["show", "customer-" + unknown], ["show", "task-" + unknown],
            ["history", "customer-" + unknown],
        ]
        for arguments in notFound {
            let run = try await crm(arguments + ["--data", data])
            #expect(run.status == 4, "\(arguments): \(run.status) \(run.stderr)")
        }
        // Records whose stream names no UUID are still shown; the customer itself by either form of its id.
        for record in ["organisation-global", customer, "customer-" + customer, customer.uppercased()] {
            let run = try await crm(["show", record, "--data", data])
            #expect(run.status == 0, "\(record): \(run.status) \(run.stderr)")
        }
        #expect(try await crm(["customer", "show", customer.uppercased(), "--data", data]).status == 0)
    }

    @Test func aCommandThatWroteNothingSaysSoLocally() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let data = dir + "/data"
        let created = object(try await crm(["init", "--data", data, "--admin-name", "Ada", "--json"]).lines.last ?? "")
        let admin = try #require(created["employeeID"] as? String)
        let customer = id(try await crm(["customer", "add", "--data", data, "--name", "Li Wei", "--group", "residential", "--json"]))
        let edited = try await crm(["customer", "edit", customer, "--industry", "gas", "--data", data])
        #expect(edited.status == 0 && edited.stdout.contains("Edited customer \(customer)."), "\(edited.stdout) \(edited.stderr)")
        let same = try await crm(["customer", "edit", customer, "--industry", "gas", "--data", data])
        #expect(same.status == 0 && same.stdout == "Nothing changed.\n", "\(same.stdout) \(same.stderr)")

        let issued = object(try await crm(["token", "create", "--employee", admin, "--name", "ci", "--data", data, "--json"]).lines.last ?? "")
        let token = try #require(issued["tokenID"] as? String)
        let revoked = try await crm(["token", "revoke", token, "--data", data])
        #expect(revoked.status == 0 && revoked.stdout == "Revoked \(token).\n", "\(revoked.stdout) \(revoked.stderr)")
        let head = object(try await crm(["stats", "--data", data, "--json"]).stdout)["head"] as? Int
        let again = try await crm(["token", "revoke", token, "--data", data])
        #expect(again.status == 0 && again.stdout == "Nothing changed.\n", "\(again.stdout) \(again.stderr)")
        #expect(object(try await crm(["stats", "--data", data, "--json"]).stdout)["head"] as? Int == head, "nothing was written")
    }

    @Test func aCommandThatWroteNothingSaysSoThroughTheServer() async throws {
        let s = try await Served.start()
        defer { s.stop() }
        let remote = ["--server", s.url, "--token", s.token]
        let customer = id(try await crm(["customer", "add", "--name", "Li Wei", "--group", "residential", "--json"] + remote))
        #expect(!customer.isEmpty)
        let edited = try await crm(["customer", "edit", customer, "--industry", "gas"] + remote)
        #expect(edited.status == 0 && edited.stdout.contains("Edited customer \(customer)."), "\(edited.stdout) \(edited.stderr)")
        let same = try await crm(["customer", "edit", customer, "--industry", "gas"] + remote)
        #expect(same.status == 0 && same.stdout == "Nothing changed.\n", "\(same.stdout) \(same.stderr)")
        let archived = try await crm(["customer", "archive", customer] + remote)
        #expect(archived.status == 0 && archived.stdout.contains("Archived customer"), "\(archived.stdout) \(archived.stderr)")
        let twice = try await crm(["customer", "archive", customer] + remote)
        #expect(twice.status == 0 && twice.stdout == "Nothing changed.\n", "\(twice.stdout) \(twice.stderr)")
    }
}
