@testable import CRMEngine
import EventSourcing
import EventStoreLMDB
import Foundation
import Testing

/// A reactor that never ran (a read-only engine's, opened beside the process that reacts) writes nothing back
/// when it stops: writing the checkpoint it read at open would move the reacting process's checkpoint
/// backwards. One that ran saves where it got to.
@Suite struct ReactorCheckpointWriteBackTests {
    static func modified(_ path: String) throws -> Date {
        try #require(try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date)
    }

    @Test func aReactorNeverStartedWritesNoCheckpointWhenItStops() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crm-engine-tests-reactor-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let checkpoints = try CheckpointStore(directory: directory)
        try checkpoints.set(Reactor.name, to: GlobalPosition(7))
        checkpoints.close()
        let file = directory + "/data.mdb"
        let before = try Self.modified(file)
        try await Task.sleep(for: .milliseconds(20))

        let reactor = try Reactor(reactions: [], directory: directory)
        #expect(reactor.position == GlobalPosition(7))
        await reactor.stop()
        #expect(try Self.modified(file) == before, "nothing written back")
        let reread = try CheckpointStore(directory: directory)
        #expect(try reread.position(of: Reactor.name) == GlobalPosition(7))
        reread.close()
    }
}
