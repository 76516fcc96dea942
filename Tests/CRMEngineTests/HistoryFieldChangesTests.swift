import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import Foundation
import Testing

/// The modification history names the fields every kind of record changed (R-LOG-5: field, old → new, for
/// every record type): sales events driven through the engine show their fields, not only their event type.
@Suite struct HistoryFieldChangesTests {
    private func changes(_ f: EngineFixture, _ stream: StreamID) async throws -> [(type: String, changes: [FieldChange])] {
        let head = try await f.engine.store.headPosition()
        return try await f.engine.history(of: stream, as: f.admin, consistentWith: head).map { ($0.eventType, $0.changes) }
    }
    private func change(_ field: String, _ old: FieldValue?, _ new: FieldValue?) -> FieldChange { FieldChange(field: field, old: old, new: new) }

    @Test func anOpportunitysOpeningOutcomesAndReopeningNameTheirFields() async throws {
        let f = try await EngineFixture.make("history-fields-opportunity")
        defer { Task { await f.close() } }
        let customer = try await f.customer("Acme", branch: "head-office")
        let id = UUID.derived("opportunity", "acme")
        let details = Opportunity.Details(customerID: customer, title: "Boiler", source: "referral", expectedRevenue: Money(5000, .cny),
                                          closeDate: try EngineFixture.day("2026-03-31"))
        try await f.engine.execute(Opportunity.self, id: id, .open(opportunityID: id, details: details, pipeline: .default, stage: nil, owner: f.admin.id), as: f.admin)
        try await f.engine.execute(Opportunity.self, id: id, .overrideWinProbability(70, reason: "signed letter of intent"), as: f.admin)
        try await f.engine.execute(Opportunity.self, id: id, .win(reason: "best price"), as: f.admin)
        try await f.engine.execute(Opportunity.self, id: id, .reopen(stage: "inSales", reason: "budget cut"), as: f.admin)
        try await f.engine.execute(Opportunity.self, id: id, .lose(reason: "went elsewhere"), as: f.admin)

        let found = try await changes(f, Opportunity.stream(id))
        #expect(found.allSatisfy { !$0.changes.isEmpty }, "\(found.map(\.type))")
        let opened = try #require(found.first { $0.type == OpportunityOpened.eventType }).changes
        #expect(opened.contains(change("title", nil, .text("Boiler"))) && opened.contains(change("status", nil, .option("open"))))
        #expect(opened.contains(change("stage", nil, .option("maintainingRelationship"))))
        let overridden = try #require(found.first { $0.type == WinProbabilityOverridden.eventType }).changes
        #expect(overridden.contains(change("overrideReason", nil, .text("signed letter of intent"))))
        #expect(found.first { $0.type == OpportunityWon.eventType }?.changes
                == [change("status", .option("open"), .option("won")), change("closeReason", nil, .text("best price"))])
        #expect(found.first { $0.type == OpportunityReopened.eventType }?.changes
                == [change("status", .option("won"), .option("open")), change("stage", nil, .option("inSales")), change("reopenReason", nil, .text("budget cut"))])
        #expect(found.first { $0.type == OpportunityLost.eventType }?.changes
                == [change("status", .option("open"), .option("lost")), change("closeReason", nil, .text("went elsewhere"))])
    }

    @Test func aQuoteAndItsContractNameTheirFieldsFromDraftToTermination() async throws {
        let f = try await EngineFixture.make("history-fields-quote-contract")
        defer { Task { await f.close() } }
        let dora = try await f.hire("Dora", branch: "head-office", permissions: DefaultApprovalRoutingTests.everything)
        for (role, limit) in [("Administrator", 5), ("role of Dora", 30)] {
            try await f.engine.execute(Settings.self, id: UUID(), .setDiscountLimit(DiscountLimit(role: role, maxPercent: Decimal(limit))), as: f.admin)
        }
        let customer = try await f.customer("Acme", branch: "head-office")
        try await f.meterProduct()
        var draft = ScopeTestsPart2.draft
        draft.discountPercent = 20
        let quote = UUID.derived("quote", "history-fields")
        try await f.engine.execute(Quote.self, id: quote, .create(
            quoteID: quote, customerID: customer, customerCode: "ACME", date: try EngineFixture.day("2026-01-02"), sequence: 1,
            draft: draft, authorRole: "Administrator", limits: []), as: f.admin)
        draft.discountPercent = 25
        try await f.engine.execute(Quote.self, id: quote, .revise(draft: draft, authorRole: "Administrator", limits: []), as: f.admin)
        try await f.engine.execute(Quote.self, id: quote, .approve(approverRole: "role of Dora", limits: []), as: dora)
        try await f.engine.execute(Quote.self, id: quote, .send, as: f.admin)
        try await f.engine.execute(Quote.self, id: quote, .accept, as: f.admin)

        let quoted = try await changes(f, Quote.stream(quote))
        #expect(quoted.allSatisfy { !$0.changes.isEmpty }, "\(quoted.map(\.type))")
        let created = try #require(quoted.first { $0.type == QuoteCreated.eventType }).changes
        #expect(created.contains(change("discountPercent", nil, .number(20))) && created.contains(change("status", nil, .option("pendingApproval"))))
        #expect(created.contains(change("lines", nil, .list(["Meter × 2 @ 100 CNY"]))))
        #expect(created.contains(change("total", nil, .money(Money(160, .cny)))))
        let revised = try #require(quoted.first { $0.type == QuoteRevised.eventType }).changes
        #expect(revised.contains(change("revision", .number(1), .number(2))) && revised.contains(change("discountPercent", .number(20), .number(25))))
        let approved = try #require(quoted.first { $0.type == QuoteApproved.eventType }).changes
        #expect(approved.first == change("status", .option("pendingApproval"), .option("approved")))
        #expect(approved.contains(change("approvedDiscountPercent", nil, .number(25))))
        #expect(quoted.first { $0.type == QuoteSent.eventType }?.changes == [change("status", .option("approved"), .option("sent"))])
        #expect(quoted.first { $0.type == QuoteAccepted.eventType }?.changes
                == [change("status", nil, .option("accepted")), change("acceptedTotal", nil, .money(Money(150, .cny)))])

        let contract = UUID.derived("contract", "history-fields")
        let terms = Contract.Terms(effective: try EngineFixture.day("2026-02-01"), serviceStart: try EngineFixture.day("2026-02-01"),
                                   expiry: try EngineFixture.day("2027-01-31"))
        let lines = [Contract.Line(productID: UUID.derived("product", "meter"), name: "Meter", quantity: 2, unitPrice: Money(75, .cny))]
        try await f.engine.execute(Contract.self, id: contract, .draft(
            id: contract, customerID: customer, owner: f.admin.id, branch: nil, title: "Supply", quoteID: quote, quoteNumber: "",
            lines: lines, terms: terms), as: f.admin)
        var more = lines
        more[0].quantity = 3
        try await f.engine.execute(Contract.self, id: contract, .changeLines(more), as: f.admin)
        try await f.engine.execute(Contract.self, id: contract, .submitForApproval, as: f.admin)
        try await f.engine.execute(Contract.self, id: contract, .approve(note: "fine"), as: dora)
        try await f.engine.execute(Contract.self, id: contract, .activate, as: f.admin)
        try await f.engine.execute(Contract.self, id: contract, .terminate(reason: "customer moved", lastDay: try EngineFixture.day("2026-06-30")), as: f.admin)

        let contracted = try await changes(f, Contract.stream(contract))
        #expect(contracted.allSatisfy { !$0.changes.isEmpty }, "\(contracted.map(\.type))")
        let drafted = try #require(contracted.first { $0.type == ContractDrafted.eventType }).changes
        #expect(drafted.contains(change("title", nil, .text("Supply"))) && drafted.contains(change("status", nil, .option("draft"))))
        #expect(drafted.contains(change("expiry", nil, .date(try EngineFixture.day("2027-01-31")))))
        #expect(contracted.first { $0.type == ContractLinesChanged.eventType }?.changes
                == [change("lines", .list(["Meter × 2 @ 75 CNY"]), .list(["Meter × 3 @ 75 CNY"]))])
        #expect(contracted.first { $0.type == ContractSubmittedForApproval.eventType }?.changes == [change("status", nil, .option("pendingApproval"))])
        #expect(contracted.first { $0.type == ContractApproved.eventType }?.changes
                == [change("status", .option("pendingApproval"), .option("approved")), change("approvalNote", nil, .text("fine"))])
        #expect(contracted.first { $0.type == ContractActivated.eventType }?.changes == [change("status", .option("approved"), .option("active"))])
        #expect(contracted.first { $0.type == ContractTerminated.eventType }?.changes
                == [change("status", nil, .option("terminated")), change("terminationReason", nil, .text("customer moved")),
                    change("lastDay", nil, .date(try EngineFixture.day("2026-06-30")))])
    }

    @Test func revenueEntriesTheirReversalAndLoyaltyPointsNameTheirFields() async throws {
        let f = try await EngineFixture.make("history-fields-revenue-loyalty")
        defer { Task { await f.close() } }
        let customer = try await f.customer("Acme", branch: "head-office")
        let ledger = RevenueLedger.id(customerID: customer)
        let entry = UUID.derived("entry", "history-fields"), reversal = UUID.derived("reversal", "history-fields")
        try await f.engine.execute(RevenueLedger.self, id: ledger, .record(RevenueLedger.Entry(
            id: entry, customerID: customer, chargeItem: "monthly fee", businessLine: "gas", date: try EngineFixture.day("2026-01-05"),
            amount: Money(80, .cny))), as: f.admin)
        try await f.engine.execute(RevenueLedger.self, id: ledger, .reverse(entryID: entry, reversalID: reversal, reason: "billed twice"), as: f.admin)
        let revenue = try await changes(f, RevenueLedger.stream(ledger))
        let recorded = try #require(revenue.first { $0.type == RevenueEntryRecorded.eventType }).changes
        let path = "entries.\(entry.lowercasedString)."
        #expect(recorded.contains(change(path + "amount", nil, .money(Money(80, .cny)))) && recorded.contains(change(path + "chargeItem", nil, .text("monthly fee"))))
        let reversed = try #require(revenue.first { $0.type == RevenueEntryReversed.eventType }).changes
        let reversalPath = "entries.\(reversal.lowercasedString)."
        #expect(reversed.contains(change(reversalPath + "amount", nil, .money(Money(-80, .cny)))))
        #expect(reversed.contains(change(reversalPath + "reversalOf", nil, .id(entry))) && reversed.contains(change(reversalPath + "reason", nil, .text("billed twice"))))

        try await f.engine.execute(LoyaltyAccount.self, id: customer, .accrue(
            customerID: customer, points: 50, source: .manual, sourceReference: "goodwill-1", reason: "goodwill",
            earnedOn: try EngineFixture.day("2026-01-01"), expiresOn: nil), as: f.admin)
        let redemption = UUID.derived("redemption", "history-fields")
        try await f.engine.execute(LoyaltyAccount.self, id: customer, .redeem(redemptionID: redemption, points: 10, reason: "gift",
                                                                               on: try EngineFixture.day("2026-01-01")), as: f.admin)
        let head = try await f.engine.store.headPosition()
        let points = try await f.engine.history(ofCustomer: customer, as: f.admin, limit: 1_000, consistentWith: head)
            .filter { $0.eventType == PointsAccrued.eventType || $0.eventType == PointsRedeemed.eventType }
        #expect(points.count == 2)
        let accrued = try #require(points.first { $0.eventType == PointsAccrued.eventType }).changes
        #expect(accrued.contains { $0.field.hasSuffix(".points") && $0.old == nil && $0.new == .number(50) })
        #expect(accrued.contains { $0.field.hasSuffix(".source") && $0.new == .option("manual") })
        let redeemed = try #require(points.first { $0.eventType == PointsRedeemed.eventType }).changes
        #expect(redeemed.prefix(2) == [change("redemptions.\(redemption.lowercasedString).points", nil, .number(10)),
                                       change("redemptions.\(redemption.lowercasedString).reason", nil, .text("gift"))])
        #expect(redeemed.contains { $0.field.hasSuffix(".drawn") && $0.new == .number(10) })
    }

    /// A new event type cannot be forgotten: every domain payload type names its fields in the history or is
    /// on the documented list of those with nothing to name.
    @Test func everyDomainEventTypeNamesItsFieldsOrIsListedWithItsReason() {
        let exempt = HistoryWithoutFieldChanges.eventTypes
        let missing = CRMEvents.payloadTypes.filter { !($0 is any HasFieldChanges.Type) && exempt[$0.eventType] == nil }.map { $0.eventType }
        #expect(missing.isEmpty, "event types the history shows without their fields: \(missing.sorted())")
        let known = Set(CRMEvents.payloadTypes.map { $0.eventType })
        let conforming = Set(CRMEvents.payloadTypes.filter { $0 is any HasFieldChanges.Type }.map { $0.eventType })
        #expect(Set(exempt.keys).isSubset(of: known) && Set(exempt.keys).isDisjoint(with: conforming), "the list names only domain types that do not conform")
        #expect(exempt.values.allSatisfy { !$0.isEmpty })
    }
}
