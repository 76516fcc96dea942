import Foundation
import Testing

/// Custom fields a role hides (docs/ENGINE-AUTHORIZATION.md) never reach that role's employee through the
/// command line, as they never do over HTTP; the operator and the administrator still see them.
@Suite("crm: hidden custom fields", .serialized)
struct FieldVisibilityTests {
    private static let secret = "SECRETWINDOW"

    /// `crm demo` beside a server, a branch-scoped employee whose role hides `residential.contactWindow`, with
    /// a token, and a customer of that branch whose hidden field holds the secret.
    private func served(actions: [String] = ["query"]) async throws -> (s: Served, employeeToken: String, customer: String) {
        let s = try await Served.start(demo: 3000)
        let employee = UUID().uuidString.lowercased(), role = UUID().uuidString.lowercased()
        #expect(try await s.post("/v1/employees", ["id": employee, "name": "Zhao Min", "position": "clerk", "branch": "north", "hiredOn": "2025-06-01"]) < 300)
        let query: [String: Any] = ["module": "customers", "actions": actions, "scope": ["kind": "branch", "value": "north"], "validity": [String: Any]()]
        let hidden: [String: Any] = ["formGroup": "residential", "field": "contactWindow"]
        #expect(try await s.post("/v1/roles", ["id": role, "name": "North clerk", "permissions": [query], "hiddenFields": [hidden]]) < 300)
        #expect(try await s.post("/v1/roles/\(role)/grants", ["employeeId": employee]) < 300)
        let remote = ["--data", s.data, "--server", s.url, "--token", s.token]
        let issued = try await crm(["token", "create", "--employee", employee, "--name", "clerk", "--json"] + remote)
        #expect(issued.status == 0, "\(issued.stderr)")
        let token = try #require(object(issued.lines.last ?? "")["token"] as? String)
        let added = try await crm(["customer", "add", "--name", "Li Wei", "--group", "residential", "--branch", "north", "--field", "meterType=gas",
                                   "--field", "moveInDate=2026-03-01", "--field", "contactWindow=\(Self.secret) mornings", "--json"] + remote)
        #expect(added.status == 0, "\(added.stderr)")
        let customer = try #require(object(added.lines.last ?? "")["id"] as? String)
        // The server's views take the token and the customer in a moment: read beside it once they have.
        for _ in 0..<100 {
            if try await crm(["show", customer, "--data", s.data, "--token", token]).status == 0 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        return (s, token, customer)
    }

    @Test("show, customer show (now, --as-of, --json), export and dump --stream leave a hidden field out for the employee; the operator sees it")
    func hiddenFieldsAreLeftOutOfEveryRead() async throws {
        let (s, token, customer) = try await served()
        defer { s.stop() }
        let data = ["--data", s.data]

        // The operator (no token) and the administrator's token see the field.
        let whole = try await crm(["show", "customer-" + customer, "--json"] + data)
        #expect(whole.status == 0 && whole.stdout.contains(Self.secret), "\(whole.stderr)")
        let created = try #require(object(whole.stdout)["position"] as? Int)
        #expect(try await crm(["customer", "show", customer, "--token", s.token] + data).stdout.contains(Self.secret))
        #expect(try await crm(["show", customer, "--as-of", "\(created)"] + data).stdout.contains(Self.secret))
        let adminExport = try await crm(["export", "customers", "--format", "csv", "--token", s.token] + data)
        #expect(adminExport.status == 0 && adminExport.stdout.contains(Self.secret), "\(adminExport.stderr)")
        #expect(try await crm(["dump", "--stream", "customer-" + customer] + data).stdout.contains(Self.secret))

        // The employee sees the customer, its other fields, and never the hidden one.
        let employee = ["--token", token] + data
        for args in [
            ["show", "customer-" + customer], ["show", customer, "--json"], ["show", "customer-" + customer, "--as-of", "\(created)"],
            ["show", customer, "--as-of", "\(created)", "--json"], ["show", customer, "--as-of", "2999-01-01"],
            ["customer", "show", customer], ["customer", "show", customer, "--json"], ["customer", "show", customer, "--as-of", "\(created)"],
        ] {
            let run = try await crm(args + employee)
            #expect(run.status == 0, "\(args): \(run.stderr)")
            #expect(run.stdout.contains("Li Wei") && run.stdout.contains("meterType"), "\(args): \(run.stdout)")
            #expect(!run.stdout.contains(Self.secret) && !run.stderr.contains(Self.secret), "\(args): \(run.stdout)")
            #expect(!run.stdout.contains("contactWindow"), "\(args): \(run.stdout)")
        }
        let export = try await crm(["export", "customers", "--format", "csv"] + employee)
        #expect(export.status == 0, "\(export.stderr)")
        #expect(export.stdout.contains(customer) && !export.stdout.contains(Self.secret) && !export.stderr.contains(Self.secret))
        #expect(!(export.lines.first ?? "").contains("contactWindow"), "no column for the hidden field: \(export.lines.first ?? "")")
        let listed = try await crm(["customer", "list", "--json"] + employee)
        #expect(listed.status == 0 && listed.stdout.contains(customer) && !listed.stdout.contains(Self.secret))
        let history = try await crm(["history", customer, "--json"] + employee)
        #expect(history.status == 0 && !history.stdout.contains(Self.secret), "\(history.stderr)")
        // The raw events hold the field: a stream dump is for a reader of the whole log only (exit 5).
        let dump = try await crm(["dump", "--stream", "customer-" + customer] + employee)
        #expect(dump.status == 5 && !dump.stdout.contains(Self.secret) && !dump.stderr.contains(Self.secret), "\(dump.status) \(dump.stderr)")
        #expect(dump.stderr.contains("analyse"), "\(dump.stderr)")
        // An import naming the hidden field is refused on that field before anything is compared: whether the
        // guess matches ("unchanged") is not told.
        write("id,name,group,meterType,moveInDate,contactWindow\n\(customer),Li Wei,residential,gas,2026-03-01,\(Self.secret) mornings\n", to: s.dir + "/guess.csv")
        let guess = try await crm(["import", "customers", s.dir + "/guess.csv", "--dry-run", "--json", "--server", s.url] + employee)
        let summary = object(guess.lines.last ?? "")
        #expect(guess.status == 2 && summary["unchanged"] as? Int == 0, "\(guess.stdout) \(guess.stderr)")
        #expect((summary["invalid"] as? [[String: Any]])?.first?["field"] as? String == "contactWindow", "\(guess.stdout)")
    }

    /// A row moving a customer to a group whose form lacks a field hidden from the employee is judged alike
    /// whether that field holds a value: the import clears only what the employee sees (the domain drops the
    /// rest), so a refusal naming the hidden field no longer tells that it is filled.
    @Test func anImportMovingACustomerToAnotherGroupTellsNothingOfAHiddenFieldsValue() async throws {
        let (s, token, filled) = try await served(actions: ["query", "edit"])
        defer { s.stop() }
        let remote = ["--data", s.data, "--server", s.url, "--token", s.token]
        let empty = try await crm(["customer", "add", "--name", "Wang Fang", "--group", "residential", "--branch", "north", "--field", "meterType=gas",
                                   "--field", "moveInDate=2026-03-01", "--json"] + remote)
        let other = try #require(object(empty.lines.last ?? "")["id"] as? String)
        for _ in 0..<100 {
            if try await crm(["show", other, "--data", s.data, "--token", token]).status == 0 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        write("id,group,employees\n\(filled),business,5\n\(other),business,5\n", to: s.dir + "/move.csv")
        let moved = try await crm(["import", "customers", s.dir + "/move.csv", "--dry-run", "--json", "--server", s.url, "--token", token, "--data", s.data])
        let summary = object(moved.lines.last ?? "")
        #expect(moved.status == 0, "\(moved.stdout) \(moved.stderr)")
        #expect((summary["invalid"] as? [Any])?.isEmpty ?? true, "\(moved.stdout)")
        #expect(!moved.stdout.contains("contactWindow") && !moved.stderr.contains("contactWindow"), "\(moved.stdout) \(moved.stderr)")
    }
}
