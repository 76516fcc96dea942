import CRMAnalytics
import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import Foundation
import Testing

/// Daily pay (R-ANA-2), working days less holidays, the settings' cost budgets (R-ANA-5) and the product
/// line in the win probability (R-SAL-2), through the engine on a real LMDB store. Expected values are
/// computed by hand in the comments.
@Suite struct PayAndBudgetQueriesTests {
    static func at(_ text: String) throws -> Date { try #require(ISO8601DateFormatter().date(from: text)) }

    @Test func dailyPayScalesMonthlyTargetsByTheWorkingDaysLessTheBranchsHolidays() async throws {
        let f = try await EngineFixture.make("daily-pay")
        let engine = f.engine
        f.clock.set(try Self.at("2026-02-20T00:00:00Z"))
        // tasksOnTime monthly: weight 42, target 42; contactsMade daily: weight 10, target 1 a day.
        try await engine.execute(Settings.self, id: UUID(), .replaceKPIRules([
            KPIRule(indicator: "tasksOnTime", weight: 42, target: 42), KPIRule(indicator: "contactsMade", weight: 10, target: 1),
        ]), as: f.admin)
        try await engine.execute(Settings.self, id: UUID(), .setKPIScoring(KPIScoring(indicator: "contactsMade", period: .day)), as: f.admin)
        // March 2026 has 22 weekdays. Branch A's holiday on Monday 2 March and a holiday of every branch on
        // Saturday 7 March (no working day anyway) leave A 21 working days; branch B's holiday falls on
        // Saturday 14 March, so B keeps 22.
        for (day, name, branches) in [("2026-03-02", "Founding day", ["A"]), ("2026-03-07", "Spring", []), ("2026-03-14", "B day", ["B"])] {
            try await engine.execute(Settings.self, id: UUID(), .addHoliday(Holiday(date: try EngineFixture.day(day), name: name, branches: branches)), as: f.admin)
        }
        let alice = try await f.hire("Alice", branch: "A", permissions: ScopeTests.allRights)
        let bob = try await f.hire("Bob", branch: "B", permissions: ScopeTests.allRightsB)
        // Without a pay scheme the estimate is refused.
        await #expect(throws: EngineError.self) { try await engine.dailyPay(on: try EngineFixture.day("2026-03-10"), as: f.admin) }
        try await engine.execute(Settings.self, id: UUID(), .setPayScheme(PayScheme(currency: .cny, basePerDay: 100, defaultRatePerPoint: 2)), as: f.admin)
        // Alice and Bob each complete one task of their branch on time on 10 March.
        for (person, branch) in [(alice, "A"), (bob, "B")] {
            let task = UUID.derived("task", branch)
            f.clock.set(try Self.at("2026-03-09T09:00:00Z"))
            try await engine.execute(WorkTask.self, id: task, .dispatch(taskID: task, details: WorkTask.Details(
                title: "Call", customerID: nil, kind: .followUp, dueAt: try Self.at("2026-03-12T17:00:00Z"), branch: branch), assignee: person.id), as: f.admin)
            f.clock.set(try Self.at("2026-03-10T10:00:00Z"))
            try await engine.execute(WorkTask.self, id: task, .complete(resultNote: "done"), as: person)
        }
        try await engine.views.waitUntil(try await engine.store.headPosition())
        let tenth = try EngineFixture.day("2026-03-10")

        // Alice: tasks 1 of a daily 42 / 21 = 2 → 0.5 × 42 = 21 points × 2 = 42; contacts 0 of 1 → 0; total 100 + 42 = 142.
        let pay = try #require(try await engine.dailyPay(on: tenth, employee: alice.id, as: alice).first)
        #expect(pay.items.map(\.item.target) == [2, 1] && pay.items.map(\.item.points) == [21, 0])
        #expect(pay.items.map(\.amount) == [Money(42, .cny), Money(0, .cny)] && pay.total == Money(142, .cny) && pay.base == Money(100, .cny))
        // Bob: 1 of 42 / 22 → achievement 0.5238 → 22.00 points (21.9996) × 2 = 44; total 144.
        #expect(try await engine.dailyPay(on: tenth, employee: bob.id, as: bob).first?.total == Money(144, .cny))
        // Another day: nothing done, the base alone.
        #expect(try await engine.dailyPay(on: try EngineFixture.day("2026-03-11"), employee: alice.id, as: alice).first?.total == Money(100, .cny))
        // Everyone the administrator may see, in id order; Bob sees only himself and not Alice.
        let all = try await engine.dailyPay(on: tenth, as: f.admin)
        #expect(Set(all.map(\.employee)).isSuperset(of: [alice.id, bob.id]) && all.map(\.employee) == all.map(\.employee).sorted())
        #expect(try await engine.dailyPay(on: tenth, as: bob).map(\.employee) == [bob.id])
        await #expect(throws: EngineError.self) { try await engine.dailyPay(on: tenth, employee: alice.id, as: bob) }

        // The monthly assessment: the daily rule's target × the employee's working days (21 for A, 22 for B).
        let march = try await engine.kpiAssessments(month: "2026-03", as: f.admin)
        #expect(march.assessments.first { $0.employee == alice.id }.map { $0.items.map(\.target) } == [42, 21])
        #expect(march.assessments.first { $0.employee == bob.id }.map { $0.items.map(\.target) } == [42, 22])
        await f.close()
    }

    @Test func kpiRankingsByTeamAndDepartmentRankMembersAndUnits() async throws {
        let f = try await EngineFixture.make("kpi-units")
        let engine = f.engine
        f.clock.set(try Self.at("2026-02-20T00:00:00Z"))
        try await engine.execute(Settings.self, id: UUID(), .replaceKPIRules([KPIRule(indicator: "tasksOnTime", weight: 10, target: 1)]), as: f.admin)
        // Sales (department) → North team, South team.
        let sales = UUID.derived("unit", "sales"), north = UUID.derived("unit", "north"), south = UUID.derived("unit", "south")
        for unit in [OrgUnit(id: sales, kind: .department, name: "Sales"), OrgUnit(id: north, kind: .team, name: "North team", parentID: sales),
                     OrgUnit(id: south, kind: .team, name: "South team", parentID: sales)] {
            try await engine.execute(Organisation.self, id: unit.id, .createUnit(unit), as: f.admin)
        }
        // Alice (North) and Bob (South) complete a task on time: 10 points each; Carol (North) one late: 0.
        var people: [String: Principal] = [:]
        for (name, team, onTime) in [("Alice", north, true), ("Bob", south, true), ("Carol", north, false)] {
            let person = try await f.hire(name, branch: "A", permissions: ScopeTests.allRights)
            try await engine.execute(Organisation.self, id: UUID.derived("employee", name), .changeEmployee(employeeID: UUID.derived("employee", name), EmployeeEdit(unitID: .some(team))), as: f.admin)
            let task = UUID.derived("task", name)
            f.clock.set(try Self.at("2026-03-09T09:00:00Z"))
            try await engine.execute(WorkTask.self, id: task, .dispatch(taskID: task, details: WorkTask.Details(
                title: "Call", customerID: nil, kind: .followUp, dueAt: try Self.at(onTime ? "2026-03-12T17:00:00Z" : "2026-03-09T17:00:00Z"), branch: "A"),
                assignee: person.id), as: f.admin)
            f.clock.set(try Self.at("2026-03-10T10:00:00Z"))
            try await engine.execute(WorkTask.self, id: task, .complete(resultNote: "done"), as: person)
            people[name] = person
        }
        try await engine.views.waitUntil(try await engine.store.headPosition())
        let (alice, bob, carol) = (try #require(people["Alice"]).id, try #require(people["Bob"]).id, try #require(people["Carol"]).id)

        // By team: North — Alice 10 (1), Carol 0 (2), average 5; South — Bob 10, average 10. South ranks first.
        let teams = try await engine.kpiGroupRankings(month: "2026-03", level: .team, as: f.admin)
        #expect(teams.rankings.map(\.group) == ["North team", "South team"])
        #expect(teams.rankings.first?.places.map { "\($0.employee) \($0.rank)" } == ["\(alice) 1", "\(carol) 2"])
        #expect(teams.rankings.map(\.averageTotal) == [5, 10])
        #expect(teams.groups.map { "\($0.name) \($0.rank) \($0.total) \($0.members)" } == ["South team 1 10 1", "North team 2 5 2"])
        #expect(teams.groups.map(\.unitID) == [south, north])
        // By department: everyone in Sales; Alice and Bob share rank 1, Carol is 3rd; average 6.67.
        let departments = try await engine.kpiGroupRankings(month: "2026-03", level: .department, as: f.admin)
        let salesRanking = try #require(departments.rankings.first)
        #expect(departments.rankings.count == 1 && salesRanking.group == "Sales" && salesRanking.averageTotal == Decimal(string: "6.67"))
        #expect(salesRanking.places.map(\.rank) == [1, 1, 3] && salesRanking.places.last?.employee == carol)
        #expect(Set(salesRanking.places.prefix(2).map(\.employee)) == [alice, bob])
        // An employee sees only their own place.
        let own = try await engine.kpiGroupRankings(month: "2026-03", level: .team, as: try #require(people["Carol"]))
        #expect(own.rankings.flatMap(\.places).map(\.employee) == [carol])
        await f.close()
    }

    @Test func costBudgetsOfTheSettingsMeetTheActualCostsByCustomerIndustryAndCategory() async throws {
        let f = try await EngineFixture.make("cost-budgets")
        let engine = f.engine
        let alice = try await f.hire("Alice", branch: "A", permissions: ScopeTests.allRights)
        let a = UUID.derived("customer", "budget A"), b = UUID.derived("customer", "budget B")
        for (id, branch, industry, owner) in [(a, "A", "energy", alice.id), (b, "B", "retail", f.admin.id)] {
            try await engine.execute(Customer.self, id: id, .create(customerID: id, NewCustomer(
                kind: .organisation, name: "Customer \(branch)", group: "key-account", industry: industry, branch: branch, owner: owner, status: .active),
                form: .empty(group: "key-account")), as: f.admin)
        }
        // Visits in April 2026: A costs 50, B costs 30.
        for (label, customer, amount, visitor) in [("va", a, 50, alice.id), ("vb", b, 30, f.admin.id)] {
            let visit = UUID.derived("visit", label)
            try await engine.execute(Visit.self, id: visit, .plan(id: visit, customerID: customer, visitor: visitor, scheduledAt: try Self.at("2026-04-10T09:00:00Z"),
                                                                  contacts: [], agenda: "meter", place: "site"), as: f.admin)
            try await engine.execute(Visit.self, id: visit, .addCostLine(Visit.CostLine(id: UUID.derived("visit-cost", label), kind: .transport,
                                                                                        amount: Money(Decimal(amount), .cny))), as: f.admin)
        }
        let april = RevenueMonth(year: 2026, month: 4)
        for budget in [CostBudget(dimension: .customer, key: a.uuidString, month: april, amount: Money(80, .cny)),
                       CostBudget(dimension: .customer, key: b.uuidString, month: april, amount: Money(20, .cny)),
                       CostBudget(dimension: .industry, key: "energy", month: april, amount: Money(100, .cny)),
                       CostBudget(dimension: .category, key: "visits", month: april, amount: Money(60, .cny))] {
            try await engine.execute(Settings.self, id: UUID(), .setCostBudget(budget), as: f.admin)
        }
        try await engine.views.waitUntil(try await engine.store.headPosition())
        func rows(_ by: Reports.CostDimension, as principal: Principal) async throws -> [String] {
            try await engine.costReport(.init(from: april, through: april, costsBy: by), as: principal)
                .map { "\($0.key) \($0.actual)/\($0.budget.map { "\($0)" } ?? "-") \($0.usedPercent.map { "\($0)" } ?? "-")" }
        }
        let (ka, kb) = (a.uuidString.lowercased(), b.uuidString.lowercased())
        // By customer: A 50 of 80 = 62.5 %, B 30 of 20 = 150 %.
        #expect(try await rows(.customer, as: f.admin) == ["\(ka) 50/80 62.5", "\(kb) 30/20 150"].sorted())
        // By industry: energy 50 of 100; retail has no budget.
        #expect(try await rows(.industry, as: f.admin) == ["energy 50/100 50", "retail 30/- -"])
        // By category and by month: visits 80 of 60 = 133.33 %.
        #expect(try await rows(.category, as: f.admin) == ["visits 80/60 133.33"])
        #expect(try await rows(.month, as: f.admin) == ["2026-04 80/60 133.33"])
        // Alice analyses branch A only: A's customer budget, but no organisation-wide (industry, category) budget.
        #expect(try await rows(.customer, as: alice) == ["\(ka) 50/80 62.5"])
        #expect(try await rows(.industry, as: alice) == ["energy 50/- -"])
        await f.close()
    }

    @Test func aRevenueChangeIsExplainedByProductAndMonthOverTheCustomersTheCallerMayAnalyse() async throws {
        let f = try await EngineFixture.make("revenue-explanation")
        let engine = f.engine
        let alice = try await f.hire("Alice", branch: "A", permissions: ScopeTests.allRights)
        let a = try await f.customer("Explained A", branch: "A"), b = try await f.customer("Explained B", branch: "B")
        let meter = UUID.derived("product", "meter"), service = UUID.derived("product", "service")
        for (product, name) in [(meter, "Meter"), (service, "Service")] {  // an entry's product is one of the catalog
            try await engine.execute(Product.self, id: product, .create(productID: product, productLine: "gas", name: name, standardPrice: Money(1, .cny)), as: f.admin)
        }
        // A: February 80 (meter); March 100 (meter) + 30 (service). B: March 50 (meter).
        for (n, customer, product, date, amount) in [(1, a, meter, "2026-02-10", 80), (2, a, meter, "2026-03-10", 100), (3, a, service, "2026-03-12", 30),
                                                     (4, b, meter, "2026-03-05", 50)] {
            let entry = RevenueLedger.Entry(id: UUID.derived("entry", "\(n)"), customerID: customer, chargeItem: "fee", productID: product, businessLine: "gas",
                                            date: try EngineFixture.day(date), amount: Money(Decimal(amount), .cny))
            try await engine.execute(RevenueLedger.self, id: RevenueLedger.id(customerID: customer), .record(entry), as: f.admin)
        }
        let head = try await engine.store.headPosition()
        let feb = RevenueMonth(year: 2026, month: 2), mar = RevenueMonth(year: 2026, month: 3)
        // Alice (branch A): 80 → 130, +50 = +62.5 %; meter +20 (40 % of the change), service +30 (60 %); Feb→Mar +50.
        let mine = try await engine.revenueExplanation(base: feb...feb, compare: mar...mar, currency: .cny, as: alice, consistentWith: head)
        #expect(mine.baseTotal == 80 && mine.compareTotal == 130 && mine.change == 50 && mine.changePercent == Decimal(string: "62.5"))
        let byProduct = Dictionary(uniqueKeysWithValues: mine.byProduct.map { ($0.key, "\($0.change) \($0.sharePercent ?? -1)") })
        #expect(byProduct == [meter.uuidString.lowercased(): "20 40", service.uuidString.lowercased(): "30 60"])
        #expect(mine.byMonth.map { "\($0.key) \($0.change)" } == ["2026-02→2026-03 50"])
        // The administrator also sees B: 80 → 180.
        #expect(try await engine.revenueExplanation(base: feb...feb, compare: mar...mar, currency: .cny, as: f.admin).compareTotal == 180)
        // One customer: B is outside Alice's reach (not found, as reading it is), and A's explanation is an audited read.
        await #expect(throws: EngineError.self) { _ = try await engine.revenueExplanation(base: feb...feb, compare: mar...mar, currency: .cny, customer: b, as: alice) }
        let since = f.clock.now()
        #expect(try await engine.revenueExplanation(base: feb...feb, compare: mar...mar, currency: .cny, customer: a, as: alice).compareTotal == 130)
        f.clock.advance(by: 1)
        #expect(try engine.readAudit(from: since, to: f.clock.now(), as: f.admin).contains { $0.record == Customer.stream(a).rawValue && $0.principal == alice.id })
        await f.close()
    }

    @Test func theSettingsRFMSchemeWeighsTheLoyaltyScoreAndNamesTheSegments() async throws {
        let f = try await EngineFixture.make("rfm-scheme")
        let engine = f.engine
        let often = try await f.customer("Often", branch: "A"), once = try await f.customer("Once", branch: "A"), big = try await f.customer("Big", branch: "A")
        for (n, customer, date, amount) in [(1, often, "2026-01-10", 100), (2, often, "2026-02-10", 100), (3, often, "2026-03-10", 100),
                                            (4, once, "2025-06-10", 20), (5, big, "2026-03-20", 500)] {
            let entry = RevenueLedger.Entry(id: UUID.derived("rfm-entry", "\(n)"), customerID: customer, chargeItem: "fee", businessLine: "gas",
                                            date: try EngineFixture.day(date), amount: Money(Decimal(amount), .cny))
            try await engine.execute(RevenueLedger.self, id: RevenueLedger.id(customerID: customer), .record(entry), as: f.admin)
        }
        try await engine.views.waitUntil(try await engine.store.headPosition())
        let day = try EngineFixture.day("2026-03-31")
        func scores() async throws -> [UUID: String] {
            Dictionary(uniqueKeysWithValues: try await engine.rfm(asOf: day, currency: .cny, as: f.admin).map {
                ($0.customerID, "\($0.recency)\($0.frequency)\($0.monetary) \($0.loyalty) \($0.segment)")
            })
        }
        // Quintiles of three: R (days 11, 21, 294) Big 4, Often 2, Once 1; F (1, 3, 1) Often 4, others 1;
        // M (500, 300, 20) Big 4, Often 2, Once 1. Built-in: loyalty = mean; segments of the defaults.
        #expect(try await scores() == [big: "414 3 potentialLoyalists", often: "242 2.67 atRisk", once: "111 1 lost"])
        // Recency only (weights 1, 0, 0) and two segments of the settings' own.
        try await engine.execute(Settings.self, id: UUID(), .setRFMScheme(RFMScheme(recencyWeight: 1, frequencyWeight: 0, monetaryWeight: 0, segments: [
            RFMScheme.Segment(name: "recent", recencyFrom: 3, recencyTo: 5, fmFrom: 1, fmTo: 5),
            RFMScheme.Segment(name: "dormant", recencyFrom: 1, recencyTo: 2, fmFrom: 1, fmTo: 5),
        ])), as: f.admin)
        #expect(try await scores() == [big: "414 4 recent", often: "242 2 dormant", once: "111 1 dormant"])
        await #expect(throws: (any Error).self) {
            try await engine.execute(Settings.self, id: UUID(), .setRFMScheme(RFMScheme(segments: [RFMScheme.Segment(name: "x", recencyFrom: 0, recencyTo: 5, fmFrom: 1, fmTo: 5)])), as: f.admin)
        }
        await f.close()
    }

    @Test func theWinProbabilityComparesAnOpportunityWithItsProductLineFirst() async throws {
        let f = try await EngineFixture.make("win-product-line")
        let customer = try await f.customer("Prospect", branch: "north")
        let pipeline = Pipeline(name: "gas", stages: ["lead", "proposal", "negotiation"])
        func open(_ label: String, line: String?, stage: String = "proposal") async throws -> UUID {
            let id = UUID.derived("opportunity", label)
            try await f.engine.execute(Opportunity.self, id: id, .open(opportunityID: id, details: Opportunity.Details(
                customerID: customer, title: label, source: "referral", expectedRevenue: Money(1000, .cny), closeDate: try EngineFixture.day("2026-06-30")),
                pipeline: pipeline, stage: stage, owner: f.admin.id, productLine: line), as: f.admin)
            return id
        }
        // Meters: 2 won of 2; other lines: 2 lost.
        for (label, line, won) in [("m1", "meters", true), ("m2", "meters", true), ("b1", "boilers", false), ("n1", nil, false)] as [(String, String?, Bool)] {
            let id = try await open(label, line: line)
            try await f.engine.execute(Opportunity.self, id: id, won ? .win(reason: "signed") : .lose(reason: "price"), as: f.admin)
        }
        let current = try await open("now", line: "meters")
        try await f.engine.views.waitUntil(try await f.engine.store.headPosition())
        let byLine = try #require(try await f.engine.winProbabilitySuggestion(for: current, minimumSample: 2, as: f.admin))
        #expect(byLine.basis == "pipeline+line+stage+source" && byLine.percent == 100)
        // Cleared: the line groups are skipped, 2 of 4 referrals at "proposal" = 50 %.
        try await f.engine.execute(Opportunity.self, id: current, .setProductLine(nil), as: f.admin)
        try await f.engine.views.waitUntil(try await f.engine.store.headPosition())
        let withoutLine = try #require(try await f.engine.winProbabilitySuggestion(for: current, minimumSample: 2, as: f.admin))
        #expect(withoutLine.basis == "pipeline+stage+source" && withoutLine.percent == 50)
        // The change is in the record's modification history like any edit.
        let history = try await f.engine.history(of: Opportunity.stream(current), as: f.admin)
        #expect(history.flatMap(\.changes).filter { $0.field == "productLine" }.count == 2)
        await f.close()
    }
}
