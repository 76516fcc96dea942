import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import Foundation
import Hummingbird

extension Routes {
    /// Opportunities, quotes and contracts.
    func addSalesRoutes(to v1: Group) {
        create(v1, "opportunities", Opportunity.self) { id, body in
            .open(opportunityID: id, details: Opportunity.Details(
                    customerID: try body.uuid("customerId"), title: try body.string("title", max: 500), source: try body.string("source", max: 100),
                    expectedRevenue: try body.decoded("expectedRevenue", Money.self), closeDate: try day(body, "closeDate")),
                  pipeline: try body.optionalDecoded("pipeline", Pipeline.self) ?? .default, stage: try body.optionalString("stage", max: 100),
                  owner: try body.optionalString("owner", max: 100) ?? "", productLine: try body.optionalString("productLine", max: 100),
                  contacts: try uuids(body, "contacts"))
        }
        v1.get("opportunities") { request, context in
            let principal = try context.requirePrincipal()
            let query = QueryParameters(request: request)
            let owner = query.string("owner") ?? principal.id
            let rows = try await engine.pipeline(owner: owner, as: principal, consistentWith: try query.position("consistentWith"))
            // Each row with the probability the forecast (`/v1/opportunities/totals`) weights it by, and where that comes from.
            return try page(rows, key: { "\($0.pipeline)\u{0}\(String(100_000 + $0.stageIndex))\u{0}\($0.opportunityID.uuidString)" }, request: request,
                            path: "/v1/opportunities", query: "owner=\(escaped(owner))&") { row in
                var object = reflectJSON(row) as? [String: Any] ?? [:]
                object["probability"] = reflectJSON(row.probability)
                object["probabilitySource"] = row.probabilitySource.rawValue
                return object
            }
        }
        v1.get("opportunities/totals") { request, context in
            let principal = try context.requirePrincipal()
            let query = QueryParameters(request: request)
            let totals = try await engine.pipelineTotals(owner: query.string("owner"), as: principal, consistentWith: try query.position("consistentWith"))
            return try JSONOutput.reflected(["items": totals])
        }
        record(v1, "opportunities/:id", Opportunity.self)
        command(v1, "opportunities/:id/edit", Opportunity.self) { _, body in
            .edit(title: try body.string("title", max: 500), source: try body.string("source", max: 100),
                  expectedRevenue: try body.decoded("expectedRevenue", Money.self), closeDate: try day(body, "closeDate"))
        }
        // A suggestion computed from today's closed opportunities: no `asOf` (400).
        v1.get("opportunities/:id/win-probability") { request, context in
            try refuseAsOf(request)
            let query = QueryParameters(request: request)
            let suggestion = try await engine.winProbabilitySuggestion(for: try pathID(context), minimumSample: try minimumSample(query),
                                                                       as: try context.requirePrincipal(), consistentWith: try query.position("consistentWith"))
            return try JSONOutput.reflected(["suggestion": suggestion as Any])
        }
        v1.post("opportunities/:id/win-probability/suggest") { request, context in
            let body = try await body(request)
            let sample = try body.optionalInt("minimumSample", in: 1...10_000) ?? 5
            try body.finish()
            let suggestion = try await engine.suggestWinProbability(for: try pathID(context), minimumSample: sample, as: try writer(request, context))
            return try JSONOutput.reflected(["suggestion": suggestion as Any])
        }
        // Contact persons of the customer the opportunity names (R-CUS-3); the engine checks each is the customer's.
        command(v1, "opportunities/:id/contacts", Opportunity.self) { _, body in .addContacts(try requiredUUIDs(body, "contacts")) }
        command(v1, "opportunities/:id/contacts/remove", Opportunity.self) { _, body in .removeContacts(try requiredUUIDs(body, "contacts")) }
        command(v1, "opportunities/:id/product-line", Opportunity.self) { _, body in .setProductLine(try body.optionalString("productLine", max: 100)) }
        command(v1, "opportunities/:id/stage", Opportunity.self) { _, body in .moveToStage(try body.string("stage", max: 100)) }
        command(v1, "opportunities/:id/assign", Opportunity.self) { _, body in
            .assignByManager(owner: try body.string("owner", max: 100), reason: try body.optionalString("reason", max: 2000))
        }
        command(v1, "opportunities/:id/probability", Opportunity.self) { _, body in
            .overrideWinProbability(try body.decoded("percent", Decimal.self), reason: try body.string("reason", max: 2000))
        }
        command(v1, "opportunities/:id/win", Opportunity.self) { _, body in .win(reason: try body.string("reason", max: 2000)) }
        command(v1, "opportunities/:id/lose", Opportunity.self) { _, body in .lose(reason: try body.string("reason", max: 2000)) }
        command(v1, "opportunities/:id/reopen", Opportunity.self) { _, body in
            .reopen(stage: try body.string("stage", max: 100), reason: try body.string("reason", max: 2000))
        }

        // Without `customerCode` and `sequence` the engine numbers the quote (the customer's code from its id,
        // the day's next free sequence). Without `date` the quote is of today in its customer's branch calendar,
        // read after the body's fields (async: not `create`'s), as the loyalty routes' days are.
        v1.post("quotes") { request, context in
            let body = try await body(request)
            let id = try newID(body, request, context)
            let customerID = try body.uuid("customerId")
            let customerCode = try body.optionalString("customerCode", max: 32) ?? ""
            let date = try body.optionalDay("date")
            let sequence = try body.optionalInt("sequence", in: 1...999_999) ?? 0
            let draft = try body.decoded("draft", QuoteDraftInput.self).draft
            let authorRole = try body.string("authorRole", max: 100)
            try body.finish()
            let day = if let date { date } else { try await engine.today(ofCustomer: customerID) }
            let command = Quote.Command.create(quoteID: id, customerID: customerID, customerCode: customerCode, date: day, sequence: sequence,
                                               draft: draft, authorRole: authorRole, limits: [])
            return try await execute(Quote.self, id: id, command, request: request, context: context, created: "/v1/quotes", body: body)
        }
        v1.get("quotes") { request, context in
            let view = try await customerView(request, context)
            return try page(view.openQuotes + view.closedQuotes, key: { $0.id.uuidString }, request: request, path: "/v1/quotes",
                            query: "customerId=\(view.profile.id.lowercasedString)&")
        }
        record(v1, "quotes/:id", Quote.self)
        command(v1, "quotes/:id/revise", Quote.self) { _, body in
            .revise(draft: try body.decoded("draft", QuoteDraftInput.self).draft, authorRole: try body.string("authorRole", max: 100), limits: [])
        }
        command(v1, "quotes/:id/approve", Quote.self) { _, body in .approve(approverRole: try body.string("approverRole", max: 100), limits: []) }
        command(v1, "quotes/:id/send-back", Quote.self) { _, body in .sendBack(reason: try body.string("reason", max: 2000)) }
        command(v1, "quotes/:id/send", Quote.self) { _, _ in .send }
        command(v1, "quotes/:id/accept", Quote.self) { _, _ in .accept }
        command(v1, "quotes/:id/reject", Quote.self) { _, body in .reject(reason: try body.string("reason", max: 2000)) }

        // Without `lines` the contract takes its accepted quote's, at the prices the quote agreed (the engine's rule).
        create(v1, "contracts", Contract.self) { id, body in
            .draft(id: id, customerID: try body.uuid("customerId"), owner: try body.string("owner", max: 100),
                   branch: try body.optionalString("branch", max: 100), title: try body.string("title", max: 500),
                   quoteID: try body.uuid("quoteId"), quoteNumber: "", lines: try body.optionalDecoded("lines", [Contract.Line].self) ?? [],
                   terms: try body.decoded("terms", Contract.Terms.self))
        }
        v1.get("contracts") { request, context in
            let view = try await customerView(request, context)
            return try page(view.contracts + view.endedContracts, key: { $0.id.uuidString }, request: request, path: "/v1/contracts",
                            query: "customerId=\(view.profile.id.lowercasedString)&")
        }
        record(v1, "contracts/:id", Contract.self)
        command(v1, "contracts/:id/lines", Contract.self) { _, body in .changeLines(try body.decoded("lines", [Contract.Line].self)) }
        command(v1, "contracts/:id/terms", Contract.self) { _, body in .changeTerms(try body.decodedAll(Contract.Terms.self)) }
        command(v1, "contracts/:id/negotiations", Contract.self) { _, body in .recordNegotiation(note: try body.string("note")) }
        command(v1, "contracts/:id/submit", Contract.self) { _, _ in .submitForApproval }
        command(v1, "contracts/:id/activate", Contract.self) { _, _ in .activate }
        command(v1, "contracts/:id/renew", Contract.self) { _, body in .renew(termMonths: try body.optionalInt("termMonths", in: 1...120)) }
        // The engine judges a person's expiry on its own clock's day in the contract's branch calendar: a `today`
        // in the body (once required) is read for compatibility and ignored.
        command(v1, "contracts/:id/expire", Contract.self) { [engine] _, body in
            _ = try body.optionalDay("today")
            return .expire(today: LocalCalendar.utc.localDate(of: engine.configuration.clock.now()))
        }
        command(v1, "contracts/:id/terminate", Contract.self) { _, body in
            .terminate(reason: try body.string("reason", max: 2000), lastDay: try day(body, "lastDay"))
        }
        // Before approval (a draft, in negotiation or waiting for approval); closes a waiting approval.
        command(v1, "contracts/:id/cancel", Contract.self) { _, body in .cancel(reason: try body.string("reason", max: 2000)) }
    }

