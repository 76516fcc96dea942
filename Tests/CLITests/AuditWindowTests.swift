import Foundation
import Testing

/// `crm audit` refuses what `GET /v1/audit/reads` refuses (a window the wrong way round, a limit outside 1 to
/// 10000) as bad usage instead of printing an empty table, and reads its window as CLI.md says: `--from`
/// from its instant on (a plain date: from the day's start), `--to` up to and including its instant (a plain
/// date: the whole day).
@Suite("crm audit: the window and limit are checked; plain dates cover their day", .serialized)
struct AuditWindowTests {
    @Test func aWindowTheWrongWayRoundOrALimitOutOfRangeIsBadUsage() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let data = dir + "/data"
        #expect(try await crm(["init", "--data", data, "--admin-name", "Ada"]).status == 0)
        let cases: [(arguments: [String], name: String)] = [
            (["--from", "2026-11-28", "--to", "2026-11-01"], "--from"),
            (["--from", "2026-11-28T12:00:00Z", "--to", "2026-11-28T11:59:59Z"], "--from"),
            (["--limit", "0"], "--limit"),
            (["--limit=-1"], "--limit"),
            (["--limit", "10001"], "--limit"),
        ]
        for (arguments, name) in cases {
            let run = try await crm(["audit", "--data", data] + arguments)
            #expect(run.status == 64, "\(arguments): \(run.status) \(run.stdout) \(run.stderr)")
            #expect(run.stderr.contains("error: \(name)"), "names \(name): \(arguments): \(run.stderr)")
            #expect(run.stdout.isEmpty, "no table: \(arguments): \(run.stdout)")
        }
        // The bounds of the HTTP route are allowed; one bound past the other's default is only an empty window.
        for arguments in [["--limit", "1"], ["--limit", "10000"], ["--from", "2999-01-01T00:00:00Z"]] {
            let run = try await crm(["audit", "--data", data] + arguments)
            #expect(run.status == 0, "\(arguments): \(run.stderr)")
        }
    }

    @Test func plainDatesCoverTheirWholeDayAndToIncludesItsInstant() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let data = dir + "/data"
        #expect(try await crm(["init", "--data", data, "--admin-name", "Ada"]).status == 0)
        // A read of the whole log is audited (`log:dump from 1` under system@crm-cli).
        #expect(try await crm(["dump", "--data", data]).status == 0)
        let all = try await crm(["audit", "--data", data, "--json"])
        #expect(all.status == 0, "\(all.stderr)")
        let entry = try #require(all.lines.map(object).first { ($0["record"] as? String)?.hasPrefix("log:dump") == true }, "\(all.stdout)")
        let at = try #require(entry["at"] as? String)
        let day = String(at.prefix(10))
        func records(_ arguments: [String]) async throws -> [String] {
            let run = try await crm(["audit", "--data", data, "--json"] + arguments)
            #expect(run.status == 0, "\(arguments): \(run.stderr)")
            return run.lines.compactMap { object($0)["record"] as? String }
        }
        // `--from DAY --to DAY`: that whole day (a plain `--from` was read as the day's end: nothing before it).
        #expect(try await records(["--from", day, "--to", day]).contains { $0.hasPrefix("log:dump") })
        #expect(try await records(["--from", day]).contains { $0.hasPrefix("log:dump") })
        // `--to` includes its instant (the entry's time as listed, to the millisecond).
        #expect(try await records(["--from", day, "--to", at]).contains { $0.hasPrefix("log:dump") })
    }
}
