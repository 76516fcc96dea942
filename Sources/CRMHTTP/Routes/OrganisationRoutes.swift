import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import Foundation
import Hummingbird

extension Routes {
    /// Employees, roles and their grants (the organisation record), and the approval inbox with the
    /// decisions on workflow instances (the engine fills in who decides and with which roles).
    func addOrganisationRoutes(to v1: Group) {
        create(v1, "employees", Organisation.self) { id, body in
            .hire(NewEmployee(id: id, name: try body.string("name", max: 200), unitID: try body.optionalUUID("unitId"),
                              position: try body.string("position", max: 100), branch: try body.string("branch", max: 100),
                              managerID: try body.optionalUUID("managerId"), hiredOn: try day(body, "hiredOn")))
        }
        v1.get("employees") { request, context in
            try requireOrganisationList(context, "the employees")
            let organisation = try await organisationState(context)
            return try page(Array(organisation.employees.values), key: { $0.id.uuidString }, request: request, path: "/v1/employees")
        }
        // An employee, a role or a unit is kept in the organisation's one record: its ETag is that record's
        // version, which the writes to it take as If-Match. With `asOf`, as in the organisation then (404 when
        // not in it then).
        v1.get("employees/:id") { request, context in
            let (organisation, version) = try await organisationRecord(context, request: request)
            guard let employee = organisation.employees[try pathID(context)] else { throw Problem.notFound() }
            return try JSONOutput.reflected(employee, version: version)
        }
        command(v1, "employees/:id", Organisation.self, method: .patch) { id, body in
            .changeEmployee(employeeID: id, EmployeeEdit(
                name: try body.unclearableString("name", max: 200), unitID: try body.has("unitId") ? .some(body.optionalUUID("unitId")) : nil,
                position: try body.unclearableString("position", max: 100), branch: try body.unclearableString("branch", max: 100),
                managerID: try body.has("managerId") ? .some(body.optionalUUID("managerId")) : nil))
        }
        command(v1, "employees/:id/deactivate", Organisation.self) { id, body in
            .deactivate(employeeID: id, reason: try body.optionalString("reason", max: 2000))
        }

        create(v1, "roles", Organisation.self) { id, body in .defineRole(roleID: id, try roleDefinition(body), grantor: .none) }
        v1.get("roles") { request, context in
            try requireOrganisationList(context, "the roles")
            let organisation = try await organisationState(context)
            return try page(Array(organisation.roles.values), key: { $0.id.uuidString }, request: request, path: "/v1/roles",
                            answer: RoleAnswer.json)
        }
        v1.get("roles/:id") { request, context in
            let (organisation, version) = try await organisationRecord(context, request: request)
            guard let role = organisation.roles[try pathID(context)] else { throw Problem.notFound() }
            return try JSONOutput.reflected(RoleAnswer.json(role), version: version)
        }
        command(v1, "roles/:id/change", Organisation.self) { id, body in .changeRole(roleID: id, try roleDefinition(body), grantor: .none) }
        command(v1, "roles/:id/grants", Organisation.self) { [engine] id, body in
            .grantRole(grantID: try body.optionalUUID("id") ?? engine.configuration.ids.next(), employeeID: try body.uuid("employeeId"), roleID: id,
                       validity: ValidityPeriod(from: try body.optionalDate("from"), until: try body.optionalDate("until")), grantor: .none)
        }
        command(v1, "role-grants/:id/revoke", Organisation.self) { id, _ in .revokeRoleGrant(grantID: id) }

        v1.get("approvals") { request, context in
            let principal = try context.requirePrincipal()
            let inbox = try await engine.approvalInbox(as: principal, consistentWith: try QueryParameters(request: request).position("consistentWith"))
            return try JSONOutput.reflected(inbox)
        }
        record(v1, "approvals/:id", WorkflowInstance.self)
        // An unknown instance is a 404 like any unknown record (the domain would answer "no step waiting", 422).
        command(v1, "approvals/:id/approve", WorkflowInstance.self) { _, body in
            .approve(employee: "", roles: [], comment: try body.optionalString("comment", max: 2000))
        }
        command(v1, "approvals/:id/send-back", WorkflowInstance.self) { _, body in
            .sendBack(employee: "", roles: [], reason: try body.string("reason", max: 2000))
        }
        command(v1, "approvals/:id/reject", WorkflowInstance.self) { _, body in .reject(employee: "", roles: [], reason: try body.string("reason", max: 2000)) }
        command(v1, "approvals/:id/delegate", WorkflowInstance.self) { _, body in .delegate(employee: "", roles: [], to: try body.string("to", max: 100)) }
        // The submitter resubmits or withdraws their own request without rights in organisation (the engine's
        // rule for any path: ``PartyCommands``).
        command(v1, "approvals/:id/resubmit", WorkflowInstance.self) { _, _ in .resubmit(employee: "") }
        command(v1, "approvals/:id/cancel", WorkflowInstance.self) { _, body in .cancel(employee: "", reason: try body.string("reason", max: 2000)) }
    }

