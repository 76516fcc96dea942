import Foundation

extension RevenueLedger {
    /// One revenue entry (R-SAL-6): an exact amount in one currency for a customer, on a day, by charge
    /// item, product and business line. Entries are never edited: a correction is a reversal entry
    /// (``reversalOf`` set) followed by a new entry.
    public struct Entry: Hashable, Sendable, Codable {
        public var id: UUID
        public var customerID: UUID
        /// What was charged, e.g. `monthly fee`, `installation`, `gas usage`.
        public var chargeItem: String
        /// The catalog product, when the charge belongs to one.
        public var productID: UUID?
        /// The business line, e.g. `gas`, `water`, `heating`.
        public var businessLine: String
        /// The day the revenue belongs to; conversions use the rate valid on it.
        public var date: LocalDate
        /// Exact; negative for credits. Never zero.
        public var amount: Money
        /// The entry this one reverses; set only by ``RevenueLedger/Command/reverse(entryID:reversalID:reason:)``.
        public var reversalOf: UUID?
        public var note: String?

        public init(id: UUID, customerID: UUID, chargeItem: String, productID: UUID? = nil, businessLine: String,
                    date: LocalDate, amount: Money, reversalOf: UUID? = nil, note: String? = nil) {
            self.id = id
            self.customerID = customerID
            self.chargeItem = chargeItem
            self.productID = productID
            self.businessLine = businessLine
            self.date = date
            self.amount = amount
            self.reversalOf = reversalOf
            self.note = note
        }

        /// The month the entry belongs to.
        public var month: RevenueMonth { RevenueMonth(year: date.year, month: date.month) }
    }

    /// A meter or service usage reading for one customer and period, for the anomaly analysis (R-ANA-4).
    public struct UsageReading: Hashable, Sendable, Codable {
        public var id: UUID
        public var customerID: UUID
        /// The meter or service measured, e.g. a meter number or `sms`.
        public var meter: String
        public var periodStart: LocalDate
        /// The last day of the period (inclusive).
        public var periodEnd: LocalDate
        /// Exact, not negative.
        public var quantity: Decimal
        /// E.g. `m3`, `kWh`, `messages`.
        public var unit: String

        public init(id: UUID, customerID: UUID, meter: String, periodStart: LocalDate, periodEnd: LocalDate,
                    quantity: Decimal, unit: String) {
            self.id = id
            self.customerID = customerID
            self.meter = meter
            self.periodStart = periodStart
            self.periodEnd = periodEnd
            self.quantity = quantity
            self.unit = unit
        }
    }

    /// Where an imported batch came from: the billing system and its own batch id.
    public struct BatchSource: Hashable, Sendable, Codable {
        public var system: String
        public var batchID: String

        public init(system: String, batchID: String) {
            self.system = system
            self.batchID = batchID
        }
    }
}

/// A calendar month, the unit of monthly revenue reports.
public struct RevenueMonth: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var year: Int
    public var month: Int

    public init(year: Int, month: Int) {
        self.year = year
        self.month = month
    }

    public static func < (lhs: RevenueMonth, rhs: RevenueMonth) -> Bool { (lhs.year, lhs.month) < (rhs.year, rhs.month) }

    /// `YYYY-MM`.
    public var description: String { LocalDate.padded(year, 4) + "-" + LocalDate.padded(month, 2) }
}
