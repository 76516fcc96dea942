import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import Foundation
import Testing

/// The paged queries an embedder walks with `after:` (the `next` of the page before): keyword search, the
/// activity, the outbox and the read audit. Pages hold only what the principal may see, are full but for the
/// last, and `next` is nil exactly on the last.
@Suite struct PagedQueriesTests {
    /// Walks a paged query from the first page to the last; every page but the last holds `limit` items.
    func walk<Item>(limit: Int, sourceLocation: SourceLocation = #_sourceLocation,
                    _ page: ([UInt8]?) async throws -> WorkProjections.Page<Item>) async throws -> (items: [Item], pages: Int) {
        var items: [Item] = []
        var pages = 0
        var after: [UInt8]?
        repeat {
            let current = try await page(after)
            #expect(current.next == nil ? current.items.count <= limit : current.items.count == limit, sourceLocation: sourceLocation)
            items += current.items
            pages += 1
            after = current.next
        } while after != nil && pages < 20
        #expect(after == nil, "no last page", sourceLocation: sourceLocation)
        return (items, pages)
    }

    static let northOnly = Permission.Module.allCases.map { Permission(module: $0, actions: [.query], scope: .branch("north")) }

    @Test func searchPagesWalkEveryHitThePrincipalMaySeeOnceBestFirst() async throws {
        let f = try await EngineFixture.make("paged-search")
        let reader = try await f.hire("Reader", branch: "north", permissions: Self.northOnly)
        var north: [UUID] = []
        for n in 1...6 {
            let id = try await f.customer("Zebra \(n)", branch: n.isMultiple(of: 2) ? "south" : "north")
            if !n.isMultiple(of: 2) { north.append(id) }
        }
        try await f.engine.views.waitUntil(try await f.engine.store.headPosition())
        let all = try await walk(limit: 4) { try await f.engine.search("zebra", as: f.admin, after: $0, limit: 4) }
        #expect(all.items.map(\.title) == (1...6).map { "Zebra \($0)" } && all.pages == 2)
        // Hits the reader may not see are left out before the page is counted: full pages of north only.
        let seen = try await walk(limit: 1) { try await f.engine.search("zebra", as: reader, after: $0, limit: 1) }
        #expect(seen.items.map(\.id) == north && seen.pages == 3)
        #expect(try await f.engine.search("zebra", as: f.admin, limit: 2).map(\.title) == ["Zebra 1", "Zebra 2"])
        await f.close()
    }

    @Test func activityPagesWalkACustomersLogAnEmployeesLogAndAWordSearchNewestFirst() async throws {
        let f = try await EngineFixture.make("paged-activity")
        let reader = try await f.hire("Reader", branch: "north", permissions: Self.northOnly)
        let near = try await f.customer("Near", branch: "north")
        let far = try await f.customer("Far", branch: "south")
        var subjects: [(subject: String, customer: UUID)] = []
        for n in 1...7 {
            let id = UUID.derived("contact-log", "\(n)")
            let customer = n.isMultiple(of: 3) ? far : near
            try await f.engine.execute(ContactLogEntry.self, id: id, .log(id: id, customerID: customer, details: .init(
                channel: .phone, subject: "Call \(n)", occurredAt: f.clock.now().addingTimeInterval(Double(n - 8) * 3_600))), as: f.admin)
            subjects.append(("Call \(n)", customer))
        }
        try await f.engine.views.waitUntil(try await f.engine.store.headPosition())
        let newest = Array(subjects.reversed())
        let ofNear = try await walk(limit: 2) { try await f.engine.activity(as: f.admin, filter: .init(customerID: near), after: $0, limit: 2) }
        #expect(ofNear.items.map(\.subject) == newest.filter { $0.customer == near }.map(\.subject))
        let byAdmin = try await walk(limit: 3) { try await f.engine.activity(as: f.admin, filter: .init(employee: f.admin.id), after: $0, limit: 3) }
        #expect(byAdmin.items.map(\.subject) == newest.map(\.subject))
        let words = try await walk(limit: 2) { try await f.engine.activity(as: f.admin, text: "call", after: $0, limit: 2) }
        #expect(words.items.map(\.subject) == newest.map(\.subject) && words.pages == 4)
        // The reader's pages hold only the north customer's entries, and are full.
        let seen = try await walk(limit: 2) { try await f.engine.activity(as: reader, text: "call", after: $0, limit: 2) }
        #expect(seen.items.map(\.subject) == newest.filter { $0.customer == near }.map(\.subject))
        let seenByAdmin = try await walk(limit: 2) { try await f.engine.activity(as: reader, filter: .init(employee: f.admin.id), after: $0, limit: 2) }
        #expect(seenByAdmin.items.map(\.subject) == newest.filter { $0.customer == near }.map(\.subject))
        await f.close()
    }

    @Test func outboxPagesWalkOldestFirstWhatThePrincipalMaySee() async throws {
        let f = try await EngineFixture.make("paged-outbox")
        let reader = try await f.hire("Reader", branch: "north", permissions: Self.northOnly)
        let near = try await f.customer("Near", branch: "north")
        let far = try await f.customer("Far", branch: "south")
        var queued: [OutboxItemQueued] = []
        for n in [4, 0, 6, 2, 5, 1, 3] {
            let id = UUID.derived("outbox", "\(n)")
            let item = OutboxItemQueued(itemID: id, channel: "letter", template: "letter-\(n)", customerID: n.isMultiple(of: 2) ? near : far,
                                        reference: "ticket-\(n)", queuedAt: f.clock.now().addingTimeInterval(Double(n)))
            try await f.engine.execute(OutboxItem.self, id: id, .queue(item), as: f.admin)
            queued.append(item)
        }
        try await f.engine.views.waitUntil(try await f.engine.store.headPosition())
        let oldest = queued.sorted { $0.queuedAt < $1.queuedAt }
        let all = try await walk(limit: 3) { try await f.engine.pendingOutbox(as: f.admin, after: $0, limit: 3) }
        #expect(all.items == oldest && all.pages == 3)
        let seen = try await walk(limit: 1) { try await f.engine.pendingOutbox(as: reader, after: $0, limit: 1) }
        #expect(seen.items == oldest.filter { $0.customerID == near } && seen.pages == 4)
        await f.close()
    }

    @Test func readAuditPagesWalkTheWindowNewestFirstOrOldestFirstAndLaterReadsShiftNoPage() async throws {
        let f = try await EngineFixture.make("paged-audit")
        let id = try await f.customer("Li Wei", branch: "north")
        let start = f.clock.now()
        var times: [Date] = []
        for _ in 0..<5 {
            f.clock.advance(by: 10)
            times.append(f.clock.now())
            _ = try await f.engine.state(Customer.self, id: id, as: f.admin)
        }
        let end = f.clock.now().addingTimeInterval(3_600)
        let newest = try await walk(limit: 2) { after in
            let page = try f.engine.readAudit(from: start, to: end, after: after, limit: 2, newestFirst: true, as: f.admin)
            // A read between pages lands above the cursor: it shifts no later page.
            f.clock.advance(by: 1)
            _ = try await f.engine.state(Customer.self, id: id, as: f.admin)
            return page
        }
        #expect(newest.items.map(\.at) == Array(times.reversed()) && newest.pages == 3)
        let oldest = try await walk(limit: 2) { try f.engine.readAudit(from: start, to: times[4], after: $0, limit: 2, as: f.admin) }
        #expect(oldest.items.map(\.at) == Array(times.prefix(4)) && oldest.pages == 2)
        await f.close()
    }
}
