import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// Records about a customer are created over HTTP only for a customer that exists and that the caller may see:
/// a ticket, task, opportunity, visit or contact log entry naming one that was never created is refused with
/// 400 naming `customerID`, nothing written, and the task shows on nobody's board.
@Suite(.serialized) struct UnknownCustomerRecordsTests {
    static func bodies(_ customer: String, _ admin: String) -> [(path: String, json: String)] {
        [
            ("/v1/tickets", #"{"channel": "phone", "kind": "faultRepair", "severity": "high", "customerId": "\#(customer)", "subject": "No water", "department": "service"}"#),
            ("/v1/tasks", #"{"title": "Call back", "customerId": "\#(customer)", "kind": "followUp", "dueAt": "2026-01-02T09:00:00Z", "assignee": "\#(admin)"}"#),
            ("/v1/opportunities", #"{"customerId": "\#(customer)", "title": "New boiler", "source": "visit", "expectedRevenue": {"amount": 5000, "currency": "CNY"}, "closeDate": "2026-03-31", "owner": "\#(admin)"}"#),
            ("/v1/visits", #"{"customerId": "\#(customer)", "visitor": "\#(admin)", "scheduledAt": "2026-01-05T09:00:00Z", "agenda": "Safety check", "place": "Home"}"#),
            ("/v1/contact-log", #"{"customerId": "\#(customer)", "channel": "phone", "subject": "Meter reading", "occurredAt": "2025-12-31T10:00:00Z"}"#),
        ]
    }

    @Test func recordsForACustomerThatWasNeverCreatedAreRefusedWithNothingWritten() async throws {
        try await LiveServer.with("unknown-customer-records") { s in
            try await s.expect(.POST, "/v1/settings/sla", #"{"kind": "faultRepair", "severity": "high", "responseMinutes": 30, "resolutionMinutes": 480}"#)
            let head = try await s.engine.store.headPosition()
            for (path, json) in Self.bodies(UUID().uuidString, s.admin.id) {
                let answer = try await s.send(.POST, path, json: json)
                #expect(answer.status == 400, "\(path): \(answer.status) \(answer.text)")
                #expect(text(answer.json["field"]) == "customerId", "\(path): \(answer.text)")
            }
            #expect(try await s.engine.store.headPosition() == head)
            let board = try await s.expect(.GET, "/v1/tasks/board")
            #expect(!board.text.contains("Call back"), "\(board.text)")

            // The same requests for a customer that exists are created.
            let customer = try await s.created("/v1/customers", #"{"kind": "person", "name": "Li Wei", "group": "residential", "branch": "north"}"#)
            for (path, json) in Self.bodies(customer, s.admin.id) {
                _ = try await s.created(path, json)
            }
        }
    }
}
