import CRMProjections
import EventSourcing
import Foundation
import LMDB
import Synchronization

/// One read of customer data (R-LOG-8): who read which record, when and from where.
public struct ReadAuditEntry: Codable, Sendable, Hashable {
    public var at: Date
    /// The principal's id (an employee id).
    public var principal: String
    /// The record read: its stream (`customer-…`) or a query name with its subject.
    public var record: String
    public var clientIP: String?

    public init(at: Date, principal: String, record: String, clientIP: String?) {
        self.at = at
        self.principal = principal
        self.record = record
        self.clientIP = clientIP
    }
}

/// The entry's hand-written binary form: the bytes its `Codable` form writes (instant, principal, record,
/// optional client IP), without the generic encoder's run-time type checks on every audited read.
extension ReadAuditEntry: BinaryPayloadCodable {
    public init(fromBinary reader: inout BinaryReader) throws {
        at = try reader.date()
        principal = try reader.string()
        record = try reader.string()
        clientIP = try reader.optional { try $0.string() }
    }

    public func encode(toBinary writer: inout BinaryWriter) {
        writer.date(at)
        writer.string(principal)
        writer.string(record)
        writer.optional(clientIP) { $0.string($1) }
    }
}

/// The read audit: a separate LMDB environment (`audit/`), never the business log. Reads are queued in
/// memory and written in batches by a background task (so they do not slow queries), and entries older
/// than the retention period are purged as new ones arrive.
///
/// Several processes may write it at once — a running server and `crm` read commands beside it: LMDB
/// serialises write transactions across processes through its lock file, and a key is never overwritten
/// (an entry whose instant + sequence another process took moves to the next free sequence), so no
/// process loses another's entries. Unlike the log, it has no single-writer lock.
final class ReadAuditLog: Sendable {
    private let environment: Environment
    private let entries: Database
    private let retention: TimeInterval
    private let clock: any WallClock
    private let pending = Mutex<[ReadAuditEntry]>([])
    private let sequence: Mutex<UInt64>
    /// The flusher thread sleeps on it between flushes; `stopping` (under its lock) ends it.
    private let wake = NSCondition()
    private nonisolated(unsafe) var stopping = false
    /// Signalled once by the flusher thread when it has ended.
    private let ended = DispatchSemaphore(value: 0)
    private let started = Mutex(false)
    /// Held through a whole flush (taking the queue and writing it).
    private let flushing = NSLock()

