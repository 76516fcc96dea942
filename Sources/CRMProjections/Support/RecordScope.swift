import CRMDomain
import EventSourcing
import Foundation

/// Where a record sits for data scope (R-ORG-2): the branch, community and customer group of its
/// customer, and the employees it belongs to (the account manager who owns the customer, the assignee of
/// a task). Read models store it with every row that holds customer data, so the engine can filter query
/// results by the viewer's permissions without reading another view.
public struct RecordScope: Codable, Hashable, Sendable {
    public var branch: String?
    public var community: String?
    public var group: String?
    /// Employee ids (as strings) whose own records these are: owner, assignee, author.
    public var owners: [String]

    public init(branch: String? = nil, community: String? = nil, group: String? = nil, owners: [String] = []) {
        self.branch = branch
        self.community = community
        self.group = group
        self.owners = owners
    }

    /// A record that belongs to no branch, community or group (settings, products, the organisation):
    /// only a permission over all data reaches it.
    public static let global = RecordScope()

    /// The data scopes the record falls in for `viewer`: its branch, community and group, and `own` when
    /// the viewer is one of its owners. A global record falls in `all` only.
    public func dataScopes(viewer: String?) -> [DataScope] {
        var scopes: [DataScope] = []
        if let branch { scopes.append(.branch(branch)) }
        if let community { scopes.append(.community(community)) }
        if let group { scopes.append(.customerGroup(group)) }
        if let viewer, owners.contains(viewer) { scopes.append(.own) }
        if scopes.isEmpty { scopes.append(.all) }
        return scopes
    }

    /// The same scope with `employee` added to its owners (the assignee of a task on this customer).
    public func owned(by employees: String?...) -> RecordScope { owned(by: employees) }

    /// The same scope with `employees` added to its owners.
    public func owned(by employees: [String?]) -> RecordScope {
        var s = self
        for e in employees.compactMap({ $0 }) where !s.owners.contains(e) { s.owners.append(e) }
        return s
    }
}

/// The scope of every customer, kept by each projection that needs it in a table of its own (a projection
/// never reads another projection's view): `customer id → RecordScope`, updated from the customer events
/// that move a customer between branches, communities, groups and owners.
///
/// ```swift
/// try CustomerScopes.apply(event, to: views)            // first, in the projection's apply
/// let scope = try CustomerScopes.scope(of: customerID, in: views)
/// ```
public enum CustomerScopes {
    public static let table = ViewTable("customer-scope")

    /// The customer events that change a customer's scope.
    public static let eventTypes: Set<String> = [CustomerCreated.eventType, CustomerEdited.eventType]

    /// Records the scope a customer event gives its customer; other events are ignored. Returns the customer
    /// whose scope row it wrote, if any.
    @discardableResult
    public static func apply(_ event: ProjectionEvent, to views: any ViewWriter) throws -> UUID? {
        // Most events are neither: two comparisons of types instead of two failing dynamic casts, for each of
        // the projections that keep scopes.
        let type = ObjectIdentifier(Swift.type(of: event.payload))
        guard type == ObjectIdentifier(CustomerCreated.self) || type == ObjectIdentifier(CustomerEdited.self) else { return nil }
        switch event.payload {
        case let e as CustomerCreated:
            let scope = RecordScope(branch: e.branch, community: e.community, group: e.group, owners: e.owner.map { [$0] } ?? [])
            try views.put(row: scope, forKey: key(e.customerID), in: table)
            return e.customerID
        case let e as CustomerEdited:
            let relevant = e.changes.contains { ["branch", "community", "group", "owner"].contains($0.field) }
            guard relevant else { return nil }
            try views.update(RecordScope.self, forKey: key(e.customerID), in: table) { old in
                var s = old ?? RecordScope()
                for change in e.changes {
                    let text = change.new?.textValue
                    switch change.field {
                    case "branch": s.branch = text
                    case "community": s.community = text
                    case "group": s.group = text
                    case "owner": s.owners = text.map { [$0] } ?? []
                    default: break
                    }
                }
                return s
            }
            return e.customerID
        default:
            return nil
        }
    }

    /// A customer's scope; `global` for an unknown customer (only a permission over all data reaches it).
    public static func scope(of customerID: UUID?, in views: any ViewReader) throws -> RecordScope {
        guard let customerID else { return .global }
        return try views.row(RecordScope.self, forKey: key(customerID), in: table) ?? .global
    }

    /// A customer's scope now with `owners` added to its owners (a visit's visitor, a rating's giver and
    /// subject): the scope of a row that keeps only its own owners and follows its customer, read at query
    /// time. `cache` keeps each customer's scope for the rest of the query, so one is read once.
    public static func current(of customerID: UUID, with owners: [String], in views: any ViewReader,
                               cache: inout [UUID: RecordScope]) throws -> RecordScope {
        let scope: RecordScope
        if let known = cache[customerID] {
            scope = known
        } else {
            scope = try self.scope(of: customerID, in: views)
            cache[customerID] = scope
        }
        return scope.owned(by: owners)
    }

    /// The branch of a customer's scope (nil for an unknown customer or one of no branch), read from the
    /// stored row without decoding the rest of the scope: what projections need for the branch's calendar.
    public static func branch(of customerID: UUID?, in views: any ViewReader) throws -> String? {
        guard let customerID else { return nil }
        let branch = try views.withValue(forKey: key(customerID), in: table) { bytes in
            var reader = BinaryReader(bytes)
            return try reader.optional { try $0.string() }
        }
        return branch ?? nil
    }

    /// Appends ``scope(of:in:)``'s binary form to `writer`: the stored row's bytes as they are (a row is
    /// that form), without decoding and encoding them again.
    static func appendScope(of customerID: UUID?, in views: any ViewReader, to writer: inout BinaryWriter) throws {
        let copied: Void? = try customerID.flatMap { id in try views.withValue(forKey: key(id), in: table) { writer.verbatim($0) } }
        if copied == nil { RecordScope.global.encode(toBinary: &writer) }
    }

    static func key(_ id: UUID) -> [UInt8] { ViewKey().uuid(id).bytes }
}

extension FieldValue {
    /// The value as text, for the fields that hold text, options or ids.
    public var textValue: String? {
        switch self {
        case .text(let s), .option(let s): return s
        case .id(let id): return id.lowercasedString
        default: return description
        }
    }
}
