import CRMTestSupport
import EventSourcing
import EventStorePostgres
import Foundation
import Testing

@Suite("crm --store postgres://…", .serialized)
struct CLIOverPostgresTests {
    /// Runs the built `crm` with `arguments`; its exit status, output lines and error output.
    private func crm(_ arguments: [String]) async throws -> (status: Int32?, lines: [String], stderr: String) {
        let child = try ChildProcess(executable: try harnessPath("crm"), arguments: arguments)
        let exited = await child.waitForExit(timeout: 120)
        #expect(exited, "crm \(arguments.first ?? "") finished")
        return (child.exitStatus, child.lines, child.errorTail())
    }

    private func object(_ line: String?) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data((line ?? "").utf8))) as? [String: Any] ?? [:]
    }

    /// A `crm serve` with `arguments` listening on a free port: below Linux's ephemeral range (32768 on), and
    /// another port tried when the chosen one is taken after all.
    private func startServer(_ arguments: [String]) async throws -> ChildProcess {
        for _ in 0..<5 {
            let port = Int.random(in: 20_000..<32_000)
            let server = try ChildProcess(executable: try harnessPath("crm"), arguments: arguments + ["--port", "\(port)"])
            for _ in 0..<1_200 where !server.errorTail().contains("listening") && server.exitStatus == nil {
                try await Task.sleep(for: .milliseconds(50))
            }
            if server.errorTail().contains("listening") { return server }
            server.kill(SIGTERM)
            _ = await server.waitForExit(timeout: 30)
            guard server.errorTail().contains("Address already in use") else { break }
        }
        throw HarnessError("crm serve did not start listening")
    }

    @Test func theCommandsWorkOnAPostgreSQLLogAndLeaveTheViewsOfARunningServerToIt() async throws {
        let configuration = try TestDatabase.configuration("cli")
        let url = "postgres://\(configuration.username)@\(configuration.host):\(configuration.port)/\(configuration.database)?schema=\(configuration.schema)"
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("crm-cli-pg-\(UUID().uuidString)").path
        let data = dir + "/data"
        defer { try? FileManager.default.removeItem(atPath: dir) }

        // Writing commands: the log is PostgreSQL's, the views are built under --data.
        let created = try await crm(["init", "--store", url, "--data", data, "--admin-name", "Ada", "--json"])
        #expect(created.status == 0, "\(created.stderr)")
        let token = try #require(object(created.lines.first)["token"] as? String)
        let added = try await crm(["customer", "add", "--store", url, "--data", data, "--name", "Li Wei", "--group", "residential", "--json"])
        #expect(added.status == 0, "\(added.stderr)")
        let customer = try #require(object(added.lines.last)["id"] as? String)
        #expect(!FileManager.default.fileExists(atPath: data + "/log"), "no embedded log beside a PostgreSQL one")
        let again = try await crm(["init", "--store", url, "--data", dir + "/elsewhere", "--admin-name", "Bob"])
        #expect(again.status == 5 && again.stderr.contains("the PostgreSQL log already holds a CRM"), "\(again.stderr)")
        #expect(!again.stderr.contains(configuration.host + ":"), "the URL is never printed")

        // The events are in PostgreSQL.
        let log = try await PostgresEventStore.open(configuration)
        let events = try await log.readAll(from: .start, direction: .forward, limit: .max)
        #expect(events.contains { $0.stream.rawValue == "customer-\(customer)" })
        await log.close()

        // Reading commands read the views under --data.
        let listed = try await crm(["customer", "list", "--store", url, "--data", data, "--json"])
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.lines.contains { object($0)["id"] as? String == customer })
        let history = try await crm(["history", "customer-\(customer)", "--store", url, "--data", data, "--token", token, "--json"])
        #expect(history.status == 0 && !history.lines.isEmpty, "\(history.stderr)")
        let noViews = try await crm(["customer", "list", "--store", url, "--data", dir + "/nothing"])
        #expect(noViews.status == 4 && noViews.stderr.contains("no views"), "\(noViews.stderr)")
        // A reader with a mistyped schema is told so, and creates no log there.
        var typo = configuration
        typo.schema = configuration.schema + "x"
        let typoURL = url + "x"
        for _ in 0..<2 {
            let mistyped = try await crm(["customer", "list", "--store", typoURL, "--data", data])
            #expect(mistyped.status == 1 && mistyped.stderr.contains("no log in schema \(typo.schema)"), "\(mistyped.stderr)")
        }

        // Statistics of the PostgreSQL log and of the views under --data.
        let stats = try await crm(["stats", "--store", url, "--data", data, "--json"])
        #expect(stats.status == 0, "\(stats.stderr)")
        let figures = object(stats.lines.joined(separator: "\n"))
        #expect(figures["events"] as? Int == events.count && figures["head"] as? Int == events.count, "\(figures)")
        #expect(figures["streams"] as? Int == Set(events.map(\.stream)).count)
        #expect((figures["eventTypes"] as? [String: Int])?["CustomerCreated"] == 1)
        #expect((figures["views"] as? [[String: Any]])?.contains { $0["name"] as? String == "customer-360" && $0["lag"] as? Int == 0 } == true)

        // Commands on the embedded log's files are refused, saying why.
        for command in [["verify"], ["backup", dir + "/copy"], ["restore", dir + "/copy"]] {
            let refused = try await crm(command + ["--store", url, "--data", data])
            #expect(refused.status == 64 && refused.stderr.contains("PostgreSQL"), "crm \(command[0]): \(refused.stderr)")
        }

        // A server on the same log and data directory holds the views: reads go on beside it, a write is
        // refused (it would apply the same events to the same views a second time).
        let server = try await startServer(["serve", "--store", url, "--data", data])
        defer { server.kill(SIGTERM) }
        let beside = try await crm(["customer", "list", "--store", url, "--data", data, "--json"])
        #expect(beside.status == 0 && beside.lines.contains { object($0)["id"] as? String == customer }, "\(beside.stderr)")
        let held = try await crm(["customer", "add", "--store", url, "--data", data, "--name", "Zhang San", "--group", "residential"])
        #expect(held.status == 3 && held.stderr.contains("held by another process (pid \(server.pid)"), "\(held.stderr)")
        let secondServer = try await crm(["serve", "--store", url, "--data", data, "--port", "20001"])
        #expect(secondServer.status == 3 && secondServer.stderr.contains("held by another process (pid \(server.pid)"), "\(secondServer.stderr)")
        // Another data directory has views of its own over the same log: built from it, and writable.
        let other = try await crm(["customer", "add", "--store", url, "--data", dir + "/other", "--name", "Zhang San", "--group", "residential", "--json"])
        #expect(other.status == 0, "\(other.stderr)")
        let both = try await crm(["customer", "list", "--store", url, "--data", dir + "/other", "--json"])
        #expect(both.lines.count == 2, "\(both.lines)")
        server.kill(SIGTERM)
        #expect(await server.waitForExit(timeout: 60))
        try await PostgresEventStore.destroy(configuration)

        // `crm demo` fills an empty PostgreSQL log (it wrote into an embedded log beside it, then found no
        // administrator in PostgreSQL), and refuses one that is not empty.
        var demoLog = configuration
        demoLog.schema = configuration.schema + "_demo"
        let demoURL = url.replacingOccurrences(of: "schema=\(configuration.schema)", with: "schema=\(demoLog.schema)")
        let demo = try await crm(["demo", "--store", demoURL, "--data", dir + "/demo", "--events", "500", "--json"])
        #expect(demo.status == 0 && (object(demo.lines.last)["token"] as? String)?.hasPrefix("crm_") == true, "\(demo.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/demo/log"), "no embedded log beside the PostgreSQL one")
        let demoed = try await PostgresEventStore.open(demoLog)
        #expect(try await demoed.headPosition().rawValue >= 500)
        await demoed.close()
        let again2 = try await crm(["demo", "--store", demoURL, "--data", dir + "/demo2", "--events", "500"])
        #expect(again2.status == 5 && again2.stderr.contains("the PostgreSQL log is not empty"), "\(again2.stderr)")
        try await PostgresEventStore.destroy(demoLog)
    }
}
