import CRMAnalytics
import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// The scheduler reads each reminder source's day in its own branch's calendar (R-TSK-4, R-TSK-7): a branch
/// ahead of UTC gets the reminders of its day as soon as that day starts there, not when UTC catches up.
@Suite struct SchedulerBranchDayTests {
    @Test func remindersAreGeneratedOnEachBranchsOwnDayNotOnTheUTCDay() async throws {
        let f = try await EngineFixture.make("scheduler-branch-day")
        try await f.engine.execute(Settings.self, id: UUID(), .setBranchTimeZone(branch: "north", timeZoneID: "Asia/Shanghai"), as: f.admin)
        try await f.engine.execute(Settings.self, id: UUID(), .setBranchTimeZone(branch: "west", timeZoneID: "America/Los_Angeles"), as: f.admin)
        for kind in [ReminderKind.birthday, .holiday, .diary] {
            try await f.engine.execute(Settings.self, id: UUID(), .setReminderLeadTime(kind: kind, days: 0), as: f.admin)
        }
        let day = try EngineFixture.day("2026-01-02")
        try await f.engine.execute(Settings.self, id: UUID(), .addHoliday(Holiday(date: day, name: "Bridge day", branches: ["north", "west"])), as: f.admin)

        // In each branch: an agent with a diary item on 2 January and a customer born on 2 January.
        var expected: [String: [UUID]] = [:]
        for branch in ["north", "west"] {
            let agent = try await f.hire("Agent \(branch)", branch: branch, permissions: ScopeTests.allRights(in: branch))
            let customer = UUID.derived("customer", "born-\(branch)")
            try await f.engine.execute(Customer.self, id: customer, .create(customerID: customer, NewCustomer(
                kind: .person, name: "Born \(branch)", group: "residential", branch: branch, owner: agent.id,
                birthday: try EngineFixture.day("1990-01-02")), form: .empty(group: "residential")), as: f.admin)
            let item = UUID.derived("diary-item", branch)
            try await f.engine.execute(Diary.self, id: try #require(UUID(uuidString: agent.id)),
                                       .addItem(Diary.Item(id: item, date: day, note: "Call the depot (\(branch))")), as: agent)
            expected[branch] = [
                Reminders.reminderID(kind: .diary, sourceID: item.lowercasedString, occurrence: day),
                Reminders.reminderID(kind: .birthday, sourceID: customer.lowercasedString, occurrence: day),
                Reminders.reminderID(kind: .holiday, sourceID: "\(agent.id)/Bridge day", occurrence: day),
            ]
        }
        func dispatched(_ ids: [UUID]?, in engine: CRMEngine) async throws -> [Bool] {
            var out: [Bool] = []
            for id in ids ?? [] { out.append(try await !engine.store.readStream(WorkTask.stream(id)).isEmpty) }
            return out
        }

        // 17:00 UTC on 1 January: 01:00 on 2 January in Shanghai, 09:00 on 1 January in Los Angeles.
        f.clock.set(Date(timeIntervalSince1970: 1_767_225_600 + 17 * 3600))
        let run = try await f.engine.runScheduledWork()
        #expect(run.remindersDispatched == 3, "north's diary item, birthday and holiday; west's day has not come")
        #expect(try await dispatched(expected["north"], in: f.engine) == [true, true, true])
        #expect(try await dispatched(expected["west"], in: f.engine) == [false, false, false])

        // After a restart (the scheduler runs at start) and on another node the same day: nothing new.
        let head = try await f.engine.store.headPosition()
        await f.closeEngine()
        let node = try await CRMEngine.open(at: f.directory, configuration: .init(clock: f.clock))
        let again = try await node.runScheduledWork()
        #expect(again.remindersDispatched == 0 && again.remindersAlreadyThere == 3)
        #expect(try await node.store.headPosition() == head)

        // 08:00 UTC on 2 January: midnight in Los Angeles, whose reminders come now; north's are there already.
        f.clock.set(Date(timeIntervalSince1970: 1_767_225_600 + 32 * 3600))
        let west = try await node.runScheduledWork()
        #expect(west.remindersDispatched == 3)
        #expect(try await dispatched(expected["west"], in: node) == [true, true, true])
        await node.close()
        try? FileManager.default.removeItem(atPath: f.directory)
    }

    /// A customer's churn evaluation is for its branch's day too: the episode a Shanghai customer's risk
    /// opens at 17:00 UTC on 1 January starts on 2 January, and its retention task is that day's.
    @Test func aChurnEpisodeStartsOnTheCustomersBranchDay() async throws {
        let f = try await EngineFixture.make("scheduler-branch-day-churn")
        try await f.engine.execute(Settings.self, id: UUID(), .setBranchTimeZone(branch: "north", timeZoneID: "Asia/Shanghai"), as: f.admin)
        let (owner, customer) = try await f.fadingBuyer()
        f.clock.set(Date(timeIntervalSince1970: 1_767_225_600 + 17 * 3600))
        #expect(try await f.engine.runScheduledWork().retentionTasksDispatched == 1)
        let shanghaiDay = try EngineFixture.day("2026-01-02")
        let task = try await f.engine.state(WorkTask.self, id: Churn.retentionTaskID(customerID: customer, startedOn: shanghaiDay), as: f.admin).state
        #expect(task.assignee == owner.id && task.details?.customerID == customer)
        await f.close()
    }
}
