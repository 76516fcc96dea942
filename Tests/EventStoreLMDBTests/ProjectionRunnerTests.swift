import EventSourcing
import EventStoreLMDB
import Foundation
import Synchronization
import Testing

private struct Noted: EventPayload, Equatable {
    static let eventType = "Noted"
    static let schemaVersion: UInt32 = 1
    var text: String
}

private struct Ignored: EventPayload, Equatable {
    static let eventType = "Ignored"
    static let schemaVersion: UInt32 = 1
    var n: Int
}

private struct Broken: Error {}

/// Counts notes per stream and keeps each stream's last text; fails on a note "boom" when `fragile`.
private struct NoteCounter: Projection {
    var name = "notes"
    var version: UInt32 = 1
    var fragile = false
    static let counts = ViewTable("counts")
    static let last = ViewTable("last")
    var tables: [ViewTable] { [Self.counts, Self.last] }
    var eventTypes: Set<String>? { [Noted.eventType] }

    func apply(_ event: ProjectionEvent, to views: any ViewWriter) throws {
        guard let note = event.payload as? Noted else { return }
        if fragile && note.text == "boom" { throw Broken() }
        let key = ViewKey().string(event.stream.rawValue).bytes
        try views.update(Int.self, forKey: key, in: Self.counts) { ($0 ?? 0) + 1 }
        try views.put(row: note.text, forKey: key, in: Self.last)
    }

    static func count(_ stream: String, in views: any ViewReader) throws -> Int {
        try views.row(Int.self, forKey: ViewKey().string(stream).bytes, in: counts) ?? 0
    }
}

/// Appends one row per note under the number the note's text ends with: in log order, out of order and
/// again under a number already stored, as `append`'s callers may.
private struct NoteAppender: Projection {
    var name = "appended"
    var version: UInt32 = 1
    static let log = ViewTable("log")
    var tables: [ViewTable] { [Self.log] }
    var eventTypes: Set<String>? { [Noted.eventType] }

    func apply(_ event: ProjectionEvent, to views: any ViewWriter) throws {
        guard let note = event.payload as? Noted, let number = note.text.split(separator: " ").last.flatMap({ UInt64($0) }) else { return }
        try views.append(Array("\(note.text) at \(event.position.rawValue)".utf8), forKey: ViewKey().uint64(number).bytes, in: Self.log)
    }
}

/// Writes a table it did not declare on a note "stray".
private struct StrayWriter: Projection {
    var name = "stray"
    var version: UInt32 = 1
    var tables: [ViewTable] { [NoteCounter.counts] }
    var eventTypes: Set<String>? { [Noted.eventType] }

    func apply(_ event: ProjectionEvent, to views: any ViewWriter) throws {
        guard let note = event.payload as? Noted else { return }
        try views.put([1], forKey: Array(note.text.utf8), in: note.text == "stray" ? ViewTable("undeclared") : NoteCounter.counts)
    }
}

@Suite struct ProjectionRunnerTests {
    var registry: PayloadRegistry {
        var r = PayloadRegistry()
        r.register(Noted.self)
        r.register(Ignored.self)
        return r
    }

    func note(_ text: String, _ i: Int) throws -> EventData {
        try EventData(id: testID(i), payload: Noted(text: text), metadata: .system)
    }

    func appendNotes(_ store: LMDBEventStore, streams: Int, each: Int, offset: Int = 0) async throws -> GlobalPosition {
        var last = GlobalPosition.start
        for s in 0..<streams {
            for i in 0..<each {
                let n = offset + s * each + i
                let r = try await store.append([try note("note \(n)", n)], to: StreamID("s-\(s)"), expectedVersion: .any)
                last = r.lastPosition
            }
        }
        return last
    }

    @Test func viewsCatchUpOnStartAndFollowNewWritesUntilTheWriterReadsThem() async throws {
        let dir = makeTemporaryDirectory("views")
        defer { removeDirectory(dir) }
        let store = try LMDBEventStore(directory: dir + "/log")
        _ = try await appendNotes(store, streams: 3, each: 5)
        let runner = try ProjectionRunner(store: store, registry: registry, projections: [NoteCounter()], directory: dir + "/views")
        try await runner.start()
        #expect(try runner.read("notes") { try NoteCounter.count("s-1", in: $0) } == 5)
        let r = try await store.append([try note("later", 999)], to: "s-1", expectedVersion: .any)
        try await runner.waitUntil(r.lastPosition)
        #expect(try runner.read("notes") { try NoteCounter.count("s-1", in: $0) } == 6)
        #expect(runner.status().first?.checkpoint == r.lastPosition)
        await runner.close()
        await store.close()
    }

