import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import Foundation
import Testing

/// With only the approval workflows bootstrap defines (symbolic approver roles), approvals reach the
/// employees who may decide them.
@Suite struct DefaultApprovalRoutingTests {
    /// The generated history decides its quotes' approvals directly, and records the default definitions
    /// first: the reactor catching up over it starts a workflow only for a quote still waiting at its end.
    @Test func aReactorCatchingUpStartsNoWorkflowForAnApprovalAlreadyDecided() async throws {
        let f = try await EngineFixture.generatedBeforeOpening("routing-catch-up", events: 4_000, seed: 5)
        let head = try await f.engine.store.headPosition()
        try await f.engine.reactionsSettled(upTo: head)
        var decided = 0
        var started: [UUID] = []
        var next = GlobalPosition.start.next
        while true {
            let batch = try await f.engine.store.readAll(from: next, direction: .forward, limit: 4096)
            for event in batch {
                let payload = try event.payload.withUnsafeBytes { try f.engine.registry.decode(event.type, schemaVersion: event.schemaVersion, from: $0) }
                if let approved = payload as? QuoteApproved, approved.revision >= 1 { decided += 1 }
                if let start = payload as? WorkflowStarted, start.subjectKind == .quote { started.append(start.subjectID) }
            }
            guard let last = batch.last, batch.count == 4096 else { break }
            next = last.position.next
        }
        #expect(decided > 0, "the history decides some approvals itself")
        let quoteDefinition = try await f.engine.state(WorkflowDefinition.self, id: WorkflowDefinition.defaultID(for: .quote), as: f.admin)
        #expect(quoteDefinition.state.current != nil, "the generated history defines the default workflows")
        for quote in started {
            #expect(try await f.engine.state(Quote.self, id: quote, as: f.admin).state.status == .pendingApproval, "\(quote)")
        }
        await f.close()
    }

    static let everything = Permission.Module.allCases.map { Permission(module: $0, actions: Permission.Action.allCases, scope: .all) }

    @Test func aQuoteOverItsAuthorsLimitWaitsInTheInboxOfAnEmployeeWhoseLimitCoversIt() async throws {
        let f = try await EngineFixture.make("default-quote-approval")
        let dora = try await f.hire("Dora", branch: "head-office", permissions: Self.everything)
        let carl = try await f.hire("Carl", branch: "head-office", permissions: Self.everything)
        for (role, limit) in [("Administrator", 5), ("role of Dora", 30), ("role of Carl", 10)] {
            try await f.engine.execute(Settings.self, id: UUID(), .setDiscountLimit(DiscountLimit(role: role, maxPercent: Decimal(limit))), as: f.admin)
        }
        let customer = try await f.customer("Acme", branch: "head-office")
        try await f.meterProduct()
        var draft = ScopeTestsPart2.draft
        draft.discountPercent = 20
        let quoteID = UUID.derived("quote", "default-routing")
        let created = try await f.engine.execute(Quote.self, id: quoteID, .create(
            quoteID: quoteID, customerID: customer, customerCode: "ACME", date: try EngineFixture.day("2026-01-02"), sequence: 1,
            draft: draft, authorRole: "Administrator", limits: []), as: f.admin)
        try await f.engine.reactionsSettled(upTo: created.position)
        let head = try await f.engine.store.headPosition()

        let inbox = try await f.engine.approvalInbox(as: dora, consistentWith: head)
        #expect(inbox.pending.map(\.instance.subjectID) == [quoteID])
        // Neither the author (5 %) nor an employee whose limit (10 %) does not cover 20 % is asked.
        #expect(try await f.engine.approvalInbox(as: f.admin, consistentWith: head).pending.isEmpty)
        #expect(try await f.engine.approvalInbox(as: carl, consistentWith: head).pending.isEmpty)

        let instance = try #require(inbox.pending.first?.instance.instanceID)
        let approved = try await f.engine.execute(WorkflowInstance.self, id: instance, .approve(employee: dora.id, roles: [], comment: "fine"), as: dora)
        try await f.engine.reactionsSettled(upTo: approved.position)
        #expect(try await f.engine.state(Quote.self, id: quoteID, as: f.admin).state.status == .approved)
        #expect(try await f.engine.approvalInbox(as: dora, consistentWith: try await f.engine.store.headPosition()).pending.isEmpty)
        await f.close()
    }
}
