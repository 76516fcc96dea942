import CRMDomain
import EventSourcing
import Foundation

/// The customer groups with a defined form (``CustomerGroups``): one row per group (its form's id → the group
/// name, so a long name never exceeds LMDB's key size), from `CustomerFormDefined`. Forms are never removed,
/// so the set only grows.
struct CustomerGroupsProjection: Projection {
    static let viewName = "customer-groups"
    let name = Self.viewName
    let version: UInt32 = 2
    static let groups = ViewTable("groups")
    var tables: [ViewTable] { [Self.groups] }
    var eventTypes: Set<String>? { [CustomerFormDefined.eventType] }

    func apply(_ event: ProjectionEvent, to views: any ViewWriter) throws {
        guard let defined = event.payload as? CustomerFormDefined else { return }
        try views.put(Array(defined.group.utf8), forKey: ViewKey().uuid(CustomerForm.id(group: defined.group)).bytes, in: Self.groups)
    }

    /// Every group in the view.
    static func names(in views: any ViewReader) throws -> Set<String> {
        var out = Set<String>()
        try views.scan(groups, prefix: [], after: nil) { _, value in
            out.insert(String(decoding: value, as: UTF8.self))
            return true
        }
        return out
    }
}

extension CRMEngine {
    /// The customer groups this store knows: those whose customer form is defined (R-CUS-1, R-CUS-2), up to
    /// date with the log. Empty while no form is defined: then every group is accepted.
    ///
    /// ```swift
    /// let groups = try await engine.customerGroups()
    /// try groups.validate("residental")   // invalid `group`, naming the known groups
    /// ```
    public func customerGroups() async throws -> CustomerGroups {
        try requireOpen()
        // As far as the view has read the log (a read-only engine's views are another process's, never
        // waited for); a group is judged known from the log itself (``requireKnownCustomerGroup(_:current:)``).
        return CustomerGroups(try views.read(CustomerGroupsProjection.viewName, CustomerGroupsProjection.names(in:)))
    }

    /// Refuses a customer group that is not known (see ``CustomerGroups/validate(_:unlessUnchangedFrom:)``):
    /// `invalid`, field `group`. `current` is the customer's group now, which may always be kept.
    ///
    /// ```swift
    /// try await engine.requireKnownCustomerGroup(row.group, current: existing?.group)
    /// ```
    public func requireKnownCustomerGroup(_ group: String, current: String? = nil) async throws {
        try requireOpen()
        if group == current { return }
        // A group whose form stream exists is known: one lookup in the log. Only an unknown group reads the
        // view of every group (to say whether any form exists at all, and which groups are close).
        if try await store.streamVersion(of: CustomerForm.stream(group: group)) != .noStream { return }
        do {
            try await customerGroups().validate(group, unlessUnchangedFrom: current)
        } catch let error as DomainError {
            // Judged against other records (the forms), like a survivor's id: the input is invalid here.
            throw EngineError(.invalid, field: error.field, error.detail, domain: error)
        }
    }
}

extension CustomerForm {
    /// The reservation of a group's name, folded (``CustomerGroups/key(_:)``): one form per name whatever
    /// its case, width or surrounding spaces.
    static func groupKey(_ group: String) -> UniqueKey { UniqueKey(namespace: "customer-group", key: CustomerGroups.key(group)) }

    /// Defining a form claims its group's folded name, in the same append, so two groups spelled alike
    /// (`sme`, `SME`, `ｓｍｅ`) cannot both be defined, not even at once.
    public static func claims(_ command: Command, state: State) -> KeyClaims {
        guard case .define(let group, _) = command else { return .none }
        return KeyClaims(claimed: [groupKey(group)])
    }

    /// A form for a group whose name folds like a group already defined (``CustomerGroups/key(_:)``) is
    /// refused as already defined (409), naming nothing but the field: the reservation of the folded name
    /// (forms defined since) or the known groups (forms defined before reservations) tell.
    public static func prepare(_ command: Command, state: State, id: UUID, principal: Principal, engine: CRMEngine) async throws -> Command {
        guard case .define(let group, _) = command, state.definition == nil else { return command }
        let own = streamID(id)
        let alreadyDefined = EngineError(DomainError(.alreadyExists, field: "group",
                                                     "a form is already defined for a group of that name (case, width and surrounding spaces ignored)"))
        if let holder = try await engine.holder(of: groupKey(group)), holder != own { throw alreadyDefined }
        if let other = try await engine.customerGroups().otherSpelling(of: group), stream(group: other) != own { throw alreadyDefined }
        return command
    }
}
