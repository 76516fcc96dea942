import Foundation
import Testing

@Suite("crm: import and export of customers", .serialized)
struct ImportExportTests {
    /// A store with an administrator, and the paths of the test.
    private func fresh() async throws -> (dir: String, data: String) {
        let dir = temporaryDirectory()
        let data = dir + "/data"
        let run = try await crm(["init", "--data", data, "--admin-name", "Ada"])
        #expect(run.status == 0, "\(run.stderr)")
        return (dir, data)
    }

    private func customerCount(_ data: String) async throws -> Int {
        try await crm(["customer", "list", "--data", data, "--json"]).lines.count
    }

    @Test func aGoodFileWithBOMCRLFQuotesAndChineseImportsAndRoundTrips() async throws {
        let (dir, data) = try await fresh()
        defer { cleanup(dir) }
        let csv = "Name,External Key,Industry,Branch\r\n"
            + "\"Li, \"\"Wei\"\"\",K-1,water,north\r\n"
            + "张伟,K-2,\"gas, and power\",南区\r\n"
            + "Acme Ltd,K-3,,north\r\n"
        write(csv, to: dir + "/good.csv", bom: true)
        let run = try await crm(["import", "customers", dir + "/good.csv", "--data", data, "--group", "residential"])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("created 3, updated 0, unchanged 0, invalid 0"))

        let again = try await crm(["import", "customers", dir + "/good.csv", "--data", data, "--group", "residential"])
        #expect(again.stdout.contains("created 0, updated 0, unchanged 3"), "\(again.stdout)")

        let export = try await crm(["export", "customers", "--data", data, "--bom", "--out", dir + "/out.csv"])
        #expect(export.status == 0, "\(export.stderr)")
        let bytes = try #require(FileManager.default.contents(atPath: dir + "/out.csv"))
        #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF])
        let text = String(decoding: bytes.dropFirst(3), as: UTF8.self)
        #expect(text.contains("\"Li, \"\"Wei\"\"\""))
        #expect(text.contains("\"gas, and power\""))
        #expect(text.contains("张伟"))
        #expect(text.contains("南区"))
        #expect(text.hasSuffix("\r\n"))
        #expect(text.components(separatedBy: "\r\n").count == 5)  // header, 3 rows, the final empty piece

