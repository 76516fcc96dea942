import CRMDomain
import EventSourcing
import Foundation
import Testing

enum WF {
    static let t0 = Date(timeIntervalSince1970: 1_767_225_600)
    static let defID = UUID.derived("test", "workflowdef")
    static let instanceID = UUID.derived("test", "workflow")
    static let quoteID = UUID.derived("test", "quote")
    static func hours(_ h: Double) -> Date { t0.addingTimeInterval(h * 3600) }

    static let steps = [
        WorkflowStep(name: "Manager", approverRole: "sales-manager", deadlineHours: 24, reminderLeadHours: 4, escalateTo: .role("branch-director")),
        WorkflowStep(name: "Finance", approverRole: "finance", deadlineHours: 48, reminderLeadHours: 8, escalateTo: .employee("emp-cfo")),
    ]
    static let v1 = WorkflowDefinitionVersion(definitionID: defID, version: 1, name: "Quote approval", kind: .quote, steps: steps)

    static var started: WorkflowEvent {
        .started(WorkflowStarted(instanceID: instanceID, subjectKind: .quote, subjectID: quoteID, submitter: "emp-sub", definition: v1, startedAt: t0))
    }
    static func approved(_ step: Int, by: String, at: Date) -> WorkflowEvent {
        .stepApproved(WorkflowStepApproved(step: step, approvedBy: by, asDelegate: false, comment: nil, at: at))
    }
}

@Suite("Workflow definitions")
struct WorkflowDefinitionTests {
    @Test func definingRecordsVersionOne() {
        var s = Scenario(WorkflowDefinition.self)
        let events = s.apply(.define(id: WF.defID, name: " Quote approval ", kind: .quote, steps: WF.steps))
        #expect(events == [.defined(WorkflowDefined(definition: WF.v1))])
        #expect(s.state.current == WF.v1)
        #expect(s.whenRefused(.define(id: WF.defID, name: "x", kind: .quote, steps: WF.steps))?.code == .alreadyExists)
    }

    @Test func invalidStepsAreRefused() {
        let s = Scenario(WorkflowDefinition.self)
        func field(_ steps: [WorkflowStep]) -> String? { s.whenRefused(.define(id: WF.defID, name: "n", kind: .quote, steps: steps))?.field }
        var step = WF.steps[0]
        #expect(field([]) == "steps")
        step.approverRole = " "; #expect(field([step]) == "steps.approverRole")
        step = WF.steps[0]; step.deadlineHours = 0; #expect(field([step]) == "steps.deadlineHours")
        step = WF.steps[0]; step.reminderLeadHours = 24; #expect(field([step]) == "steps.reminderLeadHours")
        step = WF.steps[0]; step.reminderLeadHours = -1; #expect(field([step]) == "steps.reminderLeadHours")
        step = WF.steps[0]; step.escalateTo = .employee(""); #expect(field([step]) == "steps.escalateTo")
        step = WF.steps[0]; step.name = ""; #expect(field([step]) == "steps.name")
        #expect(s.whenRefused(.define(id: WF.defID, name: "", kind: .quote, steps: WF.steps))?.field == "name")
    }

    @Test func revisingAddsANewVersionAndKeepsEveryVersion() {
        var s = Scenario(WorkflowDefinition.self, given: [.defined(WorkflowDefined(definition: WF.v1))])
        let oneStep = [WF.steps[0]]
        let events = s.apply(.revise(name: "Quote approval", steps: oneStep))
        let v2 = WorkflowDefinitionVersion(definitionID: WF.defID, version: 2, name: "Quote approval", kind: .quote, steps: oneStep)
        #expect(events == [.revised(WorkflowDefinitionRevised(definition: v2, previousVersion: 1))])
        #expect(s.state.versions.map(\.version) == [1, 2])
        #expect(s.state.version(1) == WF.v1)
        #expect(s.state.current == v2)
    }

    @Test func aRevisionThatChangesNothingRecordsNothing() {
        let s = Scenario(WorkflowDefinition.self, given: [.defined(WorkflowDefined(definition: WF.v1))])
        #expect(s.when(.revise(name: "Quote approval", steps: WF.steps)).isEmpty)
        #expect(s.whenRefused(.revise(name: "Quote approval", steps: []))?.field == "steps")
    }

