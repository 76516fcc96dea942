import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import Foundation
import Testing

/// A contract not yet approved is cancelled (`edit` in contracts, as its other changes): a draft stays no
/// longer for ever; one waiting for approval has its workflow instance closed (decision `cancelled`), which
/// leaves the inboxes; customer 360 lists it among the ended contracts as `cancelled`; it is final.
@Suite struct ContractCancellationEngineTests {
    static func head(_ f: EngineFixture) async throws -> GlobalPosition { try await f.engine.store.headPosition() }

    static func customerContract(_ f: EngineFixture, _ contract: UUID) async throws -> RelatedRecord? {
        let customer = try #require(try await f.engine.state(Contract.self, id: contract, as: f.admin).state.customerID)
        let view = try await f.engine.customer(customer, as: f.admin, consistentWith: try await head(f))
        #expect(!view.contracts.contains { $0.id == contract }, "no longer among the current contracts")
        return view.endedContracts.first { $0.id == contract }
    }

    @Test func aContractWaitingForApprovalIsCancelledAndItsWaitingInstanceClosed() async throws {
        let w = try await WorkflowSubjectTests.world("contract-cancel-pending")
        #expect(try await WorkflowSubjectTests.pending(w.f, w.mia) == [w.instance])
        let cancelled = try await w.f.engine.execute(Contract.self, id: w.contract, .cancel(reason: "drafted by mistake"), as: w.f.admin)
        try await WorkflowSubjectTests.settled(w.f, after: cancelled.position)

        let contract = try await w.f.engine.state(Contract.self, id: w.contract, as: w.f.admin).state
        #expect(contract.status == .cancelled && contract.cancellation?.reason == "drafted by mistake" && contract.cancellation?.by == w.f.admin.id)
        #expect(try await w.f.engine.state(WorkflowInstance.self, id: w.instance, as: w.f.admin).state.status == .closedBySubject)
        let closed = try #require(try await w.f.engine.store.readStream(WorkflowInstance.stream(w.instance)).last)
        #expect(closed.type == WorkflowClosedBySubject.eventType)
        #expect(closed.metadata.causationID == cancelled.events.last?.id, "caused by the cancellation")
        let payload = try closed.payload.withUnsafeBytes { try w.f.engine.registry.decode(closed.type, schemaVersion: closed.schemaVersion, from: $0) }
        #expect((payload as? WorkflowClosedBySubject)?.decision == .cancelled)
        #expect((payload as? WorkflowClosedBySubject)?.decidedBy == w.f.admin.id)
        for approver in [w.mia, w.anna] { #expect(try await WorkflowSubjectTests.pending(w.f, approver).isEmpty) }

        let row = try await Self.customerContract(w.f, w.contract)
        #expect(row?.status == Contract.Status.cancelled.rawValue)

        // Final: neither approved (directly or through the closed instance), activated, renewed nor terminated.
        let head = try await Self.head(w.f)
        let commands: [Contract.Command] = [.approve(note: nil), .activate, .renew(termMonths: 12),
                                            .terminate(reason: "r", lastDay: try EngineFixture.day("2026-06-30")), .submitForApproval]
        for command in commands {
            let refused = await #expect(throws: EngineError.self, "\(command)") {
                try await w.f.engine.execute(Contract.self, id: w.contract, command, as: w.mia)
            }
            #expect(refused?.domain?.code == .invalidTransition, "\(command): \(String(describing: refused))")
        }
        await #expect(throws: EngineError.self) {
            try await w.f.engine.execute(WorkflowInstance.self, id: w.instance, .approve(employee: "", roles: [], comment: nil), as: w.anna)
        }
        #expect(try await Self.head(w.f) == head, "nothing written")
        await w.f.close()
    }

    @Test func aDraftIsCancelledAndShownCancelledInCustomer360() async throws {
        let f = try await EngineFixture.make("contract-cancel-draft")
        let customer = try await f.customer("Customer of A", branch: "A")
        try await f.meterProduct()
        try await ScopeTestsPart2.createAcceptedQuote(f.engine, customer, f.admin)
        let contract = UUID.derived("contract", "cancel-draft")
        try await f.engine.execute(Contract.self, id: contract, .draft(
            id: contract, customerID: customer, owner: f.admin.id, branch: nil, title: "Supply", quoteID: ScopeTestsPart2.n("quote", customer),
            quoteNumber: "", lines: ScopeTestsPart2.lines, terms: ScopeTestsPart2.terms), as: f.admin)
        let before = try await f.engine.customer(customer, as: f.admin, consistentWith: try await Self.head(f))
        #expect(before.contracts.first { $0.id == contract }?.status == Contract.Status.draft.rawValue)

        let cancelled = try await f.engine.execute(Contract.self, id: contract, .cancel(reason: "wrong customer"), as: f.admin)
        try await WorkflowSubjectTests.settled(f, after: cancelled.position)
        #expect(cancelled.events.map(\.type) == [ContractCancelled.eventType])
        #expect(try await f.engine.state(Contract.self, id: contract, as: f.admin).state.status == .cancelled)
        #expect(try await Self.customerContract(f, contract)?.status == Contract.Status.cancelled.rawValue)
        await f.close()
    }

    @Test func cancellingNeedsEditInContractsAndAnApprovedContractIsNotCancelled() async throws {
        let w = try await WorkflowSubjectTests.world("contract-cancel-refused")
        // Anna may query and approve branch A's contracts, not edit them.
        var head = try await Self.head(w.f)
        let forbidden = await #expect(throws: EngineError.self) {
            try await w.f.engine.execute(Contract.self, id: w.contract, .cancel(reason: "no"), as: w.anna)
        }
        #expect(forbidden?.code == .forbidden, "\(String(describing: forbidden))")
        #expect(try await Self.head(w.f) == head, "nothing written")

        let approved = try await w.f.engine.execute(Contract.self, id: w.contract, .approve(note: nil), as: w.mia)
        try await WorkflowSubjectTests.settled(w.f, after: approved.position)
        head = try await Self.head(w.f)
        let refused = await #expect(throws: EngineError.self) {
            try await w.f.engine.execute(Contract.self, id: w.contract, .cancel(reason: "changed our mind"), as: w.f.admin)
        }
        #expect(refused?.code == .rejected && refused?.domain?.code == .invalidTransition, "\(String(describing: refused))")
        #expect(try await Self.head(w.f) == head, "nothing written")
        #expect(try await w.f.engine.state(Contract.self, id: w.contract, as: w.f.admin).state.status == .approved)
        await w.f.close()
    }

    @Test func aRequestWaitingForApprovalIsWithdrawnOnlyByItsSubmitterOrWhoeverMayTerminateContracts() async throws {
        let w = try await WorkflowSubjectTests.world("contract-cancel-withdraw")
        // Ed edits branch A's contracts but may not terminate them, and did not submit this one (the administrator did).
        let ed = try await w.f.hire("Ed", branch: "A", permissions: [
            Permission(module: .contracts, actions: [.query, .edit], scope: .branch("A")),
            Permission(module: .organisation, actions: [.query], scope: .branch("A"))])
        let head = try await Self.head(w.f)
        let refused = await #expect(throws: EngineError.self) {
            try await w.f.engine.execute(Contract.self, id: w.contract, .cancel(reason: "not mine to withdraw"), as: ed)
        }
        #expect(refused?.code == .forbidden && refused?.field == "employee", "\(String(describing: refused))")
        #expect(try await Self.head(w.f) == head, "nothing written")
        #expect(try await WorkflowSubjectTests.pending(w.f, w.mia) == [w.instance], "the request still waits")

        // Mia, who may terminate contracts, may withdraw it.
        let cancelled = try await w.f.engine.execute(Contract.self, id: w.contract, .cancel(reason: "withdrawn"), as: w.mia)
        #expect(cancelled.events.map(\.type) == [ContractCancelled.eventType])
        await w.f.close()
    }
}
