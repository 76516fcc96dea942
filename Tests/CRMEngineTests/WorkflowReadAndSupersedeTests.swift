import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import EventStoreLMDB
import Foundation
import Testing

/// Who reads a workflow instance (its subject's module too, unless they submitted it or may decide its step), the instance of an earlier request closed when its subject asks for approval again, and a
/// feedback form's review that names only a workflow instance about that form.
@Suite struct WorkflowReadAndSupersedeTests {
    // MARK: helpers

    /// Hires `name` of branch A holding a new role `role` with `permissions`, and the roles `also` already defined.
    static func hire(_ f: EngineFixture, _ name: String, role: String, _ permissions: [Permission], also: [String] = []) async throws -> Principal {
        let id = UUID.derived("employee", name)
        try await f.engine.execute(Organisation.self, id: id, .hire(NewEmployee(
            id: id, name: name, position: "staff", branch: "A", hiredOn: try EngineFixture.day("2024-01-01"))), as: f.admin)
        for (index, roleName) in ([role] + also).enumerated() {
            let roleID = UUID.derived("role", roleName)
            if index == 0 {
                try await f.engine.execute(Organisation.self, id: roleID, .defineRole(roleID: roleID, RoleDefinition(name: roleName, permissions: permissions),
                                                                                     grantor: .none), as: f.admin)
            }
            try await f.engine.execute(Organisation.self, id: roleID, .grantRole(grantID: UUID.derived("grant", name, roleName), employeeID: id, roleID: roleID,
                                                                                 validity: .always, grantor: .none), as: f.admin)
        }
        return try await f.engine.principal(employeeID: id)
    }

    static func head(_ engine: CRMEngine) async throws -> GlobalPosition { try await engine.store.headPosition() }

    static func inbox(_ f: EngineFixture, _ principal: Principal) async throws -> ApprovalInbox.Inbox {
        try await f.engine.approvalInbox(as: principal, consistentWith: try await head(f.engine))
    }

    /// The instance ids `principal` finds in both lists of instances (the log scan and the paged list).
    static func listed(_ f: EngineFixture, _ principal: Principal) async throws -> (scan: [UUID], paged: [UUID]) {
        let scan = try await f.engine.records(WorkflowInstance.self, as: principal).map(\.id)
        let paged = try await f.engine.records(WorkflowInstance.self, limit: 100, as: principal, consistentWith: try await head(f.engine)).map(\.id)
        return (scan, paged)
    }

