import CRMDomain
import EventSourcing
import Foundation

extension RevenueCube {
    /// A dimension of the cube to total by: a record dimension, or a period (``Period``).
    public enum Dimension: String, CaseIterable, Hashable, Sendable {
        case product, customer, chargeItem, businessLine, currency, month, quarter, year

        /// The period this dimension groups by, nil for a record dimension.
        public var period: Period? { Period(rawValue: rawValue) }
    }

    /// A reporting period: months are folded into quarters and years when read.
    public enum Period: String, CaseIterable, Hashable, Sendable {
        case month, quarter, year

        /// The period's length in months.
        public var months: Int {
            switch self {
            case .month: return 1
            case .quarter: return 3
            case .year: return 12
            }
        }

        /// The label of the period holding `month`: `2026-03`, `2026-Q1` or `2026`.
        public func label(of month: RevenueMonth) -> String {
            switch self {
            case .month: return month.description
            case .quarter: return LocalDate.padded(month.year, 4) + "-Q\((month.month - 1) / 3 + 1)"
            case .year: return LocalDate.padded(month.year, 4)
            }
        }

        /// Whether `month` is the first month of a period (January, April, July, October for quarters).
        public func starts(at month: RevenueMonth) -> Bool { (month.month - 1) % self.months == 0 }
    }

    /// The total of one dimension value in one currency.
    public struct Total: Hashable, Sendable {
        /// The dimension value: a product or customer id (lowercased; `""` for entries without product), a
        /// charge item or business line, a period label (`2026-03`, `2026-Q1`, `2026`) or a currency code.
        public var key: String
        public var currency: Currency
        public var amount: Decimal
        public var entries: Int
        public var reversals: Int
    }

    /// The cells of the months `from` through `through` (inclusive) that `include` admits (e.g. the
    /// viewer's data scope), in month, day, product, customer, currency, charge item/business line order.
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
            let key = cell.value(of: dimension)
            let id = key + "\u{1}" + cell.currency.rawValue
            var total = totals[id] ?? Total(key: key, currency: cell.currency, amount: 0, entries: 0, reversals: 0)
            total.amount += cell.amount
            total.entries += cell.entries
            total.reversals += cell.reversals
            totals[id] = total
        }
        return totals.values.sorted { ($0.key, $0.currency.rawValue) < ($1.key, $1.currency.rawValue) }
    }

    /// One customer's cells in the months `from` through `through`, by month and day.
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

extension RevenueCube.Cell {
    /// The cell's value of `dimension` (see ``RevenueCube/Total/key``).
    public func value(of dimension: RevenueCube.Dimension) -> String {
        switch dimension {
        case .product: return productID?.lowercasedString ?? ""
        case .customer: return customerID.lowercasedString
        case .chargeItem: return chargeItem
        case .businessLine: return businessLine
        case .currency: return currency.rawValue
        case .month, .quarter, .year:
            guard let period = dimension.period, let month = yearMonth else { return month }
            return period.label(of: month)
        }
    }
}
