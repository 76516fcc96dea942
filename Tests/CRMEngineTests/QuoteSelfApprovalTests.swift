import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// No one decides their own request, by the quote's direct route either: the author of a quote's current
/// revision who also holds an approving role may neither approve it nor send it back (`forbidden`, nothing
/// written); another approver may, and the workflow's outcome still reaches the quote.
@Suite struct QuoteSelfApprovalTests {
    typealias Guards = WorkflowDecisionGuardsTests

    @Test func theAuthorOfAQuoteRevisionMayNeitherApproveNorSendItBackDirectly() async throws {
        let f = try await Guards.fixture("quote-self-approval")
        // Nina writes quotes as `salesOwn` (10 %) and approves as `northManager` (20 %, approve in quotes over north).
        let nina = try await Guards.employee(f, "Nina", ["salesOwn", "northManager"])
        let (quote, instance) = try await Guards.waitingQuote(f, by: nina, percent: 15)
        let head = try await Guards.head(f)
        for command in [Quote.Command.approve(approverRole: "northManager", limits: []), .sendBack(reason: "mine")] {
            let refused = await #expect(throws: EngineError.self) { try await f.engine.execute(Quote.self, id: quote, command, as: nina) }
            #expect(refused?.code == .forbidden && refused?.field == "employee", "\(String(describing: refused))")
            let dry = await #expect(throws: EngineError.self) { try await f.engine.dryRun(Quote.self, id: quote, command, as: nina) }
            #expect(dry?.code == .forbidden, "\(String(describing: dry))")
        }
        #expect(try await Guards.head(f) == head, "nothing written")
        #expect(try await f.engine.state(Quote.self, id: quote, as: f.admin).state.status == .pendingApproval)

        // Another manager approves it directly, as before.
        let olga = try await Guards.employee(f, "Olga", ["northManager"])
        let approved = try await f.engine.execute(Quote.self, id: quote, .approve(approverRole: "northManager", limits: []), as: olga)
        #expect(approved.events.first?.metadata.actor == olga.id)
        try await WorkflowSubjectTests.settled(f, after: approved.position)
        #expect(try await f.engine.state(WorkflowInstance.self, id: instance, as: f.admin).state.status == .closedBySubject)
        await f.close()
    }

    @Test func theWorkflowsOutcomeStillReachesTheQuoteAsItsApprover() async throws {
        let f = try await Guards.fixture("quote-self-approval-routing")
        let sam = try await Guards.employee(f, "Sam", ["salesOwn"])
        let olga = try await Guards.employee(f, "Olga", ["northManager"])
        let (quote, instance) = try await Guards.waitingQuote(f, by: sam, percent: 15)
        let approved = try await f.engine.execute(WorkflowInstance.self, id: instance, .approve(employee: "", roles: [], comment: nil), as: olga)
        try await WorkflowSubjectTests.settled(f, after: approved.position)
        let state = try await f.engine.state(Quote.self, id: quote, as: f.admin).state
        #expect(state.status == .approved && state.approval?.approver == olga.id)
        await f.close()
    }
}
