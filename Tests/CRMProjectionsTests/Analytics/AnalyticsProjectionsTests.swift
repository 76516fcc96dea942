import CRMDomain
import CRMProjections
import EventSourcing
import Foundation
import Testing

@Suite struct EmployeeIndicatorsTests {
    let log = WorkTestLog()
    let projection = EmployeeIndicators()
    static func utc(_ seconds: Double) -> Date { Date(timeIntervalSince1970: seconds) }
    /// 2026-03-31 15:00 UTC = 23:00 in Shanghai (still March); 16:30 UTC = 00:30 on April 1st there.
    static let lateMarch = utc(1_774_969_200), earlyApril = utc(1_774_974_600)

    func setUp() throws -> UUID {
        log.append(BranchTimeZoneSet(branch: "east", timeZoneID: "Asia/Shanghai"), stream: "settings", at: WorkTestLog.start)
        return try log.customer("east-1", branch: "east", owner: "emp-1")
    }

    func contact(_ n: Int, _ customer: UUID, at: Date, by actor: String = "emp-1") -> UUID {
        let id = UUID.derived("contact", "\(n)")
        log.append(ContactLogged(entryID: id, customerID: customer, details: .init(channel: .phone, subject: "call \(n)", occurredAt: at)),
                   stream: StreamID("contact-log-\(n)"), at: at, actor: actor)
        return id
    }

    @Test func contactsAreCountedInTheMonthOfTheCustomersBranchTimeZoneAcrossTheMonthBoundary() throws {
        let customer = try setUp()
        _ = contact(1, customer, at: Self.lateMarch)
        _ = contact(2, customer, at: Self.earlyApril)
        let retracted = contact(3, customer, at: Self.earlyApril)
        log.append(ContactLogRetracted(entryID: retracted, reason: "duplicate", retractedAt: Self.earlyApril), stream: "contact-log-3", at: Self.earlyApril)
        let views = try log.views(projection)
        // In UTC both contacts would fall in March; in Shanghai the second is on April 1st.
        #expect(try EmployeeIndicators.values(employee: "emp-1", month: "2026-03", in: views) == ["contactsMade": 1])
        #expect(try EmployeeIndicators.values(employee: "emp-1", month: "2026-04", in: views) == ["contactsMade": 1])
        #expect(try EmployeeIndicators.month("2026-04", in: views) == ["emp-1": ["contactsMade": 1]])
        try log.expectSameTablesInTwoBatchings(projection)
    }

