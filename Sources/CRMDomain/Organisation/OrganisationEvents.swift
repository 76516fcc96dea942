import EventSourcing
import Foundation

/// The organisation's first administrator, their all-powerful role and its grant, recorded together.
public struct OrganisationBootstrapped: EventPayload, Equatable {
    public static let eventType = "OrganisationBootstrapped"
    public static let schemaVersion: UInt32 = 1
    public var administratorID: UUID
    public var name: String
    public var position: String
    public var branch: String
    public var hiredOn: LocalDate
    public var roleID: UUID
    public var roleName: String
    /// The role's permissions: every module × every action over all data, always.
    public var permissions: [Permission]
    public var grantID: UUID

    public init(administratorID: UUID, name: String, position: String, branch: String, hiredOn: LocalDate, roleID: UUID, roleName: String, permissions: [Permission], grantID: UUID) {
        self.administratorID = administratorID
        self.name = name
        self.position = position
        self.branch = branch
        self.hiredOn = hiredOn
        self.roleID = roleID
        self.roleName = roleName
        self.permissions = permissions
        self.grantID = grantID
    }
}

public struct UnitCreated: EventPayload, Equatable {
    public static let eventType = "UnitCreated"
    public static let schemaVersion: UInt32 = 1
    public var unitID: UUID
    public var kind: OrgUnit.Kind
    public var name: String
    public var parentID: UUID?

    public init(unitID: UUID, kind: OrgUnit.Kind, name: String, parentID: UUID? = nil) {
        self.unitID = unitID
        self.kind = kind
        self.name = name
        self.parentID = parentID
    }
}

public struct UnitRenamed: EventPayload, Equatable {
    public static let eventType = "UnitRenamed"
    public static let schemaVersion: UInt32 = 1
    public var unitID: UUID
    public var name: String
    public var previousName: String

    public init(unitID: UUID, name: String, previousName: String) {
        self.unitID = unitID
        self.name = name
        self.previousName = previousName
    }
}

public struct UnitMoved: EventPayload, Equatable {
    public static let eventType = "UnitMoved"
    public static let schemaVersion: UInt32 = 1
    public var unitID: UUID
    /// The new parent; nil makes the unit top-level.
    public var parentID: UUID?
    public var previousParentID: UUID?

    public init(unitID: UUID, parentID: UUID? = nil, previousParentID: UUID? = nil) {
        self.unitID = unitID
        self.parentID = parentID
        self.previousParentID = previousParentID
    }
}

public struct UnitDissolved: EventPayload, Equatable {
    public static let eventType = "UnitDissolved"
    public static let schemaVersion: UInt32 = 1
    public var unitID: UUID

    public init(unitID: UUID) {
        self.unitID = unitID
    }
}

public struct EmployeeHired: EventPayload, Equatable {
    public static let eventType = "EmployeeHired"
    public static let schemaVersion: UInt32 = 1
    public var employeeID: UUID
    public var name: String
    public var unitID: UUID?
    public var position: String
    public var branch: String
    public var managerID: UUID?
    public var hiredOn: LocalDate

    public init(employeeID: UUID, name: String, unitID: UUID? = nil, position: String, branch: String, managerID: UUID? = nil, hiredOn: LocalDate) {
        self.employeeID = employeeID
        self.name = name
        self.unitID = unitID
        self.position = position
        self.branch = branch
        self.managerID = managerID
        self.hiredOn = hiredOn
    }
}

public struct EmployeeChanged: EventPayload, Equatable {
    public static let eventType = "EmployeeChanged"
    public static let schemaVersion: UInt32 = 1
    public var employeeID: UUID
    /// The fields changed (`name`, `unit`, `position`, `branch`, `manager`), old → new.
    public var changes: [FieldChange]

    public init(employeeID: UUID, changes: [FieldChange]) {
        self.employeeID = employeeID
        self.changes = changes
    }
}

public struct EmployeeDeactivated: EventPayload, Equatable {
    public static let eventType = "EmployeeDeactivated"
    public static let schemaVersion: UInt32 = 1
    public var employeeID: UUID
    public var reason: String?

    public init(employeeID: UUID, reason: String? = nil) {
        self.employeeID = employeeID
        self.reason = reason
    }
}

public struct RoleDefined: EventPayload, Equatable {
    public static let eventType = "RoleDefined"
    public static let schemaVersion: UInt32 = 1
    public var roleID: UUID
    public var name: String
    public var permissions: [Permission]
    public var hiddenFields: [HiddenField]

