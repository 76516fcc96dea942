import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import NIOHTTP1
import Testing

/// `GET /v1/revenue` (R-SAL-6): by charge item per quarter in USD with growth and share; bad values are 400s
/// naming their parameter, a missing exchange rate a 422 naming the pair.
@Suite struct RevenueReportHTTPTests {
    static func refused(_ s: LiveServer, _ query: String, field: String, status: Int = 400, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let answer = try await s.send(.GET, "/v1/revenue?" + query)
        #expect(answer.status == status && text(answer.json["field"]) == field, "\(query): \(answer.status) \(answer.text.prefix(300))",
                sourceLocation: sourceLocation)
    }

    @Test func chargeItemsPerQuarterInUSDCarryGrowthShareAndTheComparedRange() async throws {
        try await LiveServer.with("revenue-report") { s in
            let customer = try await s.created("/v1/customers", #"{"kind": "person", "name": "Li Wei", "group": "residential", "branch": "head-office"}"#).lowercased()
            try await s.expect(.POST, "/v1/settings/exchange-rates", #"{"from": "USD", "to": "CNY", "rate": 8, "validFrom": "2025-01-01"}"#)
            for (charge, day, amount) in [("monthly fee", "2025-12-01", 80), ("monthly fee", "2026-01-05", 160), ("installation", "2026-03-31", 160)] {
                try await s.expect(.POST, "/v1/revenue/entries", #"{"customerId": "\#(customer)", "chargeItem": "\#(charge)", "businessLine": "gas", "date": "\#(day)", "amount": {"amount": \#(amount), "currency": "CNY"}}"#, status: 201)
            }
            let head = try await s.engine.store.headPosition().rawValue
            let answer = try await s.expect(.GET, "/v1/revenue?by=chargeItem&period=quarter&from=2026-01&through=2026-03&currency=USD&consistentWith=\(head)")
            #expect(text(answer.json["currency"]) == "USD" && text(answer.json["period"]) == "quarter" && text(answer.json["total"]) == "40")
            #expect(text(answer.json["compareFrom"]) == "2025-10" && text(answer.json["compareThrough"]) == "2025-12")
            let items = try #require(answer.json["items"] as? [[String: Any]], "\(answer.text)")
            #expect(items.map { row in ["period", "key", "amount", "previousAmount", "growthPercent", "sharePercent"].map { text(row[$0]) ?? "null" }.joined(separator: " ") }
                == ["2026-Q1 installation 20 0 null 50", "2026-Q1 monthly fee 20 10 100 50"], "\(answer.text)")

            // An entry in a currency the rates do not convert is refused where it comes in (field `amount`): it would
            // refuse the reports to everyone.
            let eur = try await s.send(.POST, "/v1/revenue/entries", json: #"{"customerId": "\#(customer)", "chargeItem": "meter", "businessLine": "gas", "date": "2026-02-01", "amount": {"amount": 3, "currency": "EUR"}}"#)
            #expect(eur.status == 422 && text(eur.json["field"]) == "amount" && text(eur.json["reason"]) == "invalid", "\(eur.text)")
            // A report in a currency without a rate valid on the entries' days: refused, naming the pair.
            let missing = try await s.send(.GET, "/v1/revenue?by=chargeItem&from=2026-01&through=2026-03&currency=EUR&consistentWith=\(try await s.engine.store.headPosition().rawValue)")
            #expect(missing.status == 422 && text(missing.json["field"]) == "exchangeRates" && missing.text.contains("CNY→EUR"), "\(missing.text)")
        }
    }

    @Test func unknownDimensionsPeriodsCurrenciesAndPartialQuartersAre400s() async throws {
        try await LiveServer.with("revenue-report-bad") { s in
            try await Self.refused(s, "by=colour&from=2026-01&through=2026-03", field: "by")
            try await Self.refused(s, "by=chargeItem&period=week&from=2026-01&through=2026-03", field: "period")
            try await Self.refused(s, "by=chargeItem&currency=usd&from=2026-01&through=2026-03", field: "currency")
            try await Self.refused(s, "by=chargeItem&currency=ABC&from=2026-01&through=2026-03", field: "currency")
            try await Self.refused(s, "by=chargeItem&period=quarter&from=2026-02&through=2026-03", field: "from")
            try await Self.refused(s, "by=year&from=2026-01&through=2026-06", field: "through")
            try await Self.refused(s, "by=month&period=year&from=2026-01&through=2026-12", field: "period")
            // A year no calendar has: a 400, never an overflow that stops the server.
            try await Self.refused(s, "from=100000000000000000-01&through=100000000000000000-01", field: "from")
            try await Self.refused(s, "from=2026-01&through=99999-12", field: "through")
            let explained = try await s.send(.GET, "/v1/reports/revenue-explanation?baseFrom=100000000000000000-01&baseThrough=100000000000000000-02&from=2026-01&through=2026-02")
            #expect(explained.status == 400, "\(explained.status) \(explained.text.prefix(200))")
            try await s.expect(.GET, "/v1/revenue?by=businessLine&period=year&from=2026-01&through=2026-12")
        }
    }
}
