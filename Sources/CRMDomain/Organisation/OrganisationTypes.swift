import Foundation

/// A unit of the organisation's hierarchy (R-ORG-1): department → office → team.
public struct OrgUnit: Hashable, Sendable, Codable {
    /// The level of a unit. A unit sits under a unit of the same level or a higher one (a team under an
    /// office, a department or a team; an office under a department or an office; a department only under
    /// a department), never under a lower one.
    public enum Kind: String, CaseIterable, Hashable, Sendable, Codable {
        case department, office, team

        /// 0 for departments, 1 for offices, 2 for teams.
        public var rank: Int {
            switch self {
            case .department: return 0
            case .office: return 1
            case .team: return 2
            }
        }

        /// Whether a unit of this kind may sit under a unit of `parent`'s kind.
        public func mayBeUnder(_ parent: Kind) -> Bool { parent.rank <= rank }
    }

    public var id: UUID
    public var kind: Kind
    public var name: String
    /// The unit above; nil for a top-level department.
    public var parentID: UUID?

    public init(id: UUID, kind: Kind, name: String, parentID: UUID? = nil) {
        self.id = id
        self.kind = kind
        self.name = name
        self.parentID = parentID
    }
}

/// A member of staff (R-ORG-1).
public struct Employee: Hashable, Sendable, Codable {
    public var id: UUID
    public var name: String
    /// The department, office or team they belong to.
    public var unitID: UUID?
    public var position: String
    public var branch: String
    /// Their manager, another employee.
    public var managerID: UUID?
    public var hiredOn: LocalDate
    /// False once deactivated: an inactive employee holds no permission.
    public var active: Bool

    public init(id: UUID, name: String, unitID: UUID?, position: String, branch: String, managerID: UUID?,
                hiredOn: LocalDate, active: Bool = true) {
        self.id = id
        self.name = name
        self.unitID = unitID
        self.position = position
        self.branch = branch
        self.managerID = managerID
        self.hiredOn = hiredOn
        self.active = active
    }
}

/// The input of hiring an employee (and of bootstrapping the first administrator).
public struct NewEmployee: Hashable, Sendable {
    public var id: UUID
    public var name: String
    public var unitID: UUID?
    public var position: String
    public var branch: String
    public var managerID: UUID?
    public var hiredOn: LocalDate

    public init(id: UUID, name: String, unitID: UUID? = nil, position: String, branch: String, managerID: UUID? = nil,
                hiredOn: LocalDate) {
        self.id = id
        self.name = name
        self.unitID = unitID
        self.position = position
        self.branch = branch
        self.managerID = managerID
        self.hiredOn = hiredOn
    }
}

/// A change to an employee: nil leaves a value as it is; `.some(nil)` clears the unit or manager.
public struct EmployeeEdit: Hashable, Sendable {
    public var name: String?
    public var unitID: UUID??
    public var position: String?
    public var branch: String?
    public var managerID: UUID??

    public init(name: String? = nil, unitID: UUID?? = nil, position: String? = nil, branch: String? = nil,
                managerID: UUID?? = nil) {
        self.name = name
        self.unitID = unitID
        self.position = position
        self.branch = branch
        self.managerID = managerID
    }
}

/// A role: a named set of permissions and the form fields it hides (R-ORG-2).
public struct Role: Hashable, Sendable, Codable {
    public var id: UUID
    public var name: String
    public var permissions: [Permission]
    /// Form fields the holders of this role may not see (sorted, unique).
    public var hiddenFields: [HiddenField]

    public init(id: UUID, name: String, permissions: [Permission], hiddenFields: [HiddenField] = []) {
        self.id = id
        self.name = name
        self.permissions = permissions
        self.hiddenFields = hiddenFields
    }
}

/// What a role is: its name, permissions and hidden fields; the input of defining or changing a role.
public struct RoleDefinition: Hashable, Sendable {
    public var name: String
    public var permissions: [Permission]
    public var hiddenFields: [HiddenField]

    public init(name: String, permissions: [Permission], hiddenFields: [HiddenField] = []) {
        self.name = name
        self.permissions = permissions
        self.hiddenFields = hiddenFields
    }

    /// The definition with a checked name, validated permissions and sorted, unique, non-empty hidden fields.
    /// In a change (`role`: the role as it is) a name, scope or hidden field the role already has is not
    /// judged again by the character checks.
    func validated(unlessUnchangedFrom role: Role? = nil) throws(DomainError) -> RoleDefinition {
        var d = self
        d.name = try Validate.text(name, field: "name", max: 100, unlessUnchangedFrom: role?.name)
        let recordedScopes = role?.permissions.map(\.scope) ?? []
        var checked: [Permission] = []
        for permission in permissions { checked.append(try permission.validated(unlessAmong: recordedScopes)) }
        d.permissions = checked
        let recordedGroups = role?.hiddenFields.map(\.formGroup) ?? []
        let recordedFields = role?.hiddenFields.map(\.field) ?? []
        var fields: Set<HiddenField> = []
        for f in hiddenFields {
            let group = try Validate.text(f.formGroup, field: "hiddenFields", max: 100, unlessAmong: recordedGroups)
            let field = try Validate.text(f.field, field: "hiddenFields", max: 64, unlessAmong: recordedFields)
            fields.insert(HiddenField(formGroup: group, field: field))
        }
        d.hiddenFields = fields.sorted()
        return d
    }
}

/// A role granted to an employee for a period (R-ORG-2).
public struct RoleGrant: Hashable, Sendable, Codable {
    public var id: UUID
    public var employeeID: UUID
    public var roleID: UUID
    public var validity: ValidityPeriod

    public init(id: UUID, employeeID: UUID, roleID: UUID, validity: ValidityPeriod = .always) {
        self.id = id
        self.employeeID = employeeID
        self.roleID = roleID
        self.validity = validity
    }
}
