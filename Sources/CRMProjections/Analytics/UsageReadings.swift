import CRMDomain
import EventSourcing
import Foundation

/// Every usage reading (R-ANA-4) with its customer's scope, for the usage anomaly check against the
/// customer's own history and its peers (customers of the same community, else branch).
///
/// ```swift
/// let readings = try UsageReadings.all(in: views)   // by customer, meter, period end
/// ```
public struct UsageReadings: Projection {
    public let name = "usage-readings"
    public let version: UInt32 = 1

    /// `customer id + meter + period end + reading id → Row`.
    public static let readings = ViewTable("readings")

    public var tables: [ViewTable] { [Self.readings, CustomerScopes.table] }
    public var eventTypes: Set<String>? {
        CustomerScopes.eventTypes.union([UsageReadingRecorded.eventType, BillingBatchImported.eventType])
    }

    public init() {}

    public struct Row: Codable, Hashable, Sendable {
        public var reading: RevenueLedger.UsageReading
        /// The customer's scope when the reading was recorded.
        public var scope: RecordScope
    }

    public func apply(_ event: ProjectionEvent, to views: any ViewWriter) throws {
        try CustomerScopes.apply(event, to: views)
        try apply(event.payload, event, to: views)
    }

    /// The `switch` over the payload opened to its type (why: ``Projection``).
    private func apply<Payload: EventPayload>(_ payload: Payload, _ event: ProjectionEvent, to views: any ViewWriter) throws {
        switch payload {
        case let e as UsageReadingRecorded: try add(e.reading, in: views)
        case let e as BillingBatchImported: for r in e.readings { try add(r, in: views) }
        default: return
        }
    }

    private func add(_ r: RevenueLedger.UsageReading, in views: any ViewWriter) throws {
        let key = ViewKey().uuid(r.customerID).string(r.meter).int64(Int64(LocalDate(year: 1970, month: 1, day: 1).map { $0.days(until: r.periodEnd) } ?? 0))
            .uuid(r.id).bytes
        try views.put(row: Row(reading: r, scope: try CustomerScopes.scope(of: r.customerID, in: views)), forKey: key, in: Self.readings)
    }

    /// Every reading, by customer, meter and period end.
    public static func all(in views: any ViewReader) throws -> [Row] {
        try views.rows(Row.self, in: readings).map(\.row)
    }
}
