import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing

@Suite("crm: export of reports", .serialized)
struct ReportExportTests {
    @Test func anInterruptedReportExportLeavesNoScratchViewsBehind() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let data = dir + "/data"
        #expect(try await crm(["demo", "--data", data, "--events", "30000"]).status == 0)
        let scratch = dir + "/tmp"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        // The composition report builds three views, customer-activity among them, over the 30,000 events.
        let export = try start(["export", "report", "composition", "--from", "2026-01", "--by", "industry", "--data", data],
                               environment: ["TMPDIR": scratch])
        // Interrupted while it builds its views in a directory of its own (looked for every 0.5 ms; the start
        // may be slow on a busy machine).
        let deadline = Date().addingTimeInterval(120)
        while ((try? FileManager.default.contentsOfDirectory(atPath: scratch)) ?? []).isEmpty, export.process.isRunning, Date() < deadline {
            usleep(500)
        }
        let began = !((try? FileManager.default.contentsOfDirectory(atPath: scratch)) ?? []).isEmpty
        export.process.interrupt()  // never a raw kill: the child may be reaped already, its pid reused
        export.process.waitUntilExit()
        let run = export.finish()
        #expect(began, "the export made its scratch directory: \(run.status) \(run.stderr)")
        #expect([SIGINT, 0, 128 + SIGINT].contains(run.status), "ended by the interrupt, or done just before it: \(run.status) \(run.stderr)")
        // Removed on the interrupt; should a thread of the work have written into it meanwhile, the next
        // export removes what is left of a process that is gone.
        let next = try start(["export", "report", "composition", "--from", "2026-01", "--by", "industry", "--data", data], environment: ["TMPDIR": scratch])
        next.process.waitUntilExit()
        let nextRun = next.finish()
        #expect(nextRun.status == 0, "\(nextRun.stderr)")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: scratch)) ?? []).isEmpty, "no copy of the views is left")
    }

    @Test func aReportExportsAsCSVWithItsNameAndMonths() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let data = dir + "/data"
        #expect(try await crm(["init", "--data", data, "--admin-name", "Ada"]).status == 0)
        write("name,external_key,industry,branch\r\nOne,K-1,water,north\r\nTwo,K-2,water,north\r\nThree,K-3,\"gas, power\",south\r\n", to: dir + "/c.csv")
        let imported = try await crm(["import", "customers", dir + "/c.csv", "--data", data, "--group", "residential"])
        #expect(imported.status == 0, "\(imported.stdout)\(imported.stderr)")
        let today = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC") ?? .current, from: Date())
        let month = String(format: "%04d-%02d", today.year ?? 0, today.month ?? 0)

        // Composition by industry: water 2 of 3 (66.67 %), "gas, power" 1 of 3 (33.33 %), no revenue yet.
        let run = try await crm(["export", "report", "composition", "--data", data, "--from", month, "--to", month, "--by", "industry", "--bom",
                                 "--out", dir + "/composition.csv"])
        #expect(run.status == 0, "\(run.stderr)")
        let bytes = try #require(FileManager.default.contents(atPath: dir + "/composition.csv"))
        #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF])
        let text = String(decoding: bytes.dropFirst(3), as: UTF8.self)
        #expect(text == "class,customers,percent,value\r\nwater,2,66.67,0\r\n\"gas, power\",1,33.33,0\r\n")
        let north = try await crm(["export", "report", "composition", "--data", data, "--from", month, "--by", "branch", "--branch", "north"])
        #expect(north.stdout == "class,customers,percent,value\r\nnorth,2,100,0\r\n")

        let unknown = try await crm(["export", "report", "nonsense", "--data", data, "--from", month])
        #expect(unknown.status == 64 && unknown.stderr.contains("overdue"))
        let noMonth = try await crm(["export", "report", "overdue", "--data", data])
        #expect(noMonth.status == 64 && noMonth.stderr.contains("--from"))
    }

    /// A class the composition report does not know is a usage error (64), as an unknown dimension of the
    /// other reports is, named by its option with the classes it knows (not repeating what was typed) — not the
    /// engine's refusal (5).
    @Test func anUnknownCompositionClassIsAUsageError() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let data = dir + "/data"
        #expect(try await crm(["init", "--data", data, "--admin-name", "Ada"]).status == 0)
        let run = try await crm(["export", "report", "composition", "--data", data, "--from", "2026-01", "--by", "nonsense"])
        #expect(run.status == 64 && run.stderr.contains("--by") && !run.stderr.contains("nonsense") && run.stderr.contains("industry"),
                "\(run.status) \(run.stderr)")
        let known = try await crm(["export", "report", "composition", "--data", data, "--from", "2026-01", "--by", "tier"])
        #expect(known.status == 0, "\(known.stderr)")
    }
}
