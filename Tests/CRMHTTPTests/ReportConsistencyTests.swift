import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import Foundation
import Testing

/// The analysis reports read the caller's own write (`consistentWith`, as every other query), a month range
/// the wrong way round says so, and a KPI rule of an indicator the engine does not count is refused.
@Suite struct ReportConsistencyTests {
    static let beyondTheHead = "99999999"

    @Test func rfmKPIDailyPayAndTheReportTablesWaitForTheCallersWrite() async throws {
        try await LiveServer.with("report-consistency") { s in
            let customer = try await s.created("/v1/customers", #"{"kind": "person", "name": "Li Wei", "group": "residential", "branch": "head-office"}"#).lowercased()
            let entry = try await s.expect(.POST, "/v1/revenue/entries", #"{"customerId": "\#(customer)", "chargeItem": "monthly fee", "businessLine": "gas", "date": "2026-02-10", "amount": {"amount": 160, "currency": "CNY"}}"#, status: 201)
            let position = try #require(text(entry.json["position"]))
            let rfm = try await s.expect(.GET, "/v1/reports/rfm?asOf=2026-03-31&consistentWith=\(position)")
            let scored = ((rfm.json["items"] as? [[String: Any]]) ?? []).first { text($0["customerID"])?.lowercased() == customer }
            #expect(text((scored?["input"] as? [String: Any])?["frequency"]) == "1", "\(rfm.text.prefix(500))")
            let table = try await s.expect(.GET, "/v1/reports/tables/revenue-by-manager?from=2026-02&consistentWith=\(position)")
            #expect(table.text.contains("160"), "\(table.text.prefix(500))")

            let rules = try await s.expect(.POST, "/v1/settings/kpi-rules", #"{"rules": [{"indicator": "contactsMade", "weight": 10, "target": 5, "bonusPoints": 0}]}"#)
            try await s.expect(.POST, "/v1/settings/pay-scheme", #"{"currency": "CNY", "basePerDay": 100, "defaultRatePerPoint": 1, "rates": []}"#)
            let rulesPosition = try #require(text(rules.json["position"]))
            let kpi = try await s.expect(.GET, "/v1/reports/kpi?month=2026-01&consistentWith=\(rulesPosition)")
            #expect(((kpi.json["assessments"] as? [[String: Any]]) ?? []).isEmpty == false, "\(kpi.text.prefix(500))")
            try await s.expect(.GET, "/v1/reports/kpi?month=2026-01&by=team&consistentWith=\(rulesPosition)")
            try await s.expect(.GET, "/v1/reports/daily-pay?day=2026-01-05&employee=\(s.admin.id)&consistentWith=\(rulesPosition)")

            // A position no write of this log answered is a 400 naming the parameter, as the revenue explanation answers.
            for path in ["/v1/reports/rfm?limit=1", "/v1/reports/kpi?month=2026-01", "/v1/reports/kpi?month=2026-01&by=team",
                         "/v1/reports/daily-pay?day=2026-01-05", "/v1/reports/tables/costs?from=2026-01",
                         "/v1/reports/revenue-explanation?baseFrom=2026-01&baseThrough=2026-01&from=2026-02&through=2026-02"] {
                let answer = try await s.send(.GET, path + "&consistentWith=" + Self.beyondTheHead)
                #expect(answer.status == 400 && text(answer.json["field"]) == "consistentWith"
                        && text(answer.json["detail"])?.contains("beyond the log's head") == true, "\(path): \(answer.status) \(answer.text.prefix(300))")
            }
        }
    }

    @Test func aMonthRangeTheWrongWayRoundSaysTheFirstComesAfterTheLast() async throws {
        try await LiveServer.with("report-range-text") { s in
            for path in ["/v1/reports/tables/costs?from=2026-07&through=2026-06", "/v1/revenue?from=2026-07&through=2026-06"] {
                let answer = try await s.send(.GET, path)
                #expect(answer.status == 400 && text(answer.json["field"]) == "from", "\(path): \(answer.status) \(answer.text.prefix(300))")
                #expect(text(answer.json["detail"])?.contains("the first month comes after the last") == true, "\(path): \(answer.text.prefix(300))")
            }
        }
    }

    @Test func aKPIRuleOfAnUnknownIndicatorIsRefusedAndNothingIsWritten() async throws {
        try await LiveServer.with("kpi-rule-indicator") { s in
            let head = try await s.engine.store.headPosition()
            let answer = try await s.send(.POST, "/v1/settings/kpi-rules", json: #"{"rules": [{"indicator": "dealsClosed", "weight": 25, "target": 2, "bonusPoints": 0}]}"#)
            #expect(answer.status == 422 && text(answer.json["field"]) == "indicator", "\(answer.status) \(answer.text.prefix(300))")
            #expect(text(answer.json["detail"])?.contains("dealsWon") == true, "\(answer.text.prefix(300))")
            #expect(try await s.engine.store.headPosition() == head, "nothing written")
            try await s.expect(.POST, "/v1/settings/kpi-rules", #"{"rules": [{"indicator": "dealsWon", "weight": 25, "target": 2, "bonusPoints": 0}]}"#)
        }
    }

    /// The domain's list of indicators a rule may name is the one the `employee-indicators` view counts.
    @Test func theRulesIndicatorsAreTheOnesTheIndicatorViewCounts() {
        typealias I = EmployeeIndicators.Indicator
        let counted = [I.contactsMade, I.visitsMade, I.newOpportunities, I.newPotentialCustomers, I.dealsWon, I.tasksOnTime, I.tasksLate,
                       I.ticketsResolvedInSLA, I.ticketsResolvedLate, I.campaignItemsDone]
        #expect(Set(KPIRule.indicators) == Set(counted) && KPIRule.indicators.count == counted.count)
    }
}
