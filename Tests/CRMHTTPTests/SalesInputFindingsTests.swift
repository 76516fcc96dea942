import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import NIOHTTP1
import Testing

/// Sales input found lax in an exploratory test: a `PATCH` member that cannot be cleared sent as null, and a
/// month range of the revenue queries reaching before the months there are.
@Suite struct SalesInputFindingsTests {
    static func refused(_ s: LiveServer, _ method: HTTPMethod, _ path: String, _ json: String? = nil, field: String,
                        sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let answer = try await s.send(method, path, json: json)
        #expect(answer.status == 400 && text(answer.json["field"]) == field, "\(method) \(path) \(json ?? ""): \(answer.status) \(answer.text.prefix(300))",
                sourceLocation: sourceLocation)
    }

    /// In a `PATCH` body null clears a member that may be cleared; one that cannot (a customer's name or group, a
    /// contact's name or role, an employee's name, position or branch) is a 400 naming it, nothing written —
    /// never a 200 that kept it.
    @Test func nullForAPatchMemberThatCannotBeClearedIsA400NamingItAndWritesNothing() async throws {
        try await LiveServer.with("patch-null") { s in
            let customer = try await s.created("/v1/customers", #"{"kind": "person", "name": "Li Wei", "group": "residential", "industry": "retail"}"#).lowercased()
            let contact = try await s.created("/v1/contacts", #"{"customerId": "\#(customer)", "name": "Ann"}"#).lowercased()
            let employee = s.admin.id.lowercased()
            let head = try await s.engine.store.headPosition()
            for member in ["group", "name"] {
                try await Self.refused(s, .PATCH, "/v1/customers/\(customer)", #"{"\#(member)": null}"#, field: member)
            }
            try await Self.refused(s, .PATCH, "/v1/customers/\(customer)", #"{"name": "Li Wei Jr", "group": null}"#, field: "group")
            for member in ["name", "role"] {
                try await Self.refused(s, .PATCH, "/v1/contacts/\(contact)", #"{"\#(member)": null}"#, field: member)
            }
            for member in ["name", "position", "branch"] {
                try await Self.refused(s, .PATCH, "/v1/employees/\(employee)", #"{"\#(member)": null}"#, field: member)
            }
            #expect(try await s.engine.store.headPosition() == head, "nothing written")
            // A member that may be cleared still is; one left out is kept.
            try await s.expect(.PATCH, "/v1/customers/\(customer)", #"{"industry": null}"#)
            let state = try await s.engine.state(Customer.self, id: try #require(UUID(uuidString: customer)), as: s.admin).state
            #expect(state.industry == nil && state.group == "residential" && state.name == "Li Wei", "\(state)")
        }
    }

    /// The months a revenue or report query ranges over lie within 1900-01…9999-12 (no revenue lies before
    /// 1900): another is a 400 naming the parameter, in the revenue report, the revenue explanation and the
    /// report tables alike; the compared range of a range longer than the months before it begins at 0001-01,
    /// never at a month that is none ("-8000-01").
    @Test func revenueAndReportMonthsBefore1900AreRefusedAndTheComparedRangeNeverBeginsBeforeTheFirstMonth() async throws {
        try await LiveServer.with("revenue-months") { s in
            try await Self.refused(s, .GET, "/v1/revenue?by=customer&from=1000-01&through=9999-12", field: "from")
            try await Self.refused(s, .GET, "/v1/revenue?by=customer&from=1900-01&through=1899-12", field: "through")
            try await Self.refused(s, .GET, "/v1/reports/revenue-explanation?baseFrom=1899-01&baseThrough=1899-12&from=2026-01&through=2026-12", field: "baseFrom")
            try await Self.refused(s, .GET, "/v1/reports/tables/revenue-by-manager?from=0001-01&through=2026-01", field: "from")
            try await Self.refused(s, .GET, "/v1/reports/tables/overdue?from=2026-01&through=1000-01", field: "through")

            let whole = try await s.expect(.GET, "/v1/revenue?by=customer&from=1900-01&through=9999-12")
            #expect(text(whole.json["compareFrom"]) == "0001-01" && text(whole.json["compareThrough"]) == "1899-12", "\(whole.text.prefix(300))")
            let year = try await s.expect(.GET, "/v1/revenue?by=year&from=1900-01&through=1900-12")
            #expect(text(year.json["compareFrom"]) == "1899-01" && text(year.json["compareThrough"]) == "1899-12", "\(year.text.prefix(300))")

            // The engine holds the same bound for whoever asks it (the command line too).
            let error = await #expect(throws: EngineError.self) {
                try await s.engine.revenue(RevenueQuery(by: .customer, from: RevenueMonth(year: 1000, month: 1), through: RevenueMonth(year: 2026, month: 1)), as: s.admin)
            }
            #expect(error?.code == .invalid && error?.field == "from", "\(String(describing: error))")
        }
    }
}
