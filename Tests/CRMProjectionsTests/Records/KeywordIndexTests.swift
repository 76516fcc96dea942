import CRMDomain
@testable import CRMProjections
import EventSourcing
import Foundation
import Testing

@Suite struct KeywordIndexTests {
    let gas = UUID.derived("customer", "gas")
    let bank = UUID.derived("customer", "bank")
    let projection = KeywordIndex()

    @Test func asciiWordCharactersAreThoseOfTheUnicodeProperties() {
        for value in 0..<0x80 as Range<UInt32> {
            guard let s = Unicode.Scalar(value) else { continue }
            #expect(Keywords.isWordScalar(s) == (s.properties.isAlphabetic || s.properties.numericType != nil), "U+\(value)")
        }
        #expect(Keywords.isWordScalar("é") && Keywords.isWordScalar("٣") && !Keywords.isWordScalar("。"))
    }

    @Test func termsFoldCaseAndWidthAndSplitCJKIntoCharactersAndBigrams() {
        #expect(Keywords.terms(in: "Acme Ｇａｓ-Co") == ["acme", "co", "gas"])
        #expect(Keywords.terms(in: "北京燃气") == ["京", "京燃", "北", "北京", "气", "燃", "燃气"])
        #expect(Keywords.terms(in: "ABC北京") == ["abc", "京", "北", "北京"])
        #expect(Keywords.queryTerms("北京 GAS") == ["gas", "北京"])
        #expect(Keywords.queryTerms("燃") == ["燃"])
        #expect(Keywords.fold("Café ＡＢＣ") == "cafe abc")
    }

    func sampleLog() -> TestLog {
        var log = TestLog()
        log.add(created(gas, name: "北京燃气 Acme"), on: Customer.stream(gas))
        log.add(created(bank, name: "Beijing Bank", branch: "south"), on: Customer.stream(bank))
        let opp = UUID.derived("opp", "1"), ticket = UUID.derived("ticket", "1"), quote = UUID.derived("quote", "1")
        let contact = UUID.derived("contact", "1"), campaign = UUID.derived("campaign", "1")
        log.add(OpportunityOpened(opportunityID: opp, details: .init(customerID: gas, title: "Boiler upgrade", source: "web",
                                                                     expectedRevenue: Money(1, .cny), closeDate: LocalDate("2026-05-01")!),
                                  pipeline: .default, stage: "opportunityFound", owner: "emp-1"), on: Opportunity.stream(opp))
        log.add(TicketOpened(ticketID: ticket, channel: .phone, kind: .complaint, severity: .low, customerID: gas, subject: "燃气表故障",
                             department: "repair", openedAt: t0, responseDueAt: t0, resolutionDueAt: t0), on: Ticket.stream(ticket))
        log.add(QuoteCreated(quoteID: quote, customerID: gas, customerCode: "BJG", number: "Q-BJG-20260101-001",
                             revision: QuoteRevision(number: 1, draft: QuoteDraft(lines: []), author: "emp-1", authorRole: "salesManager",
                                                     authorLimit: 15, needsApproval: false, createdAt: t0)), on: Quote.stream(quote))
        log.add(ContactCreated(contactID: contact, customerID: bank, name: "Wang Acme", role: .primary), on: Contact.stream(contact))
        log.add(CampaignPlanned(campaignID: campaign, name: "Winter safety", objective: "Check meters", owner: "emp-9",
                                budget: Money(100, .cny), start: LocalDate("2026-01-01")!, end: LocalDate("2026-02-01")!, plannedAt: t0),
                on: Campaign.stream(campaign))
        log.add(CampaignTargetsSelected(campaignID: campaign, list: .init(id: UUID.derived("list"), criteria: "all", customerIDs: [gas]),
                                        by: "emp-9", at: t0), on: Campaign.stream(campaign))
        return log
    }

    @Test func aCustomerNameFindsItsRecordsAcrossModules() throws {
        let views = try sampleLog().views(projection)
        let hits = try KeywordIndex.search("北京燃气", in: views)
        #expect(hits.first?.kind == .customer)
        #expect(hits.first?.score == 6)
        #expect(Set(hits.map(\.kind)) == [.customer, .opportunity, .ticket, .quote, .campaign])
        let ticket = try #require(hits.first { $0.kind == .ticket })
        #expect(ticket.score == 2 + 1 + 1)  // 燃气 in its own subject and the name; 北京 and 京燃 only in the name
        #expect(ticket.scope.branch == "north")
        #expect(ticket.customerID == gas)
    }

    @Test func allTermsAreRequiredAndOwnTextRanksFirst() throws {
        let views = try sampleLog().views(projection)
        let acme = try KeywordIndex.search("ACME", in: views)
        // Own text first (the customer before the contact on a tie), then records through their customer's name.
        #expect(acme.prefix(2).map(\.title) == ["北京燃气 Acme", "Wang Acme"])
        #expect(acme.dropFirst(2).allSatisfy { $0.score == 1 })
        #expect(acme.dropFirst(2).map(\.kind) == [.ticket, .opportunity, .quote, .campaign])
        #expect(try KeywordIndex.search("acme boiler", in: views).map(\.title) == ["Boiler upgrade"])
        #expect(try KeywordIndex.search("acme nothing", in: views).isEmpty)
        #expect(try KeywordIndex.search("故", in: views).map(\.kind) == [.ticket])
        #expect(try KeywordIndex.search("q-bjg-20260101-001", in: views).map(\.kind) == [.quote])
        #expect(try KeywordIndex.search("  ", in: views).isEmpty)
    }

    @Test func aRenameReplacesTheOldTermsOfTheCustomerAndItsRecords() throws {
        var log = sampleLog()
        log.add(CustomerEdited(customerID: gas, changes: [FieldChange(field: "name", old: .text("北京燃气 Acme"), new: .text("Tianjin Gas"))]),
                on: Customer.stream(gas))
        let views = try log.views(projection)
        #expect(try KeywordIndex.search("北京燃气", in: views).isEmpty)
        #expect(Set(try KeywordIndex.search("tianjin", in: views).map(\.kind)) == [.customer, .opportunity, .ticket, .quote, .campaign])
        #expect(try KeywordIndex.search("燃气", in: views).map(\.kind) == [.ticket])
    }

    @Test func batchingDoesNotChangeTheRows() throws {
        var log = sampleLog()
        log.add(CustomerEdited(customerID: gas, changes: [FieldChange(field: "name", old: .text("x"), new: .text("Tianjin Gas"))]),
                on: Customer.stream(gas))
        #expect(try log.views(projection).tables == log.views(projection, batches: 2).tables)
    }
}

@Suite struct RecordsProjectionsTests {
    @Test func namesAreUniqueAndEveryReadEventTypeIsRegistered() throws {
        let names = RecordsProjections.all.map(\.name)
        #expect(Set(names).count == names.count)
        let registered = Set(try CRMEvents.registry().eventTypes)
        for projection in RecordsProjections.all {
            #expect((projection.eventTypes ?? []).isSubset(of: registered), "\(projection.name)")
        }
    }
}
