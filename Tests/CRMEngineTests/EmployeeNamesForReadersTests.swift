import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// `employeeNames(as:)`: an organisation-wide reader sees every employee named; anyone else themself, whoever
/// reports to them and the staff of the branches they may query — never the rest of the staff list.
@Suite struct EmployeeNamesForReadersTests {
    /// Bea manages branch A (customers over A, her own announcements); Amy works in A; Rita, of branch B,
    /// reports to Bea; Otto works in B and reads only his own records.
    static func world(_ label: String) async throws -> (f: EngineFixture, bea: Principal, otto: Principal) {
        let f = try await EngineFixture.make(label)
        let bea = try await f.hire("Bea", branch: "A", permissions: [
            Permission(module: .customers, actions: [.query, .edit], scope: .branch("A")),
            Permission(module: .organisation, actions: [.query], scope: .own),
        ])
        _ = try await f.hire("Amy", branch: "A", permissions: [Permission(module: .customers, actions: [.query], scope: .own)])
        let otto = try await f.hire("Otto", branch: "B", permissions: [Permission(module: .customers, actions: [.query], scope: .own)])
        let rita = UUID.derived("employee", "Rita")
        try await f.engine.execute(Organisation.self, id: rita, .hire(NewEmployee(
            id: rita, name: "Rita", position: "staff", branch: "B", managerID: bea.employeeID, hiredOn: try EngineFixture.day("2024-01-01"))), as: f.admin)
        return (f, bea, otto)
    }

    @Test func aBranchManagerSeesNamedTheirBranchAndTheirReportsButNoOneElse() async throws {
        let (f, bea, _) = try await Self.world("names-branch-manager")
        // Not allowed to read the organisation record itself…
        await #expect(throws: EngineError.self) { _ = try await f.engine.state(Organisation.self, id: UUID(), as: bea) }
        // …yet she sees named herself, her branch's staff and her report in another branch.
        let names = try await f.engine.employeeNames(as: bea)
        #expect(Set(names.values) == ["Bea", "Amy", "Rita"], "\(names)")
        #expect(names[UUID.derived("employee", "Amy").lowercasedString] == "Amy")
        await f.close()
    }

    @Test func anEmployeeWithOnlyTheirOwnRecordsSeesOnlyTheirOwnName() async throws {
        let (f, _, otto) = try await Self.world("names-own")
        #expect(try await f.engine.employeeNames(as: otto) == [otto.id: "Otto"])
        await f.close()
    }

    @Test func anOrganisationWideReaderSeesEveryEmployeeNamed() async throws {
        let (f, _, _) = try await Self.world("names-everyone")
        let everyone: Set<String> = ["Ada Admin", "Bea", "Amy", "Otto", "Rita"]
        #expect(Set(try await f.engine.employeeNames(as: f.admin).values) == everyone)
        // Reading customers over all data (whose owners are anyone) names everyone too, as does the system.
        let auditor = try await f.hire("Ivo", branch: "B", permissions: [Permission(module: .customers, actions: [.query], scope: .all)])
        #expect(Set(try await f.engine.employeeNames(as: auditor).values) == everyone.union(["Ivo"]))
        #expect(Set(try await f.engine.employeeNames(as: .system).values) == everyone.union(["Ivo"]))
        await f.close()
    }

    /// On the demo's data a branch manager's KPI ranking has rows (the demo sets KPI rules), each of them
    /// nameable for them, and their RFM scores their branch's customers.
    @Test func aDemoBranchManagerSeesTheirRankingNamedAndTheirBranchScored() async throws {
        let (f, generator) = try await EngineFixture.generated("names-demo", events: 2_000, seed: 5)
        try await f.engine.views.waitUntil(try await f.engine.store.headPosition(), timeout: .seconds(300))
        let world = generator.world
        let branch = try #require(world.branches.first)
        let manager = try #require(world.staff(of: branch.name, role: .branchManager).first)
        let principal = try await f.engine.principal(employeeID: manager.id)
        let end = LocalCalendar.utc.localDate(of: world.end)
        let month = String(format: "%04d-%02d", end.year, end.month)
        let kpi = try await f.engine.kpiAssessments(month: month, as: principal)
        #expect(kpi.assessments.count > 1)
        let names = try await f.engine.employeeNames(as: principal)
        #expect(kpi.assessments.allSatisfy { names[$0.employee] != nil })
        #expect(names[manager.actor] == manager.name)
        let scores = try await f.engine.rfm(asOf: end, currency: branch.currency, as: principal)
        #expect(!scores.isEmpty)
        await f.close()
    }
}
