import CRMEngine
import Foundation
import NIOHTTP1
import Testing

/// A report table's work is bounded per request: the overdue report, which reads the ticket board once per
/// month of its range, covers at most `ReportName.monthLimit` (1,200) months — a longer range is a 400 naming
/// `through`, refused before the board is read (1900-01…9999-12 used to read the board 97,200 times); the reports whose work
/// grows with their data only take any range of the 1900-01…9999-12 bound.
@Suite struct ReportRangeCapTests {
    @Test func anOverdueTableOverMoreThan1200MonthsIsA400NamingThroughAndTheOtherTablesTakeTheWholeBound() async throws {
        try await LiveServer.with("report-range-cap") { s in
            for range in ["from=1900-01&through=9999-12", "from=1900-01&through=2000-01", "from=8000-01&through=9999-12"] {
                let answer = try await s.send(.GET, "/v1/reports/tables/overdue?\(range)")
                #expect(answer.status == 400 && text(answer.json["field"]) == "through", "\(range): \(answer.status) \(answer.text.prefix(300))")
            }
            for format in ["json", "csv"] {
                try await s.expect(.GET, "/v1/reports/tables/overdue?from=1900-01&through=1999-12&format=\(format)")
            }
            for name in CRMEngine.ReportName.allCases where name != .overdue {
                try await s.expect(.GET, "/v1/reports/tables/\(name.rawValue)?from=1900-01&through=9999-12")
            }
        }
    }
}
