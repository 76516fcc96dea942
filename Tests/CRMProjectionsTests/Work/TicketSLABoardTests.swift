import CRMDomain
import CRMProjections
import EventSourcing
import Foundation
import Testing

@Suite struct TicketSLABoardTests {
    let log = WorkTestLog()
    let projection = TicketSLABoard()

    /// Opens a fault-repair ticket at `hours` after the start with 1 h response and `resolutionHours` resolution.
    func open(_ name: String, customer: UUID, department: String = "call-center", atHours hours: Double = 0,
              resolutionHours: Int = 4) throws -> UUID {
        let id = UUID.derived("ticket", name)
        let sla = SLADeadline(kind: .faultRepair, severity: .normal, responseMinutes: 60, resolutionMinutes: resolutionHours * 60)
        try log.run(Ticket.self, id, .open(id: id, channel: .callCenter, kind: .faultRepair, severity: .normal, customerID: customer,
                                           subject: name, description: nil, department: department, sla: sla),
                    at: WorkTestLog.at(hours: hours))
        return id
    }

    @Test func overdueAndTheLateDepartmentAreComputedAtTheQueryInstant() throws {
        let customer = try log.customer("Wang", branch: "north", owner: "emp-1")
        let id = try open("no water", customer: customer)
        try log.run(Ticket.self, id, .assign(assignee: "emp-5"), at: WorkTestLog.at(hours: 0.5))
        try log.run(Ticket.self, id, .handOver(toDepartment: "repairs", reason: nil), at: WorkTestLog.at(hours: 2))
        // The deadline (4 h) passes while repairs holds it; then it goes on to metering.
        try log.run(Ticket.self, id, .handOver(toDepartment: "metering", reason: nil), at: WorkTestLog.at(hours: 6))
        let views = try log.views(projection)

        #expect(try TicketSLABoard.overdue(at: WorkTestLog.at(hours: 3), in: views).items.isEmpty)
        let late = try TicketSLABoard.overdue(at: WorkTestLog.at(hours: 7), in: views).items
        #expect(late.map(\.ticket.ticketID) == [id])
        #expect(late.first?.lateDepartment == "repairs")
        #expect(late.first?.ticket.department == "metering")
        #expect(late.first?.ticket.assignee == nil)
        #expect(late.first?.responseOverdue == false)
        #expect(abs((late.first?.lateBy ?? 0) - 3 * 3600) < 0.001)
        #expect(late.first?.ticket.scope == RecordScope(branch: "north", group: "residential", owners: ["emp-1"]))
        #expect(late.first?.ticket.stints.map(\.department) == ["call-center", "repairs", "metering"])
    }

    @Test func openTicketsByDepartmentFollowHandOversResolutionAndReopening() throws {
        let customer = try log.customer("Li", branch: "south", owner: "emp-2")
        let a = try open("a", customer: customer, resolutionHours: 8)
        let b = try open("b", customer: customer, resolutionHours: 2)
        let c = try open("c", customer: customer, department: "repairs")
        try log.run(Ticket.self, a, .startWork, at: WorkTestLog.at(hours: 1), actor: "emp-5")
        try log.run(Ticket.self, a, .resolve(resolution: "fixed"), at: WorkTestLog.at(hours: 2))
        var views = try log.views(projection)
        #expect(try TicketSLABoard.open(department: "call-center", in: views).items.map(\.ticketID) == [b])
        #expect(try TicketSLABoard.open(department: "repairs", in: views).items.map(\.ticketID) == [c])
        #expect(try TicketSLABoard.ticket(a, in: views)?.status == .resolved)

        try log.run(Ticket.self, a, .reopen(reason: "leaks again"), at: WorkTestLog.at(hours: 3))
        try log.run(Ticket.self, b, .changeSeverity(to: .high, sla: SLADeadline(kind: .faultRepair, severity: .high, responseMinutes: 30,
                                                                                 resolutionMinutes: 600), reason: nil), at: WorkTestLog.at(hours: 1))
        views = try log.views(projection)
        let page = try TicketSLABoard.open(department: "call-center", in: views, limit: 1)
        #expect(page.items.map(\.ticketID) == [a])
        #expect(page.items.first?.status == .assigned)
        #expect(page.items.first?.scope.owners == ["emp-2", "emp-5"])
        let rest = try TicketSLABoard.open(department: "call-center", in: views, after: page.next)
        #expect(rest.items.map(\.ticketID) == [b])
        #expect(rest.items.first?.severity == .high)
        #expect(views.tables[TicketSLABoard.openByDeadline]?.count == 3)
    }

