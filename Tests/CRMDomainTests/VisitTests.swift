import CRMDomain
import EventSourcing
import Foundation
import Testing

private let t0 = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01 00:00 UTC
private let visitID = UUID(uuidString: "5151A000-0000-4000-8000-000000000001")!
private let customerA = UUID(uuidString: "5151A000-0000-4000-8000-0000000000CA")!
private let customerB = UUID(uuidString: "5151A000-0000-4000-8000-0000000000CB")!
private let contact1 = UUID(uuidString: "5151A000-0000-4000-8000-0000000000D1")!
private let contact2 = UUID(uuidString: "5151A000-0000-4000-8000-0000000000D2")!
private let scheduled = t0.addingTimeInterval(3 * 86_400 + 9 * 3600)  // 2026-01-04 09:00 UTC

private func plan(id: UUID = visitID, customer: UUID = customerA, at when: Date = scheduled, place: String = "Head office",
                  visitor: String = "emp-7", agenda: String = "Contract renewal", contacts: [UUID] = [contact1]) -> Visit.Command {
    .plan(id: id, customerID: customer, visitor: visitor, scheduledAt: when, contacts: contacts, agenda: agenda, place: place)
}

private func money(_ amount: String, _ currency: Currency = .cny) -> Money { Money(Decimal(string: amount) ?? 0, currency) }
private func line(_ n: Int, _ kind: Visit.CostKind, _ amount: String, _ currency: Currency = .cny) -> Visit.CostLine {
    Visit.CostLine(id: UUID.derived("cost", String(n)), kind: kind, amount: money(amount, currency), note: nil)
}

private let actual = Visit.Actual(date: date("2026-01-01"), place: "Plant 2", contacts: [contact1, contact2],
                                  topics: ["renewal", "meter upgrade"], summary: "Agreed to renew for two years")

private func planned(_ commands: [Visit.Command] = []) -> Scenario<Visit> {
    var s = Scenario(Visit.self, at: t0)
    s.apply(plan())
    for command in commands { s.apply(command) }
    return s
}

@Suite("Visits")
struct VisitTests {
    // MARK: plan

