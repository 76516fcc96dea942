import EventSourcing
import EventStoreConformance
import Testing

@Suite("InMemoryEventStore conformance")
struct InMemoryConformanceTests {
    @Test("InMemoryEventStore passes the shared conformance suite", arguments: EventStoreConformance.cases)
    func inMemoryStoreConforms(_ check: ConformanceCase) async throws {
        try await check.run { clock in
            let store = InMemoryEventStore(clock: clock)
            return ConformanceFixture(store: store) { await store.close() }
        }
    }
}
