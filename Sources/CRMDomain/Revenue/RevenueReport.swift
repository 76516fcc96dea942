import Foundation

/// Pure revenue and usage aggregation (R-SAL-6): totals by product, customer, month, charge item or
/// business line in one target currency, each entry converted at the rate valid on its own date
/// (`[ExchangeRate].convert(_:to:on:)`). Reversal entries are included, so corrections net out.
///
/// ```swift
/// let monthly = try RevenueReport.byMonth(entries, in: .usd, rates: settings.exchangeRates)
/// ```
public enum RevenueReport {
    /// `entry`'s amount in `currency` at the rate valid on the entry's date; a missing rate is
    /// `notConfigured` (field `exchangeRates`).
    public static func converted(_ entry: RevenueLedger.Entry, to currency: Currency, rates: [ExchangeRate]) throws(DomainError) -> Money {
        guard let money = rates.convert(entry.amount, to: currency, on: entry.date) else {
            throw DomainError(.notConfigured, field: "exchangeRates",
                              "no \(entry.amount.currency)→\(currency) rate valid on \(entry.date)")
        }
        return money
    }

    /// The converted totals of `entries` grouped by `key`.
    public static func totals<Key: Hashable>(_ entries: [RevenueLedger.Entry], in currency: Currency, rates: [ExchangeRate],
                                             by key: (RevenueLedger.Entry) -> Key) throws(DomainError) -> [Key: Money] {
        var sums: [Key: Decimal] = [:]
        for entry in entries {
            sums[key(entry), default: 0] += try converted(entry, to: currency, rates: rates).amount
        }
        return sums.mapValues { Money($0, currency) }
    }

    /// The total of all `entries` in `currency`.
    public static func total(_ entries: [RevenueLedger.Entry], in currency: Currency, rates: [ExchangeRate]) throws(DomainError) -> Money {
        try totals(entries, in: currency, rates: rates) { _ in 0 }[0] ?? Money(0, currency)
    }

    /// Totals per product; entries without a product are under the nil key.
    public static func byProduct(_ entries: [RevenueLedger.Entry], in currency: Currency, rates: [ExchangeRate]) throws(DomainError) -> [UUID?: Money] {
        try totals(entries, in: currency, rates: rates) { $0.productID }
    }

    /// Totals per customer.
    public static func byCustomer(_ entries: [RevenueLedger.Entry], in currency: Currency, rates: [ExchangeRate]) throws(DomainError) -> [UUID: Money] {
        try totals(entries, in: currency, rates: rates) { $0.customerID }
    }

    /// Totals per calendar month of the entries' dates.
    public static func byMonth(_ entries: [RevenueLedger.Entry], in currency: Currency, rates: [ExchangeRate]) throws(DomainError) -> [RevenueMonth: Money] {
        try totals(entries, in: currency, rates: rates) { $0.month }
    }

    /// Totals per charge item.
    public static func byChargeItem(_ entries: [RevenueLedger.Entry], in currency: Currency, rates: [ExchangeRate]) throws(DomainError) -> [String: Money] {
        try totals(entries, in: currency, rates: rates) { $0.chargeItem }
    }

    /// Totals per business line.
    public static func byBusinessLine(_ entries: [RevenueLedger.Entry], in currency: Currency, rates: [ExchangeRate]) throws(DomainError) -> [String: Money] {
        try totals(entries, in: currency, rates: rates) { $0.businessLine }
    }

    /// Usage per customer in `unit` from the readings whose whole period lies within `period`, for the
    /// anomaly analysis (readings in other units are left out, never converted).
    public static func usageByCustomer(_ readings: [RevenueLedger.UsageReading], unit: String,
                                       within period: ClosedRange<LocalDate>) -> [UUID: Decimal] {
        var sums: [UUID: Decimal] = [:]
        for reading in readings where reading.unit == unit && period.contains(reading.periodStart) && period.contains(reading.periodEnd) {
            sums[reading.customerID, default: 0] += reading.quantity
        }
        return sums
    }
}
