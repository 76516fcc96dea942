import CRMDomain
import CRMProjections
import EventSourcing
import Foundation
import Testing

@Suite struct TaskBoardTests {
    let log = WorkTestLog()
    let projection = TaskBoard()
    let shanghai = LocalCalendar(timeZoneID: "Asia/Shanghai") ?? .utc

    func dispatch(_ name: String, to assignee: String, dueInHours hours: Double, customer: UUID? = nil, branch: String? = "north") throws -> UUID {
        let id = UUID.derived("task", name)
        try log.run(WorkTask.self, id, .dispatch(taskID: id, details: WorkTask.Details(
            title: name, customerID: customer, kind: .followUp, dueAt: WorkTestLog.at(hours: hours), branch: branch), assignee: assignee),
            at: WorkTestLog.start)
        return id
    }

    @Test func theBoardSplitsOverdueDueTodayAndUpcomingAtTheQueryInstant() throws {
        // start = 09:00 UTC = 17:00 Shanghai on 2026-03-10.
        _ = try dispatch("call back", to: "emp-7", dueInHours: 2)        // 19:00 Shanghai, today
        _ = try dispatch("send offer", to: "emp-7", dueInHours: 20)      // tomorrow in Shanghai
        _ = try dispatch("visit", to: "emp-7", dueInHours: -3)           // 14:00 Shanghai, overdue
        _ = try dispatch("other's", to: "emp-8", dueInHours: 1)
        let views = try log.views(projection)

        let early = try TaskBoard.board(for: "emp-7", now: WorkTestLog.start, calendar: shanghai, in: views)
        #expect(early.overdue.map(\.task.title) == ["visit"])
        #expect(abs((early.overdue.first?.lateBy ?? 0) - 3 * 3600) < 0.001)
        #expect(early.overdue.first?.daysLate == 0)
        #expect(early.dueToday.map(\.title) == ["call back"])
        #expect(early.upcoming.map(\.title) == ["send offer"])

        let later = try TaskBoard.board(for: "emp-7", now: WorkTestLog.at(hours: 24), calendar: shanghai, in: views)
        #expect(later.overdue.map(\.task.title) == ["visit", "call back", "send offer"])
        #expect(later.overdue.first?.daysLate == 1)
        #expect(later.dueToday.isEmpty && later.upcoming.isEmpty)
    }

    @Test func aTaskCarriesItsCustomersScopeWithTheAssigneeAsOwnerAndFollowsTheCustomersMove() throws {
        let customer = try log.customer("Wang", branch: "north", owner: "emp-1", community: "c1")
        let id = try dispatch("call back", to: "emp-7", dueInHours: 2, customer: customer)
        var views = try log.views(projection)
        var task = try #require(try TaskBoard.task(id, in: views))
        #expect(task.scope == RecordScope(branch: "north", community: "c1", group: "residential", owners: ["emp-1", "emp-7"]))
        #expect(task.customerName == "Wang")

        log.move(customer, fromBranch: "north", toBranch: "south", owner: ("emp-1", "emp-2"))
        try log.run(WorkTask.self, id, .accept, at: WorkTestLog.start)
        views = try log.views(projection)
        #expect(try TaskBoard.task(id, in: views)?.scope == RecordScope(branch: "south", community: "c1", group: "residential", owners: ["emp-2", "emp-7"]))
        try log.run(WorkTask.self, id, .reassign(to: "emp-9"), at: WorkTestLog.start)
        views = try log.views(projection)
        task = try #require(try TaskBoard.task(id, in: views))
        #expect(task.scope == RecordScope(branch: "south", community: "c1", group: "residential", owners: ["emp-2", "emp-9"]))
        #expect(try TaskBoard.board(for: "emp-7", now: WorkTestLog.start, calendar: .utc, in: views).dueToday.isEmpty)
        #expect(try TaskBoard.board(for: "emp-9", now: WorkTestLog.start, calendar: .utc, in: views).dueToday.map(\.taskID) == [id])
    }

    @Test func aTaskRecordedBeforeItsCustomerTakesTheScopeWhenTheCustomerArrives() throws {
        let customer = UUID.derived("customer", "Late")
        let id = try dispatch("early", to: "emp-7", dueInHours: 2, customer: customer)
        var views = try log.views(projection)
        #expect(try TaskBoard.task(id, in: views)?.scope == RecordScope(owners: ["emp-7"]))
        try log.customer("Late", branch: "east", owner: "emp-1")
        views = try log.views(projection)
        let task = try #require(try TaskBoard.task(id, in: views))
        #expect(task.scope == RecordScope(branch: "east", group: "residential", owners: ["emp-1", "emp-7"]))
        #expect(task.customerName == "Late")
    }

