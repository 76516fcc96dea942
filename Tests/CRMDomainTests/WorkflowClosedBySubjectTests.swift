import CRMDomain
import EventSourcing
import Foundation
import Testing

/// A workflow whose subject was decided outside it ends (`closeBySubject`); the routing says which instance
/// a direct decision closes. A feedback form's reviewer is not its submitter.
@Suite("Workflow closed by its subject")
struct WorkflowClosedBySubjectTests {
    static let closed = WorkflowEvent.closedBySubject(WorkflowClosedBySubject(decision: .approved, decidedBy: "emp-x", at: WF.t0))

    @Test func aWaitingWorkflowIsClosedWhenItsSubjectIsDecidedElsewhereAndCanNoLongerBeDecided() {
        var s = Scenario(WorkflowInstance.self, given: [WF.started])
        #expect(s.whenRefused(.closeBySubject(decision: .approved, decidedBy: " "))?.field == "decidedBy")
        #expect(s.apply(.closeBySubject(decision: .approved, decidedBy: "emp-x")) == [Self.closed])
        #expect(s.state.status == .closedBySubject)
        #expect(s.state.holder == nil && s.state.currentStep == nil)
        #expect(s.whenRefused(.approve(employee: "emp-m", roles: ["sales-manager"], comment: nil))?.code == .invalidTransition)
        #expect(s.whenRefused(.cancel(employee: "emp-sub", reason: "r"))?.code == .invalidTransition)
        #expect(s.when(.closeBySubject(decision: .sentBack, decidedBy: "emp-y")).isEmpty, "already ended: nothing")
    }

