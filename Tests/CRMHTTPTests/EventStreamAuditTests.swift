import CRMDomain
import CRMEngine
import CRMHTTP
import EventSourcing
import Foundation
import Testing

/// The `/v1/events` stream records its reads in the read audit once per record and connection, not once per
/// event: a client reconnecting from position 1 does not write an entry for every event of the log.
@Suite(.serialized) struct EventStreamAuditTests {
    @Test func aConnectionRecordsEachRecordItSendsOnce() async throws {
        try await LiveServer.with("events-audit", reactions: []) { s in
            let created = try await s.send(.POST, "/v1/customers", json: #"{"kind": "person", "name": "Audited", "group": "g", "branch": "A"}"#)
            let id = try #require(created.json["id"] as? String)
            let from = try #require(created.json["position"] as? Int)
            _ = try await s.expect(.PATCH, "/v1/customers/\(id)", #"{"name": "Audited twice"}"#)
            _ = try await s.expect(.PATCH, "/v1/customers/\(id)", #"{"name": "Audited thrice"}"#)
            let history = "history:customer-\(id.lowercased())"
            let since = s.clock.now()

            let events = try await EventStreamTests.readEvents(s, path: "/v1/events?from=\(from)", count: 3)
            #expect(events.count == 3 && events.allSatisfy { ($0["stream"] as? String) == "customer-\(id.lowercased())" }, "\(events)")
            s.clock.advance(by: 1)
            var entries = try s.engine.readAudit(from: since, to: s.clock.now(), as: s.admin).filter { $0.record == history }
            #expect(entries.count == 1, "\(entries.map(\.record))")
            #expect(entries.first?.principal == s.admin.id)

            // Another connection is another read: recorded once more.
            _ = try await EventStreamTests.readEvents(s, path: "/v1/events?from=\(from)", count: 3)
            s.clock.advance(by: 1)
            entries = try s.engine.readAudit(from: since, to: s.clock.now(), as: s.admin).filter { $0.record == history }
            #expect(entries.count == 2, "\(entries.map(\.record))")
        }
    }

    /// The records a reader's audit keeps are bounded: past the capacity they are forgotten, and a record is
    /// recorded again (at most once per that many distinct records).
    @Test func theRecordsKeptAsAuditedAreBounded() async throws {
        try await LiveServer.with("events-audit-bound", reactions: []) { s in
            var streams: [StreamID] = []
            for name in ["One", "Two"] {
                let created = try await s.send(.POST, "/v1/customers", json: #"{"kind": "person", "name": "\#(name)", "group": "g", "branch": "A"}"#)
                let id = try #require(created.json["id"] as? String)
                streams.append(Customer.stream(try #require(UUID(uuidString: id))))
            }
            let head = try await s.engine.store.headPosition()
            let since = s.clock.now()
            let decisions = CRMEngine.ReadDecisions(auditedCapacity: 1)
            for stream in [streams[0], streams[0], streams[1], streams[0]] {
                _ = try await s.engine.history(of: stream, as: s.admin, limit: 1, consistentWith: head, decisions: decisions)
            }
            s.clock.advance(by: 1)
            let records = try s.engine.readAudit(from: since, to: s.clock.now(), as: s.admin).map(\.record).filter { $0.hasPrefix("history:") }
            #expect(records == ["history:" + streams[0].rawValue, "history:" + streams[1].rawValue, "history:" + streams[0].rawValue])
        }
    }
}
