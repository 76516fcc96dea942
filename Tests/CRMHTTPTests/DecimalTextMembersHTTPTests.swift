@testable import CRMHTTP
import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// Every `Decimal` member of a request body, not only money amounts, quantities and rates, is read as a JSON
/// number or an exact decimal string alike, the target type deciding (pay scheme rates, discount and
/// probability percentages, a custom number value); a string that is no decimal is refused naming the member
/// with nothing written, and a string member beside decimal ones (`{"kind": "text", "value": "12"}`) stays
/// a string.
@Suite struct DecimalTextMembersHTTPTests {
    static let meter = "0190a1b2-0000-7000-8000-0000000000cd"

    @Test func aPaySchemesRatesMayBeDecimalStrings() async throws {
        try await LiveServer.with("decimal-text-pay") { s in
            func scheme(_ third: String) async throws -> LiveServer.Answer {
                try await s.send(.POST, "/v1/settings/pay-scheme", json: """
                    {"currency": "CNY", "basePerDay": "40.50", "defaultRatePerPoint": "0.5", "rates": [{"indicator": "dealsWon", "perPoint": "2"}, {"indicator": "visitsMade", "perPoint": 1.25}, {"indicator": "contactsMade", "perPoint": \(third)}]}
                    """)
            }
            let head = try await s.engine.store.headPosition()
            for bad in [#""two""#, #"" 3""#, "true"] {
                let refused = try await scheme(bad)
                #expect(refused.status == 400 && text(refused.json["field"]) == "rates[2].perPoint", "\(bad): \(refused.text)")
                #expect(!refused.text.contains("two") && !refused.text.contains("Decimal"), "\(refused.text)")
            }
            #expect(try await s.engine.store.headPosition() == head, "a refused command writes nothing")

            let set = try await scheme(#""0.75""#)
            #expect(set.status == 200, "\(set.text)")
            let settings = try await s.engine.state(Settings.self, id: Routes.singletonID, as: s.admin).state
            let pay = try #require(settings.payScheme)
            #expect(pay.basePerDay == Decimal(string: "40.50") && pay.defaultRatePerPoint == Decimal(string: "0.5"))
            let rates = Dictionary(uniqueKeysWithValues: pay.rates.map { ($0.indicator, $0.perPoint) })
            #expect(rates == ["dealsWon": 2, "visitsMade": Decimal(string: "1.25") ?? 0, "contactsMade": Decimal(string: "0.75") ?? 0])
        }
    }

    @Test func aQuotesDiscountPercentagesMayBeDecimalStrings() async throws {
        try await LiveServer.with("decimal-text-discount") { s in
            _ = try await s.created("/v1/products", #"{"id": "\#(Self.meter)", "productLine": "gas", "name": "Meter", "standardPrice": {"amount": "840.00", "currency": "CNY"}}"#)
            let customer = try await s.created("/v1/customers", #"{"kind": "organisation", "name": "Acme Gas", "group": "business", "branch": "head-office"}"#)
            func quote(_ second: String) async throws -> LiveServer.Answer {
                try await s.send(.POST, "/v1/quotes", json: """
                    {"customerId": "\(customer)", "authorRole": "Administrator", "draft": {"discountPercent": "1.5", "lines": [{"productID": "\(Self.meter)", "quantity": 1, "discountPercent": "2.5"}, {"productID": "\(Self.meter)", "quantity": "2", "discountPercent": \(second)}]}}
                    """)
            }
            let head = try await s.engine.store.headPosition()
            let refused = try await quote(#""half""#)
            #expect(refused.status == 400 && text(refused.json["field"]) == "draft.lines[1].discountPercent", "\(refused.text)")
            #expect(try await s.engine.store.headPosition() == head, "a refused command writes nothing")

            let made = try await quote(#""3""#)
            #expect(made.status == 201, "\(made.text)")
            let idText = try #require(text(made.json["id"]))
            let id = try #require(UUID(uuidString: idText))
            let state = try await s.engine.state(Quote.self, id: id, as: s.admin).state
            let draft = try #require(state.current?.draft)
            #expect(draft.discountPercent == Decimal(string: "1.5"))
            #expect(draft.lines.map(\.discountPercent) == [Decimal(string: "2.5"), 3].compactMap { $0 })
        }
    }

    @Test func anOpportunitysWinProbabilityMayBeADecimalString() async throws {
        try await LiveServer.with("decimal-text-probability") { s in
            let customer = try await s.created("/v1/customers", #"{"kind": "person", "name": "Sun Li", "group": "residential", "branch": "head-office"}"#)
            let opportunity = try await s.created("/v1/opportunities", #"{"customerId": "\#(customer)", "owner": "\#(s.admin.id)", "title": "Boiler", "source": "visit", "expectedRevenue": {"amount": 5000, "currency": "CNY"}, "closeDate": "2026-03-31"}"#)
            let head = try await s.engine.store.headPosition()
            let refused = try await s.send(.POST, "/v1/opportunities/\(opportunity)/probability", json: #"{"percent": "most", "reason": "r"}"#)
            #expect(refused.status == 400 && text(refused.json["field"]) == "percent", "\(refused.text)")
            #expect(try await s.engine.store.headPosition() == head, "a refused command writes nothing")
            try await s.expect(.POST, "/v1/opportunities/\(opportunity)/probability", #"{"percent": "62.5", "reason": "signed letter of intent"}"#)
            let id = try #require(UUID(uuidString: opportunity))
            #expect(try await s.engine.state(Opportunity.self, id: id, as: s.admin).state.overriddenProbability == Decimal(string: "62.5"))
        }
    }

    @Test func aDecimalStringBesideAStringOfTheSameMemberIsReadByItsOwnType() throws {
        let body: JSONValue = .array([
            .object(["field": .string("reading"), "value": .object(["kind": .string("number"), "value": .string("1.5")])]),
            .object(["field": .string("code"), "value": .object(["kind": .string("text"), "value": .string("12")])]),
            .object(["field": .string("count"), "value": .object(["kind": .string("number"), "value": .string("2")])]),
            .object(["field": .string("note"), "value": .object(["kind": .string("text"), "value": .string("007")])]),
        ])
        let values = try JSONValue.decode(body, [FeedbackValue].self, field: "values")
        #expect(values.map(\.value) == [.number(Decimal(string: "1.5") ?? 0), .text("12"), .number(2), .text("007")])

        var bad = body
        if case .array(var items) = bad {
            items[2] = .object(["field": .string("count"), "value": .object(["kind": .string("number"), "value": .string("two")])])
            bad = .array(items)
        }
        #expect(throws: Problem.self) { try JSONValue.decode(bad, [FeedbackValue].self, field: "values") }
        do {
            _ = try JSONValue.decode(bad, [FeedbackValue].self, field: "values")
        } catch let problem as Problem {
            #expect(problem.field == "values[2].value.value", "\(problem)")
        }
    }

    @Test func aCustomNumberValueMayBeADecimalString() throws {
        #expect(try FieldValue.from(.object(["kind": .string("number"), "value": .string("3.25")]), field: "customFields.size") == .number(Decimal(string: "3.25") ?? 0))
        do {
            _ = try FieldValue.from(.object(["kind": .string("number"), "value": .string("big")]), field: "customFields.size")
            Issue.record("a string that is no decimal is refused")
        } catch let problem as Problem {
            #expect(problem.field == "customFields.size.value" && !problem.detail.contains("big"), "\(problem)")
        }
    }

    @Test func pastSixtyFourRetriesADecimalStringIsRefusedAskingForNumbers() throws {
        func value(_ kind: String, _ text: String) -> JSONValue {
            .object(["field": .string("f"), "value": .object(["kind": .string(kind), "value": .string(text)])])
        }
        let items = [value("number", "1"), value("text", "5")] + (0..<70).map { _ in value("number", "2") }
        do {
            _ = try JSONValue.decode(.array(items), [FeedbackValue].self, field: "values")
            Issue.record("a body needing more than 64 retries is refused")
        } catch let problem as Problem {
            #expect(problem.field?.hasPrefix("values[") == true && problem.detail.contains("send numbers"), "\(problem)")
        }
    }

    @Test func aLongListOfDecimalStringsIsReadInOneRetry() throws {
        let lines = (0..<500).map { index in JSONValue.object(["indicator": .string("i\(index)"), "perPoint": .string("\(index).5")]) }
        let body: JSONValue = .object(["currency": .string("CNY"), "basePerDay": .number(1), "defaultRatePerPoint": .string("0.5"), "rates": .array(lines)])
        let scheme = try JSONValue.decode(body, PayScheme.self, field: "")
        #expect(scheme.rates.count == 500 && scheme.rates.last?.perPoint == Decimal(string: "499.5"))
    }
}
