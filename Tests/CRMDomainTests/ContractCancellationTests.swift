import CRMDomain
import EventSourcing
import Foundation
import Testing

/// A contract drafted by mistake (or no longer wanted before it is approved) is cancelled with a reason: from
/// draft, negotiation or pending approval; a cancelled contract is final — never approved, activated, renewed,
/// terminated or changed. Its submitter of an approval request is kept (the engine refuses their own decision).
@Suite struct ContractCancellationTests {
    let id = UUID.derived("contract", "cancellation")
    let now = Date(timeIntervalSince1970: 1_767_225_600)
    let line = Contract.Line(productID: UUID.derived("product", "gas"), name: "Gas", quantity: 1, unitPrice: Money(100, .cny))
    var terms: Contract.Terms {
        Contract.Terms(effective: date("2026-01-01"), serviceStart: date("2026-01-01"), expiry: date("2026-12-31"), renewalTermMonths: 12)
    }

    var drafted: ContractEvent {
        .drafted(ContractDrafted(contractID: id, customerID: UUID.derived("customer", "c"), owner: "emp-7", title: "Supply",
                                 quoteID: UUID.derived("quote", "q"), quoteNumber: "Q-C-20260101-001", lines: [line], terms: terms,
                                 draftedBy: "emp-7", draftedAt: now))
    }

    /// The contract's events up to `status`.
    func history(_ status: Contract.Status) -> [ContractEvent] {
        let negotiated = ContractEvent.negotiationRecorded(ContractNegotiationRecorded(contractID: id, negotiation: .init(by: "emp-7", at: now, note: "n")))
        let submitted = ContractEvent.submittedForApproval(ContractSubmittedForApproval(contractID: id, by: "emp-7", at: now))
        let approved = ContractEvent.approved(ContractApproved(contractID: id, by: "mgr-1", at: now))
        let activated = ContractEvent.activated(ContractActivated(contractID: id, by: "emp-7", at: now))
        switch status {
        case .draft: return [drafted]
        case .negotiating: return [drafted, negotiated]
        case .pendingApproval: return [drafted, submitted]
        case .approved: return [drafted, submitted, approved]
        case .active: return [drafted, submitted, approved, activated]
        case .expired: return [drafted, submitted, approved, activated, .expired(ContractExpired(contractID: id, expiry: date("2026-12-31"), recordedAt: now))]
        case .terminated:
            return [drafted, submitted, approved, activated, .terminated(ContractTerminated(
                contractID: id, termination: .init(reason: "moved", date: date("2026-06-30"), by: "emp-7"), at: now))]
        case .cancelled: return [drafted, .cancelled(ContractCancelled(contractID: id, reason: "drafted by mistake", by: "emp-7", at: now))]
        }
    }

    @Test(arguments: [Contract.Status.draft, .negotiating, .pendingApproval])
    func aContractNotYetApprovedIsCancelledWithItsReason(from status: Contract.Status) throws {
        var s = Scenario(Contract.self, given: history(status), at: now, actor: "emp-7")
        let events = s.apply(.cancel(reason: "  drafted by mistake "))
        #expect(events == [.cancelled(ContractCancelled(contractID: id, reason: "drafted by mistake", by: "emp-7", at: now))])
        #expect(s.state.status == .cancelled)
        #expect(s.state.cancellation == Contract.Cancellation(reason: "drafted by mistake", by: "emp-7", at: now))
        try expectRoundTrips(events)
    }

    @Test(arguments: [Contract.Status.approved, .active, .expired, .terminated, .cancelled])
    func aContractApprovedOrEndedIsNotCancelled(from status: Contract.Status) {
        let s = Scenario(Contract.self, given: history(status), at: now)
        #expect(s.whenRefused(.cancel(reason: "no"))?.code == .invalidTransition)
    }

    @Test func aCancellationNeedsAReason() {
        let s = Scenario(Contract.self, given: history(.draft), at: now)
        let refused = s.whenRefused(.cancel(reason: "  "))
        #expect(refused?.code == .invalid && refused?.field == "reason")
    }

    @Test func aCancelledContractIsFinal() {
        let s = Scenario(Contract.self, given: history(.cancelled), at: now)
        let commands: [Contract.Command] = [
            .submitForApproval, .approve(note: nil), .sendBack(reason: "r"), .activate, .renew(termMonths: 12),
            .renewThrough(today: date("2027-06-01")), .expire(today: date("2027-06-01")),
            .terminate(reason: "r", lastDay: date("2026-06-30")), .changeLines([line]), .changeTerms(terms),
            .recordNegotiation(note: "n"),
        ]
        for command in commands {
            #expect(s.whenRefused(command)?.code == .invalidTransition, "\(command)")
        }
        #expect(s.state.expiryReminder == nil)
    }

    @Test func theSubmitterOfTheLatestRequestIsKept() {
        let s = Scenario(Contract.self, given: history(.pendingApproval), at: now)
        #expect(s.state.submittedBy == "emp-7")
    }
}
