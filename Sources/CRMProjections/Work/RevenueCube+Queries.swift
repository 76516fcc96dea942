import CRMDomain
import EventSourcing
import Foundation

extension RevenueCube {
    /// A dimension of the cube to total by.
    public enum Dimension: String, CaseIterable, Hashable, Sendable {
        case product, customer, month, currency
    }

    /// The total of one dimension value in one currency.
    public struct Total: Hashable, Sendable {
        /// The dimension value: a product or customer id (lowercased; `""` for entries without product),
        /// a `YYYY-MM` month, or a currency code.
        public var key: String
        public var currency: Currency
        public var amount: Decimal
        public var entries: Int
        public var reversals: Int
    }

    /// The cells of the months `from` through `through` (inclusive) that `include` admits (e.g. the
    /// viewer's data scope), in month, product, customer, currency order.
    public static func cells(
        from: RevenueMonth, through: RevenueMonth, in views: any ViewReader, where include: (Cell) -> Bool = { _ in true }
    ) throws -> [Cell] {
        var out: [Cell] = []
        let last = monthNumber(through.year, through.month)
        // A month's keys are its number + more bytes: all of them sort after the bare number, all of the
        // months before it sort before.
        try views.scan(cells, prefix: [], after: ViewKey().int64(monthNumber(from.year, from.month)).bytes) { key, value in
            let cell = try BinaryPayloadDecoder.decode(Cell.self, from: value)
            guard Self.monthNumber(fromKey: key) <= last else { return false }
            if include(cell) { out.append(cell) }
            return true
        }
        return out
    }

    /// Totals by `dimension` over the months `from` through `through`, per currency, of the cells
    /// `include` admits; in key order, then currency order.
    public static func totals(
        by dimension: Dimension, from: RevenueMonth, through: RevenueMonth, in views: any ViewReader,
        where include: (Cell) -> Bool = { _ in true }
    ) throws -> [Total] {
        var totals: [String: Total] = [:]
        for cell in try cells(from: from, through: through, in: views, where: include) {
            let key: String
            switch dimension {
            case .product: key = cell.productID?.lowercasedString ?? ""
            case .customer: key = cell.customerID.lowercasedString
            case .month: key = cell.month
            case .currency: key = cell.currency.rawValue
            }
            let id = key + "\u{1}" + cell.currency.rawValue
            var total = totals[id] ?? Total(key: key, currency: cell.currency, amount: 0, entries: 0, reversals: 0)
            total.amount += cell.amount
            total.entries += cell.entries
            total.reversals += cell.reversals
            totals[id] = total
        }
        return totals.values.sorted { ($0.key, $0.currency.rawValue) < ($1.key, $1.currency.rawValue) }
    }

    /// One customer's cells in the months `from` through `through`, by month.
    public static func customer(_ id: UUID, from: RevenueMonth, through: RevenueMonth, in views: any ViewReader) throws -> [Cell] {
        let first = monthNumber(from.year, from.month)
        let last = monthNumber(through.year, through.month)
        return try views.rows(Cell.self, in: byCustomer, prefix: ViewKey().uuid(id).bytes) { cell in
            let parts = cell.month.split(separator: "-").compactMap { Int($0) }
            guard parts.count == 2 else { return false }
            let month = monthNumber(parts[0], parts[1])
            return month >= first && month <= last
        }.map(\.row)
    }

    private static func monthNumber(fromKey key: UnsafeRawBufferPointer) -> Int64 {
        guard key.count >= 8 else { return 0 }
        var v: UInt64 = 0
        for i in 0..<8 { v = v << 8 | UInt64(key[i]) }
        return Int64(bitPattern: v ^ (1 << 63))
    }
}
