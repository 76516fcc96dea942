import Foundation
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A `crm serve` child on a temporary data directory made by `crm init` (or `crm demo --events N`), with the
/// administrator's token.
struct Served {
    let dir: String
    let data: String
    let token: String
    let admin: String
    let port: Int
    let server: Child
    var url: String { "http://127.0.0.1:\(port)" }

    static func start(_ extra: [String] = [], demo events: Int? = nil, _ setup: (String, String) async throws -> Void = { _, _ in }) async throws -> Served {
        let dir = temporaryDirectory()
        let data = dir + "/data"
        let created = object(try await crm(events.map { ["demo", "--data", data, "--events", "\($0)", "--json"] }
                                           ?? ["init", "--data", data, "--admin-name", "Ada", "--json"]).lines.last ?? "")
        let token = try #require(created["token"] as? String)
        let admin = try #require(created["employeeID"] as? String)
        try await setup(data, token)
        let port = Int.random(in: 20_000..<32_000)  // below the ephemeral ports (32768 on)
        let server = try CLITests.start(["serve", "--data", data, "--port", "\(port)"] + extra)
        for _ in 0..<200 where !server.stderr.contains("listening") { try await Task.sleep(for: .milliseconds(50)) }
        #expect(server.stderr.contains("listening"))
        return Served(dir: dir, data: data, token: token, admin: admin, port: port, server: server)
    }

    func stop() {
        _ = server.stop()
        cleanup(dir)
    }

    /// Posts JSON to the server's API as the administrator; the HTTP status.
    func post(_ path: String, _ body: [String: Any]) async throws -> Int {
        var request = URLRequest(url: try #require(URL(string: url + path)))
        request.httpMethod = "POST"
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try JSONSerialization.data(withJSONObject: body)
        let (_, response) = try await URLSession.shared.data(for: request)
        return (response as? HTTPURLResponse)?.statusCode ?? 0
    }

    /// Reads a customer through the server's API as the administrator; the HTTP status.
    func get(_ path: String) async throws -> Int {
        var request = URLRequest(url: try #require(URL(string: url + path)))
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        let (_, response) = try await URLSession.shared.data(for: request)
        return (response as? HTTPURLResponse)?.statusCode ?? 0
    }
}

@Suite("crm: reading and writing beside a running server", .serialized)
struct BesideServerTests {
    private func id(_ run: Run) -> String { (object(run.lines.last ?? "")["id"] as? String) ?? "" }

    @Test func readCommandsWorkBesideTheServerAndTheirReadsJoinTheServersReadAudit() async throws {
        var customer = ""
        var task = ""
        let s = try await Served.start { data, token in
            customer = (object(try await crm(["customer", "add", "--data", data, "--name", "Li Wei", "--group", "residential", "--json"]).lines.last ?? "")["id"] as? String) ?? ""
            // The operator hands work only to an active employee: the administrator of `crm init` (its first event).
            let bootstrap = object(try await crm(["dump", "--data", data, "--json"]).lines.first ?? "")
            let admin = ((bootstrap["payload"] as? [String: Any])?["administratorID"] as? String) ?? ""
            task = (object(try await crm(["task", "dispatch", "--data", data, "--title", "Call back", "--assignee", admin, "--due", "2020-01-01T23:59:59Z",
                                           "--customer", customer, "--json"]).lines.last ?? "")["id"] as? String) ?? ""
        }
        defer { s.stop() }
        #expect(!customer.isEmpty && !task.isEmpty)

        // A second server on the same data directory is refused, naming the first.
        let second = try await crm(["serve", "--data", s.data, "--port", "\(s.port + 1)"], timeout: 120)
        #expect(second.status == 3 && second.stderr.contains("held by another process (pid \(s.server.process.processIdentifier)"), "\(second.stderr)")

        // The server reads the customer (audited by the server), then the CLI reads beside it.
        #expect(try await s.get("/v1/customers/\(customer)") == 200)
        let shown = try await crm(["show", customer, "--data", s.data, "--token", s.token])
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.stdout.contains("Li Wei"))
        let history = try await crm(["history", customer, "--data", s.data, "--json"])
        #expect(history.status == 0, "\(history.stderr)")
        #expect(history.lines.count == 1)
        for args in [["customer", "list"], ["task", "list"], ["ticket", "list"], ["dump"], ["stats"], ["verify"], ["export", "customers"]] {
            let run = try await crm(args + ["--data", s.data])
            #expect(run.status == 0, "\(args): \(run.stderr)")
        }
        let backup = try await crm(["backup", s.dir + "/backup", "--data", s.data])
        #expect(backup.status == 0, "\(backup.stderr)")
        let replay = try await crm(["replay", "--to", "3", "--out", s.dir + "/then", "--data", s.data])
        #expect(replay.status == 0, "\(replay.stderr)")

        // One read audit holds the server's read (with the client's address) and the CLI's (the token's
        // employee; the operator as system@crm-cli).
        let audit = try await crm(["audit", "--data", s.data, "--json"])
        #expect(audit.status == 0, "\(audit.stderr)")
        let entries = audit.lines.map(object)
        let customerStream = "customer-" + customer
        #expect(entries.contains { $0["record"] as? String == customerStream && $0["clientIP"] as? String == "127.0.0.1" })
        #expect(entries.contains { $0["record"] as? String == customerStream && $0["principal"] as? String == s.admin && $0["clientIP"] is NSNull })
        #expect(entries.contains { $0["record"] as? String == "history:" + customerStream && $0["principal"] as? String == "system@crm-cli" })
        #expect(entries.contains { $0["record"] as? String == "task-" + task && $0["principal"] as? String == "system@crm-cli" })
        #expect(entries.contains { $0["record"] as? String == "log:backup" })
        #expect(entries.contains { $0["record"] as? String == "log:replay to 3" })
        #expect(entries.contains { ($0["record"] as? String)?.hasPrefix("log:dump") == true })
    }

    @Test func historyLinkedShowsTheCustomersTasksInLogOrder() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let data = dir + "/data"
        let admin = (object(try await crm(["init", "--data", data, "--admin-name", "Ada", "--json"]).lines.last ?? "")["employeeID"] as? String) ?? ""
        let customer = id(try await crm(["customer", "add", "--data", data, "--name", "Li Wei", "--group", "residential", "--json"]))
        let task = id(try await crm(["task", "dispatch", "--data", data, "--title", "Call", "--assignee", admin, "--due", "2030-01-01T23:59:59Z", "--customer", customer, "--json"]))
        let own = try await crm(["history", customer, "--data", data, "--json"])
        #expect(own.lines.map { object($0)["stream"] as? String } == ["customer-" + customer])
        let linked = try await crm(["history", customer, "--linked", "--data", data, "--json"])
        #expect(linked.status == 0, "\(linked.stderr)")
        #expect(linked.lines.map { object($0)["stream"] as? String } == ["customer-" + customer, "task-" + task])
        let table = try await crm(["history", customer, "--linked", "--data", data])
        // The dispatch names its fields from nothing (the JSON lines carry its event type).
        #expect(table.stdout.contains("record") && table.stdout.contains("task-" + task) && table.stdout.contains("assignee"), "\(table.stdout)")
        let notCustomer = try await crm(["history", "task-" + task, "--linked", "--data", data])
        #expect(notCustomer.status == 64)
    }

