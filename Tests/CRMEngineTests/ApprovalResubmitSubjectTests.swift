import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// A request sent back to its submitter through its workflow sent its subject back too. A quote, contract,
/// campaign or feedback form asks for approval again by its own path (revise, submit again, amend), which
/// starts a new request: resubmitting the returned instance is refused, nothing written, so no request ends
/// up waiting for a decision its subject would refuse. (A material request is resubmitted as it is:
/// ``ApprovalSubmitterReadTests``, ``MaterialApprovalRoutingTests``.)
@Suite struct ApprovalResubmitSubjectTests {
    typealias Guards = WorkflowDecisionGuardsTests

    /// Resubmits `instance` as `submitter`, expecting a refusal that writes nothing and leaves it returned.
    static func expectResubmitRefused(_ f: EngineFixture, _ instance: UUID, as submitter: Principal, naming path: String) async throws {
        let head = try await f.engine.store.headPosition()
        let refused = await #expect(throws: EngineError.self) {
            try await f.engine.execute(WorkflowInstance.self, id: instance, .resubmit(employee: ""), as: submitter)
        }
        #expect(refused?.code == .rejected && refused?.domain?.code == .invalidTransition, "\(String(describing: refused))")
        #expect(refused?.message.contains(path) == true, "\(String(describing: refused))")
        #expect(try await f.engine.store.headPosition() == head, "nothing written")
        #expect(try await f.engine.state(WorkflowInstance.self, id: instance, as: f.admin).state.status == .returnedToSubmitter)
    }

    @Test func aQuoteSentBackThroughItsWorkflowIsNotResubmittedButRevisedWhichAsksForApprovalAgain() async throws {
        let f = try await Guards.fixture("resubmit-quote")
        let sam = try await Guards.employee(f, "Sam", ["salesOwn"])
        let dana = try await Guards.employee(f, "Dana", ["departmentManager", "quoteApprover"])
        let (quote, instance) = try await Guards.waitingQuote(f, by: sam, percent: 15)
        let sentBack = try await f.engine.execute(WorkflowInstance.self, id: instance, .sendBack(employee: "", roles: [], reason: "too much"), as: dana)
        try await WorkflowSubjectTests.settled(f, after: sentBack.position)
        #expect(try await f.engine.state(Quote.self, id: quote, as: f.admin).state.status == .sentBack)

        try await Self.expectResubmitRefused(f, instance, as: sam, naming: "revise it")

        // Its own path: a new revision, a new request Dana decides; the returned one is superseded.
        var draft = ScopeTestsPart2.draft
        draft.discountPercent = 15
        let revised = try await f.engine.execute(Quote.self, id: quote, .revise(draft: draft, authorRole: "salesOwn", limits: []), as: sam)
        try await WorkflowSubjectTests.settled(f, after: revised.position)
        #expect(try await f.engine.state(WorkflowInstance.self, id: instance, as: f.admin).state.status == .closedBySubject)
        let second = ApprovalRouting.instanceID(for: .quote, recordID: quote, revision: 2)
        let approved = try await f.engine.execute(WorkflowInstance.self, id: second, .approve(employee: "", roles: [], comment: "ok"), as: dana)
        try await WorkflowSubjectTests.settled(f, after: approved.position)
        #expect(try await f.engine.state(Quote.self, id: quote, as: f.admin).state.status == .approved)
        await f.close()
    }

    @Test func aContractSentBackThroughItsWorkflowIsNotResubmittedButSubmittedAgain() async throws {
        let w = try await WorkflowSubjectTests.world("resubmit-contract")
        let sentBack = try await w.f.engine.execute(WorkflowInstance.self, id: w.instance, .sendBack(employee: "", roles: [], reason: "check the term"), as: w.mia)
        try await WorkflowSubjectTests.settled(w.f, after: sentBack.position)
        #expect(try await w.f.engine.state(Contract.self, id: w.contract, as: w.f.admin).state.status == .negotiating)

        try await Self.expectResubmitRefused(w.f, w.instance, as: w.f.admin, naming: "submit it for approval again")

        let again = try await w.f.engine.execute(Contract.self, id: w.contract, .submitForApproval, as: w.f.admin)
        try await WorkflowSubjectTests.settled(w.f, after: again.position)
        let second = ApprovalRouting.instanceID(for: .contract, recordID: w.contract, revision: try #require(again.events.last).streamVersion.rawValue)
        let approved = try await w.f.engine.execute(WorkflowInstance.self, id: second, .approve(employee: "", roles: [], comment: nil), as: w.mia)
        try await WorkflowSubjectTests.settled(w.f, after: approved.position)
        #expect(try await w.f.engine.state(Contract.self, id: w.contract, as: w.f.admin).state.status == .approved)
        await w.f.close()
    }

    @Test func aCampaignFeasibilitySentBackThroughItsWorkflowIsNotResubmittedButSubmittedAgain() async throws {
        let w = try await MaterialApprovalRoutingTests.world("resubmit-campaign")
        let submitted = try await w.f.engine.execute(Campaign.self, id: w.campaign, .submitFeasibility(study: "Worth it"), as: w.petra)
        try await WorkflowSubjectTests.settled(w.f, after: submitted.position)
        let instance = ApprovalRouting.instanceID(for: .campaign, recordID: w.campaign, revision: try #require(submitted.events.last).streamVersion.rawValue)
        let sentBack = try await w.f.engine.execute(WorkflowInstance.self, id: instance, .sendBack(employee: "", roles: [], reason: "numbers"), as: w.mia)
        try await WorkflowSubjectTests.settled(w.f, after: sentBack.position)
        #expect(try await w.f.engine.state(Campaign.self, id: w.campaign, as: w.f.admin).state.status == .planned)

        try await Self.expectResubmitRefused(w.f, instance, as: w.petra, naming: "submit its feasibility study again")
        await w.f.close()
    }

    @Test func aFeedbackFormReturnedThroughItsReviewIsNotResubmittedButAmended() async throws {
        let w = try await WorkflowSubjectTests.world("resubmit-feedback")
        let sam = try await w.f.hire("Sam", branch: "B", permissions: [Permission(module: .organisation, actions: Permission.Action.allCases, scope: .branch("B"))])
        let form = UUID.derived("feedback", "resubmit")
        let submitted = try await w.f.engine.execute(FeedbackForm.self, id: form, .submit(
            id: form, template: ScopeTestsPart2.feedbackTemplate, submittedBy: "", reporter: sam.id, reviewer: w.mia.id, branch: "B",
            values: [FeedbackValue(field: "summary", value: .text("All good"))]), as: sam)
        try await WorkflowSubjectTests.settled(w.f, after: submitted.position)
        let instance = ApprovalRouting.instanceID(for: .feedbackForm, recordID: form, revision: submitted.version.rawValue)
        let sentBack = try await w.f.engine.execute(WorkflowInstance.self, id: instance, .sendBack(employee: "", roles: [], reason: "more detail"), as: w.mia)
        try await WorkflowSubjectTests.settled(w.f, after: sentBack.position)
        #expect(try await w.f.engine.state(FeedbackForm.self, id: form, as: sam).state.status == .returned)

        try await Self.expectResubmitRefused(w.f, instance, as: sam, naming: "amend it")
        await w.f.close()
    }
}
