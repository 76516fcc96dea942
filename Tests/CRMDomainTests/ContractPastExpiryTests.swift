import CRMDomain
import EventSourcing
import Foundation
import Testing

/// R-SAL-4: a contract whose last day has passed everywhere is neither drafted nor submitted for approval —
/// approved, it could never be activated (only terminated).
@Suite struct ContractPastExpiryTests {
    let id = UUID.derived("contract", "past-expiry")
    let line = Contract.Line(productID: UUID.derived("product", "gas"), name: "Gas", quantity: 1, unitPrice: Money(100, .cny))
    /// 1 January 2026 00:00Z: still 31 December 2025 in UTC−12.
    let now = Date(timeIntervalSince1970: 1_767_225_600)

    func terms(expiry: String) -> Contract.Terms {
        Contract.Terms(effective: date("2025-01-01"), serviceStart: date("2025-01-01"), expiry: date(expiry))
    }

    func draft(expiry: String) -> Contract.Command {
        .draft(id: id, customerID: UUID.derived("customer", "c"), owner: "emp-7", branch: nil, title: "Supply",
               quoteID: UUID.derived("quote", "q"), quoteNumber: "Q-C-20250101-001", lines: [line], terms: terms(expiry: expiry))
    }

    /// A draft whose last day is `expiry`, drafted on 1 December 2025.
    func drafted(expiry: String, at now: Date) -> Scenario<Contract> {
        Scenario(Contract.self, given: [.drafted(ContractDrafted(
            contractID: id, customerID: UUID.derived("customer", "c"), owner: "emp-7", title: "Supply", quoteID: UUID.derived("quote", "q"),
            quoteNumber: "Q-C-20250101-001", lines: [line], terms: terms(expiry: expiry), draftedBy: "emp-1",
            draftedAt: Date(timeIntervalSince1970: 1_764_547_200)))], at: now)
    }

    @Test func aContractWhoseExpiryHasPassedEverywhereIsNotDrafted() {
        let s = Scenario(Contract.self, at: now)
        let refused = s.whenRefused(draft(expiry: "2025-12-30"))
        #expect(refused?.code == .invalid && refused?.field == "expiry", "\(String(describing: refused))")
        // Its last day is still today somewhere (UTC−12): it may be drafted.
        #expect(s.when(draft(expiry: "2025-12-31")).count == 1)
    }

    @Test func aDraftWhoseExpiryPassedSinceIsNotSubmittedForApproval() {
        let refused = drafted(expiry: "2025-12-30", at: now).whenRefused(.submitForApproval)
        #expect(refused?.code == .invalidTransition && refused?.field == "expiry", "\(String(describing: refused))")
        // Before its last day ran out everywhere it could be; after a change of terms it can be again.
        #expect(drafted(expiry: "2025-12-30", at: now.addingTimeInterval(-86_400)).when(.submitForApproval).count == 1)
        var s = drafted(expiry: "2025-12-30", at: now)
        s.apply(.changeTerms(terms(expiry: "2026-12-31")))
        #expect(s.when(.submitForApproval).count == 1)
    }
}
