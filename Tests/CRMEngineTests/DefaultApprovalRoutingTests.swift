import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import Foundation
import Testing

/// With only the approval workflows bootstrap defines (symbolic approver roles), approvals reach the
/// employees who may decide them.
@Suite struct DefaultApprovalRoutingTests {
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
