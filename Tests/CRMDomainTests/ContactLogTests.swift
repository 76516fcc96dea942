import CRMDomain
import EventSourcing
import Foundation
import Testing

private let t0 = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01 00:00 UTC
private let entryID = UUID(uuidString: "C0117AC7-0000-4000-8000-000000000001")!
private let customerID = UUID(uuidString: "C0117AC7-0000-4000-8000-0000000000C1")!
private let contactID = UUID(uuidString: "C0117AC7-0000-4000-8000-0000000000D1")!
private let callStart = t0.addingTimeInterval(-3600)

private let call = ContactLogEntry.Details(contactID: contactID, channel: .phone, subject: "Meter reading", occurredAt: callStart,
                                           durationSeconds: 240, attachments: ["doc-17"], note: "asked for a paper bill")

private func logged(_ commands: [ContactLogEntry.Command] = []) -> Scenario<ContactLogEntry> {
    var s = Scenario(ContactLogEntry.self, at: t0)
    s.apply(.log(id: entryID, customerID: customerID, details: call))
    for command in commands { s.apply(command) }
    return s
}

private func changed(_ edit: (inout ContactLogEntry.Details) -> Void) -> ContactLogEntry.Details {
    var details = call
    edit(&details)
    return details
}

@Suite("Contact log")
struct ContactLogTests {
    @Test func loggingAContactRecordsWhoHowWhatWhenAndHowLong() {
        let events = Scenario(ContactLogEntry.self, at: t0).when(.log(id: entryID, customerID: customerID, details: call))
        #expect(events == [.logged(ContactLogged(entryID: entryID, customerID: customerID, details: call))])
        let state = ContactLogEntry.replay(events)
        #expect(state.details?.durationSeconds == 240)
        #expect(state.customerID == customerID)
        #expect(!state.retracted)
    }

    @Test func loggingTrimsTextAndAllowsAnUnknownContact() {
        let details = changed { $0.subject = "  Meter reading \n"; $0.contactID = nil; $0.note = "  " }
        let events = Scenario(ContactLogEntry.self, at: t0).when(.log(id: entryID, customerID: customerID, details: details))
        let state = ContactLogEntry.replay(events)
        #expect(state.details?.subject == "Meter reading")
        #expect(state.details?.contactID == nil)
        #expect(state.details?.note == nil)
    }

    @Test func loggingTwiceIsRefused() {
        #expect(logged().whenRefused(.log(id: entryID, customerID: customerID, details: call))?.code == .alreadyExists)
    }

    @Test(arguments: [
        ("subject", changed { $0.subject = "" }),
        ("durationSeconds", changed { $0.durationSeconds = -1 }),
        ("occurredAt", changed { $0.occurredAt = t0.addingTimeInterval(1) }),
        ("attachments", changed { $0.attachments = ["doc-1", " "] }),
        ("attachments", changed { $0.attachments = ["doc-1", "doc-1"] }),
    ])
    func invalidDetailsAreRefusedOnLogAndAmend(field: String, details: ContactLogEntry.Details) {
        let onLog = Scenario(ContactLogEntry.self, at: t0).whenRefused(.log(id: entryID, customerID: customerID, details: details))
        #expect(onLog?.code == .invalid)
        #expect(onLog?.field == field)
        let onAmend = logged().whenRefused(.amend(details))
        #expect(onAmend?.field == field)
    }

    @Test func amendingRecordsExactlyTheChangedFieldsOldAndNew() {
        var s = logged()
        let amended = changed { $0.channel = .visit; $0.durationSeconds = 600; $0.attachments = ["doc-17", "photo-3"]; $0.note = nil }
        let events = s.apply(.amend(amended))
        #expect(events == [.amended(ContactLogAmended(entryID: entryID, changes: [
            FieldChange(field: "channel", old: .option("phone"), new: .option("visit")),
            FieldChange(field: "durationSeconds", old: .number(240), new: .number(600)),
            FieldChange(field: "attachments", old: .list(["doc-17"]), new: .list(["doc-17", "photo-3"])),
            FieldChange(field: "note", old: .text("asked for a paper bill"), new: nil),
        ], details: amended))])
        #expect(s.state.details == amended)
    }

    @Test func amendingTheTimeAndContactTracesThemToo() {
        let other = UUID.derived("contact", "2")
        let events = logged().when(.amend(changed { $0.occurredAt = callStart.addingTimeInterval(-60); $0.contactID = other }))
        guard case .amended(let e) = events.first else {
            Issue.record("expected an amendment")
            return
        }
        #expect(e.changes.map(\.field) == ["contactID", "occurredAt"])
        #expect(e.changes.first?.old == .id(contactID))
        #expect(e.changes.last?.new == .text("2025-12-31T22:59:00.000Z"))
    }

    @Test func anAmendmentThatChangesNothingRecordsNothing() {
        #expect(logged().when(.amend(call)).isEmpty)
        #expect(logged().when(.amend(changed { $0.subject = " Meter reading " })).isEmpty, "trimmed text is the same text")
    }

    @Test func retractingRecordsTheReasonAndEndsAmendments() {
        var s = logged()
        let events = s.apply(.retract(reason: "logged on the wrong customer"))
        #expect(events == [.retracted(ContactLogRetracted(entryID: entryID, reason: "logged on the wrong customer", retractedAt: t0))])
        #expect(s.state.retracted)
        #expect(s.whenRefused(.amend(changed { $0.subject = "x" }))?.code == .invalidTransition)
        #expect(s.whenRefused(.retract(reason: "again"))?.code == .invalidTransition)
    }

    @Test func retractingNeedsAReason() {
        #expect(logged().whenRefused(.retract(reason: "  "))?.field == "reason")
    }

    @Test(arguments: [ContactLogEntry.Command.amend(call), .retract(reason: "x")])
    func amendingOrRetractingAnUnloggedEntryIsNotFound(command: ContactLogEntry.Command) {
        #expect(Scenario(ContactLogEntry.self, at: t0).whenRefused(command)?.code == .notFound)
    }

    @Test func everyContactLogEventRoundTripsThroughBothEncodings() throws {
        try expectRoundTrips([
            ContactLogEvent.logged(ContactLogged(entryID: entryID, customerID: customerID, details: call)),
            .logged(ContactLogged(entryID: entryID, customerID: customerID, details: ContactLogEntry.Details(channel: .email, subject: "抄表", occurredAt: t0))),
            .amended(ContactLogAmended(entryID: entryID, changes: [FieldChange(field: "subject", old: .text("a"), new: .text("b"))], details: call)),
            .retracted(ContactLogRetracted(entryID: entryID, reason: "duplicate", retractedAt: t0)),
        ])
    }
}
