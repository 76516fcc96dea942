import Foundation
import Testing

@Suite("crm: export revenue")
struct RevenueExportCLITests {
    /// `crm export revenue --by chargeItem --period year --currency USD`: one CSV row per year and charge item
    /// in USD with growth and share (the demo's branches bill in their own currencies, at maintained rates).
    @Test func revenueExportsPerChargeItemAndYearInOneCurrencyWithGrowthAndShare() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let data = dir + "/data"
        #expect(try await crm(["demo", "--data", data, "--events", "5000"]).status == 0)
        let run = try await crm(["export", "revenue", "--data", data, "--by", "chargeItem", "--period", "year", "--currency", "USD"])
        #expect(run.status == 0, "\(run.stderr)")
        let rows = run.stdout.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(rows.first == "period,chargeItem,currency,amount,previous_amount,growth_percent,share_percent,entries,reversals")
        let cells = rows.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        #expect(!cells.isEmpty && cells.allSatisfy { $0.count == 9 && $0[2] == "USD" && Decimal(string: $0[3]) != nil }, "\(run.stdout.prefix(500))")
        // The shares of all rows add up to 100 % (each rounded to 2 places).
        let shares = cells.compactMap { Decimal(string: $0[6]) }.reduce(0, +)
        #expect(abs(shares - 100) <= Decimal(cells.count) * Decimal(string: "0.005")!, "\(shares)")

        let bad = try await crm(["export", "revenue", "--data", data, "--by", "chargeItem", "--period", "week"])
        #expect(bad.status == 64 && bad.stderr.contains("quarter"))
    }
}
