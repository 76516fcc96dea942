import Foundation

/// One grant of a role (R-ORG-2): some actions in one module, over one data scope, for a period.
///
/// ```swift
/// let p = Permission(module: .customers, actions: [.query, .edit], scope: .branch("north"),
///                    validity: ValidityPeriod(from: start, until: end))
/// ```
public struct Permission: Hashable, Sendable, Codable {
    /// A module of the CRM a permission is about.
    public enum Module: String, CaseIterable, Hashable, Sendable, Codable, Comparable {
        case customers, contacts, tasks, tickets, visits, opportunities, quotes, contracts, products, campaigns
        case revenue, analysis, settings, organisation

        public static func < (lhs: Module, rhs: Module) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// What a permission lets its holder do in a module.
    public enum Action: String, CaseIterable, Hashable, Sendable, Codable, Comparable {
        case query, create, edit, delete, analyse, approve

        public static func < (lhs: Action, rhs: Action) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    public var module: Module
    /// The actions granted, sorted and without duplicates once validated.
    public var actions: [Action]
    public var scope: DataScope
    public var validity: ValidityPeriod

    public init(module: Module, actions: [Action], scope: DataScope, validity: ValidityPeriod = .always) {
        self.module = module
        self.actions = actions
        self.scope = scope
        self.validity = validity
    }

    /// Every module × every action over all data, always: the bootstrap administrator's role.
    public static var everything: [Permission] {
        Module.allCases.map { Permission(module: $0, actions: Action.allCases, scope: .all) }
    }

    /// The permission with its actions sorted and unique, its scope and period checked.
    public func validated() throws(DomainError) -> Permission {
        try validated(unlessAmong: [])
    }

    /// The permission checked as ``validated()`` does, but a scope among `recordedScopes` (those of the
    /// role being changed) is not judged again by the character checks.
    func validated(unlessAmong recordedScopes: [DataScope]) throws(DomainError) -> Permission {
        guard !actions.isEmpty else { throw .invalid("actions", "a permission needs at least one action") }
        var p = self
        p.actions = Array(Set(actions)).sorted()
        p.scope = try scope.validated(unlessAmong: recordedScopes)
        p.validity = try validity.validated()
        return p
    }

    /// Whether this permission lets its holder do `action` in `module` on records in `scope` at `instant`.
    public func allows(module: Module, action: Action, scope: DataScope, at instant: Date) -> Bool {
        self.module == module && actions.contains(action) && self.scope.covers(scope) && validity.contains(instant)
    }
}
