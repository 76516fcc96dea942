import Foundation
import Testing

/// `crm import customers` refuses a row whose group is not known (no form defined for it), reporting it
/// with its line like any other invalid row; nothing is written for a dry run or for refused rows.
@Suite("crm: import of customers in unknown groups", .serialized)
struct ImportUnknownGroupTests {
    private func customerCount(_ data: String) async throws -> Int {
        try await crm(["customer", "list", "--data", data, "--json"]).lines.count
    }

    @Test func rowsInUnknownGroupsAreReportedWithTheirLinesAndNeverWritten() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let data = dir + "/data"
        // The demo defines forms for residential, business and key-account.
        let demo = try await crm(["demo", "--data", data, "--events", "2000"])
        #expect(demo.status == 0, "\(demo.stderr)")
        let before = try await customerCount(data)
        write("name,group,meterType\n"
              + "Good Row,residential,gas\n"      // line 2
              + "Typo Row,residental,gas\n"       // line 3: a mistyped group, with a field of the intended form
              + "No Form Row,vip,\n",             // line 4: a group without a form
              to: dir + "/groups.csv")

        let strict = try await crm(["import", "customers", dir + "/groups.csv", "--data", data])
        #expect(strict.status == 2, "\(strict.stdout)\(strict.stderr)")
        #expect(strict.stdout.contains("line 3: group: unknown customer group; known groups: residential"), "\(strict.stdout)")
        #expect(strict.stdout.contains("line 4: group: unknown customer group"), "\(strict.stdout)")
        #expect(!strict.stdout.contains("line 2"), "\(strict.stdout)")
        #expect(try await customerCount(data) == before)

        let dry = try await crm(["import", "customers", dir + "/groups.csv", "--data", data, "--dry-run", "--json"])
        #expect(dry.status == 2, "\(dry.stdout)\(dry.stderr)")
        let report = object(dry.lines.first ?? "")
        let invalid = report["invalid"] as? [[String: Any]] ?? []
        #expect(invalid.compactMap { $0["line"] as? Int } == [3, 4])
        #expect(invalid.allSatisfy { $0["field"] as? String == "group" })
        #expect(report["created"] as? Int == 1 && report["written"] as? Bool == false)
        #expect(try await customerCount(data) == before)

        let skipping = try await crm(["import", "customers", dir + "/groups.csv", "--data", data, "--skip-invalid"])
        #expect(skipping.status == 0, "\(skipping.stdout)\(skipping.stderr)")
        #expect(skipping.stdout.contains("created 1, updated 0, unchanged 0, invalid 2 (skipped)"), "\(skipping.stdout)")
        #expect(try await customerCount(data) == before + 1)
    }
}
