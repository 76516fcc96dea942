import EventSourcing
import Foundation
import LMDB

/// What ``LMDBEventStore/verify()`` found.
public struct VerificationReport: Sendable, Hashable, CustomStringConvertible {
    /// One inconsistency. Never holds payload or metadata values.
    public struct Fault: Sendable, Hashable, CustomStringConvertible {
        public let position: GlobalPosition?
        public let detail: String
        public var description: String { position.map { "position \($0): \(detail)" } ?? detail }
    }

    public let eventCount: Int
    public let streamCount: Int
    public let headPosition: GlobalPosition
    /// Every fault found (capped at ``maxFaults``; ``faultCount`` counts them all).
    public let faults: [Fault]
    public let faultCount: Int
    public static let maxFaults = 1000

    public var isClean: Bool { faultCount == 0 }

    public var description: String {
        var lines = ["\(eventCount) events in \(streamCount) streams, head \(headPosition): "
            + (isClean ? "clean" : "\(faultCount) fault(s)")]
        lines += faults.map { "  - \($0)" }
        return lines.joined(separator: "\n")
    }
}

extension LMDBEventStore {
    /// Walks the whole log in one consistent snapshot and checks that every envelope decodes and matches
    /// its checksum, positions are gapless from 1, stream versions are gapless from 1, and the stream index,
    /// the stream heads and the event-id index agree with the log entry for entry. Reads only; works on a
    /// read-only open beside a running writer.
    public func verify() throws -> VerificationReport {
        try read { txn in
            var verifier = Verifier(txn: txn, dbs: dbs)
            return try verifier.run()
        }
    }

    /// Writes a compacted, consistent copy of the store into `destination` (created if missing; must be
    /// empty) while appends go on. The copy opens as a store of its own and passes ``verify()``. It is
    /// written beside its place (`destination.partial`) and moved there when whole, so a backup stopped half
    /// way leaves no store that looks complete, and the next one starts afresh.
    public func backup(to destination: String) throws {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: destination, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw EventStoreError(.storage, detail: "backup destination is a file") }
            let contents = (try? fm.contentsOfDirectory(atPath: destination)) ?? []
            guard contents.isEmpty else { throw EventStoreError(.storage, detail: "backup destination is not empty") }
        }
        let partial = destination + ".partial"
        try? fm.removeItem(atPath: partial)
        do {
            try fm.createDirectory(atPath: partial, withIntermediateDirectories: true)
        } catch {
            throw EventStoreError(.storage, detail: "cannot create the backup directory")
        }
        try translating { try env.copy(to: partial, compact: true) }
        try? fm.removeItem(atPath: destination)  // empty, if there
        do {
            try fm.moveItem(atPath: partial, toPath: destination)
        } catch {
            throw EventStoreError(.storage, detail: "cannot move the copy into the backup directory")
        }
    }
}

/// The walk behind `verify()`.
private struct Verifier {
    let txn: Transaction
    let dbs: Databases
    var faults: [VerificationReport.Fault] = []
    var faultCount = 0

    init(txn: Transaction, dbs: Databases) {
        self.txn = txn
        self.dbs = dbs
    }

    mutating func fault(_ position: GlobalPosition?, _ detail: String) {
        faultCount += 1
        if faults.count < VerificationReport.maxFaults {
            faults.append(.init(position: position, detail: detail))
        }
    }

    mutating func run() throws -> VerificationReport {
        // Heads first: stream id -> (number, version).
        var heads: [String: Keys.Head] = [:]
        var numbers: [UInt64: String] = [:]
        try txn.withCursor(on: dbs.heads) { cursor in
            var entry = try cursor.first()
            while let current = entry {
                let name = String(decoding: current.key, as: UTF8.self)
                if let head = Keys.Head(current.value) {
                    heads[name] = head
                    if numbers.updateValue(name, forKey: head.number) != nil {
                        fault(nil, "two streams share stream number \(head.number)")
                    }
                } else {
                    fault(nil, "unreadable head of a stream")
                }
                entry = try cursor.next()
            }
        }

        // The log, in order.
        var seenVersions: [String: UInt64] = [:]
        var expected: UInt64 = 1
        var count = 0
        var last: UInt64 = 0
        try txn.withCursor(on: dbs.events) { cursor in
            var entry = try cursor.first()
            while let current = entry {
                defer { count += 1 }
                guard let position = Keys.readUInt64(current.key), current.key.count == 8 else {
                    fault(nil, "log key is not an 8-byte position")
                    entry = try cursor.next()
                    continue
                }
                let at = GlobalPosition(position)
                last = position
                if position != expected { fault(at, "gap in positions: expected \(expected)") }
                expected = position + 1
                if !Envelope.checksumMatches(current.value) { fault(at, "checksum mismatch") }
                let event: BorrowedEvent
                do {
                    event = try Envelope.decode(current.value, position: at)
                } catch {
                    fault(at, "envelope does not decode: \(error)")
                    entry = try cursor.next()
                    continue
                }
                let name = event.stream.rawValue
                let previous = seenVersions[name] ?? 0
                if event.streamVersion.rawValue != previous + 1 {
                    fault(at, "stream version \(event.streamVersion) follows \(previous)")
                }
                seenVersions[name] = event.streamVersion.rawValue
                if let head = heads[name] {
                    let indexed = try Keys.withStreamKey(head.number, event.streamVersion.rawValue) { key in
                        try txn.unsafeValue(forKey: key, in: dbs.streams).flatMap { Keys.readUInt64($0) }
                    }
                    if indexed != position { fault(at, "stream index disagrees with the log") }
                } else {
                    fault(at, "event's stream has no head")
                }
                let byID = try Keys.withID(event.id) { key in
                    try txn.unsafeValue(forKey: key, in: dbs.ids).flatMap { Keys.readUInt64($0) }
                }
                if byID != position { fault(at, "event-id index disagrees with the log") }
                entry = try cursor.next()
            }
        }

        for (name, head) in heads where seenVersions[name] != head.version {
            fault(nil, "stream head at version \(head.version) but the log has \(seenVersions[name] ?? 0) events of stream number \(head.number)")
        }
        let indexed = try txn.statistics(of: dbs.streams).entries
        if indexed != count { fault(nil, "stream index has \(indexed) entries for \(count) events") }
        let ids = try txn.statistics(of: dbs.ids).entries
        if ids != count { fault(nil, "event-id index has \(ids) entries for \(count) events") }
        if seenVersions.count != heads.count { fault(nil, "\(heads.count) stream heads for \(seenVersions.count) streams in the log") }

        return VerificationReport(
            eventCount: count, streamCount: heads.count, headPosition: GlobalPosition(last),
            faults: faults, faultCount: faultCount
        )
    }
}
