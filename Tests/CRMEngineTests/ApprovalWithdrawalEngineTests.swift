import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import Foundation
import Testing

/// A request for approval its submitter withdraws (`cancel` of the workflow instance) sends its subject back
/// as the submitter, with the withdrawal's reason, while the subject still waits for that very request: a
/// campaign goes back to planned, a feedback form is returned (and is sent for a review again by an amendment,
/// even unchanged), a quote is sent back, a contract goes back to negotiation, a material is declined. A form
/// is not reviewed by hand under a review that has ended.
@Suite struct ApprovalWithdrawalEngineTests {
    typealias Guards = WorkflowDecisionGuardsTests

    private static func settled(_ f: EngineFixture, after position: GlobalPosition) async throws {
        try await WorkflowSubjectTests.settled(f, after: position)
    }

    /// Submits the campaign's feasibility study as Petra; returns its instance.
    private static func submitFeasibility(_ w: MaterialApprovalRoutingTests.World, study: String) async throws -> UUID {
        let submitted = try await w.f.engine.execute(Campaign.self, id: w.campaign, .submitFeasibility(study: study), as: w.petra)
        try await settled(w.f, after: submitted.position)
        return ApprovalRouting.instanceID(for: .campaign, recordID: w.campaign, revision: try #require(submitted.events.last).streamVersion.rawValue)
    }

    /// Sam (organisation in branch B) submits a form Mia reviews; returns its id and its review's instance.
    private static func submittedForm(_ w: WorkflowSubjectTests.World, _ label: String) async throws -> (sam: Principal, form: UUID, instance: UUID) {
        let sam = try await w.f.hire("Sam", branch: "B", permissions: [Permission(module: .organisation, actions: Permission.Action.allCases, scope: .branch("B"))])
        let form = UUID.derived("feedback", label)
        let submitted = try await w.f.engine.execute(FeedbackForm.self, id: form, .submit(
            id: form, template: ScopeTestsPart2.feedbackTemplate, submittedBy: "", reporter: sam.id, reviewer: w.mia.id, branch: "B",
            values: [FeedbackValue(field: "summary", value: .text("All good"))]), as: sam)
        try await settled(w.f, after: submitted.position)
        let instance = ApprovalRouting.instanceID(for: .feedbackForm, recordID: form, revision: submitted.version.rawValue)
        #expect(try await w.f.engine.state(FeedbackForm.self, id: form, as: sam).state.workflowID == instance)
        return (sam, form, instance)
    }

    @Test func aWithdrawnFeasibilityRequestSendsTheCampaignBackToPlannedSoItCanBeSubmittedAgain() async throws {
        let w = try await MaterialApprovalRoutingTests.world("withdraw-campaign")
        let instance = try await Self.submitFeasibility(w, study: "s1")
        let cancelled = try await w.f.engine.execute(WorkflowInstance.self, id: instance, .cancel(employee: "", reason: "withdraw"), as: w.petra)
        try await Self.settled(w.f, after: cancelled.position)
        let campaign = try await w.f.engine.state(Campaign.self, id: w.campaign, as: w.f.admin).state
        #expect(campaign.status == .planned && campaign.sentBackReason == "withdraw")
        let last = try await w.f.engine.store.readStream(Campaign.stream(w.campaign)).last
        #expect(last?.type == CampaignSentBack.eventType && last?.metadata.actor == w.petra.id, "recorded as the submitter's")

        let again = try await Self.submitFeasibility(w, study: "s2")
        #expect(try await w.f.engine.state(WorkflowInstance.self, id: again, as: w.f.admin).state.status == .running)
        #expect(try await WorkflowSubjectTests.pending(w.f, w.mia) == [again])
        await w.f.close()
    }

    @Test func aRequestWithdrawnAfterItWasSentBackToItsSubmitterSendsNothingMore() async throws {
        let w = try await MaterialApprovalRoutingTests.world("withdraw-returned")
        let instance = try await Self.submitFeasibility(w, study: "s1")
        let sentBack = try await w.f.engine.execute(WorkflowInstance.self, id: instance, .sendBack(employee: "", roles: [], reason: "numbers"), as: w.mia)
        try await Self.settled(w.f, after: sentBack.position)
        let before = try await w.f.engine.store.readStream(Campaign.stream(w.campaign)).count
        let cancelled = try await w.f.engine.execute(WorkflowInstance.self, id: instance, .cancel(employee: "", reason: "dropping it"), as: w.petra)
        try await Self.settled(w.f, after: cancelled.position)
        #expect(try await w.f.engine.store.readStream(Campaign.stream(w.campaign)).count == before, "the campaign was sent back already")
        #expect(try await w.f.engine.state(Campaign.self, id: w.campaign, as: w.f.admin).state.sentBackReason == "numbers")
        await w.f.close()
    }

    @Test func aWithdrawnFeedbackReviewReturnsTheFormWhichIsNotReviewedUnderItAndIsSentAgainUnchanged() async throws {
        let w = try await WorkflowSubjectTests.world("withdraw-feedback")
        let (sam, form, instance) = try await Self.submittedForm(w, "withdraw")
        let cancelled = try await w.f.engine.execute(WorkflowInstance.self, id: instance, .cancel(employee: "", reason: "withdrawn by me"), as: sam)
        try await Self.settled(w.f, after: cancelled.position)
        let returned = try await w.f.engine.state(FeedbackForm.self, id: form, as: sam).state
        #expect(returned.status == .returned && returned.returnReason == "withdrawn by me")

        let head = try await Guards.head(w.f)
        await #expect(throws: EngineError.self) {
            try await w.f.engine.execute(FeedbackForm.self, id: form, .markReviewed(workflowID: instance), as: w.mia)
        }
        #expect(try await Guards.head(w.f) == head, "nothing written")

        // The same values, sent for a review again.
        let amended = try await w.f.engine.execute(FeedbackForm.self, id: form, .amend(employee: "", values: returned.values), as: sam)
        #expect(amended.events.map(\.type) == [FeedbackFormAmended.eventType])
        try await Self.settled(w.f, after: amended.position)
        let again = try await w.f.engine.state(FeedbackForm.self, id: form, as: sam).state
        let second = ApprovalRouting.instanceID(for: .feedbackForm, recordID: form, revision: amended.version.rawValue)
        #expect(again.status == .inReview && again.workflowID == second)
        #expect(try await WorkflowSubjectTests.pending(w.f, w.mia).contains(second))
        await w.f.close()
    }

