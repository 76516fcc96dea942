import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import Foundation
import Testing

/// Every path to a record's history judges the record as reading it does (its binding's module, its scope
/// from its state now with its own owners, `mayRead`): a customer's history with its linked records and a
/// record's raw events (`crm dump --stream`) as the record's own history.
@Suite struct HistoryPathsScopeTests {
    static let ownTasks = [Permission(module: .customers, actions: [.query], scope: .branch("A")),
                           Permission(module: .tasks, actions: [.query, .create, .edit], scope: .own)]

    /// Two `own`-scope assignees who may see the customer: each finds their own task's entries in the
    /// customer's history (oldest and newest first, whole and in pages), as in the task's own history, and
    /// not the other's; every page but the last is full.
    @Test func aCustomersHistoryShowsAnOwnScopeAssigneeTheirTaskAsItsOwnHistoryDoes() async throws {
        let f = try await EngineFixture.make("trail-own-assignee")
        let assignee = try await f.hire("Assignee", branch: "A", permissions: Self.ownTasks)
        let other = try await f.hire("Other", branch: "A", permissions: Self.ownTasks)
        let customer = try await f.customer("Tasked", branch: "A")
        func dispatch(_ label: String, to principal: Principal) async throws -> UUID {
            let id = UUID.derived("task", label)
            try await f.engine.execute(WorkTask.self, id: id, .dispatch(taskID: id, details: WorkTask.Details(
                title: "Call \(label)", customerID: customer, kind: .followUp, dueAt: f.clock.now().addingTimeInterval(86_400)),
                assignee: principal.id), as: f.admin)
            return id
        }
        let mine = try await dispatch("mine", to: assignee)
        let theirs = try await dispatch("theirs", to: other)
        try await f.engine.execute(WorkTask.self, id: mine, .accept, as: assignee)
        try await f.engine.execute(Customer.self, id: customer, .edit(CustomerEdit(name: "Tasked Ltd"), form: .empty(group: "residential")), as: f.admin)
        try await f.engine.execute(WorkTask.self, id: theirs, .edit(title: "Call back", note: nil), as: f.admin)
        try await f.engine.execute(WorkTask.self, id: mine, .edit(title: "Call again", note: nil), as: f.admin)
        let head = try await f.engine.store.headPosition()
        let all = try await f.engine.history(ofCustomer: customer, as: f.admin, limit: 1_000, consistentWith: head)

        for (principal, task) in [(assignee, mine), (other, theirs)] {
            let expected = all.filter { $0.stream == Customer.stream(customer) || $0.stream == WorkTask.stream(task) }.map(\.position)
            let own = try await f.engine.history(of: WorkTask.stream(task), as: principal, consistentWith: head)
            #expect(own.count == (task == mine ? 3 : 2), "\(principal.id)")
            #expect(Set(own.map(\.position)).isSubset(of: expected))
            #expect(expected.count == own.count + 2, "the customer's two entries and the task's: \(expected)")
            #expect(try await f.engine.history(ofCustomer: customer, as: principal, limit: 1_000).map(\.position) == expected, "\(principal.id)")
            #expect(try await f.engine.latestHistory(ofCustomer: customer, as: principal, limit: 1_000).map(\.position) == expected.reversed())
            // In pages of two, each filled with the next entries the caller may see.
            var pages: [[HistoryEntry]] = []
            while true {
                let page = try await f.engine.history(ofCustomer: customer, as: principal, after: pages.last?.last?.position, limit: 2)
                pages.append(page)
                if page.count < 2 { break }
            }
            #expect(pages.flatMap { $0 }.map(\.position) == expected, "\(pages.map { $0.map(\.position) })")
            #expect(pages.dropLast().allSatisfy { $0.count == 2 })
            var latest: [[HistoryEntry]] = []
            while true {
                let page = try await f.engine.latestHistory(ofCustomer: customer, as: principal, before: latest.last?.last?.position, limit: 2)
                latest.append(page)
                if page.count < 2 { break }
            }
            #expect(latest.flatMap { $0 }.map(\.position) == expected.reversed())
            #expect(latest.dropLast().allSatisfy { $0.count == 2 })
        }
        await f.close()
    }

    /// `crm dump --stream`'s events: a diary's employee with `own` scope in tasks gets their diary's events
    /// (the old rule asked customers over all data); a workflow instance's submitter gets its events, while
    /// a reader of the organisation over all data without its subject's module does not (as neither reads
    /// the instance); anyone else gets "not found".
    @Test func aRecordsEventsAreGivenAsItsHistoryIs() async throws {
        let f = try await EngineFixture.make("events-as-read")
        let tess = try await f.hire("Tess", branch: "A", permissions: Self.ownTasks)
        let other = try await f.hire("Other", branch: "A", permissions: Self.ownTasks)
        let tessID = try #require(tess.employeeID)
        let added = try await f.engine.execute(Diary.self, id: tessID, .addItem(Diary.Item(id: UUID.derived("item", "dump"),
                                                                                          date: try EngineFixture.day("2026-01-05"), note: "Dentist")), as: tess)
        let diary = Diary.stream(employee: tess.id)
        #expect(try await f.engine.events(of: diary, as: tess).count == 1)
        #expect(try await f.engine.history(of: diary, as: tess, consistentWith: added.position).count == 1)
        let hidden = await #expect(throws: EngineError.self) { try await f.engine.events(of: diary, as: other) }
        #expect(hidden?.code == .notFound)

        // A quote over Sara's discount limit waits for approval in a workflow instance.
        let orgQueryA = Permission(module: .organisation, actions: [.query], scope: .branch("A"))
        let sara = try await f.hire("Sara", branch: "A", permissions: [Permission(module: .quotes, actions: [.create], scope: .branch("A")), orgQueryA])
        let olga = try await f.hire("Olga", branch: "A", permissions: [Permission(module: .organisation, actions: [.query], scope: .all)])
        try await f.engine.execute(Settings.self, id: UUID(), .setDiscountLimit(DiscountLimit(role: "role of Sara", maxPercent: 5)), as: f.admin)
        let customer = try await f.customer("Quoted", branch: "A")
        let (quote, instance, _) = try await WorkflowReadAndSupersedeTests.waitingQuote(f, customer, code: "QD", tag: "dump", by: sara, role: "role of Sara")
        let stream = WorkflowInstance.stream(instance)
        #expect(try await !f.engine.events(of: stream, as: f.admin).isEmpty)
        // Olga reads neither the instance nor its events; the submitter reads both.
        let olgaReads = await #expect(throws: EngineError.self) { try await f.engine.events(of: stream, as: olga) }
        #expect(olgaReads?.code == .notFound)
        await #expect(throws: EngineError.self) { try await f.engine.state(WorkflowInstance.self, id: instance, as: olga) }
        #expect(try await f.engine.state(WorkflowInstance.self, id: instance, as: sara).state.subjectID == quote)
        #expect(try await f.engine.events(of: stream, as: sara).map(\.position) == f.engine.store.readStream(stream).map(\.position))
        await f.close()
    }
}
