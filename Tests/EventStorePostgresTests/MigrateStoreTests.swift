import CRMTestSupport
import EventSourcing
import EventStoreLMDB
import EventStorePostgres
import Foundation
import Testing

@Suite("crm migrate-store", .serialized)
struct MigrateStoreTests {
    /// Runs the built `crm` with `arguments`; its exit status and output.
    private func crm(_ arguments: [String]) async throws -> (Int32?, [String], String) {
        let child = try ChildProcess(executable: try harnessPath("crm"), arguments: arguments)
        let exited = await child.waitForExit(timeout: 120)
        #expect(exited, "crm \(arguments.first ?? "") finished")
        return (child.exitStatus, child.lines, child.errorTail())
    }

    @Test func anLMDBLogIsCopiedWithItsPositionsIdsAndTimesAndAnInterruptedCopyIsContinued() async throws {
        let configuration = try TestDatabase.configuration("migrate")
        let url = "postgres://\(configuration.username)@\(configuration.host):\(configuration.port)/\(configuration.database)?schema=\(configuration.schema)"
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("crm-migrate-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: data) }
        let clock = ManualClock(Date(timeIntervalSince1970: 1_760_000_000.123456))
        let ids = SequentialIDGenerator(seed: 3)
        let lmdb = try LMDBEventStore(directory: data + "/log", clock: clock)
        for i in 0..<40 {
            clock.advance(by: 61.5)
            let metadata = EventMetadata(actor: "emp-\(i % 3)", correlationID: i % 2 == 0 ? ids.next() : nil, causationID: nil,
                                         sourceSystem: i % 5 == 0 ? "billing" : nil, clientIP: i % 7 == 0 ? "192.0.2.\(i)" : nil)
            let events = (0..<(1 + i % 4)).map { n in
                EventData(id: ids.next(), type: "Happened\(n)", schemaVersion: UInt32(1 + n), payload: Array("payload \(i)/\(n)".utf8), metadata: metadata)
            }
            try await lmdb.append(events, to: StreamID("rec-\(i % 6)"), expectedVersion: .any)
        }
        await lmdb.close()

        let (status, lines, stderr) = try await crm(["migrate-store", "--from", data, "--to", url, "--batch", "17"])
        #expect(status == 0, "migrate-store failed: \(stderr)")
        #expect(lines.last?.hasPrefix("verified") == true, "\(lines)")

        // More events in the source, then a second run continues the copy.
        let again = try LMDBEventStore(directory: data + "/log", clock: clock)
        try await again.append((0..<5).map { _ in EventData(id: ids.next(), type: "Later", payload: [1, 2, 3], metadata: .system) }, to: "rec-later", expectedVersion: .noStream)
        let source = try await again.readAll(from: .start, direction: .forward, limit: .max)
        await again.close()
        let (status2, lines2, stderr2) = try await crm(["migrate-store", "--from", data, "--to", url])
        #expect(status2 == 0, "second migrate-store failed: \(stderr2)")
        #expect(lines2.contains { $0.hasPrefix("continuing") }, "\(lines2)")

        let target = try await PostgresEventStore.open(configuration)
        let copied = try await target.readAll(from: .start, direction: .forward, limit: .max)
        #expect(copied == source, "every event identical, position, id, version, time, metadata and payload")
        #expect(try await target.streamVersion(of: "rec-0") == (try await target.readStream("rec-0")).last?.streamVersion)
        // The copied log goes on where the source stopped.
        let next = try await target.append([EventData(id: ids.next(), type: "AfterMove", payload: [], metadata: .system)], to: "rec-later", expectedVersion: .exact(5))
        #expect(next.firstPosition.rawValue == UInt64(source.count) + 1)
        await target.close()
        try await PostgresEventStore.destroy(configuration)
    }
}
