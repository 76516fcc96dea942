import CRMDomain
import EventSourcing
import Foundation
import Testing

@Suite("New connection")
struct NewConnectionTests {
    static let t0 = Date(timeIntervalSince1970: 1_767_225_600)
    static let connectionID = UUID.derived("test", "connection")
    static let customerID = UUID.derived("test", "customer")
    static let feeID = UUID.derived("test", "fee")
    static let day: TimeInterval = 86_400

    static var opened: NewConnectionEvent {
        .opened(ConnectionOpened(connectionID: connectionID, customerID: customerID, address: "1 Gas Street",
                                 openedAt: t0, deadline: t0 + 3 * day, assignee: "emp-intake"))
    }

    static func advanced(_ from: ConnectionStage, at: Date = t0 + day, assignee: String = "emp-next") -> NewConnectionEvent {
        let to = from.next ?? .archived
        return .advanced(ConnectionStageAdvanced(connectionID: connectionID, from: from, to: to, completedAt: at, note: nil,
                                                 deadline: to == .archived ? nil : at + 5 * day, assignee: to == .archived ? nil : assignee))
    }

    /// The events of a connection that reached `stage` (fee paid along the way).
    static func history(upTo stage: ConnectionStage) -> [NewConnectionEvent] {
        var events = [opened]
        var current = ConnectionStage.application
        while current < stage {
            if current == .fee {
                events.append(.feeAssessed(ConnectionFeeAssessed(connectionID: connectionID, feeID: feeID, stage: .fee,
                                                                 amount: Money(1200, .cny), description: "connection fee", assessedAt: t0)))
                events.append(.feePaid(ConnectionFeePaid(connectionID: connectionID, feeID: feeID, paidAt: t0)))
            }
            events.append(advanced(current, at: t0))
            current = current.next ?? .archived
        }
        return events
    }

    func scenario(_ events: [NewConnectionEvent], at now: Date = t0) -> Scenario<NewConnection> {
        Scenario(NewConnection.self, given: events, at: now)
    }

