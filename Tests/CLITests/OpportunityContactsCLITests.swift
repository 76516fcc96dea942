import Foundation
import Testing

@Suite("crm opportunity: open with contacts, add and remove them", .serialized)
struct OpportunityContactsCLITests {
    private func id(_ run: Run) -> String { (object(run.lines.last ?? "")["id"] as? String) ?? "" }

    /// The opportunity's state as `crm show --json` prints it.
    private func contacts(of opportunity: String, data: String) async throws -> [String] {
        let shown = try await crm(["show", "opportunity-" + opportunity, "--data", data, "--json"])
        #expect(shown.status == 0, "\(shown.stderr)")
        let state = object(shown.stdout)["state"] as? [String: Any] ?? [:]
        return (state["contacts"] as? [String] ?? []).map { $0.lowercased() }
    }

    @Test func contactsOfTheCustomerAreNamedLocallyAndThroughTheServerAndOthersAreRefused() async throws {
        var customer = ""
        var other = ""
        let s = try await Served.start { data, _ in
            customer = (object(try await crm(["customer", "add", "--data", data, "--name", "Acme", "--group", "residential", "--json"]).lines.last ?? "")["id"] as? String) ?? ""
            other = (object(try await crm(["customer", "add", "--data", data, "--name", "Other", "--group", "residential", "--json"]).lines.last ?? "")["id"] as? String) ?? ""
        }
        defer { s.stop() }
        let (ann, bob, theirs) = ("0190a1b2-0000-7000-8000-0000000000a1", "0190a1b2-0000-7000-8000-0000000000b2", "0190a1b2-0000-7000-8000-0000000000c3")
        #expect(try await s.post("/v1/contacts", ["id": ann, "customerId": customer, "name": "Ann"]) == 201)
        #expect(try await s.post("/v1/contacts", ["id": bob, "customerId": customer, "name": "Bob"]) == 201)
        #expect(try await s.post("/v1/contacts", ["id": theirs, "customerId": other, "name": "Theirs"]) == 201)
        let remote = ["--data", s.data, "--server", s.url, "--token", s.token]

        let open = ["opportunity", "open", "--customer", customer, "--title", "Heat pump", "--source", "visit", "--revenue", "5000 CNY",
                    "--close", "2026-06-30", "--owner", s.admin]
        // Another customer's contact: refused by the engine (5), naming the field.
        let refused = try await crm(open + remote + ["--contact", ann, "--contact", theirs])
        #expect(refused.status == 5 && refused.stderr.contains("contacts"), "\(refused.stderr)")
        let opened = try await crm(open + remote + ["--contact", ann, "--json"])
        #expect(opened.status == 0, "\(opened.stderr)")
        let opportunity = id(opened)
        try await Task.sleep(for: .milliseconds(200))
        #expect(try await contacts(of: opportunity, data: s.data) == [ann])

        let added = try await crm(["opportunity", "contact", "add", opportunity, bob, ann] + remote + ["--json"])
        #expect(added.status == 0 && object(added.lines.last ?? "")["changed"] as? Bool == true, "\(added.stderr)")
        let again = try await crm(["opportunity", "contact", "add", opportunity, bob] + remote)
        #expect(again.status == 0 && again.stdout.contains("Nothing changed."), "\(again.stdout) \(again.stderr)")
        #expect(try await crm(["opportunity", "contact", "add", opportunity, theirs] + remote).status == 5)
        let removed = try await crm(["opportunity", "contact", "remove", opportunity, ann] + remote)
        #expect(removed.status == 0 && removed.stdout.contains("Removed the contacts from opportunity \(opportunity)"), "\(removed.stderr)")
        #expect(try await crm(["opportunity", "contact", "remove", opportunity, ann] + remote).status == 4, "not named any more")
        #expect(try await crm(["opportunity", "contact", "add", opportunity, "not-an-id"] + remote).status == 64)
        try await Task.sleep(for: .milliseconds(200))
        #expect(try await contacts(of: opportunity, data: s.data) == [bob])
    }

    @Test func anOpportunityIsOpenedWithContactsOnTheLocalStore() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let data = dir + "/data"
        let created = object(try await crm(["init", "--data", data, "--admin-name", "Ada", "--json"]).lines.last ?? "")
        let admin = try #require(created["employeeID"] as? String)
        let customer = id(try await crm(["customer", "add", "--data", data, "--name", "Acme", "--group", "residential", "--json"]))
        let unknown = "0190a1b2-0000-7000-8000-00000000dead"
        let open = ["opportunity", "open", "--data", data, "--customer", customer, "--title", "Boiler", "--source", "web", "--revenue", "CNY 1200.50",
                    "--close", "2026-06-30", "--owner", admin]
        let refused = try await crm(open + ["--contact", unknown])
        #expect(refused.status == 5 && refused.stderr.contains("contacts"), "\(refused.stderr)")
        #expect(try await crm(open + ["--revenue", "lots"]).status == 64)
        let opened = try await crm(open + ["--json"])
        #expect(opened.status == 0, "\(opened.stderr)")
        #expect(try await contacts(of: id(opened), data: data) == [])
        #expect(try await crm(["opportunity", "contact", "add", id(opened), unknown, "--data", data]).status == 5)
    }
}
