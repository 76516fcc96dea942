import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import Foundation
import Testing

/// A quote revision's history entry shows the terms it changed old → new (R-LOG-5), though `QuoteRevised`
/// holds only the new revision: the history read takes the old terms from the revision it replaced — on the
/// whole history and on a page that starts after that revision alike (a record's page, a customer's page).
@Suite struct QuoteRevisionHistoryTests {
    private func change(_ field: String, _ old: FieldValue?, _ new: FieldValue?) -> FieldChange { FieldChange(field: field, old: old, new: new) }

    @Test func aRevisionShowsTheTermsItChangedOldToNewOnEveryHistoryPage() async throws {
        let f = try await EngineFixture.make("quote-revision-history")
        let customer = try await f.customer("Acme", branch: "head-office")
        try await f.meterProduct()
        var draft = ScopeTestsPart2.draft
        draft.discountPercent = 20
        let quote = UUID.derived("quote", "revision-history")
        try await f.engine.execute(Quote.self, id: quote, .create(
            quoteID: quote, customerID: customer, customerCode: "ACME", date: try EngineFixture.day("2026-01-02"), sequence: 1,
            draft: draft, authorRole: "Administrator", limits: []), as: f.admin)
        draft.discountPercent = 25
        try await f.engine.execute(Quote.self, id: quote, .revise(draft: draft, authorRole: "Administrator", limits: []), as: f.admin)
        draft.lines[0].quantity = 3
        let last = try await f.engine.execute(Quote.self, id: quote, .revise(draft: draft, authorRole: "Administrator", limits: []), as: f.admin)
        let head = try await f.engine.store.headPosition()

        let whole = try await f.engine.history(of: Quote.stream(quote), as: f.admin, consistentWith: head)
        let revisions = whole.filter { $0.eventType == QuoteRevised.eventType }
        try #require(revisions.count == 2)
        let second = revisions[0].changes, third = revisions[1].changes
        #expect(second.contains(change("revision", .number(1), .number(2))))
        #expect(second.contains(change("discountPercent", .number(20), .number(25))))
        #expect(second.contains(change("total", .money(Money(160, .cny)), .money(Money(150, .cny)))))
        #expect(!second.contains { $0.field == "lines" }, "unchanged terms are not named: \(second)")
        #expect(third.contains(change("lines", .list(["Meter × 2 @ 100 CNY"]), .list(["Meter × 3 @ 100 CNY"]))))
        #expect(third.contains(change("total", .money(Money(150, .cny)), .money(Money(225, .cny)))))
        #expect(!third.contains { $0.field == "discountPercent" }, "\(third)")

        // A page of the record's history that starts at a revision: the same changes.
        for entry in revisions {
            let page = try await f.engine.history(of: Quote.stream(quote), as: f.admin, after: StreamVersion(entry.version.rawValue - 1), limit: 1,
                                                  consistentWith: head)
            #expect(page.map(\.changes) == [entry.changes])
        }
        // The customer's history, newest first, one entry: the last revision, old → new.
        let latest = try await f.engine.latestHistory(ofCustomer: customer, as: f.admin, limit: 1, consistentWith: head)
        #expect(latest.map(\.position) == [last.position] && latest.map(\.changes) == [third])
        // And forward from just before it.
        let forward = try await f.engine.history(ofCustomer: customer, as: f.admin, after: GlobalPosition(last.position.rawValue - 1), limit: 1,
                                                 consistentWith: head)
        #expect(forward.map(\.changes) == [third])
        await f.close()
    }

    @Test func aRevisionWithoutItsPredecessorShowsItsTermsFromNothing() {
        let line = QuoteLine(productID: UUID.derived("product", "meter"), productName: "Meter", unitPrice: Money(100, .cny), quantity: 2)
        func revision(_ number: Int, discount: Decimal) -> QuoteRevision {
            QuoteRevision(number: number, draft: QuoteDraft(lines: [line], discountPercent: discount), author: "a", authorRole: "r",
                          authorLimit: nil, needsApproval: false, createdAt: Date(timeIntervalSince1970: 0))
        }
        let revised = QuoteRevised(quoteID: UUID.derived("quote", "q"), revision: revision(3, discount: 10))
        #expect(revised.fieldChanges.contains(change("discountPercent", nil, .number(10))))
        // Not the revision it replaced (number 2): not compared with.
        #expect(revised.fieldChanges(replacing: revision(1, discount: 5)) == revised.fieldChanges)
        #expect(revised.fieldChanges(replacing: revision(2, discount: 5)).contains(change("discountPercent", .number(5), .number(10))))
    }
}
