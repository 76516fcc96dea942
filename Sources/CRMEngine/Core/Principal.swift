import CRMDomain
import CRMProjections
import EventSourcing
import Foundation

/// Who acts or asks: an employee with the permissions their roles give at this instant, the system itself
/// (reactions and scheduled work), or an operator (a person at the command line, acting with the system's
/// rights: ``operator(sourceSystem:)``). Adapters get one from ``CRMEngine/authenticate(token:)`` or
/// ``CRMEngine/principal(employeeID:)`` (or take the operator) and pass it to every command and query.
public struct Principal: Sendable, Hashable {
    /// The id recorded as the actor of events: the employee id (lowercase UUID) or `system`.
    public let id: String
    public let employeeID: UUID?
    public let permissions: EffectivePermissions
    /// Where the request came from, recorded with events and read-audit entries.
    public var clientIP: String?
    /// The outside system acting through this principal (an importer, the web console, …).
    public var sourceSystem: String?
    /// The engine itself: allowed everything (reactions, scheduled work, bootstrap) — an operator too.
    public let isSystem: Bool
    /// A person operating the engine with the system's rights (``operator(sourceSystem:)``), not the engine's
    /// own reactions and scheduled work.
    public let isOperator: Bool
    /// For a token another employee issued: the role grants the employee held at issue, the only ones the
    /// token's permissions come from (``TokenLimits``). Nil: every grant the employee holds.
    public let roleGrants: Set<UUID>?

    /// Whether the principal's commands carry decisions already taken from the log — the engine's own
    /// reactions and scheduled work, replaying its history —: the employees they name are taken as they are,
    /// neither judged (one may have left since the triggering event) nor canonicalised. A person's commands,
    /// an employee's or an operator's, are (docs/ENGINE.md, "Commands", step 6).
    public var replaysDecisions: Bool { isSystem && !isOperator }

    public init(employeeID: UUID, permissions: EffectivePermissions, clientIP: String? = nil, sourceSystem: String? = nil,
                roleGrants: Set<UUID>? = nil) {
        self.id = employeeID.lowercasedString
        self.employeeID = employeeID
        self.permissions = permissions
        self.clientIP = clientIP
        self.sourceSystem = sourceSystem
        isSystem = false
        isOperator = false
        self.roleGrants = roleGrants
    }

    private init(systemActingFor actor: String) {
        id = actor
        employeeID = nil
        permissions = EffectivePermissions(permissions: Permission.everything)
        clientIP = nil
        sourceSystem = nil
        isSystem = true
        isOperator = false
        roleGrants = nil
    }

    private init(operatorFrom sourceSystem: String?) {
        id = "system"
        employeeID = nil
        permissions = EffectivePermissions(permissions: Permission.everything)
        clientIP = nil
        self.sourceSystem = sourceSystem
        isSystem = true
        isOperator = true
        roleGrants = nil
    }

    /// The engine itself: reactions, scheduled work and bootstrap. Allowed everything.
    public static let system = Principal(systemActingFor: "system")

    /// A person operating the engine directly — the command line without an employee's token, an adapter's
    /// operator path —, recorded as `system` with `sourceSystem` (`crm-cli`). Allowed everything, as the
    /// system; but its commands are a person's, not decisions replayed from the log (``replaysDecisions``):
    /// every employee they name must be an active employee, and employee ids are recorded in lower case.
    ///
    /// ```swift
    /// try await engine.execute(Customer.self, id: id, command, as: .operator(sourceSystem: "crm-cli"))
    /// ```
    public static func `operator`(sourceSystem: String?) -> Principal { Principal(operatorFrom: sourceSystem) }

    /// The engine carrying out what an employee decided elsewhere (a workflow approval routed to its quote):
    /// allowed everything, recorded with the employee as the actor.
    static func system(actingFor actor: String) -> Principal { Principal(systemActingFor: actor) }

    /// The same principal, seen from `ip`.
    public func from(ip: String?) -> Principal {
        var p = self
        p.clientIP = ip
        return p
    }

    /// Whether the principal may do `action` in `module` on a record in `scope` at `instant` (default deny).
    public func may(_ action: Permission.Action, in module: Permission.Module, on scope: RecordScope, at instant: Date) -> Bool {
        if isSystem { return true }
        return scope.dataScopes(viewer: id).contains { permissions.allows(module: module, action: action, scope: $0, at: instant) }
    }

    /// Whether the principal may do `action` in `module` on every record, whatever its scope, at `instant`
    /// (a permission with data scope `all`): then no per-record check can refuse.
    public func mayEverywhere(_ action: Permission.Action, in module: Permission.Module, at instant: Date) -> Bool {
        isSystem || permissions.allows(module: module, action: action, scope: .all, at: instant)
    }

    /// The custom fields the principal sees on a customer in `scope` (its branch, community, group and
    /// owner): judged by the roles giving `query` over it (``EffectivePermissions/fieldVisibility(in:)``).
    /// The system sees every field. Ask once per customer, then per field.
    public func fieldVisibility(on scope: RecordScope) -> FieldVisibility {
        isSystem ? .everything : permissions.fieldVisibility(in: scope.dataScopes(viewer: id))
    }

    /// Whether the principal may see a custom field of a form group on a customer in `scope`
    /// (``fieldVisibility(on:)``).
    public func canSee(formGroup: String, field: String, on scope: RecordScope) -> Bool {
        fieldVisibility(on: scope).canSee(formGroup: formGroup, field: field)
    }
}
