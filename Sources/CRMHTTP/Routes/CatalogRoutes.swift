import CRMDomain
import CRMEngine
import CRMProjections
import Foundation
import Hummingbird

extension Routes {
    /// The product catalog and the revenue ledgers with the revenue report.
    func addCatalogRoutes(to v1: Group) {
        create(v1, "products", Product.self) { id, body in
            .create(productID: id, productLine: try body.string("productLine", max: 100), name: try body.string("name", max: 500),
                    standardPrice: try body.decoded("standardPrice", Money.self))
        }
        list(v1, "products", Product.self)
        // The product with each milestone's `timing` (early, onTime, delayed; null while not reached and not
        // yet due) as of the engine clock's day in UTC (the catalog has no branch); with `asOf`, the product then,
        // its milestones still timed as of today.
        v1.get("products/:id") { [engine] request, context in
            let (state, version) = try await recordState(Product.self, id: try pathID(context), request: request, context: context)
            let today = LocalCalendar.utc.localDate(of: engine.configuration.clock.now())
            guard var answer = reflectJSON(state) as? [String: Any] else { return try JSONOutput.reflected(state, version: version) }
            answer["milestones"] = state.milestoneTimings(asOf: today).map { entry -> Any in
                var milestone = reflectJSON(entry.milestone) as? [String: Any] ?? [:]
                milestone["timing"] = entry.timing?.rawValue ?? NSNull()
                return milestone
            }
            return try JSONOutput.reflected(answer, version: version)
        }
        command(v1, "products/:id/edit", Product.self) { _, body in
            .edit(productLine: try body.string("productLine", max: 100), name: try body.string("name", max: 500),
                  standardPrice: try body.decoded("standardPrice", Money.self))
        }
        command(v1, "products/:id/retire", Product.self) { _, body in .retire(reason: try body.optionalString("reason", max: 2000)) }
        command(v1, "products/:id/reactivate", Product.self) { _, _ in .reactivate }
        command(v1, "products/:id/milestones", Product.self) { _, body in
            .planMilestone(name: try body.string("name", max: 200), plannedDate: try day(body, "plannedDate"))
        }
        command(v1, "products/:id/milestones/reached", Product.self) { _, body in
            .reachMilestone(name: try body.string("name", max: 200), actualDate: try day(body, "actualDate"),
                            delayReason: try body.optionalString("delayReason", max: 2000))
        }
        command(v1, "products/:id/documents", Product.self) { _, body in
            .addDocumentVersion(title: try body.string("title", max: 200), version: try body.int("version", in: 1...1_000_000),
                                uri: try body.string("uri", max: 2000))
        }

        // A customer's ledger is addressed by the customer: its record id derives from the customer's. Every
        // write to it answers `Location: /v1/revenue/ledgers/<ledger id>`.
        let ledger: @Sendable (JSONObjectReader) throws -> UUID? = { RevenueLedger.id(customerID: try $0.uuid("customerId")) }
        create(v1, "revenue/entries", RevenueLedger.self, location: "/v1/revenue/ledgers", id: ledger) { [engine] _, body in
            .record(RevenueLedger.Entry(
                id: try body.optionalUUID("id") ?? engine.configuration.ids.next(), customerID: try body.uuid("customerId"),
                chargeItem: try body.string("chargeItem", max: 200), productID: try body.optionalUUID("productId"),
                businessLine: try body.string("businessLine", max: 100), date: try day(body, "date"),
                amount: try body.decoded("amount", Money.self), note: try body.optionalString("note", max: 2000)))
        }
        create(v1, "revenue/reversals", RevenueLedger.self, location: "/v1/revenue/ledgers", id: ledger) { [engine] _, body in
            .reverse(entryID: try body.uuid("entryId"), reversalID: try body.optionalUUID("id") ?? engine.configuration.ids.next(),
                            reason: try body.string("reason", max: 2000))
        }
        create(v1, "revenue/usage", RevenueLedger.self, location: "/v1/revenue/ledgers", id: ledger) { [engine] _, body in
            .recordUsage(RevenueLedger.UsageReading(
                id: try body.optionalUUID("id") ?? engine.configuration.ids.next(), customerID: try body.uuid("customerId"),
                meter: try body.string("meter", max: 100), periodStart: try day(body, "periodStart"), periodEnd: try day(body, "periodEnd"),
                quantity: try body.decoded("quantity", Decimal.self), unit: try body.string("unit", max: 32)))
        }
        record(v1, "revenue/ledgers/:id", RevenueLedger.self)
        // Revenue by dimension and period in one currency with growth and share (R-SAL-6): `by`, `period`,
        // `from`/`through` (months), `currency` (ISO 4217, default CNY).
        v1.get("revenue") { request, context in
            let principal = try context.requirePrincipal()
            let query = QueryParameters(request: request)
            guard let by = RevenueCube.Dimension(rawValue: query.string("by") ?? "month") else {
                throw Problem.invalid("by", "expected one of " + RevenueCube.Dimension.allCases.map(\.rawValue).joined(separator: ", "))
            }
            let period = try query.string("period").map { text in
                guard let period = RevenueCube.Period(rawValue: text) else {
                    throw Problem.invalid("period", "expected one of " + RevenueCube.Period.allCases.map(\.rawValue).joined(separator: ", "))
                }
                return period
            }
            let currency = try self.currency(query)
            let span = try months(query, "from", through: "through")
            let report = try await engine.revenue(RevenueQuery(by: by, period: period, from: span.lowerBound, through: span.upperBound, currency: currency),
                                                  as: principal, consistentWith: try query.position("consistentWith"))
            return try JSONOutput.reflected([
                "by": by.rawValue, "period": report.query.splitPeriod?.rawValue as Any, "currency": currency.rawValue,
                "from": span.lowerBound.description, "through": span.upperBound.description,
                "compareFrom": report.compareFrom.description, "compareThrough": report.compareThrough.description,
                "total": report.total, "items": report.rows,
            ] as [String: Any])
        }
    }

    /// A required month `YYYY-MM` from the query.
    func month(_ query: QueryParameters, _ name: String) throws -> RevenueMonth {
        guard let text = query.string(name), let month = RevenueMonth(text: text) else { throw Problem.invalid(name, "required: a month YYYY-MM") }
        return month
    }

    /// A required month `YYYY-MM` from the query that bounds a range of months (a report's `from` or
    /// `through`): one of ``RevenueQuery/monthsQueried`` (1900-01…9999-12, the engine's bound of a revenue
    /// query: nothing a report counts lies before 1900), else 400 naming `name`.
    func rangeMonth(_ query: QueryParameters, _ name: String) throws -> RevenueMonth {
        let month = try month(query, name)
        guard RevenueQuery.monthsQueried.contains(month) else {
            throw Problem.invalid(name, "a month from \(RevenueQuery.monthsQueried.lowerBound) to \(RevenueQuery.monthsQueried.upperBound)")
        }
        return month
    }

    /// The months from the query value `from` through `through`, both required (``rangeMonth(_:_:)``): 400
    /// naming `from` when it comes after `through` (never a range built the wrong way round, which traps).
    func months(_ query: QueryParameters, _ from: String, through: String) throws -> ClosedRange<RevenueMonth> {
        let first = try rangeMonth(query, from), last = try rangeMonth(query, through)
        guard first <= last else { throw Problem.invalid(from, "the first month comes after the last (\(from) is after \(through))") }
        return first...last
    }
}
