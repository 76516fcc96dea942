import CRMDomain
import EventSourcing
import Foundation
import Testing

private let quoteID = UUID(uuidString: "0196a000-0000-7000-8000-0000000a0001")!
private let customerID = UUID(uuidString: "0196a000-0000-7000-8000-0000000c0001")!
private let meterID = UUID(uuidString: "0196a000-0000-7000-8000-0000000b0001")!
private let serviceID = UUID(uuidString: "0196a000-0000-7000-8000-0000000b0002")!
private let limits = DiscountLimit.defaults
private let roles = ["salesManager": Decimal(15), "officeManager": Decimal(25), "departmentManager": Decimal(35)]

/// One line of 10 × 100 CNY at `discount` percent.
private func draft(discount: Decimal, quoteDiscount: Decimal = 0) -> QuoteDraft {
    QuoteDraft(lines: [QuoteLine(productID: meterID, productName: "Smart meter", unitPrice: Money(100, .cny), quantity: 10, discountPercent: discount)],
               discountPercent: quoteDiscount)
}

private func create(_ draft: QuoteDraft, role: String = "salesManager", sequence: Int = 1) -> Quote.Command {
    .create(quoteID: quoteID, customerID: customerID, customerCode: "acme", date: date("2026-03-09"), sequence: sequence,
            draft: draft, authorRole: role, limits: limits)
}

/// A scenario with a created quote of `discount` percent authored by `role`.
private func created(discount: Decimal, role: String = "salesManager") -> Scenario<Quote> {
    var s = Scenario(Quote.self)
    s.apply(create(draft(discount: discount), role: role))
    return s
}

@Suite("Quote")
struct QuoteTests {
    @Test func creatingNumbersTheQuoteAndKeepsTheFirstRevision() {
        var s = Scenario(Quote.self)
        let events = s.apply(create(draft(discount: 5)))
        #expect(events.count == 1)
        guard case .created(let e)? = events.first else { Issue.record("expected QuoteCreated"); return }
        #expect(e.number == "Q-ACME-20260309-001")
        #expect(e.customerCode == "ACME")
        #expect(e.revision.number == 1)
        #expect(e.revision.author == "emp-1")
        #expect(e.revision.authorLimit == 15)
        #expect(!e.revision.needsApproval)
        #expect(s.state.status == .approved)
        #expect(s.state.total == Money(950, .cny))
    }