    @Test func aReopenedRunnerResumesFromItsCheckpointWithoutApplyingTwice() async throws {
        let dir = makeTemporaryDirectory("views")
        defer { removeDirectory(dir) }
        let store = try LMDBEventStore(directory: dir + "/log")
        _ = try await appendNotes(store, streams: 2, each: 4)
        var runner = try ProjectionRunner(store: store, registry: registry, projections: [NoteCounter()], directory: dir + "/views")
        try await runner.start()
        await runner.close()
        let head = try await appendNotes(store, streams: 2, each: 3, offset: 100)
        runner = try ProjectionRunner(store: store, registry: registry, projections: [NoteCounter()], directory: dir + "/views")
        try await runner.start()
        try await runner.waitUntil(head)
        #expect(try runner.read("notes") { try NoteCounter.count("s-0", in: $0) } == 7)
        await runner.close()
        await store.close()
    }

    @Test func aProjectionNoEventConcernsReachesTheHeadAndAfterAReopenAppliesEachEventOnce() async throws {
        let dir = makeTemporaryDirectory("views-idle")
        defer { removeDirectory(dir) }
        let store = try LMDBEventStore(directory: dir + "/log")
        _ = try await appendNotes(store, streams: 1, each: 2)
        var runner = try ProjectionRunner(store: store, registry: registry, projections: [NoteCounter()], directory: dir + "/views")
        try await runner.start()
        // Batches of events the projection does not follow: its checkpoint still moves, so waits return.
        var head = GlobalPosition.start
        for n in 0..<5 {
            head = try await store.append([try EventData(id: testID(7000 + n), payload: Ignored(n: n), metadata: .system)], to: "other", expectedVersion: .any).lastPosition
            try await runner.waitUntil(head, timeout: .seconds(10))
        }
        #expect(runner.status().first?.checkpoint == head)
        await runner.close()
        head = try await appendNotes(store, streams: 1, each: 1, offset: 100)
        runner = try ProjectionRunner(store: store, registry: registry, projections: [NoteCounter()], directory: dir + "/views")
        try await runner.start()
        try await runner.waitUntil(head)
        #expect(try runner.read("notes") { try NoteCounter.count("s-0", in: $0) } == 3)
        await runner.close()
        await store.close()
    }

    @Test func aRebuildGivesTheSameRowsAsIncrementalUpdatingAndSwapsIn() async throws {
        let dir = makeTemporaryDirectory("views")
        defer { removeDirectory(dir) }
        let store = try LMDBEventStore(directory: dir + "/log")
        let runner = try ProjectionRunner(store: store, registry: registry, projections: [NoteCounter()], directory: dir + "/views", batchSize: 7)
        try await runner.start()
        var head = GlobalPosition.start
        for s in 0..<5 {
            head = try await appendNotes(store, streams: 4, each: 6, offset: s * 100)
            _ = try await store.append([try EventData(id: testID(5000 + s), payload: Ignored(n: s), metadata: .system)], to: "other", expectedVersion: .any)
        }
        try await runner.waitUntil(head)
        let incremental = try runner.rows(of: "notes")
        try await runner.rebuild()
        let rebuilt = try runner.rows(of: "notes")
        #expect(incremental.keys.sorted() == rebuilt.keys.sorted())
        for (table, rows) in incremental {
            #expect(rows.map(\.key) == rebuilt[table]?.map(\.key), "keys of \(table)")
            #expect(rows.map(\.value) == rebuilt[table]?.map(\.value), "values of \(table)")
        }
        #expect(try runner.read("notes") { try NoteCounter.count("s-3", in: $0) } == 30)
        // The swapped-in generation keeps following the log.
        let r = try await store.append([try note("after", 7777)], to: "s-3", expectedVersion: .any)
        try await runner.waitUntil(r.lastPosition)
        #expect(try runner.read("notes") { try NoteCounter.count("s-3", in: $0) } == 31)
        let generations = try FileManager.default.contentsOfDirectory(atPath: dir + "/views/notes").filter { Int($0) != nil }
        #expect(generations == ["1"])
        await runner.close()
        await store.close()
    }

