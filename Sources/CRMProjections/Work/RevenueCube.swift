import CRMDomain
import EventSourcing
import Foundation

/// The revenue cube (R-SAL-6): revenue entries and their reversals summed exactly (Decimal) per month
/// (`YYYY-MM` of the entry's date) × product × customer × currency, each cell with its customer's scope.
/// Amounts in different currencies are never added together.
///
/// ```swift
/// let byProduct = try RevenueCube.totals(by: .product, from: RevenueMonth(year: 2026, month: 1),
///                                        through: RevenueMonth(year: 2026, month: 3), in: views)
/// ```
public struct RevenueCube: Projection {
    public let name = "revenue-cube"
    public let version: UInt32 = 1

    /// `yyyymm + product (16 zero bytes: none) + customer + currency → Cell`.
    public static let cells = ViewTable("cells")
    /// `customer + yyyymm + product + currency → Cell`: the same cells by customer.
    public static let byCustomer = ViewTable("cells-by-customer")

    public var tables: [ViewTable] { [Self.cells, Self.byCustomer, CustomerScopes.table] }

    public var eventTypes: Set<String>? {
        CustomerScopes.eventTypes.union([RevenueEntryRecorded.eventType, RevenueEntryReversed.eventType, BillingBatchImported.eventType])
    }

    public init() {}

    /// One cell of the cube: the sum of the entries of one month, product, customer and currency.
    public struct Cell: Codable, Hashable, Sendable {
        /// `YYYY-MM`.
        public var month: String
        public var productID: UUID?
        public var customerID: UUID
        public var currency: Currency
        /// Exact sum, reversals included (they carry negated amounts).
        public var amount: Decimal
        /// Entries that are not reversals.
        public var entries: Int
        /// Reversal entries.
        public var reversals: Int
        /// The customer's scope.
        public var scope: RecordScope
    }

    public func apply(_ event: ProjectionEvent, to views: any ViewWriter) throws {
        try CustomerScopes.apply(event, to: views)
        if let customerID = WorkProjections.customerChanged(by: event) {
            try refresh(customerID, in: views)
            return
        }
        try apply(event.payload, event, to: views)
    }

    /// The `switch` over the payload opened to its type (why: ``Projection``).
    private func apply<Payload: EventPayload>(_ payload: Payload, _ event: ProjectionEvent, to views: any ViewWriter) throws {
        switch payload {
        case let e as RevenueEntryRecorded:
            try add(e.entry, to: views)
        case let e as RevenueEntryReversed:
            try add(e.reversal, to: views)
        case let e as BillingBatchImported:
            for entry in e.entries { try add(entry, to: views) }
        default:
            return
        }
    }

    static func monthNumber(_ year: Int, _ month: Int) -> Int64 { Int64(year * 100 + month) }
    static func product(_ id: UUID?) -> UUID { id ?? UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)) }

    static func cellKey(month: Int64, product: UUID?, customer: UUID, currency: Currency) -> [UInt8] {
        ViewKey().int64(month).uuid(Self.product(product)).uuid(customer).string(currency.rawValue).bytes
    }

    static func customerKey(month: Int64, product: UUID?, customer: UUID, currency: Currency) -> [UInt8] {
        ViewKey().uuid(customer).int64(month).uuid(Self.product(product)).string(currency.rawValue).bytes
    }

    private func add(_ entry: RevenueLedger.Entry, to views: any ViewWriter) throws {
        let month = Self.monthNumber(entry.date.year, entry.date.month)
        let currency = entry.amount.currency
        let key = Self.cellKey(month: month, product: entry.productID, customer: entry.customerID, currency: currency)
        let scope = try CustomerScopes.scope(of: entry.customerID, in: views)
        var cell = try views.row(Cell.self, forKey: key, in: Self.cells) ?? Cell(
            month: WorkProjections.monthText(entry.date), productID: entry.productID, customerID: entry.customerID,
            currency: currency, amount: 0, entries: 0, reversals: 0, scope: scope)
        cell.amount += entry.amount.amount
        if entry.reversalOf == nil { cell.entries += 1 } else { cell.reversals += 1 }
        cell.scope = scope
        let row = cell.binaryForm
        try views.put(row, forKey: key, in: Self.cells)
        try views.put(row, forKey: Self.customerKey(month: month, product: entry.productID, customer: entry.customerID, currency: currency),
                      in: Self.byCustomer)
    }

    /// A customer moved: every cell of the customer takes its new scope.
    private func refresh(_ customerID: UUID, in views: any ViewWriter) throws {
        let scope = try CustomerScopes.scope(of: customerID, in: views)
        let cells = try views.rows(Cell.self, in: Self.byCustomer, prefix: ViewKey().uuid(customerID).bytes)
        for (key, cell) in cells where cell.scope != scope {
            var moved = cell
            moved.scope = scope
            try views.put(row: moved, forKey: key, in: Self.byCustomer)
            let parts = moved.month.split(separator: "-").compactMap { Int($0) }
            guard parts.count == 2 else { continue }
            let month = Self.monthNumber(parts[0], parts[1])
            try views.put(row: moved, forKey: Self.cellKey(month: month, product: moved.productID, customer: customerID, currency: moved.currency),
                          in: Self.cells)
        }
    }
}
