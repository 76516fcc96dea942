@testable import CRMHTTP
import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// Money amounts and quantities in request bodies: a number a decimal cannot hold exactly is refused naming
/// its field (never rounded to 38 digits), every money amount is read one way — a number or a decimal string
/// — and the domain's one bound (less than 10^15) holds over HTTP, writing nothing when it refuses.
@Suite struct MoneyInputHTTPTests {
    /// 41 nines: a `Decimal` keeps 38 significant digits and rounded the rest away.
    static let tooManyDigits = String(repeating: "9", count: 41)

    static func parse(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    @Test func theReaderRefusesANumberADecimalCannotHoldExactlyAndNamesWhereItIs() throws {
        #expect(throws: JSONParser.Malformed(offset: 27, inexactNumber: true, field: "a.b[1].amount")) {
            try Self.parse(#"{"a": {"b": [1, {"amount": \#(Self.tooManyDigits)}]}}"#)
        }
        #expect(throws: JSONParser.Malformed(offset: 0, inexactNumber: true)) { try Self.parse(Self.tooManyDigits) }
        for text in [Self.tooManyDigits, String(repeating: "9", count: 39), "340282366920938463463374607431768211456",
                     "1e128", "1e-129", "0.1e-128", "-123456789012345678901234567890123456789.5"] {
            #expect(throws: JSONParser.Malformed.self, "\(text)") { try Self.parse(text) }
        }
        // What a decimal holds exactly is read as it is: 38 digits, the largest 39-digit significand, trailing
        // zeros (not significant), the ends of the exponent range, zero with any exponent.
        let exact: [(String, String)] = [
            (String(repeating: "9", count: 38), String(repeating: "9", count: 38)),
            ("340282366920938463463374607431768211455", "340282366920938463463374607431768211455"),
            (String(repeating: "1", count: 39), String(repeating: "1", count: 39)),
            ("1" + String(repeating: "0", count: 45), "1" + String(repeating: "0", count: 45)),
            ("99999999999999999999999999999999999999000", "99999999999999999999999999999999999999000"),
            ("-12.50", "-12.5"), ("1.5e2", "150"), ("0.000001", "0.000001"), ("0e999", "0"), ("-0", "0"),
        ]
        for (text, value) in exact {
            #expect(try Self.parse(text) == .number(try #require(Decimal(string: value))), "\(text)")
        }
        #expect(try Self.parse("1e127") != .null)
        #expect(try Self.parse("1e-128") != .null)
    }

    @Test func aCustomMoneyValueWithMoreDigitsThanADecimalHoldsIsRefusedNamingTheAmountAndWritesNothing() async throws {
        try await LiveServer.with("money-digits") { s in
            _ = try await s.expect(.POST, "/v1/forms", #"{"group": "residential", "fields": [{"name": "creditLimit", "label": "Credit limit", "type": "money", "required": false, "options": []}, {"name": "meters", "label": "Meters", "type": "number", "required": false, "options": []}]}"#, status: 201)
            let head = try await s.engine.store.headPosition()
            for amount in [Self.tooManyDigits, "\"\(Self.tooManyDigits)\""] {
                let refused = try await s.send(.POST, "/v1/customers", json: #"{"kind": "person", "name": "Sun Li", "group": "residential", "branch": "A", "customFields": {"creditLimit": {"kind": "money", "value": {"amount": \#(amount), "currency": "CNY"}}}}"#)
                #expect(refused.status == 400 && text(refused.json["field"]) == "customFields.creditLimit.value.amount", "\(refused.text)")
                #expect(!refused.text.contains(Self.tooManyDigits), "the value is not repeated")
            }
            // A number the reader holds exactly but past the domain's bound is refused by the form's rule.
            let large = try await s.send(.POST, "/v1/customers", json: #"{"kind": "person", "name": "Sun Li", "group": "residential", "branch": "A", "customFields": {"meters": {"kind": "number", "value": 1e15}}}"#)
            #expect([400, 422].contains(large.status) && text(large.json["field"])?.hasSuffix("meters") == true, "\(large.text)")
            #expect(try await s.engine.store.headPosition() == head, "a refused command writes nothing")
            _ = try await s.created("/v1/customers", #"{"kind": "person", "name": "Sun Li", "group": "residential", "branch": "A", "customFields": {"creditLimit": {"kind": "money", "value": {"amount": "999999999999999.99", "currency": "CNY"}}}}"#)
        }
    }

    @Test func anOpportunitysRevenueIsReadAsANumberOrADecimalStringAndBoundedBelowTenToTheFifteen() async throws {
        try await LiveServer.with("money-opportunity") { s in
            let customer = try #require(text(try await s.send(.POST, "/v1/customers", json: #"{"kind": "organisation", "name": "Acme Gas", "group": "business", "branch": "head-office"}"#).json["id"]))
            func open(_ money: String) async throws -> LiveServer.Answer {
                try await s.send(.POST, "/v1/opportunities", json: """
                    {"customerId": "\(customer)", "title": "Meters", "source": "web", "owner": "\(s.admin.id)",
                     "expectedRevenue": \(money), "closeDate": "2026-06-30"}
                    """)
            }
            // As answers write amounts: a decimal string.
            let opened = try await open(#"{"amount": "10.50", "currency": "EUR"}"#)
            #expect(opened.status == 201, "\(opened.text)")
            let idText = try #require(text(opened.json["id"]))
            let id = try #require(UUID(uuidString: idText))
            let state = try await s.engine.state(Opportunity.self, id: id, as: s.admin).state
            #expect(state.details?.expectedRevenue == Money(Decimal(string: "10.5") ?? 0, .eur))

            let head = try await s.engine.store.headPosition()
            for (money, field) in [(#"{"amount": "ten", "currency": "EUR"}"#, "expectedRevenue.amount"),
                                   (#"{"amount": " 10", "currency": "EUR"}"#, "expectedRevenue.amount"),
                                   (#"{"amount": true, "currency": "EUR"}"#, "expectedRevenue.amount"),
                                   (#"{"amount": \#(Self.tooManyDigits), "currency": "EUR"}"#, "expectedRevenue.amount"),
                                   (#"{"amount": "\#(Self.tooManyDigits)", "currency": "EUR"}"#, "expectedRevenue.amount")] {
                let refused = try await open(money)
                #expect(refused.status == 400 && text(refused.json["field"]) == field, "\(money): \(refused.text)")
                #expect(!refused.text.contains("Decimal") && !refused.text.contains("Bool"), "no Swift type names: \(refused.text)")
            }
            for money in [#"{"amount": 1000000000000000, "currency": "EUR"}"#, #"{"amount": "-1e15", "currency": "EUR"}"#] {
                let refused = try await open(money)
                #expect([400, 422].contains(refused.status) && text(refused.json["field"]) == "expectedRevenue", "\(money): \(refused.text)")
            }
            let edited = try await s.send(.POST, "/v1/opportunities/\(id.lowercasedString)/edit", json: """
                {"title": "Meters", "source": "web", "expectedRevenue": {"amount": "1e15", "currency": "EUR"}, "closeDate": "2026-06-30"}
                """)
            #expect([400, 422].contains(edited.status) && text(edited.json["field"]) == "expectedRevenue", "\(edited.text)")
            #expect(try await s.engine.store.headPosition() == head, "a refused command writes nothing")
        }
    }

    @Test func aQuoteLinesHugeQuantityAndAProductsHugePriceAreRefused() async throws {
        try await LiveServer.with("money-quote") { s in
            let meter = "0190a1b2-0000-7000-8000-0000000000cc"
            let price = try await s.send(.POST, "/v1/products", json: #"{"id": "\#(meter)", "productLine": "gas", "name": "Meter", "standardPrice": {"amount": 1e41, "currency": "CNY"}}"#)
            #expect([400, 422].contains(price.status) && text(price.json["field"]) == "standardPrice", "\(price.text)")
            _ = try await s.created("/v1/products", #"{"id": "\#(meter)", "productLine": "gas", "name": "Meter", "standardPrice": {"amount": "840.00", "currency": "CNY"}}"#)
            let customer = try #require(text(try await s.send(.POST, "/v1/customers", json: #"{"kind": "organisation", "name": "Acme Gas", "group": "business", "branch": "head-office"}"#).json["id"]))
            let head = try await s.engine.store.headPosition()
            let quote = try await s.send(.POST, "/v1/quotes", json: """
                {"customerId": "\(customer)", "authorRole": "Administrator", "draft": {"lines": [{"productID": "\(meter)", "quantity": 99999999999999999999999}]}}
                """)
            #expect([400, 422].contains(quote.status) && text(quote.json["field"])?.hasSuffix("quantity") == true, "\(quote.text)")
            #expect(try await s.engine.store.headPosition() == head, "a refused command writes nothing")
            // A line's unit price may be a decimal string like every other amount.
            let priced = try await s.send(.POST, "/v1/quotes", json: """
                {"customerId": "\(customer)", "authorRole": "Administrator",
                 "draft": {"lines": [{"productID": "\(meter)", "quantity": 2, "unitPrice": {"amount": "840.00", "currency": "CNY"}}]}}
                """)
            #expect(priced.status == 201, "\(priced.text)")
        }
    }
}
