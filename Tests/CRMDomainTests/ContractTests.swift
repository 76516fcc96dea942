import CRMDomain
import EventSourcing
import Foundation
import Testing

private let contractID = UUID(uuidString: "00000000-0000-0000-0000-00000000c001")!
private let customerID = UUID(uuidString: "00000000-0000-0000-0000-00000000a001")!
private let quoteID = UUID(uuidString: "00000000-0000-0000-0000-00000000b001")!
private let gas = UUID(uuidString: "00000000-0000-0000-0000-00000000d001")!
private let meter = UUID(uuidString: "00000000-0000-0000-0000-00000000d002")!
private let now = Date(timeIntervalSince1970: 1_767_225_600)

private let lines = [
    Contract.Line(productID: gas, name: "Gas supply", quantity: 12, unitPrice: Money(Decimal(string: "1000.50")!, .cny)),
    Contract.Line(productID: meter, name: "Smart meter", quantity: 2, unitPrice: Money(300, .cny)),
]
private let terms = Contract.Terms(effective: date("2026-01-01"), serviceStart: date("2026-01-15"), expiry: date("2026-12-31"), renewalTermMonths: 12)

private func draftCommand(lines: [Contract.Line] = lines, terms: Contract.Terms = terms, owner: String = "emp-7",
                          title: String = "Gas supply 2026", quoteNumber: String = "C001-20251220-01") -> Contract.Command {
    .draft(id: contractID, customerID: customerID, owner: owner, branch: "shanghai", title: title, quoteID: quoteID,
           quoteNumber: quoteNumber, lines: lines, terms: terms)
}

private let drafted = ContractEvent.drafted(ContractDrafted(
    contractID: contractID, customerID: customerID, owner: "emp-7", branch: "shanghai", title: "Gas supply 2026",
    quoteID: quoteID, quoteNumber: "C001-20251220-01", lines: lines, terms: terms, draftedBy: "emp-1", draftedAt: now))
private let negotiated = ContractEvent.negotiationRecorded(ContractNegotiationRecorded(
    contractID: contractID, negotiation: Contract.Negotiation(by: "emp-7", at: now, note: "Customer asks for 2 meters")))
private let submitted = ContractEvent.submittedForApproval(ContractSubmittedForApproval(contractID: contractID, by: "emp-7", at: now))
private let approved = ContractEvent.approved(ContractApproved(contractID: contractID, by: "mgr-1", at: now, note: nil))
private let activated = ContractEvent.activated(ContractActivated(contractID: contractID, by: "emp-1", at: now))

/// A scenario with the contract at `status`.
private func contract(_ status: Contract.Status) -> Scenario<Contract> {
    let path: [Contract.Status: [ContractEvent]] = [
        .draft: [drafted],
        .negotiating: [drafted, negotiated],
        .pendingApproval: [drafted, submitted],
        .approved: [drafted, submitted, approved],
        .active: [drafted, submitted, approved, activated],
        .expired: [drafted, submitted, approved, activated,
                   .expired(ContractExpired(contractID: contractID, expiry: date("2026-12-31"), recordedAt: now))],
        .terminated: [drafted, submitted, approved, activated,
                      .terminated(ContractTerminated(contractID: contractID, termination: Contract.Termination(
                          reason: "moved away", date: date("2026-06-30"), by: "emp-7"), at: now))],
    ]
    return Scenario(Contract.self, given: path[status] ?? [])
}

@Suite("Contracts")
struct ContractTests {
    @Test func draftingRecordsCustomerQuoteLinesAndTerms() {
        var s = Scenario(Contract.self)
        let events = s.apply(draftCommand())
        #expect(events == [drafted])
        #expect(s.state.status == .draft)
        #expect(s.state.quoteNumber == "C001-20251220-01")
        #expect(s.state.total == Money(Decimal(string: "12606.00")!, .cny))
        #expect(Contract.stream(contractID).description == "contract-\(contractID.uuidString.lowercased())")
    }

    @Test func draftingTwiceIsRefused() {
        #expect(contract(.draft).whenRefused(draftCommand())?.code == .alreadyExists)
    }

    @Test func draftingValidatesLines() {
        let s = Scenario(Contract.self)
        #expect(s.whenRefused(draftCommand(lines: []))?.field == "lines")
        var zero = lines
        zero[0].quantity = 0
        #expect(s.whenRefused(draftCommand(lines: zero))?.field == "quantity")
        var negative = lines
        negative[1].unitPrice = Money(-1, .cny)
        #expect(s.whenRefused(draftCommand(lines: negative))?.field == "unitPrice")
        var mixed = lines
        mixed[1].unitPrice = Money(300, .usd)
        #expect(s.whenRefused(draftCommand(lines: mixed))?.field == "unitPrice")
        #expect(s.whenRefused(draftCommand(lines: [lines[0], lines[0]]))?.field == "lines")
        var unnamed = lines
        unnamed[0].name = " "
        #expect(s.whenRefused(draftCommand(lines: unnamed))?.field == "name")
    }

