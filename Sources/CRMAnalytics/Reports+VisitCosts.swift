import CRMDomain
import CRMProjections
import Foundation

/// The visit cost report's rows (R-SRV-4) as a table: one row per group key, cost kind and currency.
extension CostLedger.VisitCostTotal: ReportRow {
    public static let header = ["key", "customer", "day", "place", "kind", "currency", "amount", "visits"]
    public var cells: [String] {
        [key, customerID?.lowercasedString ?? "", day?.description ?? "", place ?? "", kind.rawValue, currency.rawValue,
         Cell.text(amount), Cell.text(visits)]
    }
}
