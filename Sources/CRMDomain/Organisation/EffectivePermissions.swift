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
    /// Fields hidden from the holder on every customer, whatever its scope. Hidden fields are fields of
    /// customer forms and are decided per customer (``fieldVisibility(in:)``): by the roles giving `query` in
    /// customers over its scope. A field every role giving `query` in customers hides is hidden on every
    /// customer; without such a role, every field any of their roles hides. What one customer hides may be
    /// more: ask ``fieldVisibility(in:)``. A field added here (a token's limits) is hidden on every customer.
    public var hiddenFields: [HiddenField]
    /// Each role giving `query` in customers: the scopes it gives `query` over and the fields it hides.
    public private(set) var customerReaders: [CustomerReader]
    /// Every field any contributing role hides.
    private var hiddenByAnyRole: Set<HiddenField>

    /// Every field hidden on some customer (any contributing role hides it, or it is hidden everywhere): a
    /// superset of what is hidden on any one customer, so an empty set means none hides anything.
    public var hiddenSomewhere: Set<HiddenField> {
        hiddenFields.isEmpty ? hiddenByAnyRole : hiddenByAnyRole.union(hiddenFields)
    }

    /// A role giving `query` in customers, as far as hidden fields go: the data scopes of its permissions in
    /// customers with `query` in force, and the fields it hides.
    public struct CustomerReader: Hashable, Sendable {
        public var scopes: [DataScope]
        public var hiddenFields: Set<HiddenField>

        public init(scopes: [DataScope], hiddenFields: Set<HiddenField>) {
            self.scopes = scopes
            self.hiddenFields = hiddenFields
        }
    }

    /// Permissions with `hiddenFields` hidden on every customer, whatever its scope.
    public init(permissions: [Permission] = [], hiddenFields: [HiddenField] = []) {
        self.init(permissions: permissions, hiddenFields: hiddenFields, customerReaders: [], hiddenByAnyRole: [])
    }

    private init(permissions: [Permission], hiddenFields: [HiddenField], customerReaders: [CustomerReader], hiddenByAnyRole: Set<HiddenField>) {
        self.permissions = permissions
        self.hiddenFields = hiddenFields
        self.customerReaders = customerReaders
        self.hiddenByAnyRole = hiddenByAnyRole
    }

    /// Nothing at all: what someone without a role grant holds.
    public static let none = EffectivePermissions()

    /// Whether the holder may do `action` in `module` on records in `scope` at `instant`; false unless a
    /// permission in force at `instant` covers all three.
    public func allows(module: Permission.Module, action: Permission.Action, scope: DataScope, at instant: Date) -> Bool {
        permissions.contains { $0.allows(module: module, action: action, scope: scope, at: instant) }
    }

    /// The custom fields the holder sees on a customer that falls in `scopes` (its data scopes for the
    /// holder: branch, community, group, `own` when theirs; `RecordScope.dataScopes(viewer:)`): none without
    /// a permission; otherwise a field is hidden when every role giving `query` in customers over one of
    /// `scopes` hides it — a role reading customers elsewhere shows nothing here. With no role giving
    /// `query` over the customer, every field any of their roles hides. ``hiddenFields`` are hidden on every
    /// customer. Computed once per customer, then asked per field.
    public func fieldVisibility(in scopes: [DataScope]) -> FieldVisibility {
        guard !permissions.isEmpty else { return .nothing }
        guard !hiddenByAnyRole.isEmpty || !hiddenFields.isEmpty else { return .everything }
        var hidden: Set<HiddenField>?
        for reader in customerReaders where reader.scopes.contains(where: { held in scopes.contains { held.covers($0) } }) {
            let narrowed = hidden.map { $0.intersection(reader.hiddenFields) } ?? reader.hiddenFields
            hidden = narrowed
            if narrowed.isEmpty { break }
        }
        var result = hidden ?? hiddenByAnyRole
        if !hiddenFields.allSatisfy({ result.contains($0) }) { result.formUnion(hiddenFields) }
        return result.isEmpty ? .everything : FieldVisibility(hidden: result)
    }

    /// Whether the holder may see `field` of the form of `formGroup` on a customer that falls in `scopes`
    /// (``fieldVisibility(in:)``; to judge several fields of one customer, ask that once).
    public func canSee(formGroup: String, field: String, in scopes: [DataScope]) -> Bool {
        fieldVisibility(in: scopes).canSee(formGroup: formGroup, field: field)
    }

    /// The effective permissions of someone holding `roles` at `instant`: each role comes with the period of
    /// its grant. Only permissions in force at `instant` count. Hidden fields are decided per customer
    /// (``fieldVisibility(in:)``) by the roles giving `query` in customers over its scope — a role giving
    /// no customer access cannot show a field another role hides.
    public static func of(roles: [(role: Role, grant: ValidityPeriod)], at instant: Date) -> EffectivePermissions {
        var permissions: [Permission] = []
        var readers: [CustomerReader] = []
        var hiddenByReaders: Set<HiddenField>?  // intersection over the roles giving `query` in customers
        var hiddenByAny: Set<HiddenField> = []
        for (role, grant) in roles where grant.contains(instant) {
            var contributes = false
            var readScopes: [DataScope] = []
            for permission in role.permissions where permission.validity.contains(instant) {
                guard let period = permission.validity.intersection(grant) else { continue }
                var held = permission
                held.validity = period
                permissions.append(held)
                contributes = true
                if held.module == .customers, held.actions.contains(.query) { readScopes.append(held.scope) }
            }
            guard contributes else { continue }
            let roleHidden = Set(role.hiddenFields)
            hiddenByAny.formUnion(roleHidden)
            if !readScopes.isEmpty {
                readers.append(CustomerReader(scopes: readScopes, hiddenFields: roleHidden))
                hiddenByReaders = hiddenByReaders.map { $0.intersection(roleHidden) } ?? roleHidden
            }
        }
        return EffectivePermissions(permissions: permissions, hiddenFields: (hiddenByReaders ?? hiddenByAny).sorted(),
                                    customerReaders: readers, hiddenByAnyRole: hiddenByAny)
    }
}

