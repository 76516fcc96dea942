import Foundation
import Testing

/// `crm export report` and `crm export revenue` read their months within the bound the engine and HTTP hold
/// (1900-01…9999-12, `RevenueQuery.monthsQueried`), and the overdue report over at most its month limit (1,200):
/// anything else is bad usage (64) naming the option, never a refusal from the engine (5) or a long run.
@Suite("crm: export report months", .serialized)
struct ExportReportMonthsTests {
    @Test func monthsBefore1900AndAnOverdueRangeOverItsLimitAreUsageErrorsNamingTheOption() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let data = dir + "/data"
        #expect(try await crm(["init", "--data", data, "--admin-name", "Ada"]).status == 0)
        let bad: [(arguments: [String], says: String)] = [
            (["report", "overdue", "--from", "0001-01"], "--from"),
            (["report", "costs", "--from", "1899-12", "--to", "2026-01"], "--from"),
            (["report", "overdue", "--from", "2026-01", "--to", "1899-12"], "--to"),
            (["report", "overdue", "--from", "1900-01", "--to", "9999-12"], "--to"),
            (["report", "overdue", "--from", "2000-01", "--to", "2100-01"], "--to"),
            (["revenue", "--from", "1899-12"], "--from"),
            (["revenue", "--from", "2026-01", "--through", "0500-01"], "--through"),
        ]
        for (arguments, says) in bad {
            let run = try await crm(["export"] + arguments + ["--data", data])
            #expect(run.status == 64 && run.stderr.contains(says), "\(arguments): \(run.status) \(run.stderr)")
        }
        for arguments in [["report", "overdue", "--from", "2000-01", "--to", "2099-12"], ["report", "costs", "--from", "1900-01", "--to", "9999-12"],
                          ["revenue", "--from", "1900-01", "--to", "9999-12"]] {
            let run = try await crm(["export"] + arguments + ["--data", data])
            #expect(run.status == 0, "\(arguments): \(run.status) \(run.stderr)")
        }
    }
}
