import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import Foundation
import Testing

/// The modification history's entries are the log's events at the positions the view indexes (ARCHITECTURE
/// decision 8): checked here against the log itself, page by page, for records and for customers.
@Suite struct HistoryTests {
    @Test func aRecordsAndACustomersHistoryAreTheLogsEventsPageByPage() async throws {
        let (f, _) = try await EngineFixture.generated("history-from-log", events: 3_000)
        defer { Task { await f.close() } }
        let head = try await f.engine.store.headPosition()
        try await f.engine.reactionsSettled(upTo: head)
        let log = try await f.engine.store.readAll(from: GlobalPosition(1), direction: .forward, limit: .max)
        let byPosition = Dictionary(uniqueKeysWithValues: log.map { ($0.position, $0) })
        var customers: [StreamID] = []
        for event in log where event.stream.category == Customer.category && !customers.contains(event.stream) {
            customers.append(event.stream)
            if customers.count == 5 { break }
        }
        #expect(customers.count == 5)

        for stream in customers {
            // A record: every event of its stream, in version order, in pages of 3.
            var entries: [HistoryEntry] = []
            while true {
                let page = try await f.engine.history(of: stream, as: f.admin, after: entries.last?.version, limit: 3, consistentWith: head)
                entries += page
                if page.count < 3 { break }
            }
            let own = try await f.engine.store.readStream(stream)
            #expect(entries.map(\.position) == own.map(\.position), "\(stream.rawValue)")
            for (entry, event) in zip(entries, own) {
                #expect(entry.version == event.streamVersion && entry.actor == event.metadata.actor && entry.recordedAt == event.recordedAt)
                #expect(entry.eventType == event.type && entry.clientIP == event.metadata.clientIP)
                let payload = try event.payload.withUnsafeBytes { try f.engine.registry.decode(event.type, schemaVersion: event.schemaVersion, from: $0) }
                #expect(entry.changes == ((payload as? HasFieldChanges)?.fieldChanges ?? []))
                #expect(entry.summary == (entry.changes.isEmpty ? event.type : nil))
            }

            // A customer: its own stream and linked ones, in log order, in pages of 5.
            let id = try #require(UUID(text: String(stream.rawValue.dropFirst(Customer.category.count + 1))))
            var linked: [HistoryEntry] = []
            while true {
                let page = try await f.engine.history(ofCustomer: id, as: f.admin, after: linked.last?.position, limit: 5, consistentWith: head)
                linked += page
                if page.count < 5 { break }
            }
            #expect(zip(linked, linked.dropFirst()).allSatisfy { $0.position < $1.position })
            // Newest first, in pages of 4: the same entries backwards.
            var latest: [HistoryEntry] = []
            while true {
                let page = try await f.engine.latestHistory(ofCustomer: id, as: f.admin, before: latest.last?.position, limit: 4, consistentWith: head)
                latest += page
                if page.count < 4 { break }
            }
            #expect(latest == Array(linked.reversed()), "\(stream.rawValue)")
            #expect(Set(own.map(\.position)).isSubset(of: linked.map(\.position)))
            #expect(linked.contains { $0.stream != stream }, "the customer's linked records are in its history")
            for entry in linked {
                let event = try #require(byPosition[entry.position])
                #expect(entry.stream == event.stream && entry.version == event.streamVersion && entry.eventType == event.type)
                #expect(entry.customerID == id)
            }
        }
    }

    @Test func aRecordsHistoryPagedPastItsEndIsEmptyOnlyForWhoMaySeeItAndNotFoundForOthers() async throws {
        let f = try await EngineFixture.make("history-past-end")
        defer { Task { await f.close() } }
        let alice = try await f.hire("Alice", branch: "A", permissions: ScopeTests.allRights)
        let bob = try await f.hire("Bob", branch: "B", permissions: ScopeTests.allRightsB)
        let customer = try await f.customer("Li Wei", branch: "A")
        let stream = Customer.stream(customer)
        let head = try await f.engine.store.headPosition()
        let all = try await f.engine.history(of: stream, as: alice, consistentWith: head)
        let end = try #require(all.last?.version)
        #expect(try await f.engine.history(of: stream, as: alice, after: end).isEmpty)
        #expect(try await f.engine.history(of: stream, as: f.admin, after: end).isEmpty)
        // Bob may not see branch A: past the end as on the first page, the record is not found.
        for after in [nil, end] {
            let refused = await #expect(throws: EngineError.self) { try await f.engine.history(of: stream, as: bob, after: after) }
            #expect(refused?.code == .notFound, "after \(String(describing: after))")
        }
        // As for a record that does not exist.
        let missing = await #expect(throws: EngineError.self) {
            try await f.engine.history(of: Customer.stream(UUID.derived("customer", "nobody")), as: f.admin, after: end)
        }
        #expect(missing?.code == .notFound)
    }

    @Test func aCustomersHistoryPagesAreFullOfWhatThePrincipalMaySeeUntilTheLast() async throws {
        let (f, _) = try await EngineFixture.generated("history-pages", events: 3_000)
        defer { Task { await f.close() } }
        let head = try await f.engine.store.headPosition()
        // Everything but tasks, everywhere.
        let modules = Permission.Module.allCases.filter { $0 != .tasks }
        let viewer = try await f.hire("No Tasks", branch: "head-office",
                                      permissions: modules.map { Permission(module: $0, actions: [.query], scope: .all) })
        let log = try await f.engine.store.readAll(from: GlobalPosition(1), direction: .forward, limit: .max)
        // A customer with tasks among its linked records.
        var checked = 0
        for stream in Set(log.filter { $0.stream.category == Customer.category }.map(\.stream)).sorted(by: { $0.rawValue < $1.rawValue }) {
            let id = try #require(UUID(text: String(stream.rawValue.dropFirst(Customer.category.count + 1))))
            let all = try await f.engine.history(ofCustomer: id, as: f.admin, limit: 10_000, consistentWith: head)
            guard all.contains(where: { $0.stream.category == WorkTask.category }), all.count > 8 else { continue }
            let expected = all.filter { $0.stream.category != WorkTask.category }.map(\.position)
            var pages: [[HistoryEntry]] = []
            while true {
                let page = try await f.engine.history(ofCustomer: id, as: viewer, after: pages.last?.last?.position, limit: 3, consistentWith: head)
                pages.append(page)
                if page.count < 3 { break }
            }
            #expect(pages.flatMap { $0 }.map(\.position) == expected, "\(stream.rawValue)")
            #expect(pages.dropLast().allSatisfy { $0.count == 3 }, "every page but the last is full: \(pages.map(\.count))")
            // Newest first, the pages are as full, and hold the same entries backwards.
            var latest: [[HistoryEntry]] = []
            while true {
                let page = try await f.engine.latestHistory(ofCustomer: id, as: viewer, before: latest.last?.last?.position, limit: 3, consistentWith: head)
                latest.append(page)
                if page.count < 3 { break }
            }
            #expect(latest.flatMap { $0 }.map(\.position) == expected.reversed(), "\(stream.rawValue)")
            #expect(latest.dropLast().allSatisfy { $0.count == 3 })
            checked += 1
            if checked == 3 { break }
        }
        #expect(checked == 3, "customers with tasks in their history")
    }
}
