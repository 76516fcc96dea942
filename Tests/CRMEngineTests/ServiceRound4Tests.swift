import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import Foundation
import Testing

/// Service findings of the fourth exploratory round: customer names on work lists, moderated board posts,
/// tasks of no customer in a branch, announcements to unknown roles and employees.
@Suite struct ServiceRound4Tests {
    static let t0 = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00Z, the fixture's start

    func caughtUp(_ f: EngineFixture) async throws {
        try await f.engine.views.waitUntil(try await f.engine.store.headPosition())
    }

    func customer(_ f: EngineFixture, _ name: String, group: String) async throws -> UUID {
        let id = UUID.derived("customer", name)
        try await f.engine.execute(Customer.self, id: id, .create(customerID: id, NewCustomer(
            kind: .person, name: name, group: group, branch: "berlin", community: "berlin-north"), form: .empty(group: group)), as: f.admin)
        return id
    }

    @Test func workListsShowACustomersNameOnlyToWhoMayQueryTheCustomer() async throws {
        let f = try await EngineFixture.make("names-on-lists")
        try await f.engine.execute(Settings.self, id: UUID(), .setSLADeadline(SLADeadline(kind: .faultRepair, severity: .high, responseMinutes: 60, resolutionMinutes: 480)), as: f.admin)
        let karl = try await f.hire("Karl", branch: "berlin", permissions: [
            Permission(module: .customers, actions: [.query], scope: .customerGroup("key-account")),
            Permission(module: .tickets, actions: [.query], scope: .community("berlin-north")),
            // His own tasks (a task is given only to someone who may work on it).
            Permission(module: .tasks, actions: [.query, .edit], scope: .own),
        ])
        let anna = try await customer(f, "Anna Becker", group: "residential")
        let firm = try await customer(f, "Becker GmbH", group: "key-account")
        for (label, customer) in [("anna", anna), ("firm", firm)] {
            let id = UUID.derived("ticket", label)
            try await f.engine.execute(Ticket.self, id: id, .open(id: id, channel: .phone, kind: .faultRepair, severity: .high, customerID: customer,
                                                                   subject: "No water \(label)", description: nil, department: "Berlin service", sla: nil), as: f.admin)
        }
        let task = UUID.derived("task", "anna")
        try await f.engine.execute(WorkTask.self, id: task, .dispatch(taskID: task, details: WorkTask.Details(
            title: "Call Anna back", customerID: anna, kind: .followUp, dueAt: Self.t0 + 3600), assignee: karl.id), as: f.admin)
        try await caughtUp(f)

        // Karl sees both tickets (by community) but only the key account's name; the administrator both names.
        let open = try await f.engine.openTickets(department: "Berlin service", as: karl).items
        #expect(Dictionary(uniqueKeysWithValues: open.map { ($0.customerID, $0.customerName ?? "-") }) == [anna: "-", firm: "Becker GmbH"])
        #expect(try await f.engine.openTickets(department: "Berlin service", as: f.admin).items.compactMap(\.customerName).sorted() == ["Anna Becker", "Becker GmbH"])
        f.clock.set(Self.t0 + 9 * 3600)  // past the 8-hour resolution deadline and the task's due time
        let overdue = try await f.engine.overdueTickets(as: karl).items
        #expect(overdue.count == 2 && overdue.compactMap(\.ticket.customerName) == ["Becker GmbH"])

        // His own task board keeps the task whole but for the name of a customer he may not query.
        let board = try await f.engine.taskBoard(for: karl.id, as: karl)
        #expect(board.overdue.map(\.task.title) == ["Call Anna back"] && board.overdue.first?.task.customerName == nil)
        #expect(try await f.engine.taskBoard(for: karl.id, as: f.admin).overdue.first?.task.customerName == "Anna Becker")
        await f.close()
    }

    @Test func aHiddenPostsBodyIsWithheldFromReadersButShownToModerators() async throws {
        let f = try await EngineFixture.make("board-hidden")
        let reader = try await f.hire("Reader", branch: "berlin", permissions: [Permission(module: .organisation, actions: [.query, .create, .edit], scope: .all)])
        let thread = UUID.derived("thread", "canteen")
        let post = UUID.derived("post", "scam")
        try await f.engine.execute(BoardThread.self, id: thread, .start(threadID: thread, title: "Canteen",
            BoardThread.Draft(postID: UUID.derived("post", "soup"), author: "", authorName: "", body: "Soup?"), words: []), as: reader)
        try await f.engine.execute(BoardThread.self, id: thread, .reply(BoardThread.Draft(postID: post, author: "", authorName: "", body: "This is a SCAM"), words: []), as: reader)
        let beforeHiding = try await f.engine.store.headPosition()
        try await f.engine.execute(BoardThread.self, id: thread, .hide(postID: post, reason: "rude"), as: f.admin)
        // Read as of before it was hidden, it is withheld too: it is hidden now.
        #expect(try await f.engine.state(BoardThread.self, id: thread, asOf: .position(beforeHiding), as: reader).state.posts.last?.body == nil)
        #expect(try await f.engine.state(BoardThread.self, id: thread, asOf: .position(beforeHiding), as: f.admin).state.posts.last?.body == "This is a SCAM")

        let seen = try await f.engine.state(BoardThread.self, id: thread, as: reader).state
        #expect(seen.title == "Canteen" && seen.posts.map(\.body) == ["Soup?", nil] && seen.posts.last?.isHidden == true)
        #expect(try await f.engine.records(BoardThread.self, as: reader).first?.state.posts.last?.body == nil)
        #expect(try await f.engine.state(BoardThread.self, id: thread, as: f.admin).state.posts.last?.body == "This is a SCAM")
        // Restored, it is everyone's again.
        try await f.engine.execute(BoardThread.self, id: thread, .restore(postID: post, reason: "on reflection"), as: f.admin)
        #expect(try await f.engine.state(BoardThread.self, id: thread, as: reader).state.posts.last?.body == "This is a SCAM")
        await f.close()
    }

