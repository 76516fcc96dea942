import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// Acknowledging an outbox item takes it off the outbox unsent for good: it is the delivery adapter's, which
/// needs `edit` in settings besides `edit` in customers over the item's customer — not any customer editor's.
@Suite struct OutboxAcknowledgeRightsTests {
    /// A letter queued (as the reactions queue it) for a customer of `branch`.
    func queuedLetter(_ f: EngineFixture, customer: UUID, _ n: Int) async throws -> UUID {
        let id = UUID.derived("outbox", "letter-\(n)")
        let item = OutboxItemQueued(itemID: id, channel: "letter", template: "complaint-received", customerID: customer,
                                    reference: "ticket-\(n)", queuedAt: f.clock.now())
        let queued = try await f.engine.execute(OutboxItem.self, id: id, .queue(item), as: .system)
        try await f.engine.views.waitUntil(queued.position)
        return id
    }

    @Test func aBranchCustomerEditorSeesTheOutboxButMayNotAcknowledgeOrReportFailure() async throws {
        let f = try await EngineFixture.make("outbox-ack-rights")
        let customer = try await f.customer("Li Wei", branch: "berlin")
        let item = try await queuedLetter(f, customer: customer, 1)
        let rita = try await f.hire("Rita", branch: "berlin", permissions: [Permission(module: .customers, actions: [.query, .create, .edit], scope: .branch("berlin"))])
        // Reading the outbox stays as it was: her branch's letters are listed.
        #expect(try await f.engine.pendingOutbox(as: rita).map(\.itemID) == [item])
        let head = try await f.engine.store.headPosition()
        let acknowledged = await #expect(throws: EngineError.self) { try await f.engine.acknowledgeDelivery(of: item, receipt: nil, as: rita) }
        #expect(acknowledged?.code == .forbidden, "\(String(describing: acknowledged))")
        let failed = await #expect(throws: EngineError.self) {
            try await f.engine.execute(OutboxItem.self, id: item, .reportFailure(reason: "no such address"), as: rita)
        }
        #expect(failed?.code == .forbidden, "\(String(describing: failed))")
        let dryRun = await #expect(throws: EngineError.self) { try await f.engine.dryRun(OutboxItem.self, id: item, .acknowledge(receipt: nil), as: rita) }
        #expect(dryRun?.code == .forbidden)
        #expect(try await f.engine.store.headPosition() == head, "a refused acknowledgement writes nothing")
        #expect(try await f.engine.pendingOutbox(as: rita).map(\.itemID) == [item], "the letter is still waiting")
        // An id no item has, or an item she may not see, is not found — as before: the new rule tells nothing.
        let unknown = await #expect(throws: EngineError.self) { try await f.engine.acknowledgeDelivery(of: UUID.derived("outbox", "none"), receipt: nil, as: rita) }
        #expect(unknown?.code == .notFound)
        let elsewhere = try await queuedLetter(f, customer: try await f.customer("Anna Berg", branch: "hamburg"), 2)
        let hidden = await #expect(throws: EngineError.self) { try await f.engine.acknowledgeDelivery(of: elsewhere, receipt: nil, as: rita) }
        #expect(hidden?.code == .notFound)
        await f.close()
    }

    @Test func aDeliveryAdapterWithEditInSettingsAcknowledges() async throws {
        let f = try await EngineFixture.make("outbox-ack-adapter")
        let customer = try await f.customer("Li Wei", branch: "berlin")
        let first = try await queuedLetter(f, customer: customer, 1)
        let second = try await queuedLetter(f, customer: customer, 2)
        let adapter = try await f.hire("Letter service", branch: "head-office", permissions: [
            Permission(module: .customers, actions: [.query, .edit], scope: .all),
            Permission(module: .settings, actions: [.edit], scope: .all),
        ])
        let failure = try await f.engine.execute(OutboxItem.self, id: first, .reportFailure(reason: "printer jam"), as: adapter)
        #expect(failure.events.count == 1)
        let ack = try await f.engine.acknowledgeDelivery(of: first, receipt: "L-1", as: adapter)
        #expect(ack.events.map(\.type) == [OutboxItemDelivered.eventType])
        // The system (and the operator) acknowledge too, and the administrator, who holds every permission.
        let byAdmin = try await f.engine.acknowledgeDelivery(of: second, receipt: nil, as: f.admin)
        try await f.engine.views.waitUntil(byAdmin.position)
        #expect(try await f.engine.pendingOutbox(as: adapter).isEmpty)
        await f.close()
    }
}
