@testable import CRMHTTP
import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// Quantities and exchange rates in request bodies are read as money amounts are: a JSON number or an exact
/// decimal string (`"2.5"`), anything else refused naming the field with nothing written, and the domain's one
/// bound (less than 10^15) holds for either form.
@Suite struct QuantityAndRateTextHTTPTests {
    static let meter = "0190a1b2-0000-7000-8000-0000000000cc"

    @Test func aQuoteLinesQuantityMayBeADecimalString() async throws {
        try await LiveServer.with("quantity-text-quote") { s in
            _ = try await s.created("/v1/products", #"{"id": "\#(Self.meter)", "productLine": "gas", "name": "Meter", "standardPrice": {"amount": "840.00", "currency": "CNY"}}"#)
            let customer = try await s.created("/v1/customers", #"{"kind": "organisation", "name": "Acme Gas", "group": "business", "branch": "head-office"}"#)
            func quote(_ quantity: String) async throws -> LiveServer.Answer {
                try await s.send(.POST, "/v1/quotes", json: """
                    {"customerId": "\(customer)", "authorRole": "Administrator", "draft": {"lines": [{"productID": "\(Self.meter)", "quantity": \(quantity)}]}}
                    """)
            }
            let head = try await s.engine.store.headPosition()
            for quantity in [#""two""#, #"" 2""#, #""2.""#, "true"] {
                let refused = try await quote(quantity)
                #expect(refused.status == 400 && text(refused.json["field"]) == "draft.lines[0].quantity", "\(quantity): \(refused.text)")
                #expect(!refused.text.contains("two") && !refused.text.contains("Decimal"), "\(refused.text)")
            }
            let huge = try await quote(#""1e15""#)
            #expect([400, 422].contains(huge.status) && text(huge.json["field"])?.hasSuffix("quantity") == true, "\(huge.text)")
            #expect(try await s.engine.store.headPosition() == head, "a refused command writes nothing")

            let made = try await quote(#""2.5""#)
            #expect(made.status == 201, "\(made.text)")
            let idText = try #require(text(made.json["id"]))
            let id = try #require(UUID(uuidString: idText))
            let state = try await s.engine.state(Quote.self, id: id, as: s.admin).state
            #expect(state.current?.draft.lines.first?.quantity == Decimal(string: "2.5"))
        }
    }

    @Test func aUsageReadingsAndAConnectionMaterialsQuantityMayBeADecimalString() async throws {
        try await LiveServer.with("quantity-text-usage") { s in
            let customer = try await s.created("/v1/customers", #"{"kind": "person", "name": "Sun Li", "group": "residential", "branch": "head-office"}"#)
            func usage(_ quantity: String) async throws -> LiveServer.Answer {
                try await s.send(.POST, "/v1/revenue/usage", json: """
                    {"customerId": "\(customer)", "meter": "M1", "periodStart": "2025-11-01", "periodEnd": "2025-11-30", "quantity": \(quantity), "unit": "m3"}
                    """)
            }
            let head = try await s.engine.store.headPosition()
            let refused = try await usage(#""lots""#)
            #expect(refused.status == 400 && text(refused.json["field"]) == "quantity", "\(refused.text)")
            let huge = try await usage(#""1000000000000000""#)
            #expect([400, 422].contains(huge.status) && text(huge.json["field"]) == "quantity", "\(huge.text)")
            #expect(try await s.engine.store.headPosition() == head, "a refused command writes nothing")
            #expect(try await usage(#""12.5""#).status == 201)
            let customerID = try #require(UUID(uuidString: customer))
            let ledger = try await s.engine.state(RevenueLedger.self, id: RevenueLedger.id(customerID: customerID), as: s.admin).state
            #expect(ledger.readings.map(\.quantity) == [Decimal(string: "12.5")])

            let connection = try await s.created("/v1/connections", #"{"customerId": "\#(customer)", "address": "1 Gas Road", "deadline": "2026-04-01T00:00:00Z", "assignee": "\#(s.admin.id)"}"#)
            let material = try await s.send(.POST, "/v1/connections/\(connection)/materials", json: #"{"name": "pipe", "quantity": "pipe", "unit": "m"}"#)
            #expect(material.status == 400 && text(material.json["field"]) == "quantity", "\(material.text)")
            try await s.expect(.POST, "/v1/connections/\(connection)/materials", #"{"name": "pipe", "quantity": "12.5", "unit": "m"}"#)
        }
    }

    @Test func anExchangeRateMayBeADecimalString() async throws {
        try await LiveServer.with("rate-text") { s in
            func rate(_ value: String) async throws -> LiveServer.Answer {
                try await s.send(.POST, "/v1/settings/exchange-rates", json: #"{"from": "USD", "to": "CNY", "rate": \#(value), "validFrom": "2026-01-01"}"#)
            }
            let head = try await s.engine.store.headPosition()
            for value in [#""seven""#, #""7,2""#, "[7]"] {
                let refused = try await rate(value)
                #expect(refused.status == 400 && text(refused.json["field"]) == "rate", "\(value): \(refused.text)")
            }
            let huge = try await rate(#""1e15""#)
            #expect([400, 422].contains(huge.status) && text(huge.json["field"]) == "rate", "\(huge.text)")
            #expect(try await s.engine.store.headPosition() == head, "a refused command writes nothing")
            #expect(try await rate(#""7.20""#).status == 200)
            let settings = try await s.engine.state(Settings.self, id: Routes.singletonID, as: s.admin).state
            #expect(settings.exchangeRates.map(\.rate) == [Decimal(string: "7.20")])
        }
    }

    @Test func aRevenueEntryDatedMoreThanAYearAheadIsRefusedNamingDate() async throws {
        try await LiveServer.with("revenue-date-bound") { s in
            let customer = try await s.created("/v1/customers", #"{"kind": "person", "name": "Sun Li", "group": "residential", "branch": "head-office"}"#)
            func entry(_ day: String) async throws -> LiveServer.Answer {
                try await s.send(.POST, "/v1/revenue/entries", json: """
                    {"customerId": "\(customer)", "chargeItem": "gas", "businessLine": "gas", "date": "\(day)", "amount": {"amount": "100", "currency": "CNY"}}
                    """)
            }
            let head = try await s.engine.store.headPosition()
            let refused = try await entry("2099-01-01")
            #expect([400, 422].contains(refused.status) && text(refused.json["field"]) == "date", "\(refused.text)")
            #expect(!refused.text.contains("2099"), "the value is not repeated")
            #expect(try await s.engine.store.headPosition() == head, "a refused command writes nothing")
            #expect(try await entry("2026-12-01").status == 201)
        }
    }
}
