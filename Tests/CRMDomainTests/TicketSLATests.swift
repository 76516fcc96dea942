import CRMDomain
import EventSourcing
import Foundation
import Testing
@Suite("Ticket SLA clock and overdue report")
struct TicketSLATests {
    // MARK: SLA clock

    @Test func theResponseIsOverdueOnlyWhenNotGivenInTime() {
        let waiting = ticket()
        #expect(!waiting.state.isResponseOverdue(at: ticketMinute(60)))
        #expect(waiting.state.isResponseOverdue(at: ticketMinute(61)))
        let quick = ticket([(30, .assign(assignee: "emp-2"))])
        #expect(!quick.state.isResponseOverdue(at: ticketMinute(500)))
        let late = ticket([(90, .assign(assignee: "emp-2"))])
        #expect(late.state.isResponseOverdue(at: ticketMinute(500)))
        #expect(!late.state.isResponseOverdue(at: ticketMinute(59)), "at minute 59 nothing was late yet")
        #expect(!Ticket.initialState.isResponseOverdue(at: ticketMinute(1000)))
    }

    @Test func theResolutionIsOverdueWhenResolvedLateOrStillOpenPastTheDeadline() {
        #expect(!ticket(toResolved).state.isResolutionOverdue(at: ticketMinute(10_000)), "resolved at minute 100, due at 480")
        #expect(ticket().state.isResolutionOverdue(at: ticketMinute(481)))
        #expect(!ticket().state.isResolutionOverdue(at: ticketMinute(479)))
        let lateResolve = ticket(toInProgress + [(600, .resolve(resolution: "x"))])
        #expect(lateResolve.state.isResolutionOverdue(at: ticketMinute(700)))
        var reopened = ticket(toResolved)
        reopened.apply(.reopen(reason: "not fixed"), atMinute: 300)
        #expect(reopened.state.isResolutionOverdue(at: ticketMinute(500)), "a reopened ticket is unresolved again")
    }

    @Test func anOverdueTicketNamesTheDepartmentHoldingItWhenTheDeadlinePassed() {
        // call center 0–30, billing 30–600 (deadline 480 passes here), field service from 600.
        let s = ticket([(10, .assign(assignee: "emp-2")), (30, .handOver(toDepartment: "billing", reason: nil)),
                        (600, .handOver(toDepartment: "field-service", reason: nil))])
        #expect(s.state.lateDepartment(at: ticketMinute(400)) == nil, "not overdue yet")
        #expect(s.state.lateDepartment(at: ticketMinute(700)) == "billing")
        #expect(s.state.department(at: ticketMinute(700)) == "field-service")
        #expect(s.state.department(at: ticketMinute(30)) == "billing")
    }

    @Test func aTicketReopenedAfterItsDeadlineBlamesTheDepartmentHoldingItNow() {
        var s = ticket(toResolved)  // resolved at minute 100 in the call center
        s.apply(.reopen(reason: "not fixed"), atMinute: 500)
        s.apply(.handOver(toDepartment: "field-service", reason: nil), atMinute: 520)
        #expect(s.state.lateDepartment(at: ticketMinute(600)) == "field-service")
    }

    @Test func timeSpentIsSummedPerDepartmentUpToTheGivenInstant() {
        let s = ticket([(30, .handOver(toDepartment: "billing", reason: nil)), (90, .handOver(toDepartment: "call-center", reason: nil)),
                        (95, .startWork), (100, .resolve(resolution: "ok"))])
        #expect(s.state.timeSpent(at: ticketMinute(1000)) == ["call-center": 40 * 60, "billing": 60 * 60])
        #expect(s.state.timeSpent(at: ticketMinute(60)) == ["call-center": 30 * 60, "billing": 30 * 60])
    }

    // MARK: monthly overdue report

