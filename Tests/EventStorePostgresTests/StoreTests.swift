import EventSourcing
@testable import EventStorePostgres
import Foundation
import Logging
import PostgresNIO
import Testing

@Suite("PostgresEventStore")
struct StoreTests {
    @Test func urlsParseIntoConfigurations() throws {
        let c = try PostgresStoreConfiguration(url: "postgres://crm:s%40cret@db.example:6543/crmdb?schema=crm_eu&sslmode=require")
        #expect(c.host == "db.example")
        #expect(c.port == 6543)
        #expect(c.username == "crm")
        #expect(c.password == "s@cret")
        #expect(c.database == "crmdb")
        #expect(c.schema == "crm_eu")
        #expect(c.tls == .require)
        #expect(!c.redactedURL.contains("cret"))
        let local = try PostgresStoreConfiguration(url: "postgresql://postgres@127.0.0.1/postgres")
        #expect(local.port == 5432 && local.schema == "crm" && local.tls == .disable)
        for bad in ["http://x/y", "postgres:///db", "postgres://h/db?schema=Bad-Name", "postgres://h/db?schema=full", "postgres://h/db?schema=user", "postgres://h/db?colour=red"] {
            #expect(throws: EventStoreError.self) { try PostgresStoreConfiguration(url: bad) }
        }
    }

    @Test func anUnreachableDatabaseIsATypedStorageErrorNotACrashOrAHang() async throws {
        var configuration = try PostgresStoreConfiguration(url: "postgres://postgres@127.0.0.1:1/postgres")
        configuration.connectTimeout = .seconds(2)
        let started = ContinuousClock.now
        do {
            let store = try await PostgresEventStore.open(configuration)
            await store.close()
            Issue.record("opening a store on a closed port succeeded")
        } catch let error as EventStoreError {
            #expect(error.code == .storage, "\(error)")
        }
        #expect(ContinuousClock.now - started < .seconds(30), "the open gave up around its 2 s timeout, not after the pool's 60 s")
    }

    @Test func aLoginTheServerRefusesIsATypedErrorNamingItsSQLSTATE() async throws {
        var configuration = try TestDatabase.configuration("login")
        configuration.database = "no_such_database_\(UInt32.random(in: 0...UInt32.max))"
        configuration.connectTimeout = .seconds(3)
        do {
            let store = try await PostgresEventStore.open(configuration)
            await store.close()
            Issue.record("opened a database that does not exist")
        } catch let error as EventStoreError {
            #expect(error.code == .storage)
            // 3D000: invalid_catalog_name. The database's name is not repeated in the error.
            #expect(error.detail.contains("the server refused the connection (SQLSTATE 3D000)"), "\(error)")
            #expect(!error.detail.contains(configuration.database))
        }
    }

    @Test func anOpenThatMayNotCreateTheLogRefusesASchemaWithoutOneAndCreatesNothing() async throws {
        var configuration = try TestDatabase.configuration("nocreate")
        configuration.createsSchema = false
        for _ in 0..<2 {  // the second time: the first refused open created nothing
            let error = await #expect(throws: EventStoreError.self) { try await PostgresEventStore.open(configuration) }
            #expect(error?.code == .storage)
            #expect(error.map { "\($0)".contains("no log in schema \(configuration.schema)") } == true, "\(String(describing: error)): \(error.map { "\($0.code) \($0.detail)" } ?? "")")
        }
        configuration.createsSchema = true
        let created = try await PostgresEventStore.open(configuration)
        try await created.append(EventFactory().events(1), to: "s", expectedVersion: .noStream)
        await created.close()
        configuration.createsSchema = false
        let reader = try await PostgresEventStore.open(configuration)
        #expect(try await reader.headPosition() == GlobalPosition(1))
        await reader.close()
        try await PostgresEventStore.destroy(configuration)
    }

