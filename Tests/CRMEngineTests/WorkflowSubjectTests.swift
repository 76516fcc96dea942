import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import EventStoreLMDB
import Foundation
import Testing

/// A workflow instance sits where its subject does, ends when its subject is decided outside it, and names
/// what it approves.
@Suite struct WorkflowSubjectTests {
    /// Anna and Bert may query and approve contracts and workflow instances of their own branch only (A, B);
    /// Mia holds every right everywhere. A contract of a branch-A customer waits for approval.
    struct World {
        let f: EngineFixture
        let anna: Principal, bert: Principal, mia: Principal
        let contract: UUID
        let instance: UUID
    }

    static func branchApprover(_ branch: String) -> [Permission] {
        [Permission(module: .organisation, actions: [.query, .approve], scope: .branch(branch)),
         Permission(module: .contracts, actions: [.query, .approve], scope: .branch(branch)),
         Permission(module: .quotes, actions: [.query], scope: .branch(branch))]
    }

    static func world(_ label: String) async throws -> World {
        let f = try await EngineFixture.make(label)
        let anna = try await f.hire("Anna", branch: "A", permissions: branchApprover("A"))
        let bert = try await f.hire("Bert", branch: "B", permissions: branchApprover("B"))
        let mia = try await f.hire("Mia", branch: "A", permissions: DefaultApprovalRoutingTests.everything)
        let customer = try await f.customer("Customer of A", branch: "A")
        try await f.meterProduct()
        try await ScopeTestsPart2.createAcceptedQuote(f.engine, customer, f.admin)
        let contract = UUID.derived("contract", label)
        try await f.engine.execute(Contract.self, id: contract, .draft(
            id: contract, customerID: customer, owner: f.admin.id, branch: nil, title: "Supply", quoteID: ScopeTestsPart2.n("quote", customer),
            quoteNumber: "", lines: ScopeTestsPart2.lines, terms: ScopeTestsPart2.terms), as: f.admin)
        let submitted = try await f.engine.execute(Contract.self, id: contract, .submitForApproval, as: f.admin)
        try await settled(f, after: submitted.position)
        let instance = ApprovalRouting.instanceID(for: .contract, recordID: contract, revision: try #require(submitted.events.last).streamVersion.rawValue)
        return World(f: f, anna: anna, bert: bert, mia: mia, contract: contract, instance: instance)
    }

    static func settled(_ f: EngineFixture, after position: GlobalPosition) async throws {
        try await f.engine.reactionsSettled(upTo: position)
        try await f.engine.reactionsSettled(upTo: try await f.engine.store.headPosition())
    }

    static func pending(_ f: EngineFixture, _ principal: Principal) async throws -> [UUID] {
        try await f.engine.approvalInbox(as: principal, consistentWith: try await f.engine.store.headPosition()).pending.map(\.instance.instanceID)
    }

    // MARK: scope

    @Test func aBranchScopedApproverSeesAndDecidesTheInstanceOfTheirBranchesContractAndOneOfAnotherBranchNeither() async throws {
        let w = try await Self.world("workflow-subject-scope")
        #expect(try await Self.pending(w.f, w.anna) == [w.instance], "waits in the inbox of branch A's approver")
        #expect(try await Self.pending(w.f, w.bert).isEmpty, "not in branch B's")
        #expect(try await w.f.engine.state(WorkflowInstance.self, id: w.instance, as: w.anna).state.subjectID == w.contract)
        let hidden = await #expect(throws: EngineError.self) { try await w.f.engine.state(WorkflowInstance.self, id: w.instance, as: w.bert) }
        #expect(hidden?.code == .notFound)

        // Branch B's approver may not decide it: nothing written.
        let head = try await w.f.engine.store.headPosition()
        let refused = await #expect(throws: EngineError.self) {
            try await w.f.engine.execute(WorkflowInstance.self, id: w.instance, .approve(employee: w.bert.id, roles: [], comment: nil), as: w.bert)
        }
        #expect(refused?.code == .notFound || refused?.code == .forbidden, "\(String(describing: refused))")
        #expect(try await w.f.engine.store.headPosition() == head)

        // Branch A's approver decides it, and the contract is approved as theirs.
        let approved = try await w.f.engine.execute(WorkflowInstance.self, id: w.instance, .approve(employee: w.anna.id, roles: [], comment: "fine"), as: w.anna)
        try await Self.settled(w.f, after: approved.position)
        let contract = try await w.f.engine.state(Contract.self, id: w.contract, as: w.f.admin).state
        #expect(contract.status == .approved && contract.approvedBy == w.anna.id)
        #expect(try await Self.pending(w.f, w.anna).isEmpty)
        await w.f.close()
    }

