import CRMAnalytics
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
        await f.closeEngine()
        let node = try await CRMEngine.open(at: f.directory, configuration: .init(clock: f.clock))
        #expect(try await node.runScheduledWork().remindersDispatched == 0)
        #expect(try await node.store.headPosition() == head)
        let view = try await node.customer(id, as: f.admin, consistentWith: head)
        #expect(view.openTasks.count == 1)
        #expect(view.openTasks.first?.owner == owner.id)
        await node.close()
        try? FileManager.default.removeItem(atPath: f.directory)
    }

    @Test func aContractPastItsExpiryIsRenewedByItsClauseOrRecordedAsExpiredOnce() async throws {
        let f = try await EngineFixture.make("scheduler-contract-end")
        let owner = try await f.hire("Keeper", branch: "north", permissions: ScopeTests.allRights(in: "north"))
        let customer = try await f.customer("Contracted", branch: "north", owner: owner.id)
        try await f.meterProduct()
        let quote = UUID.derived("quote", "ended")
        try await f.engine.execute(Quote.self, id: quote, .create(quoteID: quote, customerID: customer, customerCode: "END", date: try EngineFixture.day("2025-01-02"),
                                                                  sequence: 1, draft: ScopeTestsPart2.draft, authorRole: "Administrator", limits: []), as: f.admin)
        try await f.engine.execute(Quote.self, id: quote, .accept, as: f.admin)
        // Two contracts whose last day was 31 December 2025 (the clock says 1 January 2026): one renews by 12 months.
        // They are activated on that last day (a contract whose expiry has passed is not activated).
        f.clock.set(Date(timeIntervalSince1970: 1_767_225_600 - 43_200))
        var ids: [UUID] = []
        for (label, renewal) in [("renewing", 12), ("ending", nil)] as [(String, Int?)] {
            let id = UUID.derived("contract", label)
            try await f.engine.execute(Contract.self, id: id, .draft(id: id, customerID: customer, owner: owner.id, branch: nil, title: "Supply \(label)",
                                                                     quoteID: quote, quoteNumber: "", lines: ScopeTestsPart2.lines,
                                                                     terms: Contract.Terms(effective: try EngineFixture.day("2025-01-01"), serviceStart: try EngineFixture.day("2025-01-01"),
                                                                                           expiry: try EngineFixture.day("2025-12-31"), renewalTermMonths: renewal)), as: f.admin)
            try await f.engine.execute(Contract.self, id: id, .submitForApproval, as: f.admin)
            try await f.engine.execute(Contract.self, id: id, .approve(note: nil), as: .system)  // its submitter may not approve it
            try await f.engine.execute(Contract.self, id: id, .activate, as: f.admin)
            ids.append(id)
        }
        f.clock.set(Date(timeIntervalSince1970: 1_767_225_600))
        let run = try await f.engine.runScheduledWork()
        #expect(run.contractsRenewed == 1 && run.contractsExpired == 1)
        let renewed = try await f.engine.state(Contract.self, id: ids[0], as: f.admin).state
        let renewedUntil = try EngineFixture.day("2026-12-31")
        #expect(renewed.status == .active && renewed.terms?.expiry == renewedUntil && renewed.renewals == 1)
        #expect(try await f.engine.state(Contract.self, id: ids[1], as: f.admin).state.status == .expired)
        // A second run (on this node or another) changes nothing.
        let again = try await f.engine.runScheduledWork()
        #expect(again.contractsRenewed == 0 && again.contractsExpired == 0)
        await f.close()
    }

    @Test func anActiveContractsExpiryAndADiaryItemBecomeRemindersForTheirOwners() async throws {
        let f = try await EngineFixture.make("scheduler-contract-diary")
        let owner = try await f.hire("Keeper", branch: "north", permissions: ScopeTests.allRights(in: "north"))
        let customer = try await f.customer("Contracted", branch: "north", owner: owner.id)
        try await f.meterProduct()
        // A contract expiring 20 January 2026 (within the default 30-day lead from 1 January), activated.
        let quote = UUID.derived("quote", "expiring")
        try await f.engine.execute(Quote.self, id: quote, .create(quoteID: quote, customerID: customer, customerCode: "EXP", date: try EngineFixture.day("2025-01-02"),
                                                                  sequence: 1, draft: ScopeTestsPart2.draft, authorRole: "Administrator", limits: []), as: f.admin)
        try await f.engine.execute(Quote.self, id: quote, .accept, as: f.admin)
        let contract = UUID.derived("contract", "expiring")
        try await f.engine.execute(Contract.self, id: contract, .draft(id: contract, customerID: customer, owner: owner.id, branch: nil, title: "Supply",
                                                                       quoteID: quote, quoteNumber: "", lines: ScopeTestsPart2.lines,
                                                                       terms: Contract.Terms(effective: try EngineFixture.day("2025-01-21"), serviceStart: try EngineFixture.day("2025-01-21"),
                                                                                             expiry: try EngineFixture.day("2026-01-20"))), as: f.admin)
        // A drafted contract gets no reminder yet.
        #expect(try await f.engine.runScheduledWork().remindersDispatched == 0)
        try await f.engine.execute(Contract.self, id: contract, .submitForApproval, as: f.admin)
        try await f.engine.execute(Contract.self, id: contract, .approve(note: nil), as: .system)  // its submitter may not approve it
        try await f.engine.execute(Contract.self, id: contract, .activate, as: f.admin)
        // The owner's diary: an item today.
        try await f.engine.execute(Diary.self, id: try #require(UUID(uuidString: owner.id)), .addItem(Diary.Item(id: UUID.derived("diary", "item"),
                                                                                                                date: try EngineFixture.day("2026-01-01"), note: "Call the depot")), as: owner)
        let run = try await f.engine.runScheduledWork()
        #expect(run.remindersDispatched == 2, "the contract's expiry and the diary item")
        let again = try await f.engine.runScheduledWork()
        #expect(again.remindersDispatched == 0 && again.remindersAlreadyThere == 2)
        let board = try await f.engine.taskBoard(for: owner.id, as: owner, consistentWith: try await f.engine.store.headPosition())
        let titles = (board.dueToday + board.upcoming + board.overdue.map(\.task)).map(\.title)
        #expect(titles.contains { $0.contains("Call the depot") } && titles.contains { $0.lowercased().contains("contract") }, "\(titles)")
        await f.close()
    }

    @Test func aLateWorkflowStepEscalatesOnceHoweverOftenTheSchedulerRuns() async throws {
        let f = try await EngineFixture.make("scheduler-escalation")
        let planner = try await f.hire("Planner", branch: "north", permissions: [
            Permission(module: .campaigns, actions: [.query, .create, .edit], scope: .all)])
        let id = UUID.derived("campaign", "late")
        try await f.engine.execute(Campaign.self, id: id, .plan(id: id, name: "Late", objective: "x", owner: planner.id,
                                                               budget: Money(100, .cny), start: try EngineFixture.day("2026-03-01"), end: try EngineFixture.day("2026-03-31")), as: planner)
        let submitted = try await f.engine.execute(Campaign.self, id: id, .submitFeasibility(study: "ok"), as: planner)
        try await f.engine.reactionsSettled(upTo: submitted.position)
        #expect(try await f.engine.runScheduledWork().stepsEscalated == 0, "not late yet")
        f.clock.advance(by: 49 * 3600)  // the default step deadline is 48 hours
        #expect(try await f.engine.runScheduledWork().stepsEscalated == 1)
        let head = try await f.engine.store.headPosition()
        #expect(try await f.engine.runScheduledWork().stepsEscalated == 0)
        f.clock.advance(by: 24 * 3600)
        #expect(try await f.engine.runScheduledWork().stepsEscalated == 0)
        #expect(try await f.engine.store.headPosition() == head)
        let instanceID = ApprovalRouting.instanceID(for: .campaign, recordID: id, revision: submitted.version.rawValue)
        let events = try await f.engine.store.readStream(WorkflowInstance.stream(instanceID)).map(\.type)
        #expect(events.filter { $0.contains("Escalated") }.count == 1)

        // Escalated to the role named `departmentManager` (the defaults' escalation party): an employee
        // holding a role of that name who could decide the step finds it among what was escalated to them;
        // the planner does not.
        let headID = UUID.derived("employee", "Head")
        try await f.engine.execute(Organisation.self, id: headID, .hire(NewEmployee(id: headID, name: "Head", position: "department head", branch: "north",
                                                                                    hiredOn: try EngineFixture.day("2024-01-01"))), as: f.admin)
        let roleID = UUID.derived("role", "departmentManager")
        try await f.engine.execute(Organisation.self, id: roleID, .defineRole(roleID: roleID, RoleDefinition(name: "departmentManager", permissions: [
            Permission(module: .organisation, actions: [.query, .approve], scope: .all), Permission(module: .campaigns, actions: [.query, .approve], scope: .all),
        ]), grantor: .none), as: f.admin)
        let granted = try await f.engine.execute(Organisation.self, id: roleID, .grantRole(grantID: UUID.derived("grant", "Head"), employeeID: headID, roleID: roleID,
                                                                                           validity: .always, grantor: .none), as: f.admin)
        let departmentHead = try await f.engine.principal(employeeID: headID)
        let escalated = try await f.engine.approvalInbox(as: departmentHead, consistentWith: granted.position).escalatedToMe
        #expect(escalated.map(\.instance.instanceID) == [instanceID])
        #expect(try await f.engine.approvalInbox(as: planner).escalatedToMe.isEmpty)
        await f.close()
    }
}

