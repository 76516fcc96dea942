import CRMDomain
import EventSourcing
import Foundation
import Testing

/// R-SAL-4: a contract's expiry is its last day, so a renewal term starts the day after it and runs whole
/// months — a contract ending on a month's last day renews to a month's last day, without drifting.
@Suite struct ContractRenewalMonthEndTests {
    let id = UUID.derived("contract", "month-end")
    let now = Date(timeIntervalSince1970: 1_767_225_600)

    /// An active contract whose last day is `expiry`, renewing by `months`.
    func active(expiringOn expiry: String, renewingBy months: Int, renewed: [ContractRenewed] = []) -> Scenario<Contract> {
        let line = Contract.Line(productID: UUID.derived("product", "gas"), name: "Gas", quantity: 1, unitPrice: Money(100, .cny))
        let terms = Contract.Terms(effective: date("1999-01-01"), serviceStart: date("1999-01-01"), expiry: date(expiry), renewalTermMonths: months)
        return Scenario(Contract.self, given: [
            .drafted(ContractDrafted(contractID: id, customerID: UUID.derived("customer", "c"), owner: "emp-7", title: "t", quoteID: UUID.derived("quote", "q"),
                                     quoteNumber: "Q", lines: [line], terms: terms, draftedBy: "emp-1", draftedAt: now)),
            .submittedForApproval(ContractSubmittedForApproval(contractID: id, by: "emp-1", at: now)),
            .approved(ContractApproved(contractID: id, by: "emp-1", at: now, note: nil)),
            .activated(ContractActivated(contractID: id, by: "emp-1", at: now)),
        ] + renewed.map { .renewed($0) })
    }

    static func expiries(_ events: [ContractEvent]) -> [LocalDate] {
        events.compactMap { if case .renewed(let e) = $0 { return e.expiry } else { return nil } }
    }

    /// (last day, term in months, the renewed term's last day)
    @Test(arguments: [
        ("2025-06-30", 6, "2025-12-31"),   // a half year from 1 July is through 31 December
        ("2025-01-31", 1, "2025-02-28"),
        ("2024-01-31", 1, "2024-02-29"),   // leap year
        ("2025-02-28", 1, "2025-03-31"),   // February's last day
        ("2024-02-28", 1, "2024-03-28"),   // not February's last day in a leap year: from the 29th
        ("2024-02-29", 1, "2024-03-31"),
        ("2024-02-29", 12, "2025-02-28"),
        ("2027-02-28", 12, "2028-02-29"),  // from 1 March 2027 a year is through 29 February 2028
        ("2025-08-31", 1, "2025-09-30"),
        ("2025-08-31", 6, "2026-02-28"),
        ("2025-12-31", 1, "2026-01-31"),
        ("2025-12-31", 2, "2026-02-28"),
        ("2025-12-31", 12, "2026-12-31"),
        ("2025-01-15", 1, "2025-02-15"),   // mid-month keeps its day
        ("2025-01-30", 1, "2025-02-28"),   // from 31 January: February has no 31st, its last day ends the term
        ("2025-03-30", 11, "2026-02-28"),
        ("9999-06-30", 12, "9999-12-31"),  // past the last year there is: its last day
        ("9999-12-30", 1, "9999-12-31"),
    ])
    func aRenewalTermRunsWholeMonthsFromTheDayAfterTheExpiry(expiry: String, months: Int, renewedTo: String) {
        #expect(Contract.expiry(renewing: date(expiry), byMonths: months) == date(renewedTo))
        #expect(Self.expiries(active(expiringOn: expiry, renewingBy: months).when(.renew())) == [date(renewedTo)])
        #expect(Self.expiries(active(expiringOn: expiry, renewingBy: 120).when(.renew(termMonths: months))) == [date(renewedTo)], "a term given to renew")
    }

    /// (last day, clause term, the last days of consecutive renewals)
    @Test(arguments: [
        ("2024-01-31", 1, ["2024-02-29", "2024-03-31", "2024-04-30", "2024-05-31", "2024-06-30", "2024-07-31", "2024-08-31",
                           "2024-09-30", "2024-10-31", "2024-11-30", "2024-12-31", "2025-01-31", "2025-02-28", "2025-03-31"]),
        ("2023-06-30", 6, ["2023-12-31", "2024-06-30", "2024-12-31", "2025-06-30"]),
        ("2024-02-29", 12, ["2025-02-28", "2026-02-28", "2027-02-28", "2028-02-29", "2029-02-28"]),
        ("2025-08-31", 3, ["2025-11-30", "2026-02-28", "2026-05-31", "2026-08-31", "2026-11-30", "2027-02-28"]),
        ("2027-12-31", 2, ["2028-02-29", "2028-04-30", "2028-06-30", "2028-08-31", "2028-10-31", "2028-12-31"]),
        ("2025-01-15", 1, ["2025-02-15", "2025-03-15", "2025-04-15"]),
    ])
    func consecutiveRenewalsAndRenewingThroughLandOnTheSameMonthEnds(expiry: String, months: Int, expected: [String]) {
        var renewing = active(expiringOn: expiry, renewingBy: months)
        var oneByOne: [LocalDate] = []
        for _ in expected { oneByOne += Self.expiries(renewing.apply(.renew())) }
        #expect(oneByOne == expected.map(date))
        #expect(renewing.state.terms?.expiry == date(expected[expected.count - 1]) && renewing.state.renewals == expected.count)
        // The catch-up over all those terms at once: the same days, one event a term.
        let caughtUp = Self.expiries(active(expiringOn: expiry, renewingBy: months).when(.renewThrough(today: date(expected[expected.count - 1]))))
        #expect(caughtUp == oneByOne)
        // What the scheduler's reminders read is the recorded expiry.
        #expect(renewing.state.expiryReminder?.expiry == date(expected[expected.count - 1]))
    }

    @Test func aStoredRenewalKeepsTheExpiryItRecordedAndTheNextTermStartsTheDayAfter() {
        // Recorded by the earlier rule: 30 June + 6 months = 30 December.
        let stored = ContractRenewed(contractID: id, previousExpiry: date("2025-06-30"), expiry: date("2025-12-30"), termMonths: 6, by: "emp-1", at: now)
        var s = active(expiringOn: "2025-06-30", renewingBy: 6, renewed: [stored])
        #expect(s.state.terms?.expiry == date("2025-12-30") && s.state.renewals == 1)
        // The next term runs from 31 December: June has no 31st, so through 30 June.
        #expect(Self.expiries(s.apply(.renew())) == [date("2026-06-30")])
        #expect(Self.expiries(s.apply(.renew())) == [date("2026-12-31")])
    }

    @Test func theLastDayThereIsRenewsToNothingFurther() {
        #expect(Contract.expiry(renewing: date("9999-12-31"), byMonths: 1) == date("9999-12-31"))
        #expect(Contract.expiry(renewing: date("2025-06-30"), byMonths: 0) == date("2025-06-30"))
        #expect(active(expiringOn: "9999-12-31", renewingBy: 1).when(.renewThrough(today: date("9999-12-31"))).isEmpty)
    }
}
