import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import NIOHTTP1
import Testing

/// The report routes' parameters: months strictly `YYYY-MM`, the first not after the last, a `by` only where a
/// report groups by something, daily pay of an unknown employee a 404, reports without a day reading each
/// record's own branch's today, and revenue by manager converting other currencies (a missing rate a 422).
@Suite struct ReportParametersTests {
    static func refused(_ s: LiveServer, _ path: String, field: String, status: Int = 400, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let answer = try await s.send(.GET, path)
        #expect(answer.status == status && text(answer.json["field"]) == field, "\(path): \(answer.status) \(answer.text.prefix(300))",
                sourceLocation: sourceLocation)
    }

    @Test func malformedMonthsReversedRangesAndAnUnexpectedByAre400s() async throws {
        try await LiveServer.with("report-parameters") { s in
            for month in ["2026-3", "26-03", "+2026-03", "2026-003"] {
                try await Self.refused(s, "/v1/reports/tables/overdue?from=\(month)", field: "from")
                try await Self.refused(s, "/v1/reports/tables/overdue?from=2026-03&through=\(month)", field: "through")
                try await Self.refused(s, "/v1/reports/kpi?month=\(month)", field: "month")
                try await Self.refused(s, "/v1/reports/overdue-tickets?month=\(month)", field: "month")
                try await Self.refused(s, "/v1/reports/revenue-explanation?baseFrom=\(month)&baseThrough=2026-02&from=2026-03&through=2026-03", field: "baseFrom")
            }
            try await Self.refused(s, "/v1/reports/tables/overdue?from=2026-04&through=2026-03", field: "from")
            try await Self.refused(s, "/v1/reports/tables/overdue?from=2026-03&by=month", field: "by")
            try await Self.refused(s, "/v1/reports/tables/revenue-by-manager?from=2026-03&by=manager", field: "by")
            for currency in ["XXX", "ABC", "usd"] {
                try await Self.refused(s, "/v1/reports/tables/revenue-by-manager?from=2026-03&currency=\(currency)", field: "currency")
            }
            try await s.expect(.GET, "/v1/reports/tables/overdue?from=2026-03&through=2026-04")
            try await s.expect(.GET, "/v1/reports/tables/costs?from=2026-03&by=category")
            try await s.expect(.GET, "/v1/reports/tables/visit-costs?from=2026-03&by=place")
            try await s.expect(.GET, "/v1/reports/tables/composition?from=2026-03&by=industry")
        }
    }

    @Test func dailyPayOfAnUnknownEmployeeIs404() async throws {
        try await LiveServer.with("daily-pay-unknown") { s in
            try await s.expect(.POST, "/v1/settings/kpi-rules", #"{"rules": [{"indicator": "tasksOnTime", "weight": 10, "target": 1, "bonusPoints": 0}]}"#)
            try await s.expect(.POST, "/v1/settings/pay-scheme", #"{"currency": "CNY", "basePerDay": 100, "defaultRatePerPoint": 1, "rates": []}"#)
            for unknown in [UUID.derived("employee", "nobody").lowercasedString, "nonexistent"] {
                try await s.expect(.GET, "/v1/reports/daily-pay?day=2026-03-10&employee=\(unknown)", status: 404)
            }
            try await s.expect(.GET, "/v1/reports/daily-pay?day=2026-03-10&employee=\(s.admin.id)")
        }
    }

    /// Pacific/Kiritimati is UTC+14: a customer created there at 12:00 UTC on 10 March is created on 11 March.
    @Test func withoutAsOfRFMScoresACustomerCreatedTodayInItsBranch() async throws {
        try await LiveServer.with("rfm-branch-today") { s in
            try await s.engine.execute(Settings.self, id: UUID(), .setBranchTimeZone(branch: "K", timeZoneID: "Pacific/Kiritimati"), as: s.admin)
            s.clock.set(try #require(ISO8601DateFormatter().date(from: "2026-03-10T12:00:00Z")))
            let customer = try await s.created("/v1/customers", #"{"kind": "person", "name": "Tomorrow", "group": "residential", "branch": "K"}"#).lowercased()
            let head = try await s.engine.store.headPosition()
            try await s.engine.views.waitUntil(head)
            let scores = try await s.expect(.GET, "/v1/reports/rfm")
            let ids = ((scores.json["items"] as? [[String: Any]]) ?? []).compactMap { text($0["customerID"])?.lowercased() }
            #expect(ids == [customer], "\(scores.text.prefix(300))")
            // With the UTC day given, the customer did not exist yet.
            let utcDay = try await s.expect(.GET, "/v1/reports/rfm?asOf=2026-03-10")
            #expect(((utcDay.json["items"] as? [[String: Any]]) ?? []).isEmpty, "\(utcDay.text.prefix(300))")
        }
    }

    /// With USD→CNY 7 from 2026-01-01, 100 USD and 200 CNY in March are 900 CNY, as /v1/revenue says; no GBP rate is a 422.
    @Test func revenueByManagerConvertsOtherCurrenciesAndAMissingRateIs422() async throws {
        try await LiveServer.with("manager-currencies") { s in
            let customer = try await s.created("/v1/customers", #"{"kind": "person", "name": "Li Wei", "group": "residential", "branch": "head-office", "owner": "\#(s.admin.id)"}"#).lowercased()
            try await s.expect(.POST, "/v1/settings/exchange-rates", #"{"from": "USD", "to": "CNY", "rate": 7, "validFrom": "2026-01-01"}"#)
            for (amount, currency) in [(100, "USD"), (200, "CNY")] {
                try await s.expect(.POST, "/v1/revenue/entries", #"{"customerId": "\#(customer)", "chargeItem": "fee", "businessLine": "gas", "date": "2026-03-05", "amount": {"amount": \#(amount), "currency": "\#(currency)"}}"#, status: 201)
            }
            let head = try await s.engine.store.headPosition()
            try await s.engine.views.waitUntil(head)
            let revenue = try await s.expect(.GET, "/v1/revenue?from=2026-03&through=2026-03&consistentWith=\(head.rawValue)")
            #expect(text(revenue.json["total"]) == "900")
            let table = try await s.expect(.GET, "/v1/reports/tables/revenue-by-manager?from=2026-03")
            let rows = (table.json["rows"] as? [[String]]) ?? []
            #expect(rows.map { $0.prefix(4).joined(separator: " ") } == ["\(s.admin.id) 1 900 0"], "\(table.text)")
            try await Self.refused(s, "/v1/reports/tables/revenue-by-manager?from=2026-03&currency=GBP", field: "exchangeRates", status: 422)
            try await Self.refused(s, "/v1/reports/revenue-explanation?baseFrom=2026-02&baseThrough=2026-02&from=2026-03&through=2026-03&currency=GBP",
                                   field: "exchangeRates", status: 422)
            let explained = try await s.expect(.GET, "/v1/reports/revenue-explanation?baseFrom=2026-02&baseThrough=2026-02&from=2026-03&through=2026-03")
            #expect(text(explained.json["compareTotal"]) == "900", "\(explained.text.prefix(300))")
        }
    }
}
