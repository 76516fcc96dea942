import CRMDomain
import CRMProjections
import EventSourcing
import Foundation
import Testing

@Suite struct ApprovalInboxTests {
    let log = WorkTestLog()
    let projection = ApprovalInbox()
    let definition = WorkflowDefinitionVersion(
        definitionID: UUID.derived("definition", "quotes"), version: 1, name: "quote approval", kind: .quote, steps: [
            WorkflowStep(name: "sales manager", approverRole: "sales-manager", deadlineHours: 4, reminderLeadHours: 1, escalateTo: .role("director")),
            WorkflowStep(name: "finance", approverRole: "finance", deadlineHours: 8, reminderLeadHours: 0, escalateTo: .employee("emp-cfo")),
        ])

    func start(_ name: String, submitter: String = "emp-7", atHours hours: Double = 0) throws -> UUID {
        let id = UUID.derived("workflow", name)
        try log.run(WorkflowInstance.self, id, .start(id: id, subjectKind: .quote, subjectID: UUID.derived("quote", name), submitter: submitter,
                                                       definition: definition), at: WorkTestLog.at(hours: hours), actor: submitter)
        return id
    }

    @Test func pendingStepsAreInTheInboxOfTheRoleAndLateIsComputedAtTheQueryInstant() throws {
        let a = try start("a")
        let b = try start("b", atHours: 1)
        let views = try log.views(projection)

        let early = try ApprovalInbox.inbox(for: "emp-3", roles: ["sales-manager"], now: WorkTestLog.at(hours: 2), in: views)
        #expect(early.pending.map(\.instance.instanceID) == [a, b])
        #expect(early.late.isEmpty)
        #expect(early.pending.first?.instance.scope == RecordScope(owners: ["emp-7"]))

        let later = try ApprovalInbox.inbox(for: "emp-3", roles: ["sales-manager"], now: WorkTestLog.at(hours: 4.5), in: views)
        #expect(later.late.map(\.instance.instanceID) == [a])
        #expect(abs((later.late.first?.lateBy ?? 0) - 1800) < 0.001)
        #expect(try ApprovalInbox.inbox(for: "emp-3", roles: ["finance"], now: WorkTestLog.start, in: views).pending.isEmpty)
    }

    @Test func approvalDelegationAndEscalationMoveTheInstanceBetweenInboxes() throws {
        let a = try start("a")
        try log.run(WorkflowInstance.self, a, .approve(employee: "emp-3", roles: ["sales-manager"], comment: nil), at: WorkTestLog.at(hours: 1))
        var views = try log.views(projection)
        #expect(try ApprovalInbox.inbox(for: "emp-3", roles: ["sales-manager"], now: WorkTestLog.at(hours: 1), in: views).pending.isEmpty)
        let finance = try ApprovalInbox.inbox(for: "emp-4", roles: ["finance"], now: WorkTestLog.at(hours: 2), in: views)
        #expect(finance.pending.first?.dueAt == WorkTestLog.at(hours: 9))

        try log.run(WorkflowInstance.self, a, .delegate(employee: "emp-4", roles: ["finance"], to: "emp-5"), at: WorkTestLog.at(hours: 2))
        try log.run(WorkflowInstance.self, a, .escalateIfLate(at: WorkTestLog.at(hours: 10)), at: WorkTestLog.at(hours: 10))
        views = try log.views(projection)
        #expect(try ApprovalInbox.inbox(for: "emp-4", roles: ["finance"], now: WorkTestLog.at(hours: 10), in: views).pending.isEmpty)
        let delegate = try ApprovalInbox.inbox(for: "emp-5", roles: [], now: WorkTestLog.at(hours: 10), in: views)
        #expect(delegate.pending.first?.asDelegate == true)
        #expect(delegate.pending.first?.escalated == true)
        #expect(delegate.late.count == 1)
        let cfo = try ApprovalInbox.inbox(for: "emp-cfo", roles: [], now: WorkTestLog.at(hours: 10), in: views)
        #expect(cfo.escalatedToMe.map(\.instance.instanceID) == [a])
        #expect(cfo.pending.isEmpty)

        try log.run(WorkflowInstance.self, a, .approve(employee: "emp-5", roles: [], comment: "ok"), at: WorkTestLog.at(hours: 11))
        views = try log.views(projection)
        #expect(try ApprovalInbox.inbox(for: "emp-cfo", roles: [], now: WorkTestLog.at(hours: 11), in: views).escalatedToMe.isEmpty)
        #expect(try ApprovalInbox.instance(stream: WorkflowInstance.stream(a), in: views) == nil)
        #expect(views.tables[ApprovalInbox.pending, default: [:]].isEmpty)
    }

    @Test func aSendBackToTheSubmitterPutsItInTheSubmittersInboxUntilResubmitted() throws {
        let a = try start("a")
        try log.run(WorkflowInstance.self, a, .sendBack(employee: "emp-3", roles: ["sales-manager"], reason: "fix price"), at: WorkTestLog.at(hours: 1))
        var views = try log.views(projection)
        let submitter = try ApprovalInbox.inbox(for: "emp-7", roles: [], now: WorkTestLog.at(hours: 100), in: views)
        #expect(submitter.pending.map(\.instance.status) == [.returnedToSubmitter])
        #expect(submitter.late.isEmpty)

        try log.run(WorkflowInstance.self, a, .resubmit(employee: "emp-7"), at: WorkTestLog.at(hours: 2), actor: "emp-7")
        views = try log.views(projection)
        #expect(try ApprovalInbox.inbox(for: "emp-7", roles: [], now: WorkTestLog.at(hours: 2), in: views).pending.isEmpty)
        #expect(try ApprovalInbox.inbox(for: "emp-3", roles: ["sales-manager"], now: WorkTestLog.at(hours: 2), in: views).pending.first?.dueAt
            == WorkTestLog.at(hours: 6))
    }

    @Test func oneByOneAndBatchedApplyGiveIdenticalTables() throws {
        let a = try start("a")
        _ = try start("b")
        try log.run(WorkflowInstance.self, a, .approve(employee: "emp-3", roles: ["sales-manager"], comment: nil), at: WorkTestLog.at(hours: 1))
        try log.run(WorkflowInstance.self, a, .escalateIfLate(at: WorkTestLog.at(hours: 10)), at: WorkTestLog.at(hours: 10))
        try log.expectSameTablesInTwoBatchings(projection)
    }
}
