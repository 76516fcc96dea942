import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import NIOHTTP1
import Testing

/// The lists that page with a cursor bound to the list: the activity, the keyword search, the outbox and
/// the read audit walk to their end a page at a time, each item once and in the documented order; a
/// cursor of another list (or of the same list with other filters) is refused like a garbled one; and the
/// report currency is checked against ISO 4217.
@Suite(.serialized) struct PagedListTests {
    /// One walk along `next` links: the items of every page, the cursor of the first page.
    struct Walk {
        var items: [[String: Any]] = []
        var pages = 0
        var firstCursor: String?
    }

    /// Follows `next` from `first` to the last page; every page but the last is full (`limit`), and a page
    /// has a cursor exactly when it has a `next` link.
    func walk(_ s: LiveServer, _ first: String, limit: Int, sourceLocation: SourceLocation = #_sourceLocation) async throws -> Walk {
        var walk = Walk()
        var next: String? = first + (first.contains("?") ? "&" : "?") + "limit=\(limit)"
        while let path = next, walk.pages < 20 {
            let page = try await s.expect(.GET, path, sourceLocation: sourceLocation)
            let items = (page.json["items"] as? [[String: Any]]) ?? []
            next = text(page.json["next"])
            let after = text(page.json["after"])
            #expect((after == nil) == (next == nil), "\(path): \(page.text.prefix(300))", sourceLocation: sourceLocation)
            #expect(next == nil ? items.count <= limit : items.count == limit, "\(path): \(items.count) items", sourceLocation: sourceLocation)
            if walk.pages == 0 { walk.firstCursor = after }
            walk.items += items
            walk.pages += 1
        }
        #expect(next == nil, "\(first): no end after \(walk.pages) pages", sourceLocation: sourceLocation)
        return walk
    }

    /// A cursor refused: 400 `invalid-field` naming `after`; the answer's problem, to compare shapes.
    @discardableResult
    func refused(_ s: LiveServer, _ path: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> [String: String] {
        let answer = try await s.send(.GET, path)
        #expect(answer.status == 400, "\(path): \(answer.status) \(answer.text.prefix(300))", sourceLocation: sourceLocation)
        #expect(answer.header("Content-Type")?.hasPrefix("application/problem+json") == true, sourceLocation: sourceLocation)
        #expect(text(answer.json["type"]) == "urn:crm:problem:invalid-field" && text(answer.json["field"]) == "after",
                "\(path): \(answer.text.prefix(300))", sourceLocation: sourceLocation)
        return answer.json.compactMapValues(text).filter { $0.key != "instance" }
    }

    /// `cursor` with one character changed.
    func garbled(_ cursor: String) -> String { String(cursor.dropLast()) + (cursor.last == "A" ? "B" : "A") }

