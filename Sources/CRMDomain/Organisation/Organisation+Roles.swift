import Foundation

// Roles and role grants, under the grant rule.
extension Organisation {
    static func defineRole(_ id: UUID, _ definition: RoleDefinition, grantor: EffectivePermissions,
                           state: State) throws(DomainError) -> [Event] {
        guard state.roles[id] == nil else { throw DomainError(.alreadyExists, field: "roleID", "a role with this id exists") }
        let d = try definition.validated()
        guard !state.roles.values.contains(where: { $0.name == d.name }) else {
            throw DomainError(.alreadyExists, field: "name", "a role of that name exists")
        }
        try GrantRule.check(granting: d.permissions, hiding: d.hiddenFields, by: grantor)
        return [.roleDefined(RoleDefined(roleID: id, name: d.name, permissions: d.permissions, hiddenFields: d.hiddenFields))]
    }

    static func changeRole(_ id: UUID, _ definition: RoleDefinition, grantor: EffectivePermissions,
                           state: State) throws(DomainError) -> [Event] {
        guard let role = state.roles[id] else { throw .notFound("no such role") }
        let d = try definition.validated(unlessUnchangedFrom: role)
        guard d.name != role.name || d.permissions != role.permissions || d.hiddenFields != role.hiddenFields else { return [] }
        guard !state.roles.values.contains(where: { $0.id != id && $0.name == d.name }) else {
            throw DomainError(.alreadyExists, field: "name", "a role of that name exists")
        }
        try GrantRule.check(granting: d.permissions, hiding: d.hiddenFields, by: grantor)
        var changes: [FieldChange] = []
        changes.record("name", .text(role.name), .text(d.name))
        return [.roleChanged(RoleChanged(roleID: id, changes: changes, permissions: d.permissions, previousPermissions: role.permissions,
                                         hiddenFields: d.hiddenFields, previousHiddenFields: role.hiddenFields))]
    }

    /// Granting a role grants each of its permissions for the part of its period inside the grant's period:
    /// the grantor must hold all of that, and see no field the role shows.
    static func grantRole(_ grant: RoleGrant, grantor: EffectivePermissions, state: State) throws(DomainError) -> [Event] {
        guard state.roleGrants[grant.id] == nil else { throw DomainError(.alreadyExists, field: "grantID", "a role grant with this id exists") }
        _ = try activeEmployee(grant.employeeID, state: state)
        guard let role = state.roles[grant.roleID] else { throw .invalid("roleID", "no such role") }
        let validity = try grant.validity.validated()
        let granted = role.permissions.compactMap { p -> Permission? in
            p.validity.intersection(validity).map { Permission(module: p.module, actions: p.actions, scope: p.scope, validity: $0) }
        }
        try GrantRule.check(granting: granted, hiding: role.hiddenFields, by: grantor)
        return [.roleGranted(RoleGranted(grantID: grant.id, employeeID: grant.employeeID, roleID: grant.roleID, validity: validity))]
    }

    static func revokeRoleGrant(_ id: UUID, state: State) throws(DomainError) -> [Event] {
        guard let grant = state.roleGrants[id] else { throw .notFound("no such role grant") }
        return [.roleGrantRevoked(RoleGrantRevoked(grantID: id, employeeID: grant.employeeID, roleID: grant.roleID))]
    }
}
