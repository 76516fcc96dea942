import CRMAnalytics
import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import Foundation
import Testing

/// New work the engine decides itself — a reminder, a usage-anomaly or retention task, a rule chain's notice
/// to the owner — never goes to an employee who has been deactivated (an exploratory tester found reminders and
/// owner notices dispatched to someone who had left, where nobody would see them).
@Suite struct NewWorkForLeaversTests {
    func deactivate(_ f: EngineFixture, _ employee: Principal) async throws {
        let id = try #require(UUID(uuidString: employee.id))
        try await f.engine.execute(Organisation.self, id: id, .deactivate(employeeID: id, reason: "left"), as: f.admin)
    }

    @Test func aReminderForADeactivatedOwnerIsNotDispatchedAndGoesToTheNextOwner() async throws {
        let f = try await EngineFixture.make("leaver-reminder")
        let leaver = try await f.hire("Leaver", branch: "north", permissions: [Permission(module: .tasks, actions: [.query], scope: .own)])
        let successor = try await f.hire("Successor", branch: "north", permissions: ScopeTests.allRights(in: "north"))
        // Born on 3 January; the clock is 1 January 2026.
        let id = UUID.derived("customer", "Birthday")
        try await f.engine.execute(Customer.self, id: id, .create(customerID: id, NewCustomer(
            kind: .person, name: "Birthday Person", group: "residential", branch: "north", owner: leaver.id,
            birthday: try EngineFixture.day("1990-01-03")), form: .empty(group: "residential")), as: f.admin)
        try await deactivate(f, leaver)
        let head = try await f.engine.store.headPosition()
        let run = try await f.engine.runScheduledWork()
        #expect(run.remindersDispatched == 0 && run.remindersAlreadyThere == 0)
        #expect(try await f.engine.store.headPosition() == head, "nothing is written for someone who has left")

        // The customer gets a new owner: the next run of the lead window reminds them.
        try await f.engine.execute(Customer.self, id: id, .edit(CustomerEdit(owner: .set(successor.id)), form: .empty(group: "residential")), as: f.admin)
        #expect(try await f.engine.runScheduledWork().remindersDispatched == 1)
        let view = try await f.engine.customer(id, as: f.admin, consistentWith: try await f.engine.store.headPosition())
        #expect(view.openTasks.map(\.owner) == [successor.id])
        await f.close()
    }

    @Test func aUsageAnomalyTaskIsNotDispatchedToADeactivatedOwner() async throws {
        let f = try await EngineFixture.make("leaver-usage")
        let leaver = try await f.hire("Meter Leaver", branch: "north", permissions: [Permission(module: .tasks, actions: [.query, .edit], scope: .own)])
        let customer = try await f.customer("Low Reader", branch: "north", owner: leaver.id)
        for (month, quantity) in [(1, 100), (2, 96), (3, 104)] { _ = try await UsageReadingKeyTests.read(f, customer, month, Decimal(quantity)) }
        let april = try await UsageReadingKeyTests.read(f, customer, 4, 20)
        try await deactivate(f, leaver)
        let run = try await f.engine.runScheduledWork()
        #expect(run.usageAnomalyTasksDispatched == 0)
        let stream = UsageWatch.stream(UsageWatch.id(customerID: customer, meter: "m-1"))
        #expect(try await f.engine.store.readStream(stream).map(\.type) == [UsageAnomalyEpisodeOpened.eventType], "the episode is still recorded")
        let task = UsageAnomaly.taskID(customerID: customer, meter: "m-1", readingID: april)
        #expect(try await f.engine.store.readStream(WorkTask.stream(task)).isEmpty)
        await f.close()
    }

    @Test func theOwnersTaskGoesToTheTicketsDepartmentWhenTheOwnerHasLeft() async throws {
        let chains = RuleChainReplayTests()
        let f = try await EngineFixture.make("leaver-rule-chain")
        try await chains.sla(f, .complaint, [.high])
        try await chains.chain(f, .complaint, .high, [RuleAction(kind: .notifyOwner)])
        let leaver = try await f.hire("Chain Leaver", branch: "north", permissions: ScopeTests.allRights(in: "north"))
        let customer = try await f.customer("Li Wei", branch: "north", owner: leaver.id)
        try await deactivate(f, leaver)
        try await chains.open(f, 1, kind: .complaint, severity: .high, customer: customer)
        let written = try await chains.followUps(f.engine)
        #expect(written.tasks.map(\.assignee) == ["service"])
        let replay = try await chains.replayWritesNothing(f)
        #expect(replay.nothingWritten && !replay.refused, "a reactor catching up routes as the first run did")
    }

    @Test func aReactorCatchingUpStillRoutesTheOwnersTaskToAnOwnerWhoLeftOnlyAfterTheEvent() async throws {
        let chains = RuleChainReplayTests()
        let f = try await EngineFixture.make("leaver-rule-chain-as-of")
        try await chains.sla(f, .complaint, [.high])
        try await chains.chain(f, .complaint, .high, [RuleAction(kind: .notifyOwner)])
        let leaver = try await f.hire("Later Leaver", branch: "north", permissions: ScopeTests.allRights(in: "north"))
        let customer = try await f.customer("Li Wei", branch: "north", owner: leaver.id)
        let leaverID = try #require(UUID(uuidString: leaver.id))
        let task = try await TicketReactionAsOfTests().ownersTaskAfterCatchingUp(f, customer: customer) { engine in
            try await engine.execute(Organisation.self, id: leaverID, .deactivate(employeeID: leaverID, reason: "left"), as: f.admin)
        }
        #expect(task.assignee == leaver.id)
    }
}

