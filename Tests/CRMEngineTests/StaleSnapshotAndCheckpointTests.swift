@testable import CRMEngine
import CRMDomain
import EventSourcing
import EventStoreLMDB
import Foundation
import Testing

/// Derived data left beside another log — a backup restored into a data directory that kept its
/// `snapshots/` and `reactor/`, or a log copied in beside them — must not stand for the log: a snapshot the
/// log does not hold is discarded (said at warning level) and the stream folded from its start, and a reactor
/// checkpoint beyond the log's head makes the reactor react again from the log's start.
@Suite struct StaleSnapshotAndCheckpointTests {
    static let clock = ManualClock(Date(timeIntervalSince1970: 1_767_225_600))  // 2026-01-01T00:00Z
    static let adminID = UUID.derived("employee", "admin")

    static func directory(_ label: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("crm-engine-tests-\(label)-\(UUID().uuidString)").path
    }

    static func configuration(_ log: CapturedLog? = nil) -> CRMEngine.Configuration {
        var configuration = CRMEngine.Configuration(clock: clock, durability: .noSync, snapshotEvery: 4)
        if let log { configuration.logger = log.logger }
        return configuration
    }

    /// A data directory with its administrator and `names` hired, one organisation event each; closed.
    static func organisation(_ directory: String, hiring names: [String]) async throws {
        let engine = try await CRMEngine.open(at: directory, configuration: configuration())
        let (admin, _) = try await engine.bootstrap(administrator: NewEmployee(
            id: adminID, name: "Ada Admin", position: "administrator", branch: "head-office", hiredOn: try EngineFixture.day("2020-01-01")))
        for name in names {
            let id = UUID.derived("employee", name)
            try await engine.execute(Organisation.self, id: id, .hire(NewEmployee(
                id: id, name: name, position: "staff", branch: "north", hiredOn: try EngineFixture.day("2024-01-01"))), as: admin)
        }
        await engine.close()
    }

    /// `target`'s snapshots replaced by `source`'s, as a data directory keeps them when its log is replaced.
    static func copySnapshots(from source: String, to target: String) throws {
        try? FileManager.default.removeItem(atPath: target + "/snapshots")
        try FileManager.default.copyItem(atPath: source + "/snapshots", toPath: target + "/snapshots")
    }

