import CRMDomain
import EventSourcing
import Foundation

extension Customer360Projection {
    /// The order of ``list(in:order:after:limit:where:)``.
    public enum ListOrder: Sendable {
        /// By folded name, then id.
        case name
        /// By id (time-ordered ids: oldest first).
        case id
    }

    /// A page of customers with the cursor of its last row (pass it as `after` for the next page).
    public struct Page: Sendable {
        public var items: [CustomerListItem]
        /// The key of the last row, nil when the page is empty.
        public var cursor: [UInt8]?
    }

    /// The customer's 360° view, or nil for an unknown customer. A merged customer is returned as it was,
    /// with ``CustomerProfile/mergedInto`` naming its survivor. Related records carry the customer's scope,
    /// owned by their assignee, owner or visitor (a contact log entry's author owns nothing: the engine reads
    /// the entry by its customer's scope alone).
    ///
    /// ```swift
    /// guard let view = try Customer360Projection.customer(id, in: views)?.visible(to: permissions) else { … }
    /// ```
    public static func customer(_ id: UUID, in views: any ViewReader, recent: Int = recentLimit) throws -> Customer360? {
        guard let profile = try views.row(CustomerProfile.self, forKey: key(id, .profile), in: parts) else { return nil }
        let scope = profile.scope
        func section(_ s: Section, limit: Int = .max) throws -> [RelatedRecord] {
            try views.rows(RelatedRecord.self, in: parts, prefix: key(id, s), limit: limit).map { entry in
                var r = entry.row
                // As the engine reads the record: a contact log entry has no owner of its own (its author is
                // shown, not counted), as in the activity list and the combined search.
                r.scope = scope.owned(by: r.kind == .contactLog ? nil : r.owner)
                return r
            }
        }
        let revenue = try views.rows(Money.self, in: parts, prefix: key(id, .revenue)).map(\.row)
        let loyalty = try views.row(Int.self, forKey: key(id, .loyalty), in: parts)
        let contracts = try section(.contract)
        let contacts = try section(.contact).sorted {
            ($0.isPrimary ? 0 : 1, Keywords.fold($0.title), $0.id.uuidString) < ($1.isPrimary ? 0 : 1, Keywords.fold($1.title), $1.id.uuidString)
        }
        return Customer360(
            profile: profile, contacts: contacts,
            openTasks: try section(.openTask), recentTasks: try section(.recentTask, limit: recent),
            openTickets: try section(.openTicket), recentTickets: try section(.recentTicket, limit: recent),
            recentActivity: try section(.activity, limit: recent),
            openOpportunities: try section(.openOpportunity), closedOpportunities: try section(.closedOpportunity, limit: recent),
            openQuotes: try section(.openQuote), closedQuotes: try section(.closedQuote, limit: recent),
            contracts: contracts, endedContracts: try section(.endedContract, limit: recent),
            productsHeld: HeldProduct.held(in: contracts), revenue: revenue, loyaltyBalance: loyalty)
    }

    /// A page of customers by name or id, after the cursor of the previous page; `include` filters rows
    /// (e.g. by scope) before the limit is counted.
    public static func list(
        in views: any ViewReader, order: ListOrder = .name, after cursor: [UInt8]? = nil, limit: Int = 50,
        where include: (CustomerListItem) -> Bool = { _ in true }
    ) throws -> Page {
        let table = order == .name ? byName : byID
        let rows = try views.rows(CustomerListItem.self, in: table, after: cursor, limit: limit, where: include)
        return Page(items: rows.map(\.row), cursor: rows.last?.key)
    }

    /// Where a page that ended on customer `id` continues in `order`: the customer's list row (its name and
    /// scope now) and its key in that order, the `after` of ``list(in:order:after:limit:where:)``; nil for an
    /// unknown customer. One by-id read, so a cursor need carry only the id (never the name): a customer
    /// renamed since pages on from its new name's place.
    ///
    /// ```swift
    /// guard let (item, key) = try Customer360Projection.listPosition(of: lastID, in: views), visible(item) else { … }
    /// let next = try Customer360Projection.list(in: views, after: key, limit: 50, where: visible)
    /// ```
    public static func listPosition(of id: UUID, order: ListOrder = .name, in views: any ViewReader) throws
        -> (item: CustomerListItem, key: [UInt8])? {
        let idKey = ViewKey().uuid(id).bytes
        guard let item = try views.row(CustomerListItem.self, forKey: idKey, in: byID) else { return nil }
        return (item, order == .name ? nameKey(item.name, item.id) : idKey)
    }

    /// Customers whose folded name starts with `prefix` (case- and width-insensitive), in name order.
    public static func customers(namedLike prefix: String, in views: any ViewReader, limit: Int = 50) throws -> [CustomerListItem] {
        let folded = Array(Keywords.fold(prefix).utf8.filter { $0 != 0 })
        return try views.rows(CustomerListItem.self, in: byName, prefix: folded, limit: limit).map(\.row)
    }
}
