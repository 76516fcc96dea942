import CRMDataGenerator
import EventSourcing
import EventStoreLMDB
import EventStorePostgres
import Foundation

// History queries over a PostgreSQL log, beside the same history in LMDB in the same run (registered only
// with BENCH_POSTGRES_URL). A customer's history page reads its positions from the local view and its
// events from the log: one query per page on PostgreSQL, one read transaction on LMDB.

/// The history both logs hold: `BENCH_PG_HISTORY_EVENTS` generated events (default 300,000) over 12
/// months, a customer per 30 events; generated into LMDB and copied into PostgreSQL with its positions.
func postgresHistoryStore() -> CachedStore {
    let s = EngineSettings.current
    let events = s.postgresHistoryEvents
    let customers = max(4, events / 30)
    return CachedStore(
        directory: "\(s.cacheDir)/engine-store-history-c\(customers)-\(events)-\(s.seed)\(s.cacheTag)",
        configuration: .init(seed: s.seed, targetEvents: events, start: EngineSettings.start, customers: customers))
}

/// The engine over the history copied into PostgreSQL (schema `bench_history_<events>_<seed>`, kept between
/// runs), with its own views under the cache directory.
func openPostgresHistoryEngine(url: String) async throws -> QueryState {
    let cached = postgresHistoryStore()
    try await cached.ensure()
    var configuration = try PostgresStoreConfiguration(url: url)
    configuration.schema = "bench_history_\(cached.configuration.targetEvents)_\(cached.configuration.seed)"
    let store = try await PostgresEventStore.open(configuration)
    do {
        let source = try cached.open()
        let end = try await source.headPosition()
        var next = try await store.headPosition().next
        if next <= end { FileHandle.standardError.write(Data("copying \(cached.directory) into PostgreSQL schema \(configuration.schema)\n".utf8)) }
        while next <= end {
            let events = try await source.readAll(from: next, direction: .forward, limit: 5_000)
            guard let last = events.last else { break }
            try await store.importRecorded(events)
            next = last.position.next
        }
        await source.close()
        let directory = cached.directory + "/postgres-engine"
        return try await openQueryEngine(over: store, of: cached, views: directory, viewsMarker: directory + "-views-complete")
    } catch {
        await store.close()
        throw error
    }
}

/// The engine over the same history in LMDB.
func openLMDBHistoryEngine() async throws -> QueryState {
    let cached = postgresHistoryStore()
    try await cached.ensure()
    return try await openQueryEngine(over: try cached.open(), of: cached, views: cached.engineDirectory, viewsMarker: cached.viewsMarker)
}

func registerPostgresHistory() {
    let s = EngineSettings.current
    guard let url = s.postgresURL else { return }
    let customers = postgresHistoryStore().configuration.customers ?? 0
    let size = "\(s.postgresHistoryEvents) events, \(customers) customers"
    registerCustomer360(.customerHistory, name: "customer history page (100 entries), LMDB log, \(size)", key: "lmdb_history_customer") {
        try await openLMDBHistoryEngine()
    }
    registerCustomer360(.customerHistory, name: "customer history page (100 entries), PostgreSQL log, \(size)", key: "pg_history_customer") {
        try await openPostgresHistoryEngine(url: url)
    }
    registerCustomer360(.recordHistory, name: "customer record history page (100 entries), LMDB log, \(size)", key: "lmdb_history_record") {
        try await openLMDBHistoryEngine()
    }
    registerCustomer360(.recordHistory, name: "customer record history page (100 entries), PostgreSQL log, \(size)", key: "pg_history_record") {
        try await openPostgresHistoryEngine(url: url)
    }
}
