import Foundation
import Testing

/// `crm export report`'s options are checked as the HTTP report routes check them, with the same parsers:
/// months exactly `YYYY-MM`, the first not after the last, an ISO 4217 currency, a `--by` only on the reports
/// grouped by something — anything else is bad usage (64), never an empty report (0) or a refusal (5).
@Suite("crm: export report options", .serialized)
struct ReportExportOptionsTests {
    @Test func malformedMonthsCurrenciesReversedRangesAndAnUnexpectedByAreUsageErrors() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let data = dir + "/data"
        #expect(try await crm(["init", "--data", data, "--admin-name", "Ada"]).status == 0)
        // Each error names the option, never the text given (it may be anything a person typed).
        let bad: [(arguments: [String], says: String, typed: String?)] = [
            (["overdue", "--from", "26-11"], "--from", "26-11"),
            (["overdue", "--from", "2026-3"], "--from", "2026-3"),
            (["overdue", "--from", "2026-03", "--to", "2026-003"], "--to", "2026-003"),
            (["revenue-by-manager", "--from", "2026-03", "--currency", "XXX"], "--currency", "XXX"),
            (["revenue-by-manager", "--from", "2026-03", "--currency", "ABC"], "--currency", "ABC"),
            (["revenue-by-manager", "--from", "2026-03", "--currency", "usd"], "--currency", "usd"),
            (["overdue", "--from", "2026-04", "--to", "2026-03"], "--from", nil),
            (["overdue", "--from", "2026-03", "--by", "month"], "--by", nil),
            (["task-completion", "--from", "2026-03", "--by", "assignee"], "--by", "assignee"),
            (["overdue", "--from", "2026-03", "--period", "quarter"], "--period", "quarter"),
        ]
        for (arguments, says, typed) in bad {
            let run = try await crm(["export", "report"] + arguments + ["--data", data])
            #expect(run.status == 64 && run.stderr.contains(says), "\(arguments): \(run.status) \(run.stderr)")
            if let typed { #expect(!run.stderr.contains(typed), "\(arguments): \(run.stderr)") }
        }
        // The revenue export reads its months and currency with the same parsers.
        for arguments in [["--from", "26-01"], ["--currency", "XXX"], ["--from", "2026-04", "--through", "2026-03"]] {
            let run = try await crm(["export", "revenue"] + arguments + ["--data", data])
            #expect(run.status == 64, "\(arguments): \(run.status) \(run.stderr)")
        }
        for arguments in [["overdue", "--from", "2026-03", "--to", "2026-04"], ["revenue-by-manager", "--from", "2026-03", "--currency", "USD"],
                          ["costs", "--from", "2026-03", "--by", "category"], ["composition", "--from", "2026-03", "--by", "industry"]] {
            let run = try await crm(["export", "report"] + arguments + ["--data", data])
            #expect(run.status == 0, "\(arguments): \(run.status) \(run.stderr)")
        }
    }
}
