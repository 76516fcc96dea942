import AsyncHTTPClient
import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// Every write answers the same result (`id`, `stream`, `version`, `position`, `events`; numbers as numbers),
/// and its `position` is always a log position to read one's own write at — also when nothing was written.
@Suite struct WriteResultShapeTests {
    static let customer = #"{"kind": "person", "name": "Li Wei", "group": "retail", "branch": "berlin"}"#

    /// A letter queued for `customer` as the reactions queue it; its id in lower case.
    static func queuedLetter(_ s: LiveServer, customer: String) async throws -> String {
        let id = UUID.derived("outbox", customer)
        let item = OutboxItemQueued(itemID: id, channel: "letter", template: "complaint-received", customerID: UUID(uuidString: customer),
                                    reference: "ticket-1", queuedAt: s.clock.now())
        let queued = try await s.engine.execute(OutboxItem.self, id: id, .queue(item), as: .system)
        try await s.engine.views.waitUntil(queued.position)
        return id.lowercasedString
    }

    @Test func acknowledgingAnOutboxItemAnswersTheStandardCommandResult() async throws {
        try await LiveServer.with("ack-shape") { s in
            let customer = try await s.created("/v1/customers", Self.customer)
            let item = try await Self.queuedLetter(s, customer: customer)
            let ack = try await s.expect(.POST, "/v1/outbox/\(item)/acknowledge", #"{"receipt": "L-1"}"#)
            #expect(ack.json["position"] is NSNumber && !(ack.json["position"] is String), "\(ack.text)")
            #expect(ack.json["version"] as? Int == 2, "\(ack.text)")
            #expect(text(ack.json["stream"]) == "outbox-\(item)" && text(ack.json["id"]) == item, "\(ack.text)")
            let events = ack.json["events"] as? [[String: Any]] ?? []
            #expect(events.compactMap { text($0["type"]) } == [OutboxItemDelivered.eventType], "\(ack.text)")
            #expect(ack.header("ETag") == "\"2\"")
            let position = try #require(ack.json["position"] as? Int)
            #expect(position == (events.first?["position"] as? Int), "\(ack.text)")
            try await s.engine.views.waitUntil(GlobalPosition(UInt64(position)))
            let left = try await s.expect(.GET, "/v1/outbox?consistentWith=\(position)")
            #expect((left.json["items"] as? [Any])?.isEmpty == true, "\(left.text)")
            // Acknowledged again: nothing written, the item's own last position answered.
            let again = try await s.expect(.POST, "/v1/outbox/\(item)/acknowledge", "{}")
            #expect(again.json["position"] as? Int == position && (again.json["events"] as? [Any])?.isEmpty == true, "\(again.text)")
        }
    }

    /// Acknowledging delivery takes a letter off the outbox unsent for good: a branch's customer editor, who
    /// sees its letters, may not (403, nothing written); a delivery adapter with edit in settings may.
    @Test func aCustomerEditorMayNotAcknowledgeAnOutboxItemOverHTTP() async throws {
        try await LiveServer.with("ack-rights") { s in
            let customer = try await s.created("/v1/customers", Self.customer)
            let item = try await Self.queuedLetter(s, customer: customer)
            let (_, rita) = try await s.hire("Rita", branch: "berlin", permissions: [
                Permission(module: .customers, actions: [.query, .create, .edit], scope: .branch("berlin")),
            ])
            let listed = try await s.send(.GET, "/v1/outbox", token: rita)
            #expect((listed.json["items"] as? [[String: Any]])?.compactMap { text($0["itemID"])?.lowercased() } == [item], "\(listed.text)")
            let head = try await s.engine.store.headPosition()
            let refused = try await s.send(.POST, "/v1/outbox/\(item)/acknowledge", token: rita, json: "{}")
            #expect(refused.status == 403, "\(refused.text)")
            #expect(try await s.engine.store.headPosition() == head)
            let (_, adapter) = try await s.hire("Letter service", branch: "head-office", permissions: [
                Permission(module: .customers, actions: [.query, .edit], scope: .all),
                Permission(module: .settings, actions: [.edit], scope: .all),
            ])
            let ack = try await s.send(.POST, "/v1/outbox/\(item)/acknowledge", token: adapter, json: #"{"receipt": "L-7"}"#)
            #expect(ack.status == 200, "\(ack.text)")
        }
    }

    /// A write that changes nothing answers no events and, as `position`, the log position of the record's
    /// last event (never 0): passed as `consistentWith`, the read shows the record as the write found it.
    @Test func aWriteThatChangesNothingAnswersTheRecordsLastPosition() async throws {
        try await LiveServer.with("noop-position") { s in
            try await s.engine.execute(Settings.self, id: UUID(), .setSLADeadline(SLADeadline(kind: .faultRepair, severity: .high, responseMinutes: 60, resolutionMinutes: 480)), as: s.admin)
            let customer = try await s.created("/v1/customers", Self.customer)
            let renamed = try await s.expect(.PATCH, "/v1/customers/\(customer)", #"{"name": "Li Wei Senior"}"#)
            let written = try #require(renamed.json["position"] as? Int)
            let ticket = try await s.created("/v1/tickets", #"{"channel": "phone", "kind": "faultRepair", "severity": "high", "customerId": "\#(customer)", "subject": "No water", "department": "service"}"#)
            let opened = try await s.engine.store.headPosition()
            let unchanged = try await s.expect(.PATCH, "/v1/customers/\(customer)", #"{"name": "Li Wei Senior"}"#)
            #expect((unchanged.json["events"] as? [Any])?.isEmpty == true, "\(unchanged.text)")
            #expect(unchanged.json["position"] as? Int == written, "\(unchanged.text)")
            #expect(unchanged.json["version"] as? Int == renamed.json["version"] as? Int)
            let read = try await s.expect(.GET, "/v1/customers/\(customer)?consistentWith=\(written)")
            #expect(text((read.json["profile"] as? [String: Any])?["name"]) == "Li Wei Senior", "\(read.text.prefix(300))")
            let same = try await s.expect(.POST, "/v1/tickets/\(ticket)/severity", #"{"severity": "high"}"#)
            #expect((same.json["events"] as? [Any])?.isEmpty == true, "\(same.text)")
            let position = try #require(same.json["position"] as? Int)
            #expect(position > 0 && position <= Int(opened.rawValue), "\(same.text)")
            let first = try await s.engine.store.readStream(StreamID("ticket-\(ticket.lowercased())"), from: StreamVersion(1), direction: .forward, limit: 1)
            #expect(position == first.first.map { Int($0.position.rawValue) }, "the ticket's last (and only) event")
        }
    }

    @Test func theReadAuditRefusesAWindowWhoseStartIsAfterItsEndInPlainWords() async throws {
        try await LiveServer.with("audit-window-words") { s in
            let refused = try await s.expect(.GET, "/v1/audit/reads?from=2026-11-28T00:00:00Z&to=2026-11-01T00:00:00Z", status: 400)
            #expect(text(refused.json["field"]) == "from")
            #expect(text(refused.json["detail"]) == "from must not be after to", "\(refused.text)")
        }
    }

    /// A record naming a customer is judged first on where it would go (the customer's scope): a branch's
    /// employee creating for an unknown customer or another branch's is refused 403; for a customer of their
    /// own branch that was merged, 400 naming `customerID` — as docs/openapi.yaml says.
    @Test func creatingForACustomerOutsideOnesScopeIs403AndForAMergedOneInIt400() async throws {
        try await LiveServer.with("create-customer-answers") { s in
            let berlin = try await s.created("/v1/customers", Self.customer)
            let hamburg = try await s.created("/v1/customers", #"{"kind": "person", "name": "Anna Berg", "group": "retail", "branch": "hamburg"}"#)
            let merged = try await s.created("/v1/customers", #"{"kind": "person", "name": "Li W.", "group": "retail", "branch": "berlin"}"#)
            try await s.engine.execute(Customer.self, id: try #require(UUID(uuidString: merged)), .markMerged(into: try #require(UUID(uuidString: berlin))), as: s.admin)
            let (rita, token) = try await s.hire("Rita", branch: "berlin", permissions: [.customers, .tasks, .opportunities].map {
                Permission(module: $0, actions: [.query, .create, .edit], scope: .branch("berlin"))
            })
            func task(_ customer: String) -> String {
                #"{"title": "Call back", "customerId": "\#(customer)", "kind": "followUp", "dueAt": "2026-01-02T09:00:00Z", "assignee": "\#(rita.id)"}"#
            }
            func opportunity(_ customer: String) -> String {
                #"{"customerId": "\#(customer)", "owner": "\#(rita.id)", "title": "Heat pump", "source": "visit", "expectedRevenue": {"amount": 8000, "currency": "CNY"}, "closeDate": "2026-06-30"}"#
            }
            let unknown = UUID.derived("customer", "never created").lowercasedString
            for (path, body) in [("/v1/tasks", task), ("/v1/opportunities", opportunity)] {
                for customer in [unknown, hamburg] {
                    let answer = try await s.send(.POST, path, token: token, json: body(customer))
                    #expect(answer.status == 403, "\(path): \(answer.text)")
                }
                let answer = try await s.send(.POST, path, token: token, json: body(merged))
                #expect(answer.status == 400 && text(answer.json["field"]) == "customerId", "\(path): \(answer.text)")
                // Whoever may create over all data is told an unknown customer is no customer: 400.
                let admin = try await s.send(.POST, path, json: body(unknown).replacingOccurrences(of: rita.id, with: s.admin.id))
                #expect(admin.status == 400 && text(admin.json["field"]) == "customerId", "\(path): \(admin.text)")
            }
        }
    }
}
