import Foundation
import Testing

/// The operator's record commands (exploratory round 2, F3 and F2): import headers, an import through a
/// server that stops, `customer add` with an unknown group, and `show` folding every record kind.
@Suite("crm: import headers, imports through a server, unknown groups and folded records", .serialized)
struct OperatorRecordFindingsTests {
    /// A demo store (forms for residential, business and key-account; revenue ledgers, settings) in `dir/data`,
    /// and the administrator's token id.
    private func demo(_ dir: String) async throws -> (data: String, tokenID: String) {
        let data = dir + "/data"
        let run = try await crm(["demo", "--data", data, "--events", "100", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        return (data, (object(run.lines.last ?? "")["tokenID"] as? String) ?? "")
    }

    @Test func demoJSONGivesTheTokenIDAsInitDoes() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let (_, tokenID) = try await demo(dir)
        #expect(UUID(uuidString: tokenID) != nil, "demo --json has tokenID")
    }

    @Test func importFoldsFullWidthProfileHeaders() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let (data, _) = try await demo(dir)
        write("ｎａｍｅ,ｇｒｏｕｐ,ｍｅｔｅｒＴｙｐｅ\nA,residential,gas\n", to: dir + "/wide.csv")
        let run = try await crm(["import", "customers", dir + "/wide.csv", "--data", data, "--dry-run"])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("would create 1"), "\(run.stdout)")
    }

    @Test func importRefusesAColumnWithoutAHeaderThatHoldsDataNamingItsPosition() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let (data, _) = try await demo(dir)
        write("name,,group,meterType\nA,SECRET,residential,gas\n", to: dir + "/blank.csv")
        let run = try await crm(["import", "customers", dir + "/blank.csv", "--data", data, "--dry-run"])
        #expect(run.status == 64, "\(run.stdout)\(run.stderr)")
        #expect(run.stderr.contains("column 2"), "\(run.stderr)")
        #expect(!run.stderr.contains("SECRET"))
        // An empty column without a header (a trailing comma) is no data: ignored, as before.
        write("name,group,meterType,\nA,residential,gas,\n", to: dir + "/trailing.csv")
        let trailing = try await crm(["import", "customers", dir + "/trailing.csv", "--data", data, "--dry-run"])
        #expect(trailing.status == 0, "\(trailing.stdout)\(trailing.stderr)")
        // --ignore-unknown-columns ignores it.
        let ignoring = try await crm(["import", "customers", dir + "/blank.csv", "--data", data, "--dry-run", "--ignore-unknown-columns"])
        #expect(ignoring.status == 0, "\(ignoring.stdout)\(ignoring.stderr)")
    }

    @Test func customerAddWithAnUnknownGroupAndAFieldSaysTheGroupIsUnknown() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let (data, _) = try await demo(dir)
        let run = try await crm(["customer", "add", "--name", "X", "--group", "NOSUCH", "--field", "meterType=gas", "--data", data])
        #expect(run.status == 5, "\(run.status) \(run.stderr)")
        #expect(run.stderr.contains("group: unknown customer group"), "\(run.stderr)")
    }

    @Test func showFoldsRevenueLedgersSettingsAndWorkflowDefinitions() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let (data, _) = try await demo(dir)
        let streams = try await crm(["dump", "--data", data]).lines.compactMap { object($0)["stream"] as? String }
        let ledger = try #require(streams.first { $0.hasPrefix("revenue-") })
        let definition = try #require(streams.first { $0.hasPrefix("workflowdef-") })
        for record in [ledger, "settings-global", definition] {
            let shown = try await crm(["show", record, "--data", data, "--json"])
            #expect(shown.status == 0, "\(record): \(shown.stderr)")
            let state = object(shown.stdout)["state"]
            #expect(state is [String: Any], "\(record) shows a folded state, not its events: \(shown.stdout.prefix(300))")
        }
        let ledgerState = object(try await crm(["show", ledger, "--data", data, "--json"]).stdout)["state"] as? [String: Any] ?? [:]
        #expect(ledgerState["entries"] is [Any], "\(ledgerState.keys)")
    }

    @Test func anImportThroughAServerStopsAtTheRefusedRowWithoutSendingLaterRows() async throws {
        let s = try await Served.start()
        defer { s.stop() }
        // The rows are judged on a copy of the server's store (a backup restored), which lacks a customer the
        // server then gets: the server refuses that row while writing.
        #expect(try await crm(["backup", s.dir + "/bk", "--data", s.data]).status == 0)
        let judge = s.dir + "/judge"
        #expect(try await crm(["restore", s.dir + "/bk", "--data", judge]).status == 0)
        let taken = UUID().uuidString.lowercased()
        #expect(try await s.post("/v1/customers", ["id": taken, "name": "Taken", "group": "residential", "kind": "person"]) == 201)
        let (first, later) = (UUID().uuidString.lowercased(), UUID().uuidString.lowercased())
        var rows = "id,name,group\n\(first),First,residential\n\(taken),Again,residential\n"
        let afterwards = (0..<20).map { _ in UUID().uuidString.lowercased() }
        for id in [later] + afterwards { rows += "\(id),Later,residential\n" }
        write(rows, to: s.dir + "/stop.csv")
        let remote = ["--data", judge, "--server", s.url, "--token", s.token]
        let run = try await crm(["import", "customers", s.dir + "/stop.csv"] + remote)
        #expect(run.status == 2, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("line 2: created \(first)"), "\(run.stdout)")
        #expect(run.stdout.contains("stopped at line 3"), "\(run.stdout)")
        #expect(try await s.get("/v1/customers/" + first) == 200)
        for id in [later] + afterwards {
            #expect(try await s.get("/v1/customers/" + id) == 404, "no row after the refused one is sent")
        }
        // Again, with --json: the first row is refused now; nothing was written.
        let again = try await crm(["import", "customers", s.dir + "/stop.csv", "--json"] + remote)
        #expect(again.status == 2, "\(again.stdout)\(again.stderr)")
        let report = object(again.lines.last ?? "")
        #expect(report["stoppedAt"] as? Int == 2 && report["written"] as? Bool == false, "\(again.stdout)")
    }
}
