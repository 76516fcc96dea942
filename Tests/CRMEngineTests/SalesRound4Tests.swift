import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// Contracts drafted from accepted quotes at the quote's prices, contracts activated before their expiry and
/// quotes valid from their date (exploratory findings, round 4).
@Suite struct SalesRound4Tests {
    private static func refusal(_ body: () async throws -> Void) async -> EngineError? {
        do { try await body(); return nil } catch let error as EngineError { return error } catch { return nil }
    }

    static let meter = UUID.derived("product", "meter")
    static let terms = Contract.Terms(effective: day("2026-02-01"), serviceStart: day("2026-02-01"), expiry: day("2027-01-31"))
    static func day(_ text: String) -> LocalDate { LocalDate(text) ?? LocalDate(year: 2000, month: 1, day: 1)! }

    /// A quote of `customer` for 2 meters at 100 CNY less `discount` percent, as the administrator.
    static func quote(_ f: EngineFixture, _ label: String, customer: UUID, sequence: Int, discount: Decimal = 0) async throws -> UUID {
        let id = UUID.derived("quote", label)
        let draft = QuoteDraft(lines: [QuoteLine(productID: meter, productName: "Meter", unitPrice: Money(100, .cny), quantity: 2,
                                                 discountPercent: discount)])
        try await f.engine.execute(Quote.self, id: id, .create(quoteID: id, customerID: customer, customerCode: "R4", date: day("2026-01-01"),
                                                               sequence: sequence, draft: draft, authorRole: "Administrator", limits: []), as: f.admin)
        return id
    }

    static func draft(_ f: EngineFixture, _ label: String, customer: UUID, quote: UUID, lines: [Contract.Line]) async throws -> UUID {
        let id = UUID.derived("contract", label)
        try await f.engine.execute(Contract.self, id: id, .draft(id: id, customerID: customer, owner: f.admin.id, branch: nil, title: label,
                                                                 quoteID: quote, quoteNumber: "", lines: lines, terms: terms), as: f.admin)
        return id
    }

    static func line(_ price: Decimal, product: UUID = meter, quantity: Decimal = 2) -> Contract.Line {
        Contract.Line(productID: product, name: "Meter", quantity: quantity, unitPrice: Money(price, .cny))
    }

    @Test func aContractIsDraftedOnlyFromAnAcceptedQuoteOfItsCustomer() async throws {
        let f = try await EngineFixture.make("r4-accepted")
        try await f.meterProduct()
        let customer = try await f.customer("Buyer", branch: "north")
        let other = try await f.customer("Other", branch: "north")
        // Approved (within the administrator's limit) but never accepted; then rejected: neither makes a contract.
        let open = try await Self.quote(f, "open", customer: customer, sequence: 1)
        let rejected = try await Self.quote(f, "rejected", customer: customer, sequence: 2)
        try await f.engine.execute(Quote.self, id: rejected, .reject(reason: "too dear"), as: f.admin)
        let head = try await f.engine.store.headPosition()
        for quote in [open, rejected] {
            let refused = await Self.refusal { _ = try await Self.draft(f, "c-\(quote)", customer: customer, quote: quote, lines: [Self.line(100)]) }
            #expect(refused?.code == .invalid && refused?.field == "quoteID", "\(String(describing: refused))")
        }
        #expect(try await f.engine.store.headPosition() == head, "a refused draft writes nothing")
        // Accepted, but another customer's: refused too.
        try await f.engine.execute(Quote.self, id: open, .accept, as: f.admin)
        let otherCustomers = await Self.refusal { _ = try await Self.draft(f, "c-other", customer: other, quote: open, lines: [Self.line(100)]) }
        #expect(otherCustomers?.code == .invalid && otherCustomers?.field == "quoteID")
        // Accepted and the customer's: drafted.
        let contract = try await Self.draft(f, "c-ok", customer: customer, quote: open, lines: [Self.line(100)])
        #expect(try await f.engine.state(Contract.self, id: contract, as: f.admin).state.status == .draft)
        await f.close()
    }

