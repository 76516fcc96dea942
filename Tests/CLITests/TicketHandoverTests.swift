import Foundation
import Testing

@Suite("crm ticket handover and severity", .serialized)
struct TicketHandoverTests {
    private func id(_ run: Run) -> String { (object(run.lines.last ?? "")["id"] as? String) ?? "" }

    /// The ticket's state as `crm show` reads it from the store.
    private func state(_ ticket: String, _ data: String) async throws -> [String: Any] {
        object(try await crm(["show", "ticket-" + ticket, "--data", data, "--json"]).stdout)["state"] as? [String: Any] ?? [:]
    }

    @Test("crm ticket handover moves a ticket to another department and severity changes its level, on the store")
    func handoverAndSeverityOnTheStore() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let data = dir + "/data"
        #expect(try await crm(["demo", "--data", data, "--events", "3000"]).status == 0)
        let customer = try #require(object(try await crm(["customer", "list", "--data", data, "--json"]).lines.first ?? "")["id"] as? String)
        let opened = try await crm(["ticket", "open", "--data", data, "--customer", customer, "--subject", "No water", "--department", "service",
                                    "--kind", "faultRepair", "--severity", "high", "--json"])
        #expect(opened.status == 0, "\(opened.stderr)")
        let ticket = id(opened)
        let handed = try await crm(["ticket", "handover", ticket, "--data", data, "--department", "field-service", "--reason", "needs a technician"])
        #expect(handed.status == 0 && handed.stdout.contains("Handed over ticket \(ticket)."), "\(handed.stderr)")
        let moved = try await state(ticket, data)
        #expect(moved["department"] as? String == "field-service" && moved["status"] as? String == "open", "\(moved)")
        // Already there: refused (5), naming the field.
        let again = try await crm(["ticket", "handover", ticket, "--data", data, "--department", "field-service"])
        #expect(again.status == 5 && again.stderr.contains("toDepartment: "), "\(again.stderr)")

        let raised = try await crm(["ticket", "severity", ticket, "--data", data, "--severity", "critical", "--reason", "hospital"])
        #expect(raised.status == 0 && raised.stdout.contains("Changed the severity of ticket \(ticket)."), "\(raised.stderr)")
        #expect(try await state(ticket, data)["severity"] as? String == "critical")
        #expect(try await crm(["ticket", "severity", ticket, "--data", data, "--severity", "huge"]).status == 64)
        #expect(try await crm(["ticket", "handover", ticket, "--data", data]).status == 64)
        let missing = try await crm(["ticket", "handover", UUID().uuidString.lowercased(), "--data", data, "--department", "x"])
        #expect(missing.status == 4, "\(missing.stderr)")
    }

    @Test("crm ticket handover and severity go through the server with --server")
    func handoverAndSeverityThroughTheServer() async throws {
        let s = try await Served.start(demo: 3000)
        defer { s.stop() }
        let remote = ["--data", s.data, "--server", s.url, "--token", s.token]
        let customer = try #require(object(try await crm(["customer", "list", "--data", s.data, "--json"]).lines.first ?? "")["id"] as? String)
        let opened = try await crm(["ticket", "open", "--customer", customer, "--subject", "No water", "--department", "service", "--json"] + remote)
        #expect(opened.status == 0, "\(opened.stderr)")
        let ticket = id(opened)
        let handed = try await crm(["ticket", "handover", ticket, "--department", "billing"] + remote)
        #expect(handed.status == 0 && handed.stdout.contains("Handed over ticket \(ticket)."), "\(handed.stderr)")
        let raised = try await crm(["ticket", "severity", ticket, "--severity", "high", "--reason", "many callers"] + remote)
        #expect(raised.status == 0 && raised.stdout.contains("Changed the severity of ticket \(ticket)."), "\(raised.stderr)")
        let again = try await crm(["ticket", "handover", ticket, "--department", "billing"] + remote)
        #expect(again.status == 5 && again.stderr.contains("toDepartment: "), "\(again.stderr)")
        let missing = try await crm(["ticket", "severity", UUID().uuidString.lowercased(), "--severity", "low"] + remote)
        #expect(missing.status == 4, "\(missing.stderr)")
        var state: [String: Any] = [:]
        for _ in 0..<50 {
            state = try await self.state(ticket, s.data)
            if state["severity"] as? String == "high" { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(state["department"] as? String == "billing" && state["severity"] as? String == "high", "\(state)")
    }
}
