import EventSourcing
import Foundation

// Hand-written binary forms of the most frequent events still decoded through keyed containers: tasks
// cancelled, rescheduled and reassigned, visits rescheduled, customer installations added and appointments
// completed, quotes sent and win probabilities suggested (about 5 % of a generated history). The same bytes
// as their `Codable` conformances write in the binary payload format (fields in declaration order,
// optionals tagged, decimals as their text, `Int` as a signed 64-bit integer, `Bool` as one byte), so
// stored events stay valid. `ChangeBinaryFormsTests` holds both forms side by side. Never reorder or retype a
// field here without the `Codable` side.

extension TaskCancelled: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(taskID: try r.uuid(), reason: try r.string())
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.uuid(taskID)
        w.string(reason)
    }
}

extension TaskRescheduled: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(taskID: try r.uuid(), previousDueAt: try r.date(), dueAt: try r.date(), reason: try r.optional { try $0.string() })
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.uuid(taskID)
        w.date(previousDueAt)
        w.date(dueAt)
        w.optional(reason) { $0.string($1) }
    }
}

extension TaskReassigned: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(
            taskID: try r.uuid(), previousAssignee: try r.string(), assignee: try r.string(), reason: try r.optional { try $0.string() })
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.uuid(taskID)
        w.string(previousAssignee)
        w.string(assignee)
        w.optional(reason) { $0.string($1) }
    }
}

extension VisitRescheduled: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(
            visitID: try r.uuid(), oldScheduledAt: try r.date(), newScheduledAt: try r.date(), oldPlace: try r.string(),
            newPlace: try r.string(), reason: try r.optional { try $0.string() })
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.uuid(visitID)
        w.date(oldScheduledAt)
        w.date(newScheduledAt)
        w.string(oldPlace)
        w.string(newPlace)
        w.optional(reason) { $0.string($1) }
    }
}

extension Installation: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(id: try r.uuid(), address: try r.string(), meterNumber: try r.string(), isActive: try r.bool())
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.uuid(id)
        w.string(address)
        w.string(meterNumber)
        w.bool(isActive)
    }
}

extension Appointment: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(id: try r.uuid(), kind: try r.rawValue(AppointmentKind.self), at: try r.date(), address: try r.string(),
                  note: try r.optional { try $0.string() }, status: try r.rawValue(AppointmentStatus.self))
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.uuid(id)
        w.rawValue(kind)
        w.date(at)
        w.string(address)
        w.optional(note) { $0.string($1) }
        w.rawValue(status)
    }
}

extension CustomerInstallationAdded: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(customerID: try r.uuid(), installation: try Installation(fromBinary: &r))
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.uuid(customerID)
        installation.encode(toBinary: &w)
    }
}

extension CustomerAppointmentCompleted: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(customerID: try r.uuid(), appointmentID: try r.uuid(), completedAt: try r.date(), note: try r.optional { try $0.string() })
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.uuid(customerID)
        w.uuid(appointmentID)
        w.date(completedAt)
        w.optional(note) { $0.string($1) }
    }
}

extension QuoteSent: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(quoteID: try r.uuid(), revision: try r.int(), sentAt: try r.date())
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.uuid(quoteID)
        w.int(revision)
        w.date(sentAt)
    }
}

extension WinProbabilitySuggested: BinaryPayloadCodable {
    public init(fromBinary r: inout BinaryReader) throws {
        self.init(opportunityID: try r.uuid(), previous: try r.optional { try $0.decimal() }, percent: try r.decimal())
    }

    public func encode(toBinary w: inout BinaryWriter) {
        w.uuid(opportunityID)
        w.optional(previous) { $0.decimal($1) }
        w.decimal(percent)
    }
}
