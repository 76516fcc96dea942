import EventSourcing
import EventStoreLMDB
import Foundation
import LMDB
import Testing

@Suite("LMDBEventStore")
struct StoreTests {
    let factory = EventFactory()

    @Test func reopeningKeepsEveryEventAndContinuesPositionsAndStreams() async throws {
        let directory = makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        var store = try LMDBEventStore(directory: directory)
        try await store.append(factory.events(3), to: "customer-1", expectedVersion: .noStream)
        try await store.append(factory.events(2), to: "customer-2", expectedVersion: .noStream)
        await store.close()

        store = try LMDBEventStore(directory: directory)
        #expect(try await store.headPosition() == 5)
        #expect(try await store.streamVersion(of: "customer-1") == 3)
        let result = try await store.append(factory.events(2), to: "customer-3", expectedVersion: .noStream)
        #expect(result.firstPosition == 6)
        try await store.append(factory.events(1), to: "customer-1", expectedVersion: .exact(3))
        #expect(try await store.readStream("customer-1").map(\.position.rawValue) == [1, 2, 3, 8])
        #expect(try await store.readStream("customer-3").map(\.position.rawValue) == [6, 7])
        let report = try store.verify()
        #expect(report.isClean, "\(report)")
        #expect(report.eventCount == 8 && report.streamCount == 3)
        await store.close()
    }

    @Test func aFullMapGrowsAndTheAppendSucceeds() async throws {
        let directory = makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        let store = try LMDBEventStore(directory: directory, options: .init(initialMapSize: 64 * 1024))
        let before = try store.statistics().mapSize
        for round in 0..<10 {
            try await store.append(factory.events(100, payloadSize: 4000), to: StreamID("bulk-\(round)"), expectedVersion: .noStream)
        }
        let statistics = try store.statistics()
        #expect(statistics.eventCount == 1000)
        #expect(statistics.mapSize > before, "map grew from \(before) to \(statistics.mapSize)")
        #expect(try store.verify().isClean)
        await store.close()
    }

    @Test func aSecondWriterInTheSameProcessIsRefused() async throws {
        let directory = makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        let store = try LMDBEventStore(directory: directory)
        let error = #expect(throws: EventStoreError.self) { try LMDBEventStore(directory: directory) }
        #expect(error?.code == .storeInUse)
        #expect(error?.ownerPID == getpid())
        await store.close()
        let again = try LMDBEventStore(directory: directory)
        await again.close()
    }

    @Test func aReadOnlyStoreBesideAnOpenOneInTheSameProcessIsRefusedAndTheOpenOneKeepsWorking() async throws {
        let directory = makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        let writer = try LMDBEventStore(directory: directory)
        try await writer.append(factory.events(2), to: "a-1", expectedVersion: .noStream)
        // LMDB forbids a second handle on one environment in a process: refused before it is opened.
        let error = #expect(throws: EventStoreError.self) { try LMDBEventStore(directory: directory, options: .readOnly) }
        #expect(error?.code == .storeInUse, "\(String(describing: error))")
        #expect(error?.detail.contains("already open in this process") == true, "\(String(describing: error))")
        try await writer.append(factory.events(1), to: "a-1", expectedVersion: .exact(2))
        #expect(try await writer.readStream("a-1").count == 3)
        await writer.close()
        let reader = try LMDBEventStore(directory: directory, options: .readOnly)
        let second = #expect(throws: EventStoreError.self) { try LMDBEventStore(directory: directory, options: .readOnly) }
        #expect(second?.code == .storeInUse)
        #expect(try await reader.readStream("a-1").count == 3)
        await reader.close()
    }

