import CRMDomain
import EventSourcing
import Foundation
import Testing

/// The hand-written binary forms of ContactLogged and TaskDispatched write exactly what their `Codable`
/// conformances write, and each decoder reads the other's bytes back to the same value.
@Suite struct WorkBinaryFormsTests {
    let id = UUID(uuidString: "6F1C2A4E-0D5B-4C1E-9B7A-3E2D1C0B9A88") ?? UUID()
    let other = UUID(uuidString: "00000000-0000-4000-8000-000000000001") ?? UUID()
    let at = Date(timeIntervalSince1970: 1_767_225_600.123456)

    func check<T: Codable & BinaryPayloadCodable & Equatable>(_ values: [T]) throws {
        for value in values {
            let hand = try BinaryPayloadEncoder.encode(value)
            let codable = try BinaryPayloadEncoder.encodeWithCodable(value)
            #expect(hand == codable, "\(T.self): hand-written form differs from Codable")
            #expect(try BinaryPayloadDecoder.decode(T.self, from: codable) == value)
            #expect(try BinaryPayloadDecoder.decodeWithCodable(T.self, from: hand) == value)
            #expect(try hand.withUnsafeBytes { try BinaryPayloadDecoder.decodeBinary(T.self, from: $0) } == value)
        }
    }

    @Test func loggedContactsWriteTheirCodableBytes() throws {
        let details = [
            ContactLogEntry.Details(channel: .phone, subject: "Meter reading", occurredAt: at),
            ContactLogEntry.Details(contactID: other, channel: .walkIn, subject: "账单", occurredAt: at, durationSeconds: -5,
                                    attachments: ["doc-1", "https://example.invalid/x"], note: "follow up"),
        ]
        try check(details)
        try check(details.map { ContactLogged(entryID: id, customerID: other, details: $0) })
    }

    @Test func dispatchedTasksWriteTheirCodableBytes() throws {
        let details = [
            WorkTask.Details(title: "Call back", kind: .followUp, dueAt: at),
            WorkTask.Details(title: "Birthday", note: "flowers", customerID: other, kind: .reminder, dueAt: at, branch: "north",
                             reminderKind: .birthday),
        ]
        try check(details)
        try check(details.map { TaskDispatched(taskID: id, details: $0, assignee: "e-1", route: .manual) })
        try check(details.map {
            TaskDispatched(taskID: id, details: $0, assignee: "e-2", route: .imported,
                           externalReference: WorkTask.ExternalReference(system: "billing", id: "T-9"))
        })
    }
}