    @Test func aLogOfAnotherStorageFormatIsRefusedAsSuchNotAsAnUnavailableDatabase() async throws {
        let configuration = try TestDatabase.configuration("format")
        let created = try await PostgresEventStore.open(configuration)
        await created.close()
        let client = try PostgresEventStore.makeClient(configuration, logger: Logger(label: "format-test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let run = Task { await client.run() }
        try await client.query(PostgresQuery(unsafeSQL: "UPDATE \(configuration.schema).store_info SET value = '99' WHERE key = 'format'"))
        run.cancel()
        let error = await #expect(throws: EventStoreError.self) { try await PostgresEventStore.open(configuration) }
        #expect(error?.code == .incompatibleFormat, "\(String(describing: error))")
        #expect(error?.detail.contains("format 99") == true)
        try await PostgresEventStore.destroy(configuration)
    }

    @Test func metadataAndPayloadRoundTripByteForByteIncludingNULAndEmptyValues() async throws {
        let (store, teardown) = try await TestDatabase.makeStore()
        do {
            let ids = SequentialIDGenerator(seed: 5)
            let odd = EventData(
                id: ids.next(), type: "Odd", schemaVersion: 4_000_000_000, payload: [0, 255, 0, 1],
                metadata: EventMetadata(actor: "a\u{0}b", correlationID: ids.next(), causationID: nil, sourceSystem: "", clientIP: "::1"))
            let plain = EventData(id: ids.next(), type: "Plain", payload: [], metadata: .system)
            try await store.append([odd, plain], to: "odd-1", expectedVersion: .noStream)
            let read = try await store.readStream("odd-1")
            #expect(read.map(\.data) == [odd, plain])
            try await store.append([odd], to: "odd-1", expectedVersion: .any)  // a re-send with NUL in the actor matches
            #expect(try await store.headPosition() == 2)
        } catch {
            await teardown()
            throw error
        }
        await teardown()
    }

    @Test func twoStoresOnOneLogShareGaplessPositionsAndSeeEachOthersCommits() async throws {
        let configuration = try TestDatabase.configuration("two")
        let a = try await PostgresEventStore.open(configuration)
        let b = try await PostgresEventStore.open(configuration)
        let factory = EventFactory()
        do {
            // b follows the log live; a and b append concurrently.
            let follower = Task {
                var positions: [UInt64] = []
                for try await event in b.subscribe(from: .start) {
                    positions.append(event.position.rawValue)
                    if positions.count == 200 { break }
                }
                return positions
            }
            let batchesA = (0..<50).map { _ in factory.events(2) }
            let batchesB = (0..<50).map { _ in factory.events(2) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (i, events) in batchesA.enumerated() {
                    group.addTask { try await a.append(events, to: StreamID("a-\(i)"), expectedVersion: .noStream) }
                }
                for (i, events) in batchesB.enumerated() {
                    group.addTask { try await b.append(events, to: StreamID("b-\(i)"), expectedVersion: .noStream) }
                }
                try await group.waitForAll()
            }
            let seen = try await follower.value
            #expect(seen == Array(1...200))
            #expect(try await a.headPosition() == 200)
            // The same events re-sent through the other store are recognised.
            let again = try await b.append(batchesA[7], to: "a-7", expectedVersion: .noStream)
            #expect(again.wasAlreadyStored)
            // A stale version through the other store is refused.
            await #expect(throws: EventStoreError.self) {
                try await a.append(factory.events(1), to: "b-3", expectedVersion: .noStream)
            }
        } catch {
            await a.close(); await b.close()
            try? await PostgresEventStore.destroy(configuration)
            throw error
        }
        await a.close()
        await b.close()
        try await PostgresEventStore.destroy(configuration)
    }

    @Test func aSubscriptionFollowsAnotherProcesssCommitsByPollingWhenNoNotificationComes() async throws {
        let configuration = try TestDatabase.configuration("poll")
        var quiet = configuration
        quiet.pollInterval = .milliseconds(100)
        quiet.listenForNotifications = false
        let follower = try await PostgresEventStore.open(quiet)
        let writer = try await PostgresEventStore.open(configuration)
        do {
            let task = Task {
                var count = 0
                for try await _ in follower.subscribe(from: .start) {
                    count += 1
                    if count == 5 { break }
                }
                return count
            }
            try await Task.sleep(for: .milliseconds(300))  // the follower is waiting by now
            // The follower does not LISTEN: only its poll can see these.
            try await writer.append(EventFactory().events(5), to: "silent-1", expectedVersion: .noStream)
            let count = try await task.value
            #expect(count == 5)
        } catch {
            await follower.close(); await writer.close()
            try? await PostgresEventStore.destroy(configuration)
            throw error
        }
        await follower.close()
        await writer.close()
        try await PostgresEventStore.destroy(configuration)
    }

    @Test func readsAndAppendsAfterCloseFailWithClosed() async throws {
        let (store, teardown) = try await TestDatabase.makeStore()
        await store.close()
        await #expect(throws: EventStoreError.self) { try await store.headPosition() }
        await #expect(throws: EventStoreError.self) { try await store.readAll(from: .start, direction: .forward, limit: 1) }
        await teardown()
    }
}