    /// Before the reactor returns the form (here: no reactor runs), the reviewer's review by hand under the
    /// withdrawn instance is refused, nothing written.
    @Test func aFormIsNotReviewedByHandUnderAReviewItsSubmitterWithdrew() async throws {
        let w = try await WorkflowSubjectTests.world("withdraw-feedback-by-hand")
        let (sam, form, instance) = try await Self.submittedForm(w, "by-hand")
        await w.f.closeEngine()
        let quiet = try await CRMEngine.open(at: w.f.directory, configuration: .init(clock: w.f.clock, durability: .noSync, reactions: []))
        defer { try? FileManager.default.removeItem(atPath: w.f.directory) }
        try await quiet.execute(WorkflowInstance.self, id: instance, .cancel(employee: "", reason: "withdrawn by me"), as: sam)
        #expect(try await quiet.state(FeedbackForm.self, id: form, as: sam).state.status == .inReview, "not returned yet")

        let head = try await quiet.store.headPosition()
        for command in [FeedbackForm.Command.markReviewed(workflowID: instance), .markReturned(workflowID: instance, reason: "late")] {
            let refused = await #expect(throws: EngineError.self) {
                try await quiet.execute(FeedbackForm.self, id: form, command, as: w.mia)
            }
            #expect(refused?.code == .rejected && refused?.domain?.code == .invalidTransition && refused?.field == "workflowID",
                    "\(String(describing: refused))")
        }
        #expect(try await quiet.store.headPosition() == head, "nothing written")
        await quiet.close()
    }

    @Test func aWithdrawnQuoteContractOrMaterialRequestSendsItsSubjectBack() async throws {
        // A quote: sent back, so it is revised (even unchanged) to ask again.
        let f = try await Guards.fixture("withdraw-quote")
        let sam = try await Guards.employee(f, "Sam", ["salesOwn"])
        let (quote, quoteInstance) = try await Guards.waitingQuote(f, by: sam, percent: 30)
        let cancelledQuote = try await f.engine.execute(WorkflowInstance.self, id: quoteInstance, .cancel(employee: "", reason: "asked by mistake"), as: sam)
        try await Self.settled(f, after: cancelledQuote.position)
        #expect(try await f.engine.state(Quote.self, id: quote, as: f.admin).state.status == .sentBack)
        await f.close()

        // A contract: back to negotiation.
        let c = try await WorkflowSubjectTests.world("withdraw-contract")
        let cancelledContract = try await c.f.engine.execute(WorkflowInstance.self, id: c.instance, .cancel(employee: "", reason: "terms to redo"), as: c.f.admin)
        try await Self.settled(c.f, after: cancelledContract.position)
        #expect(try await c.f.engine.state(Contract.self, id: c.contract, as: c.f.admin).state.status == .negotiating)
        await c.f.close()

        // A material: declined with the reason (still approvable directly).
        let m = try await MaterialApprovalRoutingTests.world("withdraw-material")
        let flyers = UUID.derived("material", "withdrawn-flyers")
        try await MaterialApprovalRoutingTests.request(m, flyers)
        let materialInstance = ApprovalRouting.materialInstanceID(campaignID: m.campaign, materialID: flyers)
        let cancelledMaterial = try await m.f.engine.execute(WorkflowInstance.self, id: materialInstance, .cancel(employee: "", reason: "not needed"), as: m.petra)
        try await Self.settled(m.f, after: cancelledMaterial.position)
        #expect(try await MaterialApprovalRoutingTests.material(m, flyers)?.declinedReason == "not needed")
        await m.f.close()
    }

    @Test func anOutboxItemsHistoryNamesItsChannelTemplateCustomerAndReceipt() async throws {
        let f = try await EngineFixture.make("outbox-history")
        let customer = try await f.customer("Outbox customer", branch: "head-office")
        let item = UUID.derived("outbox", "history")
        try await f.engine.execute(OutboxItem.self, id: item, .queue(OutboxItemQueued(
            itemID: item, channel: "letter", template: "welcome", customerID: customer, reference: "customer-x", queuedAt: f.clock.now())), as: Principal.system)
        try await f.engine.execute(OutboxItem.self, id: item, .reportFailure(reason: "printer jam"), as: Principal.system)
        try await f.engine.acknowledgeDelivery(of: item, receipt: "L-42", as: f.admin)
        let history = try await f.engine.history(of: OutboxItem.stream(item), as: f.admin, consistentWith: try await f.engine.store.headPosition())
        #expect(history.map(\.changes) == [
            [FieldChange(field: "channel", old: nil, new: .text("letter")), FieldChange(field: "template", old: nil, new: .text("welcome")),
             FieldChange(field: "customer", old: nil, new: .id(customer)), FieldChange(field: "reference", old: nil, new: .text("customer-x"))],
            [FieldChange(field: "failureReason", old: nil, new: .text("printer jam"))],
            [FieldChange(field: "delivered", old: .bool(false), new: .bool(true)), FieldChange(field: "receipt", old: nil, new: .text("L-42"))],
        ])
        await f.close()
    }
}
