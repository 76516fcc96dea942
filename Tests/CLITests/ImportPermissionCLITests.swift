import Foundation
import Testing

/// `crm import customers` judges every row as the engine will — the token's employee's permissions
/// included — before writing any; a row refused while writing stops the import and lists what was written.
/// And `crm demo` seeds the unique keys its history holds, so a taken key is refused afterwards.
@Suite("crm: import permissions, refusals while writing, demo keys", .serialized)
struct ImportPermissionCLITests {
    static let rows = "name,kind,branch,external_key\nPartial A,person,berlin,PA1\nPartial B,person,shanghai,PB1\nPartial C,person,berlin,PC1\n"

    /// An employee of berlin whose role lets them query and create customers over `scope`; their token.
    private func clerk(_ s: Served, scope: [String: Any]) async throws -> (token: String, role: String) {
        let employee = UUID().uuidString.lowercased(), role = UUID().uuidString.lowercased()
        #expect(try await s.post("/v1/employees", ["id": employee, "name": "Berta Berlin", "position": "clerk", "branch": "berlin", "hiredOn": "2025-06-01"]) < 300)
        let permission: [String: Any] = ["module": "customers", "actions": ["query", "create", "edit"], "scope": scope]
        #expect(try await s.post("/v1/roles", ["id": role, "name": "Berlin clerk", "permissions": [permission]]) < 300)
        #expect(try await s.post("/v1/roles/\(role)/grants", ["employeeId": employee]) < 300)
        let issued = try await crm(["token", "create", "--employee", employee, "--name", "clerk", "--json", "--data", s.data, "--server", s.url, "--token", s.token])
        #expect(issued.status == 0, "\(issued.stderr)")
        return (try #require(object(issued.lines.last ?? "")["token"] as? String), role)
    }

    private func customers(_ data: String) async throws -> [String] {
        try await crm(["customer", "list", "--json", "--data", data]).lines.compactMap { object($0)["name"] as? String }.sorted()
    }

    @Test("a row the token's employee may not create is found before writing: nothing written (exit 2), the dry run reports it, beside the server too")
    func permissionsAreJudgedBeforeAnythingIsWritten() async throws {
        let s = try await Served.start()
        defer { s.stop() }
        let (token, _) = try await clerk(s, scope: ["kind": "branch", "value": "berlin"])
        let file = s.dir + "/imp.csv"
        write(Self.rows, to: file)
        let employee = ["import", "customers", file, "--group", "residential", "--data", s.data, "--token", token]

        // The dry run judges permissions too, through the server or without --server beside it (read-only: not exit 3).
        for extra in [["--server", s.url], []] {
            let dry = try await crm(employee + ["--dry-run"] + extra)
            #expect(dry.status == 2, "\(extra): \(dry.status) \(dry.stderr)")
            #expect(dry.stdout.contains("line 3: not allowed: create in customers is not allowed here"), "\(extra): \(dry.stdout)")
            #expect(dry.stdout.contains("dry run: would create 2, update 0, leave unchanged 0, invalid 1"), "\(extra): \(dry.stdout)")
        }
        // The real import refuses the file whole: nothing is written.
        let refused = try await crm(employee + ["--server", s.url])
        #expect(refused.status == 2, "\(refused.stderr)")
        #expect(refused.stdout.contains("line 3: not allowed: create in customers is not allowed here") && refused.stdout.contains("nothing was written"),
                "\(refused.stdout)")
        #expect(try await customers(s.data).isEmpty)
        // With --skip-invalid the rows the employee may create are imported.
        let skipped = try await crm(employee + ["--server", s.url, "--skip-invalid", "--json"])
        #expect(skipped.status == 0, "\(skipped.stderr)")
        #expect(object(skipped.lines.last ?? "")["created"] as? Int == 2, "\(skipped.stdout)")
        for _ in 0..<100 where try await customers(s.data).count < 2 { try await Task.sleep(for: .milliseconds(100)) }
        #expect(try await customers(s.data) == ["Partial A", "Partial C"])
        // The administrator imports the file: B is created in shanghai. For the berlin employee B's row is not
        // "unchanged" (that would tell what a customer beyond their reach holds): no customer they may see.
        let admin = try await crm(["import", "customers", file, "--group", "residential", "--data", s.data, "--server", s.url, "--token", s.token, "--json"])
        #expect(admin.status == 0 && object(admin.lines.last ?? "")["created"] as? Int == 1, "\(admin.stdout) \(admin.stderr)")
        let unseen = try await crm(employee + ["--dry-run"])
        #expect(unseen.stdout.contains("line 3: no customer you may see has this id or key"), "\(unseen.stdout)")
        #expect(unseen.stdout.contains("leave unchanged 2, invalid 1"), "\(unseen.stdout)")
    }

