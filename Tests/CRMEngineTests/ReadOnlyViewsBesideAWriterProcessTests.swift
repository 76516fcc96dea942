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

/// A runner opened read-only beside the process that writes the views (an embedder's `openReadOnly` beside
/// `crm serve`) sees the checkpoints that process stores after the open: a wait for a position it reaches
/// later answers then, not after the wait's timeout.
@Suite(.serialized) struct ReadOnlyViewsBesideAWriterProcessTests {
    @Test func aReadOnlyRunnerSeesTheCheckpointsTheWriterProcessStoresAfterItOpened() async throws {
        let harness = try harnessPath("views-harness")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crm-engine-tests-views-beside-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let arguments = ["--dir", directory, "--events", "5000", "--seed", "9"]
        // The writer process appends a first part of its history, its views following, and stops there.
        let first = try ChildProcess(executable: harness, arguments: arguments + ["--stop-at", "1500"])
        #expect(await first.waitForExit(timeout: 120), "the writer did not stop: \(first.errorTail())")
        let stopped = first.lines.last { $0.hasPrefix("done ") }.flatMap { UInt64($0.dropFirst(5)) }
        #expect(try #require(stopped, "the writer failed: \(first.errorTail())") >= 1_500)

        let reader = try ProjectionRunner(readingViewsOf: directory + "/views", store: InMemoryEventStore(),
                                          registry: try CRMEvents.registry(), projections: CRMViews.all)
        let opened = try #require(reader.status().first { $0.name == "customer-360" }).checkpoint
        #expect(opened > .start, "the writer stored customer-360 before it stopped")
        #expect(try !reader.hasReached(opened.next, projections: ["customer-360"]))

        // Waiting (in this process) for a position the writer (another process, started again) has yet to reach.
        let waiting = Task { try await reader.waitUntil(opened.next, projections: ["customer-360"], timeout: .seconds(60)) }
        let second = try ChildProcess(executable: harness, arguments: arguments)
        #expect(await second.waitForExit(timeout: 120), "the writer did not finish")
        let done = second.lines.last { $0.hasPrefix("done ") }.flatMap { UInt64($0.dropFirst(5)) }
        let head = GlobalPosition(try #require(done, "the writer failed: \(second.errorTail())"))
        #expect(head > opened)
        try await waiting.value
        #expect(try reader.hasReached(head))
        try await reader.waitUntil(head, timeout: .seconds(60))
        #expect(reader.status().allSatisfy { $0.checkpoint == head && $0.failure == nil })
        await reader.close()
    }
}