    /// A quote draft as a body gives it: a line's `productName` and `unitPrice` may be left out — the engine
    /// takes them from the catalog (or from the current revision's line of the product), and judges any given.
    struct QuoteDraftInput: Codable {
        struct Line: Codable {
            var productID: UUID
            var productName: String?
            var unitPrice: Money?
            var quantity: Decimal
            var discountPercent: Decimal?
        }
        var lines: [Line]
        var discountPercent: Decimal?
        var validUntil: LocalDate?
        var note: String?

        var draft: QuoteDraft {
            QuoteDraft(lines: lines.map { line in
                guard let price = line.unitPrice else {
                    return QuoteLine.unpriced(productID: line.productID, quantity: line.quantity, discountPercent: line.discountPercent ?? 0)
                }
                return QuoteLine(productID: line.productID, productName: line.productName ?? "", unitPrice: price, quantity: line.quantity,
                                 discountPercent: line.discountPercent ?? 0)
            }, discountPercent: discountPercent ?? 0, validUntil: validUntil, note: note)
        }
    }

    /// A required, non-empty array of UUIDs (each named `field[i]` when invalid).
    func requiredUUIDs(_ body: JSONObjectReader, _ key: String) throws -> [UUID] {
        let ids = try uuids(body, key)
        guard !ids.isEmpty else { throw Problem.invalid(key, "required: at least one id") }
        return ids
    }

    /// A required day `YYYY-MM-DD`.
    func day(_ body: JSONObjectReader, _ key: String) throws -> LocalDate {
        guard let day = try body.optionalDay(key) else { throw Problem.invalid(key, "required") }
        return day
    }

    /// The smallest history a win-rate group needs (`minimumSample`, default 5).
    func minimumSample(_ query: QueryParameters) throws -> Int {
        guard let text = query.string("minimumSample") else { return 5 }
        guard let value = Int(text), (1...10_000).contains(value) else { throw Problem.invalid("minimumSample", "a whole number from 1 to 10000") }
        return value
    }

    /// A query value as it may follow `name=` in a link.
    func escaped(_ value: String) -> String { PagedList.escaped(value) }
}
