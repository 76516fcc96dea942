import EventSourcing
import Foundation

/// A contact with a customer was logged (R-SRV-3).
public struct ContactLogged: EventPayload, Equatable {
    public static let eventType = "ContactLogged"
    public static let schemaVersion: UInt32 = 1
    public var entryID: UUID
    public var customerID: UUID
    public var details: ContactLogEntry.Details

    public init(entryID: UUID, customerID: UUID, details: ContactLogEntry.Details) {
        self.entryID = entryID
        self.customerID = customerID
        self.details = details
    }
}

/// A logged contact was corrected: exactly the changed fields (old → new), and the details as they now are.
public struct ContactLogAmended: EventPayload, Equatable {
    public static let eventType = "ContactLogAmended"
    public static let schemaVersion: UInt32 = 1
    public var entryID: UUID
    public var changes: [FieldChange]
    public var details: ContactLogEntry.Details

    public init(entryID: UUID, changes: [FieldChange], details: ContactLogEntry.Details) {
        self.entryID = entryID
        self.changes = changes
        self.details = details
    }
}

/// A logged contact was withdrawn (logged by mistake); its history stays.
public struct ContactLogRetracted: EventPayload, Equatable {
    public static let eventType = "ContactLogRetracted"
    public static let schemaVersion: UInt32 = 1
    public var entryID: UUID
    public var reason: String
    public var retractedAt: Date

    public init(entryID: UUID, reason: String, retractedAt: Date) {
        self.entryID = entryID
        self.reason = reason
        self.retractedAt = retractedAt
    }
}

/// The events of the contact log.
public enum ContactLogEvent: DomainEvent {
    case logged(ContactLogged)
    case amended(ContactLogAmended)
    case retracted(ContactLogRetracted)

    public static let payloadTypes: [any EventPayload.Type] = [ContactLogged.self, ContactLogAmended.self, ContactLogRetracted.self]

    public var payload: any EventPayload {
        switch self {
        case .logged(let p): return p
        case .amended(let p): return p
        case .retracted(let p): return p
        }
    }

    public init?(payload: any EventPayload) {
        switch payload {
        case let p as ContactLogged: self = .logged(p)
        case let p as ContactLogAmended: self = .amended(p)
        case let p as ContactLogRetracted: self = .retracted(p)
        default: return nil
        }
    }
}
