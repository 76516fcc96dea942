import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import Foundation
import Testing

/// Quotes priced from the catalog, contracts drafted from accepted quotes and pipeline rows with the
/// probability the forecast uses, over real HTTP (exploratory findings, round 4).
@Suite struct SalesRound4HTTPTests {
    static let meter = "0190a1b2-0000-7000-8000-0000000000cc"

    static func setUp(_ s: LiveServer) async throws -> String {
        _ = try await s.created("/v1/products", #"{"id": "\#(meter)", "productLine": "gas", "name": "Smart gas meter", "standardPrice": {"amount": 840, "currency": "CNY"}}"#)
        return try #require(text(try await s.send(.POST, "/v1/customers", json: #"{"kind": "organisation", "name": "Acme Gas", "group": "business", "branch": "head-office"}"#).json["id"]))
    }

    static func contractBody(_ customer: String, _ owner: String, quote: String, lines: String?) -> String {
        """
        {"customerId": "\(customer)", "owner": "\(owner)", "title": "Meters", "quoteId": "\(quote)",\(lines.map { #" "lines": \#($0),"# } ?? "")
         "terms": {"effective": "2026-02-01", "serviceStart": "2026-02-01", "expiry": "2027-01-31"}}
        """
    }

    @Test func aQuoteLineWithoutNameOrPriceIsPricedFromTheCatalog() async throws {
        try await LiveServer.with("r4-quote-catalog") { s in
            let customer = try await Self.setUp(s)
            let quote = try await s.send(.POST, "/v1/quotes", json: """
                {"customerId": "\(customer)", "authorRole": "Administrator", "draft": {"lines": [{"productID": "\(Self.meter)", "quantity": 10}]}}
                """)
            #expect(quote.status == 201, "\(quote.text)")
            let id = try #require(text(quote.json["id"]))
            let state = try await s.engine.state(Quote.self, id: try #require(UUID(uuidString: id)), as: s.admin).state
            #expect(state.current?.draft.lines.map(\.productName) == ["Smart gas meter"])
            #expect(state.current?.draft.lines.map(\.unitPrice) == [Money(840, .cny)])
            // A price given is still judged.
            let cheap = try await s.send(.POST, "/v1/quotes", json: """
                {"customerId": "\(customer)", "authorRole": "Administrator",
                 "draft": {"lines": [{"productID": "\(Self.meter)", "quantity": 10, "unitPrice": {"amount": 1, "currency": "CNY"}}]}}
                """)
            #expect(cheap.status == 400 && text(cheap.json["field"]) == "lines.unitPrice", "\(cheap.text)")
        }
    }

    @Test func aContractOverHTTPNeedsAnAcceptedQuoteAndItsAgreedPrices() async throws {
        try await LiveServer.with("r4-contract") { s in
            let customer = try await Self.setUp(s)
            let quote = try #require(text(try await s.send(.POST, "/v1/quotes", json: """
                {"customerId": "\(customer)", "authorRole": "Administrator", "draft": {"lines": [{"productID": "\(Self.meter)", "quantity": 10}]}}
                """).json["id"]))
            let cheap = #"[{"productID": "\#(Self.meter)", "name": "Smart gas meter", "quantity": 10, "unitPrice": {"amount": 1, "currency": "CNY"}}]"#
            let notAccepted = try await s.send(.POST, "/v1/contracts", json: Self.contractBody(customer, s.admin.id, quote: quote, lines: cheap))
            #expect(notAccepted.status == 400 && text(notAccepted.json["field"]) == "quoteId", "\(notAccepted.text)")
            #expect(try await s.send(.POST, "/v1/quotes/\(quote)/accept").status == 200)
            let tooCheap = try await s.send(.POST, "/v1/contracts", json: Self.contractBody(customer, s.admin.id, quote: quote, lines: cheap))
            #expect(tooCheap.status == 400 && text(tooCheap.json["field"]) == "lines.unitPrice", "\(tooCheap.text)")
            let unicorn = #"[{"productID": "00000000-0000-0000-0000-000000000009", "name": "Free unicorn", "quantity": 1, "unitPrice": {"amount": 1, "currency": "CNY"}}]"#
            let unknown = try await s.send(.POST, "/v1/contracts", json: Self.contractBody(customer, s.admin.id, quote: quote, lines: unicorn))
            #expect(unknown.status == 400 && text(unknown.json["field"]) == "lines.productID", "\(unknown.text)")
            // Without lines: the quote's.
            let drafted = try await s.send(.POST, "/v1/contracts", json: Self.contractBody(customer, s.admin.id, quote: quote, lines: nil))
            #expect(drafted.status == 201, "\(drafted.text)")
            let contract = try #require(text(drafted.json["id"]))
            let state = try await s.engine.state(Contract.self, id: try #require(UUID(uuidString: contract)), as: s.admin).state
            #expect(state.lines.map(\.unitPrice) == [Money(840, .cny)] && state.lines.map(\.quantity) == [10])
            let changed = try await s.send(.POST, "/v1/contracts/\(contract)/lines", json: #"{"lines": \#(unicorn)}"#)
            #expect(changed.status == 400 && text(changed.json["field"]) == "lines.productID", "\(changed.text)")
        }
    }

    @Test func aPipelineRowShowsTheProbabilityTheForecastUses() async throws {
        try await LiveServer.with("r4-pipeline") { s in
            let customer = try await Self.setUp(s)
            let opened = try await s.send(.POST, "/v1/opportunities", json: """
                {"customerId": "\(customer)", "title": "Meters", "source": "web", "owner": "\(s.admin.id)",
                 "expectedRevenue": {"amount": 1000, "currency": "CNY"}, "closeDate": "2026-06-30"}
                """)
            #expect(opened.status == 201, "\(opened.text)")
            let head = try await s.engine.store.headPosition()
            let list = try await s.send(.GET, "/v1/opportunities?consistentWith=\(head.rawValue)")
            let row = try #require((list.json["items"] as? [[String: Any]])?.first, "\(list.text)")
            let expected = OpportunityPipeline.defaultProbability(stage: Pipeline.default.stages[0], in: Pipeline.default.stages)
            #expect(text(row["probability"]) == "\(expected)" && text(row["probabilitySource"]) == "stageDefault", "\(row)")
        }
    }
}
