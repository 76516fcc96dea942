@testable import CRMEngine
import CRMDomain
import EventSourcing
import Foundation
import Testing

/// The settings under another snapshot version: the same stream and state, as a changed aggregate would be.
private enum SettingsShapeTwo: SnapshottableRecord {
    typealias State = Settings.State
    typealias Command = Settings.Command
    typealias Event = Settings.Event
    static let category = Settings.category
    static let snapshotVersion: UInt32 = 2
    static var initialState: State { Settings.initialState }
    static func decide(_ command: Command, state: State, context: CommandContext) throws(DomainError) -> [Event] {
        try Settings.decide(command, state: state, context: context)
    }
    static func evolve(_ state: State, _ event: Event) -> State { Settings.evolve(state, event) }
}

/// Snapshots of long streams (issue 6): written after long folds, used by later loads and by a reopened
/// engine, equal to the fold from the start, and ignored then replaced when their version changes.
@Suite struct SnapshotTests {
    @Test func aLongStreamIsLoadedFromItsSnapshotWhichEqualsTheFullFoldAndIsReplacedWhenItsVersionChanges() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crm-engine-tests-snapshots-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let clock = ManualClock(Date(timeIntervalSince1970: 1_767_225_600))
        let configuration = CRMEngine.Configuration(clock: clock, durability: .noSync, snapshotEvery: 4)
        var engine = try await CRMEngine.open(at: directory, configuration: configuration)
        let (admin, _) = try await engine.bootstrap(administrator: NewEmployee(
            id: UUID.derived("employee", "admin"), name: "Ada Admin", position: "administrator", branch: "head-office", hiredOn: try EngineFixture.day("2020-01-01")))
        // Ten settings events; every command loads the stream first, so snapshots follow the fold.
        for day in 1...10 {
            try await engine.execute(Settings.self, id: UUID(), .addHoliday(Holiday(date: try EngineFixture.day(String(format: "2026-05-%02d", day)), name: "Day \(day)")), as: admin)
        }
        let stream = Settings.streamID
        let stored = try #require(engine.snapshot(of: Settings.self, stream: stream))
        #expect(stored.version.rawValue >= 4 && stored.state.holidays.count == Int(stored.version.rawValue))

        // A load from the snapshot equals the fold from the start (`upTo` never uses a snapshot).
        let fromSnapshot = try await engine.load(Settings.self, stream: stream)
        let fromStart = try await engine.load(Settings.self, stream: stream, upTo: { _ in true })
        #expect(fromSnapshot.version == StreamVersion(10) && fromSnapshot.version == fromStart.version && fromSnapshot.state == fromStart.state)

        // The fold really starts at the snapshot: a planted snapshot at the head is what a load returns.
        var planted = fromStart.state
        planted.holidays = []
        let headEvent = try #require(try await engine.store.readStream(stream, from: fromStart.version, direction: .forward, limit: 1).first)
        try #require(engine.snapshots).write(Settings.self, stream: stream, state: planted, version: fromStart.version, eventID: headEvent.id)
        #expect(try await engine.load(Settings.self, stream: stream).state.holidays.isEmpty)
        try #require(engine.snapshots).write(Settings.self, stream: stream, state: fromStart.state, version: fromStart.version, eventID: headEvent.id)

        // A reopened engine starts its settings cache from the snapshot, and answers the same.
        await engine.close()
        engine = try await CRMEngine.open(at: directory, configuration: configuration)
        #expect(try await engine.settings().holidays.count == 10)

        // Another snapshot version: the stored one is ignored, the stream folded from its start, and the
        // snapshot replaced by one of the new version (so the old version's is gone).
        #expect(try #require(engine.snapshots).read(SettingsShapeTwo.self, stream: stream) == nil)
        let changed = try await engine.load(SettingsShapeTwo.self, stream: stream)
        #expect(changed.state == fromStart.state && changed.version == fromStart.version)
        #expect(try #require(engine.snapshots).read(SettingsShapeTwo.self, stream: stream)?.version == fromStart.version)
        #expect(try #require(engine.snapshots).read(Settings.self, stream: stream) == nil)
        await engine.close()

        // Without snapshots configured, none are kept.
        let plain = try await CRMEngine.open(at: directory + "-plain", configuration: .init(clock: clock, durability: .noSync, snapshotEvery: nil))
        #expect(plain.snapshots == nil)
        await plain.close()
        try? FileManager.default.removeItem(atPath: directory + "-plain")
    }
}