    @Test func aBranchAgentCreatesATaskOfNoCustomerInTheirBranchAndACustomersTaskByItsCustomer() async throws {
        let f = try await EngineFixture.make("task-branch")
        let berta = try await f.hire("Berta", branch: "berlin", permissions: [Permission(module: .tasks, actions: [.create, .query, .edit], scope: .branch("berlin")),
                                                                          Permission(module: .customers, actions: [.query], scope: .all)])
        let colleague = try await f.hire("Colleague", branch: "berlin", permissions: [Permission(module: .tasks, actions: [.query], scope: .branch("berlin"))])
        func dispatch(_ label: String, customer: UUID?, branch: String?) async throws {
            let id = UUID.derived("task", label)
            try await f.engine.execute(WorkTask.self, id: id, .dispatch(taskID: id, details: WorkTask.Details(
                title: label, customerID: customer, kind: .other, dueAt: Self.t0 + 3600, branch: branch), assignee: berta.id), as: berta)
        }
        try await dispatch("own berlin", customer: nil, branch: "berlin")
        #expect(try await f.engine.state(WorkTask.self, id: UUID.derived("task", "own berlin"), as: colleague).state.details?.title == "own berlin")
        // Not in her branch, or in none: refused, nothing written.
        for (label, branch) in [("own shanghai", "shanghai"), ("own nowhere", nil)] {
            await #expect(throws: EngineError.self) { try await dispatch(label, customer: nil, branch: branch) }
            #expect(try await f.engine.store.streamVersion(of: WorkTask.stream(UUID.derived("task", label))) == .noStream)
        }
        // A customer's task sits where its customer does, whatever branch it names.
        let shanghai = try await f.customer("Customer in Shanghai", branch: "shanghai")
        let refused = await #expect(throws: EngineError.self) { try await dispatch("tagged berlin", customer: shanghai, branch: "berlin") }
        #expect(refused?.code == .forbidden)
        try await dispatch("berlin customer tagged shanghai", customer: try await f.customer("Customer in Berlin", branch: "berlin"), branch: "shanghai")
        await f.close()
    }

    @Test func anAnnouncementToAnUnknownRoleEmployeeOrDepartmentIsRefused() async throws {
        let f = try await EngineFixture.make("announcement-targets")
        let staff = try await f.hire("Staff", branch: "berlin", permissions: [Permission(module: .organisation, actions: [.query], scope: .own)])
        let unknown = UUID.derived("nobody", "ghost")
        func publish(_ targets: AnnouncementTargets, as principal: Principal) async throws {
            let id = UUID.derived("announcement", "\(targets)")
            try await f.engine.execute(Announcement.self, id: id, .publish(announcementID: id, title: "ghost", body: "b", targets: targets, expiresAt: nil), as: principal)
        }
        for (targets, field) in [(AnnouncementTargets(branches: ["atlantis"], roles: [unknown]), "targets.roles"),
                                 (AnnouncementTargets(employees: [unknown]), "targets.employees"),
                                 (AnnouncementTargets(departments: [unknown]), "targets.departments")] {
            let error = await #expect(throws: EngineError.self) { try await publish(targets, as: f.admin) }
            #expect(error?.code == .invalid && error?.field == field, "\(String(describing: error))")
            #expect(error.map { !"\($0)".lowercased().contains(unknown.uuidString.lowercased()) } == true)
            #expect(try await f.engine.store.streamVersion(of: Announcement.stream(UUID.derived("announcement", "\(targets)"))) == .noStream)
        }
        // Whoever may not publish learns nothing of the organisation: forbidden, as for any target.
        let refused = await #expect(throws: EngineError.self) { try await publish(AnnouncementTargets(roles: [unknown]), as: staff) }
        #expect(refused?.code == .forbidden)
        // Known ones (and any branch) are taken.
        let staffID = try #require(staff.employeeID)
        try await publish(AnnouncementTargets(branches: ["atlantis"], roles: [UUID.derived("role", "Staff")], employees: [staffID]), as: f.admin)
        await f.close()
    }
}