    public init(roleID: UUID, name: String, permissions: [Permission], hiddenFields: [HiddenField]) {
        self.roleID = roleID
        self.name = name
        self.permissions = permissions
        self.hiddenFields = hiddenFields
    }
}

public struct RoleChanged: EventPayload, Equatable {
    public static let eventType = "RoleChanged"
    public static let schemaVersion: UInt32 = 1
    public var roleID: UUID
    /// A changed name, old → new; empty when the name stayed.
    public var changes: [FieldChange]
    public var permissions: [Permission]
    public var previousPermissions: [Permission]
    public var hiddenFields: [HiddenField]
    public var previousHiddenFields: [HiddenField]

    public init(roleID: UUID, changes: [FieldChange], permissions: [Permission], previousPermissions: [Permission], hiddenFields: [HiddenField], previousHiddenFields: [HiddenField]) {
        self.roleID = roleID
        self.changes = changes
        self.permissions = permissions
        self.previousPermissions = previousPermissions
        self.hiddenFields = hiddenFields
        self.previousHiddenFields = previousHiddenFields
    }
}

public struct RoleGranted: EventPayload, Equatable {
    public static let eventType = "RoleGranted"
    public static let schemaVersion: UInt32 = 1
    public var grantID: UUID
    public var employeeID: UUID
    public var roleID: UUID
    public var validity: ValidityPeriod

    public init(grantID: UUID, employeeID: UUID, roleID: UUID, validity: ValidityPeriod) {
        self.grantID = grantID
        self.employeeID = employeeID
        self.roleID = roleID
        self.validity = validity
    }
}

public struct RoleGrantRevoked: EventPayload, Equatable {
    public static let eventType = "RoleGrantRevoked"
    public static let schemaVersion: UInt32 = 1
    public var grantID: UUID
    public var employeeID: UUID
    public var roleID: UUID

    public init(grantID: UUID, employeeID: UUID, roleID: UUID) {
        self.grantID = grantID
        self.employeeID = employeeID
        self.roleID = roleID
    }
}

/// The events of the organisation aggregate.
public enum OrganisationEvent: DomainEvent {
    case bootstrapped(OrganisationBootstrapped)
    case unitCreated(UnitCreated)
    case unitRenamed(UnitRenamed)
    case unitMoved(UnitMoved)
    case unitDissolved(UnitDissolved)
    case employeeHired(EmployeeHired)
    case employeeChanged(EmployeeChanged)
    case employeeDeactivated(EmployeeDeactivated)
    case roleDefined(RoleDefined)
    case roleChanged(RoleChanged)
    case roleGranted(RoleGranted)
    case roleGrantRevoked(RoleGrantRevoked)

    public static let payloadTypes: [any EventPayload.Type] = [
        OrganisationBootstrapped.self, UnitCreated.self, UnitRenamed.self, UnitMoved.self, UnitDissolved.self,
        EmployeeHired.self, EmployeeChanged.self, EmployeeDeactivated.self,
        RoleDefined.self, RoleChanged.self, RoleGranted.self, RoleGrantRevoked.self,
    ]

    public var payload: any EventPayload {
        switch self {
        case .bootstrapped(let p): return p
        case .unitCreated(let p): return p
        case .unitRenamed(let p): return p
        case .unitMoved(let p): return p
        case .unitDissolved(let p): return p
        case .employeeHired(let p): return p
        case .employeeChanged(let p): return p
        case .employeeDeactivated(let p): return p
        case .roleDefined(let p): return p
        case .roleChanged(let p): return p
        case .roleGranted(let p): return p
        case .roleGrantRevoked(let p): return p
        }
    }

    public init?(payload: any EventPayload) {
        switch payload {
        case let p as OrganisationBootstrapped: self = .bootstrapped(p)
        case let p as UnitCreated: self = .unitCreated(p)
        case let p as UnitRenamed: self = .unitRenamed(p)
        case let p as UnitMoved: self = .unitMoved(p)
        case let p as UnitDissolved: self = .unitDissolved(p)
        case let p as EmployeeHired: self = .employeeHired(p)
        case let p as EmployeeChanged: self = .employeeChanged(p)
        case let p as EmployeeDeactivated: self = .employeeDeactivated(p)
        case let p as RoleDefined: self = .roleDefined(p)
        case let p as RoleChanged: self = .roleChanged(p)
        case let p as RoleGranted: self = .roleGranted(p)
        case let p as RoleGrantRevoked: self = .roleGrantRevoked(p)
        default: return nil
        }
    }
}
