import CRMDomain
import EventSourcing
import Foundation

/// The revenue cube (R-SAL-6): revenue entries and their reversals summed exactly (Decimal) per day of the
/// entry's date × product × customer × charge item × business line × currency, each cell with its
/// customer's scope. Amounts in different currencies are never added together here: the day is kept so a
/// report converts each cell at the rate valid on its entries' date. Two puts per entry (one per table).
///
/// ```swift
/// let byProduct = try RevenueCube.totals(by: .product, from: RevenueMonth(year: 2026, month: 1),
///                                        through: RevenueMonth(year: 2026, month: 3), in: views)
/// ```
public struct RevenueCube: Projection {
    public let name = "revenue-cube"
    public let version: UInt32 = 2

    /// `yyyymm + day (1 byte) + product (16 zero bytes: none) + customer + currency + line → Cell`, where
    /// `line` is a 16-byte id derived from the charge item and business line (texts of any length stay
    /// within the key size; the cell holds the texts).
    public static let cells = ViewTable("cells")
    /// `customer + yyyymm + day + product + currency + line → Cell`: the same cells by customer.
    public static let byCustomer = ViewTable("cells-by-customer")

    public var tables: [ViewTable] { [Self.cells, Self.byCustomer, CustomerScopes.table] }

    public var eventTypes: Set<String>? {
        CustomerScopes.eventTypes.union([RevenueEntryRecorded.eventType, RevenueEntryReversed.eventType, BillingBatchImported.eventType])
    }

    public init() {}

    /// One cell of the cube: the sum of the entries of one day, product, customer, charge item, business
    /// line and currency.
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
        /// The entries' charge item, e.g. `monthly fee`.
        public var chargeItem: String = ""
        /// The entries' business line, e.g. `gas`.
        public var businessLine: String = ""
        /// The day of the month of the entries' date (1…31).
        public var day: Int = 1

        /// The cell's month; nil only for a malformed `month`.
        public var yearMonth: RevenueMonth? {
            let parts = month.split(separator: "-").compactMap { Int($0) }
            guard parts.count == 2, (1...12).contains(parts[1]) else { return nil }
            return RevenueMonth(year: parts[0], month: parts[1])
        }

        /// The entries' date (conversions use the rate valid on it); nil only for a malformed month.
        public var date: LocalDate? { yearMonth.flatMap { LocalDate(year: $0.year, month: $0.month, day: day) } }
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

    /// The 16-byte key part of a charge item and business line.
    static func line(_ cell: Cell) -> UUID { UUID.derived("revenue-line", cell.chargeItem, cell.businessLine) }

    static func cellKey(month: Int64, _ cell: Cell) -> [UInt8] {
        ViewKey().int64(month).byte(UInt8(clamping: cell.day)).uuid(Self.product(cell.productID)).uuid(cell.customerID)
            .string(cell.currency.rawValue).uuid(Self.line(cell)).bytes
    }

    static func customerKey(month: Int64, _ cell: Cell) -> [UInt8] {
        ViewKey().uuid(cell.customerID).int64(month).byte(UInt8(clamping: cell.day)).uuid(Self.product(cell.productID))
            .string(cell.currency.rawValue).uuid(Self.line(cell)).bytes
    }

    /// Adds an entry to its cell: one read, two puts (the cell in both tables).
    private func add(_ entry: RevenueLedger.Entry, to views: any ViewWriter) throws {
        let month = Self.monthNumber(entry.date.year, entry.date.month)
        let scope = try CustomerScopes.scope(of: entry.customerID, in: views)
        let empty = Cell(
            month: WorkProjections.monthText(entry.date), productID: entry.productID, customerID: entry.customerID,
            currency: entry.amount.currency, amount: 0, entries: 0, reversals: 0, scope: scope,
            chargeItem: entry.chargeItem, businessLine: entry.businessLine, day: entry.date.day)
        let key = Self.cellKey(month: month, empty)
        var cell = try views.row(Cell.self, forKey: key, in: Self.cells) ?? empty
        cell.amount += entry.amount.amount
        if entry.reversalOf == nil { cell.entries += 1 } else { cell.reversals += 1 }
        cell.scope = scope
        let row = cell.binaryForm
        try views.put(row, forKey: key, in: Self.cells)
        try views.put(row, forKey: Self.customerKey(month: month, cell), in: Self.byCustomer)
    }

    /// A customer moved: every cell of the customer takes its new scope.
    private func refresh(_ customerID: UUID, in views: any ViewWriter) throws {
        let scope = try CustomerScopes.scope(of: customerID, in: views)
        let cells = try views.rows(Cell.self, in: Self.byCustomer, prefix: ViewKey().uuid(customerID).bytes)
        for (key, cell) in cells where cell.scope != scope {
            var moved = cell
            moved.scope = scope
            try views.put(row: moved, forKey: key, in: Self.byCustomer)
            guard let month = moved.yearMonth else { continue }
            try views.put(row: moved, forKey: Self.cellKey(month: Self.monthNumber(month.year, month.month), moved), in: Self.cells)
        }
    }
}
