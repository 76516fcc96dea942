import EventSourcing
import Foundation

/// A contact was created for a customer (R-CUS-3).
public struct ContactCreated: EventPayload, Equatable {
    public static let eventType = "ContactCreated"
    public static let schemaVersion: UInt32 = 1
    public var contactID: UUID
    public var customerID: UUID
    public var name: String
    public var role: ContactRole
    public var title: String?
    public var phone: String?
    public var email: String?

    public init(contactID: UUID, customerID: UUID, name: String, role: ContactRole, title: String? = nil, phone: String? = nil, email: String? = nil) {
        self.contactID = contactID
        self.customerID = customerID
        self.name = name
        self.role = role
        self.title = title
        self.phone = phone
        self.email = email
    }
}

/// A contact's details changed: exactly the changed fields, old → new (R-LOG-5).
public struct ContactEdited: EventPayload, Equatable {
    public static let eventType = "ContactEdited"
    public static let schemaVersion: UInt32 = 1
    public var contactID: UUID
    public var changes: [FieldChange]

    public init(contactID: UUID, changes: [FieldChange]) {
        self.contactID = contactID
        self.changes = changes
    }
}

/// A contact moved to another customer (when its customer was merged into a survivor).
public struct ContactMovedToCustomer: EventPayload, Equatable {
    public static let eventType = "ContactMovedToCustomer"
    public static let schemaVersion: UInt32 = 1
    public var contactID: UUID
    public var fromCustomerID: UUID
    public var toCustomerID: UUID

    public init(contactID: UUID, fromCustomerID: UUID, toCustomerID: UUID) {
        self.contactID = contactID
        self.fromCustomerID = fromCustomerID
        self.toCustomerID = toCustomerID
    }
}

/// A relationship to another contact was added.
public struct ContactRelationshipAdded: EventPayload, Equatable {
    public static let eventType = "ContactRelationshipAdded"
    public static let schemaVersion: UInt32 = 1
    public var contactID: UUID
    public var relationship: ContactRelationship

    public init(contactID: UUID, relationship: ContactRelationship) {
        self.contactID = contactID
        self.relationship = relationship
    }
}

/// A relationship to another contact was removed.
public struct ContactRelationshipRemoved: EventPayload, Equatable {
    public static let eventType = "ContactRelationshipRemoved"
    public static let schemaVersion: UInt32 = 1
    public var contactID: UUID
    public var relationship: ContactRelationship

    public init(contactID: UUID, relationship: ContactRelationship) {
        self.contactID = contactID
        self.relationship = relationship
    }
}

/// A contact was archived (soft delete).
public struct ContactArchived: EventPayload, Equatable {
    public static let eventType = "ContactArchived"
    public static let schemaVersion: UInt32 = 1
    public var contactID: UUID
    public var reason: String?

    public init(contactID: UUID, reason: String? = nil) {
        self.contactID = contactID
        self.reason = reason
    }
}

/// An archived contact was restored.
public struct ContactRestored: EventPayload, Equatable {
    public static let eventType = "ContactRestored"
    public static let schemaVersion: UInt32 = 1
    public var contactID: UUID

    public init(contactID: UUID) {
        self.contactID = contactID
    }
}

/// The events of the contact aggregate.
public enum ContactEvent: DomainEvent {
    case created(ContactCreated)
    case edited(ContactEdited)
    case movedToCustomer(ContactMovedToCustomer)
    case relationshipAdded(ContactRelationshipAdded)
    case relationshipRemoved(ContactRelationshipRemoved)
    case archived(ContactArchived)
    case restored(ContactRestored)

    public static let payloadTypes: [any EventPayload.Type] = [
        ContactCreated.self, ContactEdited.self, ContactMovedToCustomer.self, ContactRelationshipAdded.self,
        ContactRelationshipRemoved.self, ContactArchived.self, ContactRestored.self,
    ]

    public var payload: any EventPayload {
        switch self {
        case .created(let p): return p
        case .edited(let p): return p
        case .movedToCustomer(let p): return p
        case .relationshipAdded(let p): return p
        case .relationshipRemoved(let p): return p
        case .archived(let p): return p
        case .restored(let p): return p
        }
    }

    public init?(payload: any EventPayload) {
        switch payload {
        case let p as ContactCreated: self = .created(p)
        case let p as ContactEdited: self = .edited(p)
        case let p as ContactMovedToCustomer: self = .movedToCustomer(p)
        case let p as ContactRelationshipAdded: self = .relationshipAdded(p)
        case let p as ContactRelationshipRemoved: self = .relationshipRemoved(p)
        case let p as ContactArchived: self = .archived(p)
        case let p as ContactRestored: self = .restored(p)
        default: return nil
        }
    }
}