    @Test func draftingValidatesTextInputs() {
        let s = Scenario(Contract.self)
        #expect(s.whenRefused(draftCommand(owner: ""))?.field == "owner")
        #expect(s.whenRefused(draftCommand(title: " "))?.field == "title")
        #expect(s.whenRefused(draftCommand(quoteNumber: ""))?.field == "quoteNumber")
    }

    @Test func draftingValidatesTheDates() {
        let s = Scenario(Contract.self)
        let early = Contract.Terms(effective: date("2026-01-01"), serviceStart: date("2025-12-31"), expiry: date("2026-12-31"))
        #expect(s.whenRefused(draftCommand(terms: early))?.field == "serviceStart")
        let backwards = Contract.Terms(effective: date("2026-01-01"), serviceStart: date("2026-01-01"), expiry: date("2026-01-01"))
        #expect(s.whenRefused(draftCommand(terms: backwards))?.field == "expiry")
        let startAfterExpiry = Contract.Terms(effective: date("2026-01-01"), serviceStart: date("2027-02-01"), expiry: date("2026-12-31"))
        #expect(s.whenRefused(draftCommand(terms: startAfterExpiry))?.field == "expiry")
        for months in [0, 121] {
            let clause = Contract.Terms(effective: date("2026-01-01"), serviceStart: date("2026-01-01"), expiry: date("2026-12-31"), renewalTermMonths: months)
            #expect(s.whenRefused(draftCommand(terms: clause))?.field == "renewalTermMonths")
        }
    }

    @Test func commandsOnAContractNotYetDraftedAreNotFound() {
        let error = Scenario(Contract.self).whenRefused(.submitForApproval)
        #expect(error?.code == .notFound)
    }

    @Test func negotiationRecordsWhoWhenAndWhatAndMovesADraftIntoNegotiation() {
        var s = Scenario(Contract.self, given: [drafted], at: now, actor: "emp-7")
        let events = s.apply(.recordNegotiation(note: "Customer asks for 2 meters"))
        #expect(events == [negotiated])
        s.apply(.recordNegotiation(note: "Price agreed"))
        #expect(s.state.status == .negotiating)
        #expect(s.state.negotiations.map(\.note) == ["Customer asks for 2 meters", "Price agreed"])
        #expect(s.whenRefused(.recordNegotiation(note: "  "))?.field == "note")
        #expect(contract(.approved).whenRefused(.recordNegotiation(note: "late"))?.code == .invalidTransition)
    }

    @Test func changingLinesKeepsBothSidesAndNothingChangedRecordsNothing() {
        var s = contract(.negotiating)
        var new = lines
        new[1].quantity = 3
        let events = s.apply(.changeLines(new))
        #expect(events == [.linesChanged(ContractLinesChanged(contractID: contractID, previousLines: lines, lines: new))])
        #expect(s.state.lines == new)
        #expect(s.when(.changeLines(new)).isEmpty)
        #expect(s.whenRefused(.changeLines([]))?.field == "lines")
        #expect(contract(.pendingApproval).whenRefused(.changeLines(new))?.code == .invalidTransition)
    }

