import CRMDomain
import EventSourcing
import Foundation
import Testing

/// `renewThrough(today:)`: the clause's terms, as many as it takes for the expiry to reach the day.
@Suite struct ContractRenewThroughTests {
    let id = UUID.derived("contract", "renew-through")
    let now = Date(timeIntervalSince1970: 1_767_225_600)

    func active(renewingBy months: Int?) -> Scenario<Contract> {
        let line = Contract.Line(productID: UUID.derived("product", "gas"), name: "Gas", quantity: 1, unitPrice: Money(100, .cny))
        let terms = Contract.Terms(effective: date("2025-01-01"), serviceStart: date("2025-01-01"), expiry: date("2025-12-31"), renewalTermMonths: months)
        return Scenario(Contract.self, given: [
            .drafted(ContractDrafted(contractID: id, customerID: UUID.derived("customer", "c"), owner: "emp-7", title: "t", quoteID: UUID.derived("quote", "q"),
                                     quoteNumber: "Q", lines: [line], terms: terms, draftedBy: "emp-1", draftedAt: now)),
            .submittedForApproval(ContractSubmittedForApproval(contractID: id, by: "emp-1", at: now)),
            .approved(ContractApproved(contractID: id, by: "emp-1", at: now, note: nil)),
            .activated(ContractActivated(contractID: id, by: "emp-1", at: now)),
        ])
    }

    @Test func renewingThroughADayRenewsEachTermUntilTheExpiryReachesIt() {
        var s = active(renewingBy: 6)
        let events = s.apply(.renewThrough(today: date("2027-02-01")))
        #expect(events.compactMap { if case .renewed(let e) = $0 { return e.expiry } else { return nil } }
                == [date("2026-06-30"), date("2026-12-31"), date("2027-06-30")], "each term from the day after the expiry the one before left")
        #expect(s.state.renewals == 3 && s.state.terms?.expiry == date("2027-06-30"))
        #expect(s.when(.renewThrough(today: date("2027-06-30"))).isEmpty, "the contract runs through its expiry day")
    }

    @Test func renewingThroughADayNeedsAnActiveContractWithAClause() {
        #expect(active(renewingBy: nil).whenRefused(.renewThrough(today: date("2026-02-01")))?.field == "termMonths")
        var expired = active(renewingBy: nil)
        expired.apply(.expire(today: date("2026-01-01")))
        #expect(expired.whenRefused(.renewThrough(today: date("2026-02-01")))?.code == .invalidTransition)
    }

    @Test func renewingThroughADayFarAheadStopsAtTheCap() {
        let events = active(renewingBy: 1).when(.renewThrough(today: date("2200-01-01")))
        #expect(events.count == Contract.maximumRenewalsAtOnce)
    }
}
