import CRMDomain
import EventSourcing
import Foundation
import Testing

/// A ticket reopened into its queue (`reopen(toQueue: true)`, the engine's choice when the last assignee may no
/// longer work on it) is open and unassigned in its department.
@Suite struct TicketReopenToQueueTests {
    @Test func aTicketReopenedToItsQueueIsOpenAndUnassignedInItsDepartment() {
        var s = ticket(toClosed)
        let events = s.apply(.reopen(reason: "Bill still wrong", toQueue: true), atMinute: 300)
        #expect(events.count == 2)
        #expect(events.last == .unassigned(TicketUnassigned(ticketID: ticketID, previousAssignee: "emp-2", unassignedAt: ticketMinute(300))))
        #expect(s.state.status == .open)
        #expect(s.state.assignee == nil)
        #expect(s.state.department == "call-center")
        #expect(s.state.reopenCount == 1)
        // Anyone may take it from the queue again.
        s.apply(.assign(assignee: "emp-3"), atMinute: 310)
        #expect(s.state.status == .assigned && s.state.assignee == "emp-3")
    }

    @Test func aTicketReopenedOtherwiseGoesBackToItsLastAssignee() {
        var s = ticket(toResolved)
        let events = s.apply(.reopen(reason: "again"), atMinute: 300)
        #expect(events.count == 1)
        #expect(s.state.status == .assigned && s.state.assignee == "emp-2")
    }
}
