import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import Foundation
import Testing

/// The engine's work queries: an employee of branch A sees branch A's rows and never branch B's, and
/// clock-derived facts (overdue, late, expired, usable) follow the engine's clock.
@Suite struct WorkQueriesTests {
    static let t0 = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00Z, the fixture's start
    static let ownOrganisation = Permission(module: .organisation, actions: [.query, .edit], scope: .own)

    struct World {
        let f: EngineFixture
        let a: Principal
        let b: Principal
        let customerA: UUID
        let customerB: UUID
    }

    /// Two branches, each with an employee holding every right over it (and their own organisation records),
    /// a customer, and the settings' SLA and a time zone for branch A.
    func world(_ label: String) async throws -> World {
        let f = try await EngineFixture.make(label)
        try await f.engine.execute(Settings.self, id: UUID(), .setSLADeadline(SLADeadline(kind: .faultRepair, severity: .high, responseMinutes: 60, resolutionMinutes: 480)), as: f.admin)
        try await f.engine.execute(Settings.self, id: UUID(), .setBranchTimeZone(branch: "A", timeZoneID: "Asia/Shanghai"), as: f.admin)
        let a = try await f.hire("Alice", branch: "A", permissions: ScopeTests.allRights + [Self.ownOrganisation])
        let b = try await f.hire("Bob", branch: "B", permissions: ScopeTests.allRightsB + [Self.ownOrganisation])
        return World(f: f, a: a, b: b, customerA: try await f.customer("Customer of A", branch: "A"), customerB: try await f.customer("Customer of B", branch: "B"))
    }

    func caughtUp(_ f: EngineFixture) async throws {
        try await f.engine.views.waitUntil(try await f.engine.store.headPosition())
    }

    func dispatch(_ w: World, _ customer: UUID, to assignee: Principal, dueIn hours: Double, _ label: String) async throws {
        let id = UUID.derived("task", label)
        try await w.f.engine.execute(WorkTask.self, id: id, .dispatch(taskID: id, details: WorkTask.Details(
            title: label, customerID: customer, kind: .followUp, dueAt: Self.t0 + hours * 3600), assignee: assignee.id), as: w.f.admin)
    }

    @Test func theTaskBoardIsTheAssigneesAndTodayIsTheBranchsDay() async throws {
        let w = try await world("tasks")
        try await dispatch(w, w.customerA, to: w.a, dueIn: 2, "soon A")
        try await dispatch(w, w.customerA, to: w.a, dueIn: 20, "tomorrow in Shanghai")  // 2026-01-01T20:00Z = Jan 2nd 04:00 in Shanghai
        try await dispatch(w, w.customerB, to: w.b, dueIn: 2, "soon B")
        try await caughtUp(w.f)
        let board = try await w.f.engine.taskBoard(for: w.a.id, as: w.a)
        #expect(board.overdue.isEmpty)
        #expect(board.dueToday.map(\.title) == ["soon A"])
        #expect(board.upcoming.map(\.title) == ["tomorrow in Shanghai"])
        // Bob's board holds only branch B's tasks: Alice sees none of it, Bob all of it.
        let bobs = try await w.f.engine.taskBoard(for: w.b.id, as: w.a)
        #expect(bobs.overdue.isEmpty && bobs.dueToday.isEmpty && bobs.upcoming.isEmpty)
        #expect(try await w.f.engine.taskBoard(for: w.b.id, as: w.b).dueToday.map(\.title) == ["soon B"])

        #expect(try await w.f.engine.overdueTasks(as: w.a).items.isEmpty)
        w.f.clock.set(Self.t0 + 3 * 3600)
        let overdue = try await w.f.engine.overdueTasks(as: w.a).items
        #expect(overdue.map(\.task.title) == ["soon A"])
        #expect(overdue.first?.lateBy == 3600)
        #expect(try await w.f.engine.taskBoard(for: w.a.id, as: w.a).overdue.map(\.task.title) == ["soon A"])
        #expect(try await w.f.engine.overdueTasks(as: w.b).items.map(\.task.title) == ["soon B"])
        await w.f.close()
    }

