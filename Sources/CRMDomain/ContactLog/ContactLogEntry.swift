import EventSourcing
import Foundation

/// One logged contact with a customer (R-SRV-3): who was contacted, by which channel, about what, when,
/// for how long, with which attachments. Amendments are traced field by field; a wrong entry is retracted,
/// never deleted. (The combined search by contact, channel, subject and period is a projection.)
///
/// ```swift
/// let details = ContactLogEntry.Details(contactID: contact, channel: .phone, subject: "Meter reading",
///                                       occurredAt: callStart, durationSeconds: 240)
/// let events = try ContactLogEntry.decide(.log(id: id, customerID: customer, details: details),
///                                         state: ContactLogEntry.initialState, context: context)
/// ```
public enum ContactLogEntry: Aggregate {
    public static let category = "contactlog"

    /// What a logged contact records besides its id and customer.
    public struct Details: Hashable, Sendable, Codable {
        /// The customer's contact person spoken to, if known.
        public var contactID: UUID?
        public var channel: ContactChannel
        public var subject: String
        /// When the contact happened (UTC); not after the moment it is logged.
        public var occurredAt: Date
        /// How long it lasted, in seconds (0 for a letter or an e-mail).
        public var durationSeconds: Int
        /// References to stored attachments (document ids, URLs); the files live elsewhere.
        public var attachments: [String]
        public var note: String?

        public init(contactID: UUID? = nil, channel: ContactChannel, subject: String, occurredAt: Date,
                    durationSeconds: Int = 0, attachments: [String] = [], note: String? = nil) {
            self.contactID = contactID
            self.channel = channel
            self.subject = subject
            self.occurredAt = occurredAt
            self.durationSeconds = durationSeconds
            self.attachments = attachments
            self.note = note
        }
    }

    /// A logged contact as its events left it.
    public struct State: Sendable, Equatable {
        /// Nil until the contact is logged.
        public var id: UUID?
        public var customerID: UUID?
        public var details: Details?
        public var retracted = false
        public var retractReason: String?

        public init() {}

        /// Whether the contact has been logged.
        public var exists: Bool { id != nil }
    }

    /// What can be asked of a contact log entry.
    public enum Command: Sendable {
        /// Logs a contact (the first command of its stream).
        case log(id: UUID, customerID: UUID, details: Details)
        /// Replaces the details; only changed fields are recorded, and nothing changed records nothing.
        case amend(Details)
        /// Withdraws a wrong entry; it stays in the history.
        case retract(reason: String)
    }

    public typealias Event = ContactLogEvent

    public static var initialState: State { State() }

    public static func decide(_ command: Command, state: State, context: CommandContext) throws(DomainError) -> [Event] {
        switch command {
        case .log(let id, let customerID, let details):
            guard !state.exists else { throw DomainError(.alreadyExists, "the contact is already logged") }
            let valid = try validated(details, now: context.now)
            return [.logged(ContactLogged(entryID: id, customerID: customerID, details: valid))]

        case .amend(let details):
            guard let id = state.id, let old = state.details else { throw .notFound("no such contact log entry") }
            let new = try validated(details, now: context.now, unlessUnchangedFrom: old)
            guard !state.retracted else { throw .transition("a retracted entry cannot be amended") }
            let changes = trail(old, new)
            guard !changes.isEmpty else { return [] }
            return [.amended(ContactLogAmended(entryID: id, changes: changes, details: new))]

        case .retract(let reason):
            guard let id = state.id else { throw .notFound("no such contact log entry") }
            let text = try Validate.multilineText(reason, field: "reason", max: 2000)
            guard !state.retracted else { throw .transition("the entry is already retracted") }
            return [.retracted(ContactLogRetracted(entryID: id, reason: text, retractedAt: context.now))]
        }
    }

    /// The details checked; in an amendment (`current` given) a subject or attachment reference the entry
    /// already has is not judged again.
    private static func validated(_ details: Details, now: Date, unlessUnchangedFrom current: Details? = nil) throws(DomainError) -> Details {
        var d = details
        d.subject = try Validate.text(details.subject, field: "subject", unlessUnchangedFrom: current?.subject)
        d.note = try Validate.optionalMultilineText(details.note, field: "note", max: 10_000)
        guard details.durationSeconds >= 0 else { throw .invalid("durationSeconds", "must not be negative") }
        guard details.occurredAt <= now else { throw .invalid("occurredAt", "must not be in the future") }
        var attachments: [String] = []
        for reference in details.attachments {
            attachments.append(try Validate.text(reference, field: "attachments", max: 1000, unlessAmong: current?.attachments ?? []))
        }
        guard Set(attachments).count == attachments.count else { throw .invalid("attachments", "must not repeat a reference") }
        d.attachments = attachments
        return d
    }

    /// The changed fields, old → new.
    static func trail(_ old: Details, _ new: Details) -> [FieldChange] {
        var changes: [FieldChange] = []
        changes.record("contactID", old.contactID.map(FieldValue.id), new.contactID.map(FieldValue.id))
        changes.record("channel", .option(old.channel.rawValue), .option(new.channel.rawValue))
        changes.record("subject", .text(old.subject), .text(new.subject))
        changes.record("occurredAt", .text(instant(old.occurredAt)), .text(instant(new.occurredAt)))
        changes.record("durationSeconds", .number(Decimal(old.durationSeconds)), .number(Decimal(new.durationSeconds)))
        changes.record("attachments", .list(old.attachments), .list(new.attachments))
        changes.record("note", old.note.map(FieldValue.text), new.note.map(FieldValue.text))
        return changes
    }

    /// An instant as ISO 8601 text with milliseconds (FieldValue has no instant case).
    private static func instant(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    public static func evolve(_ state: State, _ event: Event) -> State {
        var s = state
        switch event {
        case .logged(let e):
            s.id = e.entryID
            s.customerID = e.customerID
            s.details = e.details
        case .amended(let e):
            s.details = e.details
        case .retracted(let e):
            s.retracted = true
            s.retractReason = e.reason
        }
        return s
    }
}
