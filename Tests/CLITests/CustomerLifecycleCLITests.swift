import Foundation
import Testing

@Suite("crm customer: status, appointments, installations and external keys", .serialized)
struct CustomerLifecycleCLITests {
    private func id(_ run: Run) -> String { (object(run.lines.last ?? "")["id"] as? String) ?? "" }

    /// The customer's state as `crm customer show --json` prints it (read-only, beside a server too).
    private func shownState(_ customer: String, data: String) async throws -> [String: Any] {
        let shown = try await crm(["customer", "show", customer, "--data", data, "--json"])
        #expect(shown.status == 0, "\(shown.stderr)")
        return object(shown.stdout)["state"] as? [String: Any] ?? [:]
    }

    private func statuses(_ state: [String: Any], _ key: String) -> [String] {
        (state[key] as? [[String: Any]] ?? []).compactMap { $0["status"] as? String }
    }

    @Test func statusChangesAppointmentsInstallationsAndKeysOnTheLocalStore() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let data = dir + "/data"
        #expect(try await crm(["init", "--data", data, "--admin-name", "Ada", "--json"]).status == 0)
        let customer = id(try await crm(["customer", "add", "--data", data, "--name", "Li Wei", "--group", "residential", "--json"]))
        let other = id(try await crm(["customer", "add", "--data", data, "--name", "Li Na", "--group", "residential", "--json"]))

        let activated = try await crm(["customer", "activate", customer, "--data", data, "--json"])
        #expect(activated.status == 0, "\(activated.stderr)")
        #expect(object(activated.lines.last ?? "")["id"] as? String == customer && object(activated.lines.last ?? "")["changed"] as? Bool == true)
        let suspended = try await crm(["customer", "suspend", customer, "--data", data, "--reason", "unpaid"])
        #expect(suspended.status == 0 && suspended.stdout.contains("Suspended customer \(customer)"), "\(suspended.stderr)")
        var state = try await shownState(customer, data: data)
        #expect(state["status"] as? String == "suspended" && state["suspensionReason"] as? String == "unpaid", "\(state)")
        // A suspended customer gets no new installation: refused by the domain (5).
        let refused = try await crm(["customer", "installation", "add", customer, "--data", data, "--address", "1 Main St", "--meter", "M-1"])
        #expect(refused.status == 5, "\(refused.stderr)")
        #expect(try await crm(["customer", "resume", customer, "--data", data]).status == 0)
        #expect(try await crm(["customer", "resume", customer, "--data", data]).status == 5, "only a suspended customer resumes")
        #expect(try await crm(["customer", "archive", customer, "--data", data, "--reason", "test"]).status == 0)
        #expect(try await crm(["customer", "restore", customer, "--data", data]).status == 0)
        #expect(try await crm(["customer", "list", "--data", data, "--json"]).lines.contains { object($0)["id"] as? String == customer && object($0)["status"] as? String == "active" })

        let scheduled = try await crm(["customer", "appointment", "add", customer, "--data", data, "--kind", "install", "--at", "2099-02-01T09:00:00Z",
                                       "--address", "1 Main St", "--json"])
        #expect(scheduled.status == 0, "\(scheduled.stderr)")
        let appointment = try #require(object(scheduled.lines.last ?? "")["appointmentId"] as? String)
        #expect(statuses(try await shownState(customer, data: data), "appointments") == ["scheduled"])
        #expect(try await crm(["customer", "appointment", "reschedule", customer, appointment, "--data", data, "--at", "2099-02-02T09:00:00Z"]).status == 0)
        #expect(try await crm(["customer", "appointment", "complete", customer, appointment, "--data", data, "--note", "done"]).status == 0)
        #expect(statuses(try await shownState(customer, data: data), "appointments") == ["completed"])
        #expect(try await crm(["customer", "appointment", "cancel", customer, appointment, "--data", data]).status == 5)

        let added = try await crm(["customer", "installation", "add", customer, "--data", data, "--address", "1 Main St", "--meter", "M-1", "--json"])
        let installation = try #require(object(added.lines.last ?? "")["installationId"] as? String, "\(added.stderr)")
        #expect(try await crm(["customer", "installation", "move", customer, installation, "--data", data, "--address", "9 New Rd"]).status == 0)
        #expect(try await crm(["customer", "installation", "remove", customer, installation, "--data", data]).status == 0)
        state = try await shownState(customer, data: data)
        #expect((state["installations"] as? [[String: Any]])?.first?["address"] as? String == "9 New Rd", "\(state)")

