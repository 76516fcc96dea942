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
}
