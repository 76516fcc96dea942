import CRMAnalytics
import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import Foundation
import Testing

/// Who the analyses judge (no archived or merged customer; every employee at work, figures or not), the
/// day they default to (each record's own branch's today, not the UTC day) and the currency of the revenue
/// reports (every entry converted as the revenue report converts it, a missing rate refusing the report).
/// Expected values are computed by hand in the comments.
@Suite struct AnalysisDefaultsAndCurrencyTests {
    static func at(_ text: String) throws -> Date { try #require(ISO8601DateFormatter().date(from: text)) }

    func caughtUp(_ f: EngineFixture) async throws { try await f.engine.views.waitUntil(try await f.engine.store.headPosition()) }

    func purchase(_ f: EngineFixture, _ customer: UUID, _ label: String, on day: String, _ amount: Decimal, _ currency: Currency = .cny) async throws {
        try await f.engine.execute(RevenueLedger.self, id: RevenueLedger.id(customerID: customer), .record(RevenueLedger.Entry(
            id: UUID.derived("entry", label), customerID: customer, chargeItem: "gas", businessLine: "gas",
            date: try EngineFixture.day(day), amount: Money(amount, currency))), as: f.admin)
    }

    // MARK: - Archived and merged customers

    @Test func churnAndRFMLeaveOutArchivedAndMergedCustomersAndTheWatchGivesThemNoTask() async throws {
        let f = try await EngineFixture.make("churn-live-only")
        let owner = try await f.hire("Keeper", branch: "north", permissions: [Permission(module: .tasks, actions: [.query, .edit], scope: .own)])
        let live = try await f.customer("Live Buyer", branch: "north", owner: owner.id)
        let archived = try await f.customer("Archived Buyer", branch: "north", owner: owner.id)
        let merged = try await f.customer("Merged Buyer", branch: "north", owner: owner.id)
        // Each bought monthly April to September 2025, then nothing: at risk on 2026-01-01 (the fixture's clock).
        for customer in [live, archived, merged] {
            for month in 4...9 {
                try await purchase(f, customer, "\(customer)-\(month)", on: String(format: "2025-%02d-10", month), 100)
            }
        }
        try await f.engine.execute(Customer.self, id: archived, .archive(reason: "moved away"), as: f.admin)
        try await f.engine.execute(Customer.self, id: merged, .markMerged(into: live), as: f.admin)
        try await caughtUp(f)
        let day = try EngineFixture.day("2026-01-01")

        let risks = try await f.engine.churnRisks(on: day, currency: .cny, as: f.admin)
        #expect(risks.map(\.customerID) == [live], "archived and merged customers are not scored")
        #expect(risks.first.map { $0.risk.score >= 50 } == true)
        #expect(try await f.engine.rfm(asOf: day, currency: .cny, as: f.admin).map(\.customerID) == [live])

        // The scheduled watch opens an episode (and a retention task) for the live customer only.
        #expect(try await f.engine.runScheduledWork().retentionTasksDispatched == 1)
        for customer in [archived, merged] {
            #expect(try await f.engine.store.streamVersion(of: ChurnWatch.stream(customer)) == .noStream, "never watched")
        }
        await f.close()
    }

    // MARK: - Currencies

    @Test func revenueByManagerAndTheRevenueExplanationConvertOtherCurrencies() async throws {
        let f = try await EngineFixture.make("manager-currency")
        let engine = f.engine
        let alice = try await f.hire("Alice", branch: "A", permissions: ScopeTests.allRights)
        let customer = try await f.customer("Converted", branch: "A", owner: alice.id)
        try await engine.execute(Settings.self, id: UUID(), .setExchangeRate(ExchangeRate(
            from: .usd, to: .cny, rate: 7, validFrom: try EngineFixture.day("2026-01-01"))), as: f.admin)
        // January 10 USD (70 CNY); March 100 USD (700 CNY) and 200 CNY.
        try await purchase(f, customer, "jan-usd", on: "2026-01-15", 10, .usd)
        try await purchase(f, customer, "mar-usd", on: "2026-03-05", 100, .usd)
        try await purchase(f, customer, "mar-cny", on: "2026-03-06", 200)
        try await caughtUp(f)
        let january = RevenueMonth(year: 2026, month: 1), february = RevenueMonth(year: 2026, month: 2), march = RevenueMonth(year: 2026, month: 3)

        // March against February: 900 CNY, as /v1/revenue counts it (not the 200 CNY entry alone).
        let cny = try await engine.revenueByManagerReport(.init(from: march, through: march, currency: .cny), as: f.admin)
        #expect(cny.map { "\($0.manager) \($0.customers) \($0.current) \($0.previous)" } == ["\(alice.id) 1 900 0"])
        let revenue = try await engine.revenue(RevenueQuery(by: .month, from: march, through: march, currency: .usd), as: f.admin)
        let usd = try await engine.revenueByManagerReport(.init(from: march, through: march, currency: .usd), as: f.admin)
        #expect(usd.map(\.current) == [revenue.total], "the 200 CNY converted into USD at the same rate as the revenue report's")
        #expect(revenue.total > 100)

        // The explanation, January against March: 70 → 900.
        let why = try await engine.revenueExplanation(base: january...january, compare: march...march, currency: .cny, as: f.admin)
        #expect(why.baseTotal == 70 && why.compareTotal == 900 && why.change == 830)

        // No rate into GBP: refused naming the pairs, never an empty report.
        for refused in [{ try await engine.revenueByManagerReport(.init(from: march, through: march, currency: Currency(rawValue: "GBP") ?? .cny), as: f.admin) as Any },
                        { try await engine.revenueExplanation(base: january...january, compare: march...march,
                                                              currency: Currency(rawValue: "GBP") ?? .cny, as: f.admin) as Any }] {
            let error = await #expect(throws: EngineError.self) { _ = try await refused() }
            #expect(error?.code == .rejected && error?.field == "exchangeRates" && error?.message.contains("USD→GBP") == true, "\(String(describing: error))")
        }

        // A February entry in EUR (no rate) refuses the March report (February is its previous month) and the
        // explanation of February, but not that of January against March, which reads no February entry. Such an
        // entry is refused now (field `amount`): one recorded before that is in the log as it was.
        let eur = RevenueLedger.Entry(id: UUID.derived("entry", "feb-eur"), customerID: customer, chargeItem: "gas", businessLine: "gas",
                                      date: try EngineFixture.day("2026-02-10"), amount: Money(5, .eur))
        let legacy = RevenueLedger.Event.entryRecorded(RevenueEntryRecorded(entry: eur, recordedBy: "admin", recordedAt: f.clock.now()))
        _ = try await engine.store.append([try legacy.eventData(id: UUID(), metadata: .system)], to: RevenueLedger.stream(RevenueLedger.id(customerID: customer)),
                                          expectedVersion: .any)
        try await caughtUp(f)
        let missing = await #expect(throws: EngineError.self) {
            try await engine.revenueByManagerReport(.init(from: march, through: march, currency: .cny), as: f.admin)
        }
        #expect(missing?.field == "exchangeRates" && missing?.message.contains("EUR→CNY") == true)
        await #expect(throws: EngineError.self) {
            try await engine.revenueExplanation(base: february...february, compare: march...march, currency: .cny, as: f.admin)
        }
        #expect(try await engine.revenueExplanation(base: january...january, compare: march...march, currency: .cny, as: f.admin).change == 830)
        await f.close()
    }

    // MARK: - Default days

    /// Pacific/Kiritimati is UTC+14: at 12:00 UTC on 10 March it is already 11 March there.
    @Test func withoutADayRFMChurnAndDailyPayUseEachBranchsToday() async throws {
        let f = try await EngineFixture.make("branch-today")
        let engine = f.engine
        f.clock.set(try Self.at("2026-03-01T00:00:00Z"))
        try await engine.execute(Settings.self, id: UUID(), .setBranchTimeZone(branch: "K", timeZoneID: "Pacific/Kiritimati"), as: f.admin)
        try await engine.execute(Settings.self, id: UUID(), .replaceKPIRules([KPIRule(indicator: "tasksOnTime", weight: 10, target: 1)]), as: f.admin)
        try await engine.execute(Settings.self, id: UUID(), .setKPIScoring(KPIScoring(indicator: "tasksOnTime", period: .day)), as: f.admin)
        try await engine.execute(Settings.self, id: UUID(), .setPayScheme(PayScheme(currency: .cny, basePerDay: 100, defaultRatePerPoint: 1)), as: f.admin)
        let kim = try await f.hire("Kim", branch: "K", permissions: [Permission(module: .tasks, actions: [.query, .edit], scope: .own)])
        // One purchase on 10 December 2025 by a customer of K: on 11 March the gap is 91 days (> 90, the signal
        // fires), on 10 March 90 (it does not).
        let gap = try await f.customer("Gap", branch: "K")
        try await purchase(f, gap, "gap", on: "2025-12-10", 100)
        let task = UUID.derived("task", "kim")
        f.clock.set(try Self.at("2026-03-10T09:00:00Z"))
        try await engine.execute(WorkTask.self, id: task, .dispatch(taskID: task, details: WorkTask.Details(
            title: "Call", customerID: nil, kind: .followUp, dueAt: try Self.at("2026-03-12T17:00:00Z"), branch: "K"), assignee: kim.id), as: f.admin)
        f.clock.set(try Self.at("2026-03-10T12:00:00Z"))
        try await engine.execute(WorkTask.self, id: task, .complete(resultNote: "done"), as: kim)
        let fresh = try await f.customer("Fresh", branch: "K")  // created on 11 March in K
        try await caughtUp(f)

        // RFM: without a day every existing customer is scored; as of 10 March the new one did not exist yet.
        #expect(Set(try await engine.rfm(currency: .cny, as: f.admin).map(\.customerID)) == [gap, fresh])
        #expect(try await engine.rfm(asOf: try EngineFixture.day("2026-03-10"), currency: .cny, as: f.admin).map(\.customerID) == [gap])

        // Churn: the customer's own day (11 March), with the purchase gap, not the UTC day's score.
        func risk(_ day: String?) async throws -> Churn.Risk? {
            try await engine.churnRisks(on: try day.map(EngineFixture.day), currency: .cny, as: f.admin).first { $0.customerID == gap }?.risk
        }
        let byDefault = try #require(try await risk(nil))
        #expect(byDefault == (try await risk("2026-03-11")))
        #expect(byDefault.contributions.map(\.reason).contains(.purchaseGap))
        #expect(byDefault.score != (try await risk("2026-03-10"))?.score)

        // Daily pay: Kim's own day, 11 March, holds the task done on time: 10 points × 1 + 100.
        let pay = try #require(try await engine.dailyPay(employee: kim.id, as: f.admin).first)
        #expect(pay.day == (try EngineFixture.day("2026-03-11")) && pay.total == Money(110, .cny))
        #expect(try await engine.dailyPay(on: try EngineFixture.day("2026-03-10"), employee: kim.id, as: f.admin).first?.total == Money(100, .cny))
        // Everyone's list: each on their own day (the administrator's branch has no zone: UTC, 10 March).
        let all = try await engine.dailyPay(as: f.admin)
        #expect(all.first { $0.employee == kim.id }?.day == (try EngineFixture.day("2026-03-11")))
        #expect(all.first { $0.employee == f.admin.id }?.day == (try EngineFixture.day("2026-03-10")))
        await f.close()
    }

    // MARK: - KPI and daily pay reach

    @Test func kpiAssessesEveryEmployeeAtWorkInTheMonthAndDailyPayListsThem() async throws {
        let f = try await EngineFixture.make("kpi-everyone")
        let engine = f.engine
        f.clock.set(try Self.at("2026-02-20T00:00:00Z"))
        try await engine.execute(Settings.self, id: UUID(), .replaceKPIRules([KPIRule(indicator: "tasksOnTime", weight: 10, target: 1)]), as: f.admin)
        try await engine.execute(Settings.self, id: UUID(), .setPayScheme(PayScheme(currency: .cny, basePerDay: 100, defaultRatePerPoint: 1)), as: f.admin)
        let sales = UUID.derived("unit", "sales"), north = UUID.derived("unit", "north")
        for unit in [OrgUnit(id: sales, kind: .department, name: "Sales"), OrgUnit(id: north, kind: .team, name: "North team", parentID: sales)] {
            try await engine.execute(Organisation.self, id: unit.id, .createUnit(unit), as: f.admin)
        }
        // Alice and Carol work in the North team; Dora joins it on 5 April; Erin left (deactivated). Only Alice
        // completes a task, on time, in March.
        let alice = try await f.hire("Alice", branch: "A", permissions: ScopeTests.allRights)
        let carol = try await f.hire("Carol", branch: "A", permissions: ScopeTests.allRights)
        let dora = UUID.derived("employee", "Dora"), erin = UUID.derived("employee", "Erin")
        try await engine.execute(Organisation.self, id: dora, .hire(NewEmployee(id: dora, name: "Dora", position: "staff", branch: "A",
                                                                                  hiredOn: try EngineFixture.day("2026-04-05"))), as: f.admin)
        try await engine.execute(Organisation.self, id: erin, .hire(NewEmployee(id: erin, name: "Erin", position: "staff", branch: "A",
                                                                                  hiredOn: try EngineFixture.day("2024-01-01"))), as: f.admin)
        for id in [UUID.derived("employee", "Alice"), UUID.derived("employee", "Carol"), dora, erin] {
            try await engine.execute(Organisation.self, id: id, .changeEmployee(employeeID: id, EmployeeEdit(unitID: .some(north))), as: f.admin)
        }
        try await engine.execute(Organisation.self, id: erin, .deactivate(employeeID: erin, reason: "left"), as: f.admin)
        let task = UUID.derived("task", "alice")
        f.clock.set(try Self.at("2026-03-09T09:00:00Z"))
        try await engine.execute(WorkTask.self, id: task, .dispatch(taskID: task, details: WorkTask.Details(
            title: "Call", customerID: nil, kind: .followUp, dueAt: try Self.at("2026-03-12T17:00:00Z"), branch: "A"), assignee: alice.id), as: f.admin)
        f.clock.set(try Self.at("2026-03-10T10:00:00Z"))
        try await engine.execute(WorkTask.self, id: task, .complete(resultNote: "done"), as: alice)
        try await caughtUp(f)

        // North team 10 and 0 → average 5 (docs/ANALYTICS.md); Carol, with no figure at all, is ranked 2nd.
        let teams = try await engine.kpiGroupRankings(month: "2026-03", level: .team, as: f.admin)
        #expect(teams.rankings.map(\.group) == ["North team"])
        #expect(teams.rankings.first?.places.map { "\($0.employee) \($0.rank) \($0.total)" } == ["\(alice.id) 1 10", "\(carol.id) 2 0"])
        #expect(teams.rankings.first?.averageTotal == 5)
        // Every employee at work in March: the administrator, Alice and Carol; not Dora (hired later) nor Erin (gone, no figures).
        let march = try await engine.kpiAssessments(month: "2026-03", as: f.admin)
        #expect(Set(march.assessments.map(\.employee)) == [f.admin.id, alice.id, carol.id])
        #expect(march.assessments.first { $0.employee == carol.id }?.total == 0)
        // An employee sees their own assessment though they did nothing.
        #expect(try await engine.kpiAssessments(month: "2026-03", as: carol).assessments.map(\.employee) == [carol.id])

        // Daily pay lists the same people on 10 March.
        let pay = try await engine.dailyPay(on: try EngineFixture.day("2026-03-10"), as: f.admin)
        #expect(Set(pay.map(\.employee)) == [f.admin.id, alice.id, carol.id])
        await f.close()
    }

    @Test func dailyPayOfAnEmployeeTheOrganisationDoesNotKnowIsNotFound() async throws {
        let f = try await EngineFixture.make("daily-pay-unknown")
        try await f.engine.execute(Settings.self, id: UUID(), .replaceKPIRules([KPIRule(indicator: "tasksOnTime", weight: 10, target: 1)]), as: f.admin)
        try await f.engine.execute(Settings.self, id: UUID(), .setPayScheme(PayScheme(currency: .cny, basePerDay: 100, defaultRatePerPoint: 1)), as: f.admin)
        try await caughtUp(f)
        let day = try EngineFixture.day("2026-03-10")
        for unknown in [UUID.derived("employee", "nobody").lowercasedString, "nonexistent"] {
            let error = await #expect(throws: EngineError.self) { try await f.engine.dailyPay(on: day, employee: unknown, as: f.admin) }
            #expect(error?.code == .notFound, "\(unknown)")
        }
        // A known one, in either case of their id, is estimated.
        #expect(try await f.engine.dailyPay(on: day, employee: f.admin.id.uppercased(), as: f.admin).map(\.employee) == [f.admin.id])
        await f.close()
    }
}
