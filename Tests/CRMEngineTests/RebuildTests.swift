import CRMDataGenerator
import CRMDomain
import CRMEngine
import EventSourcing
import EventStoreLMDB
import Foundation
import Testing

@Suite struct RebuildTests {
    /// ARCHITECTURE decision 1: views driven live, commit by commit, over a generated history equal, table
    /// by table and byte for byte, the views rebuilt from zero in batches.
    @Test func rebuildingEveryViewGivesTheSameRowsAsLiveUpdating() async throws {
        let events = ProcessInfo.processInfo.environment["CRM_STRESS"] == nil ? 20_000 : 100_000
        let (f, _) = try await EngineFixture.generated("rebuild", events: events, seed: 11)
        let head = try await f.engine.store.headPosition()  // the fixture waited for the reactor's own writes
        #expect(head.rawValue >= UInt64(events) * 9 / 10)
        try await f.engine.views.waitUntil(head, timeout: .seconds(600))
        var live: [String: [String: [(key: [UInt8], value: [UInt8])]]] = [:]
        for projection in f.engine.views.projections { live[projection.name] = try f.engine.views.rows(of: projection.name) }

        try await f.engine.rebuildViews(as: f.admin)
        for projection in f.engine.views.projections {
            let rebuilt = try f.engine.views.rows(of: projection.name)
            let incremental = try #require(live[projection.name])
            #expect(rebuilt.keys.sorted() == incremental.keys.sorted(), "tables of \(projection.name)")
            for (table, rows) in incremental {
                let other = rebuilt[table] ?? []
                #expect(rows.count == other.count, "\(projection.name)/\(table): \(rows.count) live rows, \(other.count) rebuilt")
                let same = zip(rows, other).allSatisfy { $0.key == $1.key && $0.value == $1.value }
                #expect(same, "\(projection.name)/\(table) differs")
            }
        }
        // The generated history fills the views (so the comparison compares something).
        #expect((live["customer-360"]?.values.map(\.count).reduce(0, +) ?? 0) > 100)
        #expect((live["task-board"]?.values.map(\.count).reduce(0, +) ?? 0) > 100)
        #expect(f.engine.views.status().allSatisfy { $0.failure == nil && $0.checkpoint == head })
        await f.close()
    }
}