    @Test func tasksTicketsDealsProspectsAndCampaignItemsAreCreditedToTheirEmployee() throws {
        let customer = try setUp()
        // A task of the east branch due 02:00 UTC April 1st, completed 17:00 UTC March 31st = 01:00 April 1st local: on time, April.
        let task = UUID.derived("task", "1")
        log.append(TaskDispatched(taskID: task, details: .init(title: "call back", customerID: customer, kind: .followUp, dueAt: Self.utc(1_775_008_800), branch: "east"),
                                  assignee: "emp-1", route: .manual), stream: "task-1", at: WorkTestLog.start)
        log.append(TaskReassigned(taskID: task, previousAssignee: "emp-1", assignee: "emp-2"), stream: "task-1", at: WorkTestLog.start)
        log.append(TaskCompleted(taskID: task, resultNote: "done", completedAt: Self.utc(1_774_976_400)), stream: "task-1", at: Self.utc(1_774_976_400))
        log.append(TaskCompleted(taskID: task, resultNote: "again", completedAt: Self.utc(1_774_976_400)), stream: "task-1", at: Self.utc(1_774_976_400))
        // A ticket due April 2nd, resolved April 3rd by its assignee: late.
        let ticket = UUID.derived("ticket", "1")
        log.append(TicketOpened(ticketID: ticket, channel: .phone, kind: .complaint, severity: .normal, customerID: customer, subject: "noise",
                                department: "service", openedAt: Self.earlyApril, responseDueAt: Self.earlyApril, resolutionDueAt: Self.utc(1_775_088_000)),
                   stream: "ticket-1", at: Self.earlyApril)
        log.append(TicketAssigned(ticketID: ticket, assignee: "emp-3", assignedAt: Self.earlyApril), stream: "ticket-1", at: Self.earlyApril)
        log.append(TicketResolved(ticketID: ticket, resolution: "fixed", resolvedAt: Self.utc(1_775_174_400)), stream: "ticket-1", at: Self.utc(1_775_174_400))
        // An opportunity opened (recorded March 10th) and won April 20th.
        let opportunity = UUID.derived("opportunity", "1")
        let details = Opportunity.Details(customerID: customer, title: "upgrade", source: "visit", expectedRevenue: Money(100, .cny),
                                          closeDate: try WorkTestLog.day("2026-04-30"))
        log.append(OpportunityOpened(opportunityID: opportunity, details: details, pipeline: Pipeline(name: "default", stages: ["lead"]), stage: "lead", owner: "emp-1"),
                   stream: "opportunity-1", at: WorkTestLog.start)
        log.append(OpportunityWon(opportunityID: opportunity, reason: "price", stage: "lead", expectedRevenue: Money(100, .cny), closedAt: Self.utc(1_776_643_200)),
                   stream: "opportunity-1", at: Self.utc(1_776_643_200))
        // A prospect created by emp-4.
        log.append(CustomerCreated(customerID: UUID.derived("customer", "p"), kind: .person, name: "p", group: "residential", branch: "east",
                                   owner: "emp-4", status: .prospect, customFields: [:], externalKeys: []), stream: "customer-p", at: WorkTestLog.start)
        // A campaign work item reported done twice: counted once.
        let item = UUID.derived("item", "1")
        for percent in [50, 100, 100] {
            log.append(CampaignProgressReported(campaignID: UUID.derived("campaign", "1"), report: .init(workItemID: item, percent: percent, owner: "emp-5", at: Self.lateMarch)),
                       stream: "campaign-1", at: Self.lateMarch)
        }
        let views = try log.views(projection)
        #expect(try EmployeeIndicators.values(employee: "emp-2", month: "2026-04", in: views) == ["tasksOnTime": 1])
        #expect(try EmployeeIndicators.values(employee: "emp-3", month: "2026-04", in: views) == ["ticketsResolvedLate": 1])
        #expect(try EmployeeIndicators.values(employee: "emp-1", month: "2026-03", in: views) == ["newOpportunities": 1])
        #expect(try EmployeeIndicators.values(employee: "emp-1", month: "2026-04", in: views) == ["dealsWon": 1])
        #expect(try EmployeeIndicators.values(employee: "emp-4", month: "2026-03", in: views) == ["newPotentialCustomers": 1])
        #expect(try EmployeeIndicators.values(employee: "emp-5", month: "2026-03", in: views) == ["campaignItemsDone": 1])
        try log.expectSameTablesInTwoBatchings(projection)
    }
}

@Suite struct CustomerActivityTests {
    let log = WorkTestLog()
    let projection = CustomerActivity()

    func entry(_ n: Int, _ customer: UUID, _ day: String, _ amount: Decimal, reversalOf: UUID? = nil) throws -> RevenueLedger.Entry {
        RevenueLedger.Entry(id: UUID.derived("entry", "\(n)"), customerID: customer, chargeItem: "fee", businessLine: "gas",
                            date: try WorkTestLog.day(day), amount: Money(amount, .cny), reversalOf: reversalOf)
    }

