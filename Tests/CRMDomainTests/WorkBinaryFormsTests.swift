import CRMDomain
import EventSourcing
import Foundation
import Testing

/// The hand-written binary forms of the frequent work events (contacts, tasks, visits, tickets) write exactly what their `Codable`
/// conformances write, and each decoder reads the other's bytes back to the same value.
@Suite struct WorkBinaryFormsTests {
    let id = UUID(uuidString: "6F1C2A4E-0D5B-4C1E-9B7A-3E2D1C0B9A88") ?? UUID()
    let other = UUID(uuidString: "00000000-0000-4000-8000-000000000001") ?? UUID()
    let at = Date(timeIntervalSince1970: 1_767_225_600.123456)

    @Test func loggedContactsWriteTheirCodableBytes() throws {
        let details = [
            ContactLogEntry.Details(channel: .phone, subject: "Meter reading", occurredAt: at),
            ContactLogEntry.Details(contactID: other, channel: .walkIn, subject: "账单", occurredAt: at, durationSeconds: -5,
                                    attachments: ["doc-1", "https://example.invalid/x"], note: "follow up"),
        ]
        try expectHandFormMatchesCodable(details)
        try expectHandFormMatchesCodable(details.map { ContactLogged(entryID: id, customerID: other, details: $0) })
    }

    @Test func dispatchedTasksWriteTheirCodableBytes() throws {
        let details = [
            WorkTask.Details(title: "Call back", kind: .followUp, dueAt: at),
            WorkTask.Details(title: "Birthday", note: "flowers", customerID: other, kind: .reminder, dueAt: at, branch: "north",
                             reminderKind: .birthday),
        ]
        try expectHandFormMatchesCodable(details)
        try expectHandFormMatchesCodable(details.map { TaskDispatched(taskID: id, details: $0, assignee: "e-1", route: .manual) })
        try expectHandFormMatchesCodable(details.map {
            TaskDispatched(taskID: id, details: $0, assignee: "e-2", route: .imported,
                           externalReference: WorkTask.ExternalReference(system: "billing", id: "T-9"))
        })
    }

    @Test func acceptedAndCompletedTasksWriteTheirCodableBytes() throws {
        try expectHandFormMatchesCodable([TaskAccepted(taskID: id, assignee: "e-1"), TaskAccepted(taskID: other, assignee: "")])
        try expectHandFormMatchesCodable([TaskCompleted(taskID: id, resultNote: "已完成", completedAt: at), TaskCompleted(taskID: other, resultNote: "", completedAt: .distantPast)])
    }

    @Test func plannedRecordedAndCostedVisitsWriteTheirCodableBytes() throws {
        try expectHandFormMatchesCodable([
            VisitPlanned(visitID: id, customerID: other, visitor: "e-3", scheduledAt: at, contacts: [], agenda: "Inspection", place: "Site"),
            VisitPlanned(visitID: id, customerID: other, visitor: "e-3", scheduledAt: at, contacts: [other, id], agenda: "巡检", place: ""),
        ])
        let day = try #require(LocalDate(year: 2026, month: 2, day: 28))
        let actuals = [
            Visit.Actual(date: day, place: "Plant", summary: "ok"),
            Visit.Actual(date: day, place: "工厂", contacts: [other], topics: ["meters", "billing"], summary: ""),
        ]
        try expectHandFormMatchesCodable(actuals)
        try expectHandFormMatchesCodable(actuals.map { VisitRecorded(visitID: id, actual: $0, recordedAt: at) })
        let lines = [
            Visit.CostLine(id: id, kind: .transport, amount: Money(Decimal(string: "12.50") ?? 0, .cny)),
            Visit.CostLine(id: other, kind: .entertainment, amount: Money(Decimal(-3), .usd), note: "lunch"),
        ]
        try expectHandFormMatchesCodable(lines)
        try expectHandFormMatchesCodable(lines.map { VisitCostAdded(visitID: id, line: $0) })
    }

    @Test func ticketStepsWriteTheirCodableBytes() throws {
        try expectHandFormMatchesCodable([
            TicketAssigned(ticketID: id, assignee: "e-4", assignedAt: at),
            TicketAssigned(ticketID: id, assignee: "e-5", previousAssignee: "e-4", assignedAt: at),
        ])
        try expectHandFormMatchesCodable([TicketWorkStarted(ticketID: id, assignee: "e-5", startedAt: at)])
        try expectHandFormMatchesCodable([TicketResolved(ticketID: id, resolution: "Replaced the meter", resolvedAt: at)])
        try expectHandFormMatchesCodable([
            TicketClosed(ticketID: id, satisfaction: 5, closedAt: at),
            TicketClosed(ticketID: other, satisfaction: -1, comment: "慢", closedAt: at),
        ])
    }
}