    static func closing(_ engine: CRMEngine, _ instance: UUID) async throws -> (payload: WorkflowClosedBySubject, causation: UUID?)? {
        guard let event = try await engine.store.readStream(WorkflowInstance.stream(instance)).last(where: { $0.type == WorkflowClosedBySubject.eventType })
        else { return nil }
        let payload = try event.payload.withUnsafeBytes { try engine.registry.decode(event.type, schemaVersion: event.schemaVersion, from: $0) }
        return (try #require(payload as? WorkflowClosedBySubject), event.metadata.causationID)
    }

    /// Runs the reactor over the whole log again (its checkpoint lost): the replayed reactions must write
    /// nothing. Returns the reopened engine (the caller closes it and removes `f`'s directory).
    static func replayed(_ f: EngineFixture) async throws -> CRMEngine {
        let before = try await head(f.engine)
        await f.closeEngine()
        try FileManager.default.removeItem(atPath: f.directory + "/reactor")
        let engine = try await CRMEngine.open(at: f.directory, configuration: .init(clock: f.clock, durability: .noSync))
        try await engine.reactionsSettled(upTo: before)
        try await engine.reactionsSettled(upTo: try await head(engine))
        #expect(try await head(engine) == before, "the replayed reactions wrote nothing new")
        return engine
    }

    static func closedCount(_ engine: CRMEngine, _ instance: UUID) async throws -> Int {
        try await engine.store.readStream(WorkflowInstance.stream(instance)).filter { $0.type == WorkflowClosedBySubject.eventType }.count
    }

    /// A quote of `customer` at 20 % discount created by `author` in `role` (over its limit: it waits in a
    /// workflow instance), once the reactions settled; the quote's id derives from `tag`.
    static func waitingQuote(_ f: EngineFixture, _ customer: UUID, code: String, tag: String, by author: Principal,
                             role: String) async throws -> (quote: UUID, instance: UUID, position: GlobalPosition) {
        try await f.meterProduct()
        let quote = UUID.derived("quote", tag)
        let created = try await f.engine.execute(Quote.self, id: quote, .create(
            quoteID: quote, customerID: customer, customerCode: code, date: try EngineFixture.day("2026-01-02"), sequence: 1,
            draft: discounted(20), authorRole: role, limits: []), as: author)
        try await WorkflowSubjectTests.settled(f, after: created.position)
        return (quote, ApprovalRouting.instanceID(for: .quote, recordID: quote, revision: 1), created.position)
    }

    static func discounted(_ percent: Decimal) -> QuoteDraft {
        var draft = ScopeTestsPart2.draft
        draft.discountPercent = percent
        return draft
    }

    // MARK: reading an instance

    /// Sara (quotes: create only) submits a branch-A quote over her limit. Mona and Max hold `departmentManager`
    /// (the defaults' escalation party, whose limit covers the quote) with organisation query (Mona: and approve)
    /// over branch A; only Max may query quotes there, and neither may approve quotes (so neither decides its step).
    /// Dina may not query quotes but may approve them there, with a discount limit covering the quote, and approve
    /// in organisation there (she may decide its step).
    @Test func anInstanceIsReadOnlyWithItsSubjectsModuleUnlessTheReaderSubmittedItOrMayDecideIt() async throws {
        let f = try await EngineFixture.make("workflow-read-scope")
        let orgQueryA = Permission(module: .organisation, actions: [.query], scope: .branch("A"))
        let dora = try await f.hire("Dora", branch: "A", permissions: DefaultApprovalRoutingTests.everything)
        let sara = try await Self.hire(f, "Sara", role: "role of Sara", [Permission(module: .quotes, actions: [.create], scope: .branch("A")), orgQueryA])
        let dina = try await Self.hire(f, "Dina", role: "role of Dina", [Permission(module: .organisation, actions: [.query, .approve], scope: .branch("A")),
                                                                         Permission(module: .quotes, actions: [.approve], scope: .branch("A"))])
        let mona = try await Self.hire(f, "Mona", role: "departmentManager", [Permission(module: .organisation, actions: [.query, .approve], scope: .branch("A"))])
        let max = try await Self.hire(f, "Max", role: "role of Max", [Permission(module: .quotes, actions: [.query], scope: .branch("A"))],
                                      also: ["departmentManager"])
        for (role, limit) in [("role of Sara", 5), ("role of Dina", 30), ("role of Dora", 30)] {
            try await f.engine.execute(Settings.self, id: UUID(), .setDiscountLimit(DiscountLimit(role: role, maxPercent: Decimal(limit))), as: f.admin)
        }
        let customer = try await f.customer("Customer of A", branch: "A")
        let (quote, instance, createdAt) = try await Self.waitingQuote(f, customer, code: "RS", tag: "read-scope", by: sara, role: "role of Sara")
        #expect(try await f.engine.state(WorkflowInstance.self, id: instance, as: f.admin).state.status == .running)

        // Mona: organisation query over branch A, nothing in quotes — the instance is hidden as a record she
        // may not see is (the same error as for no record at all), and is in none of her lists or her inbox.
        let hidden = await #expect(throws: EngineError.self) { try await f.engine.state(WorkflowInstance.self, id: instance, as: mona) }
        let unknown = await #expect(throws: EngineError.self) {
            try await f.engine.state(WorkflowInstance.self, id: UUID.derived("workflow", "none"), as: mona)
        }
        #expect(hidden?.code == .notFound && hidden == unknown, "\(String(describing: hidden))")
        await #expect(throws: EngineError.self) { try await f.engine.state(WorkflowInstance.self, id: instance, asOf: .position(createdAt), as: mona) }
        let monaLists = try await Self.listed(f, mona)
        #expect(monaLists.scan.isEmpty && monaLists.paged.isEmpty)
        #expect(try await Self.inbox(f, mona).pending.isEmpty)
        // Nor does a command tell her it exists: deciding it is "not found" too, not "forbidden".
        let decided = await #expect(throws: EngineError.self) {
            try await f.engine.execute(WorkflowInstance.self, id: instance, .approve(employee: mona.id, roles: [], comment: nil), as: mona)
        }
        #expect(decided?.code == .notFound, "\(String(describing: decided))")