    init(directory: String, retention: TimeInterval, clock: any WallClock) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        environment = try Environment(path: directory, options: Environment.Options(mapSize: 64 << 20, maxDatabases: 2, durability: .noMetaSync))
        entries = try environment.openDatabase(named: "reads")
        // Keys are instant + sequence: continue the sequence after the last stored key, so entries of one
        // instant written before a restart are never overwritten.
        let reads = entries
        let last = try environment.read { txn in try txn.withCursor(on: reads) { cursor in try cursor.last().map { Array($0.key) } } }
        var next: UInt64 = 0
        if let last, last.count >= 16 { next = last[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) } &+ 1 }
        self.retention = retention
        self.clock = clock
        sequence = Mutex(next)
        // Flushes run on a thread of their own, every 200 ms: an LMDB write transaction (and the lock other
        // processes may hold on the audit environment) never occupies a thread of Swift's cooperative pool.
        let thread = Thread { [weak self] in
            while let log = self, !log.sleepUnlessStopping(seconds: 0.2) {
                try? log.flush()
            }
            self?.ended.signal()
        }
        thread.name = "read-audit-flusher"
        started.withLock { $0 = true }
        thread.start()
    }

    /// Tells the flusher thread to end (synchronous: NSCondition's locking is not for async contexts).
    private func requestStop() {
        wake.lock()
        stopping = true
        wake.signal()
        wake.unlock()
    }

    /// Waits up to `seconds` or until ``close()``; true when stopping.
    private func sleepUnlessStopping(seconds: TimeInterval) -> Bool {
        wake.lock()
        defer { wake.unlock() }
        if !stopping { _ = wake.wait(until: Date(timeIntervalSinceNow: seconds)) }
        return stopping
    }

    /// Queues an entry for a principal's read. The engine's own reads (the system principal with no source
    /// system: reactions, schedules) are not audited; an operator's tool acting as the system (`crm`, source
    /// system `crm-cli`) is, as `system@<source system>`.
    func record(principal: Principal, record: String) {
        let who: String
        if principal.isSystem {
            guard let source = principal.sourceSystem else { return }
            who = principal.id + "@" + source
        } else {
            who = principal.id
        }
        let entry = ReadAuditEntry(at: clock.now(), principal: who, record: record, clientIP: principal.clientIP)
        pending.withLock { $0.append(entry) }
    }

    /// Queues an entry that is not a principal's read: a refused sign-in (R-LOG-8), recorded under `who`
    /// (no principal was established).
    func record(who: String, record: String, clientIP: String?) {
        let entry = ReadAuditEntry(at: clock.now(), principal: who, record: record, clientIP: clientIP)
        pending.withLock { $0.append(entry) }
    }

    /// Writes the queued entries in one transaction and purges expired ones. One flush at a time: a read's
    /// flush waits for the flusher thread's batch in flight, which it would otherwise not see (the queue
    /// already empty, the batch not yet committed).
    func flush() throws {
        flushing.lock()
        defer { flushing.unlock() }
        let batch = pending.withLock { queue -> [ReadAuditEntry] in
            defer { queue.removeAll(keepingCapacity: true) }
            return queue
        }
        guard !batch.isEmpty else { return }
        let first = sequence.withLock { s -> UInt64 in
            defer { s += UInt64(batch.count) }
            return s
        }
        let cutoff = clock.now().addingTimeInterval(-retention)
        do {
            let next = try write(batch, first: first, cutoff: cutoff)
            sequence.withLock { $0 = max($0, next) }
        } catch {
            // Put the entries back, so a failed write loses no read from the audit; the next flush retries.
            pending.withLock { $0.insert(contentsOf: batch, at: 0) }
            throw error
        }
    }

    /// Writes `batch` from sequence `first` on, skipping keys another process took; returns the sequence
    /// after the last one used.
    private func write(_ batch: [ReadAuditEntry], first: UInt64, cutoff: Date) throws -> UInt64 {
        try environment.write { txn in
            var sequence = first
            for entry in batch {
                var key = ViewKey().date(entry.at).uint64(sequence).bytes
                while try txn.value(forKey: key, in: entries) != nil {
                    sequence &+= 1
                    key = ViewKey().date(entry.at).uint64(sequence).bytes
                }
                try txn.put(entry.binaryForm, forKey: key, in: entries)
                sequence &+= 1
            }
            let limit = ViewKey().date(cutoff).bytes
            try txn.withCursor(on: entries) { cursor in
                var entry = try cursor.first()
                while let (key, _) = entry, compare(key, limit) < 0 {
                    try cursor.deleteCurrent()
                    entry = try cursor.first()
                }
            }
            return sequence
        }
    }

    /// Entries from `from` (inclusive) to `to` (exclusive), oldest first, at most `limit` — the newest
    /// `limit`, newest first, with `newestFirst` — after the entry whose key is `after` (in the page's
    /// direction: older ones when newest first), with the key of the page's last entry as `next` when more
    /// entries of the window follow. Keys are instant + sequence, so entries written meanwhile never shift a
    /// page. Queued entries are written first.
    func page(from: Date, to: Date, principal: String?, after: [UInt8]?, limit: Int, newestFirst: Bool) throws
        -> (entries: [ReadAuditEntry], next: [UInt8]?) {
        try flush()
        guard limit > 0 else { return ([], nil) }
        return try environment.read { txn in
            try txn.withCursor(on: entries) { cursor in
                var out: [ReadAuditEntry] = []
                var last: [UInt8]?
                let start = ViewKey().date(from).bytes
                let end = ViewKey().date(to).bytes
                var entry: Cursor.Entry?
                if newestFirst {
                    // Below the window's end, and below the cursor's entry.
                    let bound = after.map { $0.lexicographicallyPrecedes(end) ? $0 : end } ?? end
                    if try cursor.seek(atLeast: bound) != nil { entry = try cursor.previous() } else { entry = try cursor.last() }
                } else {
                    let bound = after.map { start.lexicographicallyPrecedes($0) ? $0 : start } ?? start
                    entry = try cursor.seek(atLeast: bound)
                    if let after, let (key, _) = entry, compare(key, after) == 0 { entry = try cursor.next() }
                }
                while let (key, value) = entry, compare(key, end) < 0, compare(key, start) >= 0 {
                    let decoded = try BinaryPayloadDecoder.decode(ReadAuditEntry.self, from: value)
                    if principal == nil || decoded.principal == principal {
                        // One more entry than the page holds: the page is not the last.
                        if out.count == limit { return (out, last) }
                        out.append(decoded)
                        last = Array(key)
                    }
                    entry = newestFirst ? try cursor.previous() : try cursor.next()
                }
                return (out, nil)
            }
        }
    }

    func close() async {
        let running = started.withLock { s -> Bool in
            defer { s = false }
            return s
        }
        guard running else { return }
        requestStop()
        // Wait for the thread off the cooperative pool, then write what is left.
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async { [ended] in
                ended.wait()
                continuation.resume()
            }
        }
        try? flush()
        environment.close()
    }
}

