import EventSourcing
import Foundation
import LMDB

/// Named log positions in a small LMDB environment of their own: where a reactor or another log follower
/// got to, so it resumes there after a restart.
///
/// ```swift
/// let checkpoints = try CheckpointStore(directory: dir + "/views/reactor")
/// try checkpoints.set("reactor", to: event.position)
/// let from = try checkpoints.position(of: "reactor").next
/// ```
public final class CheckpointStore: Sendable {
    private let environment: Environment
    private let positions: Database

    public init(directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        environment = try LMDBEventStore.opening {
            try Environment(path: directory, options: Environment.Options(mapSize: 1 << 20, maxDatabases: 1, durability: .noMetaSync))
        }
        positions = try environment.openDatabase(named: "checkpoints")
    }

    /// The stored position of `name`; ``GlobalPosition/start`` when none was stored.
    public func position(of name: String) throws -> GlobalPosition {
        try environment.read { txn in
            guard let bytes = try txn.value(forKey: Array(name.utf8), in: positions), bytes.count == 8 else { return .start }
            return GlobalPosition(bytes.reduce(0) { $0 << 8 | UInt64($1) })
        }
    }

    public func set(_ name: String, to position: GlobalPosition) throws {
        try environment.write { txn in
            try txn.put(ViewKey().position(position).bytes, forKey: Array(name.utf8), in: positions)
        }
    }

    public func close() { environment.close() }
}
