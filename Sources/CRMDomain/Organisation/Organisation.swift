import EventSourcing
import Foundation

/// The organisation (R-ORG-1, R-ORG-2): employees, the hierarchy of departments, offices and teams, roles
/// with their permissions, and the roles granted to employees.
///
/// One aggregate in one stream, ``Organisation/streamID``: the rules that matter here span all of it — a
/// move must not close a cycle anywhere in the hierarchy, bootstrap needs to know that no employee and no
/// role exists yet, and a role grant needs the employee and the role. The organisation is small (hundreds
/// of employees, tens of roles), so one stream stays cheap to replay.
///
/// Everything but ``Command/bootstrap(administrator:roleID:roleName:grantID:)`` is refused with
/// `notConfigured` until the first administrator exists. Commands that grant (defining or changing a role,
/// granting a role) carry the grantor's ``EffectivePermissions`` — computed by the engine with
/// ``State/effectivePermissions(of:at:)`` at `context.now` — and are refused when they would give more than
/// the grantor holds (``GrantRule``). Enforcing permissions on every command and query is the engine's job.
///
/// ```swift
/// let events = try Organisation.decide(.bootstrap(administrator: admin, roleID: roleID, roleName: "Administrator",
///                                                 grantID: grantID), state: Organisation.initialState, context: context)
/// ```
public enum Organisation: Aggregate {
    public static let category = "organisation"
    /// The one organisation stream.
    public static let streamID = StreamID("organisation-global")

    public struct State: Sendable, Equatable, Codable {
        /// Whether the first administrator exists.
        public var bootstrapped = false
        /// Live units by id.
        public var units: [UUID: OrgUnit] = [:]
        /// Ids of dissolved units, never reused.
        public var dissolvedUnitIDs: Set<UUID> = []
        public var employees: [UUID: Employee] = [:]
        public var roles: [UUID: Role] = [:]
        /// Role grants in force or to come (revoked ones are removed).
        public var roleGrants: [UUID: RoleGrant] = [:]

        public init() {}

        /// No employee and no role yet: the only state bootstrap accepts.
        public var isEmpty: Bool { employees.isEmpty && roles.isEmpty }

        /// The department a unit belongs to: the top-most department above it (itself if it is one).
        public func department(of unitID: UUID) -> OrgUnit? {
            var department: OrgUnit?
            for unit in chain(from: unitID) where unit.kind == .department { department = unit }
            return department
        }

        /// The unit and the units above it, nearest first (stops at a repeated unit, so never loops).
        public func chain(from unitID: UUID) -> [OrgUnit] {
            var result: [OrgUnit] = []
            var seen: Set<UUID> = []
            var next: UUID? = unitID
            while let id = next, let unit = units[id], seen.insert(id).inserted {
                result.append(unit)
                next = unit.parentID
            }
            return result
        }

        /// The employee's managers, nearest first (stops at a repeated employee, so never loops).
        public func managers(of employeeID: UUID) -> [UUID] {
            var result: [UUID] = []
            var seen: Set<UUID> = [employeeID]
            var next = employees[employeeID]?.managerID
            while let id = next, seen.insert(id).inserted {
                result.append(id)
                next = employees[id]?.managerID
            }
            return result
        }

        /// What `employeeID` may do at `instant`: the permissions of their role grants in force then.
        /// An unknown or deactivated employee holds nothing.
        public func effectivePermissions(of employeeID: UUID, at instant: Date) -> EffectivePermissions {
            guard employees[employeeID]?.active == true else { return .none }
            let held = roleGrants.values
                .filter { $0.employeeID == employeeID }
                .sorted { $0.id.uuidString < $1.id.uuidString }
                .compactMap { grant in roles[grant.roleID].map { (role: $0, grant: grant.validity) } }
            return EffectivePermissions.of(roles: held, at: instant)
        }

        /// The first instant after `instant` at which ``effectivePermissions(of:at:)`` of `employeeID` may
        /// differ without any event: the nearest start or end of one of their role grants or of a permission
        /// of a role granted to them. Nil when none lies ahead. (Permissions computed at `instant` stay
        /// right until then, as long as the organisation does not change.)
        public func nextPermissionChange(of employeeID: UUID, after instant: Date) -> Date? {
            var bounds: [Date?] = []
            for grant in roleGrants.values where grant.employeeID == employeeID {
                bounds += [grant.validity.from, grant.validity.until]
                for permission in roles[grant.roleID]?.permissions ?? [] { bounds += [permission.validity.from, permission.validity.until] }
            }
            return bounds.compactMap { $0 }.filter { $0 > instant }.min()
        }
    }