    @Test func theMonthlyReportCountsLateTicketsPerLateDepartmentAsKnownAtAsOf() throws {
        let north = try log.customer("Wang", branch: "north", owner: "emp-1")
        let south = try log.customer("Zhao", branch: "south", owner: "emp-2")
        let late1 = try open("late1", customer: north)
        let late2 = try open("late2", customer: south, department: "repairs")
        let onTime = try open("ontime", customer: north)
        try log.run(Ticket.self, onTime, .startWork, at: WorkTestLog.at(hours: 1), actor: "emp-5")
        try log.run(Ticket.self, onTime, .resolve(resolution: "ok"), at: WorkTestLog.at(hours: 2))
        try log.run(Ticket.self, late1, .startWork, at: WorkTestLog.at(hours: 1), actor: "emp-5")
        try log.run(Ticket.self, late1, .resolve(resolution: "late"), at: WorkTestLog.at(hours: 9))
        _ = try open("april", customer: north, atHours: 24 * 30)
        let views = try log.views(projection)

        let report = try TicketSLABoard.monthlyOverdue(year: 2026, month: 3, calendar: .utc, asOf: WorkTestLog.at(hours: 24 * 40), in: views)
        let lateIDs: Set<UUID> = Set(report.lines.map(\.ticketID))
        #expect(lateIDs == [late1, late2])
        #expect(report.departments.map(\.department) == ["call-center", "repairs"])

        let early = try TicketSLABoard.monthlyOverdue(year: 2026, month: 3, calendar: .utc, asOf: WorkTestLog.at(hours: 1), in: views)
        #expect(early.lines.isEmpty)
        let northOnly = try TicketSLABoard.monthlyOverdue(year: 2026, month: 3, calendar: .utc, asOf: WorkTestLog.at(hours: 24 * 40),
                                                          in: views) { $0.scope.branch == "north" }
        #expect(northOnly.lines.map(\.ticketID) == [late1])
    }

    /// A ticket opened at `instant` (4 h resolution), its deadline 4 h later.
    func open(_ name: String, customer: UUID, at instant: Date) throws -> UUID {
        try open(name, customer: customer, atHours: instant.timeIntervalSince(WorkTestLog.start) / 3600)
    }

    /// December 9999 ends on its last day, although no month follows it: a deadline on 9999-12-31 falls in it,
    /// in the report of one calendar and in the one of each ticket's own calendar.
    @Test func theMonthlyReportOfDecember9999ReachesTheMonthsLastDay() throws {
        let customer = try log.customer("Wang", branch: "north", owner: "emp-1")
        let lastDay = LocalCalendar.utc.startOfDay(try WorkTestLog.day("9999-12-31"))
        let first = try open("first", customer: customer, at: LocalCalendar.utc.startOfDay(try WorkTestLog.day("9999-12-01")).addingTimeInterval(10 * 3600))
        let last = try open("last", customer: customer, at: lastDay.addingTimeInterval(10 * 3600))
        let november = try open("november", customer: customer, at: LocalCalendar.utc.startOfDay(try WorkTestLog.day("9999-11-30")).addingTimeInterval(10 * 3600))
        let views = try log.views(projection)
        let asOf = lastDay.addingTimeInterval(23 * 3600)

        let report = try TicketSLABoard.monthlyOverdue(year: 9999, month: 12, calendar: .utc, asOf: asOf, in: views)
        #expect(Set(report.lines.map(\.ticketID)) == [first, last])
        let zoned = try TicketSLABoard.monthlyOverdue(year: 9999, month: 12, asOf: asOf, in: views) { _ in .utc }
        #expect(Set(zoned.lines.map(\.ticketID)) == [first, last])
        let honolulu = try #require(LocalCalendar(timeZoneID: "Pacific/Honolulu"))
        #expect(Set(try TicketSLABoard.monthlyOverdue(year: 9999, month: 12, calendar: honolulu, asOf: asOf, in: views).lines.map(\.ticketID)) == [first, last])
        #expect(try TicketSLABoard.monthlyOverdue(year: 9999, month: 11, calendar: .utc, asOf: asOf, in: views).lines.map(\.ticketID) == [november])
    }

