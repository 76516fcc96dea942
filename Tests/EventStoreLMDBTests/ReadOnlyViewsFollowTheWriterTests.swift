import EventSourcing
import EventStoreLMDB
import Foundation
import Testing

private struct Ticked: EventPayload, Equatable {
    static let eventType = "Ticked"
    static let schemaVersion: UInt32 = 1
    var n: Int
}

/// Counts ticks.
private struct TickCounter: Projection {
    var name = "ticks"
    var version: UInt32 = 1
    static let counts = ViewTable("counts")
    var tables: [ViewTable] { [Self.counts] }
    var eventTypes: Set<String>? { [Ticked.eventType] }

    func apply(_ event: ProjectionEvent, to views: any ViewWriter) throws {
        try views.update(Int.self, forKey: [1], in: Self.counts) { ($0 ?? 0) + 1 }
    }

    static func count(in views: any ViewReader) throws -> Int {
        try views.row(Int.self, forKey: [1], in: counts) ?? 0
    }
}

/// A runner opened read-only (`crm` read commands, an embedder's `openReadOnly` beside `crm serve`) follows
/// the views the writing process keeps: a view it rebuilt into a new generation, or built after the open,
/// is taken up without reopening the runner. The writer's steps are made here by hand, as its rebuild leaves
/// them on disk (LMDB allows one handle per environment and process, so the writer cannot run in this one
/// beside the reader).
@Suite struct ReadOnlyViewsFollowTheWriterTests {
    var registry: PayloadRegistry {
        var r = PayloadRegistry()
        r.register(Ticked.self)
        return r
    }

    func ticks(_ log: InMemoryEventStore, _ count: Int) async throws -> GlobalPosition {
        var last = GlobalPosition.start
        for n in 0..<count {
            last = try await log.append([try EventData(id: UUID(), payload: Ticked(n: n), metadata: .system)], to: "clock", expectedVersion: .any).lastPosition
        }
        return last
    }

    /// What the writer's rebuild leaves: the new generation `generation` beside the old, `current` pointing
    /// at it, the old one deleted.
    fileprivate func rebuildAsTheWriterDoes(_ projection: TickCounter, _ log: InMemoryEventStore, upTo head: GlobalPosition,
                                generation: Int, in dir: String) async throws {
        let shadow = dir + "/shadow-\(UUID().uuidString)"
        _ = try await ProjectionRunner.build(store: log, registry: registry, projections: [projection], into: shadow, upTo: head)
        let folder = dir + "/views/" + projection.name
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try FileManager.default.moveItem(atPath: shadow + "/\(projection.name)/0", toPath: folder + "/\(generation)")
        try Data("\(generation)\n".utf8).write(to: URL(fileURLWithPath: folder + "/current"), options: .atomic)
        for entry in try FileManager.default.contentsOfDirectory(atPath: folder) where Int(entry) != nil && Int(entry) != generation {
            try FileManager.default.removeItem(atPath: folder + "/" + entry)
        }
        try FileManager.default.removeItem(atPath: shadow)
    }

    @Test func aReadOnlyRunnerTakesUpAViewTheWriterRebuiltIntoANewGenerationOrBuiltAfterTheOpen() async throws {
        let dir = makeTemporaryDirectory("views-follow-writer")
        defer { removeDirectory(dir) }
        let log = InMemoryEventStore()
        let first = try await ticks(log, 3)
        let writer = try ProjectionRunner(store: log, registry: registry, projections: [TickCounter()], directory: dir + "/views")
        try await writer.start()
        try await writer.waitUntil(first)
        await writer.close()

        let later = TickCounter(name: "later-ticks")
        let reader = try ProjectionRunner(readingViewsOf: dir + "/views", store: log, registry: registry, projections: [TickCounter(), later])
        #expect(try reader.read("ticks") { try TickCounter.count(in: $0) } == 3)
        #expect(reader.status().map(\.name) == ["ticks"], "a view not built yet is left out")

        // The writer rebuilds "ticks" (a new generation, with the events appended since) and builds "later-ticks".
        let head = try await ticks(log, 4)
        try await rebuildAsTheWriterDoes(TickCounter(), log, upTo: head, generation: 1, in: dir)
        try await rebuildAsTheWriterDoes(later, log, upTo: head, generation: 0, in: dir)
        // A wait for the new position answers once the new generation is taken up (within the look's interval).
        try await reader.waitUntil(head, projections: ["ticks"], timeout: .seconds(20))
        #expect(try reader.read("ticks") { try TickCounter.count(in: $0) } == 7)
        #expect(reader.status().map(\.name) == ["ticks", "later-ticks"])
        #expect(reader.status().allSatisfy { $0.checkpoint == head })
        #expect(try reader.read("later-ticks") { try TickCounter.count(in: $0) } == 7)

        // Again: each rebuild is followed, not only the first.
        let last = try await ticks(log, 2)
        try await rebuildAsTheWriterDoes(TickCounter(), log, upTo: last, generation: 2, in: dir)
        try await reader.waitUntil(last, projections: ["ticks"], timeout: .seconds(20))
        #expect(try reader.read("ticks") { try TickCounter.count(in: $0) } == 9)
        await reader.close()
        #expect(throws: (any Error).self) { try reader.read("ticks") { try TickCounter.count(in: $0) } }
    }
}
