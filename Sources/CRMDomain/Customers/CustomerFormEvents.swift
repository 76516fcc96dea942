import EventSourcing
import Foundation

/// A customer group's form was defined with its first fields.
public struct CustomerFormDefined: EventPayload, Equatable {
    public static let eventType = "CustomerFormDefined"
    public static let schemaVersion: UInt32 = 1
    public var group: String
    public var fields: [FieldDefinition]

    public init(group: String, fields: [FieldDefinition]) {
        self.group = group
        self.fields = fields
    }
}

/// A field was added to a form.
public struct CustomerFormFieldAdded: EventPayload, Equatable {
    public static let eventType = "CustomerFormFieldAdded"
    public static let schemaVersion: UInt32 = 1
    public var group: String
    public var field: FieldDefinition

    public init(group: String, field: FieldDefinition) {
        self.group = group
        self.field = field
    }
}

/// A field's label, required flag or validation changed; `changes` lists each old → new (R-LOG-5).
public struct CustomerFormFieldChanged: EventPayload, Equatable {
    public static let eventType = "CustomerFormFieldChanged"
    public static let schemaVersion: UInt32 = 1
    public var group: String
    /// The field as it is now.
    public var field: FieldDefinition
    public var changes: [FieldChange]

    public init(group: String, field: FieldDefinition, changes: [FieldChange]) {
        self.group = group
        self.field = field
        self.changes = changes
    }
}

/// A field was retired: stored values stay, new values are refused, the key is never reused.
public struct CustomerFormFieldRetired: EventPayload, Equatable {
    public static let eventType = "CustomerFormFieldRetired"
    public static let schemaVersion: UInt32 = 1
    public var group: String
    public var name: String

    public init(group: String, name: String) {
        self.group = group
        self.name = name
    }
}

/// The events of the customer form aggregate.
public enum CustomerFormEvent: DomainEvent {
    case defined(CustomerFormDefined)
    case fieldAdded(CustomerFormFieldAdded)
    case fieldChanged(CustomerFormFieldChanged)
    case fieldRetired(CustomerFormFieldRetired)

    public static let payloadTypes: [any EventPayload.Type] = [
        CustomerFormDefined.self, CustomerFormFieldAdded.self, CustomerFormFieldChanged.self, CustomerFormFieldRetired.self,
    ]

    public var payload: any EventPayload {
        switch self {
        case .defined(let p): return p
        case .fieldAdded(let p): return p
        case .fieldChanged(let p): return p
        case .fieldRetired(let p): return p
        }
    }

    public init?(payload: any EventPayload) {
        switch payload {
        case let p as CustomerFormDefined: self = .defined(p)
        case let p as CustomerFormFieldAdded: self = .fieldAdded(p)
        case let p as CustomerFormFieldChanged: self = .fieldChanged(p)
        case let p as CustomerFormFieldRetired: self = .fieldRetired(p)
        default: return nil
        }
    }
}
