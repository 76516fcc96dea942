import CRMDataGenerator
import CRMDomain
import EventSourcing
import Foundation
import Testing

/// 2026-01-01T00:00:00Z.
let testStart = Date(timeIntervalSince1970: 1_767_225_600)

func configuration(seed: UInt64 = 42, events: Int) -> HistoryGenerator.Configuration {
    HistoryGenerator.Configuration(seed: seed, targetEvents: events, start: testStart)
}

func batches(_ configuration: HistoryGenerator.Configuration) throws -> [[StreamAppend]] {
    var all: [[StreamAppend]] = []
    try HistoryGenerator(configuration).forEachBatch { all.append($0) }
    return all
}

@Suite struct HistoryGeneratorTests {
    @Test func sameSeedGivesIdenticalBatchesAndAnotherSeedDoesNot() throws {
        let a = try batches(configuration(seed: 7, events: 3000))
        let b = try batches(configuration(seed: 7, events: 3000))
        let c = try batches(configuration(seed: 8, events: 3000))
        #expect(a == b)
        #expect(a != c)
    }

    /// A history may start on any day and at any time, not only on a month's first midnight.
    @Test(arguments: [1_768_392_000.0, 1_772_280_000.5, 1_769_817_599.0] as [Double])
    func aHistoryStartingMidMonthGeneratesAndAppends(start: Double) async throws {
        let generator = HistoryGenerator(.init(seed: 3, targetEvents: 3000, start: Date(timeIntervalSince1970: start)))
        let store = InMemoryEventStore()
        var events = 0
        try await generator.forEachBatch { batch in
            let results = try await store.append(batch)
            events += results.count
        }
        #expect(events > 2000)
        #expect(generator.world.customers.count > 10)
    }

    @Test(arguments: [1000, 5000, 20_000])
    func reachesTheTargetWithinTenPercent(target: Int) throws {
        let count = try batches(configuration(events: target)).reduce(0) { $0 + $1.reduce(0) { $0 + $1.events.count } }
        #expect(abs(count - target) <= target / 10, "\(count) events for a target of \(target)")
    }

    @Test func everyBatchAppendsToAnEmptyStoreInOrder() async throws {
        let store = InMemoryEventStore()
        let generator = HistoryGenerator(configuration(events: 5000))
        var appended = 0
        try await generator.forEachBatch { batch in
            #expect(batch.count == 1)
            try await store.append(batch)
            appended += batch.reduce(0) { $0 + $1.events.count }
        }
        let head = try await store.headPosition()
        #expect(head.rawValue == UInt64(appended))
    }

    @Test func everyEventDecodesWithTheDomainRegistry() throws {
        let registry = try CRMEvents.registry()
        var decoded = 0
        try HistoryGenerator(configuration(events: 5000)).forEachBatch { batch in
            for append in batch {
                for event in append.events {
                    _ = try event.payload.withUnsafeBytes { try registry.decode(event.type, schemaVersion: event.schemaVersion, from: $0) }
                    decoded += 1
                }
            }
        }
        #expect(decoded > 4000)
    }

    @Test func batchesAreInTimeOrderAndActorsAreStaff() throws {
        let generator = HistoryGenerator(configuration(events: 5000))
        let actors = Set(generator.world.staff.map(\.actor)).union(["system"])
        var last = UInt64(0)
        try generator.forEachBatch { batch in
            for event in batch.flatMap(\.events) {
                #expect(actors.contains(event.metadata.actor))
                // A UUIDv7: the first 48 bits are the simulated milliseconds.
                let ms = withUnsafeBytes(of: event.id.uuid) { bytes in bytes.prefix(6).reduce(UInt64(0)) { $0 << 8 | UInt64($1) } }
                #expect(ms + 2000 >= last, "events go forward in time")
                last = max(last, ms)
            }
        }
    }
}
