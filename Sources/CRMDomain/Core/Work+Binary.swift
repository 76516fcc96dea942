import EventSourcing
import Foundation

// Hand-written binary forms of two frequent events, a logged contact and a dispatched task: the same bytes
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
