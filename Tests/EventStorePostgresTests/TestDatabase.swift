import EventSourcing
import EventStorePostgres
import Foundation
import Testing

/// The PostgreSQL server the tests run against: `CRM_TEST_POSTGRES_URL` (set by `make test` through
/// scripts/test-postgres.sh). Without it, or when it cannot be reached, the tests FAIL — they never skip.
enum TestDatabase {
    struct Missing: Error, CustomStringConvertible {
        var description: String {
            "CRM_TEST_POSTGRES_URL is not set: start a throwaway cluster with `scripts/test-postgres.sh start` and export the URL it prints (make test does both)"
        }
    }

    /// An environment variable the tests need and did not get.
    struct MissingSetting: Error, CustomStringConvertible {
        let description: String
    }

    static func url() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["CRM_TEST_POSTGRES_URL"], !url.isEmpty else { throw Missing() }
        return url
    }

    /// The test cluster's self-signed server certificate (PEM), for the TLS tests.
    static func certificatePath() throws -> String {
        guard let path = ProcessInfo.processInfo.environment["CRM_TEST_POSTGRES_CERT"], !path.isEmpty else {
            throw MissingSetting(description: "CRM_TEST_POSTGRES_CERT is not set: `scripts/test-postgres.sh cert` prints the test cluster's certificate (make test exports it)")
        }
        return path
    }

    /// A configuration on a schema of its own (tests run in parallel and must not see each other's events).
    static func configuration(_ label: String = "t") throws -> PostgresStoreConfiguration {
        var configuration = try PostgresStoreConfiguration(url: try url())
        configuration.schema = label + "_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20)
        // Generous: a loaded CI machine (2 cores, hundreds of tests) can starve a connection attempt for
        // seconds; the timeouts themselves are tested with short values where that is the point.
        configuration.connectTimeout = .seconds(120)
        configuration.operationTimeout = .seconds(120)
        return configuration
    }

    /// Opens a store on a fresh schema; `teardown` closes it and drops the schema.
    static func makeStore(clock: any WallClock = SystemClock(), label: String = "t") async throws -> (PostgresEventStore, @Sendable () async -> Void) {
        let configuration = try configuration(label)
        let store = try await PostgresEventStore.open(configuration, clock: clock)
        return (store, {
            await store.close()
            try? await PostgresEventStore.destroy(configuration)
        })
    }
}

/// Events with deterministic ids and payloads.
struct EventFactory {
    let ids = SequentialIDGenerator(seed: 23)

    func events(_ count: Int, type: String = "Happened", payloadSize: Int = 32) -> [EventData] {
        (0..<count).map { i in
            EventData(
                id: ids.next(), type: type,
                payload: (0..<payloadSize).map { UInt8(truncatingIfNeeded: $0 &+ i) },
                metadata: EventMetadata(actor: "tester")
            )
        }
    }
}