    @Test func planningRecordsTimeContactsAgendaAndPlace() {
        let events = Scenario(Visit.self).when(plan())
        #expect(events == [.planned(VisitPlanned(visitID: visitID, customerID: customerA, visitor: "emp-7", scheduledAt: scheduled,
                                                 contacts: [contact1], agenda: "Contract renewal", place: "Head office"))])
        let state = Visit.replay(events)
        #expect(state.status == .planned)
        #expect(state.exists)
    }

    @Test func planningTwiceIsRefused() {
        #expect(planned().whenRefused(plan())?.code == .alreadyExists)
    }

    @Test func planningNeedsAVisitorAnAgendaAPlaceAndDistinctContacts() {
        let s = Scenario(Visit.self)
        #expect(s.whenRefused(plan(visitor: ""))?.field == "visitor")
        #expect(s.whenRefused(plan(agenda: " "))?.field == "agenda")
        #expect(s.whenRefused(plan(place: ""))?.field == "place")
        #expect(s.whenRefused(plan(contacts: [contact1, contact1]))?.field == "contacts")
    }

    @Test(arguments: [
        Visit.Command.reschedule(to: t0, place: nil, reason: nil), .recordActual(actual), .cancel(reason: "ill"),
        .addCostLine(Visit.CostLine(id: UUID.derived("c"), kind: .other, amount: Money(1, .cny))), .removeCostLine(id: UUID.derived("c")),
    ])
    func everyCommandOnAnUnplannedVisitIsNotFound(command: Visit.Command) {
        #expect(Scenario(Visit.self).whenRefused(command)?.code == .notFound)
    }

    // MARK: reschedule

    @Test func reschedulingTracesOldAndNewTimeAndPlace() {
        var s = planned()
        let later = scheduled.addingTimeInterval(86_400)
        let events = s.apply(.reschedule(to: later, place: "Plant 2", reason: "customer asked"))
        #expect(events == [.rescheduled(VisitRescheduled(visitID: visitID, oldScheduledAt: scheduled, newScheduledAt: later,
                                                         oldPlace: "Head office", newPlace: "Plant 2", reason: "customer asked"))])
        #expect(s.state.scheduledAt == later)
        #expect(s.state.place == "Plant 2")
    }

    @Test func reschedulingKeepsThePlaceWhenNoneIsGivenAndRecordsNothingWhenNothingChanges() {
        var s = planned()
        #expect(s.when(.reschedule(to: scheduled, place: nil, reason: nil)).isEmpty)
        #expect(s.when(.reschedule(to: scheduled, place: "Head office", reason: "same")).isEmpty)
        s.apply(.reschedule(to: scheduled.addingTimeInterval(3600), place: nil, reason: nil))
        #expect(s.state.place == "Head office")
        #expect(s.whenRefused(.reschedule(to: scheduled, place: " ", reason: nil))?.field == "place")
    }

    // MARK: actual

    @Test func recordingTheActualVisitMarksItDoneUnderTheSameId() {
        var s = planned()
        let events = s.apply(.recordActual(actual))
        #expect(events == [.recorded(VisitRecorded(visitID: visitID, actual: actual, recordedAt: t0))])
        #expect(s.state.status == .done)
        #expect(s.state.actual == actual)
        #expect(s.state.agenda == "Contract renewal", "the plan stays beside the actual")
    }

    @Test func aVisitDoneCannotBeRecordedOnADayThatHasNotBegunAnywhere() {
        let s = planned()
        var future = actual
        future.date = LocalCalendar.latestDate(at: t0).adding(days: 1)
        #expect(s.whenRefused(.recordActual(future))?.field == "date")
        var today = actual
        today.date = LocalCalendar.latestDate(at: t0)
        #expect(s.when(.recordActual(today)).count == 1)
    }

    @Test func recordingTheActualNeedsAPlaceASummaryAndNonEmptyTopics() {
        let s = planned()
        var noSummary = actual
        noSummary.summary = " "
        #expect(s.whenRefused(.recordActual(noSummary))?.field == "summary")
        var noPlace = actual
        noPlace.place = ""
        #expect(s.whenRefused(.recordActual(noPlace))?.field == "place")
        var emptyTopic = actual
        emptyTopic.topics = ["renewal", ""]
        #expect(s.whenRefused(.recordActual(emptyTopic))?.field == "topics")
        var twice = actual
        twice.contacts = [contact2, contact2]
        #expect(s.whenRefused(.recordActual(twice))?.field == "contacts")
    }

    // MARK: transitions

    @Test func cancellingAPlannedVisitRecordsTheReason() {
        var s = planned()
        let events = s.apply(.cancel(reason: "customer closed for holidays"))
        #expect(events == [.cancelled(VisitCancelled(visitID: visitID, reason: "customer closed for holidays", cancelledAt: t0))])
        #expect(s.state.status == .cancelled)
        #expect(planned().whenRefused(.cancel(reason: ""))?.field == "reason")
    }

    @Test(arguments: [Visit.Status.done, .cancelled])
    func aFinishedVisitCanBeNeitherRescheduledNorRecordedNorCancelled(status: Visit.Status) {
        let s = planned([status == .done ? .recordActual(actual) : .cancel(reason: "no")])
        #expect(s.state.status == status)
        #expect(s.whenRefused(.reschedule(to: scheduled.addingTimeInterval(60), place: nil, reason: nil))?.code == .invalidTransition)
        #expect(s.whenRefused(.recordActual(actual))?.code == .invalidTransition)
        #expect(s.whenRefused(.cancel(reason: "again"))?.code == .invalidTransition)
    }

    // MARK: costs

    @Test func costLinesAreAddedAndRemovedExactly() {
        var s = planned([.recordActual(actual)])
        let taxi = Visit.CostLine(id: UUID.derived("cost", "taxi"), kind: .transport, amount: money("86.40"), note: "taxi")
        #expect(s.apply(.addCostLine(taxi)) == [.costAdded(VisitCostAdded(visitID: visitID, line: taxi))])
        s.apply(.addCostLine(line(2, .entertainment, "120.10")))
        #expect(s.state.costLines.count == 2)
        #expect(s.apply(.removeCostLine(id: taxi.id)) == [.costRemoved(VisitCostRemoved(visitID: visitID, line: taxi))])
        #expect(s.state.costLines.map(\.id) == [UUID.derived("cost", "2")])
    }

    @Test(arguments: ["0", "-5.00"])
    func aCostLineNeedsAPositiveAmount(amount: String) {
        let error = planned().whenRefused(.addCostLine(line(1, .lodging, amount)))
        #expect(error?.code == .invalid)
        #expect(error?.field == "amount")
    }

    @Test func aCostLineIdIsUsedOnceAndOnlyExistingLinesAreRemoved() {
        let s = planned([.addCostLine(line(1, .lodging, "300"))])
        let duplicate = s.whenRefused(.addCostLine(line(1, .transport, "5")))
        #expect(duplicate?.code == .alreadyExists)
        #expect(duplicate?.field == "id")
        #expect(s.whenRefused(.removeCostLine(id: UUID.derived("cost", "9")))?.code == .notFound)
    }

    @Test func aCancelledVisitCanStillCarryCosts() {
        var s = planned([.cancel(reason: "storm")])
        s.apply(.addCostLine(line(1, .lodging, "300")))
        #expect(s.state.costSummary.totals == [.cny: 300])
    }

    @Test func aVisitsCostSummaryIsExactPerCurrencyAndKind() {
        let s = planned([
            .addCostLine(line(1, .transport, "0.10")), .addCostLine(line(2, .transport, "0.20")),
            .addCostLine(line(3, .lodging, "99.99", .eur)), .addCostLine(line(4, .entertainment, "10")),
        ])
        let summary = s.state.costSummary
        #expect(summary.totals == [.cny: Decimal(string: "10.30")!, .eur: Decimal(string: "99.99")!])
        #expect(summary.byKind[.transport] == [.cny: Decimal(string: "0.3")!], "0.1 + 0.2 is exactly 0.3")
        #expect(summary.byKind[.lodging] == [.eur: Decimal(string: "99.99")!])
        #expect(summary.visitCount == 1)
    }

    @Test func costsOfManyVisitsAreSummedByCustomerPeriodAndPlace() throws {
        let shanghai = try #require(LocalCalendar(timeZoneID: "Asia/Shanghai"))
        func visit(_ n: Int, customer: UUID, at when: Date, place: String, cost: String, actual: Visit.Actual? = nil) -> Visit.State {
            var s = Scenario(Visit.self, at: t0.addingTimeInterval(90 * 86_400))  // recorded after the visits
            s.apply(plan(id: UUID.derived("visit", String(n)), customer: customer, at: when, place: place))
            if let actual { s.apply(.recordActual(actual)) }
            s.apply(.addCostLine(line(n, .transport, cost)))
            return s.state
        }
        // 2026-01-31 20:00 UTC is already February 1st in Shanghai.
        let lateJanuaryUTC = Date(timeIntervalSince1970: 1_769_889_600)
        let visits = [
            visit(1, customer: customerA, at: lateJanuaryUTC, place: "Head office", cost: "10"),
            visit(2, customer: customerA, at: scheduled, place: "Head office", cost: "20",
                  actual: Visit.Actual(date: date("2026-02-03"), place: "Plant 2", summary: "moved on the day")),
            visit(3, customer: customerB, at: scheduled.addingTimeInterval(40 * 86_400), place: "Plant 2", cost: "40"),
            Visit.initialState,
        ]
        let february = date("2026-02-01")...date("2026-02-28")
        #expect(VisitCostSummary.of(visits).totals == [.cny: 70])
        #expect(VisitCostSummary.of(visits).visitCount == 3)
        #expect(VisitCostSummary.of(visits, customerID: customerA).totals == [.cny: 30])
        #expect(VisitCostSummary.of(visits, period: february, calendar: shanghai).totals == [.cny: 70])
        #expect(VisitCostSummary.of(visits, period: february, calendar: .utc).totals == [.cny: 60], "visit 1 is in January in UTC")
        #expect(VisitCostSummary.of(visits, place: "Plant 2").totals == [.cny: 60], "the actual place counts once recorded")
        #expect(VisitCostSummary.of(visits, customerID: customerA, period: february, place: "Plant 2", calendar: .utc).totals == [.cny: 20])
        #expect(VisitCostSummary.of(visits, customerID: customerB, place: "Head office").visitCount == 0)
    }

    // MARK: encoding

    @Test func everyVisitEventRoundTripsThroughBothEncodings() throws {
        let lodging = Visit.CostLine(id: UUID.derived("cost", "x"), kind: .lodging, amount: money("480.50"), note: "hotel")
        try expectRoundTrips([
            VisitEvent.planned(VisitPlanned(visitID: visitID, customerID: customerA, visitor: "emp-7", scheduledAt: scheduled,
                                            contacts: [contact1, contact2], agenda: "续约", place: "Head office")),
            .rescheduled(VisitRescheduled(visitID: visitID, oldScheduledAt: scheduled, newScheduledAt: scheduled.addingTimeInterval(90),
                                          oldPlace: "a", newPlace: "b", reason: nil)),
            .recorded(VisitRecorded(visitID: visitID, actual: actual, recordedAt: t0)),
            .cancelled(VisitCancelled(visitID: visitID, reason: "storm", cancelledAt: t0)),
            .costAdded(VisitCostAdded(visitID: visitID, line: lodging)),
            .costRemoved(VisitCostRemoved(visitID: visitID, line: Visit.CostLine(id: UUID.derived("cost", "y"), kind: .other, amount: money("1", .usd)))),
        ])
    }
}