        // The export imports again onto the same customers (by their ids) and changes nothing.
        let reimport = try await crm(["import", "customers", dir + "/out.csv", "--data", data, "--group", "residential",
                                      "--ignore-unknown-columns"])
        #expect(reimport.status == 0, "\(reimport.stdout)\(reimport.stderr)")
        #expect(reimport.stdout.contains("created 0, updated 0, unchanged 3"), "\(reimport.stdout)")
        #expect(try await customerCount(data) == 3)
        // Edited in a spreadsheet, a row updates its customer: only what changed.
        let edited = text.replacingOccurrences(of: "Acme Ltd", with: "Acme Holdings")
        write(edited, to: dir + "/edited.csv", bom: false)
        let update = try await crm(["import", "customers", dir + "/edited.csv", "--data", data, "--group", "residential",
                                    "--ignore-unknown-columns"])
        #expect(update.stdout.contains("created 0, updated 1, unchanged 2"), "\(update.stdout)\(update.stderr)")
        #expect(try await customerCount(data) == 3)
    }

    @Test("An export neutralises names a spreadsheet would run as formulas, keeps numbers, and imports back to the same names")
    func formulaCellsAreNeutralisedOnExportAndRestoredOnImport() async throws {
        let (dir, data) = try await fresh()
        defer { cleanup(dir) }
        let names = ["=HYPERLINK(\"http://x\",\"y\")", "@SUM(1)", "+cmd", "-12.5", "'=already quoted", "Plain"]
        for name in names {
            // `--name=…`: a value starting with a dash is not taken for an option.
            let added = try await crm(["customer", "add", "--data", data, "--name=\(name)", "--group", "residential"])
            #expect(added.status == 0, "\(added.stderr)")
        }
        let export = try await crm(["export", "customers", "--data", data, "--out", dir + "/out.csv"])
        #expect(export.status == 0, "\(export.stderr)")
        let text = String(decoding: try #require(FileManager.default.contents(atPath: dir + "/out.csv")), as: UTF8.self)
        // Each name is the second cell, after the id: quoted (and its quotes doubled) when it holds commas.
        #expect(text.contains(",\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\","), "\(text)")
        #expect(text.contains(",'@SUM(1),") && text.contains(",'+cmd,") && text.contains(",''=already quoted,"), "\(text)")
        #expect(text.contains(",-12.5,") && !text.contains("'-12.5"), "a number is no formula: \(text)")
        #expect(text.contains(",Plain,"))

        // Into another store: the names are those exported, without the quotes the export added.
        let other = dir + "/other"
        #expect(try await crm(["init", "--data", other, "--admin-name", "Bea"]).status == 0)
        let imported = try await crm(["import", "customers", dir + "/out.csv", "--data", other, "--ignore-column", "id", "--ignore-unknown-columns"])
        #expect(imported.status == 0 && imported.stdout.contains("created \(names.count)"), "\(imported.stdout)\(imported.stderr)")
        let listed = try await crm(["customer", "list", "--data", other, "--json"])
        #expect(Set(listed.lines.compactMap { object($0)["name"] as? String }) == Set(names), "\(listed.stdout)")
    }

    @Test func invalidRowsAreListedWithLineNumbersAndNothingIsWritten() async throws {
        let (dir, data) = try await fresh()
        defer { cleanup(dir) }
        let csv = "name,kind,external_key,birthday\n"
            + "Good One,person,A-1,1980-01-02\n"           // line 2
            + ",person,A-2,\n"                              // line 3: no name
            + "\"Two\nLines\",person,A-3,\n"                // lines 4-5: a name is one line
            + "Bad Kind,robot,A-4,\n"                       // line 6
            + "Bad Date,person,A-5,1980-13-40\n"            // line 7
            + "Repeat,person,A-1,\n"                        // line 8: key of line 2
        write(csv, to: dir + "/bad.csv")
        let run = try await crm(["import", "customers", dir + "/bad.csv", "--data", data, "--group", "residential"])
        #expect(run.status == 2, "\(run.stdout)\(run.stderr)")
        let reported = run.lines.filter { $0.hasPrefix("line ") }.compactMap { $0.split(separator: ":").first.map(String.init) }
        #expect(reported == ["line 3", "line 4", "line 6", "line 7", "line 8"])
        #expect(run.stdout.contains("line 8: external_key: repeats the key of line 2"))
        #expect(run.stderr.contains("--skip-invalid"))
        #expect(try await customerCount(data) == 0)

        // A dry run counts what the import would do, and writes nothing; with --skip-invalid it answers as
        // the real run would.
        let dry = try await crm(["import", "customers", dir + "/bad.csv", "--data", data, "--group", "residential", "--dry-run"])
        #expect(dry.status == 2 && dry.stdout.contains("dry run: would create 1, update 0, leave unchanged 0, invalid 5"), "\(dry.stdout)\(dry.stderr)")
        let drySkipping = try await crm(["import", "customers", dir + "/bad.csv", "--data", data, "--group", "residential", "--dry-run", "--skip-invalid"])
        #expect(drySkipping.status == 0 && drySkipping.stdout.contains("would create 1"), "\(drySkipping.stdout)\(drySkipping.stderr)")
        #expect(try await customerCount(data) == 0)

        let skipping = try await crm(["import", "customers", dir + "/bad.csv", "--data", data, "--group", "residential", "--skip-invalid"])
        #expect(skipping.status == 0, "\(skipping.stderr)")
        #expect(skipping.stdout.contains("created 1"))
        #expect(try await customerCount(data) == 1)
        let second = try await crm(["import", "customers", dir + "/bad.csv", "--data", data, "--group", "residential", "--skip-invalid"])
        #expect(second.stdout.contains("created 0, updated 0, unchanged 1"))
        #expect(try await customerCount(data) == 1)
    }

    @Test func aQuoteNeverClosedIsReportedWithItsLineInsteadOfSwallowingTheRest() async throws {
        let (dir, data) = try await fresh()
        defer { cleanup(dir) }
        write("name,external_key\n\"Say \"\"hi\"\"\",Q-1\n\"unterminated,Q-2\nB,Q-3\n", to: dir + "/q.csv")
        let run = try await crm(["import", "customers", dir + "/q.csv", "--data", data, "--group", "residential"])
        #expect(run.status == 64, "\(run.stdout)\(run.stderr)")
        #expect(run.stderr.contains("quote opened on line 3 and never closed"), "\(run.stderr)")
        #expect(try await customerCount(data) == 0)
        // A quote inside an unquoted field is a plain character, as the reader reads it.
        write("name,external_key\nScreen 27\" wide,Q-9\nDesk,Q-10\n", to: dir + "/inch.csv")
        let inch = try await crm(["import", "customers", dir + "/inch.csv", "--data", data, "--group", "residential"])
        #expect(inch.status == 0 && inch.stdout.contains("created 2"), "\(inch.stdout)\(inch.stderr)")
    }

    @Test func unknownColumnsAreAnErrorUnlessMappedOrIgnored() async throws {
        let (dir, data) = try await fresh()
        defer { cleanup(dir) }
        write("Full Name,Shoe Size\nLi Wei,42\n", to: dir + "/odd.csv")
        let refused = try await crm(["import", "customers", dir + "/odd.csv", "--data", data, "--group", "residential"])
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("`Full Name`"))
        write("full name = name\nshoe size = -\n", to: dir + "/map.txt")
        let mapped = try await crm(["import", "customers", dir + "/odd.csv", "--data", data, "--group", "residential", "--map", dir + "/map.txt"])
        #expect(mapped.status == 0, "\(mapped.stdout)\(mapped.stderr)")
        #expect(mapped.stdout.contains("created 1"))
    }

    @Test func aGeneratedFileWithSomeBadRows() async throws {
        let (dir, data) = try await fresh()
        defer { cleanup(dir) }
        let count = Int(ProcessInfo.processInfo.environment["CRM_IMPORT_ROWS"] ?? "") ?? 10_000
        var csv = "name,external_key,industry,birthday\r\n"
        var bad: [Int] = []
        for i in 1...count {
            let line = i + 1
            if i % 97 == 0 {
                csv += "Customer \(i),G-\(i),retail,not-a-date\r\n"
                bad.append(line)
            } else {
                csv += "\"客户 \(i), Ltd\",G-\(i),retail,\r\n"
            }
        }
        write(csv, to: dir + "/many.csv", bom: true)
        let strict = try await crm(["import", "customers", dir + "/many.csv", "--data", data, "--group", "residential", "--json"])
        #expect(strict.status == 2)
        let report = object(strict.lines.first ?? "")
        let lines = (report["invalid"] as? [[String: Any]] ?? []).compactMap { $0["line"] as? Int }
        #expect(lines == bad)
        let run = try await crm(["import", "customers", dir + "/many.csv", "--data", data, "--group", "residential", "--skip-invalid", "--json"])
        #expect(object(run.lines.last ?? "")["created"] as? Int == count - bad.count)
        #expect(try await customerCount(data) == count - bad.count)
        let again = try await crm(["import", "customers", dir + "/many.csv", "--data", data, "--group", "residential", "--skip-invalid", "--json"])
        #expect(object(again.lines.last ?? "")["unchanged"] as? Int == count - bad.count)
    }
}
