import CRMDomain
import EventSourcing
import Foundation
import Testing

/// The hand-written binary forms of the frequent task, visit, customer, quote and opportunity changes write
/// exactly what their `Codable` conformances write, and each decoder reads the other's bytes back.
@Suite struct ChangeBinaryFormsTests {
    let id = UUID(uuidString: "6F1C2A4E-0D5B-4C1E-9B7A-3E2D1C0B9A88") ?? UUID()
    let other = UUID(uuidString: "00000000-0000-4000-8000-000000000001") ?? UUID()
    let at = Date(timeIntervalSince1970: 1_767_225_600.123456)
    let later = Date(timeIntervalSince1970: 1_767_312_000)

    @Test func taskChangesWriteTheirCodableBytes() throws {
        try expectHandFormMatchesCodable([TaskCancelled(taskID: id, reason: "客户取消"), TaskCancelled(taskID: other, reason: "")])
        try expectHandFormMatchesCodable([
            TaskRescheduled(taskID: id, previousDueAt: at, dueAt: later, reason: "weather"),
            TaskRescheduled(taskID: other, previousDueAt: later, dueAt: at),
        ])
        try expectHandFormMatchesCodable([
            TaskReassigned(taskID: id, previousAssignee: "e-1", assignee: "e-2", reason: "休假"),
            TaskReassigned(taskID: other, previousAssignee: "", assignee: "e-9"),
        ])
    }

    @Test func visitCustomerQuoteAndOpportunityChangesWriteTheirCodableBytes() throws {
        try expectHandFormMatchesCodable([
            VisitRescheduled(visitID: id, oldScheduledAt: at, newScheduledAt: later, oldPlace: "北京市朝阳区", newPlace: "Site B", reason: "traffic"),
            VisitRescheduled(visitID: other, oldScheduledAt: later, newScheduledAt: at, oldPlace: "", newPlace: ""),
        ])
        try expectHandFormMatchesCodable([
            CustomerInstallationAdded(customerID: id, installation: Installation(id: other, address: "1 Main St", meterNumber: "M-001")),
            CustomerInstallationAdded(customerID: other, installation: Installation(id: id, address: "", meterNumber: "表-9", isActive: false)),
        ])
        try expectHandFormMatchesCodable([
            CustomerAppointmentCompleted(customerID: id, appointmentID: other, completedAt: at, note: "done"),
            CustomerAppointmentCompleted(customerID: other, appointmentID: id, completedAt: later),
        ])
        try expectHandFormMatchesCodable([QuoteSent(quoteID: id, revision: 3, sentAt: at), QuoteSent(quoteID: other, revision: -1, sentAt: later)])
        try expectHandFormMatchesCodable([
            WinProbabilitySuggested(opportunityID: id, previous: Decimal(string: "12.5"), percent: 40),
            WinProbabilitySuggested(opportunityID: other, percent: Decimal(string: "0.001") ?? 0),
        ])
    }
}
