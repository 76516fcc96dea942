import CRMTestSupport
import EventSourcing
import EventStorePostgres
import Foundation
import Synchronization
import Testing

/// scripts/test-postgres.sh, run with its own state file: a cluster of the test's own, which it may stop.
private struct Cluster {
    let state: String
    let script: String

    init() {
        // Beside make test's own state file when there is one, so its cleanup trap stops this cluster too.
        if let shared = ProcessInfo.processInfo.environment["CRM_TEST_PG_STATE"], !shared.isEmpty {
            state = shared + ".drill"
        } else {
            state = FileManager.default.temporaryDirectory.appendingPathComponent("crm-drill-\(UUID().uuidString).state").path
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        script = root.appendingPathComponent("scripts/test-postgres.sh").path
    }

    /// Runs `script command`; its standard output.
    @discardableResult
    func run(_ command: String) async throws -> String {
        let child = try ChildProcess(executable: "/usr/bin/env", arguments: ["CRM_TEST_PG_STATE=\(state)", script, command])
        guard await child.waitForExit(timeout: 120), child.exitStatus == 0 else {
            throw ClusterFailure(description: "test-postgres.sh \(command) failed: \(child.errorTail())")
        }
        return child.lines.last ?? ""
    }

    struct ClusterFailure: Error, CustomStringConvertible { let description: String }
}

/// What the writers saw.
private final class DrillLog: Sendable {
    struct State {
        var acked: [UUID: UInt64] = [:]
        var codes: [String] = []
        var untyped: [String] = []
        var lastAck = ContinuousClock.now
    }
    let state = Mutex(State())
    let stop = Atomic<Bool>(false)
}

@Suite("PostgreSQL failover drill", .serialized)
struct FailoverTests {
    @Test func aServerStoppedMidLoadGivesTypedErrorsAndAfterItsRestartNothingAcknowledgedIsLost() async throws {
        _ = try TestDatabase.url()  // the PostgreSQL tests need a server: fail here like the others when there is none
        let cluster = Cluster()
        let url = try await cluster.run("start")
        do {
            var configuration = try PostgresStoreConfiguration(url: url)
            configuration.schema = "drill"
            configuration.operationTimeout = .seconds(2)
            configuration.connectTimeout = .seconds(60)
            configuration.pollInterval = .milliseconds(200)
            let store = try await PostgresEventStore.open(configuration)
            let log = DrillLog()
            let ids = UUIDv7Generator()
            let writers = Task {
                await withTaskGroup(of: Void.self) { group in
                    for w in 0..<4 {
                        group.addTask {
                            var version: UInt64 = 0
                            while !log.stop.load(ordering: .acquiring) {
                                let event = EventData(id: ids.next(), type: "Drilled", payload: Array("w\(w)v\(version)".utf8), metadata: EventMetadata(actor: "drill"))
                                // Re-sent with the same id until acknowledged: idempotent, even when a commit's
                                // answer was lost.
                                while true {
                                    do {
                                        let result = try await store.append([event], to: StreamID("drill-\(w)"), expectedVersion: .exact(StreamVersion(version)))
                                        log.state.withLock {
                                            $0.acked[event.id] = result.firstPosition.rawValue
                                            $0.lastAck = ContinuousClock.now
                                        }
                                        break
                                    } catch let error as EventStoreError {
                                        log.state.withLock { $0.codes.append("\(error.code)") }
                                    } catch {
                                        log.state.withLock { $0.untyped.append("\(type(of: error))") }
                                    }
                                    try? await Task.sleep(for: .milliseconds(50))
                                }
                                version += 1
                            }
                        }
                    }
                }
            }
            try await Task.sleep(for: .seconds(1))
            let before = log.state.withLock { $0.acked.count }
            try await cluster.run("pause")
            try await Task.sleep(for: .seconds(3))
            try await cluster.run("resume")
            let resumed = ContinuousClock.now
            // Wait for appends to flow again (the pool reconnects by itself).
            var recovered = false
            for _ in 0..<900 {
                if log.state.withLock({ $0.lastAck > resumed }) { recovered = true; break }
                try await Task.sleep(for: .milliseconds(100))
            }
            try await Task.sleep(for: .milliseconds(500))
            log.stop.store(true, ordering: .releasing)
            await writers.value

            let seen = log.state.withLock { $0 }
            print("failover drill: \(before) acknowledged before the stop, \(seen.acked.count) in all, \(seen.codes.count) typed errors during the outage, recovered \(recovered)")
            #expect(before > 0, "appends were acknowledged before the outage")
            #expect(recovered, "appends were acknowledged again after the restart")
            #expect(seen.untyped.isEmpty, "every failure was an EventStoreError: \(Set(seen.untyped))")
            #expect(!seen.codes.isEmpty, "the outage was seen as errors")
            #expect(Set(seen.codes) == ["storage"], "outage errors are .storage: \(Set(seen.codes))")

            let stored = try await store.readAll(from: .start, direction: .forward, limit: .max)
            #expect(stored.map(\.position.rawValue) == Array(1...UInt64(stored.count)), "the log is gapless")
            let byID = Dictionary(stored.map { ($0.id, $0.position.rawValue) }, uniquingKeysWith: { a, _ in a })
            let lost = seen.acked.filter { byID[$0.key] != $0.value }
            #expect(lost.isEmpty, "every acknowledged event is stored at its acknowledged position (\(lost.count) not)")
            #expect(stored.count == seen.acked.count, "nothing was stored twice or without acknowledgement")
            await store.close()
        } catch {
            _ = try? await cluster.run("stop")
            throw error
        }
        try await cluster.run("stop")
    }
}