    @Test func rescheduleAndEditMoveTheTaskOnTheBoard() throws {
        let id = try dispatch("call back", to: "emp-7", dueInHours: 1)
        try log.run(WorkTask.self, id, .reschedule(dueAt: WorkTestLog.at(hours: 48)), at: WorkTestLog.start)
        try log.run(WorkTask.self, id, .edit(title: "call back about meter", note: nil), at: WorkTestLog.start)
        try log.run(WorkTask.self, id, .accept, at: WorkTestLog.start, actor: "emp-7")
        let views = try log.views(projection)
        let board = try TaskBoard.board(for: "emp-7", now: WorkTestLog.at(hours: 2), calendar: .utc, in: views)
        #expect(board.overdue.isEmpty)
        #expect(board.upcoming.map(\.title) == ["call back about meter"])
        #expect(board.upcoming.first?.status == .accepted)
        #expect(views.tables[TaskBoard.byDue]?.count == 1)
    }

    @Test func completedTasksLeaveTheBoardAndCountAsOnTimeOrLateInTheBranchMonth() throws {
        log.append(BranchTimeZoneSet(branch: "north", timeZoneID: "Asia/Shanghai"), stream: "settings", at: WorkTestLog.start)
        let onTime = try dispatch("on time", to: "emp-7", dueInHours: 10)
        let late = try dispatch("late", to: "emp-7", dueInHours: 1)
        let cancelled = try dispatch("cancelled", to: "emp-7", dueInHours: 1)
        try log.run(WorkTask.self, onTime, .complete(resultNote: "done"), at: WorkTestLog.at(hours: 5))
        // 2026-03-31 20:00 UTC is already April 1st in Shanghai.
        let endOfMonth = Date(timeIntervalSince1970: 1_774_987_200)
        try log.run(WorkTask.self, late, .complete(resultNote: "done late"), at: endOfMonth)
        try log.run(WorkTask.self, cancelled, .cancel(reason: "customer moved"), at: WorkTestLog.start)
        let views = try log.views(projection)

        let board = try TaskBoard.board(for: "emp-7", now: WorkTestLog.start, calendar: .utc, in: views)
        #expect(board.overdue.isEmpty && board.dueToday.isEmpty && board.upcoming.isEmpty)
        #expect(try TaskBoard.task(onTime, in: views) == nil)
        #expect(try TaskBoard.completions(for: "emp-7", in: views).map { [$0.month, "\($0.onTime)", "\($0.late)"] }
            == [["2026-03", "1", "0"], ["2026-04", "0", "1"]])
        #expect(try TaskBoard.completions(for: "emp-7", month: "2026-04", in: views)?.scope.owners == ["emp-7"])
    }

    @Test func supervisorsPageThroughOverdueTasksAcrossAssigneesFilteredByScope() throws {
        let north = try log.customer("Li", branch: "north", owner: "emp-1")
        let south = try log.customer("Zhao", branch: "south", owner: "emp-2")
        for i in 0..<5 { _ = try dispatch("n\(i)", to: "emp-\(i)", dueInHours: -Double(10 - i), customer: north) }
        _ = try dispatch("s", to: "emp-9", dueInHours: -4.5, customer: south)
        _ = try dispatch("future", to: "emp-9", dueInHours: 5, customer: north)
        let views = try log.views(projection)

        let first = try TaskBoard.overdue(now: WorkTestLog.start, in: views, limit: 2)
        #expect(first.items.map(\.task.title) == ["n0", "n1"])
        let second = try TaskBoard.overdue(now: WorkTestLog.start, in: views, after: first.next, limit: 10)
        #expect(second.items.map(\.task.title) == ["n2", "n3", "n4", "s"])
        #expect(second.next == nil)

        let northOnly = try TaskBoard.overdue(now: WorkTestLog.start, in: views) { $0.scope.branch == "north" }
        #expect(northOnly.items.count == 5)
        let afterwards = try TaskBoard.overdue(now: WorkTestLog.at(hours: 6), in: views)
        #expect(afterwards.items.last?.task.title == "future")
        #expect(abs((afterwards.items.last?.lateBy ?? 0) - 3600) < 0.001)
    }

    @Test func oneByOneAndBatchedApplyGiveIdenticalTables() throws {
        let customer = try log.customer("Wang", branch: "north", owner: "emp-1")
        let a = try dispatch("a", to: "emp-7", dueInHours: 2, customer: customer)
        _ = try dispatch("b", to: "emp-7", dueInHours: 3)
        log.move(customer, fromBranch: "north", toBranch: "south", owner: ("emp-1", "emp-2"))
        try log.run(WorkTask.self, a, .complete(resultNote: "ok"), at: WorkTestLog.at(hours: 1))
        try log.expectSameTablesInTwoBatchings(projection)
    }
}
