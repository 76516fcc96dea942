import CRMTestSupport
import EventSourcing
import EventStorePostgres
import Foundation
import Testing

@Suite("PostgreSQL log shared by processes", .serialized)
struct ProcessTests {
    @Test func threeWriterProcessesOnOneLogLoseNothingDuplicateNothingAndLeaveNoGap() async throws {
        let url = try TestDatabase.url()
        let configuration = try TestDatabase.configuration("procs")
        // Create the schema first, so the three writers also race on nothing but appends.
        let store = try await PostgresEventStore.open(configuration)
        let harness = try harnessPath("pg-harness")
        let appendsPerWriter = 240
        let payloadSize = 80
        let children = try (0..<3).map { n in
            try ChildProcess(executable: harness, arguments: [
                "append", "--url", url, "--schema", configuration.schema, "--name", "p\(n)",
                "--appends", "\(appendsPerWriter)", "--tasks", "4", "--payload-size", "\(payloadSize)",
            ])
        }
        var acks: [HarnessAck] = []
        for (n, child) in children.enumerated() {
            let exited = await child.waitForExit(timeout: 240)
            #expect(exited, "writer \(n) did not finish")
            #expect(child.exitStatus == 0, "writer \(n) exit status \(child.exitStatus.map(String.init) ?? "running"): \(child.errorTail())")
            #expect(child.lines.last == "done", "writer \(n) did not finish its appends")
            acks += child.lines.compactMap(HarnessAck.init)
        }

        let log = try await store.readAll(from: .start, direction: .forward, limit: .max)
        #expect(log.map(\.position.rawValue) == Array(1...UInt64(log.count)), "positions are gapless from 1")
        #expect(Set(log.map(\.id)).count == log.count, "no event is stored twice")
        #expect(acks.count == log.count, "every stored event was acknowledged once, and only those: \(acks.count) acks, \(log.count) events")
        let byID = Dictionary(log.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var mismatches = 0
        for ack in acks {
            guard let event = byID[ack.id], event.position.rawValue == ack.position, event.stream.rawValue == ack.stream,
                  event.streamVersion.rawValue == ack.version, event.payload == harnessPayload(for: ack.id, size: payloadSize)
            else { mismatches += 1; continue }
        }
        #expect(mismatches == 0, "every acknowledged event is stored where it was acknowledged, intact")
        // Each stream's versions run 1...n without gaps.
        var versions: [StreamID: [UInt64]] = [:]
        for event in log { versions[event.stream, default: []].append(event.streamVersion.rawValue) }
        for (stream, list) in versions {
            #expect(list == Array(1...UInt64(list.count)), "versions of \(stream)")
        }
        #expect(versions["shared"]?.count == 3 * appendsPerWriter / 4, "every writer's shared events")
        #expect(try await store.headPosition().rawValue == UInt64(log.count))
        await store.close()
        try await PostgresEventStore.destroy(configuration)
    }
}