        // Max, with quotes query there too, reads it; so does Sara, who submitted it (without quotes query), and
        // Dina, whose discount limit lets her decide its step (it waits in her inbox).
        for reader in [max, sara, dina] {
            #expect(try await f.engine.state(WorkflowInstance.self, id: instance, as: reader).state.subjectID == quote, "\(reader.id)")
            let lists = try await Self.listed(f, reader)
            #expect(lists.scan == [instance] && lists.paged == [instance], "\(reader.id)")
        }
        #expect(try await Self.inbox(f, dina).pending.map(\.instance.instanceID) == [instance])

        // Late: escalated to `departmentManager` — but neither Max nor Mona could decide it (no approve in
        // quotes), so it is in neither one's escalated rows, and Mona still may not read it (reading, like the
        // inbox, follows who may decide the step).
        f.clock.advance(by: 49 * 3600)
        #expect(try await f.engine.runScheduledWork().stepsEscalated == 1)
        try await WorkflowSubjectTests.settled(f, after: try await f.engine.store.headPosition())
        #expect(try await Self.inbox(f, max).escalatedToMe.isEmpty)
        #expect(try await Self.inbox(f, mona).escalatedToMe.isEmpty)
        #expect(try await f.engine.state(WorkflowInstance.self, id: instance, as: max).state.currentStepEscalated)
        let stillHidden = await #expect(throws: EngineError.self) { try await f.engine.state(WorkflowInstance.self, id: instance, as: mona) }
        #expect(stillHidden?.code == .notFound)

