import CRMDomain
import CRMProjections
import EventSourcing
import Foundation

/// What the scheduler's tenure points need of each customer (R-CUS-8): since when it is a customer, its
/// branch (whose calendar its anniversaries fall in), whether it is archived, and the year of the last
/// anniversary its tenure points were granted for. One row per customer (`customer id → Row`); a merged
/// customer's row is removed.
///
/// A customer is one from the instant it was created active, or the instant a prospect was activated
/// (recorded-at of `CustomerCreated` with status active, or of the first `CustomerActivated`): a prospect
/// is not yet a customer, and suspension does not end tenure.
struct LoyaltyTenureProjection: Projection {
    let name = "loyalty-tenure"
    let version: UInt32 = 1
    static let customers = ViewTable("customers")
    var tables: [ViewTable] { [Self.customers] }
    var eventTypes: Set<String>? {
        [CustomerCreated.eventType, CustomerActivated.eventType, CustomerEdited.eventType, CustomerArchived.eventType,
         CustomerRestored.eventType, CustomerMergedInto.eventType, PointsAccrued.eventType]
    }

    struct Row: Codable, Equatable {
        var customerID: UUID
        /// When the customer became one; nil while a prospect.
        var since: Date?
        var branch: String?
        var archived: Bool
        /// The year of the latest anniversary whose tenure points are recorded; 0: none yet.
        var lastTenureYear: Int
    }

    func apply(_ event: ProjectionEvent, to views: any ViewWriter) throws {
        try apply(event.payload, event, to: views)
    }

    /// The `switch` over the payload opened to its type (why: ``Projection``).
    private func apply<Payload: EventPayload>(_ payload: Payload, _ event: ProjectionEvent, to views: any ViewWriter) throws {
        switch payload {
        case let e as CustomerCreated:
            try views.put(row: Row(customerID: e.customerID, since: e.status == .active ? event.recordedAt : nil, branch: e.branch,
                                   archived: false, lastTenureYear: 0), forKey: key(e.customerID), in: Self.customers)
        case let e as CustomerActivated:
            try update(e.customerID, views) { $0.since = $0.since ?? event.recordedAt }
        case let e as CustomerEdited:
            guard let change = e.changes.last(where: { $0.field == "branch" }) else { return }
            try update(e.customerID, views) { $0.branch = change.new?.textValue }
        case let e as CustomerArchived: try update(e.customerID, views) { $0.archived = true }
        case let e as CustomerRestored: try update(e.customerID, views) { $0.archived = false }
        case let e as CustomerMergedInto: try views.delete(key: key(e.customerID), in: Self.customers)
        case let e as PointsAccrued:
            guard e.source == .tenure else { return }
            try update(e.customerID, views) { $0.lastTenureYear = max($0.lastTenureYear, e.earnedOn.year) }
        default:
            return
        }
    }

    private func update(_ id: UUID, _ views: any ViewWriter, _ body: (inout Row) -> Void) throws {
        try views.update(Row.self, forKey: key(id), in: Self.customers) { old in
            guard var row = old else { return nil }
            body(&row)
            return row
        }
    }

    private func key(_ id: UUID) -> [UInt8] { ViewKey().uuid(id).bytes }

    /// Every customer that is one (not a prospect), not archived, in customer id order.
    static func customers(in views: any ViewReader) throws -> [Row] {
        var out: [Row] = []
        try views.scan(customers) { _, value in
            let row = try BinaryPayloadDecoder.decode(Row.self, from: value)
            if row.since != nil && !row.archived { out.append(row) }
            return true
        }
        return out
    }
}