/// The usage watch judges every new reading on the next run, whatever the day (a reading recorded after the
/// day's first run was once judged only the next day, and a second one that day never), and writes nothing
/// when it decides nothing.
@Suite struct UsageReadingKeyTests {
    /// Records the reading of meter `m-1` for a month of 2025; returns its id.
    static func read(_ f: EngineFixture, _ customer: UUID, _ month: Int, _ quantity: Decimal) async throws -> UUID {
        let id = UUID.derived("reading", "\(customer)", "\(month)")
        let start = try EngineFixture.day(String(format: "2025-%02d-01", month))
        try await f.engine.execute(RevenueLedger.self, id: RevenueLedger.id(customerID: customer), .recordUsage(RevenueLedger.UsageReading(
            id: id, customerID: customer, meter: "m-1", periodStart: start, periodEnd: start.adding(months: 1).adding(days: -1),
            quantity: quantity, unit: "m3")), as: f.admin)
        return id
    }

    @Test func readingsRecordedAfterTheDaysFirstRunAreJudgedOnTheNextRunTheSameDay() async throws {
        let f = try await EngineFixture.make("usage-same-day")
        let owner = try await f.hire("Meter Keeper", branch: "north", permissions: [Permission(module: .tasks, actions: [.query, .edit], scope: .own)])
        let customer = try await f.customer("Low Reader", branch: "north", owner: owner.id)
        for (month, quantity) in [(1, 100), (2, 96), (3, 104)] { _ = try await Self.read(f, customer, month, Decimal(quantity)) }
        // The day's first run: a normal latest reading decides nothing, and nothing is written (no outcome per meter and day).
        let head = try await f.engine.store.headPosition()
        #expect(try await f.engine.runScheduledWork().usageAnomalyTasksDispatched == 0)
        #expect(try await f.engine.store.headPosition() == head)

        // Later the same day a low reading: the next run judges it.
        f.clock.advance(by: 3_600)
        let april = try await Self.read(f, customer, 4, 20)
        #expect(try await f.engine.runScheduledWork().usageAnomalyTasksDispatched == 1)
        let task = try await f.engine.state(WorkTask.self, id: UsageAnomaly.taskID(customerID: customer, meter: "m-1", readingID: april), as: f.admin).state
        #expect(task.assignee == owner.id)
        let settled = try await f.engine.store.headPosition()
        #expect(try await f.engine.runScheduledWork().usageAnomalyTasksDispatched == 0)
        #expect(try await f.engine.store.headPosition() == settled, "a reading is judged once")

        // A second reading that day, normal again: the episode ends on the next run.
        f.clock.advance(by: 3_600)
        _ = try await Self.read(f, customer, 5, 99)
        _ = try await f.engine.runScheduledWork()
        let stream = UsageWatch.stream(UsageWatch.id(customerID: customer, meter: "m-1"))
        #expect(try await f.engine.store.readStream(stream).map(\.type) == [UsageAnomalyEpisodeOpened.eventType, UsageAnomalyEpisodeEnded.eventType])
        await f.close()
    }
}

/// One task's `daysLate` is the same on its assignee's board and on the overdue list: counted in the task's own
/// calendar (its `branch`), not the assignee's (they once said 0 and 1).
@Suite struct TaskDaysLateAgreementTests {
    @Test func theBoardAndTheOverdueListCountDaysLateInTheTasksCalendar() async throws {
        let f = try await EngineFixture.make("days-late-agree")
        try await f.engine.execute(Settings.self, id: UUID(), .setBranchTimeZone(branch: "shanghai", timeZoneID: "Asia/Shanghai"), as: f.admin)
        try await f.engine.execute(Settings.self, id: UUID(), .setBranchTimeZone(branch: "berlin", timeZoneID: "Europe/Berlin"), as: f.admin)
        let agent = try await f.hire("Shanghai Agent", branch: "shanghai", permissions: [Permission(module: .tasks, actions: [.query, .edit], scope: .own)])
        // Due 2 January 15:30 UTC: 23:30 in Shanghai, 16:30 in Berlin. At 17:00 UTC it is 3 January in Shanghai, still 2 January in Berlin.
        let id = UUID.derived("task", "berlin late")
        try await f.engine.execute(WorkTask.self, id: id, .dispatch(taskID: id, details: WorkTask.Details(
            title: "berlin-branch late", kind: .followUp, dueAt: Date(timeIntervalSince1970: 1_767_367_800), branch: "berlin"), assignee: agent.id), as: f.admin)
        f.clock.set(Date(timeIntervalSince1970: 1_767_373_200))
        let head = try await f.engine.store.headPosition()
        let board = try await f.engine.taskBoard(for: agent.id, as: agent, consistentWith: head)
        let overdue = try await f.engine.overdueTasks(as: f.admin, consistentWith: head)
        #expect(board.overdue.map(\.daysLate) == [0])
        #expect(overdue.items.map(\.daysLate) == [0])
        await f.close()
    }
}