        // It is not delegated to Mona: without approve in quotes she could not decide it as Dora does.
        let notDelegated = await #expect(throws: EngineError.self) {
            try await f.engine.execute(WorkflowInstance.self, id: instance, .delegate(employee: dora.id, roles: [], to: mona.id), as: dora)
        }
        #expect(notDelegated?.code == .invalid && notDelegated?.field == "to", "\(String(describing: notDelegated))")
        #expect(try await Self.inbox(f, mona).pending.isEmpty)
        await f.close()
    }

    // MARK: asked again

    @Test func aQuoteRevisedWhileItsInstanceWaitsClosesThatInstanceAndTheNewRevisionsStaysPendingAlsoAfterAReplay() async throws {
        let f = try await EngineFixture.make("workflow-superseded-quote")
        let dora = try await f.hire("Dora", branch: "head-office", permissions: DefaultApprovalRoutingTests.everything)
        for (role, limit) in [("Administrator", 5), ("role of Dora", 30)] {
            try await f.engine.execute(Settings.self, id: UUID(), .setDiscountLimit(DiscountLimit(role: role, maxPercent: Decimal(limit))), as: f.admin)
        }
        let customer = try await f.customer("Acme", branch: "head-office")
        let (quote, first, _) = try await Self.waitingQuote(f, customer, code: "ACME", tag: "superseded", by: f.admin, role: "Administrator")
        #expect(try await Self.inbox(f, dora).pending.map(\.instance.instanceID) == [first])

        // A new revision, over the limit too, while revision 1's instance waits.
        f.clock.advance(by: 60)
        let revised = try await f.engine.execute(Quote.self, id: quote, .revise(draft: Self.discounted(25), authorRole: "Administrator", limits: []), as: f.admin)
        try await WorkflowSubjectTests.settled(f, after: revised.position)
        let second = ApprovalRouting.instanceID(for: .quote, recordID: quote, revision: 2)
        #expect(try await f.engine.state(WorkflowInstance.self, id: first, as: f.admin).state.status == .closedBySubject)
        let closed = try #require(try await Self.closing(f.engine, first))
        #expect(closed.payload == WorkflowClosedBySubject(decision: .superseded, decidedBy: f.admin.id, at: f.clock.now()))
        #expect(closed.causation == revised.events.last?.id, "caused by the revision")
        #expect(try await f.engine.state(WorkflowInstance.self, id: second, as: f.admin).state.status == .running)
        #expect(try await Self.inbox(f, dora).pending.map(\.instance.instanceID) == [second])

        let engine = try await Self.replayed(f)
        #expect(try await Self.closedCount(engine, first) == 1)
        #expect(try await Self.closedCount(engine, second) == 0)
        #expect(try await engine.state(WorkflowInstance.self, id: second, as: f.admin).state.status == .running)
        await engine.close()
        try? FileManager.default.removeItem(atPath: f.directory)
    }

    @Test func aContractSentBackThroughItsWorkflowAndSubmittedAgainDirectlyClosesTheReturnedInstanceAlsoAfterAReplay() async throws {
        let w = try await WorkflowSubjectTests.world("workflow-superseded-contract")
        let sentBack = try await w.f.engine.execute(WorkflowInstance.self, id: w.instance, .sendBack(employee: w.mia.id, roles: [], reason: "check the term"), as: w.mia)
        try await WorkflowSubjectTests.settled(w.f, after: sentBack.position)
        #expect(try await w.f.engine.state(WorkflowInstance.self, id: w.instance, as: w.f.admin).state.status == .returnedToSubmitter)
        #expect(try await Self.inbox(w.f, w.f.admin).pending.map(\.instance.instanceID) == [w.instance])

        // Submitted again on the contract itself, not through the instance's `resubmit`.
        let again = try await w.f.engine.execute(Contract.self, id: w.contract, .submitForApproval, as: w.f.admin)
        try await WorkflowSubjectTests.settled(w.f, after: again.position)
        let second = ApprovalRouting.instanceID(for: .contract, recordID: w.contract, revision: try #require(again.events.last).streamVersion.rawValue)
        #expect(try await w.f.engine.state(WorkflowInstance.self, id: w.instance, as: w.f.admin).state.status == .closedBySubject)
        let closed = try #require(try await Self.closing(w.f.engine, w.instance))
        #expect(closed.payload == WorkflowClosedBySubject(decision: .superseded, decidedBy: w.f.admin.id, at: w.f.clock.now()))
        #expect(closed.causation == again.events.last?.id)
        // The returned instance left the submitter's inbox, and the new one is not theirs to decide (they submitted it).
        #expect(try await Self.inbox(w.f, w.f.admin).pending.isEmpty)
        #expect(try await Self.inbox(w.f, w.mia).pending.map(\.instance.instanceID) == [second])
        #expect(try await w.f.engine.state(WorkflowInstance.self, id: second, as: w.f.admin).state.status == .running)

        let engine = try await Self.replayed(w.f)
        #expect(try await Self.closedCount(engine, w.instance) == 1)
        #expect(try await engine.state(WorkflowInstance.self, id: second, as: w.f.admin).state.status == .running)
        await engine.close()
        try? FileManager.default.removeItem(atPath: w.f.directory)
    }

    // MARK: a feedback form's review

    @Test func aFeedbackFormsReviewNamesOnlyAnInstanceAboutThatFormAndAnAmendmentClosesTheReturnedOne() async throws {
        let w = try await WorkflowSubjectTests.world("workflow-feedback-review-id")
        let sam = try await w.f.hire("Sam", branch: "B", permissions: [Permission(module: .organisation, actions: Permission.Action.allCases, scope: .branch("B"))])
        let values = [FeedbackValue(field: "summary", value: .text("All good"))]
        func submit(_ engine: CRMEngine, _ form: UUID) async throws -> CRMEngine.CommandResult {
            try await engine.execute(FeedbackForm.self, id: form, .submit(
                id: form, template: ScopeTestsPart2.feedbackTemplate, submittedBy: "", reporter: sam.id, reviewer: w.mia.id, branch: "B", values: values), as: sam)
        }
        try await w.f.engine.reactionsSettled(upTo: try await Self.head(w.f.engine))
        await w.f.closeEngine()

        // Without a reactor, the reviewer starts the review by hand.
        let quiet = try await CRMEngine.open(at: w.f.directory, configuration: .init(clock: w.f.clock, durability: .noSync, reactions: []))
        let form = UUID.derived("feedback", "review-id")
        _ = try await submit(quiet, form)
        let head = try await Self.head(quiet)
        for (workflow, principal) in [(UUID.derived("workflow", "made-up"), w.mia), (w.instance, w.mia), (w.instance, Principal.system)] {
            let refused = await #expect(throws: EngineError.self) {
                try await quiet.execute(FeedbackForm.self, id: form, .startReview(workflowID: workflow), as: principal)
            }
            #expect(refused?.code == .invalid && refused?.field == "workflowID", "\(String(describing: refused))")
        }
        #expect(try await Self.head(quiet) == head, "nothing written")
        // An instance about this form, started by hand, is accepted.
        let definition = try #require(try await quiet.state(WorkflowDefinition.self, id: WorkflowDefinition.defaultID(for: .feedbackForm), as: w.mia).state.current)
        let own = UUID.derived("workflow", "own-review")
        try await quiet.execute(WorkflowInstance.self, id: own, .start(id: own, subjectKind: .feedbackForm, subjectID: form, submitter: "", definition: definition), as: w.mia)
        try await quiet.execute(FeedbackForm.self, id: form, .startReview(workflowID: own), as: w.mia)
        let reviewing = try await quiet.state(FeedbackForm.self, id: form, as: w.mia).state
        #expect(reviewing.status == .inReview && reviewing.workflowID == own)
        await quiet.close()

        // With the reactor: the instance it starts for a form is the form's review.
        let engine = try await CRMEngine.open(at: w.f.directory, configuration: .init(clock: w.f.clock, durability: .noSync))
        defer { try? FileManager.default.removeItem(atPath: w.f.directory) }
        func settle() async throws {
            try await engine.reactionsSettled(upTo: try await Self.head(engine))
            try await engine.reactionsSettled(upTo: try await Self.head(engine))
        }
        try await settle()
        let second = UUID.derived("feedback", "review-id-2")
        let submitted = try await submit(engine, second)
        try await settle()
        let first = ApprovalRouting.instanceID(for: .feedbackForm, recordID: second, revision: submitted.version.rawValue)
        var state = try await engine.state(FeedbackForm.self, id: second, as: w.mia).state
        #expect(state.status == .inReview && state.workflowID == first, "\(state.status)")
        try await engine.execute(FeedbackForm.self, id: second, .startReview(workflowID: first), as: w.mia)  // the same review: nothing new

        // Returned through that workflow, then amended: the returned instance is closed, a new one reviews it.
        try await engine.execute(WorkflowInstance.self, id: first, .sendBack(employee: w.mia.id, roles: [], reason: "more detail"), as: w.mia)
        try await settle()
        #expect(try await engine.state(FeedbackForm.self, id: second, as: sam).state.status == .returned)
        let amended = try await engine.execute(FeedbackForm.self, id: second, .amend(employee: "", values: [FeedbackValue(field: "summary", value: .text("Twelve visits"))]), as: sam)
        try await settle()
        let next = ApprovalRouting.instanceID(for: .feedbackForm, recordID: second, revision: amended.version.rawValue)
        #expect(try await engine.state(WorkflowInstance.self, id: first, as: w.mia).state.status == .closedBySubject)
        #expect(try await Self.closing(engine, first)?.payload.decision == .superseded)
        #expect(try await engine.state(WorkflowInstance.self, id: next, as: w.mia).state.status == .running)
        state = try await engine.state(FeedbackForm.self, id: second, as: w.mia).state
        #expect(state.status == .inReview && state.workflowID == next)
        await engine.close()
    }
}