    @Test func aContractsLinesAreTheAcceptedQuotesProductsAtNoLessThanItsAgreedPrices() async throws {
        let f = try await EngineFixture.make("r4-prices")
        try await f.meterProduct()
        let pump = UUID.derived("product", "pump")
        try await f.engine.execute(Product.self, id: pump, .create(productID: pump, productLine: "pumps", name: "Pump", standardPrice: Money(500, .cny)), as: f.admin)
        let customer = try await f.customer("Buyer", branch: "north")
        // 10 % off the meters (within the administrator's limit here): 90 CNY a meter agreed.
        try await f.engine.execute(Settings.self, id: UUID(), .setDiscountLimit(DiscountLimit(role: "Administrator", maxPercent: 15)), as: f.admin)
        let quote = try await Self.quote(f, "discounted", customer: customer, sequence: 1, discount: 10)
        try await f.engine.execute(Quote.self, id: quote, .accept, as: f.admin)
        let unicorn = UUID(uuidString: "00000000-0000-0000-0000-000000000009") ?? UUID()
        for (label, lines, field) in [("cheap", [Self.line(1)], "lines.unitPrice"), ("under", [Self.line(89.99)], "lines.unitPrice"),
                                      ("unicorn", [Self.line(1, product: unicorn)], "lines.productID"),
                                      ("off-quote", [Self.line(500, product: pump)], "lines.productID")] {
            let refused = await Self.refusal { _ = try await Self.draft(f, label, customer: customer, quote: quote, lines: lines) }
            #expect(refused?.code == .invalid && refused?.field == field, "\(label): \(String(describing: refused))")
        }
        let unknown = await Self.refusal { _ = try await Self.draft(f, "unknown", customer: customer, quote: quote, lines: [Self.line(1, product: unicorn)]) }
        #expect(unknown?.message == "no product in the catalog has this id")
        // No lines: the quote's, at its agreed price.
        let taken = try await Self.draft(f, "taken", customer: customer, quote: quote, lines: [])
        let state = try await f.engine.state(Contract.self, id: taken, as: f.admin).state
        #expect(state.lines == [Contract.Line(productID: Self.meter, name: "Meter", quantity: 2, unitPrice: Money(90, .cny))])
        // Changing the lines: the same rule; another quantity at the agreed price, or a higher price, is fine.
        let head = try await f.engine.store.headPosition()
        for (lines, field) in [([Self.line(50, quantity: 5)], "lines.unitPrice"), ([Self.line(0, product: unicorn)], "lines.productID"),
                               ([Self.line(90), Self.line(400, product: pump)], "lines.productID")] {
            let refused = await Self.refusal { try await f.engine.execute(Contract.self, id: taken, .changeLines(lines), as: f.admin) }
            #expect(refused?.code == .invalid && refused?.field == field, "\(String(describing: refused))")
        }
        #expect(try await f.engine.store.headPosition() == head)
        try await f.engine.execute(Contract.self, id: taken, .changeLines([Self.line(90, quantity: 5)]), as: f.admin)
        try await f.engine.execute(Contract.self, id: taken, .changeLines([Self.line(95, quantity: 5)]), as: f.admin)
        #expect(try await f.engine.state(Contract.self, id: taken, as: f.admin).state.lines == [Self.line(95, quantity: 5)])
        await f.close()
    }

    @Test func aContractWhoseExpiryHasPassedIsNotActivated() async throws {
        let f = try await EngineFixture.make("r4-activate")
        try await f.meterProduct()
        let customer = try await f.customer("Buyer", branch: "north")
        let quote = try await Self.quote(f, "q", customer: customer, sequence: 1)
        try await f.engine.execute(Quote.self, id: quote, .accept, as: f.admin)
        // The clock says 1 January 2026; the contract ran until 31 December 2025.
        let id = UUID.derived("contract", "stale")
        try await f.engine.execute(Contract.self, id: id, .draft(id: id, customerID: customer, owner: f.admin.id, branch: nil, title: "Stale",
                                                                 quoteID: quote, quoteNumber: "", lines: [],
                                                                 terms: Contract.Terms(effective: Self.day("2025-01-01"), serviceStart: Self.day("2025-01-01"),
                                                                                       expiry: Self.day("2025-12-31"), renewalTermMonths: 1)), as: f.admin)
        try await f.engine.execute(Contract.self, id: id, .submitForApproval, as: f.admin)
        try await f.engine.execute(Contract.self, id: id, .approve(note: nil), as: .system)  // its submitter may not approve it
        let refused = await Self.refusal { try await f.engine.execute(Contract.self, id: id, .activate, as: f.admin) }
        #expect(refused?.code == .rejected && refused?.domain?.code == .invalidTransition && refused?.field == "expiry", "\(String(describing: refused))")
        #expect(try await f.engine.state(Contract.self, id: id, as: f.admin).state.status == .approved)
        // On its last day it still can be.
        f.clock.set(Date(timeIntervalSince1970: 1_767_225_600 - 3600))
        try await f.engine.execute(Contract.self, id: id, .activate, as: f.admin)
        #expect(try await f.engine.state(Contract.self, id: id, as: f.admin).state.status == .active)
        await f.close()
    }

    @Test func aQuotesValidityDoesNotEndBeforeItsDate() async throws {
        let f = try await EngineFixture.make("r4-validity")
        try await f.meterProduct()
        let customer = try await f.customer("Buyer", branch: "north")
        let id = UUID.derived("quote", "forward")
        func create(validUntil: String) async throws {
            let draft = QuoteDraft(lines: [QuoteLine(productID: Self.meter, productName: "Meter", unitPrice: Money(100, .cny), quantity: 1)],
                                   validUntil: Self.day(validUntil))
            try await f.engine.execute(Quote.self, id: id, .create(quoteID: id, customerID: customer, customerCode: "R4", date: Self.day("2099-01-01"),
                                                                   sequence: 1, draft: draft, authorRole: "Administrator", limits: []), as: f.admin)
        }
        let refused = await Self.refusal { try await create(validUntil: "2026-12-31") }
        #expect(refused?.domain?.code == .invalid && refused?.field == "validUntil", "\(String(describing: refused))")
        try await create(validUntil: "2099-01-01")
        // A revision may not end it before the date either.
        let revised = QuoteDraft(lines: [QuoteLine(productID: Self.meter, productName: "Meter", unitPrice: Money(100, .cny), quantity: 3)],
                                 validUntil: Self.day("2098-12-31"))
        let revision = await Self.refusal { try await f.engine.execute(Quote.self, id: id, .revise(draft: revised, authorRole: "Administrator", limits: []), as: f.admin) }
        #expect(revision?.domain?.code == .invalid && revision?.field == "validUntil", "\(String(describing: revision))")
        await f.close()
    }
}