    @Test func changingTermsRecordsExactlyTheChangedFields() {
        var s = contract(.draft)
        var new = terms
        new.expiry = date("2027-06-30")
        new.renewalTermMonths = nil
        let events = s.apply(.changeTerms(new))
        #expect(events == [.termsChanged(ContractTermsChanged(contractID: contractID, terms: new, changes: [
            FieldChange(field: "expiry", old: .date(date("2026-12-31")), new: .date(date("2027-06-30"))),
            FieldChange(field: "renewalTermMonths", old: .number(12), new: nil),
        ]))])
        #expect(s.state.terms == new)
        #expect(s.when(.changeTerms(new)).isEmpty)
        var bad = new
        bad.expiry = date("2025-01-01")
        #expect(s.whenRefused(.changeTerms(bad))?.field == "expiry")
        #expect(contract(.active).whenRefused(.changeTerms(new))?.code == .invalidTransition)
    }

    @Test func submittingMovesToPendingApprovalFromDraftOrNegotiation() {
        var s = contract(.negotiating)
        s.apply(.submitForApproval)
        #expect(s.state.status == .pendingApproval)
        #expect(contract(.draft).when(.submitForApproval).count == 1)
        for status in [Contract.Status.pendingApproval, .approved, .active, .expired, .terminated] {
            #expect(contract(status).whenRefused(.submitForApproval)?.code == .invalidTransition, "from \(status)")
        }
    }

    @Test func approvalRecordsTheApproverAndClearsASendBack() {
        var s = Scenario(Contract.self, given: [drafted, submitted], at: now, actor: "mgr-1")
        s.apply(.sendBack(reason: "Discount too high"))
        #expect(s.state.status == .negotiating)
        #expect(s.state.sentBackReason == "Discount too high")
        s.apply(.submitForApproval)
        let events = s.apply(.approve(note: "ok"))
        #expect(events == [.approved(ContractApproved(contractID: contractID, by: "mgr-1", at: now, note: "ok"))])
        #expect(s.state.status == .approved)
        #expect(s.state.approvedBy == "mgr-1")
        #expect(s.state.sentBackReason == nil)
    }

    @Test func approvalAndSendBackNeedAPendingContractAndSendBackNeedsAReason() {
        #expect(contract(.negotiating).whenRefused(.approve(note: nil))?.code == .invalidTransition)
        #expect(contract(.approved).whenRefused(.approve(note: nil))?.code == .invalidTransition)
        #expect(contract(.draft).whenRefused(.sendBack(reason: "no"))?.code == .invalidTransition)
        #expect(contract(.pendingApproval).whenRefused(.sendBack(reason: " "))?.field == "reason")
    }

    @Test func activationNeedsApproval() {
        var s = contract(.approved)
        #expect(s.apply(.activate) == [activated])
        #expect(s.state.status == .active)
        for status in [Contract.Status.draft, .pendingApproval, .active, .terminated] {
            #expect(contract(status).whenRefused(.activate)?.code == .invalidTransition, "from \(status)")
        }
    }

    @Test func renewalMovesTheExpiryByTheClauseTerm() {
        var s = contract(.active)
        let events = s.apply(.renew())
        #expect(events == [.renewed(ContractRenewed(contractID: contractID, previousExpiry: date("2026-12-31"),
                                                    expiry: date("2027-12-31"), termMonths: 12, by: "emp-1", at: now))])
        #expect(s.state.terms?.expiry == date("2027-12-31"))
        #expect(s.state.renewals == 1)
        s.apply(.renew(termMonths: 2))
        #expect(s.state.terms?.expiry == date("2028-02-29"), "the month's last day when the month is shorter")
    }

    @Test func anExpiredContractCanBeRenewedBackToActive() {
        var s = contract(.expired)
        s.apply(.renew())
        #expect(s.state.status == .active)
        #expect(s.state.terms?.expiry == date("2027-12-31"))
    }

    /// An active contract whose terms hold no renewal clause.
    func activeWithoutRenewalClause() -> Scenario<Contract> {
        var noClause = terms
        noClause.renewalTermMonths = nil
        return Scenario(Contract.self, given: [
            .drafted(ContractDrafted(contractID: contractID, customerID: customerID, owner: "emp-7", title: "t", quoteID: quoteID,
                                     quoteNumber: "Q", lines: lines, terms: noClause, draftedBy: "emp-1", draftedAt: now)),
            submitted, approved, activated,
        ])
    }

    @Test func renewalWithoutAClauseNeedsATermAndOnlyFromActiveOrExpired() {
        let s = activeWithoutRenewalClause()
        #expect(s.whenRefused(.renew())?.field == "termMonths")
        #expect(s.whenRefused(.renew(termMonths: 0))?.field == "termMonths")
        #expect(s.when(.renew(termMonths: 6)).count == 1)
        for status in [Contract.Status.draft, .negotiating, .pendingApproval, .approved, .terminated] {
            #expect(contract(status).whenRefused(.renew())?.code == .invalidTransition, "from \(status)")
        }
    }

    @Test func expiryIsRecordedOnlyAfterTheLastDay() {
        let s = activeWithoutRenewalClause()
        #expect(s.whenRefused(.expire(today: date("2026-12-31")))?.field == "today")
        var after = s
        let events = after.apply(.expire(today: date("2027-01-01")))
        #expect(events == [.expired(ContractExpired(contractID: contractID, expiry: date("2026-12-31"), recordedAt: now))])
        #expect(after.state.status == .expired)
        #expect(contract(.approved).whenRefused(.expire(today: date("2027-01-01")))?.code == .invalidTransition)
        #expect(contract(.expired).whenRefused(.expire(today: date("2027-01-01")))?.code == .invalidTransition)
    }

    @Test func aContractWithAnAutoRenewalClauseIsRenewedAtItsEndNeverExpired() {
        let s = contract(.active)  // 12-month clause, expiry 2026-12-31
        for today in ["2026-11-27", "2027-01-01", "2027-06-01"] {
            #expect(s.whenRefused(.expire(today: date(today)))?.code == .invalidTransition, "on \(today)")
        }
        var renewed = s
        renewed.apply(.renew())
        #expect(renewed.state.status == .active && renewed.state.terms?.expiry == date("2027-12-31"))
        #expect(s.when(.terminate(reason: "not renewing", lastDay: date("2026-12-31"))).count == 1)
    }

    @Test func terminationNeedsAReasonAndADayWithinTheContract() {
        var s = contract(.active)
        #expect(s.whenRefused(.terminate(reason: "", lastDay: date("2026-06-30")))?.field == "reason")
        #expect(s.whenRefused(.terminate(reason: "moved", lastDay: date("2025-12-31")))?.field == "lastDay")
        #expect(s.whenRefused(.terminate(reason: "moved", lastDay: date("2027-01-01")))?.field == "lastDay")
        s.apply(.terminate(reason: "moved away", lastDay: date("2026-06-30")))
        #expect(s.state.status == .terminated)
        #expect(s.state.termination == Contract.Termination(reason: "moved away", date: date("2026-06-30"), by: "emp-1"))
        #expect(contract(.approved).when(.terminate(reason: "r", lastDay: date("2026-01-01"))).count == 1)
        for status in [Contract.Status.draft, .negotiating, .pendingApproval, .expired, .terminated] {
            #expect(contract(status).whenRefused(.terminate(reason: "r", lastDay: date("2026-06-30")))?.code == .invalidTransition, "from \(status)")
        }
    }

    @Test func expiryRemindersComeFromApprovedAndActiveContractsOnly() {
        let reminder = ReminderSources.ContractExpiry(contractID: contractID, customerID: customerID, owner: "emp-7",
                                                      branch: "shanghai", expiry: date("2026-12-31"))
        #expect(contract(.active).state.expiryReminder == reminder)
        #expect(contract(.approved).state.expiryReminder == reminder)
        for status in [Contract.Status.draft, .negotiating, .pendingApproval, .expired, .terminated] {
            #expect(contract(status).state.expiryReminder == nil, "\(status)")
        }
        var renewed = contract(.active)
        renewed.apply(.renew())
        let all = Contract.expiryReminders([renewed.state, contract(.draft).state, Contract.initialState])
        #expect(all.map(\.expiry) == [date("2027-12-31")])
    }

    @Test func expiryRemindersFeedTheReminderModule() {
        let sources = ReminderSources(contractExpiries: Contract.expiryReminders([contract(.active).state]))
        let settings = Settings.replay([])
        let lead = settings.leadDays(.contractExpiry)
        let commands = Reminders.commands(for: date("2026-12-31").adding(days: -lead), sources: sources, settings: settings)
        #expect(commands.count == 1)
        #expect(Reminders.commands(for: date("2026-12-31").adding(days: -lead - 1), sources: sources, settings: settings).isEmpty)
    }

    @Test func aCustomersContractsAreListedLatestExpiryFirst() {
        let other = UUID(uuidString: "00000000-0000-0000-0000-00000000a002")!
        var renewed = contract(.active)
        renewed.apply(.renew())
        let second = Contract.replay([.drafted(ContractDrafted(
            contractID: UUID(uuidString: "00000000-0000-0000-0000-00000000c002")!, customerID: customerID, owner: "emp-7",
            title: "Meters", quoteID: quoteID, quoteNumber: "Q2", lines: lines, terms: terms, draftedBy: "emp-1", draftedAt: now))])
        var third = second
        third.customerID = other
        let found = Contract.contracts(of: customerID, in: [second, third, renewed.state, Contract.initialState])
        #expect(found.map(\.title) == ["Gas supply 2026", "Meters"])
    }

    @Test func everyContractEventRoundTripsThroughBothEncodings() throws {
        try expectRoundTrips([
            drafted,
            .linesChanged(ContractLinesChanged(contractID: contractID, previousLines: lines, lines: [lines[0]])),
            .termsChanged(ContractTermsChanged(contractID: contractID, terms: terms, changes: [
                FieldChange(field: "expiry", old: .date(date("2026-12-31")), new: .date(date("2027-06-30"))),
            ])),
            negotiated, submitted,
            .approved(ContractApproved(contractID: contractID, by: "mgr-1", at: now, note: "同意")),
            .sentBack(ContractSentBack(contractID: contractID, by: "mgr-1", at: now, reason: "price")),
            activated,
            .renewed(ContractRenewed(contractID: contractID, previousExpiry: date("2026-12-31"), expiry: date("2027-12-31"), termMonths: 12, by: "emp-7", at: now)),
            .expired(ContractExpired(contractID: contractID, expiry: date("2026-12-31"), recordedAt: now)),
            .terminated(ContractTerminated(contractID: contractID, termination: Contract.Termination(reason: "r", date: date("2026-06-30"), by: "emp-7"), at: now)),
        ])
    }
}
