import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import NIOHTTP1
import Testing

/// Every class of bad input answers 4xx problem+json naming the field at fault, writes nothing, and the
/// server keeps answering.
@Suite(.serialized) struct BadInputTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let method: String
        let path: String
        let body: String?
        let headers: [(String, String)]
        let status: Int
        let type: String
        let field: String?
        var testDescription: String { name }

        init(_ name: String, _ method: String = "POST", _ path: String = "/v1/customers", body: String?, headers: [(String, String)] = [],
             status: Int = 400, type: String = "invalid-field", field: String?) {
            self.name = name
            self.method = method
            self.path = path
            self.body = body
            self.headers = headers
            self.status = status
            self.type = type
            self.field = field
        }
    }

    static let unknownID = "0190a1b2-0000-7000-8000-000000000001"

    static let cases: [Case] = [
        Case("malformed JSON", body: #"{"kind": "person", "name": "#, type: "malformed-json", field: nil),
        Case("not an object", body: #"["person"]"#, type: "malformed-json", field: nil),
        Case("unknown field", body: #"{"kind": "person", "name": "A", "group": "g", "nickname": "x"}"#, field: "nickname"),
        Case("wrong type", body: #"{"kind": "person", "name": 42, "group": "g"}"#, field: "name"),
        Case("missing field", body: #"{"kind": "person", "group": "g"}"#, field: "name"),
        Case("invalid enumeration value", body: #"{"kind": "robot", "name": "A", "group": "g"}"#, field: "kind"),
        Case("invalid date", body: #"{"kind": "person", "name": "A", "group": "g", "birthday": "1980-13-40"}"#, field: "birthday"),
        Case("nested unknown field", body: #"{"kind": "person", "name": "A", "group": "g", "externalKeys": [{"system": "billing", "key": "K1", "x": 1}]}"#,
             field: "externalKeys[0].x"),
        Case("invalid custom value", body: #"{"kind": "person", "name": "A", "group": "g", "customFields": {"tier": {"kind": "number", "value": "gold"}}}"#,
             field: "customFields.tier.value"),
        Case("domain validation", body: #"{"kind": "person", "name": "   ", "group": "g"}"#, status: 422, type: "rejected", field: "name"),
        Case("invalid external key", body: #"{"kind": "person", "name": "A", "group": "g", "externalKeys": [{"system": "Billing!", "key": "K1"}]}"#,
             status: 422, type: "rejected", field: "externalKey"),
        Case("oversize body", body: #"{"kind": "person", "name": ""# + String(repeating: "x", count: 70_000) + #"", "group": "g"}"#,
             status: 413, type: "payload-too-large", field: nil),
        Case("wrong media type", body: "kind=person", headers: [("Content-Type", "text/plain")], status: 415, type: "unsupported-media-type", field: nil),
        Case("invalid id in the path", "PATCH", "/v1/customers/not-a-uuid", body: #"{"name": "B"}"#, field: "id"),
        Case("unknown record", "PATCH", "/v1/customers/\(unknownID)", body: #"{"name": "B"}"#, status: 404, type: "not-found", field: nil),
        Case("invalid If-Match", "PATCH", "/v1/customers/\(unknownID)", body: #"{"name": "B"}"#, headers: [("If-Match", "yesterday")], field: "If-Match"),
        Case("invalid Idempotency-Key", body: #"{"kind": "person", "name": "A", "group": "g"}"#, headers: [("Idempotency-Key", "has spaces in it")],
             field: "Idempotency-Key"),
        Case("invalid instant", "POST", "/v1/tasks", body: #"{"title": "T", "dueAt": "tomorrow", "assignee": "x"}"#, field: "dueAt"),
        Case("invalid customer id in the body", "POST", "/v1/tasks", body: #"{"title": "T", "dueAt": "2026-01-02T09:00:00Z", "assignee": "x", "customerId": "42"}"#,
             field: "customerId"),
        Case("command on an unknown record", "POST", "/v1/tasks/\(unknownID)/complete", body: #"{"resultNote": "done"}"#, status: 404, type: "not-found", field: nil),
        Case("invalid limit", "GET", "/v1/customers?limit=0", body: nil, field: "limit"),
        Case("invalid cursor", "GET", "/v1/customers?after=!!!", body: nil, field: "after"),
        Case("invalid asOf", "GET", "/v1/customers/\(unknownID)?asOf=someday", body: nil, field: "asOf"),
        // Positions and versions are plain digits without a leading zero, as `asOf`'s are.
        Case("signed consistentWith", "GET", "/v1/customers?consistentWith=%2B12", body: nil, field: "consistentWith"),
        Case("zero-padded consistentWith", "GET", "/v1/tasks/board?consistentWith=012", body: nil, field: "consistentWith"),
        Case("signed If-Match", "PATCH", "/v1/customers/\(unknownID)", body: #"{"name": "B"}"#, headers: [("If-Match", "\"+3\"")], field: "If-Match"),
        Case("invalid stream", "GET", "/v1/records/Customer%20X/history", body: nil, field: "stream"),
        Case("internal stream", "GET", "/v1/records/idempotency-0190a1b2/history", body: nil, field: "stream"),
        Case("unknown route", "GET", "/v1/nothing-here", body: nil, status: 404, type: "not-found", field: nil),
        Case("missing query", "GET", "/v1/search", body: nil, field: "q"),
        Case("nested domain value of the wrong type", "POST", "/v1/opportunities",
             body: #"{"customerId": "\#(unknownID)", "title": "T", "source": "s", "owner": "o", "closeDate": "2026-03-01", "expectedRevenue": {"amount": "lots", "currency": "CNY"}}"#,
             field: "expectedRevenue.amount"),
        Case("nested domain value invalid", "POST", "/v1/products", body: #"{"productLine": "gas", "name": "M", "standardPrice": {"amount": 1, "currency": "yuan"}}"#,
             field: "standardPrice.currency"),
        Case("nested domain member unknown", "POST", "/v1/quotes",
             body: #"{"customerId": "\#(unknownID)", "customerCode": "C", "sequence": 1, "authorRole": "r", "draft": {"lines": [{"productID": "\#(unknownID)", "productName": "P", "quantity": 1, "unitPrice": {"amount": 1, "currency": "CNY"}, "discountPercent": 0, "colour": "red"}], "discountPercent": 0}}"#,
             field: "draft.lines[0].colour"),
        Case("nested domain member missing", "POST", "/v1/settings/discount-limits", body: #"{"role": "r"}"#, field: "maxPercent"),
        Case("whole-body domain value with an unknown field", "POST", "/v1/settings/discount-limits", body: #"{"role": "r", "maxPercent": 5, "minPercent": 1}"#,
             field: "minPercent"),
        Case("wrong type in a command body", "POST", "/v1/quotes/\(unknownID)/approve", body: #"{"approverRole": 7}"#, field: "approverRole"),
        Case("missing report parameter", "GET", "/v1/reports/kpi", body: nil, field: "month"),
        Case("invalid report month", "GET", "/v1/revenue?from=2025&through=2026-01", body: nil, field: "from"),
        Case("list without its customer", "GET", "/v1/contacts", body: nil, field: "customerId"),
        Case("singleton command on an unknown record", "POST", "/v1/forms/nobody/fields/retire", body: #"{"name": "x"}"#, status: 404, type: "not-found", field: nil),
    ]

    @Test func everyBadInputClassAnswersAProblemNamingTheFieldAndWritesNothing() async throws {
        try await LiveServer.with { s in
            for c in Self.cases {
                let head = try await s.engine.store.headPosition()
                let method = HTTPMethod(rawValue: c.method)
                let answer = try await s.send(method, c.path, json: c.body, headers: c.headers)
                #expect(answer.status == c.status, "\(c.name): \(answer.status) \(answer.text.prefix(300))")
                #expect(answer.header("Content-Type") == "application/problem+json", "\(c.name)")
                #expect(text(answer.json["type"]) == "urn:crm:problem:" + c.type, "\(c.name): \(answer.text.prefix(300))")
                #expect(text(answer.json["field"]) == c.field, "\(c.name): \(answer.text.prefix(300))")
                #expect(try await s.engine.store.headPosition() == head, "\(c.name) wrote events")
            }
            #expect(try await s.send(.GET, "/health", authenticated: false).status == 200)
        }
    }
}
