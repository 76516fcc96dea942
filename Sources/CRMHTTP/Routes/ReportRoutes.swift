import CRMAnalytics
import CRMDomain
import CRMEngine
import Foundation
import Hummingbird

extension Routes {
    /// The engine's analysis queries: KPI assessments with the ranking, RFM scores and churn risks; and the
    /// monthly overdue-ticket report.
    func addReportRoutes(to v1: Group) {
        v1.get("reports/kpi") { request, context in
            let principal = try context.requirePrincipal()
            guard let month = QueryParameters(request: request).string("month") else { throw Problem.invalid("month", "required: a month YYYY-MM") }
            let (assessments, ranking) = try await engine.kpiAssessments(month: month, as: principal)
            return try JSONOutput.reflected(["assessments": assessments, "ranking": ranking] as [String: Any])
        }
        v1.get("reports/rfm") { request, context in
            let principal = try context.requirePrincipal()
            let query = QueryParameters(request: request)
            let months = try query.string("months").map { text -> Int in
                guard let value = Int(text) else { throw Problem.invalid("months", "expected a whole number from 1 to 120") }
                return value
            } ?? 12
            let partition = try query.string("partition").map { text -> RFM.Partition in
                guard let value = RFM.Partition(rawValue: text) else { throw Problem.invalid("partition", "expected global or branch") }
                return value
            } ?? .global
            let scores = try await engine.rfm(asOf: try reportDay(query, "asOf"), months: months, currency: try currency(query),
                                              partition: partition, as: principal)
            return try page(scores, key: { $0.customerID.uuidString }, request: request, path: "/v1/reports/rfm",
                            query: query.string("asOf").map { "asOf=\($0)&" } ?? "")
        }
        v1.get("reports/churn") { request, context in
            let principal = try context.requirePrincipal()
            let query = QueryParameters(request: request)
            let limit = try query.limit(default: 100, max: configuration.maxPageSize)
            let risks = try await engine.churnRisks(on: try reportDay(query, "on"), currency: try currency(query), as: principal)
            // Highest risk first, as the engine ranks them; the first `limit`.
            return try JSONOutput.reflected(["items": risks.prefix(limit).map { $0.risk }])
        }
        v1.get("reports/overdue-tickets") { request, context in
            let principal = try context.requirePrincipal()
            let query = QueryParameters(request: request)
            let month = try self.month(query, "month")
            let report = try await engine.monthlyOverdueReport(year: month.year, month: month.month, as: principal,
                                                               consistentWith: try query.position("consistentWith"))
            return try JSONOutput.reflected(report)
        }
    }

    /// A report's day: the query value, else today at the engine's clock (UTC).
    private func reportDay(_ query: QueryParameters, _ name: String) throws -> LocalDate {
        try optionalDay(query, name) ?? LocalCalendar.utc.localDate(of: engine.configuration.clock.now())
    }

    /// The report currency (`currency`, default CNY): other currencies are converted at the settings' rates.
    private func currency(_ query: QueryParameters) throws -> Currency {
        guard let currency = Currency(rawValue: query.string("currency") ?? "CNY") else { throw Problem.invalid("currency", "an ISO 4217 code such as CNY") }
        return currency
    }
}
