import CRMDomain
import EventSourcing
import Foundation
import Synchronization

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

/// The known groups as of a log position, kept in memory: seeded once from the view, then brought up to
/// the log's head before each use by reading only the events after it (a form defined a moment ago counts,
/// though the view may lag).
final class CustomerGroupsCache: Sendable {
    private let cached = Mutex<(names: Set<String>, position: GlobalPosition)?>(nil)

    func current() -> (names: Set<String>, position: GlobalPosition)? { cached.withLock { $0 } }

    func update(_ names: Set<String>, position: GlobalPosition) {
        cached.withLock { old in
            if let current = old, current.position >= position { return }
            old = (names, position)
        }
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
        var names: Set<String>
        var position: GlobalPosition
        if let cached = groupsCache.current() {
            (names, position) = cached
        } else if let checkpoint = try? views.checkpoint(of: CustomerGroupsProjection.viewName),
                  let seeded = try? views.read(CustomerGroupsProjection.viewName, CustomerGroupsProjection.names(in:)) {
            // The checkpoint first: rows read after it may be newer, never older (the set only grows).
            (names, position) = (seeded, checkpoint)
        } else {
            // A views directory without this view (kept by an older server): the log from its start.
            (names, position) = ([], .start)
        }
        let batch = 4096
        while true {
            var last = position
            var found: [String] = []
            let count = try await store.forEachEvent(from: position.next, limit: batch) { event in
                last = event.position
                guard event.type == CustomerFormDefined.eventType else { return }
                found.append(try registry.decode(CustomerFormDefined.self, schemaVersion: event.schemaVersion, from: event.payload).group)
            }
            names.formUnion(found)
            position = last
            if count < batch { break }
        }
        groupsCache.update(names, position: position)
        return CustomerGroups(names)
    }

    /// Refuses a customer group that is not known (see ``CustomerGroups/validate(_:unlessUnchangedFrom:)``):
    /// `invalid`, field `group`. `current` is the customer's group now, which may always be kept.
    ///
    /// ```swift
    /// try await engine.requireKnownCustomerGroup(row.group, current: existing?.group)
    /// ```
    public func requireKnownCustomerGroup(_ group: String, current: String? = nil) async throws {
        if group == current { return }
        do {
            try await customerGroups().validate(group, unlessUnchangedFrom: current)
        } catch let error as DomainError {
            // Judged against other records (the forms), like a survivor's id: the input is invalid here.
            throw EngineError(.invalid, field: error.field, error.detail, domain: error)
        }
    }
}
