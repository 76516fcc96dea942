import CRMDomain
import EventSourcing
import Foundation
import LMDB
import Logging

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
///
/// Each snapshot names the event it was folded up to (stream version and event id): a load starts by
/// reading that event again and uses the snapshot only when the log holds that very event there, so a
/// snapshot left beside another log (a restored backup, a copied log, snapshots copied from elsewhere) is
/// discarded instead of standing for records the log does not hold.
final class SnapshotStore: Sendable {
    private let environment: Environment
    private let table: Database
    let every: Int
    /// Marks the layout with the event id (tag, version, event id, state); a snapshot of the earlier
    /// layout (tag, version, state) starts with its tag instead and is ignored like another version's.
    private static let layout: [UInt8] = Array("snp2".utf8)

    init(directory: String, every: Int) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        environment = try Environment(path: directory, options: Environment.Options(mapSize: 256 << 20, maxDatabases: 2, durability: .noMetaSync))
        table = try environment.openDatabase(named: "states")
        self.every = max(1, every)
    }

    /// The stored state of `stream`, the stream version it reflects and the id of the event at that version,
    /// when a snapshot of `S`'s current `snapshotVersion` exists; nil otherwise (none, another version or
    /// layout, or bytes that no longer decode).
    func read<S: SnapshottableRecord>(_ type: S.Type, stream: StreamID) -> (state: S.State, version: StreamVersion, eventID: UUID)? {
        let key = Array(stream.rawValue.utf8)
        let table = self.table
        guard let bytes = try? environment.read({ txn in try txn.value(forKey: key, in: table).map { Array($0) } }) ?? nil,
              bytes.count >= 32, Array(bytes[0..<4]) == Self.layout else { return nil }
        let tag = bytes[4..<8].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let version = bytes[8..<16].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let id = Array(bytes[16..<32])
        let eventID = UUID(uuid: (id[0], id[1], id[2], id[3], id[4], id[5], id[6], id[7], id[8], id[9], id[10], id[11], id[12], id[13], id[14], id[15]))
        guard tag == S.snapshotVersion, let state = try? BinaryPayloadDecoder.decode(S.State.self, from: Array(bytes[32...])) else { return nil }
        return (state, StreamVersion(version), eventID)
    }

    /// Stores `state` as `stream`'s snapshot at `version` (the event `eventID`), tagged with `S`'s `snapshotVersion`.
    func write<S: SnapshottableRecord>(_ type: S.Type, stream: StreamID, state: S.State, version: StreamVersion, eventID: UUID) throws {
        var bytes = Self.layout
        bytes += withUnsafeBytes(of: S.snapshotVersion.littleEndian, Array.init)
        bytes += withUnsafeBytes(of: version.rawValue.littleEndian, Array.init)
        bytes += withUnsafeBytes(of: eventID.uuid, Array.init)
        bytes += try BinaryPayloadEncoder.encode(state)
        let key = Array(stream.rawValue.utf8)
        let table = self.table
        try environment.write { txn in try txn.put(bytes, forKey: key, in: table) }
    }

    /// Removes `stream`'s snapshot (one found not to fit the log).
    func remove(stream: StreamID) throws {
        let key = Array(stream.rawValue.utf8)
        let table = self.table
        try environment.write { txn in _ = try txn.delete(key: key, in: table) }
    }

    func close() { environment.close() }
}

extension CRMEngine {
    /// The stored snapshot of `A`'s `stream`, when `A` keeps snapshots and one of its current version is
    /// stored — as stored, not yet checked against the log (``load(_:stream:upTo:)`` checks it as it folds;
    /// ``fittingSnapshot(of:stream:)`` checks it alone).
    func snapshot<A: Aggregate>(of type: A.Type, stream: StreamID) -> (state: A.State, version: StreamVersion, eventID: UUID)? {
        guard let snapshots, let kept = A.self as? any SnapshottableRecord.Type else { return nil }
        func read<S: SnapshottableRecord>(_ s: S.Type) -> (state: A.State, version: StreamVersion, eventID: UUID)? {
            guard let found = snapshots.read(S.self, stream: stream), let state = found.state as? A.State else { return nil }
            return (state, found.version, found.eventID)
        }
        return read(kept)
    }

    /// The snapshot of `stream` when the log holds the event it was folded up to (``snapshotFits(_:stream:event:)``);
    /// nil otherwise (a misfit is discarded). What a reopened engine seeds its singleton caches from.
    func fittingSnapshot<A: Aggregate>(of type: A.Type, stream: StreamID) async throws -> (state: A.State, version: StreamVersion)? {
        guard let found = snapshot(of: A.self, stream: stream) else { return nil }
        let event = try await store.readStream(stream, from: found.version, direction: .forward, limit: 1).first
        guard snapshotFits(found, stream: stream, event: event) else { return nil }
        return (found.state, found.version)
    }

    /// Whether a snapshot fits the log: `event`, the stream's event at the snapshot's version as the log
    /// holds it (nil: the stream is shorter), is the one the snapshot was folded up to. One that does not —
    /// a log restored from a backup or copied beside derived data of another — is removed and said at
    /// warning level (the stream's category and the versions only), and the stream is folded from its start.
    func snapshotFits<State>(_ snapshot: (state: State, version: StreamVersion, eventID: UUID), stream: StreamID, event: RecordedEvent?) -> Bool {
        if let event, event.streamVersion == snapshot.version, event.id == snapshot.eventID { return true }
        var metadata: Logger.Metadata = ["stream": "\(stream.category)", "snapshotVersion": "\(snapshot.version.rawValue)"]
        metadata["reason"] = event == nil ? "beyond the stream's head" : "another event at its version"
        logger.warning("snapshot does not fit the log; discarded, folding from the stream's start", metadata: metadata)
        do {
            try snapshots?.remove(stream: stream)
        } catch {
            logger.warning("snapshot not removed", metadata: ["stream": "\(stream.category)", "error": "\(type(of: error))"])
        }
        return false
    }

    /// Stores a new snapshot of `stream` when `A` keeps snapshots and at least `every` events were folded
    /// past the last one (`from`); `eventID` is the id of the event at `version`. A failed write is logged
    /// and otherwise ignored: snapshots only save time.
    func keepSnapshot<A: Aggregate>(of type: A.Type, stream: StreamID, state: A.State, version: StreamVersion, eventID: UUID?, from: StreamVersion) {
        // The cheap test first: most loads fold few events, and the conformance check is a runtime lookup.
        guard let snapshots, let eventID, version.rawValue >= from.rawValue &+ UInt64(snapshots.every),
              let kept = A.self as? any SnapshottableRecord.Type else { return }
        func write<S: SnapshottableRecord>(_ s: S.Type) {
            guard let typed = state as? S.State else { return }
            do {
                try snapshots.write(S.self, stream: stream, state: typed, version: version, eventID: eventID)
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
