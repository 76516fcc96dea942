import CRMDomain
import EventSourcing
import Foundation
import Testing

private let t0 = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01 00:00 UTC
private func minute(_ m: Double) -> Date { t0.addingTimeInterval(m * 60) }
private let ticketID = UUID(uuidString: "7A1D0C2E-0000-4000-8000-000000000001")!
private let customerID = UUID(uuidString: "7A1D0C2E-0000-4000-8000-0000000000C1")!

private func sla(_ kind: TicketKind = .complaint, _ severity: TicketSeverity = .normal, response: Int = 60, resolution: Int = 480) -> SLADeadline {
    SLADeadline(kind: kind, severity: severity, responseMinutes: response, resolutionMinutes: resolution)
}

private func open(kind: TicketKind = .complaint, severity: TicketSeverity = .normal, subject: String = "Water bill too high",
                  department: String = "call-center") -> Ticket.Command {
    .open(id: ticketID, channel: .callCenter, kind: kind, severity: severity, customerID: customerID,
          subject: subject, description: "Customer says the bill doubled", department: department, sla: sla(kind, severity))
}

private extension Scenario where A == Ticket {
    /// Applies `command` at minute `m` after t0.
    @discardableResult
    mutating func apply(_ command: Ticket.Command, atMinute m: Double, sourceLocation: SourceLocation = #_sourceLocation) -> [TicketEvent] {
        context.now = minute(m)
        return apply(command, sourceLocation: sourceLocation)
    }
}

/// A ticket opened at t0 (response due at minute 60, resolution at minute 480), then the given steps.
private func ticket(_ steps: [(Double, Ticket.Command)] = []) -> Scenario<Ticket> {
    var s = Scenario(Ticket.self, at: t0)
    s.apply(open())
    for (m, command) in steps { s.apply(command, atMinute: m) }
    return s
}

private let toInProgress: [(Double, Ticket.Command)] = [(10, .assign(assignee: "emp-2")), (20, .startWork)]
private let toResolved = toInProgress + [(100, .resolve(resolution: "Meter misread; bill corrected"))]

@Suite("Ticket SLA clock and overdue report")
struct TicketSLATests {
    // MARK: SLA clock

    @Test func theResponseIsOverdueOnlyWhenNotGivenInTime() {
        let waiting = ticket()
        #expect(!waiting.state.isResponseOverdue(at: minute(60)))
        #expect(waiting.state.isResponseOverdue(at: minute(61)))
        let quick = ticket([(30, .assign(assignee: "emp-2"))])
        #expect(!quick.state.isResponseOverdue(at: minute(500)))
        let late = ticket([(90, .assign(assignee: "emp-2"))])
        #expect(late.state.isResponseOverdue(at: minute(500)))
        #expect(!late.state.isResponseOverdue(at: minute(59)), "at minute 59 nothing was late yet")
        #expect(!Ticket.initialState.isResponseOverdue(at: minute(1000)))
    }

    @Test func theResolutionIsOverdueWhenResolvedLateOrStillOpenPastTheDeadline() {
        #expect(!ticket(toResolved).state.isResolutionOverdue(at: minute(10_000)), "resolved at minute 100, due at 480")
        #expect(ticket().state.isResolutionOverdue(at: minute(481)))
        #expect(!ticket().state.isResolutionOverdue(at: minute(479)))
        let lateResolve = ticket(toInProgress + [(600, .resolve(resolution: "x"))])
        #expect(lateResolve.state.isResolutionOverdue(at: minute(700)))
        var reopened = ticket(toResolved)
        reopened.apply(.reopen(reason: "not fixed"), atMinute: 300)
        #expect(reopened.state.isResolutionOverdue(at: minute(500)), "a reopened ticket is unresolved again")
    }

    @Test func anOverdueTicketNamesTheDepartmentHoldingItWhenTheDeadlinePassed() {
        // call center 0–30, billing 30–600 (deadline 480 passes here), field service from 600.
        let s = ticket([(10, .assign(assignee: "emp-2")), (30, .handOver(toDepartment: "billing", reason: nil)),
                        (600, .handOver(toDepartment: "field-service", reason: nil))])
        #expect(s.state.lateDepartment(at: minute(400)) == nil, "not overdue yet")
        #expect(s.state.lateDepartment(at: minute(700)) == "billing")
        #expect(s.state.department(at: minute(700)) == "field-service")
        #expect(s.state.department(at: minute(30)) == "billing")
    }