    @Test func purchasesContactsComplaintsAndBreachesAreSummedPerCustomer() throws {
        log.append(BranchTimeZoneSet(branch: "east", timeZoneID: "Asia/Shanghai"), stream: "settings", at: WorkTestLog.start)
        let customer = try log.customer("east-1", branch: "east", owner: "emp-1")
        let first = try entry(1, customer, "2026-01-05", 100)
        log.append(RevenueEntryRecorded(entry: first, recordedBy: "billing", recordedAt: WorkTestLog.start), stream: "revenue", at: WorkTestLog.start)
        log.append(RevenueEntryRecorded(entry: try entry(2, customer, "2026-03-05", 80), recordedBy: "billing", recordedAt: WorkTestLog.start),
                   stream: "revenue", at: WorkTestLog.start)
        log.append(RevenueEntryRecorded(entry: try entry(3, customer, "2026-03-20", 40), recordedBy: "billing", recordedAt: WorkTestLog.start),
                   stream: "revenue", at: WorkTestLog.start)
        log.append(RevenueEntryReversed(reversal: try entry(4, customer, "2026-03-21", -40, reversalOf: UUID.derived("entry", "3")), reason: "wrong",
                                        reversedBy: "billing", reversedAt: WorkTestLog.start), stream: "revenue", at: WorkTestLog.start)
        // A contact at 16:30 UTC March 31st: April 1st in Shanghai.
        log.append(ContactLogged(entryID: UUID.derived("contact", "1"), customerID: customer,
                                 details: .init(channel: .phone, subject: "hi", occurredAt: EmployeeIndicatorsTests.earlyApril)),
                   stream: "contact-1", at: EmployeeIndicatorsTests.earlyApril)
        let ticket = UUID.derived("ticket", "9")
        log.append(TicketOpened(ticketID: ticket, channel: .phone, kind: .complaint, severity: .normal, customerID: customer, subject: "bill",
                                department: "service", openedAt: WorkTestLog.start, responseDueAt: WorkTestLog.start, resolutionDueAt: WorkTestLog.at(hours: 1)),
                   stream: "ticket-9", at: WorkTestLog.start)
        let views1 = try log.views(projection)
        #expect(try CustomerActivity.summary(of: customer, in: views1)?.openComplaints == 1)
        log.append(TicketResolved(ticketID: ticket, resolution: "ok", resolvedAt: WorkTestLog.at(hours: 2)), stream: "ticket-9", at: WorkTestLog.at(hours: 2))

        let summary = try #require(try CustomerActivity.summary(of: customer, in: log.views(projection)))
        let jan5 = try WorkTestLog.day("2026-01-05"), mar20 = try WorkTestLog.day("2026-03-20")
        #expect(summary.purchases == 2 && summary.firstPurchase == jan5)
        #expect(summary.lastPurchase == mar20)  // a reversal does not move it back
        #expect(summary.months.map(\.month) == ["2026-01", "2026-03"])
        #expect(summary.months.map(\.amount) == [100, 80])
        #expect(summary.months.map(\.purchases) == [1, 1])
        #expect(summary.activity.map(\.month) == ["2026-04"])
        #expect(summary.openComplaints == 0 && summary.slaBreaches.map(\.month) == ["2026-03"])
        #expect(summary.scope.branch == "east" && summary.scope.owners == ["emp-1"])
        try log.expectSameTablesInTwoBatchings(projection)
    }
}

