import CRMDomain
import EventSourcing
import Foundation
import Testing

/// The customer part of a quote number made from the customer's id (R-SAL-3: numbers from customer + date).
@Suite struct QuoteNumberTests {
    /// Customers created in the same minute (here the same millisecond) share the leading digits of their
    /// UUIDv7 ids — their creation time — but each gets a code, and so a number series, of its own.
    @Test func customersCreatedAtTheSameTimeGetDifferentCodesAndNumbers() throws {
        let ids = SequentialIDGenerator(seed: 11, startMillis: 1_767_225_600_000)
        let customers = (0..<1000).map { _ in ids.next() }
        #expect(Set(customers.map { $0.uuidString.prefix(8) }).count == 1, "the creation time is shared")
        let codes = customers.map(Quote.code(of:))
        #expect(Set(codes).count == customers.count)
        let day = date("2026-01-02")
        let numbers = try customers.map { try Quote.number(customerCode: Quote.code(of: $0), date: day, sequence: 1) }
        #expect(Set(numbers).count == customers.count)
    }

    @Test func theCodeIsTheIdsLastTwelveHexDigitsUpperCasedAndAValidCustomerCode() throws {
        let customer = try #require(UUID(uuidString: "01a21deb-7c4e-7a01-9b3f-3f2a9c1b7d4e"))
        #expect(Quote.code(of: customer) == "3F2A9C1B7D4E")
        #expect(Quote.code(of: customer) == Quote.code(of: try #require(UUID(uuidString: customer.uuidString.lowercased()))))
        #expect(try Quote.number(customerCode: Quote.code(of: customer), date: date("2026-01-02"), sequence: 7) == "Q-3F2A9C1B7D4E-20260102-007")
    }
}