    @Test func aViewNeverBuiltIsBuiltFromTheLogInOneGoOnStartAndEqualsOneCaughtUpBatchByBatch() async throws {
        let dir = makeTemporaryDirectory("views-unbuilt")
        defer { removeDirectory(dir) }
        let store = try LMDBEventStore(directory: dir + "/log")
        let head = try await appendNotes(store, streams: 4, each: 10)
        // 40 events, batches of 8: more than one batch, so the new view is built like a rebuild.
        let steps = Mutex<[ProjectionRunner.Progress]>([])
        var built = try ProjectionRunner(store: store, registry: registry, projections: [NoteCounter()], directory: dir + "/built", batchSize: 8)
        try await built.start { step in steps.withLock { $0.append(step) } }
        #expect(built.builtOnStart == ["notes"])
        #expect(steps.withLock { $0.last.map { [$0.position, $0.target] } } == [head, head])
        #expect(built.status().first?.checkpoint == head)
        // Batches of 64: one batch holds the log, so the view is caught up as before, and nothing is reported.
        let caught = try ProjectionRunner(store: store, registry: registry, projections: [NoteCounter()], directory: dir + "/caught", batchSize: 64)
        try await caught.start { _ in Issue.record("a view caught up in one batch reports no build") }
        #expect(caught.builtOnStart.isEmpty)
        let once = try built.rows(of: "notes"), batched = try caught.rows(of: "notes")
        #expect(once.keys.sorted() == batched.keys.sorted())
        for (table, rows) in batched {
            #expect(rows.map(\.key) == once[table]?.map(\.key), "keys of \(table)")
            #expect(rows.map(\.value) == once[table]?.map(\.value), "values of \(table)")
        }
        // The built view follows new writes, and once built it is not built again on the next start.
        let later = try await store.append([try note("later", 999)], to: "s-1", expectedVersion: .any)
        try await built.waitUntil(later.lastPosition)
        #expect(try built.read("notes") { try NoteCounter.count("s-1", in: $0) } == 11)
        await built.close()
        _ = try await appendNotes(store, streams: 1, each: 20, offset: 500)
        built = try ProjectionRunner(store: store, registry: registry, projections: [NoteCounter()], directory: dir + "/built", batchSize: 8)
        try await built.start { _ in Issue.record("a built view is caught up, not built again") }
        #expect(built.builtOnStart.isEmpty)
        #expect(try built.read("notes") { try NoteCounter.count("s-0", in: $0) } == 30)
        await built.close()
        await caught.close()
        await store.close()
    }

    @Test func appendingOutOfOrderOrUnderAStoredKeyKeepsWhatPutWouldKeep() async throws {
        let dir = makeTemporaryDirectory("views")
        defer { removeDirectory(dir) }
        let store = try LMDBEventStore(directory: dir + "/log")
        let numbers = [1, 2, 5, 9, 3, 9, 12, 0, 5, 13]
        var events: [ProjectionEvent] = []
        for (i, n) in numbers.enumerated() {
            let r = try await store.append([try note("note \(n)", i)], to: "s-0", expectedVersion: .any)
            events.append(ProjectionEvent(
                id: testID(i), stream: "s-0", streamVersion: StreamVersion(UInt64(i + 1)), position: r.lastPosition,
                recordedAt: Date(), metadata: .system, payload: Noted(text: "note \(n)")))
        }
        // Live, one batch per three events, then rebuilt in one: both as an ordinary put would leave the table.
        let runner = try ProjectionRunner(store: store, registry: registry, projections: [NoteAppender()], directory: dir + "/views", batchSize: 3)
        try await runner.start()
        try await runner.waitUntil(events.last?.position ?? .start)
        let expected = InMemoryViews()
        try expected.apply(events, to: NoteAppender())
        var wanted: [(key: [UInt8], value: [UInt8])] = []
        try expected.scan(NoteAppender.log) { key, value in
            wanted.append((Array(key), Array(value)))
            return true
        }
        #expect(wanted.count == Set(numbers).count)
        #expect(try runner.rows(of: "appended")["log"]?.map(\.key) == wanted.map(\.key))
        #expect(try runner.rows(of: "appended")["log"]?.map(\.value) == wanted.map(\.value))
        try await runner.rebuild()
        #expect(try runner.rows(of: "appended")["log"]?.map(\.value) == wanted.map(\.value))
        await runner.close()
        await store.close()
    }

