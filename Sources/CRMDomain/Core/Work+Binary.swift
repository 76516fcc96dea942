import EventSourcing
import Foundation

// Hand-written binary forms of the most frequent events of a working day (contacts logged, tasks dispatched,
// accepted and completed, visits planned, recorded and costed, tickets assigned, worked, resolved and
// closed: 61 % of a generated history, 83 % with the revenue and usage events of Revenue+Binary.swift): the same bytes
// as their `Codable` conformances write in the binary payload format (fields in declaration order,
// optionals tagged, string enums as their raw values, arrays counted), so stored events stay valid;
// decoding them skips the keyed containers. `WorkBinaryFormsTests` holds both forms side by side. Never
// reorder or retype a field here without the `Codable` side.

extension ContactLogEntry.Details: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(
            contactID: try r.optional { try $0.uuid() }, channel: try r.rawValue(ContactChannel.self),
            subject: try r.string(), occurredAt: try r.date(), durationSeconds: try r.int(),
            attachments: try r.array { try $0.string() }, note: try r.optional { try $0.string() })
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.optional(contactID) { $0.uuid($1) }
        w.rawValue(channel)
        w.string(subject)
        w.date(occurredAt)
        w.int(durationSeconds)
        w.array(attachments) { $0.string($1) }
        w.optional(note) { $0.string($1) }
    }
}

extension ContactLogged: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(entryID: try r.uuid(), customerID: try r.uuid(), details: try ContactLogEntry.Details(fromBinary: &r))
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.uuid(entryID)
        w.uuid(customerID)
        details.encode(toBinary: &w)
    }
}

extension WorkTask.Details: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(
            title: try r.string(), note: try r.optional { try $0.string() }, customerID: try r.optional { try $0.uuid() },
            kind: try r.rawValue(WorkTask.Kind.self), dueAt: try r.date(), branch: try r.optional { try $0.string() },
            reminderKind: try r.optional { try $0.rawValue(ReminderKind.self) })
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.string(title)
        w.optional(note) { $0.string($1) }
        w.optional(customerID) { $0.uuid($1) }
        w.rawValue(kind)
        w.date(dueAt)
        w.optional(branch) { $0.string($1) }
        w.optional(reminderKind) { $0.rawValue($1) }
    }
}

extension TaskDispatched: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(
            taskID: try r.uuid(), details: try WorkTask.Details(fromBinary: &r), assignee: try r.string(),
            route: try r.rawValue(WorkTask.Route.self),
            externalReference: try r.optional { WorkTask.ExternalReference(system: try $0.string(), id: try $0.string()) })
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.uuid(taskID)
        details.encode(toBinary: &w)
        w.string(assignee)
        w.rawValue(route)
        w.optional(externalReference) { w, reference in
            w.string(reference.system)
            w.string(reference.id)
        }
    }
}

extension TaskAccepted: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(taskID: try r.uuid(), assignee: try r.string())
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.uuid(taskID)
        w.string(assignee)
    }
}

extension TaskCompleted: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(taskID: try r.uuid(), resultNote: try r.string(), completedAt: try r.date())
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.uuid(taskID)
        w.string(resultNote)
        w.date(completedAt)
    }
}

// Visits: planned, recorded and their cost lines.

extension VisitPlanned: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(
            visitID: try r.uuid(), customerID: try r.uuid(), visitor: try r.string(), scheduledAt: try r.date(),
            contacts: try r.array { try $0.uuid() }, agenda: try r.string(), place: try r.string())
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.uuid(visitID)
        w.uuid(customerID)
        w.string(visitor)
        w.date(scheduledAt)
        w.array(contacts) { $0.uuid($1) }
        w.string(agenda)
        w.string(place)
    }
}

extension Visit.Actual: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(
            date: try LocalDate(fromBinary: &r), place: try r.string(), contacts: try r.array { try $0.uuid() },
            topics: try r.array { try $0.string() }, summary: try r.string())
    }

    public func encode(toBinary w: inout BinaryWriter) {
        date.encode(toBinary: &w)
        w.string(place)
        w.array(contacts) { $0.uuid($1) }
        w.array(topics) { $0.string($1) }
        w.string(summary)
    }
}

extension VisitRecorded: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(visitID: try r.uuid(), actual: try Visit.Actual(fromBinary: &r), recordedAt: try r.date())
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.uuid(visitID)
        actual.encode(toBinary: &w)
        w.date(recordedAt)
    }
}

extension Visit.CostLine: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(id: try r.uuid(), kind: try r.rawValue(Visit.CostKind.self), amount: try Money(fromBinary: &r),
                  note: try r.optional { try $0.string() })
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.uuid(id)
        w.rawValue(kind)
        amount.encode(toBinary: &w)
        w.optional(note) { $0.string($1) }
    }
}

extension VisitCostAdded: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(visitID: try r.uuid(), line: try Visit.CostLine(fromBinary: &r))
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.uuid(visitID)
        line.encode(toBinary: &w)
    }
}

// Tickets: the four steps every ticket takes after it opens.

extension TicketAssigned: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(ticketID: try r.uuid(), assignee: try r.string(), previousAssignee: try r.optional { try $0.string() },
                  assignedAt: try r.date())
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.uuid(ticketID)
        w.string(assignee)
        w.optional(previousAssignee) { $0.string($1) }
        w.date(assignedAt)
    }
}

extension TicketWorkStarted: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(ticketID: try r.uuid(), assignee: try r.string(), startedAt: try r.date())
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.uuid(ticketID)
        w.string(assignee)
        w.date(startedAt)
    }
}

extension TicketResolved: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(ticketID: try r.uuid(), resolution: try r.string(), resolvedAt: try r.date())
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.uuid(ticketID)
        w.string(resolution)
        w.date(resolvedAt)
    }
}

extension TicketClosed: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(ticketID: try r.uuid(), satisfaction: try r.int(), comment: try r.optional { try $0.string() }, closedAt: try r.date())
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.uuid(ticketID)
        w.int(satisfaction)
        w.optional(comment) { $0.string($1) }
        w.date(closedAt)
    }
}

extension Campaign.CostLine: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(id: try r.uuid(), description: try r.string(), amount: try Money(fromBinary: &r), date: try LocalDate(fromBinary: &r))
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.uuid(id)
        w.string(description)
        amount.encode(toBinary: &w)
        date.encode(toBinary: &w)
    }
}
