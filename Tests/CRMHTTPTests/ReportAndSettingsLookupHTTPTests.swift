import CRMDomain
import CRMEngine
import Foundation
import Testing

/// KPI unit rankings answer each unit by id and name, the revenue explanation of a customer one may not see
/// is a 404, a holiday without `branches` is every branch's, and a group's form is found by any spelling
/// form creation counts as the same group.
@Suite struct ReportAndSettingsLookupHTTPTests {
    @Test func kpiGroupsByTeamAreUnitsWithIdNameTotalAndMembers() async throws {
        try await LiveServer.with("kpi-unit-groups") { s in
            try await s.expect(.POST, "/v1/settings/kpi-rules", #"{"rules": [{"indicator": "tasksOnTime", "weight": 10, "target": 1, "bonusPoints": 0}]}"#)
            let department = try await s.created("/v1/units", #"{"kind": "department", "name": "Sales"}"#)
            let north = try await s.created("/v1/units", #"{"kind": "office", "name": "North", "parentId": "\#(department)"}"#)
            let south = try await s.created("/v1/units", #"{"kind": "office", "name": "South", "parentId": "\#(department)"}"#)
            let field1 = try await s.created("/v1/units", #"{"kind": "team", "name": "Field", "parentId": "\#(north)"}"#).lowercased()
            let field2 = try await s.created("/v1/units", #"{"kind": "team", "name": "Field", "parentId": "\#(south)"}"#).lowercased()
            let (bo, _) = try await s.hire("Bo", branch: "A", permissions: [Permission(module: .analysis, actions: [.query], scope: .own)])
            try await s.expect(.PATCH, "/v1/employees/\(s.admin.id)", #"{"unitId": "\#(field1)"}"#)
            try await s.expect(.PATCH, "/v1/employees/\(bo.id)", #"{"unitId": "\#(field2)"}"#)
            let head = try await s.engine.store.headPosition().rawValue

            let answer = try await s.expect(.GET, "/v1/reports/kpi?month=2026-01&by=team&consistentWith=\(head)")
            let groups = try #require(answer.json["groups"] as? [[String: Any]], "\(answer.text)")
            // Two teams named Field: two groups, told apart by their unit ids, each of one member.
            #expect(Set(groups.compactMap { text($0["unitID"]) }) == [field1, field2], "\(answer.text)")
            #expect(groups.allSatisfy { text($0["name"]) == "Field" && text($0["members"]) == "1" && text($0["total"]) == "0" && text($0["rank"]) == "1" },
                    "\(answer.text)")
            #expect(groups.allSatisfy { $0["employee"] == nil && $0["ruleVersion"] == nil }, "\(answer.text)")
            let rankings = try #require(answer.json["rankings"] as? [[String: Any]], "\(answer.text)")
            #expect(Set(rankings.compactMap { text($0["unitID"]) }) == [field1, field2], "\(answer.text)")
        }
    }

    @Test func theRevenueExplanationOfACustomerOneMayNotSeeOrThatDoesNotExistIs404() async throws {
        try await LiveServer.with("explain-404") { s in
            let rights = Permission.Module.allCases.map { Permission(module: $0, actions: Permission.Action.allCases, scope: .branch("B")) }
            let (_, token) = try await s.hire("Bo", branch: "B", permissions: rights)
            let foreign = try await s.created("/v1/customers", #"{"kind": "person", "name": "Li Wei", "group": "residential", "branch": "A"}"#).lowercased()
            let own = try await s.created("/v1/customers", #"{"kind": "person", "name": "Wang Fang", "group": "residential", "branch": "B"}"#).lowercased()
            for customer in [foreign, own] {
                try await s.expect(.POST, "/v1/revenue/entries", #"{"customerId": "\#(customer)", "chargeItem": "gas", "businessLine": "gas", "date": "2025-12-10", "amount": {"amount": 100, "currency": "CNY"}}"#, status: 201)
            }
            let head = try await s.engine.store.headPosition().rawValue
            let explanation = "/v1/reports/revenue-explanation?baseFrom=2025-11&baseThrough=2025-11&from=2025-12&through=2025-12&consistentWith=\(head)&customerId="
            let hidden = try await s.send(.GET, explanation + foreign, token: token)
            #expect(hidden.status == 404, "\(hidden.text)")
            let unknown = try await s.send(.GET, explanation + UUID.derived("customer", "nobody").lowercasedString)
            #expect(unknown.status == 404, "\(unknown.text)")
            let seen = try await s.send(.GET, explanation + own, token: token)
            #expect(seen.status == 200 && text(seen.json["compareTotal"]) == "100", "\(seen.text)")
        }
    }

    @Test func aHolidayWithoutBranchesIsEveryBranchs() async throws {
        try await LiveServer.with("holiday-branches") { s in
            try await s.expect(.POST, "/v1/settings/holidays", #"{"date": "2026-12-25", "name": "Christmas"}"#)
            try await s.expect(.POST, "/v1/settings/holidays", #"{"date": "2026-12-26", "name": "Boxing Day", "branches": ["A"]}"#)
            let settings = try await s.expect(.GET, "/v1/settings")
            let holidays = try #require(settings.json["holidays"] as? [[String: Any]], "\(settings.text.prefix(500))")
            #expect(holidays.map { "\(text($0["name"]) ?? "") \(($0["branches"] as? [String]) ?? ["?"])" } == ["Christmas []", "Boxing Day [\"A\"]"],
                    "\(settings.text.prefix(500))")
            // The date and the name stay required, each named.
            let noName = try await s.send(.POST, "/v1/settings/holidays", json: #"{"date": "2026-12-31"}"#)
            #expect(noName.status == 400 && text(noName.json["field"]) == "name", "\(noName.text)")
            let badBranches = try await s.send(.POST, "/v1/settings/holidays", json: #"{"date": "2026-12-31", "name": "x", "branches": "A"}"#)
            #expect(badBranches.status == 400 && text(badBranches.json["field"]) == "branches", "\(badBranches.text)")
        }
    }

    @Test func aGroupsFormIsFoundByEverySpellingFormCreationCountsAsTheGroup() async throws {
        try await LiveServer.with("form-lookup") { s in
            _ = try await s.expect(.POST, "/v1/forms", #"{"group": "residential"}"#, status: 201)
            // Upper case, full width (ｒ), surrounding spaces: the same group's form.
            for path in ["RESIDENTIAL", "%EF%BD%92esidential", "%20Residential%20"] {
                let read = try await s.send(.GET, "/v1/forms/" + path)
                #expect(read.status == 200 && read.text.contains("\"residential\""), "\(path): \(read.text)")
            }
            try await s.expect(.POST, "/v1/forms/RESIDENTIAL/fields", #"{"name": "floors", "label": "Floors", "type": "number", "required": false, "options": []}"#)
            let form = try await s.expect(.GET, "/v1/forms/residential")
            #expect(form.text.contains("\"floors\""), "\(form.text)")
            // A group of another name is still not found.
            try await s.expect(.GET, "/v1/forms/business", status: 404)
            // The path is decoded once: a group whose name holds a percent sign is read as `%25`.
            _ = try await s.expect(.POST, "/v1/forms", #"{"group": "100% club"}"#, status: 201)
            let percent = try await s.send(.GET, "/v1/forms/100%25%20club")
            #expect(percent.status == 200 && percent.text.contains("100% club"), "\(percent.text)")
        }
    }
}
