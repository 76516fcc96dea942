import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

@Suite struct SchedulerTests {
    @Test func theDailyRunDispatchesEachReminderOnceHoweverOftenItRuns() async throws {
        let f = try await EngineFixture.make("scheduler")
        let owner = try await f.hire("Owner", branch: "north", permissions: [Permission(module: .tasks, actions: [.query], scope: .own)])
        // Born on 3 January; the clock is 1 January 2026.
        let id = UUID.derived("customer", "Birthday")
        try await f.engine.execute(Customer.self, id: id, .create(customerID: id, NewCustomer(
            kind: .person, name: "Birthday Person", group: "residential", branch: "north", owner: owner.id,
            birthday: try EngineFixture.day("1990-01-03")), form: .empty(group: "residential")), as: f.admin)

        let first = try await f.engine.runScheduledWork()
        #expect(first.remindersDispatched == 1)
        let head = try await f.engine.store.headPosition()
        let again = try await f.engine.runScheduledWork()
        #expect(again.remindersDispatched == 0 && again.remindersAlreadyThere == 1)
        #expect(try await f.engine.store.headPosition() == head)

        // The next day the same birthday is the same reminder; a second node sharing the log agrees.
        f.clock.advance(by: 86_400)
        #expect(try await f.engine.runScheduledWork().remindersDispatched == 0)
        await f.engine.close()
        let node = try await CRMEngine.open(at: f.directory, configuration: .init(clock: f.clock))
        #expect(try await node.runScheduledWork().remindersDispatched == 0)
        #expect(try await node.store.headPosition() == head)
        let view = try await node.customer(id, as: f.admin, consistentWith: head)
        #expect(view.openTasks.count == 1)
        #expect(view.openTasks.first?.owner == owner.id)
        await node.close()
        try? FileManager.default.removeItem(atPath: f.directory)
    }
}