    @Test func aChangedVersionRebuildsTheProjectionOnOpen() async throws {
        let dir = makeTemporaryDirectory("views")
        defer { removeDirectory(dir) }
        let store = try LMDBEventStore(directory: dir + "/log")
        _ = try await appendNotes(store, streams: 2, each: 3)
        var runner = try ProjectionRunner(store: store, registry: registry, projections: [NoteCounter()], directory: dir + "/views")
        try await runner.start()
        await runner.close()
        runner = try ProjectionRunner(store: store, registry: registry, projections: [NoteCounter(version: 2)], directory: dir + "/views")
        try await runner.start()
        #expect(runner.status().first?.version == 2)
        #expect(try runner.read("notes") { try NoteCounter.count("s-1", in: $0) } == 3)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/views/notes").contains("1"))
        await runner.close()
        await store.close()
    }

    /// Views kept beside a log replaced by a shorter one (a backup restored, a log copied in) hold events the
    /// log does not: they are rebuilt from the log on open, not trusted.
    @Test func viewsAheadOfAReplacedLogAreRebuiltOnOpen() async throws {
        let dir = makeTemporaryDirectory("views")
        defer { removeDirectory(dir) }
        var store = try LMDBEventStore(directory: dir + "/log")
        _ = try await appendNotes(store, streams: 2, each: 5)
        var runner = try ProjectionRunner(store: store, registry: registry, projections: [NoteCounter()], directory: dir + "/views")
        try await runner.start()
        #expect(try runner.read("notes") { try NoteCounter.count("s-1", in: $0) } == 5)
        await runner.close()
        await store.close()
        removeDirectory(dir + "/log")
        store = try LMDBEventStore(directory: dir + "/log")
        let head = try await appendNotes(store, streams: 2, each: 2)
        runner = try ProjectionRunner(store: store, registry: registry, projections: [NoteCounter()], directory: dir + "/views")
        try await runner.start()
        #expect(runner.status().first?.checkpoint == head)
        #expect(try runner.read("notes") { try NoteCounter.count("s-1", in: $0) } == 2)
        await runner.close()
        await store.close()
    }

    @Test func aFailingProjectionStopsAtTheEventAndReportsItWhileOthersGoOn() async throws {
        let dir = makeTemporaryDirectory("views")
        defer { removeDirectory(dir) }
        let store = try LMDBEventStore(directory: dir + "/log")
        let before = try await appendNotes(store, streams: 1, each: 3)
        let bad = try await store.append([try note("boom", 500)], to: "s-0", expectedVersion: .any)
        let head = try await appendNotes(store, streams: 1, each: 2, offset: 600)
        let runner = try ProjectionRunner(
            store: store, registry: registry,
            projections: [NoteCounter(name: "fragile", fragile: true), NoteCounter(name: "sturdy")],
            directory: dir + "/views", batchSize: 3)
        try await runner.start()
        let status = Dictionary(uniqueKeysWithValues: runner.status().map { ($0.name, $0) })
        #expect(status["sturdy"]?.checkpoint == head)
        #expect(status["sturdy"]?.failure == nil)
        #expect(try #require(status["fragile"]).checkpoint <= before)
        guard case .projectionFailed(let name, let position, let type, _)? = status["fragile"]?.failure else {
            Issue.record("the fragile projection should have failed")
            return
        }
        #expect(name == "fragile" && position == bad.lastPosition && type == "Noted")
        // Its rows stay consistent with its checkpoint, and waiting on it reports the failure.
        let count = try runner.read("fragile") { try NoteCounter.count("s-0", in: $0) }
        #expect(UInt64(count) == status["fragile"]?.checkpoint.rawValue)
        await #expect(throws: ViewError.self) { try await runner.waitUntil(head, projections: ["fragile"]) }
        try await runner.waitUntil(head, projections: ["sturdy"])
        await runner.close()
        await store.close()
    }

