import CRMDomain
import CRMProjections
import CRMTestSupport
import EventSourcing
import EventStoreLMDB
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Killing the process while its views follow the log leaves every view consistent with its own
/// checkpoint: its rows equal the rows of a fresh build of that projection up to that checkpoint.
@Suite(.serialized) struct ViewsCrashTests {
    @Test func everyViewMatchesItsCheckpointAfterRepeatedSIGKILL() async throws {
        let harness = try harnessPath("views-harness")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crm-engine-tests-views-crash-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let rounds = ProcessInfo.processInfo.environment["CRM_STRESS"] == nil ? 3 : 12
        var rng = SystemRandomNumberGenerator()
        let registry = try CRMEvents.registry()
        var comparedRows = 0
        var furthest = GlobalPosition.start
        for round in 0..<rounds {
            let child = try ChildProcess(executable: harness, arguments: ["--dir", directory, "--events", "\(20_000 * rounds)", "--seed", "5"])
            let started = await child.waitForLine(timeout: 120) { $0.hasPrefix("head ") }
            #expect(started, "round \(round): the harness appended nothing")
            try await Task.sleep(for: .milliseconds(Int.random(in: 50...400, using: &rng)))
            child.kill(SIGKILL)
            #expect(await child.waitForExit(), "round \(round): the killed harness did not exit")

            let store = try LMDBEventStore(directory: directory + "/log")
            let views = try ProjectionRunner(store: store, registry: registry, projections: CRMViews.all, directory: directory + "/views")
            let head = try await store.headPosition()
            furthest = max(furthest, views.status().map(\.checkpoint).max() ?? .start)
            #expect(views.status().allSatisfy { $0.checkpoint <= head })
            for status in views.status() {
                let projection = try #require(CRMViews.all.first { $0.name == status.name })
                let fresh = directory + "/check-\(round)-\(status.name)"
                _ = try await ProjectionRunner.build(store: store, registry: registry, projections: [projection], into: fresh, upTo: status.checkpoint)
                let oracle = try ProjectionRunner(store: store, registry: registry, projections: [projection], directory: fresh)
                let expected = try oracle.rows(of: status.name)
                let actual = try views.rows(of: status.name)
                for (table, rows) in expected {
                    let got = actual[table] ?? []
                    #expect(rows.count == got.count && zip(rows, got).allSatisfy { $0.key == $1.key && $0.value == $1.value },
                            "round \(round): \(status.name)/\(table) does not match its checkpoint \(status.checkpoint.rawValue)")
                    comparedRows += rows.count
                }
                await oracle.close()
                try? FileManager.default.removeItem(atPath: fresh)
            }
            await views.close()
            await store.close()
        }
        #expect(comparedRows > 0)
        #expect(furthest > .start, "no view got anywhere before the kills")
    }
}
