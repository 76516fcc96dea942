import CRMDomain
import EventSourcing
import Foundation
import Testing

/// A request for approval its submitter withdraws (the workflow instance cancelled) sends its subject back as
/// the submitter, with the withdrawal's reason, so the subject can go on — a campaign back to planned, a
/// feedback form returned — and a returned form is sent for a review again even unchanged.
@Suite struct ApprovalWithdrawalTests {
    private static let t0 = Date(timeIntervalSince1970: 1_767_225_600)
    private static let campaignID = UUID.derived("test", "withdrawal", "campaign")

    private static func started(_ kind: WorkflowSubjectKind, subject: UUID, definition: WorkflowDefinitionVersion) -> Scenario<WorkflowInstance> {
        var instance = Scenario(WorkflowInstance.self, actor: "emp-sub")
        instance.apply(.start(id: UUID.derived("test", "withdrawal", kind.rawValue), subjectKind: kind, subjectID: subject, submitter: "emp-sub",
                              definition: definition))
        return instance
    }

    @Test func aWithdrawnFeasibilityRequestSendsTheCampaignBackToPlannedAsItsSubmitter() throws {
        var campaign = Scenario(Campaign.self, actor: "emp-sub")
        campaign.apply(.plan(id: Self.campaignID, name: "Spring", objective: "Renewals", owner: "emp-sub", budget: Money(5000, .cny),
                             start: try #require(LocalDate("2026-03-01")), end: try #require(LocalDate("2026-04-30"))))
        campaign.apply(.submitFeasibility(study: "Worth it"))
        #expect(campaign.state.status == .feasibility)

        var instance = Self.started(.campaign, subject: Self.campaignID, definition: WorkflowDefinition.defaultCampaignApproval())
        let cancelled = instance.apply(.cancel(employee: "emp-sub", reason: "withdrawn"))
        let routed = try #require(cancelled.compactMap { ApprovalRouting.campaignCommand(after: $0, instance: instance.state) }.first)
        #expect(routed == ApprovalRouting.Routed(recordID: Self.campaignID, command: .sendBack(reason: "withdrawn"), actor: "emp-sub"))
        campaign.context.actor = routed.actor
        campaign.apply(routed.command)
        #expect(campaign.state.status == .planned, "the campaign can change its plan and be submitted again")
        #expect(campaign.when(.submitFeasibility(study: "Second look")).count == 1)
    }

    @Test func aWithdrawnReviewReturnsTheFeedbackFormSoItsSubmitterMayAmendIt() {
        var instance = Self.started(.feedbackForm, subject: FB.formID, definition: WorkflowDefinition.defaultFeedbackReview())
        let workflowID = instance.state.instanceID ?? UUID()
        var form = Scenario(FeedbackForm.self, given: [FB.submitted, .reviewStarted(FeedbackFormReviewStarted(workflowID: workflowID, at: FB.t0))])
        let cancelled = instance.apply(.cancel(employee: "emp-sub", reason: "withdrawn by me"))
        let reactions = cancelled.compactMap { FeedbackForm.reaction(to: $0, instance: instance.state) }
        #expect(reactions.count == 1)
        for reaction in reactions { form.apply(reaction.command) }
        #expect(form.state.status == .returned && form.state.returnReason == "withdrawn by me")
        #expect(form.whenRefused(.markReviewed(workflowID: workflowID))?.code == .invalidTransition, "the withdrawn review is not reviewed by hand")
        #expect(form.when(.amend(employee: "emp-1", values: FB.values)).count == 1)
    }

    @Test func aReturnedFormIsSentForAReviewAgainWithItsValuesUnchanged() throws {
        var form = Scenario(FeedbackForm.self, given: [FB.submitted, FB.reviewStarted, FB.returned])
        let events = form.apply(.amend(employee: "emp-1", values: FB.values))
        #expect(events == [.amended(FeedbackFormAmended(changes: [], amendedBy: "emp-1", at: FB.t0))])
        #expect(form.state.status == .submitted && form.state.values == FB.values)
        #expect(ApprovalRouting.start(after: try #require(events.first), formID: FB.formID, version: StreamVersion(4),
                                      definition: WorkflowDefinition.defaultFeedbackReview()) != nil, "a new review starts")
    }

    @Test func aWithdrawnRequestRoutesTheSubmittersSendBackForEveryKindOfSubject() {
        let contractID = UUID.derived("test", "withdrawal", "contract")
        var contract = Self.started(.contract, subject: contractID, definition: WorkflowDefinition.defaultContractApproval())
        let events = contract.apply(.cancel(employee: "emp-sub", reason: "not now"))
        #expect(events.map { ApprovalRouting.outcome(of: $0, instance: contract.state) } == [.sentBack(by: "emp-sub", reason: "not now")])
        #expect(events.compactMap { ApprovalRouting.contractCommand(after: $0, instance: contract.state) }
                == [ApprovalRouting.Routed(recordID: contractID, command: .sendBack(reason: "not now"), actor: "emp-sub")])
    }
}