/// Which custom fields of customer forms someone sees on one customer (``EffectivePermissions/fieldVisibility(in:)``):
/// computed once per customer, asked per field.
///
/// ```swift
/// let seen = permissions.fieldVisibility(in: scope.dataScopes(viewer: id))
/// customFields = customFields.filter { seen.canSee(formGroup: $0.formGroup, field: $0.field) }
/// ```
public struct FieldVisibility: Hashable, Sendable {
    /// The fields hidden on the customer.
    public var hidden: Set<HiddenField>
    /// False when no field is seen at all (someone without a permission).
    public var seesFields: Bool

    public init(hidden: Set<HiddenField>, seesFields: Bool = true) {
        self.hidden = hidden
        self.seesFields = seesFields
    }

    /// Every field seen: the system, or someone no role hides anything from.
    public static let everything = FieldVisibility(hidden: [])
    /// No field seen: someone without a permission.
    public static let nothing = FieldVisibility(hidden: [], seesFields: false)

    /// Whether `field` of the form of `formGroup` is seen.
    public func canSee(formGroup: String, field: String) -> Bool {
        seesFields && (hidden.isEmpty || !hidden.contains(HiddenField(formGroup: formGroup, field: field)))
    }

    /// Whether some field may be left out: a field is hidden, or none is seen.
    public var hidesAny: Bool { !seesFields || !hidden.isEmpty }

    /// What is seen on a record judged in both ways (a customer then and now): a field hidden in either is hidden.
    public func combined(with other: FieldVisibility) -> FieldVisibility {
        FieldVisibility(hidden: hidden.union(other.hidden), seesFields: seesFields && other.seesFields)
    }
}