    @Test func quoteNumbersComeFromCustomerCodeDateAndSequence() throws {
        #expect(try Quote.number(customerCode: "bj-07", date: date("2026-12-01"), sequence: 42) == "Q-BJ-07-20261201-042")
        #expect(throws: DomainError.self) { try Quote.number(customerCode: "a c", date: date("2026-12-01"), sequence: 1) }
        let s = Scenario(Quote.self)
        #expect(s.whenRefused(create(draft(discount: 0), sequence: 0))?.field == "sequence")
        #expect(s.whenRefused(create(draft(discount: 0), sequence: 1000))?.field == "sequence")
        #expect(s.whenRefused(.create(quoteID: quoteID, customerID: customerID, customerCode: "a/b", date: date("2026-03-09"), sequence: 1,
                                      draft: draft(discount: 0), authorRole: "salesManager", limits: limits))?.field == "customerCode")
    }

    @Test func theNewNumberIsClaimedOnlyByTheFirstCreate() {
        var s = Scenario(Quote.self)
        #expect(Quote.claims(create(draft(discount: 0), sequence: 3), state: s.state) == ["Q-ACME-20260309-003"])
        s.apply(create(draft(discount: 0), sequence: 3))
        #expect(Quote.claims(create(draft(discount: 0), sequence: 3), state: s.state).isEmpty)
        #expect(Quote.claims(.accept, state: s.state).isEmpty)
    }

    @Test func creatingTwiceIsIdempotentAndOtherContentUnderTheSameIdIsRefused() {
        let s = created(discount: 5)
        #expect(s.when(create(draft(discount: 5))).isEmpty)
        #expect(s.whenRefused(create(draft(discount: 6)))?.code == .alreadyExists)
    }

    @Test func totalsAreExactDecimals() {
        let d = QuoteDraft(lines: [
            QuoteLine(productID: meterID, productName: "Meter", unitPrice: Money(Decimal(string: "33.33") ?? 0, .cny), quantity: 3, discountPercent: Decimal(string: "12.5") ?? 0),
            QuoteLine(productID: serviceID, productName: "Service", unitPrice: Money(Decimal(string: "0.10") ?? 0, .cny), quantity: 7),
        ], discountPercent: 2)
        #expect(d.gross == Decimal(string: "100.69"))
        #expect(d.subtotal == Decimal(string: "88.19125"))
        #expect(d.total == Decimal(string: "86.427425"))
    }

    @Test func draftsAreValidated() {
        let s = Scenario(Quote.self)
        #expect(s.whenRefused(create(QuoteDraft(lines: [])))?.field == "lines")
        let line = QuoteLine(productID: meterID, productName: "M", unitPrice: Money(1, .cny), quantity: 1)
        var mixed = line
        mixed.unitPrice = Money(1, .usd)
        #expect(s.whenRefused(create(QuoteDraft(lines: [line, mixed])))?.field == "unitPrice")
        var negative = line
        negative.unitPrice = Money(-1, .cny)
        #expect(s.whenRefused(create(QuoteDraft(lines: [negative])))?.field == "unitPrice")
        var zero = line
        zero.quantity = 0
        #expect(s.whenRefused(create(QuoteDraft(lines: [zero])))?.field == "quantity")
        var unnamed = line
        unnamed.productName = " "
        #expect(s.whenRefused(create(QuoteDraft(lines: [unnamed])))?.field == "productName")
        #expect(s.whenRefused(create(draft(discount: 101)))?.field == "lineDiscountPercent")
        #expect(s.whenRefused(create(draft(discount: 0, quoteDiscount: -1)))?.field == "discountPercent")
        #expect(s.whenRefused(create(draft(discount: 0), role: ""))?.field == "authorRole")
    }

    // MARK: the discount-approval matrix

    @Test(arguments: ["salesManager", "officeManager", "departmentManager"])
    func anAuthorUnderOrAtTheLimitNeedsNoApproval(role: String) throws {
        let limit = try #require(roles[role])
        for discount in [limit - 1, limit] {
            let s = created(discount: discount, role: role)
            #expect(s.state.status == .approved, "\(role) at \(discount)")
            #expect(s.state.current?.needsApproval == false)
        }
    }

    @Test(arguments: ["salesManager", "officeManager"])
    func anAuthorOverTheLimitWaitsForApproval(role: String) throws {
        let limit = try #require(roles[role])
        let s = created(discount: limit + 1, role: role)
        #expect(s.state.status == .pendingApproval)
        #expect(s.state.current?.needsApproval == true)
        #expect(s.state.current?.authorLimit == limit)
    }

    @Test func aDiscountOverEveryRolesLimitIsRefused() {
        let error = Scenario(Quote.self).whenRefused(create(draft(discount: 36), role: "departmentManager"))
        #expect(error?.code == .invalid)
        #expect(error?.field == "discountPercent")
    }

    @Test func anAuthorWithoutALimitNeedsApprovalForAnyDiscount() {
        #expect(created(discount: 0, role: "salesRep").state.status == .approved)
        #expect(created(discount: 1, role: "salesRep").state.status == .pendingApproval)
    }

    @Test(arguments: ["salesManager", "officeManager", "departmentManager"])
    func anApproverCoversDiscountsUpToAndIncludingTheirLimit(approver: String) throws {
        let limit = try #require(roles[approver])
        for discount in [limit - 1, limit] {
            var s = created(discount: discount, role: "salesRep")
            let events = s.apply(.approve(approverRole: approver, limits: limits))
            #expect(events == [.approved(QuoteApproved(quoteID: quoteID, revision: 1, approver: "emp-1", approverRole: approver,
                                                       approverLimit: limit, discountPercent: discount))], "\(approver) at \(discount)")
            #expect(s.state.status == .approved)
        }
    }

    @Test(arguments: ["salesManager", "officeManager"])
    func anApproverIsRefusedOverTheirLimit(approver: String) throws {
        let limit = try #require(roles[approver])
        let s = created(discount: limit + 1, role: "salesRep")
        let error = s.whenRefused(.approve(approverRole: approver, limits: limits))
        #expect(error?.code == .invalid)
        #expect(error?.field == "approverRole")
    }

    @Test func aRoleWithoutALimitCannotApprove() {
        let s = created(discount: 10, role: "salesRep")
        #expect(s.whenRefused(.approve(approverRole: "salesRep", limits: limits))?.field == "approverRole")
    }

    @Test func theOverallDiscountCountsAsWellAsTheLargestLine() {
        // 10 % on the line then 10 % on the quote: 19 % overall, over the sales manager's 15 %.
        var s = Scenario(Quote.self)
        s.apply(create(draft(discount: 10, quoteDiscount: 10)))
        #expect(s.state.status == .pendingApproval)
        #expect(s.state.current?.draft.largestDiscountPercent == 19)
        #expect(s.whenRefused(.approve(approverRole: "salesManager", limits: limits))?.field == "approverRole")
        s.apply(.approve(approverRole: "officeManager", limits: limits))
        #expect(s.state.status == .approved)
        // One line at 20 % among undiscounted lines: the line discount decides.
        let mixed = QuoteDraft(lines: [
            QuoteLine(productID: meterID, productName: "M", unitPrice: Money(100, .cny), quantity: 1, discountPercent: 20),
            QuoteLine(productID: serviceID, productName: "S", unitPrice: Money(900, .cny), quantity: 1),
        ])
        #expect(!mixed.discountWithin(15))
        #expect(mixed.overallDiscountPercent == 2)
    }

    @Test func approvalAndSendBackNeedAPendingQuote() {
        let s = created(discount: 5)
        #expect(s.whenRefused(.approve(approverRole: "departmentManager", limits: limits))?.code == .invalidTransition)
        #expect(s.whenRefused(.sendBack(reason: "too cheap"))?.code == .invalidTransition)
    }

    @Test func sendingBackNeedsAReasonAndTheAuthorRevises() {
        var s = created(discount: 20)
        #expect(s.whenRefused(.sendBack(reason: " "))?.field == "reason")
        let events = s.apply(.sendBack(reason: "too deep a discount"))
        #expect(events == [.sentBack(QuoteSentBack(quoteID: quoteID, revision: 1, approver: "emp-1", reason: "too deep a discount"))])
        #expect(s.state.status == .sentBack)
        #expect(s.whenRefused(.send)?.code == .invalidTransition)
        s.apply(.revise(draft: draft(discount: 15), authorRole: "salesManager", limits: limits))
        #expect(s.state.status == .approved)
        #expect(s.state.revisions.map(\.number) == [1, 2])
    }

    @Test func revisionsKeepTheirHistory() {
        var s = created(discount: 5)
        let events = s.apply(.revise(draft: draft(discount: 20), authorRole: "salesManager", limits: limits))
        guard case .revised(let e)? = events.first else { Issue.record("expected QuoteRevised"); return }
        #expect(e.revision.number == 2)
        #expect(e.revision.needsApproval)
        #expect(s.state.status == .pendingApproval)
        #expect(s.state.revisions.count == 2)
        #expect(s.state.revisions[0].draft == draft(discount: 5))
        #expect(s.state.current?.draft == draft(discount: 20))
        #expect(s.state.number == "Q-ACME-20260309-001")
        #expect(s.when(.revise(draft: draft(discount: 20), authorRole: "salesManager", limits: limits)).isEmpty)
        #expect(s.whenRefused(.revise(draft: QuoteDraft(lines: []), authorRole: "salesManager", limits: limits))?.field == "lines")
    }

    @Test func anApprovedQuoteIsSentOnce() {
        var s = created(discount: 5)
        let events = s.apply(.send)
        #expect(events == [.sent(QuoteSent(quoteID: quoteID, revision: 1, sentAt: s.context.now))])
        #expect(s.state.status == .sent)
        #expect(s.when(.send).isEmpty)
        #expect(created(discount: 20).whenRefused(.send)?.code == .invalidTransition)
    }

    @Test func theCustomerAcceptsAnApprovedOrSentQuoteAtItsTotal() {
        var s = created(discount: 5)
        s.apply(.send)
        let events = s.apply(.accept)
        #expect(events == [.accepted(QuoteAccepted(quoteID: quoteID, revision: 1, total: Money(950, .cny), acceptedAt: s.context.now))])
        #expect(s.state.status == .accepted)
        #expect(s.when(.accept).isEmpty)
        #expect(s.whenRefused(.reject(reason: "late"))?.code == .invalidTransition)
        #expect(s.whenRefused(.revise(draft: draft(discount: 1), authorRole: "salesManager", limits: limits))?.code == .invalidTransition)
        var direct = created(discount: 5)
        direct.apply(.accept)
        #expect(direct.state.status == .accepted)
    }

    @Test func aPendingQuoteCannotBeAnsweredByTheCustomer() {
        let s = created(discount: 20)
        #expect(s.whenRefused(.accept)?.code == .invalidTransition)
        #expect(s.whenRefused(.reject(reason: "price"))?.code == .invalidTransition)
    }

    @Test func theCustomerRejectsWithAReason() {
        var s = created(discount: 5)
        #expect(s.whenRefused(.reject(reason: ""))?.field == "reason")
        let events = s.apply(.reject(reason: "price too high"))
        #expect(events == [.rejected(QuoteRejected(quoteID: quoteID, revision: 1, reason: "price too high", rejectedAt: s.context.now))])
        #expect(s.state.status == .rejected)
        #expect(s.state.reason == "price too high")
        #expect(s.whenRefused(.accept)?.code == .invalidTransition)
    }

    @Test func everyCommandOnAMissingQuoteIsNotFound() {
        let s = Scenario(Quote.self)
        let commands: [Quote.Command] = [
            .revise(draft: draft(discount: 0), authorRole: "salesManager", limits: limits), .approve(approverRole: "departmentManager", limits: limits),
            .sendBack(reason: "r"), .send, .accept, .reject(reason: "r"),
        ]
        for command in commands { #expect(s.whenRefused(command)?.code == .notFound) }
    }

    @Test func everyQuoteEventRoundTripsThroughBothEncodings() throws {
        let at = Date(timeIntervalSince1970: 1_767_225_600)
        let revision = QuoteRevision(number: 1, draft: QuoteDraft(lines: [QuoteLine(productID: meterID, productName: "智能表", unitPrice: Money(Decimal(string: "99.95") ?? 0, .eur), quantity: Decimal(string: "2.5") ?? 0, discountPercent: Decimal(string: "12.5") ?? 0)],
                                                                   discountPercent: 3, validUntil: date("2026-04-01"), note: "n"),
                                     author: "emp-1", authorRole: "salesManager", authorLimit: 15, needsApproval: true, createdAt: at)
        var second = revision
        second.number = 2
        second.authorLimit = nil
        second.draft.validUntil = nil
        second.draft.note = nil
        try expectRoundTrips([
            QuoteEvent.created(QuoteCreated(quoteID: quoteID, customerID: customerID, customerCode: "ACME", number: "Q-ACME-20260309-001", revision: revision)),
            .revised(QuoteRevised(quoteID: quoteID, revision: second)),
            .approved(QuoteApproved(quoteID: quoteID, revision: 2, approver: "emp-2", approverRole: "officeManager", approverLimit: 25, discountPercent: Decimal(string: "18.12") ?? 0)),
            .sentBack(QuoteSentBack(quoteID: quoteID, revision: 1, approver: "emp-2", reason: "r")),
            .sent(QuoteSent(quoteID: quoteID, revision: 2, sentAt: at)),
            .accepted(QuoteAccepted(quoteID: quoteID, revision: 2, total: Money(Decimal(string: "86.427425") ?? 0, .cny), acceptedAt: at)),
            .rejected(QuoteRejected(quoteID: quoteID, revision: 2, reason: "r", rejectedAt: at)),
        ])
    }
}