    // MARK: decided outside the workflow

    @Test func aContractApprovedDirectlyClosesItsWaitingInstanceWhichLeavesTheInboxAndAReplayClosesNothingTwice() async throws {
        let w = try await Self.world("workflow-closed-by-subject")
        #expect(try await Self.pending(w.f, w.mia) == [w.instance])
        let approved = try await w.f.engine.execute(Contract.self, id: w.contract, .approve(note: "signed off"), as: w.mia)
        try await Self.settled(w.f, after: approved.position)

        let instance = try await w.f.engine.state(WorkflowInstance.self, id: w.instance, as: w.f.admin).state
        #expect(instance.status == .closedBySubject)
        let events = try await w.f.engine.store.readStream(WorkflowInstance.stream(w.instance))
        let closed = try #require(events.last)
        #expect(closed.type == WorkflowClosedBySubject.eventType)
        #expect(closed.metadata.causationID == approved.events.last?.id, "caused by the direct approval")
        let payload = try closed.payload.withUnsafeBytes { try w.f.engine.registry.decode(closed.type, schemaVersion: closed.schemaVersion, from: $0) }
        #expect(payload as? WorkflowClosedBySubject == WorkflowClosedBySubject(decision: .approved, decidedBy: w.mia.id, at: w.f.clock.now()))
        for approver in [w.mia, w.anna] { #expect(try await Self.pending(w.f, approver).isEmpty) }
        // The closed instance can no longer be decided.
        await #expect(throws: EngineError.self) {
            try await w.f.engine.execute(WorkflowInstance.self, id: w.instance, .approve(employee: w.mia.id, roles: [], comment: nil), as: w.mia)
        }

        // The reactor replaying the whole log (its checkpoint lost) records nothing again.
        let head = try await w.f.engine.store.headPosition()
        let directory = w.f.directory
        await w.f.closeEngine()
        try FileManager.default.removeItem(atPath: directory + "/reactor")
        let engine = try await CRMEngine.open(at: directory, configuration: .init(clock: w.f.clock, durability: .noSync))
        try await engine.reactionsSettled(upTo: head)
        try await engine.reactionsSettled(upTo: try await engine.store.headPosition())
        #expect(try await engine.store.headPosition() == head, "the replayed reactions wrote nothing new")
        #expect(try await engine.store.readStream(WorkflowInstance.stream(w.instance)).filter { $0.type == WorkflowClosedBySubject.eventType }.count == 1)
        await engine.close()
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test func aContractSentBackThroughItsWorkflowKeepsTheInstanceWithItsSubmitterButOneSentBackDirectlyClosesIt() async throws {
        let w = try await Self.world("workflow-sent-back")
        // Through the workflow: returned to the submitter, who may resubmit it — not closed.
        let sentBack = try await w.f.engine.execute(WorkflowInstance.self, id: w.instance, .sendBack(employee: w.mia.id, roles: [], reason: "check the term"), as: w.mia)
        try await Self.settled(w.f, after: sentBack.position)
        #expect(try await w.f.engine.state(Contract.self, id: w.contract, as: w.f.admin).state.status == .negotiating)
        #expect(try await w.f.engine.state(WorkflowInstance.self, id: w.instance, as: w.f.admin).state.status == .returnedToSubmitter)
        #expect(try await Self.pending(w.f, w.f.admin) == [w.instance])

        // Submitted again: a new instance; sent back directly, that one closes and leaves the inbox.
        let again = try await w.f.engine.execute(Contract.self, id: w.contract, .submitForApproval, as: w.f.admin)
        try await Self.settled(w.f, after: again.position)
        let second = ApprovalRouting.instanceID(for: .contract, recordID: w.contract, revision: try #require(again.events.last).streamVersion.rawValue)
        #expect(try await Self.pending(w.f, w.mia) == [second])
        let direct = try await w.f.engine.execute(Contract.self, id: w.contract, .sendBack(reason: "wrong customer"), as: w.mia)
        try await Self.settled(w.f, after: direct.position)
        let closed = try await w.f.engine.state(WorkflowInstance.self, id: second, as: w.f.admin).state
        #expect(closed.status == .closedBySubject)
        #expect(try await Self.pending(w.f, w.mia).isEmpty)
        await w.f.close()
    }

    @Test func aQuoteApprovedDirectlyClosesTheInstanceOfItsRevision() async throws {
        let f = try await EngineFixture.make("workflow-quote-closed")
        let dora = try await f.hire("Dora", branch: "head-office", permissions: DefaultApprovalRoutingTests.everything)
        for (role, limit) in [("Administrator", 5), ("role of Dora", 30)] {
            try await f.engine.execute(Settings.self, id: UUID(), .setDiscountLimit(DiscountLimit(role: role, maxPercent: Decimal(limit))), as: f.admin)
        }
        let customer = try await f.customer("Acme", branch: "head-office")
        try await f.meterProduct()
        var draft = ScopeTestsPart2.draft
        draft.discountPercent = 20
        let quote = UUID.derived("quote", "closed-directly")
        let created = try await f.engine.execute(Quote.self, id: quote, .create(
            quoteID: quote, customerID: customer, customerCode: "ACME", date: try EngineFixture.day("2026-01-02"), sequence: 1,
            draft: draft, authorRole: "Administrator", limits: []), as: f.admin)
        try await Self.settled(f, after: created.position)
        let instance = ApprovalRouting.instanceID(for: .quote, recordID: quote, revision: 1)
        #expect(try await Self.pending(f, dora) == [instance])
        let approved = try await f.engine.execute(Quote.self, id: quote, .approve(approverRole: "role of Dora", limits: []), as: dora)
        try await Self.settled(f, after: approved.position)
        #expect(try await f.engine.state(WorkflowInstance.self, id: instance, as: f.admin).state.status == .closedBySubject)
        #expect(try await Self.pending(f, dora).isEmpty)
        await f.close()
    }

    @Test func aPersonCannotCloseAnInstanceAsDecidedBySubject() async throws {
        let w = try await Self.world("workflow-close-by-person")
        let head = try await w.f.engine.store.headPosition()
        let refused = await #expect(throws: EngineError.self) {
            try await w.f.engine.execute(WorkflowInstance.self, id: w.instance, .closeBySubject(decision: .approved, decidedBy: w.mia.id), as: w.mia)
        }
        #expect(refused?.code == .forbidden)
        #expect(try await w.f.engine.store.headPosition() == head)
        await w.f.close()
    }

    // MARK: material requests

    @Test func aMaterialRequestsInboxRowNamesTheMaterialAndADirectApprovalClosesIt() async throws {
        let w = try await MaterialApprovalRoutingTests.world("workflow-material-named")
        let flyers = UUID.derived("material", "flyers")
        try await MaterialApprovalRoutingTests.request(w, flyers, quantity: 250)
        let row = try #require(try await w.f.engine.approvalInbox(as: w.mia, consistentWith: try await w.f.engine.store.headPosition()).pending.first)
        #expect(row.instance.material == ApprovalInbox.Material(id: flyers, name: "Flyers", unit: "piece", quantity: 250))
        #expect(row.instance.subjectID == w.campaign)

        let approved = try await w.f.engine.execute(Campaign.self, id: w.campaign, .advanceMaterial(id: flyers, stage: .approved, quantity: 100), as: w.mia)
        try await MaterialApprovalRoutingTests.settled(w.f, after: approved.position)
        let instance = ApprovalRouting.materialInstanceID(campaignID: w.campaign, materialID: flyers)
        #expect(try await w.f.engine.state(WorkflowInstance.self, id: instance, as: w.f.admin).state.status == .closedBySubject)
        #expect(try await Self.pending(w.f, w.mia).isEmpty)
        #expect(try await MaterialApprovalRoutingTests.material(w, flyers)?.approved == 100, "the direct decision stands")
        await w.f.close()
    }

    // MARK: feedback forms

    @Test func aFeedbackReviewNamingAnotherRecordsWorkflowClosesNothing() async throws {
        let w = try await Self.world("workflow-feedback-foreign-instance")
        let samPrincipal = try await w.f.hire("Sam", branch: "B", permissions: [
            Permission(module: .organisation, actions: Permission.Action.allCases, scope: .branch("B"))])
        let head = try await w.f.engine.store.headPosition()
        try await w.f.engine.reactionsSettled(upTo: head)
        let directory = w.f.directory
        await w.f.closeEngine()
        // Without a reactor, so the form is reviewed by hand before any workflow of its own starts: its review
        // names the contract's waiting instance as its workflow — written straight into the log, as a log from
        // before `startReview` checked the instance's subject may hold it (the engine refuses it now).
        let quiet = try await CRMEngine.open(at: directory, configuration: .init(clock: w.f.clock, durability: .noSync, reactions: []))
        let form = UUID.derived("feedback", "foreign-instance")
        let submitted = try await quiet.execute(FeedbackForm.self, id: form, .submit(
            id: form, template: ScopeTestsPart2.feedbackTemplate, submittedBy: "", reporter: samPrincipal.id, reviewer: w.mia.id, branch: "B",
            values: [FeedbackValue(field: "summary", value: .text("All good"))]), as: samPrincipal)
        let refused = await #expect(throws: EngineError.self) {
            try await quiet.execute(FeedbackForm.self, id: form, .startReview(workflowID: w.instance), as: w.mia)
        }
        #expect(refused?.code == .invalid && refused?.field == "workflowID")
        let legacy = try FeedbackEvent.reviewStarted(FeedbackFormReviewStarted(workflowID: w.instance, at: w.f.clock.now()))
            .eventData(id: UUID.derived("event", "foreign-review"), metadata: EventMetadata(actor: w.mia.id))
        try await quiet.store.append([legacy], to: FeedbackForm.stream(form), expectedVersion: .exact(submitted.version))
        try await quiet.execute(FeedbackForm.self, id: form, .markReviewed(workflowID: w.instance), as: w.mia)
        await quiet.close()

        let engine = try await CRMEngine.open(at: directory, configuration: .init(clock: w.f.clock, durability: .noSync))
        try await engine.reactionsSettled(upTo: try await engine.store.headPosition())
        try await engine.reactionsSettled(upTo: try await engine.store.headPosition())
        let instance = try await engine.state(WorkflowInstance.self, id: w.instance, as: w.mia).state
        #expect(instance.status == .running, "the contract's instance is not the form's to close")
        #expect(try await engine.store.readStream(WorkflowInstance.stream(w.instance)).allSatisfy { $0.type != WorkflowClosedBySubject.eventType })
        await engine.close()
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test func aFeedbackFormNamingItsSubmitterAsReviewerIsRefusedAndNothingIsWritten() async throws {
        let f = try await EngineFixture.make("workflow-feedback-self-review")
        let sam = try await f.hire("Sam", branch: "B", permissions: [Permission(module: .organisation, actions: Permission.Action.allCases, scope: .branch("B"))])
        let head = try await f.engine.store.headPosition()
        let form = UUID.derived("feedback", "self-review")
        let refused = await #expect(throws: EngineError.self) {
            try await f.engine.execute(FeedbackForm.self, id: form, .submit(
                id: form, template: ScopeTestsPart2.feedbackTemplate, submittedBy: "", reporter: sam.id, reviewer: sam.id, branch: "B",
                values: [FeedbackValue(field: "summary", value: .text("All good"))]), as: sam)
        }
        #expect(refused?.code == .rejected && refused?.domain?.code == .invalid && refused?.field == "reviewer", "\(String(describing: refused))")
        #expect(try await f.engine.store.headPosition() == head)
        // Naming another employee is fine.
        try await f.engine.execute(FeedbackForm.self, id: form, .submit(
            id: form, template: ScopeTestsPart2.feedbackTemplate, submittedBy: "", reporter: sam.id, reviewer: f.admin.id, branch: "B",
            values: [FeedbackValue(field: "summary", value: .text("All good"))]), as: sam)
        await f.close()
    }
}