    public enum Command: Sendable {
        /// Creates the first administrator with a role holding every permission; only on an empty organisation.
        case bootstrap(administrator: NewEmployee, roleID: UUID, roleName: String, grantID: UUID)
        case createUnit(OrgUnit)
        case renameUnit(unitID: UUID, name: String)
        /// Moves a unit under another (nil: top level, departments only); refused when it would close a cycle.
        case moveUnit(unitID: UUID, parentID: UUID?)
        /// Removes an empty unit (no units under it, no active employee in it).
        case dissolveUnit(unitID: UUID)
        case hire(NewEmployee)
        case changeEmployee(employeeID: UUID, EmployeeEdit)
        case deactivate(employeeID: UUID, reason: String?)
        case defineRole(roleID: UUID, RoleDefinition, grantor: EffectivePermissions)
        /// Replaces a role's name, permissions and hidden fields; the grantor must hold the whole new role.
        case changeRole(roleID: UUID, RoleDefinition, grantor: EffectivePermissions)
        case grantRole(grantID: UUID, employeeID: UUID, roleID: UUID, validity: ValidityPeriod, grantor: EffectivePermissions)
        case revokeRoleGrant(grantID: UUID)
    }

    public typealias Event = OrganisationEvent

    public static var initialState: State { State() }

    public static func decide(_ command: Command, state: State, context: CommandContext) throws(DomainError) -> [Event] {
        if case .bootstrap = command {} else if !state.bootstrapped {
            throw DomainError(.notConfigured, "the organisation has no administrator yet: bootstrap it first")
        }
        switch command {
        case .bootstrap(let admin, let roleID, let roleName, let grantID):
            return try bootstrap(admin, roleID: roleID, roleName: roleName, grantID: grantID, state: state)
        case .createUnit(let unit): return try createUnit(unit, state: state)
        case .renameUnit(let id, let name): return try renameUnit(id, name: name, state: state)
        case .moveUnit(let id, let parentID): return try moveUnit(id, to: parentID, state: state)
        case .dissolveUnit(let id): return try dissolveUnit(id, state: state)
        case .hire(let new): return try hire(new, state: state)
        case .changeEmployee(let id, let edit): return try changeEmployee(id, edit, state: state)
        case .deactivate(let id, let reason): return try deactivate(id, reason: reason, state: state)
        case .defineRole(let id, let definition, let grantor): return try defineRole(id, definition, grantor: grantor, state: state)
        case .changeRole(let id, let definition, let grantor): return try changeRole(id, definition, grantor: grantor, state: state)
        case .grantRole(let id, let employeeID, let roleID, let validity, let grantor):
            return try grantRole(RoleGrant(id: id, employeeID: employeeID, roleID: roleID, validity: validity), grantor: grantor, state: state)
        case .revokeRoleGrant(let id): return try revokeRoleGrant(id, state: state)
        }
    }

    public static func evolve(_ state: State, _ event: Event) -> State {
        var s = state
        switch event {
        case .bootstrapped(let e):
            s.bootstrapped = true
            s.employees[e.administratorID] = Employee(id: e.administratorID, name: e.name, unitID: nil, position: e.position,
                                                      branch: e.branch, managerID: nil, hiredOn: e.hiredOn)
            s.roles[e.roleID] = Role(id: e.roleID, name: e.roleName, permissions: e.permissions)
            s.roleGrants[e.grantID] = RoleGrant(id: e.grantID, employeeID: e.administratorID, roleID: e.roleID)
        case .unitCreated(let e):
            s.units[e.unitID] = OrgUnit(id: e.unitID, kind: e.kind, name: e.name, parentID: e.parentID)
        case .unitRenamed(let e): s.units[e.unitID]?.name = e.name
        case .unitMoved(let e): s.units[e.unitID]?.parentID = e.parentID
        case .unitDissolved(let e):
            s.units[e.unitID] = nil
            s.dissolvedUnitIDs.insert(e.unitID)
        case .employeeHired(let e):
            s.employees[e.employeeID] = Employee(id: e.employeeID, name: e.name, unitID: e.unitID, position: e.position,
                                                 branch: e.branch, managerID: e.managerID, hiredOn: e.hiredOn)
        case .employeeChanged(let e):
            if var employee = s.employees[e.employeeID] {
                employee.apply(e.changes)
                s.employees[e.employeeID] = employee
            }
        case .employeeDeactivated(let e): s.employees[e.employeeID]?.active = false
        case .roleDefined(let e):
            s.roles[e.roleID] = Role(id: e.roleID, name: e.name, permissions: e.permissions, hiddenFields: e.hiddenFields)
        case .roleChanged(let e):
            if let name = e.changes.first(where: { $0.field == "name" })?.new, case .text(let text) = name {
                s.roles[e.roleID]?.name = text
            }
            s.roles[e.roleID]?.permissions = e.permissions
            s.roles[e.roleID]?.hiddenFields = e.hiddenFields
        case .roleGranted(let e):
            s.roleGrants[e.grantID] = RoleGrant(id: e.grantID, employeeID: e.employeeID, roleID: e.roleID, validity: e.validity)
        case .roleGrantRevoked(let e): s.roleGrants[e.grantID] = nil
        }
        return s
    }
}
