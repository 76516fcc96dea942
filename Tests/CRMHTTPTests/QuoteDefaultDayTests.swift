import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// A quote created without a `date` is of today in its customer's branch calendar, not of the UTC day: a
/// quote created in a Shanghai branch after 16:00 UTC is of the next day there (its date and its number). A
/// `date` given is kept as it is.
@Suite(.serialized) struct QuoteDefaultDayTests {
    static let meter = "0190a1b2-0000-7000-8000-0000000000cd"

    static func create(_ s: LiveServer, customer: String, date: String? = nil) async throws -> Quote.State {
        let answer = try await s.send(.POST, "/v1/quotes", json: """
            {"customerId": "\(customer)", "authorRole": "Administrator"\(date.map { #", "date": "\#($0)""# } ?? ""),
             "draft": {"lines": [{"productID": "\(Self.meter)", "productName": "Meter", "quantity": 1,
                                  "unitPrice": {"amount": 100, "currency": "CNY"}, "discountPercent": 0}], "discountPercent": 0, "validUntil": "2026-03-31"}}
            """)
        #expect(answer.status == 201, "\(answer.status) \(answer.text.prefix(300))")
        let idText = try #require(text(answer.json["id"]))
        let id = try #require(UUID(uuidString: idText))
        return try await s.engine.state(Quote.self, id: id, as: s.admin).state
    }

    /// The quote number's date part (`Q-<code>-<YYYYMMDD>-<NNN>`).
    static func day(of quote: Quote.State) -> String? {
        quote.number.split(separator: "-").dropLast().last.map(String.init)
    }

    @Test func aQuoteWithoutADateIsOfTodayInItsCustomersBranch() async throws {
        try await LiveServer.with("quote-default-day") { s in
            try await s.engine.execute(Settings.self, id: UUID(), .setBranchTimeZone(branch: "east", timeZoneID: "Asia/Shanghai"), as: s.admin)
            try await s.engine.execute(Settings.self, id: UUID(), .setBranchTimeZone(branch: "west", timeZoneID: "America/Los_Angeles"), as: s.admin)
            _ = try await s.created("/v1/products", #"{"id": "\#(Self.meter)", "productLine": "gas", "name": "Meter", "standardPrice": {"amount": 100, "currency": "CNY"}}"#)
            let east = try await s.created("/v1/customers", #"{"kind": "person", "name": "Zhao Lei", "group": "residential", "branch": "east"}"#)
            let west = try await s.created("/v1/customers", #"{"kind": "person", "name": "Ann West", "group": "residential", "branch": "west"}"#)
            let head = try await s.created("/v1/customers", #"{"kind": "person", "name": "Hal Head", "group": "residential", "branch": "head-office"}"#)

            // 17:00 UTC on 1 January: 01:00 on 2 January in Shanghai, 09:00 on 1 January in Los Angeles.
            s.clock.set(Date(timeIntervalSince1970: 1_767_225_600 + 17 * 3600))
            #expect(Self.day(of: try await Self.create(s, customer: east)) == "20260102")
            #expect(Self.day(of: try await Self.create(s, customer: west)) == "20260101")
            // 03:00 UTC on 2 January: 19:00 on 1 January in Los Angeles; a branch without a zone keeps UTC's day.
            s.clock.set(Date(timeIntervalSince1970: 1_767_225_600 + 27 * 3600))
            #expect(Self.day(of: try await Self.create(s, customer: west)) == "20260101")
            #expect(Self.day(of: try await Self.create(s, customer: head)) == "20260102")
            // A date given is the quote's, whatever the branch's day.
            #expect(Self.day(of: try await Self.create(s, customer: east, date: "2025-12-20")) == "20251220")
        }
    }
}
