import CRMAnalytics
import CRMDomain
import CRMEngine
import Foundation
import Testing

/// The KPI rules an assessment and a daily pay estimate use are those in force when the month (the day)
/// began in the employee's own branch calendar, not at 00:00 UTC (docs/ANALYTICS.md).
@Suite struct KPIRulesBranchDayTests {
    static func at(_ text: String) throws -> Date { try #require(ISO8601DateFormatter().date(from: text)) }

    func caughtUp(_ f: EngineFixture) async throws { try await f.engine.views.waitUntil(try await f.engine.store.headPosition()) }

    /// Rules replaced at 2026-10-31T20:00Z: 04:00 on 1 November in Shanghai (its month and day had begun at
    /// 16:00Z), still 31 October in UTC (its November begins four hours later).
    @Test func rulesInForceAreJudgedAtTheStartOfTheEmployeesOwnMonthAndDay() async throws {
        let f = try await EngineFixture.make("kpi-rules-branch-day")
        let engine = f.engine
        f.clock.set(try Self.at("2026-10-01T00:00:00Z"))
        try await engine.execute(Settings.self, id: UUID(), .setBranchTimeZone(branch: "S", timeZoneID: "Asia/Shanghai"), as: f.admin)
        try await engine.execute(Settings.self, id: UUID(), .setPayScheme(PayScheme(currency: .cny, basePerDay: 100, defaultRatePerPoint: 1)), as: f.admin)
        try await engine.execute(Settings.self, id: UUID(), .replaceKPIRules([KPIRule(indicator: "tasksOnTime", weight: 10, target: 1)]), as: f.admin)
        let shanghai = try await f.hire("Shen", branch: "S", permissions: [])
        let utc = try await f.hire("Uma", branch: "U", permissions: [])
        f.clock.set(try Self.at("2026-10-31T20:00:00Z"))
        try await engine.execute(Settings.self, id: UUID(), .replaceKPIRules([KPIRule(indicator: "tasksOnTime", weight: 20, target: 1)]), as: f.admin)
        try await caughtUp(f)

        func weight(_ month: String, _ employee: Principal) async throws -> Decimal? {
            try await engine.kpiAssessments(month: month, as: f.admin).assessments.first { $0.employee == employee.id }?.items.first?.weight
        }
        #expect(try await weight("2026-10", shanghai) == 10)
        #expect(try await weight("2026-10", utc) == 10)
        // November: the Shanghai employee's month began before the change, the UTC one's after it.
        #expect(try await weight("2026-11", shanghai) == 10)
        #expect(try await weight("2026-11", utc) == 20)
        let first = try #require(try await engine.kpiAssessments(month: "2026-10", as: f.admin).assessments.first?.ruleVersion)
        let november = try await engine.kpiAssessments(month: "2026-11", as: f.admin).assessments
        #expect(november.first { $0.employee == shanghai.id }?.ruleVersion == first)
        #expect(november.first { $0.employee == utc.id }?.ruleVersion != first)

        // Daily pay on 1 November: the same split; on 2 November both have the new rules.
        func payVersion(_ day: String, _ employee: Principal) async throws -> UInt64? {
            try await engine.dailyPay(on: try EngineFixture.day(day), employee: employee.id, as: f.admin).first?.ruleVersion
        }
        #expect(try await payVersion("2026-11-01", shanghai) == first)
        let second = try #require(try await payVersion("2026-11-01", utc))
        #expect(second != first)
        #expect(try await payVersion("2026-11-02", shanghai) == second)
        await f.close()
    }

    /// With no version in force when the employee's month began, the first version recorded applies.
    @Test func beforeAnyRulesTheFirstVersionRecordedApplies() async throws {
        let f = try await EngineFixture.make("kpi-rules-first-version")
        let engine = f.engine
        f.clock.set(try Self.at("2026-11-15T00:00:00Z"))
        try await engine.execute(Settings.self, id: UUID(), .setBranchTimeZone(branch: "S", timeZoneID: "Asia/Shanghai"), as: f.admin)
        try await engine.execute(Settings.self, id: UUID(), .setPayScheme(PayScheme(currency: .cny, basePerDay: 100, defaultRatePerPoint: 1)), as: f.admin)
        try await engine.execute(Settings.self, id: UUID(), .replaceKPIRules([KPIRule(indicator: "tasksOnTime", weight: 10, target: 1)]), as: f.admin)
        let shanghai = try await f.hire("Shen", branch: "S", permissions: [])
        f.clock.set(try Self.at("2026-11-20T00:00:00Z"))
        try await engine.execute(Settings.self, id: UUID(), .replaceKPIRules([KPIRule(indicator: "tasksOnTime", weight: 20, target: 1)]), as: f.admin)
        try await caughtUp(f)
        let assessment = try await engine.kpiAssessments(month: "2026-11", as: f.admin).assessments.first { $0.employee == shanghai.id }
        #expect(assessment?.items.first?.weight == 10)
        let pay = try await engine.dailyPay(on: try EngineFixture.day("2026-11-02"), employee: shanghai.id, as: f.admin).first
        #expect(pay?.ruleVersion == assessment?.ruleVersion)
        await f.close()
    }
}