    @Test func aTicketReopenedAfterItsDeadlineBlamesTheDepartmentHoldingItNow() {
        var s = ticket(toResolved)  // resolved at minute 100 in the call center
        s.apply(.reopen(reason: "not fixed"), atMinute: 500)
        s.apply(.handOver(toDepartment: "field-service", reason: nil), atMinute: 520)
        #expect(s.state.lateDepartment(at: minute(600)) == "field-service")
    }

    @Test func timeSpentIsSummedPerDepartmentUpToTheGivenInstant() {
        let s = ticket([(30, .handOver(toDepartment: "billing", reason: nil)), (90, .handOver(toDepartment: "call-center", reason: nil)),
                        (95, .startWork), (100, .resolve(resolution: "ok"))])
        #expect(s.state.timeSpent(at: minute(1000)) == ["call-center": 40 * 60, "billing": 60 * 60])
        #expect(s.state.timeSpent(at: minute(60)) == ["call-center": 30 * 60, "billing": 30 * 60])
    }

    // MARK: monthly overdue report

    @Test func theMonthlyOverdueReportCountsLateTicketsPerLateDepartmentInTheBranchZone() throws {
        let shanghai = try #require(LocalCalendar(timeZoneID: "Asia/Shanghai"))
        func opened(_ id: Int, at start: Date, resolutionMinutes: Int, steps: [(Double, Ticket.Command)] = []) -> Ticket.State {
            var s = Scenario(Ticket.self, at: start)
            let tid = UUID.derived("t", String(id))
            s.apply(.open(id: tid, channel: .web, kind: .faultRepair, severity: .high, customerID: customerID, subject: "Leak",
                          description: nil, department: "call-center", sla: SLADeadline(kind: .faultRepair, severity: .high, responseMinutes: 10, resolutionMinutes: resolutionMinutes)))
            for (m, command) in steps {
                s.context.now = start.addingTimeInterval(m * 60)
                s.apply(command)
            }
            return s.state
        }
        // 2026-01-31 15:00 UTC + 120 min = 17:00 UTC = 2026-02-01 01:00 in Shanghai: a February deadline there.
        let lateInFebruaryShanghai = opened(1, at: Date(timeIntervalSince1970: 1_769_871_600), resolutionMinutes: 120,
                                            steps: [(5, .handOver(toDepartment: "field-service", reason: nil))])
        // Due 2026-02-10 in billing, still unresolved.
        let lateInBilling = opened(2, at: Date(timeIntervalSince1970: 1_770_710_400), resolutionMinutes: 60,
                                   steps: [(5, .handOver(toDepartment: "billing", reason: nil))])
        let anotherInBilling = opened(3, at: Date(timeIntervalSince1970: 1_770_796_800), resolutionMinutes: 60,
                                      steps: [(5, .handOver(toDepartment: "billing", reason: nil))])
        // Resolved in time: not in the report.
        let onTime = opened(4, at: Date(timeIntervalSince1970: 1_770_710_400), resolutionMinutes: 60,
                            steps: [(5, .startWork), (30, .resolve(resolution: "fixed"))])
        // Due in March: another month.
        let march = opened(5, at: Date(timeIntervalSince1970: 1_772_409_600), resolutionMinutes: 60)
        let tickets = [lateInFebruaryShanghai, lateInBilling, anotherInBilling, onTime, march, Ticket.initialState]
        let asOf = Date(timeIntervalSince1970: 1_775_000_000)

        let report = try OverdueReport.monthly(tickets, year: 2026, month: 2, calendar: shanghai, asOf: asOf)
        #expect(report.lines.map(\.ticketID) == [UUID.derived("t", "1"), UUID.derived("t", "2"), UUID.derived("t", "3")])
        #expect(report.departments == [
            OverdueReport.DepartmentCount(department: "billing", count: 2, ticketIDs: [UUID.derived("t", "2"), UUID.derived("t", "3")]),
            OverdueReport.DepartmentCount(department: "field-service", count: 1, ticketIDs: [UUID.derived("t", "1")]),
        ])
        let utcJanuary = try OverdueReport.monthly(tickets, year: 2026, month: 1, calendar: .utc, asOf: asOf)
        #expect(utcJanuary.lines.map(\.ticketID) == [UUID.derived("t", "1")], "in UTC the first deadline is still in January")
        let early = try OverdueReport.monthly(tickets, year: 2026, month: 2, calendar: shanghai, asOf: Date(timeIntervalSince1970: 1_770_714_300))
        #expect(early.lines.map(\.ticketID) == [UUID.derived("t", "1"), UUID.derived("t", "2")], "ticket 3's deadline is still ahead")
    }

    @Test func anImpossibleMonthIsRefused() {
        #expect(throws: DomainError.self) { try OverdueReport.monthly([], year: 2026, month: 13, calendar: .utc, asOf: t0) }
    }

    @Test func aDeEscalationLengthensTheDeadlinesAndCanEndAnOverdue() {
        var s = ticket()
        #expect(s.state.isResponseOverdue(at: minute(90)))
        let events = s.apply(.changeSeverity(to: .low, sla: sla(.complaint, .low, response: 120, resolution: 1440), reason: "only a question"), atMinute: 70)
        guard case .severityChanged(let e) = events.first else {
            Issue.record("expected a severity change")
            return
        }
        #expect(!e.isEscalation)
        #expect(s.state.responseDueAt == minute(120))
        #expect(!s.state.isResponseOverdue(at: minute(90)))
        #expect(!s.state.isResolutionOverdue(at: minute(1000)))
    }

    @Test func aTicketFlowsThroughThreeDepartmentsAndIsClosedWithItsTimesRecorded() {
        var s = ticket()
        s.apply(.assign(assignee: "cc-1"), atMinute: 5)
        s.apply(.handOver(toDepartment: "billing", reason: "tariff"), atMinute: 20)
        s.apply(.startWork, atMinute: 50)
        s.apply(.handOver(toDepartment: "field-service", reason: "meter fault"), atMinute: 200)
        s.apply(.assign(assignee: "tech-4"), atMinute: 210)
        s.apply(.startWork, atMinute: 240)
        s.apply(.resolve(resolution: "meter replaced"), atMinute: 560)
        s.apply(.close(satisfaction: 3, comment: "slow"), atMinute: 600)
        #expect(s.state.status == .closed)
        #expect(s.state.firstRespondedAt == minute(5))
        #expect(s.state.stints.map(\.department) == ["call-center", "billing", "field-service"])
        #expect(s.state.timeSpent(at: minute(10_000)) == ["call-center": 20 * 60, "billing": 180 * 60, "field-service": 360 * 60])
        #expect(s.state.isResolutionOverdue(at: minute(10_000)))
        #expect(s.state.lateDepartment(at: minute(10_000)) == "field-service")
        #expect(!s.state.isResponseOverdue(at: minute(10_000)))
    }

    @Test func theDecemberReportEndsAtTheNewYearInTheBranchZone() throws {
        let shanghai = try #require(LocalCalendar(timeZoneID: "Asia/Shanghai"))
        // Opened 2026-12-31 10:00 UTC, due 17:00 UTC = 2027-01-01 01:00 in Shanghai.
        var s = Scenario(Ticket.self, at: Date(timeIntervalSince1970: 1_798_711_200))
        s.apply(.open(id: UUID.derived("t", "dec"), channel: .chat, kind: .faultRepair, severity: .low, customerID: customerID, subject: "Outage",
                      description: nil, department: "call-center", sla: SLADeadline(kind: .faultRepair, severity: .low, responseMinutes: 60, resolutionMinutes: 420)))
        let asOf = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(try OverdueReport.monthly([s.state], year: 2026, month: 12, calendar: .utc, asOf: asOf).departments.map(\.count) == [1])
        #expect(try OverdueReport.monthly([s.state], year: 2026, month: 12, calendar: shanghai, asOf: asOf).lines.isEmpty)
        #expect(try OverdueReport.monthly([s.state], year: 2027, month: 1, calendar: shanghai, asOf: asOf).lines.first?.lateDepartment == "call-center")
    }
}
