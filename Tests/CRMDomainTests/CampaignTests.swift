import CRMDomain
import EventSourcing
import Foundation
import Testing

private let campaignID = UUID(uuidString: "00000000-0000-0000-0000-0000000ca001")!
private let itemID = UUID(uuidString: "00000000-0000-0000-0000-0000000ca101")!
private let materialID = UUID(uuidString: "00000000-0000-0000-0000-0000000ca201")!
private let listID = UUID(uuidString: "00000000-0000-0000-0000-0000000ca301")!
private let alice = UUID(uuidString: "00000000-0000-0000-0000-00000000a001")!
private let bob = UUID(uuidString: "00000000-0000-0000-0000-00000000a002")!
private let stranger = UUID(uuidString: "00000000-0000-0000-0000-00000000a009")!
private let now = Date(timeIntervalSince1970: 1_767_225_600)

private func id(_ n: Int) -> UUID { UUID(uuidString: String(format: "00000000-0000-0000-0000-%012d", n))! }

private let planned = CampaignEvent.planned(CampaignPlanned(
    campaignID: campaignID, name: "Spring promotion", objective: "New gas customers", owner: "emp-3",
    budget: Money(50_000, .cny), start: date("2026-03-01"), end: date("2026-05-31"), plannedAt: now))
private let submitted = CampaignEvent.feasibilitySubmitted(CampaignFeasibilitySubmitted(campaignID: campaignID, study: "feasible", by: "emp-3", at: now))
private let approved = CampaignEvent.approved(CampaignApproved(campaignID: campaignID, by: "mgr-1", at: now, note: nil))
private let started = CampaignEvent.started(CampaignStarted(campaignID: campaignID, by: "emp-3", at: now))
private let item = Campaign.WorkItem(id: itemID, title: "Flyers", department: "marketing", team: "print", person: "emp-9")
private let assigned = CampaignEvent.workItemAssigned(CampaignWorkItemAssigned(campaignID: campaignID, item: item, previous: nil))
private let list = Campaign.TargetList(id: listID, segment: "residential", criteria: "branch sh, no gas contract", customerIDs: [alice, bob])
private let selected = CampaignEvent.targetsSelected(CampaignTargetsSelected(campaignID: campaignID, list: list, by: "emp-3", at: now))
private let closed = CampaignEvent.closed(CampaignClosed(campaignID: campaignID, summary: Campaign.Summary(
    responses: 1, salesEffect: Money(1, .cny), note: "done"), actualCost: Money(0, .cny), by: "emp-3", at: now))

private func campaign(_ status: Campaign.Status, extra: [CampaignEvent] = []) -> Scenario<Campaign> {
    let path: [Campaign.Status: [CampaignEvent]] = [
        .planned: [planned], .feasibility: [planned, submitted], .approved: [planned, submitted, approved],
        .executing: [planned, submitted, approved, started], .closed: [planned, submitted, approved, started, closed],
    ]
    return Scenario(Campaign.self, given: (path[status] ?? []) + extra)
}

private let summary = Campaign.Summary(responses: 120, salesEffect: Money(80_000, .cny), note: "Above target")