    @Test("a snapshot of a longer stream than the log holds is discarded: the organisation is the log's and takes writes",
          arguments: [
              // The restored log's organisation stream is shorter than the snapshot's version.
              [String](),
              // As long, but other events: the snapshot's version is in the log, its event is not.
              (1...12).map { "Real \($0)" },
          ])
    func aSnapshotTheLogDoesNotHoldIsDiscarded(restoredHires: [String]) async throws {
        let original = Self.directory("snapshot-original"), restored = Self.directory("snapshot-restored")
        defer {
            try? FileManager.default.removeItem(atPath: original)
            try? FileManager.default.removeItem(atPath: restored)
        }
        let ghosts = (1...12).map { "Ghost \($0)" }
        try await Self.organisation(original, hiring: ghosts)
        try await Self.organisation(restored, hiring: restoredHires)
        try Self.copySnapshots(from: original, to: restored)

        let log = CapturedLog()
        let engine = try await CRMEngine.open(at: restored, configuration: Self.configuration(log))
        // The organisation is what the log holds: no employee of the other log, every one of this log.
        let organisation = try await engine.load(Organisation.self, stream: Organisation.streamID)
        #expect(Set(organisation.state.employees.keys) == Set(([Self.adminID] + restoredHires.map { UUID.derived("employee", $0) })))
        await #expect(throws: EngineError.self) { try await engine.principal(employeeID: UUID.derived("employee", "Ghost 3")) }
        let admin = try await engine.principal(employeeID: Self.adminID)
        await #expect(throws: EngineError.self) {
            try await engine.issueToken(for: UUID.derived("employee", "Ghost 3"), name: "nightly", as: admin)
        }
        // Writes to the organisation go on (they met the snapshot's version and failed as contention before).
        let newcomer = UUID.derived("employee", "Newcomer")
        let hired = try await engine.execute(Organisation.self, id: newcomer, .hire(NewEmployee(
            id: newcomer, name: "Newcomer", position: "staff", branch: "north", hiredOn: try EngineFixture.day("2025-01-01"))), as: admin)
        #expect(!hired.events.isEmpty)
        #expect(try await engine.principal(employeeID: newcomer).employeeID == newcomer)
        // Said at warning level, with the stream's category and versions only: no name, no payload.
        let said = try #require(log.metadata(of: "snapshot does not fit the log; discarded, folding from the stream's start"))
        #expect(said["stream"] == "organisation", "\(said)")
        #expect(Set(said.keys).isSubset(of: ["stream", "snapshotVersion", "reason"]), "\(said)")
        #expect(!"\(said)".contains("Ghost") && !"\(said)".contains("Real"), "\(said)")
        // The misfit is gone: what is stored now is this log's own.
        if let kept = engine.snapshot(of: Organisation.self, stream: Organisation.streamID) {
            let event = try await engine.store.readStream(Organisation.streamID, from: kept.version, direction: .forward, limit: 1).first
            #expect(event?.id == kept.eventID)
        }
        await engine.close()
    }

    @Test func aSnapshotTheLogHoldsIsUsedAfterAReopen() async throws {
        let directory = Self.directory("snapshot-fits")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let names = (1...12).map { "Staff \($0)" }
        try await Self.organisation(directory, hiring: names)
        let log = CapturedLog()
        let engine = try await CRMEngine.open(at: directory, configuration: Self.configuration(log))
        let kept = try #require(engine.snapshot(of: Organisation.self, stream: Organisation.streamID))
        // Planted: a load starting from a fitting snapshot returns what it holds (so it really is used).
        var planted = kept.state
        planted.employees[UUID.derived("employee", "Planted")] = planted.employees[Self.adminID]
        try #require(engine.snapshots).write(Organisation.self, stream: Organisation.streamID, state: planted, version: kept.version, eventID: kept.eventID)
        #expect(try await engine.load(Organisation.self, stream: Organisation.streamID).state.employees[UUID.derived("employee", "Planted")] != nil)
        #expect(log.metadata(of: "snapshot does not fit the log; discarded, folding from the stream's start") == nil)
        await engine.close()
    }

    @Test func aReactorCheckpointBeyondTheLogsHeadIsSaidAndTheReactorReactsAgainFromTheStart() async throws {
        let f = try await EngineFixture.make("reactor-beyond-head")
        let owner = try await f.hire("Olga", branch: "A", permissions: ScopeTests.allRights)
        let customer = try await f.customer("Li Wei", branch: "A", owner: owner.id)
        let task = WorkTask.importedTaskID(system: "billing", externalID: "B-17")
        try await f.engine.execute(WorkTask.self, id: task, .importExternal(taskID: task, details: WorkTask.Details(
            title: "Check the meter", customerID: customer, kind: .followUp, dueAt: Date(timeIntervalSince1970: 1_767_600_000)),
            reference: WorkTask.ExternalReference(system: "billing", id: "B-17"), owner: owner.id), as: f.admin)
        try await f.engine.execute(WorkTask.self, id: task, .accept, as: owner)
        let head = try await f.engine.store.headPosition()
        try await f.engine.reactionsSettled(upTo: head)
        #expect(try await f.engine.store.headPosition() == head)
        await f.closeEngine()
        // The checkpoint of a longer log (the one a backup was taken from) kept beside this one.
        let checkpoints = try CheckpointStore(directory: f.directory + "/reactor")
        try checkpoints.set("reactor", to: GlobalPosition(head.rawValue + 510))
        checkpoints.close()

        let log = CapturedLog()
        let engine = try await CRMEngine.open(at: f.directory, configuration: .init(clock: f.clock, logger: log.logger, durability: .noSync))
        let said = try #require(log.metadata(of: "reactor checkpoint beyond the log's head; reacting again from the start of the log"))
        #expect(said["checkpoint"] == "\(head.rawValue + 510)" && said["head"] == "\(head.rawValue)", "\(said)")
        // Reacting again over what was reacted to writes nothing.
        try await engine.reactionsSettled(upTo: head)
        #expect(try await engine.store.headPosition() == head, "the reactions already done wrote nothing again")
        // A new event at a position the stale checkpoint had passed gets its reaction: the write-back.
        let done = try await engine.execute(WorkTask.self, id: task, .complete(resultNote: "Meter replaced"),
                                            as: try await engine.principal(employeeID: UUID.derived("employee", "Olga")))
        #expect(done.position.rawValue < head.rawValue + 510)
        try await engine.reactionsSettled(upTo: done.position)
        try await engine.views.waitUntil(try await engine.store.headPosition())
        #expect(try await engine.pendingOutbox(as: f.admin).map(\.channel) == ["write-back"])
        await engine.close()
        try? FileManager.default.removeItem(atPath: f.directory)
    }
}