    @Test func aProjectionWritingATableItDidNotDeclareFailsAtThatEvent() async throws {
        let dir = makeTemporaryDirectory("views-stray")
        defer { removeDirectory(dir) }
        let store = try LMDBEventStore(directory: dir + "/log")
        _ = try await appendNotes(store, streams: 1, each: 2)
        let stray = try await store.append([try note("stray", 900)], to: "s-0", expectedVersion: .any)
        let runner = try ProjectionRunner(store: store, registry: registry, projections: [StrayWriter()], directory: dir + "/views")
        try await runner.start()
        guard case .projectionFailed(let name, let position, let type, let reason)? = runner.status().first?.failure else {
            Issue.record("the projection should have stopped at the stray write")
            return
        }
        #expect(name == "stray" && position == stray.lastPosition && type == "Noted")
        #expect(reason.contains("did not declare: undeclared"))
        await runner.close()
        await store.close()
    }

    @Test func aReadOnlyRunnerSeesTheStoredCheckpointsAndFailureAndNeverWrites() async throws {
        let dir = makeTemporaryDirectory("views")
        defer { removeDirectory(dir) }
        let store = try LMDBEventStore(directory: dir + "/log")
        _ = try await appendNotes(store, streams: 1, each: 3)
        let bad = try await store.append([try note("boom", 500)], to: "s-0", expectedVersion: .any)
        let head = try await appendNotes(store, streams: 1, each: 2, offset: 600)
        let projections: [any Projection] = [NoteCounter(name: "fragile", fragile: true), NoteCounter(name: "sturdy"), NoteCounter(name: "never-built")]
        let writer = try ProjectionRunner(store: store, registry: registry, projections: Array(projections.prefix(2)), directory: dir + "/views")
        try await writer.start()
        let fragileCheckpoint = try #require(writer.status().first { $0.name == "fragile" }).checkpoint
        await writer.close()

        // Another process's view of the views: checkpoints and the stored failure, views never built left out.
        let reader = try ProjectionRunner(readingViewsOf: dir + "/views", store: store, registry: registry, projections: projections)
        let status = Dictionary(uniqueKeysWithValues: reader.status().map { ($0.name, $0) })
        #expect(status.keys.sorted() == ["fragile", "sturdy"])
        #expect(status["sturdy"]?.checkpoint == head && status["sturdy"]?.failure == nil)
        #expect(status["fragile"]?.checkpoint == fragileCheckpoint)
        #expect(status["fragile"]?.failure.map { "\($0)".contains("position \(bad.lastPosition.rawValue)") } == true)
        #expect(try reader.read("sturdy") { try NoteCounter.count("s-0", in: $0) } >= 3)
        await #expect(throws: ViewError.readOnly) { try await reader.rebuild() }
        try await reader.start()  // does nothing: nothing is applied
        #expect(reader.status().first { $0.name == "fragile" }?.checkpoint == fragileCheckpoint)
        await reader.close()

        // Opened for writing again, the projection is tried anew: the stored failure is forgotten.
        let again = try ProjectionRunner(store: store, registry: registry, projections: Array(projections.prefix(2)), directory: dir + "/views")
        await again.close()
        let after = try ProjectionRunner(readingViewsOf: dir + "/views", store: store, registry: registry, projections: projections)
        #expect(after.status().allSatisfy { $0.failure == nil })
        await after.close()
        await store.close()
    }

