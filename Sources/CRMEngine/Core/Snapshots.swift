import CRMDomain
import EventSourcing
import Foundation
import LMDB

/// A record whose state the engine may keep as a snapshot, so loading a long stream folds only the events
/// after it (the organisation, the settings, a customer's revenue ledger).
///
/// `snapshotVersion` tags the stored shape of `State`: raise it whenever that shape changes. A snapshot of
/// another version is ignored (the stream is folded from its start) and replaced by the next one written,
/// so a changed aggregate never reads a stale state.
public protocol SnapshottableRecord: Aggregate where State: Codable {
    static var snapshotVersion: UInt32 { get }
}

/// Snapshots of record states (issue 6's optional snapshots): one LMDB environment `snapshots/` beside the
/// views — derived data, like them, safe to delete. A snapshot is written after a load that folded at
/// least `every` events past the last one; reads never depend on it being there.
final class SnapshotStore: Sendable {
    private let environment: Environment
    private let table: Database
    let every: Int

    init(directory: String, every: Int) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        environment = try Environment(path: directory, options: Environment.Options(mapSize: 256 << 20, maxDatabases: 2, durability: .noMetaSync))
        table = try environment.openDatabase(named: "states")
        self.every = max(1, every)
    }

    /// The stored state of `stream` and the stream version it reflects, when a snapshot of `S`'s current
    /// `snapshotVersion` exists; nil otherwise (none, another version, or bytes that no longer decode).
    func read<S: SnapshottableRecord>(_ type: S.Type, stream: StreamID) -> (state: S.State, version: StreamVersion)? {
        let key = Array(stream.rawValue.utf8)
        let table = self.table
        guard let bytes = try? environment.read({ txn in try txn.value(forKey: key, in: table).map { Array($0) } }) ?? nil,
              bytes.count >= 12 else { return nil }
        let tag = bytes[0..<4].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let version = bytes[4..<12].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard tag == S.snapshotVersion, let state = try? BinaryPayloadDecoder.decode(S.State.self, from: Array(bytes[12...])) else { return nil }
        return (state, StreamVersion(version))
    }

    /// Stores `state` as `stream`'s snapshot at `version`, tagged with `S`'s `snapshotVersion`.
    func write<S: SnapshottableRecord>(_ type: S.Type, stream: StreamID, state: S.State, version: StreamVersion) throws {
        var bytes = withUnsafeBytes(of: S.snapshotVersion.littleEndian, Array.init)
        bytes += withUnsafeBytes(of: version.rawValue.littleEndian, Array.init)
        bytes += try BinaryPayloadEncoder.encode(state)
        let key = Array(stream.rawValue.utf8)
        let table = self.table
        try environment.write { txn in try txn.put(bytes, forKey: key, in: table) }
    }

    func close() { environment.close() }
}

extension CRMEngine {
    /// The snapshot to start `A`'s fold of `stream` from, when `A` keeps snapshots and one of its current
    /// version is stored.
    func snapshot<A: Aggregate>(of type: A.Type, stream: StreamID) -> (state: A.State, version: StreamVersion)? {
        guard let snapshots, let kept = A.self as? any SnapshottableRecord.Type else { return nil }
        func read<S: SnapshottableRecord>(_ s: S.Type) -> (state: A.State, version: StreamVersion)? {
            guard let found = snapshots.read(S.self, stream: stream), let state = found.state as? A.State else { return nil }
            return (state, found.version)
        }
        return read(kept)
    }

    /// Stores a new snapshot of `stream` when `A` keeps snapshots and at least `every` events were folded
    /// past the last one (`from`). A failed write is logged and otherwise ignored: snapshots only save time.
    func keepSnapshot<A: Aggregate>(of type: A.Type, stream: StreamID, state: A.State, version: StreamVersion, from: StreamVersion) {
        // The cheap test first: most loads fold few events, and the conformance check is a runtime lookup.
        guard let snapshots, version.rawValue >= from.rawValue &+ UInt64(snapshots.every),
              let kept = A.self as? any SnapshottableRecord.Type else { return }
        func write<S: SnapshottableRecord>(_ s: S.Type) {
            guard let typed = state as? S.State else { return }
            do {
                try snapshots.write(S.self, stream: stream, state: typed, version: version)
            } catch {
                logger.warning("snapshot not written", metadata: ["stream": "\(stream.category)", "error": "\(error)"])
            }
        }
        write(kept)
    }
}

extension Organisation: SnapshottableRecord {
    public static let snapshotVersion: UInt32 = 1
}

extension Settings: SnapshottableRecord {
    public static let snapshotVersion: UInt32 = 1
}

extension RevenueLedger: SnapshottableRecord {
    public static let snapshotVersion: UInt32 = 1
}
