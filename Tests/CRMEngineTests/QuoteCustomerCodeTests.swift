import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// R-SAL-3: a quote's number carries its customer's code; the code made from a customer's id is that
/// customer's own, so no other customer's quote is numbered with it.
@Suite struct QuoteCustomerCodeTests {
    private static func refusal(_ body: () async throws -> Void) async -> EngineError? {
        do { try await body(); return nil } catch let error as EngineError { return error } catch { return nil }
    }

    static let draft = QuoteDraft(lines: [QuoteLine(productID: UUID.derived("product", "meter"), productName: "Meter",
                                                    unitPrice: Money(100, .cny), quantity: 2)])

    static func create(_ f: EngineFixture, _ label: String, customer: UUID, code: String) async throws -> Quote.State {
        let id = UUID.derived("quote", label)
        try await f.engine.execute(Quote.self, id: id, .create(quoteID: id, customerID: customer, customerCode: code, date: try EngineFixture.day("2026-01-02"),
                                                               sequence: 0, draft: draft, authorRole: "Administrator", limits: []), as: f.admin)
        return try await f.engine.state(Quote.self, id: id, as: f.admin).state
    }

    @Test func aQuoteIsNotNumberedWithTheCodeMadeFromAnotherCustomersID() async throws {
        let f = try await EngineFixture.make("quote-code-other")
        try await f.meterProduct()
        let mine = try await f.customer("Mine", branch: "north")
        let theirs = try await f.customer("Theirs", branch: "north")
        let head = try await f.engine.store.headPosition()
        for code in [Quote.code(of: theirs), Quote.code(of: theirs).lowercased(), " \(Quote.code(of: theirs)) "] {
            let refused = await Self.refusal { _ = try await Self.create(f, "other-\(code)", customer: mine, code: code) }
            #expect(refused?.code == .invalid && refused?.field == "customerCode", "\(String(describing: refused))")
            #expect(refused.map { !$0.message.contains(Quote.code(of: theirs)) } == true, "the code typed is not repeated")
        }
        #expect(try await f.engine.store.headPosition() == head, "nothing written")
        await f.close()
    }

    @Test func aQuoteTakesItsCustomersOwnCodeGivenOrNot() async throws {
        let f = try await EngineFixture.make("quote-code-own")
        try await f.meterProduct()
        let customer = try await f.customer("Mine", branch: "north")
        let own = Quote.code(of: customer)
        #expect(try await Self.create(f, "derived", customer: customer, code: "").number == "Q-\(own)-20260102-001")
        #expect(try await Self.create(f, "given", customer: customer, code: own.lowercased()).number == "Q-\(own)-20260102-002")
        // A code not of the form made from an id (a customer number of another system) is still the caller's to give.
        #expect(try await Self.create(f, "named", customer: customer, code: "acme").number == "Q-ACME-20260102-001")
        await f.close()
    }
}
