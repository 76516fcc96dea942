import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// Read-your-writes for search and the activity list: `consistentWith` (a command's position) waits for
/// the views they read, as the other queries do.
@Suite struct SearchConsistentWithTests {
    @Test func searchWithConsistentWithFindsTheWriteJustMade() async throws {
        let f = try await EngineFixture.make("search-consistent")
        for i in 0..<5 {
            let id = UUID.derived("customer", "Quarkly \(i)")
            let result = try await f.engine.execute(Customer.self, id: id, .create(customerID: id, NewCustomer(
                kind: .person, name: "Zebulon Quarkly \(i)", group: "residential", branch: "north"), form: .empty(group: "residential")), as: f.admin)
            let hits = try await f.engine.search("quarkly \(i)", as: f.admin, consistentWith: result.position)
            #expect(hits.map(\.id).contains(id))
            let page = try await f.engine.search("quarkly \(i)", as: f.admin, after: nil, limit: 10, consistentWith: result.position)
            #expect(page.items.map(\.id).contains(id))
        }
        await f.close()
    }

    @Test func activityWithConsistentWithFindsTheEntryJustLogged() async throws {
        let f = try await EngineFixture.make("activity-consistent")
        let customer = try await f.customer("Activity Ann", branch: "north")
        let id = UUID.derived("contact-log", "activity-consistent")
        let result = try await f.engine.execute(ContactLogEntry.self, id: id, .log(id: id, customerID: customer, details: ContactLogEntry.Details(
            channel: .phone, subject: "Asked about the bill", occurredAt: f.clock.now().addingTimeInterval(-60))), as: f.admin)
        let entries = try await f.engine.activity(as: f.admin, filter: .init(customerID: customer), consistentWith: result.position)
        #expect(entries.count == 1)
        await f.close()
    }

    /// A position no write of this log returned is refused at once, as for the other queries.
    @Test func searchWithAPositionBeyondTheHeadIsInvalid() async throws {
        let f = try await EngineFixture.make("search-beyond-head")
        let head = try await f.engine.store.headPosition()
        await #expect(throws: EngineError(.invalid, field: "consistentWith", "position \(head.rawValue + 1000) is beyond the log's head (\(head.rawValue))")) {
            _ = try await f.engine.search("anything", as: f.admin, consistentWith: GlobalPosition(head.rawValue + 1000))
        }
        await f.close()
    }
}
