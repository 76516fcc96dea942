import CRMDomain
import EventSourcing
import Foundation

/// Visit costs summed by visit, customer, month or place (R-SRV-4), per cost kind and currency, computed
/// at query time from the ledger's visit rows (no table of their own: the rows already hold the customer,
/// the day and the place, so the rebuild writes nothing more).
///
/// ```swift
/// let (_, visits) = try CostLedger.all(in: views, where: admits)
/// let byPlace = CostLedger.visitCostTotals(visits.map(\.visit), by: .place, in: march...april) { _ in .utc }
/// ```
extension CostLedger {
    /// What visit costs are summed by.
    public enum VisitGrouping: String, CaseIterable, Hashable, Sendable {
        /// One group per visit (key: the visit id).
        case visit
        /// Per visited customer (key: the customer id).
        case customer
        /// Per month of the visit's day (key: `YYYY-MM`).
        case month
        /// Per place (key: ``placeKey(_:)`` of the actual place once recorded, else the planned one).
        case place
    }

    /// The key places are grouped under: the text trimmed, runs of white space made one space, case-folded
    /// (so "Head Office", " head  office " and "HEAD OFFICE" are one place).
    public static func placeKey(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            .folding(options: [.caseInsensitive, .widthInsensitive], locale: nil)
    }

    /// The costs of one kind in one currency under one group key.
    public struct VisitCostTotal: Hashable, Sendable {
        /// The visit or customer id (lowercased), the month `YYYY-MM`, or the place key.
        public var key: String
        /// The visited customer (by visit and by customer).
        public var customerID: UUID?
        /// The visit's day (by visit).
        public var day: LocalDate?
        /// The place as recorded, trimmed (by visit: the visit's; by place: the spelling most visits of the
        /// group recorded, the first in code-point order on a tie).
        public var place: String?
        public var kind: Visit.CostKind
        public var currency: Currency
        /// The exact sum (currencies are never added together).
        public var amount: Decimal
        /// How many visits had costs of this kind and currency in the group.
        public var visits: Int

        public init(key: String, customerID: UUID? = nil, day: LocalDate? = nil, place: String? = nil, kind: Visit.CostKind,
                    currency: Currency, amount: Decimal, visits: Int) {
            self.key = key
            self.customerID = customerID
            self.day = day
            self.place = place
            self.kind = kind
            self.currency = currency
            self.amount = amount
            self.visits = visits
        }
    }

    /// The visits' cost lines summed by `grouping`, per kind and currency, keeping the visits whose day
    /// (the actual date once recorded, else the scheduled instant in `calendar` of the visit's branch)
    /// falls in `months` (every visit when nil). In key, kind (transport, lodging, entertainment, other),
    /// then currency order.
    public static func visitCostTotals(_ visits: [VisitCosts], by grouping: VisitGrouping, in months: ClosedRange<RevenueMonth>? = nil,
                                       calendar: (_ branch: String?) -> LocalCalendar) -> [VisitCostTotal] {
        struct Cell: Hashable { var key: String; var kind: Visit.CostKind; var currency: Currency }
        var sums: [Cell: (amount: Decimal, visits: Set<UUID>)] = [:]
        var customers: [String: UUID] = [:], days: [String: LocalDate] = [:]
        var spellings: [String: [String: Int]] = [:]
        for visit in visits where !visit.lines.isEmpty {
            let day = visit.day(in: calendar(visit.scope.branch))
            if let months, !months.contains(RevenueMonth(year: day.year, month: day.month)) { continue }
            let place = visit.effectivePlace.trimmingCharacters(in: .whitespacesAndNewlines)
            let key: String
            switch grouping {
            case .visit:
                key = visit.visitID.lowercasedString
                customers[key] = visit.customerID
                days[key] = day
                spellings[key] = [place: 1]
            case .customer:
                key = visit.customerID.lowercasedString
                customers[key] = visit.customerID
            case .month:
                key = RevenueMonth(year: day.year, month: day.month).description
            case .place:
                key = placeKey(place)
                spellings[key, default: [:]][place, default: 0] += 1
            }
            for line in visit.lines {
                let cell = Cell(key: key, kind: line.kind, currency: line.amount.currency)
                sums[cell, default: (0, [])].amount += line.amount.amount
                sums[cell, default: (0, [])].visits.insert(visit.visitID)
            }
        }
        let kindOrder = Dictionary(uniqueKeysWithValues: Visit.CostKind.allCases.enumerated().map { ($1, $0) })
        return sums.map { cell, sum in
            let shown = spellings[cell.key].flatMap { counts in
                counts.min { a, b in a.value != b.value ? a.value > b.value : a.key.unicodeScalars.lexicographicallyPrecedes(b.key.unicodeScalars) }?.key
            }
            return VisitCostTotal(key: cell.key, customerID: customers[cell.key], day: days[cell.key], place: shown, kind: cell.kind,
                                  currency: cell.currency, amount: sum.amount, visits: sum.visits.count)
        }.sorted {
            ($0.key, kindOrder[$0.kind] ?? 0, $0.currency.rawValue) < ($1.key, kindOrder[$1.kind] ?? 0, $1.currency.rawValue)
        }
    }
}