    @Test func theMonthlyOverdueReportCountsLateTicketsPerLateDepartmentInTheBranchZone() throws {
        let shanghai = try #require(LocalCalendar(timeZoneID: "Asia/Shanghai"))
        func opened(_ id: Int, at start: Date, resolutionMinutes: Int, steps: [(Double, Ticket.Command)] = []) -> Ticket.State {
            var s = Scenario(Ticket.self, at: start)
            let tid = UUID.derived("t", String(id))
            s.apply(.open(id: tid, channel: .web, kind: .faultRepair, severity: .high, customerID: ticketCustomerID, subject: "Leak",
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
        #expect(throws: DomainError.self) { try OverdueReport.monthly([], year: 2026, month: 13, calendar: .utc, asOf: ticketT0) }
    }

    @Test func aDeEscalationLengthensTheDeadlinesAndCanEndAnOverdue() {
        var s = ticket()
        #expect(s.state.isResponseOverdue(at: ticketMinute(90)))
        let events = s.apply(.changeSeverity(to: .low, sla: ticketSLA(.complaint, .low, response: 120, resolution: 1440), reason: "only a question"), atMinute: 70)
        guard case .severityChanged(let e) = events.first else {
            Issue.record("expected a severity change")
            return
        }
        #expect(!e.isEscalation)
        #expect(s.state.responseDueAt == ticketMinute(120))
        #expect(!s.state.isResponseOverdue(at: ticketMinute(90)))
        #expect(!s.state.isResolutionOverdue(at: ticketMinute(1000)))
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
        #expect(s.state.firstRespondedAt == ticketMinute(5))
        #expect(s.state.stints.map(\.department) == ["call-center", "billing", "field-service"])
        #expect(s.state.timeSpent(at: ticketMinute(10_000)) == ["call-center": 20 * 60, "billing": 180 * 60, "field-service": 360 * 60])
        #expect(s.state.isResolutionOverdue(at: ticketMinute(10_000)))
        #expect(s.state.lateDepartment(at: ticketMinute(10_000)) == "field-service")
        #expect(!s.state.isResponseOverdue(at: ticketMinute(10_000)))
    }

    @Test func theDecemberReportEndsAtTheNewYearInTheBranchZone() throws {
        let shanghai = try #require(LocalCalendar(timeZoneID: "Asia/Shanghai"))
        // Opened 2026-12-31 10:00 UTC, due 17:00 UTC = 2027-01-01 01:00 in Shanghai.
        var s = Scenario(Ticket.self, at: Date(timeIntervalSince1970: 1_798_711_200))
        s.apply(.open(id: UUID.derived("t", "dec"), channel: .chat, kind: .faultRepair, severity: .low, customerID: ticketCustomerID, subject: "Outage",
                      description: nil, department: "call-center", sla: SLADeadline(kind: .faultRepair, severity: .low, responseMinutes: 60, resolutionMinutes: 420)))
        let asOf = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(try OverdueReport.monthly([s.state], year: 2026, month: 12, calendar: .utc, asOf: asOf).departments.map(\.count) == [1])
        #expect(try OverdueReport.monthly([s.state], year: 2026, month: 12, calendar: shanghai, asOf: asOf).lines.isEmpty)
        #expect(try OverdueReport.monthly([s.state], year: 2027, month: 1, calendar: shanghai, asOf: asOf).lines.first?.lateDepartment == "call-center")
    }

    /// December 9999 ends on its 31st although no month follows it (and beyond `Date.distantFuture`, 4001): a
    /// deadline on its last day is December's, in any zone.
    @Test func theDecemberReportOf9999ReachesItsLastDay() throws {
        let shanghai = try #require(LocalCalendar(timeZoneID: "Asia/Shanghai"))
        let lastDay = LocalCalendar.utc.startOfDay(try #require(LocalDate("9999-12-31")))
        // Opened 9999-12-31 10:00 UTC, due 17:00 UTC (01:00 on 10000-01-01 in Shanghai: no month of the report).
        var s = Scenario(Ticket.self, at: lastDay.addingTimeInterval(10 * 3600))
        s.apply(.open(id: UUID.derived("t", "dec-9999"), channel: .chat, kind: .faultRepair, severity: .low, customerID: ticketCustomerID, subject: "Outage",
                      description: nil, department: "call-center", sla: SLADeadline(kind: .faultRepair, severity: .low, responseMinutes: 60, resolutionMinutes: 420)))
        let asOf = lastDay.addingTimeInterval(23 * 3600)
        #expect(try OverdueReport.monthly([s.state], year: 9999, month: 12, calendar: .utc, asOf: asOf).departments.map(\.count) == [1])
        #expect(try OverdueReport.monthly([s.state], year: 9999, month: 11, calendar: .utc, asOf: asOf).lines.isEmpty)
        #expect(try OverdueReport.monthly([s.state], year: 9999, month: 12, calendar: shanghai, asOf: asOf).lines.isEmpty)
        let honolulu = try #require(LocalCalendar(timeZoneID: "Pacific/Honolulu"))
        #expect(try OverdueReport.monthly([s.state], year: 9999, month: 12, calendar: honolulu, asOf: asOf).lines.first?.lateDepartment == "call-center")
    }
}
