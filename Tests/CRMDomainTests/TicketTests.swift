import CRMDomain
import EventSourcing
import Foundation
import Testing

@Suite("Tickets")
struct TicketTests {
    // MARK: open

    @Test func openingFixesTheSLADeadlinesAsInstants() {
        let events = Scenario(Ticket.self, at: ticketT0).when(openTicket())
        #expect(events == [.opened(TicketOpened(
            ticketID: ticketID, channel: .callCenter, kind: .complaint, severity: .normal, customerID: ticketCustomerID,
            subject: "Water bill too high", description: "Customer says the bill doubled", department: "call-center",
            openedAt: ticketT0, responseDueAt: ticketMinute(60), resolutionDueAt: ticketMinute(480)))])
        let state = Ticket.replay(events)
        #expect(state.status == .open)
        #expect(state.stints == [Ticket.DepartmentStint(department: "call-center", enteredAt: ticketT0)])
    }

    @Test func openingWithoutAnSLAIsNotConfigured() {
        let error = Scenario(Ticket.self).whenRefused(openTicket().withSLA(nil))
        #expect(error?.code == .notConfigured)
        #expect(error?.field == "sla")
    }

    @Test func openingWithAnSLAForAnotherKindOrSeverityIsRefused() {
        let s = Scenario(Ticket.self)
        #expect(s.whenRefused(openTicket().withSLA(ticketSLA(.praise, .normal)))?.field == "sla")
        #expect(s.whenRefused(openTicket().withSLA(ticketSLA(.complaint, .critical)))?.field == "sla")
        #expect(s.whenRefused(openTicket().withSLA(ticketSLA(response: 0)))?.code == .invalid)
    }

    @Test func openingNeedsASubjectAndADepartment() {
        let s = Scenario(Ticket.self)
        #expect(s.whenRefused(openTicket(subject: "  "))?.field == "subject")
        #expect(s.whenRefused(openTicket(department: ""))?.field == "department")
    }

    @Test func openingTwiceIsRefused() {
        #expect(ticket().whenRefused(openTicket())?.code == .alreadyExists)
    }

    @Test(arguments: [
        Ticket.Command.assign(assignee: "e"), .startWork, .handOver(toDepartment: "billing", reason: nil),
        .resolve(resolution: "r"), .close(satisfaction: 5, comment: nil), .reopen(reason: "r"),
        .changeSeverity(to: .high, sla: SLADeadline(kind: .complaint, severity: .high, responseMinutes: 1, resolutionMinutes: 2), reason: nil),
    ])
    func everyCommandOnAnUnopenedTicketIsNotFound(command: Ticket.Command) {
        #expect(Scenario(Ticket.self).whenRefused(command)?.code == .notFound)
    }

    // MARK: assign and start work

    @Test func assigningAnOpenTicketRecordsTheFirstResponse() {
        var s = ticket()
        let events = s.apply(.assign(assignee: "emp-2"), atMinute: 15)
        #expect(events == [.assigned(TicketAssigned(ticketID: ticketID, assignee: "emp-2", previousAssignee: nil, assignedAt: ticketMinute(15)))])
        #expect(s.state.status == .assigned)
        #expect(s.state.firstRespondedAt == ticketMinute(15))
        #expect(s.state.firstResponseTime.map { abs($0 - 900) < 0.001 } == true)
    }

    @Test func reassigningTracesThePreviousAssigneeAndKeepsTheFirstResponse() {
        var s = ticket([(15, .assign(assignee: "emp-2"))])
        #expect(s.when(.assign(assignee: "emp-2")).isEmpty, "the same assignee again records nothing")
        let events = s.apply(.assign(assignee: "emp-3"), atMinute: 30)
        #expect(events == [.assigned(TicketAssigned(ticketID: ticketID, assignee: "emp-3", previousAssignee: "emp-2", assignedAt: ticketMinute(30)))])
        #expect(s.state.firstRespondedAt == ticketMinute(15))
        #expect(s.whenRefused(.assign(assignee: " "))?.field == "assignee")
    }

    @Test func reassigningWhileInProgressKeepsTheTicketInProgress() {
        var s = ticket(toInProgress)
        s.apply(.assign(assignee: "emp-9"), atMinute: 40)
        #expect(s.state.status == .inProgress)
        #expect(s.state.assignee == "emp-9")
    }

    @Test func startingWorkOnAnAssignedTicketPutsItInProgress() {
        var s = ticket([(10, .assign(assignee: "emp-2"))])
        let events = s.apply(.startWork, atMinute: 20)
        #expect(events == [.workStarted(TicketWorkStarted(ticketID: ticketID, assignee: "emp-2", startedAt: ticketMinute(20)))])
        #expect(s.state.status == .inProgress)
        #expect(s.state.firstRespondedAt == ticketMinute(10))
    }

    @Test func startingWorkOnAnOpenTicketTakesItForTheActorAndIsTheFirstResponse() {
        var s = ticket()
        s.context.actor = "emp-7"
        s.apply(.startWork, atMinute: 5)
        #expect(s.state.assignee == "emp-7")
        #expect(s.state.status == .inProgress)
        #expect(s.state.firstRespondedAt == ticketMinute(5))
    }

    // MARK: resolve, close, reopen

    @Test func resolvingATicketInProgressEndsTheDepartmentsTime() {
        var s = ticket(toInProgress)
        let events = s.apply(.resolve(resolution: "Bill corrected"), atMinute: 90)
        #expect(events == [.resolved(TicketResolved(ticketID: ticketID, resolution: "Bill corrected", resolvedAt: ticketMinute(90)))])
        #expect(s.state.status == .resolved)
        #expect(s.state.stints.last?.leftAt == ticketMinute(90))
        #expect(s.whenRefused(.resolve(resolution: "again"))?.code == .invalidTransition)
    }

    @Test func resolvingNeedsAResolutionText() {
        #expect(ticket(toInProgress).whenRefused(.resolve(resolution: ""))?.field == "resolution")
    }

    @Test func closingRecordsTheSatisfactionRating() {
        var s = ticket(toResolved)
        let events = s.apply(.close(satisfaction: 5, comment: "Quick and friendly"), atMinute: 120)
        #expect(events == [.closed(TicketClosed(ticketID: ticketID, satisfaction: 5, comment: "Quick and friendly", closedAt: ticketMinute(120)))])
        #expect(s.state.status == .closed)
        #expect(s.state.satisfaction == 5)
        #expect(s.state.satisfactionComment == "Quick and friendly")
    }

    @Test(arguments: [0, 6, -1])
    func aRatingOutsideOneToFiveIsRefused(rating: Int) {
        let error = ticket(toResolved).whenRefused(.close(satisfaction: rating, comment: nil))
        #expect(error?.code == .invalid)
        #expect(error?.field == "satisfaction")
    }

    @Test(arguments: [true, false])
    func reopeningAResolvedOrClosedTicketGivesItBackToItsAssignee(closed: Bool) {
        var s = ticket(closed ? toClosed : toResolved)
        let events = s.apply(.reopen(reason: "Bill still wrong"), atMinute: 300)
        #expect(events == [.reopened(TicketReopened(ticketID: ticketID, reason: "Bill still wrong", fromStatus: closed ? .closed : .resolved, reopenedAt: ticketMinute(300)))])
        #expect(s.state.status == .assigned)
        #expect(s.state.assignee == "emp-2")
        #expect(s.state.resolvedAt == nil)
        #expect(s.state.reopenCount == 1)
        #expect(s.state.stints.map(\.enteredAt) == [ticketT0, ticketMinute(300)])
        #expect(s.whenRefused(.reopen(reason: "twice"))?.code == .invalidTransition, "an assigned ticket cannot be reopened")
    }

    @Test func reopeningNeedsAReason() {
        #expect(ticket(toResolved).whenRefused(.reopen(reason: "  "))?.field == "reason")
    }

    // MARK: hand-over

    @Test func handingOverRecordsEachDepartmentsTimeAndReopensTheTicketThere() {
        var s = ticket(toInProgress)
        let events = s.apply(.handOver(toDepartment: "billing", reason: "tariff question"), atMinute: 30)
        #expect(events == [.handedOver(TicketHandedOver(ticketID: ticketID, fromDepartment: "call-center", toDepartment: "billing", reason: "tariff question", handedOverAt: ticketMinute(30)))])
        #expect(s.state.department == "billing")
        #expect(s.state.status == .open)
        #expect(s.state.assignee == nil)
        #expect(s.state.stints == [
            Ticket.DepartmentStint(department: "call-center", enteredAt: ticketT0, leftAt: ticketMinute(30)),
            Ticket.DepartmentStint(department: "billing", enteredAt: ticketMinute(30)),
        ])
    }

    @Test func handingOverToTheSameDepartmentOrNowhereIsRefused() {
        let s = ticket()
        #expect(s.whenRefused(.handOver(toDepartment: "call-center", reason: nil))?.field == "toDepartment")
        #expect(s.whenRefused(.handOver(toDepartment: " ", reason: nil))?.field == "toDepartment")
    }

    // MARK: severity

    @Test func escalatingRecomputesTheDeadlinesFromOpeningAndTracesOldAndNew() {
        var s = ticket([(10, .assign(assignee: "emp-2"))])
        let events = s.apply(.changeSeverity(to: .high, sla: ticketSLA(.complaint, .high, response: 30, resolution: 240), reason: "customer angry"), atMinute: 20)
        #expect(events == [.severityChanged(TicketSeverityChanged(
            ticketID: ticketID, oldSeverity: .normal, newSeverity: .high, oldResponseDueAt: ticketMinute(60), newResponseDueAt: ticketMinute(30),
            oldResolutionDueAt: ticketMinute(480), newResolutionDueAt: ticketMinute(240), reason: "customer angry", changedAt: ticketMinute(20)))])
        #expect(s.state.severity == .high)
        #expect(s.state.resolutionDueAt == ticketMinute(240))
        if case .severityChanged(let e) = events.first { #expect(e.isEscalation) }
    }

    @Test func changingToTheSameSeverityRecordsNothing() {
        #expect(ticket().when(.changeSeverity(to: .normal, sla: nil, reason: nil)).isEmpty)
    }

    @Test func changingSeverityNeedsTheNewSeveritysSLA() {
        let s = ticket()
        let error = s.whenRefused(.changeSeverity(to: .low, sla: nil, reason: nil))
        #expect(error?.code == .notConfigured)
        #expect(s.whenRefused(.changeSeverity(to: .low, sla: ticketSLA(.complaint, .high), reason: nil))?.field == "sla")
    }

    // MARK: every invalid transition

    private static let anySLA = SLADeadline(kind: .complaint, severity: .high, responseMinutes: 30, resolutionMinutes: 240)

    /// Each command with the statuses it is allowed from.
    private static let allowed: [(String, Ticket.Command, Set<Ticket.Status>)] = [
        ("assign", .assign(assignee: "emp-5"), [.open, .assigned, .inProgress]),
        ("startWork", .startWork, [.open, .assigned]),
        ("handOver", .handOver(toDepartment: "field-service", reason: nil), [.open, .assigned, .inProgress]),
        ("resolve", .resolve(resolution: "done"), [.inProgress]),
        ("close", .close(satisfaction: 3, comment: nil), [.resolved]),
        ("reopen", .reopen(reason: "again"), [.resolved, .closed]),
        ("changeSeverity", .changeSeverity(to: .high, sla: anySLA, reason: nil), [.open, .assigned, .inProgress]),
    ]

    @Test(arguments: Ticket.Status.allCases)
    func everyCommandNotAllowedFromAStatusIsAnInvalidTransition(status: Ticket.Status) {
        let steps: [Ticket.Status: [(Double, Ticket.Command)]] = [
            .open: [], .assigned: [(10, .assign(assignee: "emp-2"))], .inProgress: toInProgress, .resolved: toResolved, .closed: toClosed,
        ]
        let s = ticket(steps[status] ?? [])
        #expect(s.state.status == status)
        for (name, command, statuses) in Self.allowed {
            if statuses.contains(status) {
                #expect(!s.when(command).isEmpty, "\(name) from \(status)")
            } else {
                #expect(s.whenRefused(command)?.code == .invalidTransition, "\(name) from \(status)")
            }
        }
    }

    // MARK: encoding

    @Test func everyTicketEventRoundTripsThroughBothEncodings() throws {
        try expectRoundTrips([
            TicketEvent.opened(TicketOpened(ticketID: ticketID, channel: .walkIn, kind: .billingQuery, severity: .critical, customerID: ticketCustomerID,
                                            subject: "账单", description: nil, department: "call-center", openedAt: ticketT0, responseDueAt: ticketMinute(15), resolutionDueAt: ticketMinute(240))),
            .assigned(TicketAssigned(ticketID: ticketID, assignee: "emp-2", previousAssignee: "emp-1", assignedAt: ticketMinute(1.5))),
            .workStarted(TicketWorkStarted(ticketID: ticketID, assignee: "emp-2", startedAt: ticketMinute(2))),
            .handedOver(TicketHandedOver(ticketID: ticketID, fromDepartment: "call-center", toDepartment: "billing", reason: "tariff", handedOverAt: ticketMinute(3))),
            .resolved(TicketResolved(ticketID: ticketID, resolution: "fixed", resolvedAt: ticketMinute(4))),
            .closed(TicketClosed(ticketID: ticketID, satisfaction: 4, comment: "ok", closedAt: ticketMinute(5))),
            .reopened(TicketReopened(ticketID: ticketID, reason: "again", fromStatus: .closed, reopenedAt: ticketMinute(6))),
            .severityChanged(TicketSeverityChanged(ticketID: ticketID, oldSeverity: .low, newSeverity: .high, oldResponseDueAt: ticketMinute(60),
                                                   newResponseDueAt: ticketMinute(30), oldResolutionDueAt: ticketMinute(480), newResolutionDueAt: ticketMinute(240),
                                                   reason: nil, changedAt: ticketMinute(7))),
        ])
    }
}

private extension Ticket.Command {
    /// The same open command with another SLA.
    func withSLA(_ deadline: SLADeadline?) -> Ticket.Command {
        guard case let .open(id, channel, kind, severity, customer, subject, description, department, _) = self else { return self }
        return .open(id: id, channel: channel, kind: kind, severity: severity, customerID: customer, subject: subject,
                     description: description, department: department, sla: deadline)
    }
}