    @Test func ticketsAreFilteredByScopeAndOverdueAtTheClocksNow() async throws {
        let w = try await world("tickets")
        for (label, customer) in [("A", w.customerA), ("B", w.customerB)] {
            let id = UUID.derived("ticket", label)
            try await w.f.engine.execute(Ticket.self, id: id, .open(id: id, channel: .phone, kind: .faultRepair, severity: .high, customerID: customer,
                                                                     subject: "No water \(label)", description: nil, department: "service", sla: nil), as: w.f.admin)
        }
        try await caughtUp(w.f)
        #expect(try await w.f.engine.openTickets(department: "service", as: w.a).items.map(\.subject) == ["No water A"])
        #expect(try await w.f.engine.overdueTickets(as: w.a).items.isEmpty)
        #expect(try await w.f.engine.monthlyOverdueReport(year: 2026, month: 1, as: w.a).lines.isEmpty)
        w.f.clock.set(Self.t0 + 9 * 3600)  // past the 8-hour resolution deadline
        let overdue = try await w.f.engine.overdueTickets(as: w.a).items
        #expect(overdue.map(\.ticket.subject) == ["No water A"])
        #expect(overdue.first?.lateBy == 3600 && overdue.first?.lateDepartment == "service")
        let report = try await w.f.engine.monthlyOverdueReport(year: 2026, month: 1, as: w.a)
        #expect(report.lines.map(\.customerID) == [w.customerA])
        #expect(try await w.f.engine.monthlyOverdueReport(year: 2026, month: 1, as: w.b).lines.map(\.customerID) == [w.customerB])
        await w.f.close()
    }

    @Test func thePipelineShowsOnlyWhatThePrincipalMayQuery() async throws {
        let w = try await world("pipeline")
        for (label, customer, owner) in [("A", w.customerA, w.a), ("B", w.customerB, w.b)] {
            let id = UUID.derived("opportunity", label)
            try await w.f.engine.execute(Opportunity.self, id: id, .open(opportunityID: id, details: Opportunity.Details(
                customerID: customer, title: "Upgrade \(label)", source: "visit", expectedRevenue: Money(1000, .cny), closeDate: try EngineFixture.day("2026-06-30")),
                pipeline: .default, stage: nil, owner: owner.id), as: w.f.admin)
        }
        try await caughtUp(w.f)
        #expect(try await w.f.engine.pipeline(owner: w.a.id, as: w.a).map(\.title) == ["Upgrade A"])
        #expect(try await w.f.engine.pipeline(owner: w.b.id, as: w.a).isEmpty)
        #expect(try await w.f.engine.pipelineTotals(as: w.a).map(\.count).reduce(0, +) == 1)
        #expect(try await w.f.engine.pipelineTotals(as: w.f.admin).map(\.count).reduce(0, +) == 2)
        await w.f.close()
    }

    @Test func revenueTotalsCountOnlyTheBranchsCustomers() async throws {
        let w = try await world("revenue")
        for (label, customer) in [("A", w.customerA), ("B", w.customerB)] {
            try await w.f.engine.execute(RevenueLedger.self, id: RevenueLedger.id(customerID: customer), .record(RevenueLedger.Entry(
                id: UUID.derived("entry", label), customerID: customer, chargeItem: "monthly fee", businessLine: "gas",
                date: try EngineFixture.day("2026-01-05"), amount: Money(label == "A" ? 80 : 50, .cny))), as: w.f.admin)
        }
        try await caughtUp(w.f)
        let month = RevenueMonth(year: 2026, month: 1)
        let totals = try await w.f.engine.revenue(by: .customer, from: month, through: month, as: w.a)
        #expect(totals.map(\.key) == [w.customerA.uuidString.lowercased()] && totals.first?.amount == 80)
        #expect(try await w.f.engine.revenue(by: .currency, from: month, through: month, as: w.f.admin).first?.amount == 130)
        await w.f.close()
    }

    @Test func loyaltyIsNotFoundOutsideTheScopeAndUsablePointsFollowTheClock() async throws {
        let w = try await world("loyalty")
        for customer in [w.customerA, w.customerB] {
            try await w.f.engine.execute(LoyaltyAccount.self, id: customer, .accrue(customerID: customer, points: 40, source: .manual, sourceReference: "welcome",
                                                                                 reason: "welcome", earnedOn: try EngineFixture.day("2026-01-01"),
                                                                                 expiresOn: try EngineFixture.day("2026-01-10")), as: w.f.admin)
        }
        try await caughtUp(w.f)
        let balance = try await w.f.engine.loyalty(of: w.customerA, as: w.a)
        #expect(balance.usable == 40 && balance.pendingExpiry == 0)
        let error = await #expect(throws: EngineError.self) { try await w.f.engine.loyalty(of: w.customerB, as: w.a) }
        #expect(error?.code == .notFound)
        w.f.clock.set(Self.t0 + 10 * 86_400)  // January 11th: the lot has expired, not yet recorded as expired
        let later = try await w.f.engine.loyalty(of: w.customerA, as: w.a)
        #expect(later.usable == 0 && later.pendingExpiry == 40)
        await w.f.close()
    }

