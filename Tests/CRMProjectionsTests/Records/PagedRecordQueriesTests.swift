import CRMDomain
import CRMProjections
import EventSourcing
import Foundation
import Testing

/// The record queries' pages: keyword search and the contact and visit log (its logs and its word search)
/// page in their documented order after a cursor, `include` is applied before the limit, and a page says
/// whether more follow.
@Suite struct PagedRecordQueriesTests {
    let north = UUID.derived("customer", "north")
    let south = UUID.derived("customer", "south")

    func sampleLog() -> TestLog {
        var log = TestLog()
        log.add(created(north, name: "Gas North"), on: Customer.stream(north))
        log.add(created(south, name: "Gas South", branch: "south"), on: Customer.stream(south))
        for n in 0..<5 {
            let id = UUID.derived("log", "\(n)")
            log.add(ContactLogged(entryID: id, customerID: n == 2 ? south : north, details: .init(
                channel: .phone, subject: "Gas meter \(n)", occurredAt: t0.addingTimeInterval(Double(n) * day))), on: ContactLogEntry.stream(id))
            let contact = UUID.derived("contact", "\(n)")
            log.add(ContactCreated(contactID: contact, customerID: n == 2 ? south : north, name: "Gas fitter \(n)", role: .other),
                    on: Contact.stream(contact))
        }
        return log
    }

    @Test func keywordSearchPagesFollowTheSearchOrderAndAdmitBeforeCounting() throws {
        let views = try sampleLog().views(KeywordIndex())
        let whole = try KeywordIndex.search("gas", in: views, limit: 100)
        var walked: [SearchHit] = []
        var page = try KeywordIndex.search("gas", in: views, after: nil, limit: 3)
        walked += page.items
        while let next = page.next {
            #expect(page.items.count == 3)
            page = try KeywordIndex.search("gas", in: views, after: next, limit: 3)
            walked += page.items
        }
        #expect(walked == whole && whole.count == 7)
        // Best first: the customers (own text and name) before the contacts, by title within a kind.
        #expect(whole.prefix(2).map(\.title) == ["Gas North", "Gas South"])
        let northOnly = try KeywordIndex.search("gas", in: views, after: nil, limit: 10) { $0.scope.branch == "north" }
        #expect(northOnly.items.count == 5 && northOnly.next == nil)
        #expect(try KeywordIndex.search("gas", in: views, after: nil, limit: 5) { $0.scope.branch == "north" }.next == nil)
    }

    @Test func theLogAndItsWordSearchPageNewestFirstAndSayWhetherMoreFollow() throws {
        let views = try sampleLog().views(ContactVisitLog())
        let newest = (0..<5).reversed().map { "Gas meter \($0)" }
        let ofNorth = newest.filter { $0 != "Gas meter 2" }
        let first = try ContactVisitLog.log(ofCustomer: north, in: views, limit: 2)
        let last = try ContactVisitLog.log(ofCustomer: north, in: views, after: first.cursor, limit: 2)
        #expect(first.more && !last.more && (first.entries + last.entries).map(\.subject) == ofNorth)
        let admitted = try ContactVisitLog.log(ofEmployee: "emp-1", in: views, limit: 4) { $0.scope.branch == "north" }
        #expect(admitted.entries.map(\.subject) == ofNorth && !admitted.more)
        var walked: [String] = []
        var page = try ContactVisitLog.search("meter", in: views, after: nil, limit: 2)
        walked += page.items.map(\.subject)
        while let next = page.next {
            page = try ContactVisitLog.search("meter", in: views, after: next, limit: 2)
            walked += page.items.map(\.subject)
        }
        #expect(walked == newest)
        #expect(try ContactVisitLog.search("meter", in: views, after: nil, limit: 5).next == nil)
    }
}