    @Test func aSecondWriterOfTheSameViewsIsRefusedWhileTheFirstHoldsThemEvenOverASharedLog() async throws {
        // A shared log (as on PostgreSQL) has no lock of its own in the views directory: the views do.
        let dir = makeTemporaryDirectory("views-shared-log")
        defer { removeDirectory(dir) }
        let log = InMemoryEventStore()
        for n in 0..<6 { _ = try await log.append([try note("note \(n)", n)], to: "s-0", expectedVersion: .any) }
        let first = try ProjectionRunner(store: log, registry: registry, projections: [NoteCounter()], directory: dir + "/views")
        try await first.start()
        let error = #expect(throws: EventStoreError.self) {
            try ProjectionRunner(store: log, registry: registry, projections: [NoteCounter()], directory: dir + "/views")
        }
        #expect(error?.code == .storeInUse)
        #expect(error?.ownerPID == getpid())
        #expect(error.map { "\($0)".contains("views") } == true)
        // A reader of the same views in this process is refused too: LMDB forbids a second handle on an
        // environment in one process (another process may read beside the writer). Another views directory
        // over the same log is allowed.
        let inProcess = #expect(throws: EventStoreError.self) {
            try ProjectionRunner(readingViewsOf: dir + "/views", store: log, registry: registry, projections: [NoteCounter()])
        }
        #expect(inProcess?.code == .storeInUse && inProcess?.detail.contains("already open in this process") == true, "\(String(describing: inProcess))")
        let elsewhere = try ProjectionRunner(store: log, registry: registry, projections: [NoteCounter()], directory: dir + "/other-views")
        try await elsewhere.start()
        #expect(try elsewhere.read("notes") { try NoteCounter.count("s-0", in: $0) } == 6)
        await elsewhere.close()
        await first.close()

        // Released on close: the next writer opens, and each event was applied once.
        let head = try await log.append([try note("later", 100)], to: "s-0", expectedVersion: .any).lastPosition
        let second = try ProjectionRunner(store: log, registry: registry, projections: [NoteCounter()], directory: dir + "/views")
        try await second.start()
        try await second.waitUntil(head)
        #expect(try second.read("notes") { try NoteCounter.count("s-0", in: $0) } == 7)
        await second.close()
        // Closed, the views can be read.
        let reader = try ProjectionRunner(readingViewsOf: dir + "/views", store: log, registry: registry, projections: [NoteCounter()])
        #expect(try reader.read("notes") { try NoteCounter.count("s-0", in: $0) } == 7)
        await reader.close()
    }

    @Test func viewsAsOfAPositionHoldOnlyWhatWasKnownThen() async throws {
        let dir = makeTemporaryDirectory("views")
        defer { removeDirectory(dir) }
        let store = try LMDBEventStore(directory: dir + "/log")
        let middle = try await appendNotes(store, streams: 1, each: 4)
        _ = try await appendNotes(store, streams: 1, each: 4, offset: 50)
        let reached = try await ProjectionRunner.build(
            store: store, registry: registry, projections: [NoteCounter()], into: dir + "/asof", upTo: middle)
        #expect(reached == middle)
        let asOf = try ProjectionRunner(store: store, registry: registry, projections: [NoteCounter()], directory: dir + "/asof")
        #expect(try asOf.read("notes") { try NoteCounter.count("s-0", in: $0) } == 4)
        await asOf.close()
        await store.close()
    }

    /// Views commit without flushing; a marker holding the boot id says so while they are open.
    @Test func viewsLeftUnflushedBeforeTheMachineStoppedAreBuiltAgainFromTheLog() async throws {
        let dir = makeTemporaryDirectory("views")
        defer { removeDirectory(dir) }
        let store = try LMDBEventStore(directory: dir + "/log")
        let last = try await appendNotes(store, streams: 2, each: 4)
        let marker = dir + "/views/UNSYNCED"
        var runner = try ProjectionRunner(store: store, registry: registry, projections: [NoteCounter()], directory: dir + "/views")
        try await runner.start()
        #expect(FileManager.default.fileExists(atPath: marker))
        await runner.close()
        // A clean close flushed every view and took the marker away.
        #expect(!FileManager.default.fileExists(atPath: marker))

        // As a machine that stopped with the views open leaves them: the marker of another boot, and a view
        // file that is not even a database any more.
        try Data("another-boot\n".utf8).write(to: URL(fileURLWithPath: marker))
        try Data(repeating: 0xA5, count: 8192).write(to: URL(fileURLWithPath: dir + "/views/notes/0/data.mdb"))
        runner = try ProjectionRunner(store: store, registry: registry, projections: [NoteCounter()], directory: dir + "/views")
        #expect(runner.status().first?.checkpoint == .start)
        try await runner.start()
        #expect(runner.status().first?.checkpoint == last)
        #expect(try runner.read("notes") { try NoteCounter.count("s-1", in: $0) } == 4)
        await runner.close()
        await store.close()
    }

    @Test func viewsOfAProcessThatDiedOnTheSameBootAreKept() async throws {
        let bootID = try #require(try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8))
        let dir = makeTemporaryDirectory("views")
        defer { removeDirectory(dir) }
        let store = try LMDBEventStore(directory: dir + "/log")
        let last = try await appendNotes(store, streams: 2, each: 4)
        var runner = try ProjectionRunner(store: store, registry: registry, projections: [NoteCounter()], directory: dir + "/views")
        try await runner.start()
        await runner.close()
        // The marker a running process leaves behind when it is killed on this boot.
        try Data(bootID.utf8).write(to: URL(fileURLWithPath: dir + "/views/UNSYNCED"))
        runner = try ProjectionRunner(store: store, registry: registry, projections: [NoteCounter()], directory: dir + "/views")
        #expect(runner.status().first?.checkpoint == last)
        await runner.close()
        await store.close()
    }

    @Test func waitingForAPositionTimesOutWhenTheViewsDoNotGetThere() async throws {
        let dir = makeTemporaryDirectory("views")
        defer { removeDirectory(dir) }
        let store = try LMDBEventStore(directory: dir + "/log")
        let runner = try ProjectionRunner(store: store, registry: registry, projections: [NoteCounter()], directory: dir + "/views")
        try await runner.start()
        await #expect(throws: ViewError.timedOut(GlobalPosition(40))) {
            try await runner.waitUntil(GlobalPosition(40), timeout: .milliseconds(50))
        }
        await runner.close()
        await store.close()
    }
}

