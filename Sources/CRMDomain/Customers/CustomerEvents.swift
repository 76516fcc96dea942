import EventSourcing
import Foundation

/// A customer was created (R-CUS-1), with its custom values and external keys.
public struct CustomerCreated: EventPayload, Equatable {
    public static let eventType = "CustomerCreated"
    public static let schemaVersion: UInt32 = 1
    public var customerID: UUID
    public var kind: CustomerKind
    public var name: String
    public var group: String
    public var industry: String?
    public var branch: String?
    public var community: String?
    public var owner: String?
    public var status: CustomerStatus
    public var birthday: LocalDate?
    public var founded: LocalDate?
    public var customFields: [String: FieldValue]
    public var externalKeys: [ExternalKey]

    public init(customerID: UUID, kind: CustomerKind, name: String, group: String, industry: String? = nil, branch: String? = nil, community: String? = nil, owner: String? = nil, status: CustomerStatus, birthday: LocalDate? = nil, founded: LocalDate? = nil, customFields: [String: FieldValue], externalKeys: [ExternalKey]) {
        self.customerID = customerID
        self.kind = kind
        self.name = name
        self.group = group
        self.industry = industry
        self.branch = branch
        self.community = community
        self.owner = owner
        self.status = status
        self.birthday = birthday
        self.founded = founded
        self.customFields = customFields
        self.externalKeys = externalKeys
    }
}

/// A customer's profile changed: exactly the changed fields, old → new (R-LOG-5). Custom fields are named
/// `custom.<key>`.
public struct CustomerEdited: EventPayload, Equatable {
    public static let eventType = "CustomerEdited"
    public static let schemaVersion: UInt32 = 1
    public var customerID: UUID
    public var changes: [FieldChange]

    public init(customerID: UUID, changes: [FieldChange]) {
        self.customerID = customerID
        self.changes = changes
    }
}

/// A prospect became an active customer.
public struct CustomerActivated: EventPayload, Equatable {
    public static let eventType = "CustomerActivated"
    public static let schemaVersion: UInt32 = 1
    public var customerID: UUID

    public init(customerID: UUID) {
        self.customerID = customerID
    }
}

/// A customer was archived (soft delete): kept with its history, changes blocked until restored.
public struct CustomerArchived: EventPayload, Equatable {
    public static let eventType = "CustomerArchived"
    public static let schemaVersion: UInt32 = 1
    public var customerID: UUID
    public var reason: String?

    public init(customerID: UUID, reason: String? = nil) {
        self.customerID = customerID
        self.reason = reason
    }
}

/// An archived customer was restored with the status it had.
public struct CustomerRestored: EventPayload, Equatable {
    public static let eventType = "CustomerRestored"
    public static let schemaVersion: UInt32 = 1
    public var customerID: UUID

    public init(customerID: UUID) {
        self.customerID = customerID
    }
}

/// This customer, a duplicate, was merged into a survivor. Final: it can no longer change. Its external
/// keys are released so the survivor can claim them.
public struct CustomerMergedInto: EventPayload, Equatable {
    public static let eventType = "CustomerMergedInto"
    public static let schemaVersion: UInt32 = 1
    public var customerID: UUID
    public var survivorID: UUID
    public var releasedKeys: [ExternalKey]

    public init(customerID: UUID, survivorID: UUID, releasedKeys: [ExternalKey]) {
        self.customerID = customerID
        self.survivorID = survivorID
        self.releasedKeys = releasedKeys
    }
}

/// This customer, the survivor, absorbed a duplicate: the contacts and open work that move to it.
public struct CustomerAbsorbedDuplicate: EventPayload, Equatable {
    public static let eventType = "CustomerAbsorbedDuplicate"
    public static let schemaVersion: UInt32 = 1
    public var customerID: UUID
    public var duplicateID: UUID
    public var contactIDs: [UUID]
    /// Open tasks, tickets, opportunities and the like that move with the duplicate.
    public var openWorkIDs: [UUID]

    public init(customerID: UUID, duplicateID: UUID, contactIDs: [UUID], openWorkIDs: [UUID]) {
        self.customerID = customerID
        self.duplicateID = duplicateID
        self.contactIDs = contactIDs
        self.openWorkIDs = openWorkIDs
    }
}

/// The customer's key in another system was set or replaced (R-CUS-6).
public struct CustomerExternalKeySet: EventPayload, Equatable {
    public static let eventType = "CustomerExternalKeySet"
    public static let schemaVersion: UInt32 = 1
    public var customerID: UUID
    public var key: ExternalKey
    /// The key it replaced in the same system, released.
    public var previousKey: String?

    public init(customerID: UUID, key: ExternalKey, previousKey: String? = nil) {
        self.customerID = customerID
        self.key = key
        self.previousKey = previousKey
    }
}

/// The customer's key in another system was removed and released.
public struct CustomerExternalKeyRemoved: EventPayload, Equatable {
    public static let eventType = "CustomerExternalKeyRemoved"
    public static let schemaVersion: UInt32 = 1
    public var customerID: UUID
    public var key: ExternalKey

    public init(customerID: UUID, key: ExternalKey) {
        self.customerID = customerID
        self.key = key
    }
}