    @Test("a row the server refuses while writing stops the import at once: exit 2, the rows written listed with their ids")
    func aRefusalWhileWritingStopsAndListsWhatWasWritten() async throws {
        // The store the rows are checked on (a copy) lets the employee create anywhere; the server's store, by
        // the time the rows are written, only in berlin: the refusal comes while writing.
        let s = try await Served.start()
        defer { s.stop() }
        let (token, role) = try await clerk(s, scope: ["kind": "all", "value": ""])
        _ = s.server.stop()
        let copy = s.dir + "/copy"
        try FileManager.default.copyItem(atPath: s.data, toPath: copy)
        let port = s.port + 1
        let child = try start(["serve", "--data", s.data, "--port", "\(port)"])
        let server = Served(dir: s.dir, data: s.data, token: s.token, admin: s.admin, port: port, server: child)
        defer { _ = child.stop() }
        for _ in 0..<200 where !child.stderr.contains("listening") { try await Task.sleep(for: .milliseconds(50)) }
        let narrowed: [String: Any] = ["module": "customers", "actions": ["query", "create", "edit"], "scope": ["kind": "branch", "value": "berlin"]]
        #expect(try await server.post("/v1/roles/\(role)/change", ["name": "Berlin clerk", "permissions": [narrowed]]) < 300)

        let file = s.dir + "/imp.csv"
        write(Self.rows, to: file)
        let run = try await crm(["import", "customers", file, "--group", "residential", "--data", copy, "--server", server.url, "--token", token])
        #expect(run.status == 2, "\(run.status) \(run.stderr)")
        #expect(run.stdout.contains("line 3: the server refused: create in customers is not allowed here"), "\(run.stdout)")
        #expect(run.stdout.contains("stopped at line 3"), "\(run.stdout)")
        #expect(run.stderr.contains("the import stopped there"), "\(run.stderr)")
        // Whatever was sent before the refusal was answered is listed, with the ids the server recorded.
        let written = run.lines.filter { $0.contains(": created ") }
        for _ in 0..<100 where try await customers(s.data).count < written.count { try await Task.sleep(for: .milliseconds(100)) }
        let listed = try await crm(["customer", "list", "--json", "--data", s.data]).lines.map(object)
        #expect(listed.count == written.count && !written.isEmpty, "\(run.stdout)")
        for customer in listed {
            let id = try #require(customer["id"] as? String)
            #expect(written.contains { $0.hasSuffix(id) }, "\(id) written but not listed: \(run.stdout)")
        }
        #expect(!listed.contains { $0["name"] as? String == "Partial B" })

        // --json says the same: where it stopped and the rows written (again: the server now also refuses the
        // keys the first run wrote, which the copy does not know of).
        let again = try await crm(["import", "customers", file, "--group", "residential", "--data", copy, "--server", server.url, "--token", token, "--json"])
        #expect(again.status == 2)
        let summary = object(again.lines.last ?? "")
        #expect(summary["stoppedAt"] is Int, "\(again.stdout)")
        #expect(summary["writtenRows"] is [[String: Any]], "\(again.stdout)")
    }

    @Test("crm demo reserves the external keys its customers hold: adding a customer with a taken key is refused (exit 5)")
    func demoKeysAreTaken() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let data = dir + "/data"
        let demo = try await crm(["demo", "--data", data, "--events", "1500", "--json"])
        #expect(demo.status == 0, "\(demo.stderr)")
        let export = try await crm(["export", "customers", "--format", "csv", "--data", data])
        let key = try #require(export.stdout.split(whereSeparator: { $0 == "," || $0 == ";" || $0.isNewline }).first { $0.hasPrefix("billing:") })
        let added = try await crm(["customer", "add", "--name", "Copy Cat", "--group", "residential", "--field", "meterType=gas",
                                   "--external-key", String(key), "--data", data])
        #expect(added.status == 5, "\(added.status) \(added.stdout) \(added.stderr)")
        #expect(added.stderr.contains("key"), "\(added.stderr)")
    }
}
