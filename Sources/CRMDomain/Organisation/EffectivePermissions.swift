import Foundation

/// What one employee may do, computed at one instant from the roles granted to them
/// (``Organisation/State/effectivePermissions(of:at:)``): the permissions of every role grant in force,
/// each with its period narrowed to the role grant's, and the form fields hidden from them.
///
/// Default deny: ``allows(module:action:scope:at:)`` is false unless a permission in force covers the
/// request; an empty set allows nothing and shows no form field.
///
/// ```swift
/// let mine = organisation.effectivePermissions(of: employeeID, at: context.now)
/// if mine.allows(module: .customers, action: .edit, scope: .branch("north"), at: context.now) { … }
/// ```
public struct EffectivePermissions: Hashable, Sendable {
    /// The permissions held, each with the period in which the holder has it.
    public var permissions: [Permission]
    /// Fields hidden from the holder: hidden by every role that gives them a permission.
    public var hiddenFields: [HiddenField]

    public init(permissions: [Permission] = [], hiddenFields: [HiddenField] = []) {
        self.permissions = permissions
        self.hiddenFields = hiddenFields
    }

    /// Nothing at all: what someone without a role grant holds.
    public static let none = EffectivePermissions()

    /// Whether the holder may do `action` in `module` on records in `scope` at `instant`; false unless a
    /// permission in force at `instant` covers all three.
    public func allows(module: Permission.Module, action: Permission.Action, scope: DataScope, at instant: Date) -> Bool {
        permissions.contains { $0.allows(module: module, action: action, scope: scope, at: instant) }
    }

    /// Whether the holder may see `field` of the form of `formGroup`: never without a permission, and not
    /// when every role that gives them a permission hides it.
    public func canSee(formGroup: String, field: String) -> Bool {
        !permissions.isEmpty && !hiddenFields.contains(HiddenField(formGroup: formGroup, field: field))
    }

    /// The effective permissions of someone holding `roles` at `instant`: each role comes with the period of
    /// its grant. Only permissions in force at `instant` count; a field is hidden when every role that
    /// contributes a permission hides it.
    public static func of(roles: [(role: Role, grant: ValidityPeriod)], at instant: Date) -> EffectivePermissions {
        var permissions: [Permission] = []
        var hidden: Set<HiddenField>?
        for (role, grant) in roles where grant.contains(instant) {
            var contributes = false
            for permission in role.permissions where permission.validity.contains(instant) {
                guard let period = permission.validity.intersection(grant) else { continue }
                var held = permission
                held.validity = period
                permissions.append(held)
                contributes = true
            }
            guard contributes else { continue }
            let roleHidden = Set(role.hiddenFields)
            hidden = hidden.map { $0.intersection(roleHidden) } ?? roleHidden
        }
        return EffectivePermissions(permissions: permissions, hiddenFields: (hidden ?? []).sorted())
    }
}