    @Test func aDataFileWhoseHeaderIsNoLMDBEnvironmentsIsReportedAsDamage() async throws {
        let directory = makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        let writer = try LMDBEventStore(directory: directory)
        try await writer.append(factory.events(2), to: "a-1", expectedVersion: .noStream)
        await writer.close()
        // Both meta pages overwritten: LMDB answers MDB_INVALID.
        let handle = try #require(FileHandle(forUpdatingAtPath: directory + "/data.mdb"))
        try handle.write(contentsOf: Data(repeating: 0x5A, count: 8192))
        try handle.close()
        for options in [LMDBEventStore.Options.readOnly, LMDBEventStore.Options()] {
            let error = #expect(throws: EventStoreError.self) { try LMDBEventStore(directory: directory, options: options) }
            #expect(error?.code == .corrupted, "\(String(describing: error))")
        }
    }

    @Test func readOnlyStoreRefusesAppendsAndAMissingStoreIsAnError() async throws {
        let directory = makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        #expect(throws: EventStoreError.self) { try LMDBEventStore(directory: directory + "/nothing", options: .readOnly) }
        let writer = try LMDBEventStore(directory: directory)
        try await writer.append(factory.events(2), to: "a-1", expectedVersion: .noStream)
        await writer.close()
        let reader = try LMDBEventStore(directory: directory, options: .readOnly)
        let error = await #expect(throws: EventStoreError.self) {
            try await reader.append(factory.events(1), to: "a-1", expectedVersion: .any)
        }
        #expect(error?.code == .readOnly)
        #expect(try await reader.readStream("a-1").count == 2)
        await reader.close()
    }

    @Test func anotherStorageFormatVersionIsRefusedWithAClearError() async throws {
        let directory = makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        let store = try LMDBEventStore(directory: directory)
        try await store.append(factory.events(1), to: "a-1", expectedVersion: .noStream)
        await store.close()
        try withRawEnvironment(directory) { env in
            let meta = try env.openDatabase(named: "meta")
            try env.write { txn in try txn.put([0, 0, 0, 99], forKey: Array("format".utf8), in: meta) }
        }
        let error = #expect(throws: EventStoreError.self) { try LMDBEventStore(directory: directory) }
        #expect(error?.code == .incompatibleFormat)
        #expect(error?.detail.contains("99") == true)
    }

    @Test func aForeignLMDBEnvironmentIsNotTakenForAStore() throws {
        let directory = makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        try withRawEnvironment(directory) { env in
            let other = try env.openDatabase(named: nil)
            try env.write { txn in try txn.put([1], forKey: [1], in: other) }
        }
        let error = #expect(throws: EventStoreError.self) { try LMDBEventStore(directory: directory, options: .readOnly) }
        #expect(error?.code == .incompatibleFormat)
    }

    @Test func verifyIsCleanOnAHealthyStoreAndReportsCounts() async throws {
        let directory = makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        let store = try LMDBEventStore(directory: directory)
        for i in 0..<20 {
            try await store.append(factory.events(7), to: StreamID("s-\(i % 6)"), expectedVersion: .any)
        }
        let report = try store.verify()
        #expect(report.isClean, "\(report)")
        #expect(report.eventCount == 140)
        #expect(report.streamCount == 6)
        #expect(report.headPosition == 140)
        await store.close()
    }

    @Test func verifyReportsADamagedRecordAMissingIndexEntryAndAGap() async throws {
        let directory = makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        let store = try LMDBEventStore(directory: directory)
        let events = factory.events(10)
        try await store.append(events, to: "victim-1", expectedVersion: .noStream)
        await store.close()

        try withRawEnvironment(directory) { env in
            let log = try env.openDatabase(named: "events")
            let ids = try env.openDatabase(named: "ids")
            try env.write { txn in
                // Flip the last payload byte of position 3.
                let key3 = bigEndian(3)
                guard var record = try txn.value(forKey: key3, in: log) else { throw VerifyTestError.missing }
                record[record.count - 1] ^= 0xFF
                try txn.put(record, forKey: key3, in: log)
                // Drop the id-index entry of the event at position 5.
                try txn.delete(key: withUnsafeBytes(of: events[4].id.uuid) { Array($0) }, in: ids)
                // Remove position 8 from the log.
                try txn.delete(key: bigEndian(8), in: log)
            }
        }

        let reader = try LMDBEventStore(directory: directory, options: .readOnly)
        let report = try reader.verify()
        #expect(!report.isClean)
        let text = report.faults.map(\.description)
        #expect(text.contains { $0.contains("position 3") && $0.contains("checksum") }, "\(text)")
        #expect(text.contains { $0.contains("position 9") && $0.contains("gap") }, "\(text)")
        #expect(text.contains { $0.contains("event-id index has 9 entries for 9 events") == false && $0.contains("position 5") && $0.contains("event-id index") }, "\(text)")
        #expect(text.contains { $0.contains("stream version") }, "\(text)")
        await reader.close()
    }

    @Test func backupWhileAppendingGivesACopyThatOpensAndVerifies() async throws {
        let directory = makeTemporaryDirectory()
        let backup = makeTemporaryDirectory("backup") + "/copy"
        defer {
            removeDirectory(directory)
            removeDirectory(backup)
        }
        let store = try LMDBEventStore(directory: directory)
        for i in 0..<20 {
            try await store.append(factory.events(50), to: StreamID("pre-\(i)"), expectedVersion: .noStream)
        }
        let factory = self.factory
        let appender = Task {
            for i in 0..<40 {
                try await store.append(factory.events(25), to: StreamID("during-\(i)"), expectedVersion: .noStream)
            }
        }
        // What a backup stopped half way left beside the destination is replaced, and gone afterwards.
        try FileManager.default.createDirectory(atPath: backup + ".partial", withIntermediateDirectories: true)
        try Data("half a file".utf8).write(to: URL(fileURLWithPath: backup + ".partial/data.mdb"))
        try store.backup(to: backup)
        try await appender.value
        #expect(!FileManager.default.fileExists(atPath: backup + ".partial"))
        #expect(throws: EventStoreError.self) { try store.backup(to: backup) }  // not empty any more

        let copy = try LMDBEventStore(directory: backup, options: .readOnly)
        let report = try copy.verify()
        #expect(report.isClean, "\(report)")
        #expect(report.eventCount >= 1000)
        #expect(try await copy.readStream("pre-19").count == 50)
        await copy.close()
        // The copy is a full store: it opens for writing and continues.
        let writable = try LMDBEventStore(directory: backup)
        try await writable.append(factory.events(1), to: "after-restore-1", expectedVersion: .noStream)
        #expect(try writable.verify().isClean)
        await writable.close()
        await store.close()
    }

    @Test func lendingStreamReadMatchesCopyingRead() async throws {
        let directory = makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        let store = try LMDBEventStore(directory: directory)
        try await store.append(factory.events(6), to: "lend-1", expectedVersion: .noStream)
        try await store.append(factory.events(3), to: "lend-2", expectedVersion: .noStream)
        var lent: [RecordedEvent] = []
        try store.forEachEvent(of: "lend-1", from: 2, limit: 3) { lent.append($0.copy()) }
        let copied = try await store.readStream("lend-1", from: 2, direction: .forward, limit: 3)
        #expect(lent == copied)
        #expect(lent.map(\.streamVersion.rawValue) == [2, 3, 4])
        await store.close()
    }

    @Test func noSyncDurabilityStillCommitsAndReadsBack() async throws {
        let directory = makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        let store = try LMDBEventStore(directory: directory, options: .init(durability: .noSync))
        try await store.append(factory.events(100), to: "fast-1", expectedVersion: .noStream)
        await store.close()
        let reopened = try LMDBEventStore(directory: directory)
        #expect(try await reopened.streamVersion(of: "fast-1") == 100)
        await reopened.close()
    }
}

private enum VerifyTestError: Error { case missing }

private func bigEndian(_ value: UInt64) -> [UInt8] {
    withUnsafeBytes(of: value.bigEndian) { Array($0) }
}

/// Opens the store's LMDB environment directly, to damage it or to plant foreign data.
private func withRawEnvironment(_ directory: String, _ body: (Environment) throws -> Void) throws {
    let env = try Environment(path: directory, options: .init(maxDatabases: 8))
    defer { env.close() }
    try body(env)
}