    @Test func aWorkflowReturnedToItsSubmitterIsClosedTooButOneThatEndedOrNeverStartedIsNot() {
        let returned = Scenario(WorkflowInstance.self, given: [WF.started, .sentBack(WorkflowSentBack(fromStep: 0, toStep: nil, reason: "r", sentBackBy: "emp-m", at: WF.t0))])
        #expect(returned.when(.closeBySubject(decision: .sentBack, decidedBy: "emp-x"))
                == [.closedBySubject(WorkflowClosedBySubject(decision: .sentBack, decidedBy: "emp-x", at: WF.t0))])
        let cancelled = Scenario(WorkflowInstance.self, given: [WF.started, .cancelled(WorkflowCancelled(cancelledBy: "emp-sub", reason: "r", at: WF.t0))])
        #expect(cancelled.when(.closeBySubject(decision: .approved, decidedBy: "emp-x")).isEmpty)
        #expect(Scenario(WorkflowInstance.self).whenRefused(.closeBySubject(decision: .approved, decidedBy: "emp-x"))?.code == .notFound)
    }

    @Test func theClosingEventRoundTrips() throws {
        try expectRoundTrips([Self.closed, .closedBySubject(WorkflowClosedBySubject(decision: .sentBack, decidedBy: "e", at: WF.hours(1)))])
    }

    @Test func aDirectDecisionNamesTheInstanceThatWaitedForIt() {
        let quote = UUID.derived("test", "quote-2"), contract = UUID.derived("test", "contract"), campaign = UUID.derived("test", "campaign")
        let material = UUID.derived("test", "material")
        let approved = QuoteEvent.approved(QuoteApproved(quoteID: quote, revision: 2, approver: "emp-a", approverRole: "r", approverLimit: 30, discountPercent: 20))
        let routed = ApprovalRouting.closing(after: approved)
        #expect(routed?.recordID == ApprovalRouting.instanceID(for: .quote, recordID: quote, revision: 2))
        #expect(routed?.command == .closeBySubject(decision: .approved, decidedBy: "emp-a"))

        let sentBack = ContractEvent.sentBack(ContractSentBack(contractID: contract, by: "emp-b", at: WF.t0, reason: "no"))
        let contractClose = ApprovalRouting.closing(after: sentBack, submission: StreamVersion(4))
        #expect(contractClose?.recordID == ApprovalRouting.instanceID(for: .contract, recordID: contract, revision: 4))
        #expect(contractClose?.command == .closeBySubject(decision: .sentBack, decidedBy: "emp-b"))

        let feasibility = CampaignEvent.approved(CampaignApproved(campaignID: campaign, by: "emp-c", at: WF.t0, note: nil))
        #expect(ApprovalRouting.closing(after: feasibility, feasibilitySubmission: nil) == nil, "no submission, no instance")
        #expect(ApprovalRouting.closing(after: feasibility, feasibilitySubmission: StreamVersion(3))?.recordID
                == ApprovalRouting.instanceID(for: .campaign, recordID: campaign, revision: 3))
        let advanced = { (stage: Campaign.MaterialStage) in
            CampaignEvent.materialAdvanced(CampaignMaterialAdvanced(campaignID: campaign, materialID: material, stage: stage, quantity: 1, by: "emp-d"))
        }
        #expect(ApprovalRouting.closing(after: advanced(.approved), feasibilitySubmission: nil)?.recordID
                == ApprovalRouting.materialInstanceID(campaignID: campaign, materialID: material))
        #expect(ApprovalRouting.closing(after: advanced(.purchased), feasibilitySubmission: nil) == nil, "buying decides no approval")
        let declined = CampaignEvent.materialDeclined(CampaignMaterialDeclined(campaignID: campaign, materialID: material, reason: "r", by: "emp-d", at: WF.t0))
        #expect(ApprovalRouting.closing(after: declined, feasibilitySubmission: nil)?.command == .closeBySubject(decision: .sentBack, decidedBy: "emp-d"))

        let reviewed = FeedbackEvent.reviewed(FeedbackFormReviewed(workflowID: FB.workflowID, reviewedAt: WF.t0))
        #expect(ApprovalRouting.closing(after: reviewed, actor: "emp-boss")?.recordID == FB.workflowID)
        #expect(ApprovalRouting.closing(after: FB.submitted, actor: "emp-1") == nil)
    }

    @Test func aNewRequestSupersedesTheInstanceOfTheEarlierOne() throws {
        let quote = UUID.derived("test", "quote-3"), contract = UUID.derived("test", "contract-2")
        func revision(_ number: Int) -> QuoteRevision {
            QuoteRevision(number: number, draft: QuoteDraft(lines: []), author: "emp-r", authorRole: "r", authorLimit: 5, needsApproval: false, createdAt: WF.t0)
        }
        let revised = ApprovalRouting.superseding(after: .revised(QuoteRevised(quoteID: quote, revision: revision(3))))
        #expect(revised?.recordID == ApprovalRouting.instanceID(for: .quote, recordID: quote, revision: 2), "the revision before, whether or not the new one needs approval")
        #expect(revised?.command == .closeBySubject(decision: .superseded, decidedBy: "emp-r"))
        #expect(ApprovalRouting.superseding(after: .created(QuoteCreated(quoteID: quote, customerID: contract, customerCode: "C", number: "N", revision: revision(1)))) == nil)
        let again = ApprovalRouting.superseding(.contract, recordID: contract, earlier: 4, by: "emp-s")
        #expect(again.recordID == ApprovalRouting.instanceID(for: .contract, recordID: contract, revision: 4))
        #expect(again.command == .closeBySubject(decision: .superseded, decidedBy: "emp-s"))
        try expectRoundTrips([WorkflowEvent.closedBySubject(WorkflowClosedBySubject(decision: .superseded, decidedBy: "emp-s", at: WF.t0))])
    }

    @Test func aFeedbackFormNamingItsSubmitterAsReviewerIsRefused() {
        let s = Scenario(FeedbackForm.self)
        let refused = s.whenRefused(.submit(id: FB.formID, template: FB.template, submittedBy: "emp-1", reporter: "emp-2", reviewer: " emp-1 ",
                                            branch: "north", values: FB.values))
        #expect(refused?.code == .invalid && refused?.field == "reviewer")
        // A form recorded before the rule, naming its submitter as reviewer, cannot be sent for a review again.
        let legacy = FeedbackEvent.submitted(FeedbackFormSubmitted(formID: FB.formID, template: FB.template, submittedBy: "emp-1", reporter: "emp-2",
                                                                   reviewer: "emp-1", branch: "north", values: FB.values, submittedAt: FB.t0))
        let returned = Scenario(FeedbackForm.self, given: [legacy, FB.reviewStarted, FB.returned])
        let amend = returned.whenRefused(.amend(employee: "emp-1", values: [FeedbackValue(field: "summary", value: .text("x")),
                                                                          FeedbackValue(field: "area", value: .option("billing"))]))
        #expect(amend?.code == .invalid && amend?.field == "reviewer")
    }
}