    /// A list of the organisation (its employees, its roles) is for whoever may query the organisation over
    /// all data; anyone else is refused `forbidden` (403), as the other lists refuse a caller without the
    /// rights to them — not "not found", which a single record answers so as not to tell it exists.
    func requireOrganisationList(_ context: CRMRequestContext, _ what: String) throws {
        let principal = try context.requirePrincipal()
        guard principal.may(.query, in: .organisation, on: .global, at: engine.configuration.clock.now()) else {
            throw EngineError(.forbidden, "listing \(what) needs the organisation module's query permission over all data")
        }
    }

    /// The organisation as recorded, for a caller who may query it (404 otherwise).
    func organisationState(_ context: CRMRequestContext) async throws -> Organisation.State {
        try await organisationRecord(context).state
    }

    /// The organisation as recorded with its version (the ETag of the employees, roles and units in it);
    /// with a request's `asOf`, as it was then (``recordState(_:id:request:context:)``).
    func organisationRecord(_ context: CRMRequestContext, request: Request? = nil) async throws -> (state: Organisation.State, version: StreamVersion) {
        if let request { return try await recordState(Organisation.self, id: Self.singletonID, request: request, context: context) }
        return try await engine.state(Organisation.self, id: Self.singletonID, as: try context.requirePrincipal())
    }

    private func roleDefinition(_ body: JSONObjectReader) throws -> RoleDefinition {
        RoleDefinition(name: try body.string("name", max: 100), permissions: try body.decoded("permissions", [PermissionBody].self).map(\.permission),
                       hiddenFields: try body.optionalDecoded("hiddenFields", [HiddenField].self) ?? [])
    }
}

/// A permission as a body gives it: the domain's form, `validity` optional (absent: always in force).
private struct PermissionBody: Codable {
    var module: Permission.Module
    var actions: [Permission.Action]
    var scope: DataScope
    var validity: ValidityPeriod?

    var permission: Permission { Permission(module: module, actions: actions, scope: scope, validity: validity ?? .always) }
}

/// A role as answered: its permissions in the form a role's body takes (``PermissionBody``: the scope as
/// `{"kind", "value"}`, the validity's ends as RFC 3339 instants or null), so a role read can be sent back.
enum RoleAnswer {
    static func json(_ role: Role) -> Any {
        var object = reflectJSON(role) as? [String: Any] ?? [:]
        object["permissions"] = role.permissions.map(permission)
        return object
    }

    static func permission(_ p: Permission) -> [String: Any] {
        let formatter = ISO8601DateFormatter()
        func instant(_ date: Date?) -> Any { date.map(formatter.string(from:)) ?? NSNull() }
        return ["module": p.module.rawValue, "actions": p.actions.map(\.rawValue), "scope": ["kind": p.scope.kind, "value": p.scope.value],
                "validity": ["from": instant(p.validity.from), "until": instant(p.validity.until)]]
    }
}
