import CRMAnalytics
import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import Foundation
import Testing

/// The report queries on a small world across the March/April 2026 boundary: branch A in Shanghai
/// (UTC+8), branch B in UTC. Instants at 2026-03-31T17:00Z are April in A and March in B. Expected values
/// are computed by hand in the comments.
@Suite struct ReportQueriesTests {
    static let march = RevenueMonth(year: 2026, month: 3), april = RevenueMonth(year: 2026, month: 4), february = RevenueMonth(year: 2026, month: 2)

    static func at(_ text: String) throws -> Date { try #require(ISO8601DateFormatter().date(from: text)) }

    struct World {
        let f: EngineFixture
        let alice: Principal  // analysis (and all else) over branch A
        let agent: Principal
        let customerA: UUID
        let customerB: UUID
        let bob: Principal
    }

    func world(_ label: String) async throws -> World {
        let f = try await EngineFixture.make(label)
        try await f.engine.execute(Settings.self, id: UUID(), .setSLADeadline(SLADeadline(kind: .faultRepair, severity: .high, responseMinutes: 60, resolutionMinutes: 480)), as: f.admin)
        try await f.engine.execute(Settings.self, id: UUID(), .setBranchTimeZone(branch: "A", timeZoneID: "Asia/Shanghai"), as: f.admin)
        let alice = try await f.hire("Alice", branch: "A", permissions: ScopeTests.allRights)
        let bob = try await f.hire("Bob", branch: "B", permissions: ScopeTests.allRightsB)
        // The call-center agent edits only their own records (a pairing they are in: to give feedback in their own name).
        let agent = try await f.hire("Agent", branch: "A", permissions: [Permission(module: .customers, actions: [.query, .edit], scope: .own)])
        let a = UUID.derived("customer", "report A"), b = UUID.derived("customer", "report B")
        for (id, branch, owner, industry) in [(a, "A", alice.id, "energy"), (b, "B", bob.id, "retail")] {
            try await f.engine.execute(Customer.self, id: id, .create(customerID: id, NewCustomer(
                kind: .organisation, name: "Customer \(branch)", group: "key-account", industry: industry, branch: branch, owner: owner, status: .active),
                form: .empty(group: "key-account")), as: f.admin)
        }
        return World(f: f, alice: alice, agent: agent, customerA: a, customerB: b, bob: bob)
    }

    func caughtUp(_ f: EngineFixture) async throws { try await f.engine.views.waitUntil(try await f.engine.store.headPosition()) }

    func openTicket(_ w: World, _ label: String, _ customer: UUID, department: String, at time: String) async throws -> UUID {
        w.f.clock.set(try Self.at(time))
        let id = UUID.derived("ticket", label)
        try await w.f.engine.execute(Ticket.self, id: id, .open(id: id, channel: .phone, kind: .faultRepair, severity: .high, customerID: customer,
                                                                 subject: label, description: nil, department: department, sla: nil), as: w.f.admin)
        return id
    }

    @Test func overdueAndServiceQualityReadMonthsInEachBranchsZone() async throws {
        let w = try await world("reports-service")
        let engine = w.f.engine
        // T1 (A) opened 10:00Z = 18:00 Mar 31 in Shanghai, due 18:00Z = 02:00 Apr 1 there; answered at 10:30Z, resolved late at 20:00Z, rated 4.
        let t1 = try await openTicket(w, "T1", w.customerA, department: "service", at: "2026-03-31T10:00:00Z")
        // T4 (B, UTC) opened 10:00Z, due 18:00Z: March; never answered.
        _ = try await openTicket(w, "T4", w.customerB, department: "billing", at: "2026-03-31T10:00:00Z")
        w.f.clock.set(try Self.at("2026-03-31T10:30:00Z"))
        try await engine.execute(Ticket.self, id: t1, .assign(assignee: w.alice.id), as: w.f.admin)
        // T2 (A) opened 17:00Z = 01:00 Apr 1 in Shanghai, due 2026-04-01T01:00Z; answered at 19:00Z (late).
        let t2 = try await openTicket(w, "T2", w.customerA, department: "service", at: "2026-03-31T17:00:00Z")
        w.f.clock.set(try Self.at("2026-03-31T19:00:00Z"))
        try await engine.execute(Ticket.self, id: t2, .assign(assignee: w.alice.id), as: w.f.admin)
        w.f.clock.set(try Self.at("2026-03-31T20:00:00Z"))
        try await engine.execute(Ticket.self, id: t1, .startWork, as: w.f.admin)
        try await engine.execute(Ticket.self, id: t1, .resolve(resolution: "fixed"), as: w.f.admin)
        try await engine.execute(Ticket.self, id: t1, .close(satisfaction: 4, comment: nil), as: w.f.admin)
        w.f.clock.set(try Self.at("2026-04-02T00:00:00Z"))
        try await caughtUp(w.f)

        // Overdue: March holds T4 (UTC); T1 and T2 fall in April in Shanghai (in UTC, T1 would be March).
        let overdue = try await engine.overdueReport(.init(from: Self.march, through: Self.april), as: w.f.admin)
        #expect(overdue.map { "\($0.month) \($0.department) \($0.lateTickets)" } == ["2026-03 billing 1", "2026-04 service 2"])
        #expect(try await engine.overdueReport(.init(from: Self.march, through: Self.april), as: w.alice).map(\.lateTickets) == [2], "Alice sees branch A only")
        #expect(try await engine.overdueReport(.init(from: Self.march, through: Self.april, branch: "B"), as: w.f.admin).map(\.department) == ["billing"])
        // The monthly overdue report reads each ticket's month in its own branch zone too (one code path), not
        // in the caller's: T1 and T2 are April's, T4 March's, whoever asks.
        for reader in [w.f.admin, w.alice] {
            let april = try await engine.monthlyOverdueReport(year: 2026, month: 4, as: reader)
            #expect(april.departments.map { "\($0.department) \($0.count)" } == ["service 2"])
        }
        #expect(try await engine.monthlyOverdueReport(year: 2026, month: 3, as: w.f.admin).departments.map { "\($0.department) \($0.count)" } == ["billing 1"])

        // Service quality, March: T1 and T4. Responded 1 of 2 = 50 %, in time 1 of 1, wait 30 min, handling 600 min,
        // resolved in SLA 0 of 1, satisfaction 4.
        let march = try await engine.serviceQualityReport(.init(from: Self.march, through: Self.march), as: w.f.admin)
        let all = try #require(march.first)
        #expect(all.assignee == "" && all.tickets == 2 && all.responseRatePercent == 50 && all.respondedInTimePercent == 100)
        #expect(all.averageWaitMinutes == 30 && all.averageHandlingMinutes == 600 && all.resolvedInSLAPercent == 0 && all.averageSatisfaction == 4)
        #expect(march.dropFirst().map(\.assignee) == ["", w.alice.id].sorted())
        // April: T2 only. Responded 1 of 1, late: 0 % in time, wait 120 min, nothing resolved.
        let april = try #require(try await engine.serviceQualityReport(.init(from: Self.april, through: Self.april), as: w.f.admin).first)
        #expect(april.tickets == 1 && april.responseRatePercent == 100 && april.respondedInTimePercent == 0 && april.averageWaitMinutes == 120)
        #expect(april.resolved == 0 && april.averageHandlingMinutes == nil && april.averageSatisfaction == nil)

        let table = try await engine.report(.serviceQuality, .init(from: Self.march, through: Self.march), as: w.f.admin)
        #expect(table.header.first == "assignee" && table.rows.first.map { Array($0.prefix(3)) } == ["(all)", "2", "50"])
        await w.f.close()
    }

    /// The overdue report's months run to December 9999 and that month ends on its 31st, in each branch's zone:
    /// a deadline on 9999-12-31 is December's (the month after it is no date).
    @Test func theOverdueReportOfDecember9999ReachesItsLastDay() async throws {
        let w = try await world("report-december-9999")
        let engine = w.f.engine
        // B (UTC): due 9999-11-30T18:00Z (November) and 9999-12-31T18:00Z (December). A (Shanghai): due
        // 9999-12-30T18:00Z = 02:00 on the 31st there (December).
        _ = try await openTicket(w, "B-november", w.customerB, department: "billing", at: "9999-11-30T10:00:00Z")
        _ = try await openTicket(w, "A-last", w.customerA, department: "service", at: "9999-12-30T10:00:00Z")
        _ = try await openTicket(w, "B-last", w.customerB, department: "billing", at: "9999-12-31T10:00:00Z")
        w.f.clock.set(try Self.at("9999-12-31T23:00:00Z"))
        try await caughtUp(w.f)
        let november = RevenueMonth(year: 9999, month: 11), december = RevenueMonth(year: 9999, month: 12)
        let overdue = try await engine.overdueReport(.init(from: november, through: december), as: w.f.admin)
        #expect(overdue.map { "\($0.month) \($0.department) \($0.lateTickets)" } == ["9999-11 billing 1", "9999-12 billing 1", "9999-12 service 1"])
        let monthly = try await engine.monthlyOverdueReport(year: 9999, month: 12, as: w.f.admin)
        #expect(monthly.departments.map { "\($0.department) \($0.count)" } == ["billing 1", "service 1"])
        await w.f.close()
    }

    @Test func tasksRevenueCostsAndCompositionAcrossTheMonthBoundary() async throws {
        let w = try await world("reports-sales")
        let engine = w.f.engine
        // A task of branch A due 2026-04-01T00:00Z, completed 17:30Z on Mar 31 (on time) = 01:30 Apr 1 in Shanghai: April.
        let task = UUID.derived("task", "report")
        w.f.clock.set(try Self.at("2026-03-30T08:00:00Z"))
        try await engine.execute(WorkTask.self, id: task, .dispatch(taskID: task, details: WorkTask.Details(
            title: "Call", customerID: w.customerA, kind: .followUp, dueAt: try Self.at("2026-04-01T00:00:00Z"), branch: "A"), assignee: w.alice.id), as: w.f.admin)
        w.f.clock.set(try Self.at("2026-03-31T17:30:00Z"))
        try await engine.execute(WorkTask.self, id: task, .complete(resultNote: "done"), as: w.alice)
        // Revenue: A (Alice) 80 in February, 100 in March; B (Bob) 50 in March.
        for (customer, date, amount) in [(w.customerA, "2026-02-10", 80), (w.customerA, "2026-03-10", 100), (w.customerB, "2026-03-05", 50)] {
            let entry = RevenueLedger.Entry(id: UUID.derived("entry", date), customerID: customer, chargeItem: "gas", businessLine: "gas",
                                            date: try EngineFixture.day(date), amount: Money(Decimal(amount), .cny))
            try await engine.execute(RevenueLedger.self, id: RevenueLedger.id(customerID: customer), .record(entry), as: w.f.admin)
        }
        // A campaign: 1000 over 2026-03-22 … 2026-04-15 (March 400, April 600), costs 300 in March, 200 in April.
        let campaign = UUID.derived("campaign", "report")
        try await engine.execute(Campaign.self, id: campaign, .plan(id: campaign, name: "Spring", objective: "Grow", owner: w.f.admin.id, budget: Money(1000, .cny),
                                                                    start: try EngineFixture.day("2026-03-22"), end: try EngineFixture.day("2026-04-15")), as: w.f.admin)
        try await engine.execute(Campaign.self, id: campaign, .submitFeasibility(study: "ok"), as: w.f.admin)
        try await engine.execute(Campaign.self, id: campaign, .approve(note: nil), as: .system)  // its submitter may not approve it
        for (n, date, amount) in [(1, "2026-03-25", 300), (2, "2026-04-02", 200)] {
            try await engine.execute(Campaign.self, id: campaign, .addCost(Campaign.CostLine(id: UUID.derived("cost", "\(n)"), description: "ads",
                                                                                             amount: Money(Decimal(amount), .cny), date: try EngineFixture.day(date))), as: w.f.admin)
        }
        // A visit to A scheduled 17:00Z on Mar 31 = April 1 in Shanghai, costing 50.
        let visit = UUID.derived("visit", "report")
        try await engine.execute(Visit.self, id: visit, .plan(id: visit, customerID: w.customerA, visitor: w.alice.id, scheduledAt: try Self.at("2026-03-31T17:00:00Z"),
                                                              contacts: [], agenda: "meter", place: "site"), as: w.f.admin)
        try await engine.execute(Visit.self, id: visit, .addCostLine(Visit.CostLine(id: UUID.derived("visit-cost", "1"), kind: .transport, amount: Money(50, .cny))), as: w.f.admin)
        w.f.clock.set(try Self.at("2026-04-02T00:00:00Z"))
        try await caughtUp(w.f)

        let marchOnly = ReportQueriesTests.march...ReportQueriesTests.march
        #expect(try await engine.taskCompletionReport(.init(from: marchOnly.lowerBound, through: marchOnly.upperBound), as: w.f.admin).isEmpty)
        let tasks = try await engine.taskCompletionReport(.init(from: Self.april, through: Self.april), as: w.f.admin)
        #expect(tasks.map(\.assignee) == [w.alice.id] && tasks.map(\.onTime) == [1] && tasks.map(\.onTimePercent) == [100])
        #expect(try await engine.taskCompletionReport(.init(from: Self.april, through: Self.april), as: w.bob).isEmpty, "Bob sees only himself")

        // Revenue, March against February: Alice 100 vs 80 (+25 %), Bob 50 vs 0 (no growth figure).
        let revenue = try await engine.revenueByManagerReport(.init(from: Self.march, through: Self.march), as: w.f.admin)
        #expect(revenue.map(\.manager) == [w.alice.id, w.bob.id])
        #expect(revenue.map(\.current) == [100, 50] && revenue.map(\.previous) == [80, 0] && revenue.map(\.growthPercent) == [25, nil])
        #expect(try await engine.revenueByManagerReport(.init(from: Self.march, through: Self.march), as: w.alice).map(\.manager) == [w.alice.id])

        // Costs by month, March–April: March 300 of 400 (75 %); April 200 + the visit's 50 = 250 of 600 (41.67 %).
        let costs = try await engine.costReport(.init(from: Self.march, through: Self.april), as: w.f.admin)
        #expect(costs.map(\.key) == ["2026-03", "2026-04"])
        #expect(costs.map(\.actual) == [300, 250] && costs.map(\.budget) == [400, 600] && costs.map(\.usedPercent) == [75, Decimal(string: "41.67")])
        let byIndustry = try await engine.costReport(.init(from: Self.march, through: Self.april, costsBy: .industry), as: w.f.admin)
        #expect(byIndustry.map { "\($0.key)=\($0.actual)" } == ["=500", "energy=50"])
        #expect(try await engine.costReport(.init(from: Self.march, through: Self.march), as: w.f.admin).map(\.actual) == [300], "the visit is April's")
        // By customer, as Alice: the campaign (no branch) is not hers; the visit's customer is, and the read is audited.
        let since = w.f.clock.now()
        let byCustomer = try await engine.costReport(.init(from: Self.march, through: Self.april, costsBy: .customer), as: w.alice)
        #expect(byCustomer.map { "\($0.key)=\($0.actual)" } == ["\(w.customerA.uuidString.lowercased())=50"])
        w.f.clock.advance(by: 1)
        let audited = try engine.readAudit(from: since, to: w.f.clock.now(), as: w.f.admin)
        #expect(audited.map(\.record) == [Customer.stream(w.customerA).rawValue] && audited.allSatisfy { $0.principal == w.alice.id })

        // Composition by branch, March: A and B one each (50 %), valued at their March revenue.
        let composition = try await engine.compositionReport(.init(from: Self.march, through: Self.march, compositionBy: "branch"), as: w.f.admin)
        #expect(composition.map(\.key) == ["A", "B"] && composition.map(\.percent) == [50, 50] && composition.map(\.value) == [100, 50])
        let industries = try await engine.report(.composition, .init(from: Self.march, through: Self.march, compositionBy: "industry"), as: w.alice)
        #expect(industries.rows == [["energy", "1", "100", "100"]])
        await w.f.close()
    }

    @Test func twoLayerSurveysAndFeedbackFormsFollowTheLocalMonth() async throws {
        let w = try await world("reports-people")
        let engine = w.f.engine
        let pairing = MaintenancePairing.id(customerID: w.customerA)
        try await engine.execute(MaintenancePairing.self, id: pairing, .pair(customerID: w.customerA, agent: w.agent.id, manager: w.alice.id), as: w.f.admin)
        // The manager rates the agent 2 at 10:00Z (March in Shanghai); the agent rates the manager 4 at 17:00Z (April there).
        w.f.clock.set(try Self.at("2026-03-31T10:00:00Z"))
        try await engine.execute(MaintenancePairing.self, id: pairing, .giveFeedback(feedbackID: UUID.derived("fb", "1"), direction: .managerRatesAgent,
                                                                                     giver: w.alice.id, rating: 2, comment: nil, about: nil), as: w.alice)
        w.f.clock.set(try Self.at("2026-03-31T17:00:00Z"))
        try await engine.execute(MaintenancePairing.self, id: pairing, .giveFeedback(feedbackID: UUID.derived("fb", "2"), direction: .agentRatesManager,
                                                                                     giver: w.agent.id, rating: 4, comment: nil, about: nil), as: w.agent)
        // A survey created 10:00Z, sent to both customers, answered by A three hours later.
        w.f.clock.set(try Self.at("2026-03-31T10:00:00Z"))
        let survey = UUID.derived("survey", "report")
        try await engine.execute(Survey.self, id: survey, .create(surveyID: survey, questionnaire: Questionnaire(title: "Service", questions: [
            .rating("q1", "Rate us", scale: 5)])), as: w.f.admin)
        try await engine.execute(Survey.self, id: survey, .distribute(recipients: [.customer(w.customerA), .customer(w.customerB)]), as: w.f.admin)
        w.f.clock.set(try Self.at("2026-03-31T13:00:00Z"))
        try await engine.execute(Survey.self, id: survey, .respond(responseID: UUID.derived("response", "1"), recipient: .customer(w.customerA),
                                                                   answers: [.rating("q1", 4)]), as: w.f.admin)
        // Feedback forms of branch A: one at 10:00Z (March there), one at 17:00Z (April there).
        let template = FeedbackTemplate(name: "Weekly", department: "sales", fields: [FeedbackField(name: "visits", type: .number, required: true)])
        for (n, time, visits) in [(1, "2026-03-31T10:00:00Z", 3), (2, "2026-03-31T17:00:00Z", 5)] {
            w.f.clock.set(try Self.at(time))
            let form = UUID.derived("form", "\(n)")
            try await engine.execute(FeedbackForm.self, id: form, .submit(id: form, template: template, submittedBy: w.alice.id, reporter: w.alice.id,
                                                                          reviewer: w.alice.id, branch: "A",
                                                                          values: [FeedbackValue(field: "visits", value: .number(Decimal(visits)))]), as: w.f.admin)
        }
        w.f.clock.set(try Self.at("2026-04-02T00:00:00Z"))
        try await caughtUp(w.f)

        let march = try await engine.twoLayerReport(.init(from: Self.march, through: Self.march), as: w.f.admin)
        #expect(march.map(\.employee) == [w.alice.id, w.agent.id])
        #expect(march.map(\.ratings) == [0, 1] && march.map(\.averageRating) == [nil, 2] && march.map(\.lowRatings) == [0, 1])
        #expect(march.map(\.pairedCustomers) == [1, 1])
        let april = try await engine.twoLayerReport(.init(from: Self.april, through: Self.april), as: w.f.admin)
        #expect(april.map(\.ratings) == [1, 0] && april.map(\.averageRating) == [4, nil])

        // Survey: 1 of 2 responded (50 %), after 3 hours; the rating 4 is 100 % of the answers.
        let surveys = try await engine.surveyReport(.init(from: Self.march, through: Self.march), as: w.f.admin)
        #expect(surveys.count == 5 && surveys.allSatisfy { $0.responseRatePercent == 50 && $0.averageResponseHours == 3 && $0.averageRating == 4 })
        #expect(surveys.map(\.count) == [0, 0, 0, 1, 0])
        #expect(try await engine.surveyReport(.init(from: Self.april, through: Self.april), as: w.f.admin).isEmpty)

        let forms = try await engine.feedbackReport(.init(from: Self.march, through: Self.march), as: w.f.admin)
        #expect(forms.map(\.count) == [1, 1] && forms.last?.sum == 3)
        let formsApril = try await engine.feedbackReport(.init(from: Self.april, through: Self.april), as: w.f.admin)
        #expect(formsApril.last?.sum == 5)
        #expect(try await engine.feedbackReport(.init(from: Self.march, through: Self.april), as: w.bob).isEmpty, "branch A's forms are not Bob's")
        await w.f.close()
    }
}

@Suite struct WinProbabilityQueryTests {
    @Test func anOpenOpportunityGetsTheHistoricalWinRateOfItsStageAndSource() async throws {
        let f = try await EngineFixture.make("win-probability")
        let customer = try await f.customer("Prospect", branch: "north")
        let pipeline = Pipeline(name: "gas", stages: ["lead", "proposal", "negotiation"])
        func open(_ label: String, source: String, stage: String) async throws -> UUID {
            let id = UUID.derived("opportunity", label)
            try await f.engine.execute(Opportunity.self, id: id, .open(opportunityID: id, details: Opportunity.Details(
                customerID: customer, title: label, source: source, expectedRevenue: Money(1000, .cny), closeDate: try EngineFixture.day("2026-06-30")),
                pipeline: pipeline, stage: stage, owner: f.admin.id), as: f.admin)
            return id
        }
        // History from referrals that reached "proposal": won, lost, won (2 of 3 = 67 %); one inbound lead lost.
        for (label, stage, won) in [("h1", "negotiation", true), ("h2", "proposal", false), ("h3", "proposal", true)] {
            let id = try await open(label, source: "referral", stage: "lead")
            try await f.engine.execute(Opportunity.self, id: id, .moveToStage(stage), as: f.admin)
            try await f.engine.execute(Opportunity.self, id: id, won ? .win(reason: "signed") : .lose(reason: "price"), as: f.admin)
        }
        let inbound = try await open("h4", source: "inbound", stage: "lead")
        try await f.engine.execute(Opportunity.self, id: inbound, .lose(reason: "silent"), as: f.admin)
        let current = try await open("now", source: "referral", stage: "proposal")
        try await f.engine.views.waitUntil(try await f.engine.store.headPosition())

        let suggestion = try #require(try await f.engine.winProbabilitySuggestion(for: current, minimumSample: 3, as: f.admin))
        #expect(suggestion.percent == 67 && suggestion.sample == 3 && suggestion.basis == "pipeline+stage+source")
        // With more history required: the whole pipeline, 2 of 4 = 50 %; recorded as the suggestion.
        #expect(try await f.engine.suggestWinProbability(for: current, minimumSample: 4, as: f.admin)?.percent == 50)
        #expect(try await f.engine.state(Opportunity.self, id: current, as: f.admin).state.suggestedProbability == 50)
        #expect(try await f.engine.winProbabilitySuggestion(for: current, minimumSample: 5, as: f.admin) == nil)
        await f.close()
    }
}