    @Test func revisingAMissingDefinitionIsRefused() {
        #expect(Scenario(WorkflowDefinition.self).whenRefused(.revise(name: "x", steps: WF.steps))?.code == .notFound)
    }

    @Test func definitionEventsRoundTrip() throws {
        let v2 = WorkflowDefinitionVersion(definitionID: WF.defID, version: 2, name: "Q", kind: .materialRequest, steps: WF.steps)
        try expectRoundTrips([
            WorkflowDefinitionEvent.defined(WorkflowDefined(definition: WF.v1)),
            .revised(WorkflowDefinitionRevised(definition: v2, previousVersion: 1)),
        ])
    }
}

@Suite("Workflow instances")
struct WorkflowTests {
    @Test func startingCopiesTheDefinitionVersion() {
        var s = Scenario(WorkflowInstance.self)
        let events = s.apply(.start(id: WF.instanceID, subjectKind: .quote, subjectID: WF.quoteID, submitter: "emp-sub", definition: WF.v1))
        #expect(events == [WF.started])
        #expect(s.state.status == .running)
        #expect(s.state.currentStepIndex == 0)
        #expect(s.state.holder == .role("sales-manager"))
        #expect(s.state.dueAt == WF.hours(24))
        #expect(s.whenRefused(.start(id: WF.instanceID, subjectKind: .quote, subjectID: WF.quoteID, submitter: "emp-sub", definition: WF.v1))?.code == .alreadyExists)
    }

    @Test func startingWithAMismatchedOrEmptyDefinitionIsRefused() {
        let s = Scenario(WorkflowInstance.self)
        #expect(s.whenRefused(.start(id: WF.instanceID, subjectKind: .contract, subjectID: WF.quoteID, submitter: "emp-sub", definition: WF.v1))?.field == "definition")
        var empty = WF.v1
        empty.steps = []
        #expect(s.whenRefused(.start(id: WF.instanceID, subjectKind: .quote, subjectID: WF.quoteID, submitter: "emp-sub", definition: empty))?.field == "steps")
        #expect(s.whenRefused(.start(id: WF.instanceID, subjectKind: .quote, subjectID: WF.quoteID, submitter: " ", definition: WF.v1))?.field == "submitter")
    }

    @Test func aDefinitionChangeLeavesRunningInstancesOnTheirVersion() {
        var definition = Scenario(WorkflowDefinition.self)
        definition.apply(.define(id: WF.defID, name: "Quote approval", kind: .quote, steps: WF.steps))
        guard let version1 = definition.state.current else { Issue.record("no definition"); return }
        var instance = Scenario(WorkflowInstance.self)
        instance.apply(.start(id: WF.instanceID, subjectKind: .quote, subjectID: WF.quoteID, submitter: "emp-sub", definition: version1))

        let stricter = [WorkflowStep(name: "Director", approverRole: "director", deadlineHours: 2, reminderLeadHours: 1, escalateTo: .role("ceo"))]
        definition.apply(.revise(name: "Quote approval", steps: stricter))
        #expect(definition.state.current?.version == 2)

        #expect(instance.state.definition == version1)
        #expect(instance.state.currentStep?.approverRole == "sales-manager")
        #expect(instance.state.dueAt == WF.hours(24))
        instance.apply(.approve(employee: "emp-m", roles: ["sales-manager"], comment: nil))
        #expect(instance.state.status == .running)
        #expect(instance.state.currentStep?.approverRole == "finance")
    }

