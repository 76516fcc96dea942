import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import NIOHTTP1
import Testing

/// `asOf` on every record's GET over real HTTP (R-LOG-6), not only the customer's: the record as it was at
/// a log position or instant, with the same read rules as now; a GET whose answer is no record's state
/// refuses it (400 naming `asOf`) rather than answering the present.
@Suite(.serialized) struct AsOfEveryRecordTests {
    static let anyID = "0190a1b2-0000-7000-8000-00000000000a"

    /// SLA deadlines for fault repairs of every severity the tests open or raise a ticket to.
    static func slas(_ s: LiveServer) async throws {
        for severity in [TicketSeverity.normal, .high] {
            try await s.engine.execute(Settings.self, id: UUID(), .setSLADeadline(SLADeadline(kind: .faultRepair, severity: severity,
                                                                                             responseMinutes: 60, resolutionMinutes: 480)), as: s.admin)
        }
    }

    static func position(_ answer: LiveServer.Answer, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        try #require(text(answer.json["position"]), "\(answer.text.prefix(300))", sourceLocation: sourceLocation)
    }

    @Test func aTicketAsOfAnEarlierPositionShowsItsStateThen() async throws {
        try await LiveServer.with("asof-ticket") { s in
            try await Self.slas(s)
            let customer = try await s.created("/v1/customers", #"{"kind": "person", "name": "Li Wei", "group": "residential", "branch": "head-office"}"#)
            let ticket = try await s.created("/v1/tickets", """
                {"channel": "phone", "kind": "faultRepair", "severity": "normal", "customerId": "\(customer)", "subject": "No water", "department": "service"}
                """)
            try await s.expect(.POST, "/v1/tickets/\(ticket)/assign", #"{"assignee": "\#(s.admin.id)"}"#)
            let started = try Self.position(try await s.expect(.POST, "/v1/tickets/\(ticket)/start", "{}"))
            try await s.expect(.POST, "/v1/tickets/\(ticket)/severity", #"{"severity": "high"}"#)
            try await s.expect(.POST, "/v1/tickets/\(ticket)/resolve", #"{"resolution": "Valve replaced"}"#)

            let now = try await s.expect(.GET, "/v1/tickets/\(ticket)")
            #expect(text(now.json["status"]) == "resolved" && text(now.json["severity"]) == "high", "\(now.text.prefix(300))")
            let then = try await s.expect(.GET, "/v1/tickets/\(ticket)?asOf=\(started)")
            #expect(text(then.json["status"]) == "inProgress" && text(then.json["severity"]) == "normal", "\(then.text.prefix(300))")
            #expect(then.header("ETag") == "\"3\"")
            // As of an instant: the ticket's events were all recorded at the clock's one instant.
            let instant = try await s.expect(.GET, "/v1/tickets/\(ticket)?asOf=2026-01-01T00:00:00Z")
            #expect(text(instant.json["status"]) == "resolved", "\(instant.text.prefix(300))")
            // Before it existed: 404, as for a customer; a malformed point: 400 naming asOf.
            #expect(try await s.send(.GET, "/v1/tickets/\(ticket)?asOf=1").status == 404)
            let bad = try await s.send(.GET, "/v1/tickets/\(ticket)?asOf=someday")
            #expect(bad.status == 400 && text(bad.json["field"]) == "asOf", "\(bad.text)")
        }
    }

    @Test func anEmployeeAsOfAnEarlierPositionShowsTheirStateThen() async throws {
        try await LiveServer.with("asof-employee") { s in
            let hired = try await s.expect(.POST, "/v1/employees", #"{"name": "Zhao Min", "position": "engineer", "branch": "A", "hiredOn": "2025-06-01"}"#, status: 201)
            let employee = try #require(text(hired.json["id"]))
            let hiredAt = try Self.position(hired)
            try await s.expect(.PATCH, "/v1/employees/\(employee)", #"{"position": "senior engineer"}"#)

            #expect(text(try await s.expect(.GET, "/v1/employees/\(employee)").json["position"]) == "senior engineer")
            let then = try await s.expect(.GET, "/v1/employees/\(employee)?asOf=\(hiredAt)")
            #expect(text(then.json["position"]) == "engineer", "\(then.text.prefix(300))")
            // Not in the organisation yet just before the hire.
            let before = try #require(UInt64(hiredAt)) - 1
            #expect(try await s.send(.GET, "/v1/employees/\(employee)?asOf=\(before)").status == 404)
        }
    }

    @Test func aGetThatAnswersNoRecordsStateRefusesAsOf() async throws {
        try await LiveServer.with("asof-refused") { s in
            for path in ["/v1/loyalty/\(Self.anyID)?asOf=1", "/v1/opportunities/\(Self.anyID)/win-probability?asOf=1",
                         "/v1/customers/lookup?externalKey=billing:A-17&asOf=1",
                         // Lists and histories are never answered as they are now in place of a past point.
                         "/v1/campaigns?asOf=1", "/v1/customers/\(Self.anyID)/history?asOf=1", "/v1/records/customer-\(Self.anyID)/history?asOf=1"] {
                let answer = try await s.send(.GET, path)
                #expect(answer.status == 400, "\(path): \(answer.text)")
                #expect(text(answer.json["field"]) == "asOf", "\(path): \(answer.text)")
            }
        }
    }

    @Test func anotherBranchsRecordAsOfAPointStays404() async throws {
        try await LiveServer.with("asof-scope") { s in
            try await Self.slas(s)
            let (_, alice) = try await s.hire("Alice", branch: "A", permissions: ScopeOverHTTPTests.rights("A"))
            let (_, bob) = try await s.hire("Bob", branch: "B", permissions: ScopeOverHTTPTests.rights("B"))
            let customer = try await s.created("/v1/customers", #"{"kind": "person", "name": "Customer of B", "group": "residential", "branch": "B"}"#)
            let opened = try await s.expect(.POST, "/v1/tickets", """
                {"channel": "phone", "kind": "faultRepair", "severity": "normal", "customerId": "\(customer)", "subject": "Leak", "department": "service"}
                """, status: 201)
            let ticket = try #require(text(opened.json["id"]))
            let position = try Self.position(opened)
            let head = try await s.engine.store.headPosition()
            for point in [position, "\(head.rawValue)", "2026-01-01T00:00:00Z"] {
                let answer = try await s.send(.GET, "/v1/tickets/\(ticket)?asOf=\(point)", token: alice)
                #expect(answer.status == 404 && text(answer.json["type"]) == "urn:crm:problem:not-found", "\(point): \(answer.text)")
            }
            #expect(try await s.send(.GET, "/v1/tickets/\(ticket)?asOf=\(position)", token: bob).status == 200)
        }
    }
}

/// A client names its source system in `X-Source-System`: recorded in the metadata of the events its writes
/// record, as the console's and the CLI's are; none without the header; a malformed or reserved name is a 400
/// naming the header and writes nothing.
@Suite(.serialized) struct SourceSystemHeaderTests {
    static let customer = #"{"kind": "person", "name": "Li Wei", "group": "residential", "branch": "head-office"}"#

    static func sourceSystem(_ s: LiveServer, of id: String) async throws -> String? {
        let events = try await s.engine.store.readStream(StreamID("customer-" + id.lowercased()), limit: 10)
        return try #require(events.first).metadata.sourceSystem
    }

    @Test func aWriteRecordsTheSourceSystemTheClientNames() async throws {
        try await LiveServer.with("source-system") { s in
            let named = try await s.expect(.POST, "/v1/customers", Self.customer, status: 201, headers: [("X-Source-System", "billing.prod-2")])
            #expect(try await Self.sourceSystem(s, of: try #require(text(named.json["id"]))) == "billing.prod-2")
            let plain = try await s.expect(.POST, "/v1/customers", Self.customer, status: 201)
            #expect(try await Self.sourceSystem(s, of: try #require(text(plain.json["id"]))) == nil)

            let head = try await s.engine.store.headPosition()
            for value in ["bad value", "", String(repeating: "x", count: 65), "web-console", "CRM-CLI", "bäckerei"] {
                let refused = try await s.send(.POST, "/v1/customers", json: Self.customer, headers: [("X-Source-System", value)])
                #expect(refused.status == 400 && text(refused.json["field"]) == "X-Source-System", "\(value): \(refused.text)")
            }
            #expect(try await s.engine.store.headPosition() == head)
        }
    }
}
