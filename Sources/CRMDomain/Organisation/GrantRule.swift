import Foundation

/// What a grant would give beyond what the grantor holds: the first excess ``GrantRule`` finds.
public enum GrantExcess: Hashable, Sendable, CustomStringConvertible {
    /// The grantor has no permission in force for this action in this module.
    case action(Permission.Module, Permission.Action)
    /// The grantor has the action, but over no scope that covers the one granted.
    case scope(Permission.Module, Permission.Action, DataScope)
    /// The grantor has the action over the scope, but not for the whole period granted.
    case validity(Permission.Module, Permission.Action, DataScope)
    /// The grant would show a form field hidden from the grantor.
    case hiddenField(HiddenField)

    /// The input field the refusal names: `actions`, `scope`, `validity` or `hiddenFields`.
    public var field: String {
        switch self {
        case .action: return "actions"
        case .scope: return "scope"
        case .validity: return "validity"
        case .hiddenField: return "hiddenFields"
        }
    }

    public var description: String {
        switch self {
        case let .action(m, a): return "grantor lacks \(a.rawValue) on \(m.rawValue)"
        case let .scope(m, a, s): return "grantor lacks scope \(s) for \(a.rawValue) on \(m.rawValue)"
        case let .validity(m, a, s): return "grantor does not hold \(a.rawValue) on \(m.rawValue) over \(s) for the whole period"
        case let .hiddenField(f): return "field \(f) is hidden from the grantor"
        }
    }

    /// The refusal: an invalid input naming what is exceeded.
    public var error: DomainError { DomainError(.forbidden, field: field, description) }
}

/// The grant rule (R-ORG-2): nobody grants a right, scope, field visibility or period they do not hold.
/// Pure, so the rule is tested on its own; the organisation applies it to role definitions and role grants.
///
/// ```swift
/// if let excess = GrantRule.excess(granting: role.permissions, hiding: role.hiddenFields, by: grantor) {
///     throw excess.error
/// }
/// ```
public enum GrantRule {
    /// The first thing `permissions` and `hiddenFields` would grant beyond `grantor`, or nil when the
    /// grantor holds all of it. Each action of each permission must be covered by one permission the
    /// grantor holds with the same module and action, a scope covering it and a period including the whole
    /// period granted (periods of several grantor permissions are not joined). Every field hidden from the
    /// grantor in the scope of a permission granted in customers must stay hidden (hidden fields are customer
    /// form fields, decided per customer scope: a grant giving nothing there shows none,
    /// ``EffectivePermissions/fieldVisibility(in:)``).
    public static func excess(granting permissions: [Permission], hiding hiddenFields: [HiddenField],
                              by grantor: EffectivePermissions) -> GrantExcess? {
        for permission in permissions {
            for action in permission.actions {
                let same = grantor.permissions.filter { $0.module == permission.module && $0.actions.contains(action) }
                guard !same.isEmpty else { return .action(permission.module, action) }
                let scoped = same.filter { $0.scope.covers(permission.scope) }
                guard !scoped.isEmpty else { return .scope(permission.module, action, permission.scope) }
                guard scoped.contains(where: { $0.validity.covers(permission.validity) }) else {
                    return .validity(permission.module, action, permission.scope)
                }
            }
        }
        // A role without customer access shows nothing; one with it shows its fields over each scope granted.
        let hiding = Set(hiddenFields)
        for permission in permissions where permission.module == .customers {
            let hidden = grantor.fieldVisibility(in: [permission.scope]).hidden
            if let shown = hidden.filter({ !hiding.contains($0) }).min() { return .hiddenField(shown) }
        }
        return nil
    }

    /// Discount authority counts as something held (R-SAL-3 with R-ORG-2): a role whose name carries a
    /// discount limit in `limits` (the settings' ``DiscountLimit``s, matched by role name as quotes match
    /// them) may be defined, renamed into or granted only by a grantor holding a role (`grantorRoles`: the
    /// names of the roles they hold now) with a limit at least as large, or holding every permission over
    /// all data, always (the bootstrap administrator). The refusal, forbidden, names `field`; nil when allowed.
    public static func discountExcess(roleNamed name: String, limits: [DiscountLimit], grantorRoles: [String],
                                      grantor: EffectivePermissions, field: String) -> DomainError? {
        guard let needed = limits.limit(for: name) else { return nil }
        return discountExcess(percent: needed, limits: limits, grantorRoles: grantorRoles, grantor: grantor, field: field)
    }

    /// The same for discount authority of `needed` percent given directly (a limit set in the settings): a
    /// grantor whose roles' largest limit in `limits` is smaller, and who does not hold every permission over
    /// all data, is refused (forbidden, `field`); nil when allowed.
    public static func discountExcess(percent needed: Decimal, limits: [DiscountLimit], grantorRoles: [String],
                                      grantor: EffectivePermissions, field: String) -> DomainError? {
        guard needed > 0 else { return nil }
        let held = grantorRoles.compactMap { limits.limit(for: $0) }.max() ?? 0
        guard held < needed else { return nil }
        guard excess(granting: Permission.everything, hiding: Array(grantor.hiddenSomewhere), by: grantor) != nil else { return nil }
        return DomainError(.forbidden, field: field, "discount authority of \(needed) %: the grantor holds no role with a limit as large")
    }

    /// Throws the first excess of ``excess(granting:hiding:by:)`` as an invalid input.
    public static func check(granting permissions: [Permission], hiding hiddenFields: [HiddenField],
                             by grantor: EffectivePermissions) throws(DomainError) {
        if let excess = excess(granting: permissions, hiding: hiddenFields, by: grantor) { throw excess.error }
    }
}