    @Test func theApprovalInboxHoldsWhatThePrincipalMaySeeAndLateIsAtTheClocksNow() async throws {
        let w = try await world("approvals")
        let definitionID = UUID.derived("workflowdef", "check")
        let steps = [WorkflowStep(name: "Check", approverRole: "role of Alice", deadlineHours: 48, reminderLeadHours: 4, escalateTo: .role("Administrator"))]
        try await w.f.engine.execute(WorkflowDefinition.self, id: definitionID, .define(id: definitionID, name: "Check", kind: .materialRequest, steps: steps), as: w.f.admin)
        let definition = WorkflowDefinitionVersion(definitionID: definitionID, version: 1, name: "Check", kind: .materialRequest, steps: steps)
        // Alice may also approve in organisation over her own records (a step she decides is one of them).
        let approveOwn = UUID.derived("role", "approve own")
        try await w.f.engine.execute(Organisation.self, id: approveOwn, .defineRole(roleID: approveOwn, RoleDefinition(
            name: "approve own", permissions: [Permission(module: .organisation, actions: [.query, .approve], scope: .own)]), grantor: .none), as: w.f.admin)
        try await w.f.engine.execute(Organisation.self, id: approveOwn, .grantRole(grantID: UUID.derived("grant", "approve own"), employeeID: try #require(w.a.employeeID),
                                                                                   roleID: approveOwn, validity: .always, grantor: .none), as: w.f.admin)
        for (label, submitter) in [("A", "someone of A"), ("B", w.b.id)] {
            let id = UUID.derived("workflow", label)
            try await w.f.engine.execute(WorkflowInstance.self, id: id, .start(id: id, subjectKind: .materialRequest, subjectID: UUID.derived("material", label),
                                                                                 submitter: submitter, definition: definition), as: .system)
        }
        // A's step is delegated to Alice (no one decides their own request): it is hers to decide; B's is Bob's own.
        let first = UUID.derived("workflow", "A")
        try await w.f.engine.execute(WorkflowInstance.self, id: first, .delegate(employee: "system", roles: ["role of Alice"], to: w.a.id), as: .system)
        try await caughtUp(w.f)
        // Only the one in her scope (as its delegate) waits in her inbox.
        let inbox = try await w.f.engine.approvalInbox(as: w.a)
        #expect(inbox.pending.map(\.instance.instanceID) == [first])
        #expect(inbox.late.isEmpty)
        w.f.clock.set(Self.t0 + 49 * 3600)
        let later = try await w.f.engine.approvalInbox(as: w.a)
        #expect(later.late.map(\.instance.instanceID) == [first] && later.late.first?.lateBy == 3600)
        // The administrator (all data) sees both.
        #expect(try await w.f.engine.approvalInbox(as: w.f.admin).pending.isEmpty)  // the administrator does not hold Alice's role
        await w.f.close()
    }

    @Test func announcementsReachTheirTargetsUntilTheyExpire() async throws {
        let w = try await world("announcements")
        for branch in ["A", "B"] {
            let id = UUID.derived("announcement", branch)
            try await w.f.engine.execute(Announcement.self, id: id, .publish(announcementID: id, title: "Notice \(branch)", body: "Closed on Friday",
                                                                            targets: AnnouncementTargets(branches: [branch]), expiresAt: Self.t0 + 86_400), as: w.f.admin)
        }
        try await caughtUp(w.f)
        let items = try await w.f.engine.announcements(as: w.a)
        #expect(items.map(\.announcement.title) == ["Notice A"] && items.first?.readAt == nil)
        // Alice marks her own copy read (the engine fills in who she is).
        let read = try await w.f.engine.execute(Announcement.self, id: UUID.derived("announcement", "A"),
                                                .markRead(AnnouncementReader(employeeID: try #require(w.a.employeeID))), as: w.a)
        #expect(try await w.f.engine.announcements(as: w.a, consistentWith: read.position).first?.readAt != nil)
        #expect(try await w.f.engine.announcements(as: w.b).map(\.announcement.title) == ["Notice B"])
        w.f.clock.set(Self.t0 + 2 * 86_400)
        #expect(try await w.f.engine.announcements(as: w.a).isEmpty)
        await w.f.close()
    }
}
