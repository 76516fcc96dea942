import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import EventStoreLMDB
import Foundation
import Testing

/// Approvals asked while their kind had no workflow definition (a store from before bootstrap defined the
/// defaults, or one whose definitions came later) reach an inbox once the definition is recorded.
@Suite struct ApprovalBackfillTests {
    /// A store whose history has two quotes over their author's limit — one still waiting, one approved
    /// directly — and no workflow definitions at all: the log of a bootstrapped engine copied without the
    /// workflow streams. Returns the fixture over the copy and the two quotes' ids.
    static func storeWithoutWorkflows(_ label: String) async throws -> (EngineFixture, dora: Principal, waiting: UUID, decided: UUID) {
        let source = try await EngineFixture.make(label + "-source")
        let dora = try await source.hire("Dora", branch: "head-office", permissions: DefaultApprovalRoutingTests.everything)
        for (role, limit) in [("Administrator", 5), ("role of Dora", 30)] {
            try await source.engine.execute(Settings.self, id: UUID(), .setDiscountLimit(DiscountLimit(role: role, maxPercent: Decimal(limit))), as: source.admin)
        }
        let customer = try await source.customer("Acme", branch: "head-office")
        try await source.meterProduct()
        var draft = ScopeTestsPart2.draft
        draft.discountPercent = 20
        var quotes: [UUID] = []
        for sequence in 1...2 {
            let id = UUID.derived("quote", "backfill-\(sequence)")
            try await source.engine.execute(Quote.self, id: id, .create(
                quoteID: id, customerID: customer, customerCode: "ACME", date: try EngineFixture.day("2026-01-02"), sequence: sequence,
                draft: draft, authorRole: "Administrator", limits: []), as: source.admin)
            quotes.append(id)
        }
        try await source.engine.execute(Quote.self, id: quotes[1], .approve(approverRole: "role of Dora", limits: []), as: dora)
        try await source.engine.execute(Quote.self, id: quotes[1], .accept, as: source.admin)
        // A contract from the approved quote, submitted for approval and sent back (directly) before any definition.
        let contract = UUID.derived("contract", "backfill")
        try await source.engine.execute(Contract.self, id: contract, .draft(
            id: contract, customerID: customer, owner: source.admin.id, branch: nil, title: "Supply", quoteID: quotes[1], quoteNumber: "",
            lines: ScopeTestsPart2.lines, terms: Contract.Terms(effective: try EngineFixture.day("2026-02-01"), serviceStart: try EngineFixture.day("2026-02-01"),
                                                                expiry: try EngineFixture.day("2027-01-31"))), as: source.admin)
        try await source.engine.execute(Contract.self, id: contract, .submitForApproval, as: source.admin)
        try await source.engine.execute(Contract.self, id: contract, .sendBack(reason: "check the term"), as: .system)  // its submitter may not approve it
        try await source.engine.reactionsSettled(upTo: try await source.engine.store.headPosition())

        // The copy: every event but those of workflow definitions and instances, in log order.
        let directory = try await EngineFixture.logWithoutWorkflows(of: source.engine, label)
        await source.close()

        let clock = ManualClock(Date(timeIntervalSince1970: 1_767_225_600))
        let engine = try await CRMEngine.open(at: directory, configuration: .init(clock: clock, durability: .noSync))
        let admin = try await engine.principal(employeeID: UUID.derived("employee", "admin"))
        let token = try await engine.issueToken(for: UUID.derived("employee", "admin"), name: "tests", as: admin)
        let fixture = EngineFixture(directory: directory, clock: clock, engine: engine, admin: admin, adminToken: token)
        return (fixture, try await engine.principal(employeeID: UUID.derived("employee", "Dora")), quotes[0], quotes[1])
    }

    @Test func aQuoteWaitingBeforeAnyDefinitionReachesTheInboxOnceTheDefaultQuoteWorkflowIsDefined() async throws {
        let (f, dora, waiting, decided) = try await Self.storeWithoutWorkflows("backfill")
        try await f.engine.reactionsSettled(upTo: try await f.engine.store.headPosition())
        #expect(try await f.engine.state(Quote.self, id: waiting, as: f.admin).state.status == .pendingApproval)
        #expect(try await f.engine.approvalInbox(as: dora, consistentWith: try await f.engine.store.headPosition()).pending.isEmpty,
                "no definition, no workflow: the quote waits in nobody's inbox")