@Suite struct KPIRuleVersionsTests {
    @Test func everyRuleChangeIsKeptUnderItsLogPosition() throws {
        let log = WorkTestLog()
        log.append(KPIRulesReplaced(rules: [KPIRule(indicator: "contactsMade", weight: 1, target: 10)]), stream: "settings", at: WorkTestLog.start)
        log.append(BranchTimeZoneSet(branch: "east", timeZoneID: "Asia/Shanghai"), stream: "settings", at: WorkTestLog.start)
        log.append(KPIRulesReplaced(rules: [KPIRule(indicator: "contactsMade", weight: 2, target: 20)]), stream: "settings", at: WorkTestLog.at(hours: 24))
        let versions = try KPIRuleVersions.all(in: log.views(KPIRuleVersions()))
        #expect(versions.map(\.version) == [1, 3])
        #expect(versions.map(\.effectiveFrom) == [WorkTestLog.start, WorkTestLog.at(hours: 24)])
        #expect(versions.last?.rules.first?.weight == 2)
        #expect(AnalyticsProjections.all.map(\.name) == [
            "employee-indicators", "customer-activity", "kpi-rule-versions", "customer-directory", "cost-ledger", "maintenance-assessment",
            "survey-results", "feedback-forms", "ticket-satisfaction", "usage-readings", "opportunity-outcomes",
        ])
    }

    @Test func aScoringChangeIsANewVersionKeepingTheRules() throws {
        let log = WorkTestLog()
        log.append(KPIRulesReplaced(rules: [KPIRule(indicator: "contactsMade", weight: 1, target: 10)]), stream: "settings", at: WorkTestLog.start)
        let scoring = KPIScoring(indicator: "contactsMade", curve: .threshold, period: .quarter)
        log.append(KPIScoringSet(scoring: scoring, previous: nil), stream: "settings", at: WorkTestLog.at(hours: 1))
        log.append(KPIRulesReplaced(rules: [KPIRule(indicator: "contactsMade", weight: 2, target: 20)]), stream: "settings", at: WorkTestLog.at(hours: 2))
        let versions = try KPIRuleVersions.all(in: log.views(KPIRuleVersions()))
        #expect(versions.map(\.version) == [1, 2, 3])
        #expect(versions.map(\.scoring) == [[], [scoring], [scoring]])
        #expect(versions.map { $0.rules.first?.weight } == [1, 1, 2])
        try log.expectSameTablesInTwoBatchings(KPIRuleVersions())
    }
}

@Suite struct ReportProjectionsTests {
    @Test func costsFormsAndRatingsAreKeptAsFacts() throws {
        let log = WorkTestLog()
        let customer = try log.customer("Costly", branch: "east", owner: "emp-1")
        let visit = UUID.derived("visit", "costly")
        _ = try log.run(Visit.self, visit, .plan(id: visit, customerID: customer, visitor: "emp-1", scheduledAt: WorkTestLog.at(hours: 30),
                                                  contacts: [], agenda: "a", place: "p"), at: WorkTestLog.start)
        let line = Visit.CostLine(id: UUID.derived("line", "1"), kind: .transport, amount: Money(40, .cny))
        _ = try log.run(Visit.self, visit, .addCostLine(line), at: WorkTestLog.start)
        _ = try log.run(Visit.self, visit, .addCostLine(Visit.CostLine(id: UUID.derived("line", "2"), kind: .lodging, amount: Money(60, .cny))), at: WorkTestLog.start)
        _ = try log.run(Visit.self, visit, .removeCostLine(id: line.id), at: WorkTestLog.start)
        let (_, visits) = try CostLedger.all(in: log.views(CostLedger()))
        #expect(visits.map { $0.visit.lines.map(\.amount.amount) } == [[60]])
        #expect(visits.first?.visit.scope.owners == ["emp-1"])
        try log.expectSameTablesInTwoBatchings(CostLedger())

        let form = UUID.derived("form", "1")
        let template = FeedbackTemplate(name: "Weekly", department: "sales", fields: [FeedbackField(name: "visits", type: .number)])
        _ = try log.run(FeedbackForm.self, form, .submit(id: form, template: template, submittedBy: "emp-1", reporter: "emp-1", reviewer: "emp-2",
                                                          branch: "east", values: [FeedbackValue(field: "visits", value: .number(3))]), at: WorkTestLog.start)
        _ = try log.run(FeedbackForm.self, form, .startReview(workflowID: UUID.derived("wf", "1")), at: WorkTestLog.at(hours: 1))
        _ = try log.run(FeedbackForm.self, form, .markReviewed(workflowID: UUID.derived("wf", "1")), at: WorkTestLog.at(hours: 2))
        let forms = try FeedbackForms.all(in: log.views(FeedbackForms()))
        #expect(forms.map(\.status) == [.reviewed] && forms.first?.reviewedAt == WorkTestLog.at(hours: 2) && forms.first?.branch == "east")
        try log.expectSameTablesInTwoBatchings(FeedbackForms())
    }
}
