import CRMAnalytics
import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// KPI rankings by organisation unit tell units apart by id (two teams may share a name), and the revenue
/// explanation of one customer answers only for a customer that exists and the caller may analyse.
@Suite struct KPIUnitGroupsAndRevenueExplanationTests {
    static func at(_ text: String) throws -> Date { try #require(ISO8601DateFormatter().date(from: text)) }

    @Test func kpiRankingsByTeamKeepTwoTeamsOfOneNameApart() async throws {
        let f = try await EngineFixture.make("kpi-same-name")
        let engine = f.engine
        f.clock.set(try Self.at("2026-02-20T00:00:00Z"))
        try await engine.execute(Settings.self, id: UUID(), .replaceKPIRules([KPIRule(indicator: "tasksOnTime", weight: 10, target: 1)]), as: f.admin)
        // Sales → North team → Field (1); Sales → South team → Field (2): two teams named alike.
        let sales = UUID.derived("unit", "sales"), north = UUID.derived("unit", "north"), south = UUID.derived("unit", "south")
        let field1 = UUID.derived("unit", "field 1"), field2 = UUID.derived("unit", "field 2")
        for unit in [OrgUnit(id: sales, kind: .department, name: "Sales"),
                     OrgUnit(id: north, kind: .office, name: "North", parentID: sales), OrgUnit(id: south, kind: .office, name: "South", parentID: sales),
                     OrgUnit(id: field1, kind: .team, name: "Field", parentID: north), OrgUnit(id: field2, kind: .team, name: "Field", parentID: south)] {
            try await engine.execute(Organisation.self, id: unit.id, .createUnit(unit), as: f.admin)
        }
        // Alice (Field 1) completes a task on time: 10; Bob (Field 2) does nothing: 0.
        let alice = try await f.hire("Alice", branch: "A", permissions: ScopeTests.allRights)
        let bob = try await f.hire("Bob", branch: "A", permissions: ScopeTests.allRights)
        for (person, team) in [(alice, field1), (bob, field2)] {
            let id = try #require(UUID(uuidString: person.id))
            try await engine.execute(Organisation.self, id: id, .changeEmployee(employeeID: id, EmployeeEdit(unitID: .some(team))), as: f.admin)
        }
        let task = UUID.derived("task", "alice")
        f.clock.set(try Self.at("2026-03-09T09:00:00Z"))
        try await engine.execute(WorkTask.self, id: task, .dispatch(taskID: task, details: WorkTask.Details(
            title: "Call", customerID: nil, kind: .followUp, dueAt: try Self.at("2026-03-12T17:00:00Z"), branch: "A"), assignee: alice.id), as: f.admin)
        f.clock.set(try Self.at("2026-03-10T10:00:00Z"))
        try await engine.execute(WorkTask.self, id: task, .complete(resultNote: "done"), as: alice)
        try await engine.views.waitUntil(try await engine.store.headPosition())

        let teams = try await engine.kpiGroupRankings(month: "2026-03", level: .team, as: f.admin)
        // Two groups, each its own unit with its own members and average; Field 1 (10) ranks before Field 2 (0).
        #expect(teams.rankings.count == 2)
        #expect(Set(teams.rankings.map(\.unitID)) == [field1, field2])
        #expect(teams.rankings.first { $0.unitID == field1 }.map { $0.places.map(\.employee) } == [alice.id])
        #expect(teams.rankings.first { $0.unitID == field2 }.map { $0.places.map(\.employee) } == [bob.id])
        #expect(teams.groups.map { "\($0.name)|\($0.rank)|\($0.total)|\($0.members)" } == ["Field|1|10|1", "Field|2|0|1"])
        #expect(teams.groups.map(\.unitID) == [field1, field2])
        // By office the two are apart anyway; by department both are in Sales.
        let departments = try await engine.kpiGroupRankings(month: "2026-03", level: .department, as: f.admin)
        #expect(departments.groups.map { "\($0.name)|\($0.total)|\($0.members)" } == ["Sales|5|2"] && departments.groups.first?.unitID == sales)
        await f.close()
    }

    @Test func theRevenueExplanationOfACustomerTheCallerMayNotAnalyseOrThatDoesNotExistIsNotFound() async throws {
        let f = try await EngineFixture.make("explain-customer")
        let engine = f.engine
        let bo = try await f.hire("Bo", branch: "B", permissions: [Permission(module: .analysis, actions: [.query, .analyse], scope: .branch("B"))])
        let (a, b) = (UUID.derived("customer", "explain A"), UUID.derived("customer", "explain B"))
        for (id, branch) in [(a, "A"), (b, "B")] {
            try await engine.execute(Customer.self, id: id, .create(customerID: id, NewCustomer(kind: .person, name: "Customer \(branch)", group: "residential", branch: branch),
                                                                           form: .empty(group: "residential")), as: f.admin)
            try await engine.execute(RevenueLedger.self, id: RevenueLedger.id(customerID: id), .record(RevenueLedger.Entry(
                id: UUID.derived("entry", branch), customerID: id, chargeItem: "gas", businessLine: "gas",
                date: try EngineFixture.day("2026-02-10"), amount: Money(100, .cny))), as: f.admin)
        }
        let head = try await engine.store.headPosition()
        let (jan, feb) = (try #require(RevenueMonth(text: "2026-01")), try #require(RevenueMonth(text: "2026-02")))
        func explain(_ customer: UUID, as principal: Principal) async throws -> RevenueExplanation {
            try await engine.revenueExplanation(base: jan...jan, compare: feb...feb, currency: .cny, customer: customer, as: principal, consistentWith: head)
        }
        // Bo analyses branch B: his own customer is explained; A's, outside his reach, is not found, as an unknown one is.
        #expect(try await explain(b, as: bo).compareTotal == 100)
        for (customer, principal) in [(a, bo), (UUID.derived("customer", "nobody"), f.admin)] {
            do {
                _ = try await explain(customer, as: principal)
                Issue.record("explained a customer the caller may not analyse or that does not exist")
            } catch let error as EngineError {
                #expect(error.code == .notFound)
            }
        }
        #expect(try await explain(a, as: f.admin).compareTotal == 100)
        await f.close()
    }
}