@Suite struct ChurnWatchTests {
    @Test func aCustomerAtRiskGetsOneRetentionTaskPerEpisode() async throws {
        let f = try await EngineFixture.make("churn")
        let (owner, customer) = try await f.fadingBuyer()
        try await f.engine.views.waitUntil(try await f.engine.store.headPosition())
        let day = LocalCalendar.utc.localDate(of: f.clock.now())  // 2026-01-01
        let risk = try #require(try await f.engine.churnRisks(on: day, currency: .cny, as: f.admin).first { $0.customerID == customer })
        #expect(risk.risk.score >= 50, "purchase gap, revenue and activity drop")

        #expect(try await f.engine.runScheduledWork().retentionTasksDispatched == 1)
        f.clock.advance(by: 86_400)
        #expect(try await f.engine.runScheduledWork().retentionTasksDispatched == 0, "one task per episode")
        let taskID = Churn.retentionTaskID(customerID: customer, startedOn: day)
        let (task, _) = try await f.engine.state(WorkTask.self, id: taskID, as: f.admin)
        #expect(task.assignee == owner.id && task.details?.customerID == customer)

        // Completing the retention task ends the episode; the risk is still high, so the next day opens a new one.
        try await f.engine.execute(WorkTask.self, id: taskID, .complete(resultNote: "called, offered a discount"), as: owner)
        f.clock.advance(by: 86_400)
        #expect(try await f.engine.runScheduledWork().retentionTasksDispatched == 0)
        let episodes = try await f.engine.store.readStream(ChurnWatch.stream(customer)).map(\.type)
        #expect(episodes == ["ChurnEpisodeOpened", "ChurnEpisodeEnded"])
        f.clock.advance(by: 86_400)
        #expect(try await f.engine.runScheduledWork().retentionTasksDispatched == 1)
        await f.close()
    }
}

extension EngineFixture {
    /// A customer of branch `north` (its owner an own-scope employee) who bought monthly from April to
    /// September 2025, then nothing: at risk of churning from the new year on.
    func fadingBuyer() async throws -> (owner: Principal, customer: UUID) {
        let owner = try await hire("Keeper", branch: "north", permissions: [Permission(module: .tasks, actions: [.query, .edit], scope: .own)])
        let customer = try await self.customer("Fading Buyer", branch: "north", owner: owner.id)
        let ledger = RevenueLedger.id(customerID: customer)
        for month in 4...9 {
            let entry = RevenueLedger.Entry(id: UUID.derived("entry", "\(month)"), customerID: customer, chargeItem: "gas", businessLine: "gas",
                                            date: try EngineFixture.day(String(format: "2025-%02d-10", month)), amount: Money(100, .cny))
            try await engine.execute(RevenueLedger.self, id: ledger, .record(entry), as: admin)
        }
        return (owner, customer)
    }
}
