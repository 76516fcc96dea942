import EventSourcing
import EventStoreConformance
import EventStoreLMDB
import Testing

@Suite("LMDBEventStore conformance")
struct ConformanceTests {
    @Test("LMDBEventStore passes the shared conformance suite", arguments: EventStoreConformance.cases)
    func lmdbStoreConforms(_ check: ConformanceCase) async throws {
        try await check.run { clock in
            let directory = makeTemporaryDirectory("conformance")
            let store = try LMDBEventStore(directory: directory, clock: clock)
            return ConformanceFixture(store: store) {
                await store.close()
                removeDirectory(directory)
            }
        }
    }
}
