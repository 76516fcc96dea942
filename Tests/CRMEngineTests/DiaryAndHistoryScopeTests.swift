import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import Foundation
import Testing

/// A diary item naming a customer reaches no further than its employee's and the principal's scope; a
/// customer's history hides a field hidden in any group it was in when changed; a record's history is
/// read as the record is.
@Suite struct DiaryAndHistoryScopeTests {
    static let berlin = Permission.Module.allCases.map { Permission(module: $0, actions: Permission.Action.allCases, scope: .branch("berlin")) }

    @Test func aDiaryItemNamingACustomerOutsideOnesScopeIsRefusedWithNothingWritten() async throws {
        let f = try await EngineFixture.make("diary-foreign-customer")
        let tess = try await f.hire("Tess", branch: "berlin", permissions: Self.berlin)
        let tessID = try #require(tess.employeeID)
        let shanghai = try await f.customer("上海瑞丰科技有限公司", branch: "shanghai")
        let local = try await f.customer("Berliner Kunde", branch: "berlin")
        let day = try EngineFixture.day("2026-01-02")
        let head = try await f.engine.store.headPosition()
        func refused(_ command: Diary.Command, on diary: UUID, as principal: Principal) async -> EngineError? {
            await #expect(throws: EngineError.self) { try await f.engine.execute(Diary.self, id: diary, command, as: principal) }
        }
        // Tess names a customer she may not see, or one that does not exist: the same answer, nothing written.
        for customer in [shanghai, UUID.derived("customer", "nobody")] {
            let error = await refused(.addItem(Diary.Item(id: UUID.derived("item", "x"), date: day, note: "x", customerID: customer)), on: tessID, as: tess)
            #expect(error?.code == .invalid && error?.field == "customerID", "\(String(describing: error))")
        }
        // The administrator, who sees the customer, may not put it in Tess's diary either: Tess would get its reminder.
        let byAdmin = await refused(.addItem(Diary.Item(id: UUID.derived("item", "y"), date: day, note: "y", customerID: shanghai)), on: tessID, as: f.admin)
        #expect(byAdmin?.code == .invalid && byAdmin?.field == "customerID")
        #expect(try await f.engine.store.headPosition() == head)

        // Her own branch's customer is fine; changing the item to the foreign one is refused too.
        let item = Diary.Item(id: UUID.derived("item", "ok"), date: day, note: "Call", customerID: local)
        try await f.engine.execute(Diary.self, id: tessID, .addItem(item), as: tess)
        var moved = item
        moved.customerID = shanghai
        let change = await refused(.changeItem(moved), on: tessID, as: tess)
        #expect(change?.code == .invalid && change?.field == "customerID")
        #expect(try await f.engine.state(Diary.self, id: tessID, as: tess).state.items[item.id]?.customerID == local)
        await f.close()
    }

    /// A diary item recorded before the binding refused foreign customers (written straight into the log
    /// here) becomes a reminder without the customer: neither its name nor its scope reaches the employee.
    @Test func theSchedulerLeavesOutACustomerTheDiarysEmployeeMayNotSee() async throws {
        let f = try await EngineFixture.make("diary-foreign-scheduler")
        let tess = try await f.hire("Tess", branch: "berlin", permissions: Self.berlin)
        _ = try #require(tess.employeeID)
        let shanghai = try await f.customer("上海瑞丰科技有限公司", branch: "shanghai", owner: f.admin.id)
        let day = try EngineFixture.day("2026-01-01")
        let item = Diary.Item(id: UUID.derived("item", "old"), date: day, note: "Old note", customerID: shanghai)
        let event = try DiaryEvent.itemAdded(DiaryItemAdded(item: item)).eventData(id: UUID(), metadata: EventMetadata(actor: tess.id))
        try await f.engine.store.append([event], to: Diary.stream(employee: tess.id), expectedVersion: .noStream)

        let run = try await f.engine.runScheduledWork()
        #expect(run.remindersDispatched == 1)
        let taskID = Reminders.reminderID(kind: .diary, sourceID: item.id.lowercasedString, occurrence: day)
        let task = try await f.engine.state(WorkTask.self, id: taskID, as: tess).state
        #expect(task.assignee == tess.id && task.details?.title == "Old note")
        #expect(task.details?.customerID == nil)
        let head = try await f.engine.store.headPosition()
        let view = try await f.engine.customer(shanghai, as: f.admin, consistentWith: head)
        #expect(view.openTasks.isEmpty, "\(view.openTasks)")
        await f.close()
    }