    @Test func openingStartsInTheApplicationStageWithItsDeadlineAndAssignee() {
        var s = scenario([])
        let events = s.apply(.open(connectionID: Self.connectionID, customerID: Self.customerID, address: " 1 Gas Street ",
                                   deadline: Self.t0 + 3 * Self.day, assignee: "emp-intake"))
        #expect(events == [Self.opened])
        #expect(s.state.currentStage == .application)
        #expect(s.state.summary == ConnectionSummary(connectionID: Self.connectionID, stage: .application,
                                                     deadline: Self.t0 + 3 * Self.day, assignee: "emp-intake", isCancelled: false))
    }

    @Test func openingIsRefusedTwiceOrWithBadInputs() {
        let open = NewConnection.Command.open(connectionID: Self.connectionID, customerID: Self.customerID, address: "a",
                                              deadline: Self.t0 + 1, assignee: "e")
        #expect(scenario([Self.opened]).whenRefused(open)?.code == .alreadyExists)
        let s = scenario([])
        let noAddress = s.whenRefused(.open(connectionID: Self.connectionID, customerID: Self.customerID, address: " ",
                                            deadline: Self.t0 + 1, assignee: "e"))
        #expect(noAddress?.field == "address")
        let past = s.whenRefused(.open(connectionID: Self.connectionID, customerID: Self.customerID, address: "a",
                                       deadline: Self.t0 - 1, assignee: "e"))
        #expect(past?.code == .invalid)
        #expect(past?.field == "deadline")
        let noAssignee = s.whenRefused(.open(connectionID: Self.connectionID, customerID: Self.customerID, address: "a",
                                             deadline: Self.t0 + 1, assignee: ""))
        #expect(noAssignee?.field == "assignee")
    }

    @Test func commandsOnAnUnopenedConnectionAreNotFound() {
        let s = scenario([])
        #expect(s.whenRefused(.advance(note: nil, deadline: Self.t0 + Self.day, assignee: "e"))?.code == .notFound)
        #expect(s.whenRefused(.cancel(reason: "x"))?.code == .notFound)
        #expect(s.whenRefused(.payFee(feeID: Self.feeID))?.code == .notFound)
        #expect(s.state.summary == nil)
    }

    @Test func advancingRecordsTheCompletionAndTheNextStagesDeadlineAndAssignee() {
        var s = scenario([Self.opened], at: Self.t0 + Self.day)
        let events = s.apply(.advance(note: "form complete", deadline: Self.t0 + 4 * Self.day, assignee: "emp-survey"))
        #expect(events == [.advanced(ConnectionStageAdvanced(connectionID: Self.connectionID, from: .application, to: .siteSurvey,
                                                             completedAt: Self.t0 + Self.day, note: "form complete",
                                                             deadline: Self.t0 + 4 * Self.day, assignee: "emp-survey"))])
        #expect(s.state.currentStage == .siteSurvey)
        #expect(s.state.currentAssignee == "emp-survey")
        #expect(s.state.visits.first?.note == "form complete")
        #expect(s.state.visits.first?.leftAt == Self.t0 + Self.day)
    }

    @Test func advancingNeedsTheNextStagesDeadlineAndAssignee() {
        let s = scenario([Self.opened], at: Self.t0 + Self.day)
        #expect(s.whenRefused(.advance(note: nil, deadline: nil, assignee: "e"))?.field == "deadline")
        #expect(s.whenRefused(.advance(note: nil, deadline: Self.t0, assignee: "e"))?.field == "deadline")
        #expect(s.whenRefused(.advance(note: nil, deadline: Self.t0 + 9 * Self.day, assignee: nil))?.field == "assignee")
    }

    @Test func theStagesFollowStrictlyInOrderToArchived() {
        var s = scenario([Self.opened])
        var seen: [ConnectionStage] = [.application]
        while let stage = s.state.currentStage, stage != .archived {
            if stage == .fee {
                s.apply(.assessFee(feeID: Self.feeID, amount: Money(800, .cny), description: "fee"))
                s.apply(.payFee(feeID: Self.feeID))
            }
            s.apply(.advance(note: nil, deadline: Self.t0 + Self.day, assignee: "e"))
            if let next = s.state.currentStage { seen.append(next) }
            if seen.count > 10 { break }
        }
        #expect(seen == ConnectionStage.allCases)
        #expect(s.state.currentDeadline == nil)
        #expect(s.state.isActive == false)
    }

    @Test func commissioningAdvancesToArchivedWithoutADeadline() {
        var s = scenario(Self.history(upTo: .commissioning))
        let events = s.apply(.advance(note: "gas on", deadline: nil, assignee: nil))
        #expect(events == [.advanced(ConnectionStageAdvanced(connectionID: Self.connectionID, from: .commissioning, to: .archived,
                                                             completedAt: Self.t0, note: "gas on", deadline: nil, assignee: nil))])
        #expect(s.state.summary?.stage == .archived)
    }

    @Test func anArchivedConnectionRefusesEveryStep() {
        let s = scenario(Self.history(upTo: .archived))
        #expect(s.state.currentStage == .archived)
        #expect(s.whenRefused(.advance(note: nil, deadline: nil, assignee: nil))?.code == .invalidTransition)
        #expect(s.whenRefused(.sendBack(reason: "r", deadline: Self.t0 + Self.day, assignee: "e"))?.code == .invalidTransition)
        #expect(s.whenRefused(.cancel(reason: "r"))?.code == .invalidTransition)
        #expect(s.whenRefused(.addMaterial(ConnectionMaterial(name: "pipe", quantity: 1, unit: "m")))?.code == .invalidTransition)
    }

    @Test func theFeeStageNeedsAnAssessedAndPaidFee() {
        var s = scenario(Self.history(upTo: .fee))
        #expect(s.whenRefused(.advance(note: nil, deadline: Self.t0 + Self.day, assignee: "e"))?.code == .invalidTransition)
        s.apply(.assessFee(feeID: Self.feeID, amount: Money(1200, .cny), description: "connection fee"))
        #expect(s.whenRefused(.advance(note: nil, deadline: Self.t0 + Self.day, assignee: "e"))?.code == .invalidTransition)
        #expect(s.state.outstandingFees == [.cny: 1200])
        let paid = s.apply(.payFee(feeID: Self.feeID))
        #expect(paid == [.feePaid(ConnectionFeePaid(connectionID: Self.connectionID, feeID: Self.feeID, paidAt: Self.t0))])
        #expect(s.state.outstandingFees.isEmpty)
        #expect(s.apply(.advance(note: nil, deadline: Self.t0 + Self.day, assignee: "e")).count == 1)
        #expect(s.state.currentStage == .design)
    }

    @Test func payingAFeeTwiceRecordsNothingAndAnUnknownFeeIsNotFound() {
        var s = scenario(Self.history(upTo: .fee))
        #expect(s.whenRefused(.payFee(feeID: Self.feeID))?.code == .notFound)
        s.apply(.assessFee(feeID: Self.feeID, amount: Money(1200, .cny), description: "fee"))
        s.apply(.payFee(feeID: Self.feeID))
        #expect(s.when(.payFee(feeID: Self.feeID)).isEmpty)
    }

    @Test func feesAreValidatedAndTotalledPerCurrency() {
        var s = scenario(Self.history(upTo: .design))
        #expect(s.whenRefused(.assessFee(feeID: Self.feeID, amount: Money(5, .cny), description: "again"))?.code == .alreadyExists)
        #expect(s.whenRefused(.assessFee(feeID: UUID.derived("f", "0"), amount: Money(0, .cny), description: "x"))?.field == "amount")
        #expect(s.whenRefused(.assessFee(feeID: UUID.derived("f", "0"), amount: Money(1, .cny), description: " "))?.field == "description")
        let events = s.apply(.assessFee(feeID: UUID.derived("f", "1"), amount: Money(Decimal(string: "99.50") ?? 0, .cny), description: "design"))
        #expect(events.count == 1)
        s.apply(.assessFee(feeID: UUID.derived("f", "2"), amount: Money(40, .usd), description: "meter"))
        #expect(s.state.totalFees == [.cny: Decimal(string: "1299.50") ?? 0, .usd: 40])
        #expect(s.state.fees.last?.stage == .design)
    }

    @Test func materialsAreRecordedAgainstTheCurrentStage() {
        var s = scenario(Self.history(upTo: .construction))
        let pipe = ConnectionMaterial(name: "PE pipe", quantity: Decimal(string: "12.5") ?? 0, unit: "m")
        let events = s.apply(.addMaterial(pipe))
        #expect(events == [.materialAdded(ConnectionMaterialAdded(connectionID: Self.connectionID, stage: .construction, material: pipe))])
        #expect(s.state.materials[.construction] == [pipe])
        #expect(s.whenRefused(.addMaterial(ConnectionMaterial(name: "pipe", quantity: 0, unit: "m")))?.field == "quantity")
        #expect(s.whenRefused(.addMaterial(ConnectionMaterial(name: "", quantity: 1, unit: "m")))?.field == "name")
        #expect(s.whenRefused(.addMaterial(ConnectionMaterial(name: "pipe", quantity: 1, unit: " ")))?.field == "unit")
    }

    @Test func aStageIsSentBackToThePreviousOneWithAReason() {
        var s = scenario(Self.history(upTo: .design), at: Self.t0 + 2 * Self.day)
        let events = s.apply(.sendBack(reason: "survey missed the meter room", deadline: Self.t0 + 4 * Self.day, assignee: "emp-survey"))
        #expect(events == [.sentBack(ConnectionStageSentBack(connectionID: Self.connectionID, from: .design, to: .fee,
                                                             reason: "survey missed the meter room", sentBackAt: Self.t0 + 2 * Self.day,
                                                             deadline: Self.t0 + 4 * Self.day, assignee: "emp-survey"))])
        #expect(s.state.currentStage == .fee)
        #expect(s.state.visits.dropLast().last?.note == "survey missed the meter room")
        #expect(s.whenRefused(.sendBack(reason: " ", deadline: Self.t0 + 4 * Self.day, assignee: "e"))?.field == "reason")
        #expect(s.whenRefused(.sendBack(reason: "r", deadline: Self.t0, assignee: "e"))?.field == "deadline")
    }

    @Test func theApplicationStageCannotBeSentBack() {
        let s = scenario([Self.opened])
        #expect(s.whenRefused(.sendBack(reason: "r", deadline: Self.t0 + Self.day, assignee: "e"))?.code == .invalidTransition)
    }

    @Test func cancellingStopsTheWorkflow() {
        var s = scenario(Self.history(upTo: .siteSurvey), at: Self.t0 + Self.day)
        let events = s.apply(.cancel(reason: "customer moved"))
        #expect(events == [.cancelled(ConnectionCancelled(connectionID: Self.connectionID, stage: .siteSurvey,
                                                          reason: "customer moved", cancelledAt: Self.t0 + Self.day))])
        #expect(s.state.summary?.isCancelled == true)
        #expect(s.state.isStageLate(at: Self.t0 + 100 * Self.day) == false)
        #expect(s.whenRefused(.cancel(reason: "again"))?.code == .invalidTransition)
        #expect(s.whenRefused(.advance(note: nil, deadline: Self.t0 + 3 * Self.day, assignee: "e"))?.code == .invalidTransition)
        #expect(scenario([Self.opened]).whenRefused(.cancel(reason: ""))?.field == "reason")
    }

    @Test func aCancelledConnectionRefusesWorkAndStopsTheClock() {
        var s = scenario([Self.opened], at: Self.t0 + Self.day)
        s.apply(.cancel(reason: "withdrawn"))
        #expect(s.whenRefused(.assessFee(feeID: Self.feeID, amount: Money(1, .cny), description: "x"))?.code == .invalidTransition)
        #expect(s.whenRefused(.addMaterial(ConnectionMaterial(name: "pipe", quantity: 1, unit: "m")))?.code == .invalidTransition)
        #expect(s.whenRefused(.replan(deadline: Self.t0 + 9 * Self.day, assignee: "e"))?.code == .invalidTransition)
        #expect(s.whenRefused(.sendBack(reason: "r", deadline: Self.t0 + 9 * Self.day, assignee: "e"))?.code == .invalidTransition)
        #expect(s.state.timeSpent(at: Self.t0 + 30 * Self.day)[.application] == Self.day)
        #expect(s.state.visits.last?.note == "withdrawn")
    }

    @Test func aStageIsLateOnlyAfterItsDeadline() {
        let state = NewConnection.replay([Self.opened])
        #expect(state.isStageLate(at: Self.t0 + 3 * Self.day) == false)
        #expect(state.isStageLate(at: Self.t0 + 3 * Self.day + 1))
    }

    @Test func timeSpentIsSummedPerStageAcrossSendBacks() {
        let events: [NewConnectionEvent] = [
            Self.opened,
            Self.advanced(.application, at: Self.t0 + Self.day),
            .sentBack(ConnectionStageSentBack(connectionID: Self.connectionID, from: .siteSurvey, to: .application, reason: "r",
                                              sentBackAt: Self.t0 + 3 * Self.day, deadline: Self.t0 + 9 * Self.day, assignee: "e")),
            Self.advanced(.application, at: Self.t0 + 4 * Self.day),
        ]
        let spent = NewConnection.replay(events).timeSpent(at: Self.t0 + 6 * Self.day)
        #expect(spent[.application] == 2 * Self.day)
        #expect(spent[.siteSurvey] == 4 * Self.day)
        #expect(spent[.fee] == nil)
    }

    @Test func stagesAreOrdered() {
        #expect(ConnectionStage.application.previous == nil)
        #expect(ConnectionStage.archived.next == nil)
        #expect(ConnectionStage.fee.next == .design)
        #expect(ConnectionStage.design.previous == .fee)
        #expect(ConnectionStage.siteSurvey < .commissioning)
    }

    @Test func replanningRecordsExactlyTheChangedFields() {
        var s = scenario([Self.opened], at: Self.t0 + Self.day)
        let events = s.apply(.replan(deadline: Self.t0 + 3 * Self.day, assignee: "emp-other"))
        #expect(events == [.replanned(ConnectionStageReplanned(
            connectionID: Self.connectionID, stage: .application,
            changes: [FieldChange(field: "assignee", old: .text("emp-intake"), new: .text("emp-other"))],
            deadline: Self.t0 + 3 * Self.day, assignee: "emp-other"))])
        #expect(s.state.currentAssignee == "emp-other")
        let later = s.apply(.replan(deadline: Self.t0 + 5 * Self.day, assignee: "emp-other"))
        guard case .replanned(let replanned)? = later.first else {
            Issue.record("expected a replan")
            return
        }
        #expect(replanned.changes == [FieldChange(field: "deadline", old: .text("2026-01-04T00:00:00Z"), new: .text("2026-01-06T00:00:00Z"))])
        #expect(s.state.currentDeadline == Self.t0 + 5 * Self.day)
        #expect(s.state.isStageLate(at: Self.t0 + 4 * Self.day) == false)
        #expect(s.when(.replan(deadline: Self.t0 + 5 * Self.day, assignee: "emp-other")).isEmpty)
        #expect(s.whenRefused(.replan(deadline: Self.t0, assignee: "emp-other"))?.field == "deadline")
        #expect(s.whenRefused(.replan(deadline: Self.t0 + 5 * Self.day, assignee: " "))?.field == "assignee")
    }

    @Test func replanningKeepsTheStageAndItsStartTime() {
        var s = scenario(Self.history(upTo: .design), at: Self.t0 + Self.day)
        s.apply(.replan(deadline: Self.t0 + 8 * Self.day, assignee: "emp-designer"))
        #expect(s.state.currentStage == .design)
        #expect(s.state.visits.last?.enteredAt == Self.t0)
        #expect(s.state.timeSpent(at: Self.t0 + Self.day)[.design] == Self.day)
        #expect(scenario(Self.history(upTo: .archived)).whenRefused(.replan(deadline: Self.t0 + 1, assignee: "e"))?.code == .invalidTransition)
    }

    @Test func everyEventRoundTrips() throws {
        let pipe = ConnectionMaterial(name: "pipe", quantity: Decimal(string: "2.25") ?? 0, unit: "m")
        try expectRoundTrips([
            Self.opened,
            .materialAdded(ConnectionMaterialAdded(connectionID: Self.connectionID, stage: .construction, material: pipe)),
            .feeAssessed(ConnectionFeeAssessed(connectionID: Self.connectionID, feeID: Self.feeID, stage: .fee,
                                               amount: Money(Decimal(string: "12.34") ?? 0, .cny), description: "fee", assessedAt: Self.t0)),
            .feePaid(ConnectionFeePaid(connectionID: Self.connectionID, feeID: Self.feeID, paidAt: Self.t0)),
            Self.advanced(.application),
            Self.advanced(.commissioning),
            .sentBack(ConnectionStageSentBack(connectionID: Self.connectionID, from: .design, to: .fee, reason: "r",
                                              sentBackAt: Self.t0, deadline: Self.t0 + 1, assignee: "e")),
            .replanned(ConnectionStageReplanned(connectionID: Self.connectionID, stage: .design,
                                                changes: [FieldChange(field: "assignee", old: .text("a"), new: .text("b"))],
                                                deadline: Self.t0 + 1, assignee: "b")),
            .cancelled(ConnectionCancelled(connectionID: Self.connectionID, stage: .fee, reason: "r", cancelledAt: Self.t0)),
        ])
    }
}
