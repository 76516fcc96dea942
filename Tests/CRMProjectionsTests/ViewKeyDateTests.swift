import CRMDomain
import CRMProjections
import EventSourcing
import Foundation
import Testing

/// An instant beyond what 64 bits of microseconds hold (a deadline from settings recorded before their
/// bounds, such as a resolution due in 10^14 minutes) is keyed clamped to the nearest end instead of trapping,
/// so the projections fed such an event still build and the server can start.
@Suite struct ViewKeyDateTests {
    @Test func anInstantBeyondSixtyFourBitsOfMicrosecondsIsClampedInOrder() {
        let instants = [-Double.infinity, -1e300, -9.3e12, 0, 1_767_225_600, 9.3e12, 6e15, 1e300, .infinity]
            .map { Date(timeIntervalSince1970: $0) }
        let keys = instants.map { ViewKey().date($0).bytes }
        for (earlier, later) in zip(keys, keys.dropFirst()) { #expect(earlier.lexicographicallyPrecedes(later) || earlier == later) }
        #expect(ViewKey.microseconds(of: Date(timeIntervalSince1970: 1e300)) == .max)
        #expect(ViewKey.microseconds(of: Date(timeIntervalSince1970: -1e300)) == .min)
        #expect(ViewKey.microseconds(of: Date(timeIntervalSince1970: .nan)) == 0)
        #expect(ViewKey.microseconds(of: Date(timeIntervalSince1970: 1.5)) == 1_500_000)
        #expect(ViewKey().date(Date(timeIntervalSince1970: 1e300)).bytes == ViewKey().int64(.max).bytes)
    }

    @Test func aTicketWhoseDeadlineIsAbsurdStillProjectsAndSortsLast() throws {
        let log = WorkTestLog()
        let customer = try log.customer("Wang", branch: "north", owner: "emp-1")
        // Recorded before the settings bounded minutes: 10^14 minutes is beyond 64 bits of microseconds.
        let absurd = SLADeadline(kind: .praise, severity: .low, responseMinutes: 60, resolutionMinutes: 99_999_999_999_999)
        let normal = SLADeadline(kind: .praise, severity: .low, responseMinutes: 60, resolutionMinutes: 120)
        var ids: [UUID] = []
        for (name, sla) in [("absurd", absurd), ("normal", normal)] {
            let id = UUID.derived("ticket", name)
            try log.run(Ticket.self, id, .open(id: id, channel: .callCenter, kind: .praise, severity: .low, customerID: customer, subject: name,
                                               description: nil, department: "x", sla: sla), at: WorkTestLog.start)
            ids.append(id)
        }
        let views = try log.views(TicketSLABoard())
        #expect(try TicketSLABoard.open(department: "x", in: views).items.map(\.ticketID) == [ids[1], ids[0]])
        try log.run(Ticket.self, ids[0], .changeSeverity(to: .normal, sla: SLADeadline(kind: .praise, severity: .normal, responseMinutes: 60,
                                                                                         resolutionMinutes: Int.max), reason: nil),
                    at: WorkTestLog.at(hours: 1))
        #expect(try TicketSLABoard.open(department: "x", in: try log.views(TicketSLABoard())).items.count == 2)
    }

    @Test func aTaskDueBeyondSixtyFourBitsStillProjectsOnTheBoardAndTheCustomer360() throws {
        var log = TestLog()
        let acme = UUID.derived("customer", "acme")
        log.add(created(acme, name: "Acme"), on: Customer.stream(acme))
        var tasks: [UUID] = []
        for (n, due) in [(1, Date(timeIntervalSince1970: 1e300)), (2, t0.addingTimeInterval(day)), (3, Date(timeIntervalSince1970: -1e300))] {
            let id = UUID.derived("task", "\(n)")
            log.add(TaskDispatched(taskID: id, details: WorkTask.Details(title: "Call \(n)", customerID: acme, kind: .followUp, dueAt: due),
                                   assignee: "emp-1", route: .manual), on: WorkTask.stream(id))
            tasks.append(id)
        }
        log.add(TaskCompleted(taskID: tasks[2], resultNote: "done", completedAt: Date(timeIntervalSince1970: 1e300)), on: WorkTask.stream(tasks[2]))
        let view = try #require(try Customer360Projection.customer(acme, in: try log.views(Customer360Projection())))
        #expect(view.openTasks.map(\.id) == [tasks[1], tasks[0]])
        #expect(view.recentTasks.map(\.id) == [tasks[2]])
        let board = try log.views(TaskBoard())
        #expect(try TaskBoard.task(tasks[0], in: board) != nil)
    }
}