@Suite("Campaigns")
struct CampaignTests {
    @Test func planningRecordsThePlan() {
        var s = Scenario(Campaign.self)
        let events = s.apply(.plan(id: campaignID, name: "Spring promotion", objective: "New gas customers", owner: "emp-3",
                                   budget: Money(50_000, .cny), start: date("2026-03-01"), end: date("2026-05-31")))
        #expect(events == [planned])
        #expect(s.state.status == .planned)
        #expect(s.state.budgetRemaining == Money(50_000, .cny))
        #expect(s.whenRefused(.plan(id: campaignID, name: "x", objective: "y", owner: "o", budget: Money(1, .cny),
                                    start: date("2026-03-01"), end: date("2026-03-01")))?.code == .alreadyExists)
    }

    @Test func planningValidatesItsInputs() {
        let s = Scenario(Campaign.self)
        func plan(name: String = "n", objective: String = "o", owner: String = "emp", budget: Decimal = 10, end: String = "2026-03-31") -> Campaign.Command {
            .plan(id: campaignID, name: name, objective: objective, owner: owner, budget: Money(budget, .cny), start: date("2026-03-01"), end: date(end))
        }
        #expect(s.whenRefused(plan(name: " "))?.field == "name")
        #expect(s.whenRefused(plan(objective: ""))?.field == "objective")
        #expect(s.whenRefused(plan(owner: ""))?.field == "owner")
        #expect(s.whenRefused(plan(budget: 0))?.field == "budget")
        #expect(s.whenRefused(plan(end: "2026-02-28"))?.field == "end")
        #expect(s.whenRefused(.start)?.code == .notFound)
    }

    @Test func changingThePlanRecordsExactlyTheChangedFieldsWhilePlanned() {
        var s = campaign(.planned)
        let events = s.apply(.changePlan(name: "Spring promotion", objective: "New gas customers", budget: Money(60_000, .cny),
                                         start: date("2026-03-01"), end: date("2026-06-30")))
        #expect(events == [.planChanged(CampaignPlanChanged(campaignID: campaignID, changes: [
            FieldChange(field: "budget", old: .money(Money(50_000, .cny)), new: .money(Money(60_000, .cny))),
            FieldChange(field: "end", old: .date(date("2026-05-31")), new: .date(date("2026-06-30"))),
        ]))])
        #expect(s.state.budget == Money(60_000, .cny))
        #expect(s.state.end == date("2026-06-30"))
        #expect(s.when(.changePlan(name: "Spring promotion", objective: "New gas customers", budget: Money(60_000, .cny),
                                   start: date("2026-03-01"), end: date("2026-06-30"))).isEmpty)
        #expect(s.whenRefused(.changePlan(name: "n", objective: "o", budget: Money(-1, .cny), start: date("2026-03-01"), end: date("2026-03-02")))?.field == "budget")
        #expect(campaign(.approved).whenRefused(.changePlan(name: "n", objective: "o", budget: Money(1, .cny),
                                                            start: date("2026-03-01"), end: date("2026-03-02")))?.code == .invalidTransition)
    }

    @Test func feasibilityThenApprovalThenExecutionThenClose() {
        var s = Scenario(Campaign.self, given: [planned], at: now, actor: "emp-3")
        s.apply(.submitFeasibility(study: "feasible"))
        #expect(s.state.status == .feasibility)
        #expect(s.state.feasibilityStudy == "feasible")
        s.apply(.approve(note: nil))
        #expect(s.state.status == .approved)
        s.apply(.start)
        #expect(s.state.status == .executing)
        s.apply(.addCost(Campaign.CostLine(id: id(1), description: "Printing", amount: Money(12_000, .cny), date: date("2026-03-05"))))
        let events = s.apply(.close(summary))
        #expect(events == [.closed(CampaignClosed(campaignID: campaignID, summary: summary, actualCost: Money(12_000, .cny), by: "emp-3", at: now))])
        #expect(s.state.status == .closed)
        #expect(s.state.netReturn == Money(68_000, .cny))
    }

    @Test func sendBackReturnsToPlanningWithAReason() {
        var s = campaign(.feasibility)
        s.apply(.sendBack(reason: "budget too high"))
        #expect(s.state.status == .planned)
        #expect(s.state.sentBackReason == "budget too high")
        #expect(campaign(.feasibility).whenRefused(.sendBack(reason: " "))?.field == "reason")
        s.apply(.submitFeasibility(study: "cheaper"))
        s.apply(.approve(note: "ok"))
        #expect(s.state.sentBackReason == nil)
    }

    @Test func everyLifecycleStepOutOfOrderIsAnInvalidTransition() {
        let cases: [(Campaign.Command, [Campaign.Status])] = [
            (.submitFeasibility(study: "s"), [.feasibility, .approved, .executing, .closed]),
            (.approve(note: nil), [.planned, .approved, .executing, .closed]),
            (.sendBack(reason: "r"), [.planned, .approved, .executing, .closed]),
            (.start, [.planned, .feasibility, .executing, .closed]),
            (.close(summary), [.planned, .feasibility, .approved, .closed]),
        ]
        for (command, statuses) in cases {
            for status in statuses {
                #expect(campaign(status).whenRefused(command)?.code == .invalidTransition, "\(command) from \(status)")
            }
        }
    }

    @Test func feasibilityNeedsAStudyAndClosingValidatesTheSummary() {
        #expect(campaign(.planned).whenRefused(.submitFeasibility(study: ""))?.field == "study")
        let s = campaign(.executing)
        #expect(s.whenRefused(.close(Campaign.Summary(responses: -1, salesEffect: Money(0, .cny), note: "n")))?.field == "responses")
        #expect(s.whenRefused(.close(Campaign.Summary(responses: 1, salesEffect: Money(5, .usd), note: "n")))?.field == "salesEffect")
        #expect(s.whenRefused(.close(Campaign.Summary(responses: 1, salesEffect: Money(5, .cny), note: " ")))?.field == "note")
    }

    @Test func workItemsSplitDownToDepartmentTeamAndPersonAndCanBeReassigned() {
        var s = campaign(.planned)
        #expect(s.apply(.assignWorkItem(item)) == [assigned])
        #expect(s.when(.assignWorkItem(item)).isEmpty)
        var moved = item
        moved.person = "emp-10"
        let events = s.apply(.assignWorkItem(moved))
        #expect(events == [.workItemAssigned(CampaignWorkItemAssigned(campaignID: campaignID, item: moved, previous: item))])
        #expect(s.state.workItems == [moved])
        #expect(s.whenRefused(.assignWorkItem(Campaign.WorkItem(id: id(2), title: "t", department: " ")))?.field == "department")
        #expect(s.whenRefused(.assignWorkItem(Campaign.WorkItem(id: id(2), title: "", department: "d")))?.field == "title")
        #expect(campaign(.closed).whenRefused(.assignWorkItem(item))?.code == .invalidTransition)
    }

    @Test func progressIsReportedPerWorkItemWhileExecuting() {
        var s = Scenario(Campaign.self, given: [planned, submitted, approved, started, assigned], at: now, actor: "emp-9")
        let events = s.apply(.reportProgress(workItemID: itemID, percent: 40, note: "half printed"))
        #expect(events == [.progressReported(CampaignProgressReported(campaignID: campaignID, report: Campaign.ProgressReport(
            workItemID: itemID, percent: 40, owner: "emp-9", at: now, note: "half printed")))])
        s.apply(.reportProgress(workItemID: itemID, percent: 100, note: nil))
        #expect(s.state.percentComplete(itemID) == 100)
        #expect(s.whenRefused(.reportProgress(workItemID: itemID, percent: 101, note: nil))?.field == "percent")
        #expect(s.whenRefused(.reportProgress(workItemID: itemID, percent: -1, note: nil))?.field == "percent")
        #expect(s.whenRefused(.reportProgress(workItemID: id(99), percent: 5, note: nil))?.code == .notFound)
        #expect(campaign(.approved, extra: [assigned]).whenRefused(.reportProgress(workItemID: itemID, percent: 5, note: nil))?.code == .invalidTransition)
    }

    @Test func costLinesAreComparedWithTheBudget() {
        var s = campaign(.approved)
        s.apply(.addCost(Campaign.CostLine(id: id(1), description: "Venue", amount: Money(30_000, .cny), date: date("2026-03-02"))))
        s.apply(.addCost(Campaign.CostLine(id: id(2), description: "Gifts", amount: Money(25_000, .cny), date: date("2026-03-03"))))
        #expect(s.state.actualCost == Money(55_000, .cny))
        #expect(s.state.budgetRemaining == Money(-5_000, .cny))
        let line = Campaign.CostLine(id: id(3), description: "x", amount: Money(1, .cny), date: date("2026-03-03"))
        #expect(s.whenRefused(.addCost(Campaign.CostLine(id: id(1), description: "again", amount: Money(1, .cny), date: date("2026-03-03"))))?.code == .alreadyExists)
        var usd = line
        usd.amount = Money(1, .usd)
        #expect(s.whenRefused(.addCost(usd))?.field == "amount")
        var zero = line
        zero.amount = Money(0, .cny)
        #expect(s.whenRefused(.addCost(zero))?.field == "amount")
        var blank = line
        blank.description = ""
        #expect(s.whenRefused(.addCost(blank))?.field == "description")
        #expect(campaign(.planned).whenRefused(.addCost(line))?.code == .invalidTransition)
        #expect(campaign(.closed).whenRefused(.addCost(line))?.code == .invalidTransition)
    }

    @Test func materialsMoveThroughRequestedApprovedPurchasedConsumed() {
        var s = campaign(.approved)
        s.apply(.requestMaterial(id: materialID, name: "Flyers", unit: "pcs", quantity: 1000))
        s.apply(.advanceMaterial(id: materialID, stage: .approved, quantity: 800))
        s.apply(.advanceMaterial(id: materialID, stage: .purchased, quantity: 500))
        s.apply(.advanceMaterial(id: materialID, stage: .purchased, quantity: 300))
        let events = s.apply(.advanceMaterial(id: materialID, stage: .consumed, quantity: 750))
        #expect(events == [.materialAdvanced(CampaignMaterialAdvanced(campaignID: campaignID, materialID: materialID, stage: .consumed, quantity: 750, by: "emp-1"))])
        let material = s.state.materials.first
        #expect(material?.requested == 1000)
        #expect(material?.approved == 800)
        #expect(material?.purchased == 800)
        #expect(material?.consumed == 750)
    }

    @Test func materialQuantitiesNeverExceedWhatThePreviousStageAllows() {
        var s = campaign(.executing)
        s.apply(.requestMaterial(id: materialID, name: "Gifts", unit: "box", quantity: 10))
        #expect(s.whenRefused(.advanceMaterial(id: materialID, stage: .purchased, quantity: 1))?.field == "quantity")
        s.apply(.advanceMaterial(id: materialID, stage: .approved, quantity: 10))
        #expect(s.whenRefused(.advanceMaterial(id: materialID, stage: .approved, quantity: 1))?.field == "quantity")
        s.apply(.advanceMaterial(id: materialID, stage: .purchased, quantity: 4))
        #expect(s.whenRefused(.advanceMaterial(id: materialID, stage: .consumed, quantity: 5))?.field == "quantity")
        #expect(s.when(.advanceMaterial(id: materialID, stage: .consumed, quantity: 4)).count == 1)
        #expect(s.whenRefused(.advanceMaterial(id: materialID, stage: .consumed, quantity: 0))?.field == "quantity")
        #expect(s.whenRefused(.advanceMaterial(id: id(77), stage: .approved, quantity: 1))?.code == .notFound)
    }

    @Test func requestingMaterialIsValidated() {
        var s = campaign(.planned)
        s.apply(.requestMaterial(id: materialID, name: "Posters", unit: "pcs", quantity: 5))
        #expect(s.whenRefused(.requestMaterial(id: materialID, name: "Posters", unit: "pcs", quantity: 5))?.code == .alreadyExists)
        #expect(s.whenRefused(.requestMaterial(id: id(2), name: " ", unit: "pcs", quantity: 5))?.field == "name")
        #expect(s.whenRefused(.requestMaterial(id: id(2), name: "n", unit: "", quantity: 5))?.field == "unit")
        #expect(s.whenRefused(.requestMaterial(id: id(2), name: "n", unit: "pcs", quantity: 0))?.field == "quantity")
        #expect(campaign(.closed).whenRefused(.requestMaterial(id: id(2), name: "n", unit: "pcs", quantity: 1))?.code == .invalidTransition)
        #expect(campaign(.closed).whenRefused(.advanceMaterial(id: materialID, stage: .approved, quantity: 1))?.code == .invalidTransition)
    }

    @Test func targetListsRecordTheSelectionAndItsCriteria() {
        var s = Scenario(Campaign.self, given: [planned], at: now, actor: "emp-3")
        #expect(s.apply(.selectTargets(list)) == [selected])
        #expect(s.state.targetLists == [list])
        #expect(s.whenRefused(.selectTargets(list))?.code == .alreadyExists)
        #expect(s.whenRefused(.selectTargets(Campaign.TargetList(id: id(5), criteria: "c", customerIDs: [])))?.field == "customerIDs")
        #expect(s.whenRefused(.selectTargets(Campaign.TargetList(id: id(5), criteria: "c", customerIDs: [alice, alice])))?.field == "customerIDs")
        #expect(s.whenRefused(.selectTargets(Campaign.TargetList(id: id(5), criteria: " ", customerIDs: [alice])))?.field == "criteria")
        #expect(campaign(.closed).whenRefused(.selectTargets(list))?.code == .invalidTransition)
    }

    @Test func eachMessageSentIsRecordedOncePerMessageID() {
        var s = Scenario(Campaign.self, given: [planned, submitted, approved, started, selected], at: now, actor: "emp-3")
        let events = s.apply(.recordMessage(id: id(1), listID: listID, customerID: alice, kind: .greeting, channel: "sms"))
        #expect(events == [.messageSent(CampaignMessageSent(campaignID: campaignID, message: Campaign.SentMessage(
            id: id(1), listID: listID, customerID: alice, kind: .greeting, channel: "sms", sentAt: now)))])
        #expect(s.when(.recordMessage(id: id(1), listID: listID, customerID: alice, kind: .greeting, channel: "sms")).isEmpty)
        s.apply(.recordMessage(id: id(2), listID: listID, customerID: bob, kind: .promotion, channel: "email"))
        s.apply(.recordMessage(id: id(3), listID: listID, customerID: bob, kind: .surveyInvitation, channel: "email"))
        #expect(s.state.messages.map(\.kind) == [.greeting, .promotion, .surveyInvitation])
    }

    @Test func messagesGoOnlyToTargetedCustomersWhileExecuting() {
        let s = campaign(.executing, extra: [selected])
        #expect(s.whenRefused(.recordMessage(id: id(1), listID: listID, customerID: stranger, kind: .promotion, channel: "sms"))?.field == "customerID")
        #expect(s.whenRefused(.recordMessage(id: id(1), listID: id(99), customerID: alice, kind: .promotion, channel: "sms"))?.code == .notFound)
        #expect(s.whenRefused(.recordMessage(id: id(1), listID: listID, customerID: alice, kind: .promotion, channel: " "))?.field == "channel")
        #expect(campaign(.approved, extra: [selected]).whenRefused(
            .recordMessage(id: id(1), listID: listID, customerID: alice, kind: .promotion, channel: "sms"))?.code == .invalidTransition)
    }

    @Test func everyCampaignEventRoundTripsThroughBothEncodings() throws {
        try expectRoundTrips([
            planned,
            .planChanged(CampaignPlanChanged(campaignID: campaignID, changes: [FieldChange(field: "budget", old: .money(Money(1, .cny)), new: .money(Money(2, .cny)))])),
            submitted, approved,
            .sentBack(CampaignSentBack(campaignID: campaignID, by: "mgr-1", at: now, reason: "太贵")),
            started, assigned,
            .workItemAssigned(CampaignWorkItemAssigned(campaignID: campaignID, item: Campaign.WorkItem(id: itemID, title: "t", department: "d"), previous: item)),
            .progressReported(CampaignProgressReported(campaignID: campaignID, report: Campaign.ProgressReport(workItemID: itemID, percent: 55, owner: "emp-9", at: now))),
            .costAdded(CampaignCostAdded(campaignID: campaignID, line: Campaign.CostLine(id: id(1), description: "Venue", amount: Money(Decimal(string: "1234.56")!, .cny), date: date("2026-03-02")), by: "emp-3")),
            .materialRequested(CampaignMaterialRequested(campaignID: campaignID, materialID: materialID, name: "Flyers", unit: "pcs", quantity: Decimal(string: "1000.5")!, by: "emp-3")),
            .materialAdvanced(CampaignMaterialAdvanced(campaignID: campaignID, materialID: materialID, stage: .purchased, quantity: 3, by: "emp-3")),
            selected,
            .targetsSelected(CampaignTargetsSelected(campaignID: campaignID, list: Campaign.TargetList(id: id(4), criteria: "birthday in March", customerIDs: [alice]), by: "emp-3", at: now)),
            .messageSent(CampaignMessageSent(campaignID: campaignID, message: Campaign.SentMessage(id: id(1), listID: listID, customerID: alice, kind: .surveyInvitation, channel: "sms", sentAt: now))),
            .closed(CampaignClosed(campaignID: campaignID, summary: summary, actualCost: Money(12_000, .cny), by: "emp-3", at: now)),
        ])
    }
}