private func compare(_ a: UnsafeRawBufferPointer, _ b: [UInt8]) -> Int {
    b.withUnsafeBytes { LMDB.compare(a, $0) }
}

extension CRMEngine {
    /// Who read which customer data between `from` and `to` (R-LOG-8), oldest first (with `newestFirst`, the
    /// newest `limit` entries, newest first): for auditors holding the organisation module's `analyse`
    /// permission over all data. Optionally only one principal's reads. The first page of
    /// ``readAudit(from:to:principal:after:limit:newestFirst:as:)``.
    public func readAudit(from: Date, to: Date, principal reader: String? = nil, limit: Int = 1000, newestFirst: Bool = false,
                          as principal: Principal) throws -> [ReadAuditEntry] {
        try readAudit(from: from, to: to, principal: reader, after: nil, limit: limit, newestFirst: newestFirst, as: principal).items
    }

    /// Records in the read audit that `principal` signed in to an interactive front end such as the web
    /// console (R-LOG-8): record `signin:<source system>` (the principal's; `unknown` without one), with the
    /// principal's client IP. The credential's own entry (`token:<id>`, `password:<employee>`) is recorded as
    /// it is checked; that of a token recurs on every request it authenticates, this one marks when a
    /// session began. Retention applies as to every entry.
    public func recordSignIn(as principal: Principal) {
        audit.record(principal: principal, record: "signin:" + Self.auditedSource(principal.sourceSystem))
    }

    /// Records a refused sign-in to an interactive front end (R-LOG-8): principal `anonymous`, record
    /// `signin-failed:<source system>`, the client IP — nothing of what was presented (no token, password or
    /// employee id: a guess may be someone's secret, or a name). Retention applies as to every entry.
    public func recordFailedSignIn(sourceSystem: String, clientIP: String?) {
        audit.record(who: "anonymous", record: "signin-failed:" + Self.auditedSource(sourceSystem), clientIP: clientIP.map { String($0.prefix(64)) })
    }

    /// A source system's name as the read audit keeps it: at most 64 characters, `unknown` for none.
    private static func auditedSource(_ source: String?) -> String {
        guard let source, !source.isEmpty else { return "unknown" }
        return String(source.prefix(64))
    }

    /// A page of the read audit of a window, oldest first or (`newestFirst`) newest first, after `after` —
    /// nil for the first page, else the `next` of the page before with the same window, principal and
    /// order. `next` is set when more entries follow; entries recorded meanwhile never shift a page.
    ///
    /// ```swift
    /// var page = try engine.readAudit(from: since, to: now, after: nil, limit: 100, newestFirst: true, as: auditor)
    /// while let next = page.next { page = try engine.readAudit(from: since, to: now, after: next, limit: 100, newestFirst: true, as: auditor) }
    /// ```
    public func readAudit(from: Date, to: Date, principal reader: String? = nil, after: [UInt8]?, limit: Int = 1000, newestFirst: Bool = false,
                          as principal: Principal) throws -> WorkProjections.Page<ReadAuditEntry> {
        guard principal.may(.analyse, in: .organisation, on: .global, at: clock.now()) else {
            throw EngineError(.forbidden, "the read audit needs the organisation module's analyse permission over all data")
        }
        let page = try audit.page(from: from, to: to, principal: reader, after: after, limit: limit, newestFirst: newestFirst)
        return WorkProjections.Page(items: page.entries, next: page.next)
    }
}
