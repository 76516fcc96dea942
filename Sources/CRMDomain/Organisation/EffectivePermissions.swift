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
    /// Fields hidden from the holder. Hidden fields are fields of customer forms, so only the roles that give
    /// `query` in customers decide: a field is hidden when every such role hides it (a role giving nothing
    /// in customers — the organisation, tasks — shows no customer field). Without such a role, every field
    /// any of their roles hides.
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
    /// when every role that gives them `query` in customers hides it.
    public func canSee(formGroup: String, field: String) -> Bool {
        !permissions.isEmpty && !hiddenFields.contains(HiddenField(formGroup: formGroup, field: field))
    }

    /// The effective permissions of someone holding `roles` at `instant`: each role comes with the period of
    /// its grant. Only permissions in force at `instant` count; a field is hidden when every role that gives
    /// `query` in customers then hides it — a role giving no customer access cannot show a field another
    /// role hides. With no such role, every field a contributing role hides stays hidden.
    public static func of(roles: [(role: Role, grant: ValidityPeriod)], at instant: Date) -> EffectivePermissions {
        var permissions: [Permission] = []
        var hiddenByReaders: Set<HiddenField>?  // intersection over the roles giving `query` in customers
        var hiddenByOthers: Set<HiddenField> = []
        for (role, grant) in roles where grant.contains(instant) {
            var contributes = false
            var readsCustomers = false
            for permission in role.permissions where permission.validity.contains(instant) {
                guard let period = permission.validity.intersection(grant) else { continue }
                var held = permission
                held.validity = period
                permissions.append(held)
                contributes = true
                if held.module == .customers, held.actions.contains(.query) { readsCustomers = true }
            }
            guard contributes else { continue }
            let roleHidden = Set(role.hiddenFields)
            if readsCustomers {
                hiddenByReaders = hiddenByReaders.map { $0.intersection(roleHidden) } ?? roleHidden
            } else {
                hiddenByOthers.formUnion(roleHidden)
            }
        }
        return EffectivePermissions(permissions: permissions, hiddenFields: (hiddenByReaders ?? hiddenByOthers).sorted())
    }
}