private func testID(_ n: Int) -> UUID {
    UUID(uuidString: String(format: "00000000-0000-7000-8000-%012x", n)) ?? UUID()
}

/// Writes the same handful of byte keys, prefixes of each other and 0xFF-ended among them, on any note.
private struct ByteKeys: Projection {
    var name = "bytes"
    var version: UInt32 = 1
    static let keys = ViewTable("keys")
    static let written: [[UInt8]] = [[0x00], [0x01], [0x01, 0x00], [0x01, 0x80], [0x01, 0xFF], [0x01, 0xFF, 0xFF], [0x02], [0xFF], [0xFF, 0x01], [0xFF, 0xFF]]
    var tables: [ViewTable] { [Self.keys] }
    var eventTypes: Set<String>? { [Noted.eventType] }

    func apply(_ event: ProjectionEvent, to views: any ViewWriter) throws {
        for key in Self.written { try views.put(key, forKey: key, in: Self.keys) }
    }
}

extension ProjectionRunnerTests {
    @Test func aBackwardScanOnLMDBVisitsThePrefixsRowsBelowTheBoundLastFirstAsTheForwardScanReversed() async throws {
        let dir = makeTemporaryDirectory("views-backward")
        defer { removeDirectory(dir) }
        let store = try LMDBEventStore(directory: dir + "/log")
        let written = try await appendNotes(store, streams: 1, each: 1)
        let runner = try ProjectionRunner(store: store, registry: registry, projections: [ByteKeys()], directory: dir + "/views")
        try await runner.start()
        try await runner.waitUntil(written)
        let memory = InMemoryViews()
        for key in ByteKeys.written { try memory.put(key, forKey: key, in: ByteKeys.keys) }
        let prefixes: [[UInt8]] = [[], [0x01], [0x01, 0xFF], [0xFF], [0xFF, 0xFF], [0x03]]
        let bounds: [[UInt8]?] = [nil, [], [0x00], [0x01], [0x01, 0x80], [0x01, 0xFF], [0x02], [0xFF, 0x00], [0xFF, 0xFF, 0xFF]]
        for prefix in prefixes {
            for before in bounds {
                let expected = Array(ByteKeys.written.filter { key in key.starts(with: prefix) && (before.map { key.lexicographicallyPrecedes($0) } ?? true) }.reversed())
                func visited(_ views: any ViewReader, stopAfter: Int = .max) throws -> [[UInt8]] {
                    var keys: [[UInt8]] = []
                    try views.scanBackward(ByteKeys.keys, prefix: prefix, before: before) { key, _ in
                        keys.append(Array(key))
                        return keys.count < stopAfter
                    }
                    return keys
                }
                let label = "prefix \(prefix), before \(String(describing: before))"
                #expect(try runner.read("bytes") { try visited($0) } == expected, "LMDB, \(label)")
                #expect(try visited(memory) == expected, "default, \(label)")
                #expect(try runner.read("bytes") { try visited($0, stopAfter: 2) } == Array(expected.prefix(2)), "LMDB stopped, \(label)")
            }
        }
        await runner.close()
        await store.close()
    }
}
