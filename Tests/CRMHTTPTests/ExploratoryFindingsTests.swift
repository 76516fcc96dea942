import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import NIOHTTP1
import Testing

/// What an exploratory tester found the server accepting: impossible calendar instants (rolled over by
/// Foundation), a weak `If-Match`, a composition report silently leaving out revenue without a rate, and a
/// loyalty ledger with points used before they were earned or a reference reused for other points.
@Suite(.serialized) struct ExploratoryFindingsTests {
    static let customer = #"{"kind": "person", "name": "Wang Fang", "group": "residential", "branch": "A"}"#

    /// A 400 of `kind` (the adapter's `invalid-field` unless told) naming `field`.
    static func refused(_ answer: LiveServer.Answer, field: String, kind: String = "invalid-field", sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(answer.status == 400 && text(answer.json["type"]) == "urn:crm:problem:" + kind && text(answer.json["field"]) == field,
                "\(answer.status) \(answer.text.prefix(300))", sourceLocation: sourceLocation)
    }

    @Test func instantsThatNoCalendarHasAreRefusedNamingTheFieldOrParameter() async throws {
        try await LiveServer.with("impossible-instants") { s in
            let customer = try await s.created("/v1/customers", Self.customer)
            for dueAt in ["2027-02-30T10:00:00Z", "2027-04-31T10:00:00+08:00", "2027-02-31T10:00:00.5Z", "2027-02-29T10:00:00Z",
                          "2027-01-01T24:00:00Z", "2027-01-01T10:00:60Z", "2027-13-01T10:00:00Z", "1500-02-30T10:00:00Z"] {
                let answer = try await s.send(.POST, "/v1/tasks", json: #"{"title": "Call back", "customerId": "\#(customer)", "assignee": "\#(s.admin.id)", "dueAt": "\#(dueAt)"}"#)
                Self.refused(answer, field: "dueAt")
            }
            // Instants that exist still go through, with or without a fraction, in any offset.
            for dueAt in ["2028-02-29T10:00:00Z", "2027-02-28T10:00:00.5Z", "2027-04-30T23:59:59.999+08:00", "2027-03-01t10:00:00z"] {
                try await s.expect(.POST, "/v1/tasks", #"{"title": "Call back", "customerId": "\#(customer)", "assignee": "\#(s.admin.id)", "dueAt": "\#(dueAt)"}"#, status: 201)
            }
            Self.refused(try await s.send(.GET, "/v1/customers/\(customer)?asOf=2026-02-30T00:00:00Z"), field: "asOf")
            Self.refused(try await s.send(.GET, "/v1/audit/reads?from=2026-02-30T00:00:00Z"), field: "from")
            Self.refused(try await s.send(.GET, "/v1/audit/reads?to=2026-04-31T00:00:00.25Z"), field: "to")
            try await s.expect(.GET, "/v1/audit/reads?from=2026-02-28T00:00:00.25Z")
            // A domain value decoded whole (a role's permission) reads its instants the same way.
            let role = try await s.send(.POST, "/v1/roles", json: #"""
                {"name": "Clerk", "permissions": [{"module": "tasks", "actions": ["query"], "scope": {"kind": "own", "value": ""},
                 "validity": {"from": "2026-02-30T00:00:00Z", "until": null}}]}
                """#)
            #expect(role.status == 400 && (text(role.json["field"]) ?? "").hasSuffix("validity.from"), "\(role.status) \(role.text.prefix(300))")
        }
    }

    @Test func aWeakEntityTagNeverSatisfiesIfMatch() async throws {
        try await LiveServer.with("weak-if-match") { s in
            let customer = try await s.created("/v1/customers", Self.customer)
            let accrued = try await s.expect(.POST, "/v1/loyalty/\(customer)/accrue", #"{"points": 10, "reason": "welcome"}"#)
            let tag = try #require(accrued.header("ETag"))
            let weak = try await s.send(.POST, "/v1/loyalty/\(customer)/accrue", json: #"{"points": 5, "reason": "again"}"#, headers: [("If-Match", "W/" + tag)])
            #expect(weak.status == 412 && text(weak.json["field"]) == "If-Match", "\(weak.status) \(weak.text.prefix(300))")
            try await s.expect(.POST, "/v1/loyalty/\(customer)/accrue", #"{"points": 5, "reason": "again"}"#, headers: [("If-Match", tag)])
        }
    }

    /// The composition report converts revenue as the revenue report does: an entry without a rate refuses
    /// both naming the pair; with the rate, the composition's value is the revenue report's total.
    @Test func compositionRefusesRevenueWithoutARateAsTheRevenueReportDoes() async throws {
        try await LiveServer.with("composition-rates") { s in
            let customer = try await s.created("/v1/customers", Self.customer)
            try await s.expect(.POST, "/v1/revenue/entries", #"{"customerId": "\#(customer)", "chargeItem": "gas", "businessLine": "gas", "date": "2026-11-03", "amount": {"amount": 100, "currency": "CNY"}}"#, status: 201)
            try await s.expect(.POST, "/v1/revenue/entries", #"{"customerId": "\#(customer)", "chargeItem": "gas", "businessLine": "gas", "date": "2026-11-20", "amount": {"amount": 1500, "currency": "JPY"}}"#, status: 201)
            let head = try await s.engine.store.headPosition().rawValue
            try await s.engine.views.waitUntil(GlobalPosition(head))
            let revenue = try await s.send(.GET, "/v1/revenue?by=month&from=2026-11&through=2026-11&consistentWith=\(head)")
            #expect(revenue.status == 422 && text(revenue.json["field"]) == "exchangeRates" && revenue.text.contains("JPY→CNY"), "\(revenue.text.prefix(300))")
            let composition = try await s.send(.GET, "/v1/reports/tables/composition?from=2026-11&by=branch")
            #expect(composition.status == 422 && text(composition.json["field"]) == "exchangeRates" && composition.text.contains("JPY→CNY"),
                    "\(composition.status) \(composition.text.prefix(300))")

            // A rate valid from the middle of the month (after its first day): both convert the entry on its day.
            try await s.expect(.POST, "/v1/settings/exchange-rates", #"{"from": "JPY", "to": "CNY", "rate": 0.05, "validFrom": "2026-11-15"}"#)
            let later = try await s.engine.store.headPosition().rawValue
            try await s.engine.views.waitUntil(GlobalPosition(later))
            let total = try await s.expect(.GET, "/v1/revenue?by=month&from=2026-11&through=2026-11&consistentWith=\(later)")
            #expect(text(total.json["total"]) == "175", "\(total.text.prefix(300))")
            let table = try await s.expect(.GET, "/v1/reports/tables/composition?from=2026-11&by=branch")
            #expect(table.text.contains("175"), "\(table.text.prefix(400))")
        }
    }

    @Test func loyaltyPointsAreNotEarnedAheadNorUsedBeforeTheyExistAndAReusedReferenceMustMatch() async throws {
        try await LiveServer.with("loyalty-history") { s in
            let customer = try await s.created("/v1/customers", Self.customer)
            // The server's clock says 2026-01-01.
            let ahead = try await s.send(.POST, "/v1/loyalty/\(customer)/accrue", json: #"{"points": 100, "reason": "t", "earnedOn": "2027-01-01"}"#)
            Self.refused(ahead, field: "earnedOn", kind: "invalid")
            try await s.expect(.POST, "/v1/loyalty/\(customer)/accrue", #"{"points": 100, "reason": "t", "earnedOn": "2025-12-01", "reference": "R-1"}"#)
            let early = try await s.send(.POST, "/v1/loyalty/\(customer)/redeem", json: #"{"points": 60, "reason": "ok", "on": "2020-01-01"}"#)
            #expect(early.status == 422 && text(early.json["field"]) == "points", "\(early.status) \(early.text.prefix(300))")
            // The same reference: the same accrual records nothing, other points are a conflict.
            let again = try await s.expect(.POST, "/v1/loyalty/\(customer)/accrue", #"{"points": 100, "reason": "t", "earnedOn": "2025-12-01", "reference": "R-1"}"#)
            #expect((again.json["events"] as? [Any])?.isEmpty == true, "\(again.text.prefix(300))")
            let changed = try await s.send(.POST, "/v1/loyalty/\(customer)/accrue", json: #"{"points": 160, "reason": "t", "earnedOn": "2025-12-01", "reference": "R-1"}"#)
            #expect(changed.status == 409 && text(changed.json["field"]) == "sourceReference", "\(changed.status) \(changed.text.prefix(300))")
            try await s.expect(.POST, "/v1/loyalty/\(customer)/redeem", #"{"points": 60, "reason": "ok"}"#)
            let points = try await s.expect(.GET, "/v1/loyalty/\(customer)?consistentWith=\(try await s.engine.store.headPosition().rawValue)")
            #expect(points.text.contains("\"usable\":40"), "\(points.text.prefix(300))")
            // Neither spent nor lapsed on a day still to come: a caller's day after today is refused.
            let head = try await s.engine.store.headPosition()
            Self.refused(try await s.send(.POST, "/v1/loyalty/\(customer)/redeem", json: #"{"points": 10, "reason": "ok", "on": "2026-01-02"}"#), field: "on", kind: "invalid")
            Self.refused(try await s.send(.POST, "/v1/loyalty/\(customer)/expire", json: #"{"asOf": "2099-01-01"}"#), field: "asOf", kind: "invalid")
            #expect(try await s.engine.store.headPosition() == head, "nothing written")
        }
    }
}