        #expect(try await crm(["customer", "key", "set", customer, "billing", "A-17", "--data", data]).status == 0)
        let taken = try await crm(["customer", "key", "set", other, "billing", "A-17", "--data", data])
        #expect(taken.status == 5, "another customer cannot take the key: \(taken.stderr)")
        #expect(try await crm(["customer", "key", "remove", customer, "billing", "--data", data]).status == 0)
        #expect(try await crm(["customer", "key", "set", other, "billing", "A-17", "--data", data]).status == 0)

        let transferred = try await crm(["customer", "transfer", customer, "--data", data, "--to", "Li Na", "--effective", "2026-01-15"])
        #expect(transferred.status == 0, "\(transferred.stderr)")
        let merged = try await crm(["customer", "merge", other, "--into", customer, "--data", data])
        #expect(merged.status == 0, "\(merged.stderr)")
        #expect(try await shownState(other, data: data)["status"] as? String == "merged")
    }

    @Test func malformedOptionsAreUsageErrorsAndAnUnknownCustomerIsNotFound() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let data = dir + "/data"
        #expect(try await crm(["init", "--data", data, "--admin-name", "Ada", "--json"]).status == 0)
        let customer = id(try await crm(["customer", "add", "--data", data, "--name", "Li Wei", "--group", "residential", "--json"]))
        for arguments in [["customer", "activate", "not-an-id"],
                          ["customer", "appointment", "add", customer, "--kind", "party", "--at", "2099-02-01T09:00:00Z", "--address", "a"],
                          ["customer", "appointment", "add", customer, "--kind", "install", "--at", "someday", "--address", "a"],
                          ["customer", "appointment", "complete", customer, "not-an-id"],
                          ["customer", "transfer", customer, "--to", "X", "--effective", "soon"],
                          ["customer", "merge", customer, "--into", "nobody"]] {
            let run = try await crm(arguments + ["--data", data])
            #expect(run.status == 64, "\(arguments): \(run.status) \(run.stderr)")
        }
        let missing = try await crm(["customer", "suspend", UUID().uuidString.lowercased(), "--data", data, "--reason", "r"])
        #expect(missing.status == 4, "\(missing.stderr)")
    }

    @Test func statusChangesAndAppointmentsGoThroughARunningServer() async throws {
        var customer = ""
        let s = try await Served.start { data, _ in
            customer = (object(try await crm(["customer", "add", "--data", data, "--name", "Li Wei", "--group", "residential", "--json"]).lines.last ?? "")["id"] as? String) ?? ""
        }
        defer { s.stop() }
        let remote = ["--server", s.url, "--token", s.token]
        // Writing on the data directory is refused while the server holds it.
        #expect(try await crm(["customer", "activate", customer, "--data", s.data]).status == 3)

        let activated = try await crm(["customer", "activate", customer, "--json"] + remote)
        #expect(activated.status == 0, "\(activated.stderr)")
        #expect(object(activated.lines.last ?? "")["version"] as? Int == 2, "\(activated.stdout)")
        #expect(try await crm(["customer", "suspend", customer, "--reason", "unpaid"] + remote).status == 0)
        var state = try await shownState(customer, data: s.data)
        #expect(state["status"] as? String == "suspended", "\(state)")
        let twice = try await crm(["customer", "suspend", customer, "--reason", "again"] + remote)
        #expect(twice.status == 5 && twice.stderr.contains("only an active customer"), "\(twice.stderr)")
        #expect(try await crm(["customer", "resume", customer] + remote).status == 0)

        let scheduled = try await crm(["customer", "appointment", "add", customer, "--kind", "onSiteService", "--at", "2099-03-01T08:30:00Z",
                                       "--address", "1 Main St", "--note", "meter check", "--json"] + remote)
        #expect(scheduled.status == 0, "\(scheduled.stderr)")
        let appointment = try #require(object(scheduled.lines.last ?? "")["appointmentId"] as? String)
        #expect(try await crm(["customer", "appointment", "complete", customer, appointment] + remote).status == 0)
        state = try await shownState(customer, data: s.data)
        #expect(state["status"] as? String == "active" && statuses(state, "appointments") == ["completed"], "\(state)")
        #expect(try await crm(["customer", "key", "set", customer, "billing", "A-1"] + remote).status == 0)
        #expect(try await s.get("/v1/customers/lookup?externalKey=billing:A-1") == 200)
        let unknown = try await crm(["customer", "appointment", "cancel", customer, UUID().uuidString.lowercased()] + remote)
        #expect(unknown.status == 4, "\(unknown.stderr)")
    }
}
