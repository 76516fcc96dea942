import Foundation

/// Visit costs summed exactly, per currency (amounts in different currencies are never added together).
public struct VisitCostSummary: Hashable, Sendable {
    /// The total per currency.
    public var totals: [Currency: Decimal]
    /// The total per cost kind and currency.
    public var byKind: [Visit.CostKind: [Currency: Decimal]]
    /// How many visits contributed (matched the filters), with or without costs.
    public var visitCount: Int

    public init(totals: [Currency: Decimal] = [:], byKind: [Visit.CostKind: [Currency: Decimal]] = [:], visitCount: Int = 0) {
        self.totals = totals
        self.byKind = byKind
        self.visitCount = visitCount
    }

    /// Adds one cost line.
    mutating func add(_ line: Visit.CostLine) {
        totals[line.amount.currency, default: 0] += line.amount.amount
        byKind[line.kind, default: [:]][line.amount.currency, default: 0] += line.amount.amount
    }

    /// The costs of many visits, filtered (R-SRV-4): a nil filter matches every visit.
    ///
    /// - `customerID`: the visited customer.
    /// - `period`: the visit's day — the actual date once recorded, otherwise the scheduled instant read in
    ///   `calendar` (the branch's zone).
    /// - `place`: the actual place once recorded, otherwise the planned place (compared exactly).
    ///
    /// ```swift
    /// let march = VisitCostSummary.of(visits, customerID: id, period: date("2026-03-01")...date("2026-03-31"), calendar: shanghai)
    /// ```
    public static func of(_ visits: [Visit.State], customerID: UUID? = nil, period: ClosedRange<LocalDate>? = nil,
                          place: String? = nil, calendar: LocalCalendar = .utc) -> VisitCostSummary {
        var summary = VisitCostSummary()
        for visit in visits where visit.exists {
            if let customerID, visit.customerID != customerID { continue }
            if let period, !period.contains(visit.day(in: calendar)) { continue }
            if let place, visit.effectivePlace != place { continue }
            summary.visitCount += 1
            for line in visit.costLines { summary.add(line) }
        }
        return summary
    }
}

extension Visit.State {
    /// This visit's costs per currency and kind.
    public var costSummary: VisitCostSummary {
        var summary = VisitCostSummary(visitCount: exists ? 1 : 0)
        for line in costLines { summary.add(line) }
        return summary
    }

    /// The visit's day: the actual date once recorded, otherwise the scheduled instant's day in `calendar`.
    public func day(in calendar: LocalCalendar) -> LocalDate {
        actual?.date ?? calendar.localDate(of: scheduledAt)
    }

    /// The actual place once recorded, otherwise the planned one.
    public var effectivePlace: String { actual?.place ?? place }
}
