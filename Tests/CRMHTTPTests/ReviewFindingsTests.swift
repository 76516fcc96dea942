import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import NIOHTTP1
import Testing

/// What an exploratory test of `crm serve` found: request input that reached a trap, list cursors that were
/// raw ids, records answered without `ETag`, money amounts as numbers, roles that could not be posted back,
/// tickets that could not be closed.
@Suite(.serialized) struct ReviewFindingsTests {
    static let customer = #"{"kind": "person", "name": "Wang Fang", "group": "residential", "branch": "A"}"#

    /// Expects a 400 `invalid-field` naming `field`.
    static func refused(_ s: LiveServer, _ path: String, method: HTTPMethod = .GET, _ json: String? = nil, headers: [(String, String)] = [],
                        field: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let answer = try await s.send(method, path, json: json, headers: headers)
        #expect(answer.status == 400, "\(path): \(answer.status) \(answer.text.prefix(300))", sourceLocation: sourceLocation)
        #expect(text(answer.json["type"]) == "urn:crm:problem:invalid-field" && text(answer.json["field"]) == field,
                "\(path): \(answer.text.prefix(300))", sourceLocation: sourceLocation)
    }

    /// A month range the wrong way round is a 400 naming its first month (it trapped building `a...b`), and
    /// the server goes on answering.
    @Test func aMonthRangeTheWrongWayRoundIsA400NamingItsFirstMonth() async throws {
        try await LiveServer.with("month-ranges") { s in
            try await Self.refused(s, "/v1/reports/revenue-explanation?baseFrom=2026-04&baseThrough=2026-03&from=2026-04&through=2026-06", field: "baseFrom")
            try await Self.refused(s, "/v1/reports/revenue-explanation?baseFrom=2026-01&baseThrough=2026-03&from=2026-06&through=2026-04", field: "from")
            try await Self.refused(s, "/v1/revenue?from=2026-05&through=2026-01", field: "from")
            try await s.expect(.GET, "/v1/reports/revenue-explanation?baseFrom=2026-01&baseThrough=2026-03&from=2026-04&through=2026-04")
            try await s.expect(.GET, "/v1/revenue?from=2026-01&through=2026-01")
            try await s.expect(.GET, "/health")
        }
    }

    /// Numbers a client sends are bounded before anything adds to them: a log position or version past
    /// `Int64.max` (the history's `after + 1` overflowed) and report windows out of range are 400s.
    @Test func numbersBeyondTheirRangeAreA400NotAnOverflow() async throws {
        try await LiveServer.with("number-bounds") { s in
            let id = try await s.created("/v1/customers", Self.customer).lowercased()
            let huge = "18446744073709551615"
            try await Self.refused(s, "/v1/records/customer-\(id)/history?after=\(huge)", field: "after")
            try await Self.refused(s, "/v1/customers/\(id)/history?after=\(huge)", field: "after")
            try await Self.refused(s, "/v1/customers?consistentWith=\(huge)", field: "consistentWith")
            try await Self.refused(s, "/v1/customers/\(id)?asOf=\(huge)", field: "asOf")
            try await Self.refused(s, "/v1/customers/\(id)", method: .PATCH, #"{"name": "Wang Fang"}"#, headers: [("If-Match", "\"\(huge)\"")], field: "If-Match")
            try await Self.refused(s, "/v1/events", headers: [("Last-Event-ID", huge)], field: "Last-Event-ID")
            try await Self.refused(s, "/v1/reports/rfm?months=9223372036854775807", field: "months")
            try await Self.refused(s, "/v1/reports/rfm?months=0", field: "months")
            // The largest accepted position is still read without a trap.
            try await s.expect(.GET, "/v1/records/customer-\(id)/history?after=9223372036854775807")
            try await s.expect(.GET, "/health")
        }
    }

    /// The lists in id order (products, campaigns, …) page with cursors bound to their list like every other:
    /// a raw UUID (random or all zeros) or another list's cursor is a 400, the server's cursor pages on.
    @Test func theProductListPagesWithItsOwnCheckedCursors() async throws {
        try await LiveServer.with("product-cursor") { s in
            for name in ["Meter", "Valve", "Pump"] {
                _ = try await s.created("/v1/products", #"{"productLine": "gas", "name": "\#(name)", "standardPrice": {"amount": 10, "currency": "CNY"}}"#)
            }
            _ = try await s.created("/v1/campaigns", #"{"name": "Spring", "objective": "o", "owner": "\#(s.admin.id)", "budget": {"amount": 1, "currency": "CNY"}, "start": "2026-03-01", "end": "2026-03-31"}"#)
            _ = try await s.created("/v1/campaigns", #"{"name": "Summer", "objective": "o", "owner": "\#(s.admin.id)", "budget": {"amount": 1, "currency": "CNY"}, "start": "2026-06-01", "end": "2026-06-30"}"#)
            let first = try await s.expect(.GET, "/v1/products?limit=2")
            let after = try #require(text(first.json["after"]))
            #expect(text(first.json["next"]) == "/v1/products?limit=2&after=\(after)")
            let second = try await s.expect(.GET, try #require(text(first.json["next"])))
            let names = ((first.json["items"] as? [[String: Any]]) ?? []) + ((second.json["items"] as? [[String: Any]]) ?? [])
            #expect(Set(names.compactMap { text($0["name"]) }) == ["Meter", "Valve", "Pump"])
            #expect(second.json["next"] == nil)

            let campaigns = try await s.expect(.GET, "/v1/campaigns?limit=1")
            let campaignCursor = try #require(text(campaigns.json["after"]))
            for garbage in [UUID().uuidString.lowercased(), "00000000-0000-0000-0000-000000000000", campaignCursor] {
                try await Self.refused(s, "/v1/products?after=\(garbage)", field: "after")
            }
        }
    }

    /// Loyalty accounts, employees, roles and units carry `ETag` (the version their writes take as
    /// `If-Match`): the ETag read lets a write through once, and is stale after it.
    @Test func loyaltyEmployeesRolesAndUnitsCarryTheETagTheirWritesTake() async throws {
        try await LiveServer.with("etags") { s in
            let customer = try await s.created("/v1/customers", Self.customer)
            let accrued = try await s.expect(.POST, "/v1/loyalty/\(customer)/accrue", #"{"points": 10, "reason": "welcome"}"#)
            let loyalty = try await s.expect(.GET, "/v1/loyalty/\(customer)?consistentWith=\(text(accrued.json["position"]) ?? "")")
            let tag = try #require(loyalty.header("ETag"))
            #expect(tag == accrued.header("ETag"))
            try await s.expect(.POST, "/v1/loyalty/\(customer)/accrue", #"{"points": 5, "reason": "again"}"#, headers: [("If-Match", tag)])
            try await s.expect(.POST, "/v1/loyalty/\(customer)/accrue", #"{"points": 5, "reason": "stale"}"#, status: 412, headers: [("If-Match", tag)])
            let read = try await s.expect(.GET, "/v1/loyalty/\(customer)")
            #expect(read.header("ETag") != tag)

            let employees = try await s.expect(.GET, "/v1/employees")
            let roles = try await s.expect(.GET, "/v1/roles")
            let employee = try #require(((employees.json["items"] as? [[String: Any]]) ?? []).first.flatMap { text($0["id"]) })
            let role = try #require(((roles.json["items"] as? [[String: Any]]) ?? []).first.flatMap { text($0["id"]) })
            let unit = try await s.created("/v1/units", #"{"kind": "department", "name": "Service"}"#)
            for path in ["/v1/employees/\(employee)", "/v1/roles/\(role)", "/v1/units/\(unit)"] {
                let answer = try await s.expect(.GET, path)
                #expect(answer.header("ETag") != nil, "\(path)")
            }
            let tagged = try #require(try await s.expect(.GET, "/v1/employees/\(employee)").header("ETag"))
            try await s.expect(.PATCH, "/v1/employees/\(employee)", #"{"position": "director"}"#, headers: [("If-Match", tagged)])
            try await s.expect(.POST, "/v1/units/\(unit)/rename", #"{"name": "Care"}"#, status: 412, headers: [("If-Match", tagged)])
        }
    }

    /// Money amounts in the customer 360 (revenue, related records, custom values) and in histories are
    /// exact decimal strings, as in every record answer; a custom money value reads back as it is sent.
    @Test func theCustomer360WritesMoneyAmountsAsExactDecimalStrings() async throws {
        try await LiveServer.with("money-text") { s in
            _ = try await s.expect(.POST, "/v1/forms", #"{"group": "residential", "fields": [{"name": "deposit", "label": "Deposit", "type": "money", "required": false, "options": []}]}"#, status: 201)
            let customer = try await s.created("/v1/customers", #"{"kind": "person", "name": "Sun Li", "group": "residential", "branch": "A", "customFields": {"deposit": {"kind": "money", "value": {"amount": 250.50, "currency": "CNY"}}}}"#)
            _ = try await s.created("/v1/opportunities", #"{"customerId": "\#(customer)", "title": "Boiler", "source": "visit", "expectedRevenue": {"amount": 5000.10, "currency": "CNY"}, "closeDate": "2026-03-31", "owner": "\#(s.admin.id)"}"#)
            let entry = try await s.expect(.POST, "/v1/revenue/entries", #"{"customerId": "\#(customer)", "chargeItem": "fee", "businessLine": "gas", "date": "2025-12-15", "amount": {"amount": 358534.32, "currency": "EUR"}}"#, status: 201)
            let view = try await s.expect(.GET, "/v1/customers/\(customer)?consistentWith=\(text(entry.json["position"]) ?? "")")
            let revenue = try #require(view.json["revenue"] as? [[String: Any]])
            #expect(revenue.first?["amount"] as? String == "358534.32", "\(view.text.prefix(600))")
            let opportunity = (view.json["openOpportunities"] as? [[String: Any]])?.first
            #expect((opportunity?["amount"] as? [String: Any])?["amount"] as? String == "5000.1", "\(view.text.prefix(600))")
            let profile = try #require(view.json["profile"] as? [String: Any])
            #expect(!view.text.contains(#""amount":358534"#) && view.text.contains(#""amount":"250.5""#), "\(profile)")

            // The customer's own state then, and its history, write the custom money value the same way; it is
            // accepted back as it is written.
            let before = try await s.expect(.GET, "/v1/customers/\(customer)?asOf=\(text(entry.json["position"]) ?? "")")
            #expect(before.text.contains(#""amount":"250.5""#), "\(before.text.prefix(400))")
            try await s.expect(.PATCH, "/v1/customers/\(customer)", #"{"customFields": {"deposit": {"kind": "money", "value": {"amount": "300.25", "currency": "CNY"}}}}"#)
            let history = try await s.expect(.GET, "/v1/records/customer-\(customer.lowercased())/history")
            #expect(history.text.contains(#""amount":"300.25""#) && !history.text.contains(#""amount":300"#), "\(history.text.prefix(900))")
            try await Self.refused(s, "/v1/customers/\(customer)", method: .PATCH, #"{"customFields": {"deposit": {"kind": "money", "value": {"amount": "lots", "currency": "CNY"}}}}"#,
                                   field: "customFields.deposit.value.amount")
        }
    }

    /// A role read from the API can be posted back as it is: its permissions' scope is `{"kind", "value"}`
    /// and validity `{"from", "until"}` as a role's body takes them; a body may leave validity out.
    @Test func aRoleReadFromTheAPICanBePostedBackAsANewRole() async throws {
        try await LiveServer.with("role-shape") { s in
            let defined = try await s.created("/v1/roles", #"""
                {"name": "Berlin clerk", "permissions": [
                  {"module": "customers", "actions": ["query", "edit"], "scope": {"kind": "branch", "value": "berlin"}},
                  {"module": "tasks", "actions": ["query"], "scope": {"kind": "own", "value": ""}, "validity": {"from": "2026-01-01T00:00:00Z", "until": null}}]}
                """#)
            let role = try await s.expect(.GET, "/v1/roles/\(defined)")
            let permissions = try #require(role.json["permissions"] as? [[String: Any]])
            #expect(permissions.first?["scope"] as? [String: String] == ["kind": "branch", "value": "berlin"], "\(role.text)")
            let body = try JSONSerialization.data(withJSONObject: ["name": "Berlin clerk (copy)", "permissions": permissions], options: [.sortedKeys])
            let copy = try await s.created("/v1/roles", String(decoding: body, as: UTF8.self))
            let copied = try #require(try await s.expect(.GET, "/v1/roles/\(copy)").json["permissions"] as? [[String: Any]])
            func normal(_ items: [[String: Any]]) throws -> String {
                String(decoding: try JSONSerialization.data(withJSONObject: items, options: [.sortedKeys]), as: UTF8.self)
            }
            #expect(try normal(copied) == normal(permissions))
            let listed = try await s.expect(.GET, "/v1/roles")
            #expect(listed.text.contains(#""scope":{"kind":"all","value":""}"#), "\(listed.text.prefix(400))")
        }
    }

    /// Tickets are closed (from resolved, with a satisfaction rating) and reopened over HTTP like their other
    /// steps: If-Match applies, the domain's refusals are 422, another branch's ticket is a 404.
    @Test func aTicketIsResolvedClosedAndReopenedOverHTTP() async throws {
        try await LiveServer.with("ticket-close") { s in
            let (_, other) = try await s.hire("Bo", branch: "B", permissions: ScopeOverHTTPTests.rights("B"))
            try await s.engine.execute(Settings.self, id: UUID(), .setSLADeadline(SLADeadline(kind: .faultRepair, severity: .high, responseMinutes: 60, resolutionMinutes: 480)), as: s.admin)
            let customer = try await s.created("/v1/customers", Self.customer)
            let ticket = try await s.created("/v1/tickets", #"{"channel": "phone", "kind": "faultRepair", "severity": "high", "customerId": "\#(customer)", "subject": "No water", "department": "service"}"#)
            try await s.expect(.POST, "/v1/tickets/\(ticket)/close", #"{"satisfaction": 5}"#, status: 422)
            try await s.expect(.POST, "/v1/tickets/\(ticket)/assign", #"{"assignee": "\#(s.admin.id)"}"#)
            try await s.expect(.POST, "/v1/tickets/\(ticket)/start", "{}")
            let resolved = try await s.expect(.POST, "/v1/tickets/\(ticket)/resolve", #"{"resolution": "Valve replaced"}"#)
            try await Self.refused(s, "/v1/tickets/\(ticket)/close", method: .POST, #"{"satisfaction": 6}"#, field: "satisfaction")
            let foreign = try await s.send(.POST, "/v1/tickets/\(ticket)/close", token: other, json: #"{"satisfaction": 4}"#)
            #expect(foreign.status == 404, "\(foreign.text)")
            let closed = try await s.expect(.POST, "/v1/tickets/\(ticket)/close", #"{"satisfaction": 4, "comment": "quick"}"#,
                                            headers: [("If-Match", try #require(resolved.header("ETag")))])
            #expect((closed.json["events"] as? [[String: Any]])?.first.flatMap { text($0["type"]) } == "TicketClosed", "\(closed.text)")
            try await s.expect(.POST, "/v1/tickets/\(ticket)/reopen", #"{"reason": "leaks again"}"#, status: 412,
                               headers: [("If-Match", try #require(resolved.header("ETag")))])
            try await s.expect(.POST, "/v1/tickets/\(ticket)/reopen", #"{"reason": "leaks again"}"#, headers: [("Idempotency-Key", "reopen-1")])
            let replay = try await s.expect(.POST, "/v1/tickets/\(ticket)/reopen", #"{"reason": "leaks again"}"#, headers: [("Idempotency-Key", "reopen-1")])
            #expect(replay.header("Idempotent-Replayed") == "true")
            let state = try await s.expect(.GET, "/v1/tickets/\(ticket)")
            #expect(text(state.json["status"]) == "assigned" && text(state.json["reopenCount"]) == "1", "\(state.text.prefix(400))")
            try await s.expect(.POST, "/v1/tickets/\(ticket)/close", #"{"satisfaction": 3}"#, status: 422)
        }
    }
}
