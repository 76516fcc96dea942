import CRMDomain
import EventSourcing
import Foundation

/// The work read models: task board, ticket SLA board, opportunity pipeline, revenue cube, loyalty
/// balances, approval inbox and announcement inbox (docs/views/Work.md).
///
/// ```swift
/// for projection in WorkProjections.all { runtime.register(projection) }
/// ```
public enum WorkProjections {
    /// Every projection of this folder, for the runtime to register.
    public static let all: [any Projection] = [
        TaskBoard(), TicketSLABoard(), OpportunityPipeline(), RevenueCube(), LoyaltyBalances(), ApprovalInbox(), AnnouncementInbox(),
    ]

    /// One page of a query's rows and the cursor of the next page (nil: this was the last one). Pass
    /// `next` as the query's `after:` to continue.
    public struct Page<Item: Sendable>: Sendable {
        public var items: [Item]
        /// The key of the last row visited when the page filled up; nil when the scan reached the end.
        public var next: [UInt8]?

        public init(items: [Item], next: [UInt8]?) {
            self.items = items
            self.next = next
        }
    }
}

extension WorkProjections {
    /// The customer facts rows copy besides the scope: kept per projection, like ``CustomerScopes``.
    enum CustomerNames {
        static let table = ViewTable("customer-name")

        /// Records a customer's name from CustomerCreated and from a CustomerEdited that renames it.
        static func apply(_ event: ProjectionEvent, to views: any ViewWriter) throws {
            switch event.payload {
            case let e as CustomerCreated:
                try views.put(Array(e.name.utf8), forKey: ViewKey().uuid(e.customerID).bytes, in: table)
            case let e as CustomerEdited:
                for change in e.changes where change.field == "name" {
                    let name = change.new?.textValue ?? ""
                    try views.put(Array(name.utf8), forKey: ViewKey().uuid(e.customerID).bytes, in: table)
                }
            default:
                return
            }
        }

        static func name(of customerID: UUID?, in views: any ViewReader) throws -> String? {
            guard let customerID, let bytes = try views.value(forKey: ViewKey().uuid(customerID).bytes, in: table) else { return nil }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// Changes every record of a projection linked to a customer whose scope or name an event set
    /// (``customerChanged(by:)``): `change` gets each record's id and the customer's name now, and reads the
    /// record's scope again (records keep their customer's scope otherwise: they read it on a change of owner
    /// only).
    static func refreshLinked(_ customerID: UUID, in views: any ViewWriter, _ change: (UUID, String?) throws -> Void) throws {
        let name = try CustomerNames.name(of: customerID, in: views)
        for id in try CustomerLinks.records(of: customerID, in: views) { try change(id, name) }
    }

    /// The customer whose scope or name an event sets: a CustomerCreated (rows written before the customer
    /// event arrived take its scope), or a CustomerEdited touching branch, community, group, owner or name;
    /// nil for every other event.
    static func customerChanged(by event: ProjectionEvent) -> UUID? {
        if let e = event.payload as? CustomerCreated { return e.customerID }
        guard let e = event.payload as? CustomerEdited else { return nil }
        let fields: Set<String> = ["branch", "community", "group", "owner", "name"]
        return e.changes.contains { fields.contains($0.field) } ? e.customerID : nil
    }

    /// Links from a customer to the records of one projection that copy its scope: `customer + record → ()`,
    /// so a customer's move reaches exactly its rows (a prefix scan, never a full-table scan).
    enum CustomerLinks {
        static let table = ViewTable("customer-links")

        static func link(_ customerID: UUID?, _ recordID: UUID, in views: any ViewWriter) throws {
            guard let customerID else { return }
            try views.put([], forKey: ViewKey().uuid(customerID).uuid(recordID).bytes, in: table)
        }

        static func unlink(_ customerID: UUID?, _ recordID: UUID, in views: any ViewWriter) throws {
            guard let customerID else { return }
            try views.delete(key: ViewKey().uuid(customerID).uuid(recordID).bytes, in: table)
        }

        /// The ids of the records linked to a customer, in id order.
        static func records(of customerID: UUID, in views: any ViewReader) throws -> [UUID] {
            var ids: [UUID] = []
            try views.scan(table, prefix: ViewKey().uuid(customerID).bytes) { key, _ in
                if let id = UUID(viewKey: key, at: 16) { ids.append(id) }
                return true
            }
            return ids
        }
    }

    /// Visits rows in key order from `after` (or the prefix's start) and collects those `include` accepts,
    /// up to `limit`; `stop` ends the scan at the first row past the wanted range (e.g. a due instant after
    /// `now`). Returns the page with the cursor of its last row when it filled up.
    static func page<Row: Decodable & Sendable, Item: Sendable>(
        _ table: ViewTable, in views: any ViewReader, prefix: [UInt8] = [], after: [UInt8]?, limit: Int,
        stop: (Row) -> Bool = { _ in false }, map: (Row) -> Item?
    ) throws -> Page<Item> {
        var items: [Item] = []
        var next: [UInt8]?
        guard limit > 0 else { return Page(items: [], next: after) }
        try views.scan(table, prefix: prefix, after: after) { key, value in
            let row = try BinaryPayloadDecoder.decode(Row.self, from: value)
            if stop(row) { return false }
            if let item = map(row) { items.append(item) }
            if items.count >= limit {
                next = Array(key)
                return false
            }
            return true
        }
        return Page(items: items, next: next)
    }

    /// `YYYY-MM` of a local day.
    static func monthText(_ date: LocalDate) -> String { date.monthText }
}