    /// An ordinary month's ends, in one calendar and in each ticket's own: a deadline at 23:30 UTC on March 31st
    /// is March's in UTC and April's in Shanghai (UTC+8); one at midnight UTC on April 1st is April's in UTC and
    /// March's in Honolulu (UTC−10).
    @Test func theMonthlyReportsOfAnOrdinaryMonthEndWhereItsLastDayEnds() throws {
        let customer = try log.customer("Wang", branch: "north", owner: "emp-1")
        let april = LocalCalendar.utc.startOfDay(try WorkTestLog.day("2026-04-01"))
        let lateMarch = try open("late march", customer: customer, at: april.addingTimeInterval(-4.5 * 3600))
        let midnight = try open("midnight", customer: customer, at: april.addingTimeInterval(-4 * 3600))
        let views = try log.views(projection)
        let asOf = april.addingTimeInterval(30 * 86_400)
        let shanghai = try #require(LocalCalendar(timeZoneID: "Asia/Shanghai"))
        let honolulu = try #require(LocalCalendar(timeZoneID: "Pacific/Honolulu"))
        func ids(_ report: OverdueReport) -> Set<UUID> { Set(report.lines.map(\.ticketID)) }

        #expect(ids(try TicketSLABoard.monthlyOverdue(year: 2026, month: 3, calendar: .utc, asOf: asOf, in: views)) == [lateMarch])
        #expect(ids(try TicketSLABoard.monthlyOverdue(year: 2026, month: 4, calendar: .utc, asOf: asOf, in: views)) == [midnight])
        #expect(ids(try TicketSLABoard.monthlyOverdue(year: 2026, month: 3, calendar: shanghai, asOf: asOf, in: views)).isEmpty)
        #expect(ids(try TicketSLABoard.monthlyOverdue(year: 2026, month: 4, calendar: shanghai, asOf: asOf, in: views)) == [lateMarch, midnight])
        #expect(ids(try TicketSLABoard.monthlyOverdue(year: 2026, month: 3, calendar: honolulu, asOf: asOf, in: views)) == [lateMarch, midnight])
        // Each ticket in its own zone: the late-March one in Shanghai, the midnight one in Honolulu.
        let own = { (row: TicketSLABoard.TicketRow) in row.ticketID == lateMarch ? shanghai : honolulu }
        #expect(ids(try TicketSLABoard.monthlyOverdue(year: 2026, month: 3, asOf: asOf, in: views, calendar: own)) == [midnight])
        #expect(ids(try TicketSLABoard.monthlyOverdue(year: 2026, month: 4, asOf: asOf, in: views, calendar: own)) == [lateMarch])
        #expect(ids(try TicketSLABoard.monthlyOverdue(year: 2026, month: 4, asOf: asOf, in: views) { _ in .utc }) == [midnight])
    }

    @Test func aCustomersMoveReachesItsTickets() throws {
        let customer = try log.customer("Wang", branch: "north", owner: "emp-1")
        let id = try open("t", customer: customer)
        log.move(customer, fromBranch: "north", toBranch: "east", owner: ("emp-1", "emp-3"))
        let views = try log.views(projection)
        let row = try #require(try TicketSLABoard.ticket(id, in: views))
        #expect(row.scope == RecordScope(branch: "east", group: "residential", owners: ["emp-3"]))
        #expect(try TicketSLABoard.open(department: "call-center", in: views).items.first?.scope.branch == "east")
    }

    @Test func oneByOneAndBatchedApplyGiveIdenticalTables() throws {
        let customer = try log.customer("Wang", branch: "north", owner: "emp-1")
        let id = try open("t", customer: customer)
        try log.run(Ticket.self, id, .assign(assignee: "emp-5"), at: WorkTestLog.at(hours: 0.5))
        try log.run(Ticket.self, id, .handOver(toDepartment: "repairs", reason: nil), at: WorkTestLog.at(hours: 2))
        log.move(customer, fromBranch: "north", toBranch: "east", owner: ("emp-1", "emp-3"))
        try log.run(Ticket.self, id, .startWork, at: WorkTestLog.at(hours: 3), actor: "emp-6")
        try log.run(Ticket.self, id, .resolve(resolution: "ok"), at: WorkTestLog.at(hours: 4))
        try log.expectSameTablesInTwoBatchings(projection)
    }
}
