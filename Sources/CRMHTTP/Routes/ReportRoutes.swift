import CRMAnalytics
import CRMDomain
import CRMEngine
import CRMProjections
import Foundation
import Hummingbird

extension Routes {
    /// The engine's analysis queries: KPI assessments with the ranking, RFM scores and churn risks; and the
    /// monthly overdue-ticket report.
    func addReportRoutes(to v1: Group) {
        v1.get("reports/kpi") { request, context in
            let principal = try context.requirePrincipal()
            let query = QueryParameters(request: request)
            guard let month = query.string("month") else { throw Problem.invalid("month", "required: a month YYYY-MM") }
            let position = try query.position("consistentWith")
            if let by = query.string("by") {
                guard let level = OrgUnit.Kind(rawValue: by) else { throw Problem.invalid("by", "expected team, office or department") }
                let (rankings, groups) = try await engine.kpiGroupRankings(month: month, level: level, as: principal, consistentWith: position)
                return try JSONOutput.reflected(["rankings": rankings, "groups": groups] as [String: Any])
            }
            let (assessments, ranking) = try await engine.kpiAssessments(month: month, as: principal, consistentWith: position)
            return try JSONOutput.reflected(["assessments": assessments, "ranking": ranking] as [String: Any])
        }
        v1.get("reports/rfm") { request, context in
            let principal = try context.requirePrincipal()
            let query = QueryParameters(request: request)
            let months = try query.string("months").map { text -> Int in
                guard let value = Int(text), (1...120).contains(value) else { throw Problem.invalid("months", "expected a whole number from 1 to 120") }
                return value
            } ?? 12
            // `branch` as documented; `perBranch` (the analysis' own name) is accepted too.
            let partition = try query.string("partition").map { text -> RFM.Partition in
                switch text {
                case "global": return .global
                case "branch", RFM.Partition.perBranch.rawValue: return .perBranch
                default: throw Problem.invalid("partition", "expected global or branch (perBranch is accepted too)")
                }
            } ?? .global
            // Without `asOf`, each customer as of its own branch's today (the engine's default).
            let scores = try await engine.rfm(asOf: try optionalDay(query, "asOf"), months: months, currency: try currency(query),
                                              partition: partition, as: principal, consistentWith: try query.position("consistentWith"))
            return try page(scores, key: { $0.customerID.uuidString }, request: request, path: "/v1/reports/rfm",
                            query: carried(query, ["asOf", "months", "currency", "partition"]))
        }
        v1.get("reports/churn") { request, context in
            let principal = try context.requirePrincipal()
            let query = QueryParameters(request: request)
            // Without `on`, each customer on its own branch's today (the engine's default).
            let risks = try await engine.churnRisks(on: try optionalDay(query, "on"), currency: try currency(query), as: principal,
                                                    consistentWith: try query.position("consistentWith"))
            // Highest risk first, as the engine ranks them: the cursor key sorts by falling score, then id.
            return try page(risks.map(\.risk), key: { risk in
                let rank = max(0, 100_000 - NSDecimalNumber(decimal: risk.score * 100).intValue)
                return String(1_000_000 + rank) + risk.customerID.uuidString
            }, request: request, path: "/v1/reports/churn", query: carried(query, ["on", "currency"]))
        }
        v1.get("reports/revenue-explanation") { request, context in
            let principal = try context.requirePrincipal()
            let query = QueryParameters(request: request)
            let base = try months(query, "baseFrom", through: "baseThrough")
            let compare = try months(query, "from", through: "through")
            let explanation = try await engine.revenueExplanation(base: base, compare: compare, currency: try currency(query),
                                                                  customer: try optionalUUID(query, "customerId"), as: principal,
                                                                  consistentWith: try query.position("consistentWith"))
            return try JSONOutput.reflected(explanation)
        }
        // Every report of CRMEngine.report(_:_:as:) as a table: JSON (header + rows), or CSV with `format=csv`.
        v1.get("reports/tables/:name") { request, context in
            let principal = try context.requirePrincipal()
            let query = QueryParameters(request: request)
            guard let text = context.parameters.get("name"), let name = CRMEngine.ReportName(rawValue: text) else {
                throw Problem.invalid("name", "one of: " + CRMEngine.ReportName.allCases.map(\.rawValue).joined(separator: ", "))
            }
            let from = try rangeMonth(query, "from")
            let through = try query.string("through").map { _ in try rangeMonth(query, "through") } ?? from
            let by = query.string("by")
            // Only the costs, visit-costs and composition reports are grouped by something: a `by` on another is refused.
            if by != nil, !name.takesBy {
                throw Problem.invalid("by", "the \(name.rawValue) report takes no `by` (only costs, visit-costs and composition do)")
            }
            var costsBy = Reports.CostDimension.month
            if name == .costs, let by {
                guard let dimension = Reports.CostDimension(rawValue: by) else {
                    throw Problem.invalid("by", "one of: " + Reports.CostDimension.allCases.map(\.rawValue).joined(separator: ", "))
                }
                costsBy = dimension
            }
            var visitCostsBy = CostLedger.VisitGrouping.visit
            if name == .visitCosts, let by {
                guard let grouping = CostLedger.VisitGrouping(rawValue: by) else {
                    throw Problem.invalid("by", "one of: " + CostLedger.VisitGrouping.allCases.map(\.rawValue).joined(separator: ", "))
                }
                visitCostsBy = grouping
            }
            let parameters = CRMEngine.ReportParameters(from: from, through: through, branch: query.string("branch"), currency: try currency(query),
                                                        costsBy: costsBy, compositionBy: name == .composition ? (by ?? "group") : "group",
                                                        visitCostsBy: visitCostsBy)
            let table = try await engine.report(name, parameters, as: principal, consistentWith: try query.position("consistentWith"))
            switch query.string("format") ?? "json" {
            case "json": return try JSONOutput.reflected(["name": name.rawValue, "header": table.header, "rows": table.rows] as [String: Any])
            case "csv":
                var headers = HTTPFields()
                headers[.contentType] = "text/csv; charset=utf-8"
                headers[.contentDisposition] = "attachment; filename=\"\(name.rawValue).csv\""
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: table.csv())))
            default: throw Problem.invalid("format", "json or csv")
            }
        }
        // The outbox: messages the reactions queued (letters, notices) for a delivery adapter, which
        // acknowledges each one it delivered. Oldest first, a page at a time: the cursor is a place in that
        // order, so items acknowledged meanwhile shift no page.
        v1.get("outbox") { request, context in
            let query = QueryParameters(request: request)
            let limit = try query.limit(default: 100, max: configuration.maxPageSize)
            let list = PagedList("/v1/outbox", limit: limit)
            let page = try await engine.pendingOutbox(as: try context.requirePrincipal(), after: try list.after(query), limit: limit)
            return try list.reflected(page.items, next: page.next)
        }
        // Acknowledging answers as every command does (``execute``: the standard result, `ETag`, `If-Match`,
        // `Idempotency-Key`); it needs edit in settings besides edit in customers (``OutboxItem``).
        command(v1, "outbox/:id/acknowledge", OutboxItem.self) { _, body in .acknowledge(receipt: try body.optionalString("receipt", max: 500)) }
        // The read audit of a window, newest first unless `order=oldest`, a page at a time.
        v1.get("audit/reads") { request, context in
            let principal = try context.requirePrincipal()
            let query = QueryParameters(request: request)
            // The window's bounds as the next link carries them: the defaults (the last 24 hours) written in
            // whole seconds, so that every page of the list reads the same window.
            let now = engine.configuration.clock.now().timeIntervalSince1970.rounded(.down)
            func bound(_ name: String, default seconds: TimeInterval) throws -> (text: String, date: Date) {
                let text = query.string(name) ?? ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: seconds))
                guard let date = parseInstant(text) else { throw Problem.invalid(name, "an instant such as 2026-03-01T00:00:00Z") }
                return (text, date)
            }
            let from = try bound("from", default: now - 86_400), to = try bound("to", default: now + 1)
            // Both bounds given the wrong way round is a mistake, not an empty window (as the reports' month
            // ranges); one bound past the other's default (a `from` later than now) is only an empty window.
            if query.string("from") != nil, query.string("to") != nil, from.date > to.date {
                throw Problem.invalid("from", "from must not be after to")
            }
            let order = query.string("order") ?? "newest"
            guard order == "newest" || order == "oldest" else { throw Problem.invalid("order", "newest or oldest") }
            let reader = query.string("principal")
            let limit = try query.limit(default: 1000, max: 10_000)
            let list = PagedList("/v1/audit/reads", filters: [("from", from.text), ("to", to.text), ("principal", reader), ("order", order)],
                                 limit: limit)
            let page = try engine.readAudit(from: from.date, to: to.date, principal: reader, after: try list.after(query), limit: limit,
                                            newestFirst: order == "newest", as: principal)
            return try list.reflected(page.items, next: page.next)
        }
        v1.get("reports/daily-pay") { request, context in
            let principal = try context.requirePrincipal()
            let query = QueryParameters(request: request)
            // Without `day`, each employee's own branch's today (the engine's default).
            let estimates = try await engine.dailyPay(on: try optionalDay(query, "day"), employee: query.string("employee"), as: principal,
                                                   consistentWith: try query.position("consistentWith"))
            return try page(estimates, key: { $0.employee }, request: request, path: "/v1/reports/daily-pay",
                            query: carried(query, ["day", "employee"]))
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

    /// The named query parameters that are present, as `name=value&` for a page's `next` link.
    private func carried(_ query: QueryParameters, _ names: [String]) -> String {
        names.compactMap { name in query.string(name).map { "\(name)=\(escaped($0))&" } }.joined()
    }

    /// The report currency (`currency`, default CNY): an ISO 4217 code, read by the parser the CLI uses too
    /// (``Currency/init(reportCode:)``); other currencies are converted at the settings' rates.
    func currency(_ query: QueryParameters) throws -> Currency {
        guard let text = query.string("currency") else { return .cny }
        guard let currency = Currency(reportCode: text) else { throw Problem.invalid("currency", "an ISO 4217 code such as CNY") }
        return currency
    }
}
