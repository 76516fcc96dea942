import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// Who decides an approval step, judged in one place (``CRMEngine``'s step decider rule): the inbox lists only
/// the steps its reader could decide, no one decides their own request, a delegate decides as the delegator
/// could; and a submitter withdraws their own request without rights in organisation.
@Suite struct ApprovalReview5Tests {
    typealias Guards = WorkflowDecisionGuardsTests

    /// Quinn may approve quotes everywhere with a limit covering the quote (so she holds the symbolic approver
    /// role) but may only query in organisation: her approval is refused, so the step is not in her inbox.
    /// Dana, who may approve in organisation too, finds it there.
    @Test func theInboxListsOnlyStepsTheReaderCouldDecide() async throws {
        let f = try await Guards.fixture("review5-inbox-decidable")
        let sam = try await Guards.employee(f, "Sam", ["salesOwn"])
        let quinn = try await Guards.employee(f, "Quinn", ["quoteApprover", "agent"])
        let dana = try await Guards.employee(f, "Dana", ["departmentManager", "quoteApprover"])
        try await Guards.setLimit(f, "agent", 35)
        let (_, instance) = try await Guards.waitingQuote(f, by: sam, percent: 30)

        let head = try await Guards.head(f)
        let refused = await #expect(throws: EngineError.self) {
            try await f.engine.execute(WorkflowInstance.self, id: instance, .approve(employee: "", roles: [], comment: nil), as: quinn)
        }
        #expect(refused?.code == .forbidden, "\(String(describing: refused))")
        #expect(try await Guards.head(f) == head, "nothing written")
        #expect(try await WorkflowSubjectTests.pending(f, quinn).isEmpty, "not hers to decide")
        #expect(try await WorkflowSubjectTests.pending(f, dana) == [instance])
        await f.close()
    }

    /// The administrator (every right) submitted the contract: they may not decide its step — refused
    /// `forbidden` on `employee`, nothing written, not in their inbox — while Anna, branch A's approver, does.
    @Test func theSubmitterMayNotDecideTheirOwnRequest() async throws {
        let w = try await WorkflowSubjectTests.world("review5-self-approval")
        #expect(try await w.f.engine.state(WorkflowInstance.self, id: w.instance, as: w.f.admin).state.submitter == w.f.admin.id)
        #expect(try await WorkflowSubjectTests.pending(w.f, w.f.admin).isEmpty, "not in the submitter's inbox")

        let head = try await w.f.engine.store.headPosition()
        let decisions: [(String, WorkflowInstance.Command)] = [
            ("approve", .approve(employee: "", roles: [], comment: nil)),
            ("send back", .sendBack(employee: "", roles: [], reason: "check")),
            ("reject", .reject(employee: "", roles: [], reason: "no")),
            ("delegate", .delegate(employee: "", roles: [], to: w.anna.id)),
        ]
        for (label, decision) in decisions {
            let refused = await #expect(throws: EngineError.self, "\(label)") {
                try await w.f.engine.execute(WorkflowInstance.self, id: w.instance, decision, as: w.f.admin)
            }
            #expect(refused?.code == .forbidden && refused?.field == "employee", "\(label): \(String(describing: refused))")
        }
        #expect(try await w.f.engine.store.headPosition() == head, "nothing written")

        #expect(try await WorkflowSubjectTests.pending(w.f, w.anna) == [w.instance])
        let approved = try await w.f.engine.execute(WorkflowInstance.self, id: w.instance, .approve(employee: "", roles: [], comment: nil), as: w.anna)
        try await WorkflowSubjectTests.settled(w.f, after: approved.position)
        #expect(try await w.f.engine.state(Contract.self, id: w.contract, as: w.f.admin).state.approvedBy == w.anna.id)
        await w.f.close()
    }

    /// Mona decides a 15 % quote. Otto approves in organisation over north with a limit covering it, but holds
    /// no right in quotes: he could not decide the step in its role, so it is not delegated to him (`invalid`,
    /// `to`, nothing written). Olga, who may also approve quotes, takes it and approves it.
    @Test func aStepIsNotDelegatedToSomeoneWithoutTheRightsTheDelegatorDecidesItWith() async throws {
        let f = try await Guards.fixture("review5-delegate-rights")
        let sam = try await Guards.employee(f, "Sam", ["salesOwn"])
        let mona = try await Guards.employee(f, "Mona", ["northManager"])
        let otto = try await Guards.employee(f, "Otto", ["orgApprover"])
        let olga = try await Guards.employee(f, "Olga", ["orgApprover", "quoteApprover"])
        try await Guards.setLimit(f, "orgApprover", 20)
        let (quote, instance) = try await Guards.waitingQuote(f, by: sam, percent: 15)

        let head = try await Guards.head(f)
        let refused = await #expect(throws: EngineError.self) {
            try await f.engine.execute(WorkflowInstance.self, id: instance, .delegate(employee: "", roles: [], to: otto.id), as: mona)
        }
        #expect(refused?.code == .invalid && refused?.field == "to", "\(String(describing: refused))")
        #expect(try await Guards.head(f) == head, "nothing written")

        let delegated = try await f.engine.execute(WorkflowInstance.self, id: instance, .delegate(employee: "", roles: [], to: olga.id), as: mona)
        try await WorkflowSubjectTests.settled(f, after: delegated.position)
        let approved = try await f.engine.execute(WorkflowInstance.self, id: instance, .approve(employee: "", roles: [], comment: nil), as: olga)
        try await WorkflowSubjectTests.settled(f, after: approved.position)
        #expect(try await f.engine.state(Quote.self, id: quote, as: f.admin).state.approval?.approver == olga.id)
        await f.close()
    }

    /// Sam (rights in quotes only, none in organisation) withdraws his own waiting request: it is cancelled as
    /// his. Mona, with every right in organisation over north, may not withdraw another's request.
    @Test func aSubmitterWithdrawsTheirOwnRequestWithoutRightsInOrganisation() async throws {
        let f = try await Guards.fixture("review5-withdraw")
        let sam = try await Guards.employee(f, "Sam", ["salesOwn"])
        let mona = try await Guards.employee(f, "Mona", ["northManager"])
        let (_, instance) = try await Guards.waitingQuote(f, by: sam, percent: 30)

        let head = try await Guards.head(f)
        let refused = await #expect(throws: EngineError.self) {
            try await f.engine.execute(WorkflowInstance.self, id: instance, .cancel(employee: mona.id, reason: "not mine"), as: mona)
        }
        #expect(refused?.code == .rejected && refused?.domain?.code == .forbidden, "\(String(describing: refused))")
        #expect(try await Guards.head(f) == head, "nothing written")

        let withdrawn = try await f.engine.execute(WorkflowInstance.self, id: instance, .cancel(employee: sam.id, reason: "asked by mistake"), as: sam)
        #expect(withdrawn.events.first?.metadata.actor == sam.id)
        let state = try await f.engine.state(WorkflowInstance.self, id: instance, as: f.admin).state
        #expect(state.status == .cancelled)
        await f.close()
    }
}
