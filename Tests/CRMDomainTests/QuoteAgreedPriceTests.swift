import CRMDomain
import EventSourcing
import Foundation
import Testing

/// What a contract drafted from an accepted quote may not go below, and the quote's date as its number records it.
@Suite struct QuoteAgreedPriceTests {
    static let meter = UUID(uuidString: "0196a000-0000-7000-8000-0000000b0101") ?? UUID()
    static let pump = UUID(uuidString: "0196a000-0000-7000-8000-0000000b0102") ?? UUID()

    @Test func theAgreedUnitPriceIsTheStandardPriceLessTheLineThenTheQuoteDiscount() {
        let draft = QuoteDraft(lines: [QuoteLine(productID: Self.meter, productName: "Meter", unitPrice: Money(100, .cny), quantity: 2, discountPercent: 10)],
                               discountPercent: 5)
        #expect(draft.agreedUnitPrice(of: Self.meter) == Money(Decimal(string: "85.5") ?? 0, .cny))
        #expect(draft.agreedUnitPrice(of: Self.pump) == nil)
        #expect(Contract.lines(agreedIn: draft) == [Contract.Line(productID: Self.meter, name: "Meter", quantity: 2, unitPrice: Money(Decimal(string: "85.5") ?? 0, .cny))])
    }

    /// A product quoted on several lines (10 at 100, 2 more at half price) is agreed at what they cost together
    /// over their quantity, and a contract drafted without lines takes each line at its own price: the half
    /// price of two meters is not the price of all twelve.
    @Test func aProductOnSeveralLinesIsAgreedAtItsAveragePriceAndEachLineKeepsItsOwn() {
        let full = QuoteLine(productID: Self.meter, productName: "Meter", unitPrice: Money(100, .cny), quantity: 10)
        let half = QuoteLine(productID: Self.meter, productName: "Meter", unitPrice: Money(100, .cny), quantity: 2, discountPercent: 50)
        let draft = QuoteDraft(lines: [full, half])
        #expect(draft.agreedUnitPrice(of: Self.meter) == Money(Decimal(1_100) / Decimal(12), .cny))
        #expect(Contract.lines(agreedIn: draft).map(\.unitPrice) == [Money(100, .cny), Money(50, .cny)])
    }

    @Test func aQuotesDateIsReadFromItsNumber() {
        var state = Quote.State()
        state.number = "Q-ACME-CO-20991231-007"
        #expect(state.date == LocalDate(year: 2099, month: 12, day: 31))
        state.number = "legacy-7"
        #expect(state.date == nil)
    }

    @Test func anUnpricedLineIsRefusedByTheDomain() throws {
        let draft = QuoteDraft(lines: [QuoteLine.unpriced(productID: Self.meter, quantity: 1)])
        #expect(draft.lines[0].isUnpriced)
        let context = CommandContext(now: Date(timeIntervalSince1970: 1_767_225_600), actor: "emp-1")
        #expect(throws: DomainError.self) {
            _ = try Quote.decide(.create(quoteID: UUID(), customerID: UUID(), customerCode: "ACME", date: LocalDate(year: 2026, month: 1, day: 1) ?? LocalDate(year: 2000, month: 1, day: 1)!,
                                         sequence: 1, draft: draft, authorRole: "salesManager", limits: DiscountLimit.defaults),
                                 state: Quote.initialState, context: context)
        }
    }
}
