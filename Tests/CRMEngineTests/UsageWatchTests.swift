import CRMAnalytics
import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

@Suite struct UsageWatchTests {
    @Test func aLowReadingGetsOneTaskPerEpisodeForTheOwner() async throws {
        let f = try await EngineFixture.make("usage")
        let owner = try await f.hire("Meter Keeper", branch: "north", permissions: [Permission(module: .tasks, actions: [.query, .edit], scope: .own)])
        let customer = try await f.customer("Low Reader", branch: "north", owner: owner.id)
        let ledger = RevenueLedger.id(customerID: customer)
        func read(_ month: Int, _ quantity: Decimal) async throws -> UUID {
            let id = UUID.derived("reading", "\(month)")
            let start = try EngineFixture.day(String(format: "2025-%02d-01", month))
            try await f.engine.execute(RevenueLedger.self, id: ledger, .recordUsage(RevenueLedger.UsageReading(
                id: id, customerID: customer, meter: "m-1", periodStart: start, periodEnd: start.adding(months: 1).adding(days: -1),
                quantity: quantity, unit: "m3")), as: f.admin)
            return id
        }
        func run() async throws -> Int {
            try await f.engine.views.waitUntil(try await f.engine.store.headPosition())
            f.clock.advance(by: 86_400)
            return try await f.engine.runScheduledWork().usageAnomalyTasksDispatched
        }
        // History 100, 96, 104 (median 100): 20 is 80 % below, past the default 50 %. No peers: the own test alone.
        for (month, quantity) in [(1, 100), (2, 96), (3, 104)] { _ = try await read(month, Decimal(quantity)) }
        #expect(try await run() == 0, "normal readings open nothing")
        let april = try await read(4, 20)
        #expect(try await run() == 1)
        #expect(try await run() == 0, "a reading is judged once")
        let taskID = UsageAnomaly.taskID(customerID: customer, meter: "m-1", readingID: april)
        let (task, _) = try await f.engine.state(WorkTask.self, id: taskID, as: f.admin)
        #expect(task.assignee == owner.id && task.details?.customerID == customer)
        _ = try await read(5, 30)
        #expect(try await run() == 0, "a further low reading stays in the episode")

        // The owner checks the meter: the episode ends; only a later low reading opens a new one.
        try await f.engine.execute(WorkTask.self, id: taskID, .complete(resultNote: "meter checked"), as: owner)
        #expect(try await run() == 0)
        _ = try await read(6, 98)
        #expect(try await run() == 0)
        let july = try await read(7, 10)
        #expect(try await run() == 1)
        let stream = UsageWatch.stream(UsageWatch.id(customerID: customer, meter: "m-1"))
        #expect(try await f.engine.store.readStream(stream).map(\.type) == ["UsageAnomalyEpisodeOpened", "UsageAnomalyEpisodeEnded", "UsageAnomalyEpisodeOpened"])
        #expect(try await f.engine.state(WorkTask.self, id: UsageAnomaly.taskID(customerID: customer, meter: "m-1", readingID: july), as: f.admin).state.status == .dispatched)
        await f.close()
    }
}