    @Test func aHiddenFieldStaysHiddenInHistoryAfterTheCustomerChangesGroup() async throws {
        let f = try await EngineFixture.make("history-hidden-regroup")
        for (group, field) in [("residential", "contactWindow"), ("key-account", "tier")] {
            try await f.engine.execute(CustomerForm.self, id: CustomerForm.id(group: group), .define(group: group, fields: [
                FieldDefinition(name: field, label: field, type: .text),
            ]), as: f.admin)
        }
        let hank = try await f.hire("Hank", branch: "A", permissions: ScopeTests.allRights,
                                    hidden: [HiddenField(formGroup: "residential", field: "contactWindow")])
        let id = UUID.derived("customer", "Regrouped")
        try await f.engine.execute(Customer.self, id: id, .create(customerID: id, NewCustomer(
            kind: .person, name: "Regrouped", group: "residential", branch: "A", customFields: ["contactWindow": .text("v1")]),
            form: .empty(group: "residential")), as: f.admin)
        try await f.engine.execute(Customer.self, id: id, .edit(CustomerEdit(setCustomFields: ["contactWindow": .text("v2")]), form: .empty(group: "residential")), as: f.admin)
        let moved = try await f.engine.execute(Customer.self, id: id, .edit(CustomerEdit(group: "key-account", setCustomFields: ["tier": .text("gold")],
                                                                                         clearCustomFields: ["contactWindow"]), form: .empty(group: "key-account")), as: f.admin)
        func fields(_ entries: [HistoryEntry]) -> [String] { entries.flatMap { $0.changes.map(\.field) } }
        let paths: [(String, [HistoryEntry])] = [
            ("record", try await f.engine.history(of: Customer.stream(id), as: hank, consistentWith: moved.position)),
            ("customer", try await f.engine.history(ofCustomer: id, as: hank, consistentWith: moved.position)),
            ("latest", try await f.engine.latestHistory(ofCustomer: id, as: hank, consistentWith: moved.position)),
        ]
        for (path, entries) in paths {
            #expect(entries.count == 3, "\(path)")
            #expect(!fields(entries).contains("custom.contactWindow"), "\(path): \(fields(entries))")
            #expect(fields(entries).contains("custom.tier") && fields(entries).contains("group"), "\(path): \(fields(entries))")
        }
        // The administrator, who hides nothing, sees every change of it.
        let all = try await f.engine.history(of: Customer.stream(id), as: f.admin)
        #expect(fields(all).filter { $0 == "custom.contactWindow" }.count == 3)
        await f.close()
    }

    /// An assignee with `own` scope reads their task, so they read its history (and the events stream,
    /// which is built from it); another employee with `own` scope does neither. A diary's employee reads its
    /// history as they read the diary.
    @Test func aRecordsHistoryIsReadAsTheRecordIs() async throws {
        let f = try await EngineFixture.make("history-as-read")
        let own = [Permission(module: .tasks, actions: [.query, .create, .edit], scope: .own)]
        let assignee = try await f.hire("Assignee", branch: "A", permissions: own)
        let other = try await f.hire("Other", branch: "A", permissions: own)
        let customer = try await f.customer("Tasked", branch: "A")
        let taskID = UUID.derived("task", "own")
        let dispatched = try await f.engine.execute(WorkTask.self, id: taskID, .dispatch(taskID: taskID, details: WorkTask.Details(
            title: "Call", customerID: customer, kind: .followUp, dueAt: f.clock.now().addingTimeInterval(86_400)), assignee: assignee.id), as: f.admin)
        _ = try await f.engine.state(WorkTask.self, id: taskID, as: assignee)
        let history = try await f.engine.history(of: WorkTask.stream(taskID), as: assignee, consistentWith: dispatched.position)
        #expect(history.map(\.version) == [StreamVersion(1)])
        // Paged past its end: empty for the assignee, not found for anyone else.
        #expect(try await f.engine.history(of: WorkTask.stream(taskID), as: assignee, after: StreamVersion(1)).isEmpty)
        for after in [nil, StreamVersion(1)] {
            let hidden = await #expect(throws: EngineError.self) {
                try await f.engine.history(of: WorkTask.stream(taskID), as: other, after: after)
            }
            #expect(hidden?.code == .notFound)
        }

        let assigneeID = try #require(assignee.employeeID)
        let added = try await f.engine.execute(Diary.self, id: assigneeID, .addItem(Diary.Item(id: UUID.derived("item", "own"),
                                                                                              date: try EngineFixture.day("2026-01-05"), note: "Dentist")), as: assignee)
        #expect(try await f.engine.history(of: Diary.stream(employee: assignee.id), as: assignee, consistentWith: added.position).count == 1)
        let diary = await #expect(throws: EngineError.self) { try await f.engine.history(of: Diary.stream(employee: assignee.id), as: other) }
        #expect(diary?.code == .notFound)
        await f.close()
    }
}
