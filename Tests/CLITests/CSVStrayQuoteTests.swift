import Foundation
import Testing

/// A quoted field with text after its closing quote (`"called" twice`) is refused with its line (exit 64),
/// as an unclosed quote is: the CSV reader would keep the field open up to the next quote and take the rows
/// between into it, silently. Nothing is written, for a dry run or a real import.
@Suite("crm: import of a CSV file with a stray quote", .serialized)
struct CSVStrayQuoteTests {
    private func customerCount(_ data: String) async throws -> Int {
        try await crm(["customer", "list", "--data", data, "--json"]).lines.count
    }

    @Test func aQuotedFieldWithTextAfterItsClosingQuoteIsRefusedWithItsLine() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let data = dir + "/data"
        let initialised = try await crm(["init", "--data", data, "--admin-name", "Ada"])
        #expect(initialised.status == 0, "\(initialised.stderr)")
        write("name,external_key,note\nA2,S-1,\"phoned\" twice\nB2,S-2,ok\nC2,S-3,\"ok\"\n", to: dir + "/stray.csv")
        for extra in [["--dry-run"], []] {
            let run = try await crm(["import", "customers", dir + "/stray.csv", "--data", data, "--group", "residential", "--ignore-column", "note"] + extra)
            #expect(run.status == 64, "\(extra) \(run.stdout)\(run.stderr)")
            #expect(run.stderr.contains("quoted field opened on line 2 with text after its closing quote"), "\(run.stderr)")
            #expect(!run.stderr.contains("phoned"), "the error never repeats the file's text: \(run.stderr)")
        }
        #expect(try await customerCount(data) == 0)

        // A quoted field spanning lines, then a stray quote: reported on the line the field opens on.
        write("name,external_key\nB3,S-4\n\"Acme\nNorth\" Ltd,S-5\nC3,S-6\n", to: dir + "/multi.csv")
        let multi = try await crm(["import", "customers", dir + "/multi.csv", "--data", data, "--group", "residential"])
        #expect(multi.status == 64 && multi.stderr.contains("opened on line 3"), "\(multi.stderr)")
        #expect(try await customerCount(data) == 0)
    }

    @Test func quotedFieldsClosedBeforeACommaOrALineEndStillImport() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let data = dir + "/data"
        let initialised = try await crm(["init", "--data", data, "--admin-name", "Ada"])
        #expect(initialised.status == 0, "\(initialised.stderr)")
        // LF, CRLF and a lone CR after a closing quote; a doubled quote inside; a quote within an unquoted field.
        write("name,external_key\n\"Li \"\"W\"\"\",\"K-1\"\r\n\"Acme, Ltd\",\"K-2\"\rScreen 27\" wide,K-3\n\"Last\",\"K-4\"", to: dir + "/good.csv")
        let run = try await crm(["import", "customers", dir + "/good.csv", "--data", data, "--group", "residential"])
        #expect(run.status == 0 && run.stdout.contains("created 4"), "\(run.stdout)\(run.stderr)")
        #expect(try await customerCount(data) == 4)
    }
}
