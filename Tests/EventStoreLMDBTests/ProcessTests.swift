import EventSourcing
import CRMTestSupport
import EventStoreLMDB
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Event store across processes", .serialized)
struct ProcessTests {
    @Test func acknowledgedEventsSurviveRepeatedSIGKILLAndTheLogStaysGapless() async throws {
        let harness = try storeHarnessPath()
        let directory = makeTemporaryDirectory("crash")
        defer { removeDirectory(directory) }
        var acknowledged: [UInt64: HarnessAck] = [:]
        var kills = 0
        var generator = SystemRandomNumberGenerator()

        // `make stress` sets CRM_STRESS for a longer run.
        let rounds = ProcessInfo.processInfo.environment["CRM_STRESS"] == nil ? 24 : 100
        for round in 0..<rounds {
            // A small initial map on some rounds, so kills also land around map growth.
            let mapSize = round % 3 == 0 ? 256 * 1024 : 64 * 1024 * 1024
            let child = try ChildProcess(executable: harness, arguments: [
                "append", "--dir", directory, "--writers", "4", "--map-size", "\(mapSize)", "--payload-size", "96",
            ])
            let started = await child.waitForLine(timeout: 30) { $0.hasPrefix("ack ") }
            #expect(started, "round \(round): the writer acknowledged nothing (exit status \(child.exitStatus.map(String.init) ?? "running"); stderr: \(child.errorTail()))")
            try await Task.sleep(for: .milliseconds(Int.random(in: 0...120, using: &generator)))
            child.kill(SIGKILL)
            kills += 1
            #expect(await child.waitForExit(), "round \(round): the killed writer did not exit")
            for line in child.lines {
                guard let ack = HarnessAck(line) else { continue }
                if let earlier = acknowledged[ack.position] {
                    #expect(earlier == ack, "position \(ack.position) acknowledged twice with different events")
                }
                acknowledged[ack.position] = ack
            }
        }
        #expect(kills >= 20)
        #expect(acknowledged.count > 100, "too few acknowledged events to mean anything: \(acknowledged.count)")

        let store = try LMDBEventStore(directory: directory)
        let report = try store.verify()
        #expect(report.isClean, "verify after crashes: \(report)")
        let head = try await store.headPosition()
        let maxAcked = acknowledged.keys.max() ?? 0
        #expect(head.rawValue >= maxAcked, "the log ends before an acknowledged event")
        var found = 0
        try store.scan(from: .start, limit: .max) { event in
            guard let ack = acknowledged[event.position.rawValue] else { return }
            found += 1
            #expect(event.id == ack.id, "position \(ack.position) holds another event")
            #expect(event.stream.rawValue == ack.stream && event.streamVersion.rawValue == ack.version)
            #expect(Array(event.payload) == harnessPayload(for: ack.id, size: 96), "payload at \(ack.position) damaged")
        }
        #expect(found == acknowledged.count, "acknowledged events missing: \(acknowledged.count - found)")
        // Positions are gapless: the scan saw exactly 1...head.
        var expected: UInt64 = 1
        try store.scan(from: .start, limit: .max) { event in
            #expect(event.position.rawValue == expected)
            expected += 1
        }
        #expect(expected - 1 == head.rawValue)
        await store.close()
    }

    @Test func aSecondWriterProcessIsRefusedWithTheOwnersPID() async throws {
        let directory = makeTemporaryDirectory("second-writer")
        defer { removeDirectory(directory) }
        let child = try ChildProcess(executable: try storeHarnessPath(), arguments: ["append", "--dir", directory, "--writers", "1"])
        #expect(await child.waitForLine(timeout: 30) { $0.hasPrefix("ack ") })

        let error = #expect(throws: EventStoreError.self) { try LMDBEventStore(directory: directory) }
        #expect(error?.code == .storeInUse)
        #expect(error?.ownerPID == child.pid)

        child.kill(SIGKILL)
        #expect(await child.waitForExit())
        // The lock dies with its owner: the next writer opens, and what was written is intact.
        let store = try LMDBEventStore(directory: directory)
        #expect(try store.verify().isClean)
        await store.close()
    }

    @Test func readOnlyOpensWorkBesideARunningWriterThatGrowsTheMap() async throws {
        let directory = makeTemporaryDirectory("read-beside")
        defer { removeDirectory(directory) }
        // A tiny map and big payloads: the writer grows the map again and again while we read.
        let child = try ChildProcess(executable: try storeHarnessPath(), arguments: [
            "append", "--dir", directory, "--writers", "2", "--map-size", "\(128 * 1024)", "--payload-size", "4000",
        ])
        #expect(await child.waitForLine(timeout: 30) { $0.hasPrefix("ack ") })

        let reader = try LMDBEventStore(directory: directory, options: .readOnly)
        let firstMap = try reader.statistics().mapSize
        var lastHead = GlobalPosition.start
        var firstHead: GlobalPosition?
        var reads = 0
        // Reads go on for at least 1.5 s and at least 6 reads while the head moves (however slow a loaded
        // machine makes each one), up to 60 s.
        let start = Date()
        while Date() < start.addingTimeInterval(60) {
            let head = try await reader.headPosition()
            #expect(head >= lastHead, "the head never moves backward")
            lastHead = head
            firstHead = firstHead ?? head
            let events = try await reader.readAll(from: .start, direction: .forward, limit: 50)
            #expect(events.first?.position == 1)
            reads += 1
            if reads > 5, Date() >= start.addingTimeInterval(1.5), let firstHead, head > firstHead { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(reads > 5 && lastHead > (firstHead ?? lastHead), "reads beside a writer that kept appending")
        let report = try reader.verify()
        #expect(report.isClean, "a read-only verify beside the writer: \(report)")

        // A read-only subscription sees events the other process commits.
        let subscribeFrom = lastHead.next
        let seen = try await withThrowingTaskGroup(of: Int.self) { group in
            group.addTask {
                var count = 0
                for try await _ in reader.subscribe(from: subscribeFrom) {
                    count += 1
                    if count == 5 { break }
                }
                return count
            }
            defer { group.cancelAll() }
            return try await group.next() ?? 0
        }
        #expect(seen == 5)
        await #expect(throws: EventStoreError.self) {
            try await reader.append([EventData(id: UUID(), type: "T", payload: [], metadata: .system)], to: "x-1", expectedVersion: .any)
        }
        child.kill(SIGKILL)
        #expect(await child.waitForExit())
        // The reader is closed first: one process holds one handle on an environment.
        await reader.close()
        let writer = try LMDBEventStore(directory: directory)
        #expect(try writer.statistics().mapSize > 128 * 1024, "the writer grew its 128 KiB map while we read")
        #expect(try writer.statistics().mapSize >= firstMap)
        await writer.close()
    }
}