    @Test func approvingEveryStepCompletesTheWorkflow() {
        var s = Scenario(WorkflowInstance.self, given: [WF.started], at: WF.hours(2))
        let first = s.apply(.approve(employee: "emp-m", roles: ["sales-manager", "staff"], comment: "fine"))
        #expect(first == [.stepApproved(WorkflowStepApproved(step: 0, approvedBy: "emp-m", asDelegate: false, comment: "fine", at: WF.hours(2)))])
        #expect(s.state.currentStepIndex == 1)
        #expect(s.state.dueAt == WF.hours(50))
        let last = s.apply(.approve(employee: "emp-f", roles: ["finance"], comment: nil))
        #expect(last == [
            .stepApproved(WorkflowStepApproved(step: 1, approvedBy: "emp-f", asDelegate: false, comment: nil, at: WF.hours(2))),
            .completed(WorkflowCompleted(subjectKind: .quote, subjectID: WF.quoteID, at: WF.hours(2))),
        ])
        #expect(s.state.status == .completed)
        #expect(s.state.approvals.count == 2)
        #expect(s.state.currentStep == nil)
        #expect(s.whenRefused(.approve(employee: "emp-f", roles: ["finance"], comment: nil))?.code == .invalidTransition)
    }

    @Test func anApproverWithoutTheStepsRoleIsForbidden() {
        let s = Scenario(WorkflowInstance.self, given: [WF.started])
        let error = s.whenRefused(.approve(employee: "emp-f", roles: ["finance"], comment: nil))
        #expect(error?.code == .forbidden)
        #expect(error?.field == "roles")
        #expect(s.whenRefused(.sendBack(employee: "emp-x", roles: [], reason: "no"))?.code == .forbidden)
        #expect(s.whenRefused(.delegate(employee: "emp-x", roles: [], to: "emp-y"))?.code == .forbidden)
        #expect(s.whenRefused(.reject(employee: "emp-x", roles: ["finance"], reason: "no"))?.code == .forbidden)
    }

    @Test func commandsOnAWorkflowThatHasNotStartedFindNoSuchWorkflow() {
        let s = Scenario(WorkflowInstance.self)
        // Every decision on a workflow that never started: not found, as for any record that does not exist.
        #expect(s.whenRefused(.approve(employee: "e", roles: ["sales-manager"], comment: nil))?.code == .notFound)
        #expect(s.whenRefused(.sendBack(employee: "e", roles: ["sales-manager"], reason: "r"))?.code == .notFound)
        #expect(s.whenRefused(.reject(employee: "e", roles: ["sales-manager"], reason: "r"))?.code == .notFound)
        #expect(s.whenRefused(.delegate(employee: "e", roles: ["sales-manager"], to: "f"))?.code == .notFound)
        #expect(s.whenRefused(.resubmit(employee: "e"))?.code == .notFound)
        #expect(s.whenRefused(.cancel(employee: "e", reason: "r"))?.code == .notFound)
        #expect(s.when(.escalateIfLate(at: WF.hours(100))).isEmpty)
    }

    @Test func sendingBackGoesToThePreviousStep() {
        var s = Scenario(WorkflowInstance.self, given: [WF.started, WF.approved(0, by: "emp-m", at: WF.hours(1))], at: WF.hours(3))
        let events = s.apply(.sendBack(employee: "emp-f", roles: ["finance"], reason: " missing margin "))
        #expect(events == [.sentBack(WorkflowSentBack(fromStep: 1, toStep: 0, reason: "missing margin", sentBackBy: "emp-f", at: WF.hours(3)))])
        #expect(s.state.status == .running)
        #expect(s.state.currentStepIndex == 0)
        #expect(s.state.dueAt == WF.hours(27))
    }

    @Test func sendingBackAtTheFirstStepReturnsToTheSubmitterWhoMayResubmit() {
        var s = Scenario(WorkflowInstance.self, given: [WF.started], at: WF.hours(1))
        let events = s.apply(.sendBack(employee: "emp-m", roles: ["sales-manager"], reason: "incomplete"))
        #expect(events == [.sentBack(WorkflowSentBack(fromStep: 0, toStep: nil, reason: "incomplete", sentBackBy: "emp-m", at: WF.hours(1)))])
        #expect(s.state.status == .returnedToSubmitter)
        #expect(s.state.holder == .employee("emp-sub"))
        #expect(s.state.currentStep == nil)
        #expect(!s.state.isLate(at: WF.hours(1000)))
        #expect(s.whenRefused(.approve(employee: "emp-m", roles: ["sales-manager"], comment: nil))?.code == .invalidTransition)
        let refused = s.whenRefused(.resubmit(employee: "emp-m"))
        #expect(refused?.code == .forbidden)
        #expect(refused?.field == "employee")
        #expect(s.apply(.resubmit(employee: "emp-sub")) == [.resubmitted(WorkflowResubmitted(resubmittedBy: "emp-sub", at: WF.hours(1)))])
        #expect(s.state.status == .running)
        #expect(s.state.holder == .role("sales-manager"))
        #expect(s.whenRefused(.resubmit(employee: "emp-sub"))?.code == .invalidTransition)
    }

    @Test func sendingBackNeedsAReason() {
        let s = Scenario(WorkflowInstance.self, given: [WF.started])
        #expect(s.whenRefused(.sendBack(employee: "emp-m", roles: ["sales-manager"], reason: "  "))?.field == "reason")
    }

    @Test func aDelegateMayApproveWithoutTheRole() {
        var s = Scenario(WorkflowInstance.self, given: [WF.started], at: WF.hours(1))
        let events = s.apply(.delegate(employee: "emp-m", roles: ["sales-manager"], to: "emp-d"))
        #expect(events == [.stepDelegated(WorkflowStepDelegated(step: 0, delegatedBy: "emp-m", previousDelegate: nil, delegate: "emp-d", at: WF.hours(1)))])
        #expect(s.state.holder == .employee("emp-d"))
        #expect(s.when(.delegate(employee: "emp-m", roles: ["sales-manager"], to: "emp-d")).isEmpty)
        #expect(s.whenRefused(.approve(employee: "emp-other", roles: [], comment: nil))?.code == .forbidden)
        let approved = s.apply(.approve(employee: "emp-d", roles: [], comment: nil))
        #expect(approved == [.stepApproved(WorkflowStepApproved(step: 0, approvedBy: "emp-d", asDelegate: true, comment: nil, at: WF.hours(1)))])
        #expect(s.state.delegate == nil)
        #expect(s.state.holder == .role("finance"))
    }

    @Test func aDelegateMayPassTheStepOnAndTheTrailKeepsThePreviousDelegate() {
        var s = Scenario(WorkflowInstance.self, given: [
            WF.started,
            .stepDelegated(WorkflowStepDelegated(step: 0, delegatedBy: "emp-m", previousDelegate: nil, delegate: "emp-d", at: WF.t0)),
        ])
        let events = s.apply(.delegate(employee: "emp-d", roles: [], to: "emp-e"))
        #expect(events == [.stepDelegated(WorkflowStepDelegated(step: 0, delegatedBy: "emp-d", previousDelegate: "emp-d", delegate: "emp-e", at: WF.t0))])
        #expect(s.state.holder == .employee("emp-e"))
        #expect(s.whenRefused(.approve(employee: "emp-d", roles: [], comment: nil))?.code == .forbidden)
    }

    @Test func delegationRuleViolations() {
        let s = Scenario(WorkflowInstance.self, given: [WF.started])
        #expect(s.whenRefused(.delegate(employee: "emp-m", roles: ["sales-manager"], to: "emp-m"))?.field == "to")
        #expect(s.whenRefused(.delegate(employee: "emp-m", roles: ["sales-manager"], to: ""))?.field == "to")
        let done = Scenario(WorkflowInstance.self, given: [WF.started, .cancelled(WorkflowCancelled(cancelledBy: "emp-sub", reason: "r", at: WF.t0))])
        #expect(done.whenRefused(.delegate(employee: "emp-m", roles: ["sales-manager"], to: "emp-d"))?.code == .invalidTransition)
    }

    @Test func aLateWorkflowStepEscalatesExactlyOnce() {
        var s = Scenario(WorkflowInstance.self, given: [WF.started], at: WF.hours(30))
        #expect(s.when(.escalateIfLate(at: WF.hours(24))).isEmpty)
        let events = s.apply(.escalateIfLate(at: WF.hours(25)))
        #expect(events == [.stepEscalated(WorkflowStepEscalated(step: 0, escalatedTo: .role("branch-director"), dueAt: WF.hours(24), at: WF.hours(25)))])
        #expect(s.when(.escalateIfLate(at: WF.hours(26))).isEmpty)
        #expect(s.when(.escalateIfLate(at: WF.hours(500))).isEmpty)
        // The next step has its own deadline and escalates once more when it is late.
        s.apply(.approve(employee: "emp-m", roles: ["sales-manager"], comment: nil))
        #expect(s.when(.escalateIfLate(at: WF.hours(31))).isEmpty)
        let second = s.apply(.escalateIfLate(at: WF.hours(79)))
        #expect(second == [.stepEscalated(WorkflowStepEscalated(step: 1, escalatedTo: .employee("emp-cfo"), dueAt: WF.hours(78), at: WF.hours(79)))])
        #expect(s.when(.escalateIfLate(at: WF.hours(80))).isEmpty)
    }

    @Test func lateAndReminderAreKnownFromTheCurrentStep() {
        let s = Scenario(WorkflowInstance.self, given: [WF.started])
        #expect(!s.state.reminderDue(at: WF.hours(19.9)))
        #expect(s.state.reminderDue(at: WF.hours(20)))
        #expect(s.state.reminderDue(at: WF.hours(24)))
        #expect(!s.state.isLate(at: WF.hours(24)))
        #expect(s.state.isLate(at: WF.hours(24.01)))
        #expect(!s.state.reminderDue(at: WF.hours(24.01)))
    }

    @Test func rejectionByTheApproverEndsTheWorkflow() {
        var s = Scenario(WorkflowInstance.self, given: [WF.started])
        #expect(s.whenRefused(.reject(employee: "emp-m", roles: ["sales-manager"], reason: ""))?.field == "reason")
        let events = s.apply(.reject(employee: "emp-m", roles: ["sales-manager"], reason: "price too low"))
        #expect(events == [.rejected(WorkflowRejected(step: 0, rejectedBy: "emp-m", reason: "price too low", at: WF.t0))])
        #expect(s.state.status == .rejected)
        #expect(s.state.holder == nil)
        #expect(s.whenRefused(.cancel(employee: "emp-sub", reason: "r"))?.code == .invalidTransition)
    }

    @Test func onlyTheSubmitterMayCancel() {
        var s = Scenario(WorkflowInstance.self, given: [WF.started])
        let refused = s.whenRefused(.cancel(employee: "emp-m", reason: "no"))
        #expect(refused?.code == .forbidden)
        #expect(refused?.field == "employee")
        #expect(s.whenRefused(.cancel(employee: "emp-sub", reason: " "))?.field == "reason")
        #expect(s.apply(.cancel(employee: "emp-sub", reason: "withdrawn")) == [.cancelled(WorkflowCancelled(cancelledBy: "emp-sub", reason: "withdrawn", at: WF.t0))])
        #expect(s.state.status == .cancelled)
        #expect(s.when(.escalateIfLate(at: WF.hours(100))).isEmpty)
    }

    @Test func workflowEventsRoundTrip() throws {
        try expectRoundTrips([
            WF.started,
            .stepApproved(WorkflowStepApproved(step: 0, approvedBy: "e", asDelegate: true, comment: "ok", at: WF.t0)),
            .sentBack(WorkflowSentBack(fromStep: 1, toStep: 0, reason: "r", sentBackBy: "e", at: WF.t0)),
            .sentBack(WorkflowSentBack(fromStep: 0, toStep: nil, reason: "r", sentBackBy: "e", at: WF.t0)),
            .resubmitted(WorkflowResubmitted(resubmittedBy: "s", at: WF.t0)),
            .stepDelegated(WorkflowStepDelegated(step: 0, delegatedBy: "a", previousDelegate: "b", delegate: "c", at: WF.t0)),
            .stepEscalated(WorkflowStepEscalated(step: 0, escalatedTo: .employee("x"), dueAt: WF.t0, at: WF.hours(1))),
            .completed(WorkflowCompleted(subjectKind: .feedbackForm, subjectID: WF.quoteID, at: WF.t0)),
            .rejected(WorkflowRejected(step: 1, rejectedBy: "e", reason: "r", at: WF.t0)),
            .cancelled(WorkflowCancelled(cancelledBy: "s", reason: "r", at: WF.t0)),
        ])
    }
}
