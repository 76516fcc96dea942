import Foundation
import Testing

/// Command-line inputs judged as docs/CLI.md says: a task's due time is an instant (a date alone is bad
/// usage, as for an appointment); a malformed `--owner` is bad usage; `migrate-store` answers a missing
/// source with 4 and a URL that is no PostgreSQL one with 64, naming its own options; an empty CSV file is
/// "empty"; a header alone imports nothing; the ids the CLI makes are time ordered (UUIDv7).
@Suite("crm: input findings", .serialized)
struct CLIInputFindingsTests {
    /// A store with an administrator and one customer; the paths and the customer's id.
    private func fresh() async throws -> (dir: String, data: String, customer: String) {
        let dir = temporaryDirectory()
        let data = dir + "/data"
        let run = try await crm(["init", "--data", data, "--admin-name", "Ada"])
        #expect(run.status == 0, "\(run.stderr)")
        let added = try await crm(["customer", "add", "--data", data, "--name", "Li Wei", "--group", "residential", "--json"])
        #expect(added.status == 0, "\(added.stderr)")
        return (dir, data, object(added.lines.first ?? "")["id"] as? String ?? "")
    }

    private func logHead(_ data: String) async throws -> String {
        try await crm(["stats", "--data", data]).lines.first { $0.contains("head") } ?? ""
    }

    @Test func aTasksDueTimeIsAnInstantAndADateAloneIsBadUsage() async throws {
        let (dir, data, customer) = try await fresh()
        defer { cleanup(dir) }
        let employee = UUID().uuidString.lowercased()  // refused before anyone is looked up
        let before = try await logHead(data)
        let dispatch = try await crm(["task", "dispatch", "--data", data, "--title", "Call", "--assignee", employee,
                                      "--customer", customer, "--due", "2027-03-02"])
        #expect(dispatch.status == 64, "\(dispatch.stdout)\(dispatch.stderr)")
        #expect(dispatch.stderr.contains("--due: not a time (a date alone is not enough)"), "\(dispatch.stderr)")
        let reschedule = try await crm(["task", "reschedule", UUID().uuidString.lowercased(), "--data", data, "--due", "2027-04-01"])
        #expect(reschedule.status == 64 && reschedule.stderr.contains("--due: not a time"), "\(reschedule.stderr)")
        #expect(try await logHead(data) == before)
    }

    @Test func aMalformedOwnerFilterIsBadUsage() async throws {
        let (dir, data, _) = try await fresh()
        defer { cleanup(dir) }
        let run = try await crm(["customer", "list", "--data", data, "--owner", "nope"])
        #expect(run.status == 64 && run.stderr.contains("--owner: not an employee id"), "\(run.stdout)\(run.stderr)")
        #expect(!run.stderr.contains("nope"))
        let wellFormed = try await crm(["customer", "list", "--data", data, "--owner", UUID().uuidString, "--json"])
        #expect(wellFormed.status == 0 && wellFormed.lines.isEmpty, "\(wellFormed.stdout)\(wellFormed.stderr)")
    }

    @Test func migrateStoreAnswersAMissingSourceAndAForeignURLWithTheirCodes() async throws {
        let (dir, data, _) = try await fresh()
        defer { cleanup(dir) }
        let missing = try await crm(["migrate-store", "--from", dir + "/nothing", "--to", "postgres://crm@127.0.0.1:1/crm"])
        #expect(missing.status == 4, "\(missing.stderr)")
        #expect(missing.stderr.contains("--from") && !missing.stderr.contains("--data") && !missing.stderr.contains("--store"), "\(missing.stderr)")
        let mysql = try await crm(["migrate-store", "--from", data, "--to", "mysql://user:secret@db/crm"])
        #expect(mysql.status == 64 && mysql.stderr.contains("--to: not a PostgreSQL log's URL"), "\(mysql.stderr)")
        #expect(!mysql.stderr.contains("secret"))
        let help = try await crm(["migrate-store", "--help"])
        #expect(help.stdout.contains("5 when the target holds other events"), "\(help.stdout)")
    }

    @Test func anEmptyFileIsEmptyAndAHeaderAloneImportsNothing() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let data = dir + "/data"
        // The demo defines the residential form, whose fields include meterType.
        let demo = try await crm(["demo", "--data", data, "--events", "2000"])
        #expect(demo.status == 0, "\(demo.stderr)")
        write("", to: dir + "/empty.csv")
        for file in [dir + "/empty.csv", "/dev/null"] {
            let run = try await crm(["import", "customers", file, "--data", data])
            #expect(run.status == 64 && run.stderr.contains("is empty") && !run.stderr.contains("cannotReadHeaderRow"), "\(file): \(run.stderr)")
        }
        write("name,group,meterType\n", to: dir + "/header.csv")
        let header = try await crm(["import", "customers", dir + "/header.csv", "--data", data])
        #expect(header.status == 0 && header.stdout.contains("created 0, updated 0, unchanged 0, invalid 0"), "\(header.stdout)\(header.stderr)")
        // A column no form has is still unknown.
        write("name,group,shoe size\n", to: dir + "/odd.csv")
        let odd = try await crm(["import", "customers", dir + "/odd.csv", "--data", data])
        #expect(odd.status == 64 && odd.stderr.contains("unknown column(s): `shoe size`"), "\(odd.stderr)")
    }

    @Test func idsTheCommandLineMakesAreTimeOrdered() async throws {
        let (dir, data, customer) = try await fresh()
        defer { cleanup(dir) }
        let appointment = try await crm(["customer", "appointment", "add", customer, "--data", data, "--kind", "install",
                                         "--at", "2030-01-01T09:00:00Z", "--address", "1 Road", "--json"])
        #expect(appointment.status == 0, "\(appointment.stderr)")
        let installation = try await crm(["customer", "installation", "add", customer, "--data", data, "--address", "1 Road", "--meter", "M-1", "--json"])
        #expect(installation.status == 0, "\(installation.stderr)")
        let ids = [object(appointment.lines.first ?? "")["appointmentId"], object(installation.lines.first ?? "")["installationId"]].compactMap { $0 as? String }
        #expect(ids.count == 2, "\(appointment.stdout)\(installation.stdout)")
        for id in ids { #expect(Array(id)[14] == "7", "a UUIDv7: \(id)") }
    }
}