    @Test func statsShowsEachViewsLagAndState() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let data = dir + "/data"
        _ = try await crm(["init", "--data", data, "--admin-name", "Ada"])
        let stats = try await crm(["stats", "--data", data, "--json"])
        #expect(stats.status == 0, "\(stats.stderr)")
        let document = (try? JSONSerialization.jsonObject(with: Data(stats.stdout.utf8))) as? [String: Any] ?? [:]
        let views = document["views"] as? [[String: Any]] ?? []
        #expect(views.contains { $0["name"] as? String == "customer-360" })
        #expect(views.allSatisfy { $0["lag"] as? Int == 0 && $0["failed"] as? Bool == false })
        #expect(try await crm(["stats", "--data", data]).stdout.contains("lag"))
    }

    @Test func secureCookiesMarkTheConsolesSessionCookieSecure() async throws {
        for secure in [false, true] {
            let s = try await Served.start(secure ? ["--secure-cookies"] : [])
            defer { s.stop() }
            let (_, response) = try await URLSession.shared.data(from: try #require(URL(string: s.url + "/console/signin")))
            let cookie = try #require((response as? HTTPURLResponse)?.value(forHTTPHeaderField: "Set-Cookie"))
            #expect(cookie.hasPrefix("crm_console=") && cookie.contains("HttpOnly"), "\(cookie)")
            #expect(cookie.contains("; Secure") == secure, "\(cookie)")
        }
    }

    @Test("tickets are resolved, closed and reopened through the server; its refusals name the input field")
    func ticketsThroughTheServerAndRefusalsNamingTheField() async throws {
        let s = try await Served.start(demo: 3000)
        defer { s.stop() }
        let remote = ["--data", s.data, "--server", s.url, "--token", s.token]
        // The server's problem names the field (`field: meterType`): so does the message.
        let required = try await crm(["customer", "add", "--name", "Li Wei", "--group", "residential"] + remote)
        #expect(required.status == 5 && required.stderr.contains("meterType: "), "\(required.stderr)")

        let customer = try #require(object(try await crm(["customer", "list", "--data", s.data, "--json"]).lines.first ?? "")["id"] as? String)
        let opened = try await crm(["ticket", "open", "--customer", customer, "--subject", "No water", "--department", "service", "--json"] + remote)
        #expect(opened.status == 0, "\(opened.stderr)")
        let ticket = id(opened)
        let early = try await crm(["ticket", "close", ticket, "--satisfaction", "4"] + remote)
        #expect(early.status == 5, "only a resolved ticket can be closed: \(early.stderr)")
        #expect(try await crm(["ticket", "start", ticket] + remote).status == 0)
        #expect(try await crm(["ticket", "resolve", ticket, "--resolution", "valve replaced"] + remote).status == 0)
        let outOfRange = try await crm(["ticket", "close", ticket, "--satisfaction", "9"] + remote)
        #expect(outOfRange.status == 5 && outOfRange.stderr.contains("satisfaction: "), "\(outOfRange.stderr)")
        let closed = try await crm(["ticket", "close", ticket, "--satisfaction", "4", "--comment", "quick"] + remote)
        #expect(closed.status == 0 && closed.stdout.contains("Closed ticket \(ticket)."), "\(closed.stderr)")
        let reopened = try await crm(["ticket", "reopen", ticket, "--reason", "leaks again"] + remote)
        #expect(reopened.status == 0 && reopened.stdout.contains("Reopened ticket \(ticket)."), "\(reopened.stderr)")
        let missing = try await crm(["ticket", "reopen", UUID().uuidString.lowercased(), "--reason", "x"] + remote)
        #expect(missing.status == 4, "\(missing.stderr)")
        // Read beside the server: the ticket was closed with the rating, then reopened.
        var state: [String: Any] = [:]
        for _ in 0..<50 {
            state = object(try await crm(["show", "ticket-" + ticket, "--data", s.data, "--json"]).stdout)["state"] as? [String: Any] ?? [:]
            if state["reopenCount"] as? Int == 1 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect((state["satisfaction"] == nil || state["satisfaction"] is NSNull) && state["reopenCount"] as? Int == 1 && state["status"] as? String == "assigned", "\(state)")
    }

    @Test func writingCommandsGoThroughTheServerAndWithoutItSayWhy() async throws {
        let s = try await Served.start()
        defer { s.stop() }
        let remote = ["--data", s.data, "--server", s.url, "--token", s.token]

        // Without --server, each writing command says the store is held and how to go on (exit 3).
        write("name,group,external_key\nLi Wei,residential,K1\n", to: s.dir + "/c.csv")
        for args in [["import", "customers", s.dir + "/c.csv"], ["token", "create", "--employee", s.admin, "--name", "ci"],
                     ["token", "list", "--employee", s.admin], ["rebuild"]] {
            let run = try await crm(args + ["--data", s.data])
            #expect(run.status == 3, "\(args)")
            #expect(run.stderr.contains("held by another process") && run.stderr.contains("--server URL --token T"), "\(args): \(run.stderr)")
        }

        // A customer added through the server from a machine without a store of its own (no --field: nothing
        // local is read).
        let elsewhere = try await crm(["customer", "add", "--name", "Far Away", "--group", "residential", "--data", s.dir + "/nothing-here",
                                       "--server", s.url, "--token", s.token])
        #expect(elsewhere.status == 0, "\(elsewhere.stderr)")

        // Tokens through the server.
        let created = try await crm(["token", "create", "--employee", s.admin, "--name", "ci", "--json"] + remote)
        #expect(created.status == 0, "\(created.stderr)")
        let tokenID = try #require(object(created.lines.last ?? "")["tokenID"] as? String)
        #expect((object(created.lines.last ?? "")["token"] as? String)?.hasPrefix("crm_") == true)
        let listed = try await crm(["token", "list", "--employee", s.admin, "--json"] + remote)
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.lines.map { object($0)["tokenID"] as? String }.contains(tokenID))
        #expect(!listed.stdout.contains("crm_"))
        #expect(try await crm(["token", "revoke", tokenID, "--reason", "test"] + remote).status == 0)
        let after = try await crm(["token", "list", "--employee", s.admin, "--json"] + remote)
        #expect(after.lines.contains { object($0)["tokenID"] as? String == tokenID && object($0)["revoked"] as? Bool == true })

        // Import through the server, then again: idempotent by external key.
        let imported = try await crm(["import", "customers", s.dir + "/c.csv", "--json"] + remote)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(object(imported.lines.last ?? "")["created"] as? Int == 1)
        let again = try await crm(["import", "customers", s.dir + "/c.csv", "--json"] + remote)
        #expect(object(again.lines.last ?? "")["unchanged"] as? Int == 1, "\(again.stdout) \(again.stderr)")
        write("name,group,external_key\nLi Wei Jr,residential,K1\n", to: s.dir + "/c2.csv")
        let updated = try await crm(["import", "customers", s.dir + "/c2.csv", "--json"] + remote)
        #expect(object(updated.lines.last ?? "")["updated"] as? Int == 1, "\(updated.stdout) \(updated.stderr)")
        #expect(try await crm(["customer", "list", "--data", s.data]).stdout.contains("Li Wei Jr"))

        // Rebuild through the server: one view (an unknown one: unknownViewIsAUsageErrorLocallyAndThroughTheServer).
        let rebuilt = try await crm(["rebuild", "customer-360", "--json"] + remote)
        #expect(rebuilt.status == 0, "\(rebuilt.stderr)")
        #expect(object(rebuilt.lines.last ?? "")["rebuilt"] as? String == "customer-360")
    }

    @Test("crm rebuild of an unknown view is a usage error (64) with a hint to the view names, through a server as without one")
    func unknownViewIsAUsageErrorLocallyAndThroughTheServer() async throws {
        let s = try await Served.start()
        defer { s.stop() }
        let remote = try await crm(["rebuild", "no-such-view", "--data", s.data, "--server", s.url, "--token", s.token])
        #expect(remote.status == 64, "\(remote.stderr)")
        #expect(remote.stderr.contains("error: no view named no-such-view") && remote.stderr.contains("hint: `crm stats"), "\(remote.stderr)")

        _ = s.server.stop()
        let local = try await crm(["rebuild", "no-such-view", "--data", s.data])
        #expect(local.status == 64, "\(local.stderr)")
        #expect(local.stderr.contains("error: no view named no-such-view") && local.stderr.contains("customer-360") && local.stderr.contains("`crm stats`"),
                "\(local.stderr)")
    }

    @Test func dueTodayIsReadInTheTasksBranchTimeZone() async throws {
        // A zone 14 hours ahead of UTC: its "today" and UTC's always differ for some instant of its day.
        let zone = "Pacific/Kiritimati"
        let now = Date()
        var local = Calendar(identifier: .gregorian)
        local.timeZone = try #require(TimeZone(identifier: zone))
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = try #require(TimeZone(identifier: "UTC"))
        let start = local.startOfDay(for: now)
        let candidates = [start.addingTimeInterval(60), start.addingTimeInterval(86_400 - 60)]
        let due = try #require(candidates.first { !utc.isDate($0, inSameDayAs: now) })
        let dueText = ISO8601DateFormatter().string(from: due)

        let s = try await Served.start()
        #expect(try await s.post("/v1/settings/time-zones", ["branch": "east", "timeZone": zone]) < 300)
        _ = s.server.stop()
        let east = id(try await crm(["customer", "add", "--data", s.data, "--name", "East", "--group", "residential", "--branch", "east", "--json"]))
        let west = id(try await crm(["customer", "add", "--data", s.data, "--name", "West", "--group", "residential", "--branch", "west", "--json"]))
        let eastTask = id(try await crm(["task", "dispatch", "--data", s.data, "--title", "E", "--assignee", s.admin, "--due", dueText, "--customer", east, "--json"]))
        _ = try await crm(["task", "dispatch", "--data", s.data, "--title", "W", "--assignee", s.admin, "--due", dueText, "--customer", west, "--json"])
        let today = try await crm(["task", "list", "--due", "today", "--data", s.data, "--json"])
        #expect(today.status == 0, "\(today.stderr)")
        #expect(today.lines.map { object($0)["id"] as? String } == [eastTask], "due today in east's zone only")
        s.stop()
    }
}