    @Test func theActivityPagesNewestFirstAndACursorOfAnotherCustomerOrFilterIsRefused() async throws {
        try await LiveServer.with("paged-activity") { s in
            let a = try await s.created("/v1/customers", #"{"kind": "person", "name": "Ann", "group": "retail", "branch": "head-office"}"#)
            let b = try await s.created("/v1/customers", #"{"kind": "person", "name": "Ben", "group": "retail", "branch": "head-office"}"#)
            var ids: [String: String] = [:]  // subject → id
            for day in 1...6 {
                let customer = day == 6 ? b : a
                ids["Call \(day)"] = try await s.created("/v1/contact-log", #"{"customerId": "\#(customer)", "channel": "phone", "subject": "Call \#(day)", "occurredAt": "2025-12-0\#(day)T10:00:00Z"}"#)
            }
            let head = try await s.engine.store.headPosition().rawValue
            let newestFirst = (1...6).reversed().map { "Call \($0)" }
            let lists: [(path: String, subjects: [String])] = [
                ("/v1/activity?customerId=\(a)&consistentWith=\(head)", Array(newestFirst.dropFirst())),
                ("/v1/activity?employee=\(s.admin.id)&consistentWith=\(head)", newestFirst),
                ("/v1/activity?q=call&consistentWith=\(head)", newestFirst),
                ("/v1/activity?q=call&customerId=\(a)&consistentWith=\(head)", Array(newestFirst.dropFirst())),
            ]
            var cursors: [String] = []
            for (path, subjects) in lists {
                let walk = try await walk(s, path, limit: 2)
                #expect(walk.items.compactMap { text($0["subject"]) } == subjects, "\(path)")
                #expect(walk.items.compactMap { text($0["id"])?.lowercased() } == subjects.compactMap { ids[$0]?.lowercased() }, "\(path)")
                cursors.append(try #require(walk.firstCursor, "\(path)"))
            }
            // A's cursor on B's list, or with another filter; the text search's cursor on the customer's log.
            try await refused(s, "/v1/activity?customerId=\(b)&limit=2&after=\(cursors[0])")
            try await refused(s, "/v1/activity?customerId=\(a)&kind=visit&limit=2&after=\(cursors[0])")
            try await refused(s, "/v1/activity?customerId=\(a)&limit=2&after=\(cursors[3])")
            try await refused(s, "/v1/activity?q=meter&limit=2&after=\(cursors[2])")
            try await refused(s, "/v1/activity?customerId=\(a)&limit=2&after=\(garbled(cursors[0]))")
            // The cursor still pages its own list (and `limit` is not part of the list).
            let second = try await s.expect(.GET, "/v1/activity?customerId=\(a)&limit=3&after=\(cursors[0])")
            #expect(((second.json["items"] as? [[String: Any]]) ?? []).compactMap { text($0["subject"]) } == ["Call 3", "Call 2", "Call 1"])
            #expect(second.json["truncated"] == nil)
        }
    }

    @Test func keywordSearchPagesBestFirstAndRefusesTheCursorOfAnotherQuery() async throws {
        try await LiveServer.with("paged-search") { s in
            let names = ["Zebra One", "Zebra Two", "Zebra Three", "Zebra Four", "Zebra Five"]
            var ids: [String: String] = [:]
            for name in names {
                ids[name] = try await s.created("/v1/customers", #"{"kind": "person", "name": "\#(name)", "group": "retail", "branch": "head-office"}"#)
            }
            let head = try await s.engine.store.headPosition().rawValue
            let walk = try await walk(s, "/v1/search?q=zebra&consistentWith=\(head)", limit: 2)
            // The same score and kind: by title.
            #expect(walk.items.compactMap { text($0["title"]) } == names.sorted(), "\(walk.items)")
            #expect(walk.items.compactMap { text($0["id"])?.lowercased() } == names.sorted().compactMap { ids[$0]?.lowercased() })
            #expect(walk.pages == 3)
            let cursor = try #require(walk.firstCursor)
            let customers = try #require(text(try await s.expect(.GET, "/v1/customers?limit=1&consistentWith=\(head)").json["after"]))
            try await refused(s, "/v1/search?q=zebra%20one&limit=2&after=\(cursor)")
            try await refused(s, "/v1/search?q=zebra&limit=2&after=\(customers)")
            try await refused(s, "/v1/customers?limit=2&after=\(cursor)")
            try await refused(s, "/v1/search?q=zebra&limit=2&after=\(garbled(cursor))")
        }
    }

    @Test func theOutboxPagesOldestFirstAndAnAcknowledgedItemShiftsNoPage() async throws {
        try await LiveServer.with("paged-outbox") { s in
            let queuedAt = s.clock.now()
            var items: [String] = []
            var last = GlobalPosition.start
            // Queued out of order: the list is by the instant queued, then id.
            for n in [3, 1, 4, 0, 2] {
                let id = UUID.derived("outbox", "\(n)")
                let item = OutboxItemQueued(itemID: id, channel: "letter", template: "letter-\(n)", customerID: nil, reference: "ticket-\(n)",
                                            queuedAt: queuedAt.addingTimeInterval(Double(n)))
                last = try await s.engine.execute(OutboxItem.self, id: id, .queue(item), as: s.admin).position
            }
            for n in 0..<5 { items.append(UUID.derived("outbox", "\(n)").lowercasedString) }
            try await s.engine.views.waitUntil(last)
            let walk = try await walk(s, "/v1/outbox", limit: 2)
            #expect(walk.items.compactMap { text($0["itemID"])?.lowercased() } == items, "\(walk.items)")
            // Acknowledging an item already listed moves no later item onto a page already read.
            let first = try await s.expect(.GET, "/v1/outbox?limit=2")
            let after = try #require(text(first.json["after"]))
            let ack = try await s.expect(.POST, "/v1/outbox/\(items[0])/acknowledge", #"{"receipt": "L-1"}"#)
            try await s.engine.views.waitUntil(GlobalPosition(UInt64(try #require(text(ack.json["position"]).flatMap(UInt64.init)))))
            let second = try await s.expect(.GET, "/v1/outbox?limit=2&after=\(after)")
            #expect(((second.json["items"] as? [[String: Any]]) ?? []).compactMap { text($0["itemID"])?.lowercased() } == Array(items[2...3]))
            try await refused(s, "/v1/tickets/overdue?limit=2&after=\(after)")
            try await refused(s, "/v1/audit/reads?limit=2&after=\(after)")
            try await refused(s, "/v1/outbox?limit=2&after=\(garbled(after))")
        }
    }

    @Test func theReadAuditListsNewestFirstAPageAtATimeAndOldestFirstWhenAsked() async throws {
        try await LiveServer.with("paged-audit") { s in
            var customers: [String] = []
            for name in ["Ann", "Ben", "Cid", "Dee", "Eve"] {
                customers.append(try await s.created("/v1/customers", #"{"kind": "person", "name": "\#(name)", "group": "retail", "branch": "head-office"}"#))
            }
            let head = try await s.engine.store.headPosition().rawValue
            for customer in customers {
                s.clock.advance(by: 10)
                try await s.expect(.GET, "/v1/customers/\(customer)?consistentWith=\(head)")
            }
            let reads = customers.map { "customer-" + $0.lowercased() }
            let admin = s.admin.id.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            // Every request also audits its token's use (`token:…`): the customer reads among them, each once.
            func customerReads(_ walk: Walk) -> [String] { walk.items.compactMap { text($0["record"]) }.filter { $0.hasPrefix("customer-") } }
            func instants(_ walk: Walk) -> [Date] { walk.items.compactMap { text($0["at"]).flatMap { try? Date($0, strategy: .iso8601) } } }
            // The default window (the last 24 hours) is kept by the next links; reads while walking (this
            // walk's own token uses) land above the cursor and shift no page.
            let newest = try await walk(s, "/v1/audit/reads?principal=\(admin)", limit: 2)
            #expect(customerReads(newest) == reads.reversed(), "\(newest.items)")
            #expect(instants(newest) == instants(newest).sorted(by: >) && instants(newest).count == newest.items.count)
            #expect(newest.items.count > 10 && newest.pages == (newest.items.count + 1) / 2)
            // Oldest first over a window that has ended (a window open at its end grows while it is walked).
            let end = try #require(ISO8601DateFormatter().string(from: s.clock.now().addingTimeInterval(1)).addingPercentEncoding(withAllowedCharacters: .alphanumerics))
            s.clock.advance(by: 10)
            let oldest = try await walk(s, "/v1/audit/reads?principal=\(admin)&order=oldest&from=2000-01-01T00:00:00Z&to=\(end)", limit: 2)
            #expect(customerReads(oldest) == reads, "\(oldest.items)")
            #expect(instants(oldest) == instants(oldest).sorted() && instants(oldest).count == oldest.items.count)
            let cursor = try #require(newest.firstCursor)
            try await refused(s, "/v1/audit/reads?principal=\(admin)&order=oldest&limit=2&after=\(cursor)")
            try await refused(s, "/v1/audit/reads?principal=someone-else&limit=2&after=\(cursor)")
            try await refused(s, "/v1/audit/reads?limit=2&after=\(cursor)")
            try await refused(s, "/v1/audit/reads?principal=\(admin)&limit=2&after=\(garbled(cursor))")
            try await s.expect(.GET, "/v1/audit/reads?order=sideways", status: 400)
        }
    }

    @Test func aCursorOfAnotherListIsRefusedWithTheProblemOfAGarbledOne() async throws {
        try await LiveServer.with("paged-foreign") { s in
            let a = try await s.created("/v1/customers", #"{"kind": "person", "name": "Ann", "group": "retail", "branch": "head-office"}"#)
            let b = try await s.created("/v1/customers", #"{"kind": "person", "name": "Ben", "group": "retail", "branch": "head-office"}"#)
            for (customer, name) in [(a, "Amy"), (a, "Abe"), (b, "Bob"), (b, "Bea")] {
                try await s.expect(.POST, "/v1/contacts", #"{"customerId": "\#(customer)", "name": "\#(name)"}"#, status: 201)
            }
            _ = try await s.hire("Eve", branch: "head-office", permissions: [])
            let head = try await s.engine.store.headPosition().rawValue
            let contacts = try await s.expect(.GET, "/v1/contacts?customerId=\(a)&limit=1&consistentWith=\(head)")
            let cursor = try #require(text(contacts.json["after"]), "\(contacts.text.prefix(300))")
            try await s.expect(.GET, "/v1/contacts?customerId=\(a)&limit=1&after=\(cursor)")
            let foreign = try await refused(s, "/v1/contacts?customerId=\(b)&limit=1&after=\(cursor)")
            let broken = try await refused(s, "/v1/contacts?customerId=\(a)&limit=1&after=\(garbled(cursor))")
            #expect(foreign == broken, "\(foreign) ≠ \(broken)")
            // Two lists keyed alike (ids): an employee cursor is no role cursor.
            let employees = try #require(text(try await s.expect(.GET, "/v1/employees?limit=1").json["after"]))
            try await s.expect(.GET, "/v1/employees?limit=1&after=\(employees)")
            try await refused(s, "/v1/roles?limit=1&after=\(employees)")
            try await refused(s, "/v1/units?limit=1&after=\(employees)")
        }
    }

    @Test func aReportRefusesACurrencyOutsideISO4217() async throws {
        try await LiveServer.with("report-currency") { s in
            for path in ["/v1/reports/rfm?asOf=2026-03-01", "/v1/reports/churn?on=2026-03-01", "/v1/reports/tables/costs?from=2026-03",
                         "/v1/reports/revenue-explanation?baseFrom=2025-01&baseThrough=2025-02&from=2025-03&through=2025-04"] {
                for code in ["ABC", "XTS", "XXX", "usd", "US"] {
                    let answer = try await s.send(.GET, path + "&currency=" + code)
                    #expect(answer.status == 400 && text(answer.json["field"]) == "currency", "\(path) \(code): \(answer.status) \(answer.text.prefix(200))")
                }
                try await s.expect(.GET, path + "&currency=USD")
                try await s.expect(.GET, path)
            }
        }
    }
}
