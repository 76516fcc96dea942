import CRMAnalytics
import CRMDataGenerator
import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

@Suite struct AnalysisQueriesTests {
    @Test func kpiRfmAndChurnFollowTheViewersReach() async throws {
        let (f, generator) = try await EngineFixture.generated("analysis", events: 6_000, seed: 21)
        let world = generator.world
        try await f.engine.execute(Settings.self, id: UUID(), .replaceKPIRules([
            KPIRule(indicator: "contactsMade", weight: 1, target: 10, bonusPoints: 1),
            KPIRule(indicator: "visitsMade", weight: 2, target: 5),
        ]), as: f.admin)
        try await f.engine.views.waitUntil(try await f.engine.store.headPosition(), timeout: .seconds(300))
        let branch = try #require(world.branches.first).name
        let manager = try #require(world.staff(of: branch, role: .branchManager).first)
        let agent = try #require(world.staff(of: branch, role: .accountManager).first)
        let month = String(format: "%04d-%02d", LocalCalendar.utc.localDate(of: world.end).year, LocalCalendar.utc.localDate(of: world.end).month)

        // The administrator (analysis over all data) sees everyone; a manager their reports; an agent themself.
        let all = try await f.engine.kpiAssessments(month: month, as: f.admin)
        #expect(all.assessments.count > 3)
        #expect(all.assessments.allSatisfy { $0.ruleVersion > 0 })
        let asManager = try await f.engine.kpiAssessments(month: month, as: try await f.engine.principal(employeeID: manager.id))
        #expect(!asManager.assessments.isEmpty)
        let reports = Set(world.staff(of: branch).map(\.actor) + [manager.actor])
        #expect(asManager.assessments.allSatisfy { reports.contains($0.employee) })
        #expect(asManager.assessments.count < all.assessments.count)
        let asAgent = try await f.engine.kpiAssessments(month: month, as: try await f.engine.principal(employeeID: agent.id))
        #expect(asAgent.assessments.allSatisfy { $0.employee == agent.actor })

        let day = LocalCalendar.utc.localDate(of: world.end)
        let currency = try #require(world.branches.first).currency
        var created = 0
        for customer in world.customers where try await f.engine.store.streamVersion(of: Customer.stream(customer.id)) != .noStream { created += 1 }
        let scores = try await f.engine.rfm(asOf: day, currency: currency, as: f.admin)
        #expect(scores.count == created)
        #expect(scores.allSatisfy { (1...5).contains($0.recency) && (1...5).contains($0.frequency) && (1...5).contains($0.monetary) })
        #expect(Set(scores.map(\.monetary)).count > 2, "quintiles spread the customers")

        let risks = try await f.engine.churnRisks(on: day, currency: currency, as: f.admin)
        #expect(risks.count == created)
        #expect(zip(risks, risks.dropFirst()).allSatisfy { $0.risk.score >= $1.risk.score })
        // Someone without analysis rights sees nothing.
        #expect(try await f.engine.rfm(asOf: day, currency: currency, as: try await f.engine.principal(employeeID: agent.id)).isEmpty)
        await f.close()
    }

    @Test func aQuarterlyRuleSumsTheQuartersMonthsBesideAMonthlyRule() async throws {
        func at(_ text: String) throws -> Date { try #require(ISO8601DateFormatter().date(from: text)) }
        let f = try await EngineFixture.make("kpi-periods", start: try at("2025-11-01T00:00:00Z"))
        let engine = f.engine
        // Rules from 2025-12: tasks on time quarterly (weight 60, target 3, bonus 10), late tasks monthly (weight 40, target 2).
        f.clock.set(try at("2025-12-01T00:00:00Z"))
        try await engine.execute(Settings.self, id: UUID(), .replaceKPIRules([
            KPIRule(indicator: "tasksOnTime", weight: 60, target: 3, bonusPoints: 10),
            KPIRule(indicator: "tasksLate", weight: 40, target: 2),
        ]), as: f.admin)
        try await engine.execute(Settings.self, id: UUID(), .setKPIScoring(KPIScoring(indicator: "tasksOnTime", period: .quarter)), as: f.admin)
        let alice = try await f.hire("Alice", branch: "A", permissions: ScopeTests.allRights)
        // On time in January, February and March; one late in March. In time order (the stores never record a
        // time before the last event's): T4 is dispatched and done while T3 is open.
        let tasks = [("T1", "2026-01-10", "2026-01-20", "2026-01-15"), ("T2", "2026-02-10", "2026-02-20", "2026-02-12"),
                     ("T3", "2026-03-05", "2026-03-10", "2026-03-20"), ("T4", "2026-03-06", "2026-03-30", "2026-03-07")]
        let steps = tasks.flatMap { task in [(day: task.1 + "T09:00:00Z", task: task, dispatch: true), (day: task.3 + "T12:00:00Z", task: task, dispatch: false)] }
            .sorted { $0.day < $1.day }
        for (day, (name, _, due, _), dispatch) in steps {
            let id = UUID.derived("task", name)
            f.clock.set(try at(day))
            if dispatch {
                try await engine.execute(WorkTask.self, id: id, .dispatch(taskID: id, details: WorkTask.Details(
                    title: name, customerID: nil, kind: .followUp, dueAt: try at(due + "T17:00:00Z"), branch: "A"), assignee: alice.id), as: f.admin)
            } else {
                try await engine.execute(WorkTask.self, id: id, .complete(resultNote: "done"), as: alice)
            }
        }
        try await engine.views.waitUntil(try await engine.store.headPosition())

        // March: on time Jan–Mar 1 + 1 + 1 = 3 of 3 → 60 + bonus 10 = 70; late 1 of 2 → 0.5 × 40 = 20; total 90.
        let march = try await engine.kpiAssessments(month: "2026-03", as: f.admin)
        let a = try #require(march.assessments.first { $0.employee == alice.id })
        #expect(a.items.map(\.indicator) == ["tasksOnTime", "tasksLate"])
        #expect(a.items.map(\.value) == [3, 1])
        #expect(a.items.map(\.score) == [70, 20])
        #expect(a.total == 90 && a.period == "2026-03" && a.ruleVersion > 0)
        #expect(march.ranking.first?.places.first { $0.employee == alice.id }?.total == 90)
        // January: a quarterly rule scores the whole quarter (3 → 70) in each of its months; no late task in January.
        let january = try #require(try await engine.kpiAssessments(month: "2026-01", as: f.admin).assessments.first { $0.employee == alice.id })
        #expect(january.items.map(\.value) == [3, 0], "the whole quarter's cells are summed, whichever month is asked")
        #expect(january.total == 70)
        await f.close()
    }
}
