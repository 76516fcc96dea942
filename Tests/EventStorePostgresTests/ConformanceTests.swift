import EventSourcing
import EventStoreConformance
import EventStorePostgres
import Testing

@Suite("PostgresEventStore conformance")
struct ConformanceTests {
    @Test("PostgresEventStore passes the shared conformance suite", arguments: EventStoreConformance.cases)
    func postgresStoreConforms(_ check: ConformanceCase) async throws {
        try await check.run { clock in
            let (store, teardown) = try await TestDatabase.makeStore(clock: clock, label: "conf")
            return ConformanceFixture(store: store, teardown: teardown)
        }
    }
}