        let definition = WorkflowDefinition.defaultQuoteApproval()
        let defined = try await f.engine.execute(WorkflowDefinition.self, id: definition.definitionID, WorkflowDefinition.defineCommand(definition), as: f.admin)
        try await f.engine.reactionsSettled(upTo: defined.position)
        let head = try await f.engine.store.headPosition()
        let inbox = try await f.engine.approvalInbox(as: dora, consistentWith: head)
        #expect(inbox.pending.map(\.instance.subjectID) == [waiting], "the waiting quote only; the approved one starts nothing")
        #expect(!inbox.pending.map(\.instance.subjectID).contains(decided))

        // The workflow decides the quote as the routing reaction's would.
        let instance = try #require(inbox.pending.first?.instance.instanceID)
        let approved = try await f.engine.execute(WorkflowInstance.self, id: instance, .approve(employee: dora.id, roles: [], comment: nil), as: dora)
        try await f.engine.reactionsSettled(upTo: approved.position)
        #expect(try await f.engine.state(Quote.self, id: waiting, as: f.admin).state.status == .approved)
        await f.close()
    }

    @Test func aQuoteAskedAfterTheDefinitionStartsOneWorkflowAndAReactorReplayingTheLogStartsNoSecond() async throws {
        let (f, _, waiting, _) = try await Self.storeWithoutWorkflows("backfill-once")
        let definition = WorkflowDefinition.defaultQuoteApproval()
        try await f.engine.execute(WorkflowDefinition.self, id: definition.definitionID, WorkflowDefinition.defineCommand(definition), as: f.admin)
        var draft = ScopeTestsPart2.draft
        draft.discountPercent = 20
        let later = UUID.derived("quote", "backfill-later")
        let created = try await f.engine.execute(Quote.self, id: later, .create(
            quoteID: later, customerID: UUID.derived("customer", "Acme"), customerCode: "ACME", date: try EngineFixture.day("2026-01-03"),
            sequence: 3, draft: draft, authorRole: "Administrator", limits: []), as: f.admin)
        try await f.engine.reactionsSettled(upTo: created.position)
        let directory = f.directory
        await f.closeEngine()

        // Reopened without the reactor's checkpoint: it reacts to the whole log again, the definition
        // included, and starts nothing twice (each start's idempotency key is in the log).
        try FileManager.default.removeItem(atPath: directory + "/reactor")
        let engine = try await CRMEngine.open(at: directory, configuration: .init(clock: f.clock, durability: .noSync))
        try await engine.reactionsSettled(upTo: try await engine.store.headPosition())
        let doraAgain = try await engine.principal(employeeID: UUID.derived("employee", "Dora"))
        let pending = try await engine.approvalInbox(as: doraAgain, consistentWith: try await engine.store.headPosition()).pending
        let subjects = Set(pending.map(\.instance.subjectID))
        #expect(subjects == [waiting, later])
        #expect(pending.count == 2)
        var started = 0
        for event in try await engine.store.readAll(from: GlobalPosition.start.next, direction: .forward, limit: 100_000) where event.type == WorkflowStarted.eventType {
            started += 1
        }
        #expect(started == 2)
        await engine.close()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

extension ApprovalBackfillTests {
    /// A contract submitted and sent back before its kind had a definition, then submitted again after it:
    /// a reactor replaying the whole log (its checkpoint lost) starts one workflow, for the second submission
    /// — neither the backfill nor the routing of the first submission starts another.
    @Test func aRecordAskingAgainAfterTheDefinitionGetsOneWorkflowWhenTheLogIsReplayed() async throws {
        let (f, _, _, _) = try await Self.storeWithoutWorkflows("backfill-again")
        let contract = UUID.derived("contract", "backfill")
        let definition = WorkflowDefinition.defaultContractApproval()
        try await f.engine.execute(WorkflowDefinition.self, id: definition.definitionID, WorkflowDefinition.defineCommand(definition), as: f.admin)
        let again = try await f.engine.execute(Contract.self, id: contract, .submitForApproval, as: f.admin)
        try await f.engine.reactionsSettled(upTo: again.position)
        let directory = f.directory
        await f.closeEngine()
        try FileManager.default.removeItem(atPath: directory + "/reactor")
        let engine = try await CRMEngine.open(at: directory, configuration: .init(clock: f.clock, durability: .noSync))
        try await engine.reactionsSettled(upTo: try await engine.store.headPosition())
        var starts: [UUID] = []
        for event in try await engine.store.readAll(from: GlobalPosition.start.next, direction: .forward, limit: 100_000) where event.type == WorkflowStarted.eventType {
            let started = try event.payload.withUnsafeBytes { try engine.registry.decode(event.type, schemaVersion: event.schemaVersion, from: $0) }
            if let started = started as? WorkflowStarted, started.subjectKind == .contract { starts.append(started.instanceID) }
        }
        let lastSubmission = try #require(try await engine.store.readStream(Contract.stream(contract)).last { $0.type == ContractSubmittedForApproval.eventType })
        #expect(starts == [ApprovalRouting.instanceID(for: .contract, recordID: contract, revision: lastSubmission.streamVersion.rawValue)], "\(starts)")
        await engine.close()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// Feedback forms are reviewed through the default feedback review workflow (R-ORG-3, R-ORG-5): the
/// reviewer the form names decides it from their inbox; a return, an amendment and a second review follow.
@Suite struct FeedbackReviewRoutingTests {
    static let template = FeedbackTemplate(name: "Weekly report", department: "service", fields: [FeedbackField(name: "summary", type: .text)])

    static func routedReview(_ f: EngineFixture, form: UUID, after position: GlobalPosition) async throws -> FeedbackForm.State {
        try await f.engine.reactionsSettled(upTo: position)
        try await f.engine.reactionsSettled(upTo: try await f.engine.store.headPosition())
        return try await f.engine.state(FeedbackForm.self, id: form, as: f.admin).state
    }

    @Test func aSubmittedFormWaitsInItsReviewersInboxOnlyAndTheirDecisionsReachTheForm() async throws {
        let f = try await EngineFixture.make("feedback-routing")
        let rita = try await f.hire("Rita", branch: "B", permissions: DefaultApprovalRoutingTests.everything)
        let sam = try await f.hire("Sam", branch: "B", permissions: DefaultApprovalRoutingTests.everything)
        let form = UUID.derived("feedback", "routing")
        let submitted = try await f.engine.execute(FeedbackForm.self, id: form, .submit(
            id: form, template: Self.template, submittedBy: sam.id, reporter: sam.id, reviewer: rita.id, branch: "B",
            values: [FeedbackValue(field: "summary", value: .text("Twelve visits"))]), as: sam)
        var state = try await Self.routedReview(f, form: form, after: submitted.position)
        #expect(state.status == .inReview)
        let first = try #require(state.workflowID)

        let head = try await f.engine.store.headPosition()
        let inbox = try await f.engine.approvalInbox(as: rita, consistentWith: head).pending
        #expect(inbox.map(\.instance.instanceID) == [first] && inbox.first?.instance.subjectKind == .feedbackForm)
        #expect(try await f.engine.approvalInbox(as: sam, consistentWith: head).pending.isEmpty, "not the reviewer: Sam holds every right but is not named")
        await #expect(throws: EngineError.self) {
            try await f.engine.execute(WorkflowInstance.self, id: first, .approve(employee: sam.id, roles: [], comment: nil), as: sam)
        }
        // Nor by hand on the form: the submitter holding every right is not its reviewer.
        let byHand = await #expect(throws: EngineError.self) {
            try await f.engine.execute(FeedbackForm.self, id: form, .markReviewed(workflowID: first), as: sam)
        }
        #expect(byHand?.code == .forbidden)

        // Returned by the reviewer, amended by the submitter: a second review starts by itself.
        let returned = try await f.engine.execute(WorkflowInstance.self, id: first, .sendBack(employee: rita.id, roles: [], reason: "count the calls too"), as: rita)
        state = try await Self.routedReview(f, form: form, after: returned.position)
        #expect(state.status == .returned && state.returnReason == "count the calls too")
        let amended = try await f.engine.execute(FeedbackForm.self, id: form, .amend(employee: sam.id, values: [FeedbackValue(field: "summary", value: .text("Twelve visits, 30 calls"))]), as: sam)
        state = try await Self.routedReview(f, form: form, after: amended.position)
        let second = try #require(state.workflowID)
        #expect(state.status == .inReview && second != first)

        let approved = try await f.engine.execute(WorkflowInstance.self, id: second, .approve(employee: rita.id, roles: [], comment: "thanks"), as: rita)
        state = try await Self.routedReview(f, form: form, after: approved.position)
        #expect(state.status == .reviewed && state.workflowID == second)
        let history = try await f.engine.store.readStream(FeedbackForm.stream(form))
        #expect(history.last?.type == FeedbackFormReviewed.eventType && history.last?.metadata.actor == rita.id, "recorded as the reviewer's decision")
        #expect(try await f.engine.approvalInbox(as: rita, consistentWith: try await f.engine.store.headPosition()).pending.isEmpty)
        await f.close()
    }
}
