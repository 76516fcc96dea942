import ArgumentParser
import CRMDomain
import CRMEngine
import EventSourcing
import EventStoreLMDB
import Foundation

/// `crm verify`: the full integrity check of the log.
struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the whole log's integrity (checksums, gapless positions and versions, indexes); read-only.",
        discussion: "Exit code 0 when clean, 2 when faults were found (each listed) or the log is too damaged to be read at all (its header, a page).")

    @OptionGroup var store: StoreOptions

    func run() async throws {
        try await reporting(data: store.data) {
            try store.refuseSharedLog("`crm verify`", does: "checks the embedded LMDB log's files",
                                      hint: "PostgreSQL checks its own pages (amcheck); the log's order is kept by its constraints")
            let report: VerificationReport
            do {
                report = try await withReadOnlyStore(store) { store in try store.verify() }
            } catch let error as EventStoreError where isDamage(error) {
                // The log cannot even be walked (its header or a page is unusable): damaged, as faults are.
                throw CLIError("the log is damaged: \(error)", hint: "restore the last good backup with `crm restore DIR` into a new data directory", exit: .faults)
            }
            if store.json {
                out(jsonPretty([
                    "clean": report.isClean, "events": report.eventCount, "streams": report.streamCount,
                    "head": Int(clamping: report.headPosition.rawValue), "faultCount": report.faultCount,
                    "faults": report.faults.map { ["position": $0.position.map { Int(clamping: $0.rawValue) } ?? NSNull(), "detail": $0.detail] as [String: Any] },
                ] as [String: Any]))
            } else {
                out("\(report.eventCount) events, \(report.streamCount) streams, head \(report.headPosition.rawValue)")
                for fault in report.faults { out("FAULT \(fault)") }
                out(report.isClean ? "clean" : "\(report.faultCount) fault(s)")
            }
            if !report.isClean {
                throw CLIError("the log has \(report.faultCount) fault(s)", hint: "restore the last good backup with `crm restore DIR` into a new data directory", exit: .faults)
            }
        }
    }
}

/// `crm backup DIR`: a hot, compacted copy of the log, taken while a server may write.
struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy the log, compacted and consistent, into DIR (empty or new) while a server may keep writing.",
        discussion: "The backup holds the log (DIR/log); views are rebuilt from it on restore.")

    @OptionGroup var store: StoreOptions
    @Argument(help: "The backup directory (new or empty).") var directory: String

    func run() async throws {
        try await reporting(data: store.data) {
            try store.refuseSharedLog("`crm backup`", does: "copies the embedded LMDB log", hint: backupHint)
            let started = Date()
            let fm = FileManager.default
            let target = directory + "/log"
            var isDirectory: ObjCBool = false
            if fm.fileExists(atPath: directory, isDirectory: &isDirectory), !isDirectory.boolValue {
                throw CLIError("\(directory) is a file, not a directory", hint: "give a new or empty backup directory", exit: .refused)
            }
            if fm.fileExists(atPath: target, isDirectory: &isDirectory) {
                guard isDirectory.boolValue, ((try? fm.contentsOfDirectory(atPath: target)) ?? ["?"]).isEmpty else {
                    throw CLIError("\(target) is not empty: a backup is already there", hint: "give a new or empty directory", exit: .refused)
                }
            }
            // Written to DIR/log.partial, verified there, and only then moved to DIR/log: a backup stopped half
            // way, or one that fails verification, leaves no log that looks complete (a stale DIR/log.partial is
            // replaced by the next run). `LMDBEventStore.backup(to:)` writes beside its destination in turn.
            let partial = directory + "/log.partial"
            do {
                try? fm.removeItem(atPath: partial)
                try? fm.removeItem(atPath: partial + ".partial")
                try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw CLIError("cannot create the backup directory \(directory)", hint: "check that its parent exists and may be written", exit: .failure)
            }
            try await withReadEngine(store, buildingViews: false) { engine, principal in
                try engine.authorizeLogRead("backup", as: principal)
                let log = try lmdbLog(engine)
                do {
                    try log.backup(to: partial)
                } catch let error as EventStoreError where error.code == .storage {
                    // Writing the copy failed: the backup directory's fault (free space, permissions), not the store's.
                    try? fm.removeItem(atPath: partial)
                    try? fm.removeItem(atPath: partial + ".partial")
                    throw CLIError("cannot write the backup into \(directory): \(error.detail)", hint: "check free space and the permissions of \(directory)")
                }
            }
            let copy = try LMDBEventStore(directory: partial, options: .readOnly)
            let report: VerificationReport
            do {
                report = try copy.verify()
            } catch {
                await copy.close()
                try? fm.removeItem(atPath: partial)
                throw error
            }
            await copy.close()
            guard report.isClean else {
                try? fm.removeItem(atPath: partial)
                throw CLIError("the backup in \(directory) failed verification (\(report.faultCount) faults); nothing was kept",
                               hint: "the store's log is probably damaged: `crm verify` lists its faults; keep the last good backup", exit: .faults)
            }
            do {
                try? fm.removeItem(atPath: target)  // empty, if there
                try fm.moveItem(atPath: partial, toPath: target)
            } catch {
                throw CLIError("cannot move the verified copy from \(partial) to \(target)", hint: "check the permissions of \(directory)")
            }
            if store.json {
                out(jsonLine(["directory": directory, "events": report.eventCount, "head": Int(clamping: report.headPosition.rawValue)] as [String: Any]))
            } else {
                out("Backed up \(report.eventCount) events (head \(report.headPosition.rawValue)) to \(directory) in \(ProgressPrinter.duration(Date().timeIntervalSince(started))); verified clean.")
            }
        }
    }
}

/// `crm restore DIR`: a backup becomes the data directory's log.
struct Restore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Restore a backup (from `crm backup`) into a data directory that holds no log yet; what was derived from another log there (views, snapshots, the reactor's checkpoint) is removed and built again on next open.")

    @OptionGroup var store: StoreOptions
    @Argument(help: "The backup directory.") var directory: String

    func run() async throws {
        try await reporting(data: store.data) {
            try store.refuseRemote("restore", hint: "`crm restore` writes a new data directory: run it without --server, into a new --data directory")
            try store.refuseSharedLog("`crm restore`", does: "restores an embedded LMDB log",
                                      hint: "restore a PostgreSQL log with PostgreSQL's own tools (pg_restore, a base backup); views are rebuilt from the log")
            let source = directory + "/log"
            guard FileManager.default.fileExists(atPath: source + "/data.mdb") else {
                throw CLIError("no backup in \(directory)", hint: "give a directory written by `crm backup`", exit: .notFound)
            }
            guard !store.hasStore else {
                throw CLIError("\(store.data) already holds a log", hint: "restore into a new --data directory, or move the old one aside first", exit: .refused)
            }
            let backup = try LMDBEventStore(directory: source, options: .readOnly)
            let report = try backup.verify()
            await backup.close()
            guard report.isClean else { throw CLIError("the backup has \(report.faultCount) fault(s)", hint: "use an older backup", exit: .faults) }
            let fm = FileManager.default
            // What was derived from the log this one replaces (views, snapshots, the reactor's checkpoint)
            // goes first: it describes records and positions the restored log may not hold. It is built
            // again from the restored log when the engine next opens. The read audit stays.
            for derived in CRMEngine.derivedDirectories where fm.fileExists(atPath: store.data + "/" + derived) {
                do {
                    try fm.removeItem(atPath: store.data + "/" + derived)
                } catch {
                    throw CLIError("cannot remove \(derived)/ of \(store.data), which was derived from another log",
                                   hint: "check the permissions, or restore into a new --data directory")
                }
            }
            try fm.createDirectory(atPath: store.logDirectory, withIntermediateDirectories: true)
            // Copied under another name and renamed, so the log appears whole or not at all.
            let partial = store.logDirectory + "/data.mdb.restoring"
            do {
                try? fm.removeItem(atPath: partial)
                try fm.copyItem(atPath: source + "/data.mdb", toPath: partial)
                try fm.moveItem(atPath: partial, toPath: store.logDirectory + "/data.mdb")
            } catch {
                try? fm.removeItem(atPath: partial)
                throw CLIError("cannot copy the backup into \(store.data)", hint: "check free space and permissions")
            }
            let restored = try LMDBEventStore(directory: store.logDirectory, options: .readOnly)
            let check = try restored.verify()
            await restored.close()
            out("Restored \(check.eventCount) events (head \(check.headPosition.rawValue)) into \(store.data); " + (check.isClean ? "verified clean." : "\(check.faultCount) faults!"))
            if !check.isClean { throw ExitCode(CLIError.Exit.faults.rawValue) }
        }
    }
}

/// `crm stats`: counts and sizes.
struct Stats: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Events, streams, counts per event type, file sizes, each view's lag and failure; read-only.",
        discussion: "A view's lag is the log's head position minus the last position the view applied (0: up to date).")

    @OptionGroup var store: StoreOptions

    func run() async throws {
        try await reporting(data: store.data) {
            let (statistics, types, views) = try await withReadEngine(store, buildingViews: false) { engine, _ -> (LogFigures, [String: Int], [ProjectionRunner.Status]) in
                let (figures, types) = try await Self.count(engine.store)
                return (figures, types, engine.views.status())
            }
            let head = statistics.headPosition.rawValue
            func lag(_ view: ProjectionRunner.Status) -> Int { Int(clamping: head &- min(view.checkpoint.rawValue, head)) }
            let sizes = directorySizes(store.data)
            if store.json {
                out(jsonPretty([
                    "events": statistics.eventCount, "streams": statistics.streamCount, "head": Int(clamping: statistics.headPosition.rawValue),
                    "mapSize": statistics.mapSize ?? NSNull(), "usedBytes": statistics.usedBytes ?? NSNull(), "eventTypes": types, "fileSizes": sizes,
                    "views": views.map { ["name": $0.name, "checkpoint": Int(clamping: $0.checkpoint.rawValue), "lag": lag($0),
                                          "failed": $0.failure != nil, "failure": $0.failure.map { "\($0)" } ?? NSNull()] as [String: Any] },
                ] as [String: Any]))
            } else {
                out("events  \(statistics.eventCount)")
                out("streams \(statistics.streamCount)")
                out("head    \(statistics.headPosition.rawValue)")
                if let used = statistics.usedBytes, let map = statistics.mapSize {
                    out("log     \(bytes(used)) used of a \(bytes(map)) map")
                } else {
                    out("log     PostgreSQL")
                }
                out("")
                printTable(["event type", "count"], types.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }.map { [$0.key, "\($0.value)"] })
                out("")
                printTable(["directory", "size"], sizes.keys.sorted().map { [$0, bytes(sizes[$0] ?? 0)] })
                out("")
                if views.isEmpty { out("no views built yet (they are built by the first command that reads them, `crm serve` or `crm rebuild`)") }
                printTable(["view", "checkpoint", "lag", "state"], views.map {
                    [$0.name, "\($0.checkpoint.rawValue)", "\(lag($0))", $0.failure.map { "FAILED: \($0)" } ?? "ok"]
                })
            }
        }
    }

    /// The log's figures; `mapSize` and `usedBytes` only for the embedded LMDB log.
    struct LogFigures {
        var eventCount: Int
        var streamCount: Int
        var headPosition: GlobalPosition
        var mapSize: Int?
        var usedBytes: Int?
    }

    /// The log's figures and its events counted by type: the LMDB log's own statistics, or, for another
    /// log (PostgreSQL), what the scan also counts: its distinct streams.
    private static func count(_ log: any EventStore) async throws -> (LogFigures, [String: Int]) {
        var types: [String: Int] = [:]
        var streams = Set<StreamID>()
        let lmdb = log as? LMDBEventStore
        var from = GlobalPosition.start.next
        while true {
            var last = GlobalPosition.start
            let count = try await log.forEachEvent(from: from, limit: 65_536) { event in
                types[event.type, default: 0] += 1
                if lmdb == nil { streams.insert(event.stream) }
                last = event.position
            }
            if count < 65_536 { break }
            from = last.next
        }
        if let statistics = try lmdb?.statistics() {
            return (LogFigures(eventCount: statistics.eventCount, streamCount: statistics.streamCount, headPosition: statistics.headPosition,
                               mapSize: statistics.mapSize, usedBytes: statistics.usedBytes), types)
        }
        let head = try await log.headPosition()
        return (LogFigures(eventCount: types.values.reduce(0, +), streamCount: streams.count, headPosition: head), types)
    }

    private func bytes(_ n: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(n)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
        return unit == 0 ? "\(n) B" : String(format: "%.1f %@", value, units[unit])
    }

    /// Bytes on disk under each top-level folder of the data directory (and each view).
    private func directorySizes(_ root: String) -> [String: Int] {
        let fm = FileManager.default
        var sizes: [String: Int] = [:]
        func size(_ path: String) -> Int {
            guard let walker = fm.enumerator(atPath: path) else { return 0 }
            var total = 0
            while let file = walker.nextObject() as? String {
                total += ((try? fm.attributesOfItem(atPath: path + "/" + file))?[.size] as? Int) ?? 0
            }
            return total
        }
        for folder in (try? fm.contentsOfDirectory(atPath: root)) ?? [] {
            if folder == "views" {
                for view in (try? fm.contentsOfDirectory(atPath: root + "/views")) ?? [] { sizes["views/" + view] = size(root + "/views/" + view) }
            } else {
                sizes[folder] = size(root + "/" + folder)
            }
        }
        return sizes
    }
}

/// One event as a JSON object with its payload in JSON form (`crm dump`, `crm tail`).
func eventJSON(_ event: RecordedEvent, registry: PayloadRegistry) -> [String: Any] {
    let payload: Any
    if let json = try? event.payload.withUnsafeBytes({ try registry.json(event.type, schemaVersion: event.schemaVersion, from: $0) }),
       let object = try? JSONSerialization.jsonObject(with: json, options: [.fragmentsAllowed]) {
        payload = object
    } else {
        payload = ["undecodable": true, "base64": Data(event.payload).base64EncodedString()]
    }
    return [
        "position": Int(clamping: event.position.rawValue), "stream": event.stream.rawValue, "version": Int(clamping: event.streamVersion.rawValue),
        "id": event.id.lowercasedString, "type": event.type, "schemaVersion": Int(event.schemaVersion), "recordedAt": iso(event.recordedAt),
        "actor": event.metadata.actor, "correlationID": event.metadata.correlationID.map { $0.lowercasedString } ?? NSNull(),
        "causationID": event.metadata.causationID.map { $0.lowercasedString } ?? NSNull(),
        "sourceSystem": event.metadata.sourceSystem ?? NSNull(), "clientIP": event.metadata.clientIP ?? NSNull(), "payload": payload,
    ]
}

/// `crm dump`: events as JSON lines.
struct Dump: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write events as JSON lines (payloads in JSON form) to standard output; read-only.")

    @OptionGroup var store: StoreOptions
    @Option(help: "The first log position to write.") var from: UInt64 = 1
    @Option(help: "Only this stream (e.g. customer-<uuid>).") var stream: String?

    func run() async throws {
        try await reporting(data: store.data) {
            let registry = try EngineEvents.registry()
            try await withReadEngine(store) { engine, principal in
                let log = engine.store
                if let stream {
                    let id = try recordStream(stream, "--stream")
                    // The raw events hold every custom field: the engine gives a customer's with a field hidden
                    // from the principal to a reader of the whole log only.
                    for event in try await engine.events(of: id, as: principal) where event.position.rawValue >= from {
                        out(jsonLine(eventJSON(event, registry: registry)))
                    }
                    return
                }
                try engine.authorizeLogRead("dump from \(from)", as: principal)
                var next = GlobalPosition(max(from, 1))
                while true {
                    let batch = try await log.readAll(from: next, direction: .forward, limit: 4096)
                    var text = ""
                    for event in batch { text += jsonLine(eventJSON(event, registry: registry)) + "\n" }
                    emit(Data(text.utf8))
                    guard batch.count == 4096, let last = batch.last else { break }
                    next = last.position.next
                }
            }
        }
    }
}


/// `crm tail`: follows the log live.
struct Tail: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Follow the log live, writing each event as a JSON line (or a short line without --json) until interrupted; read-only.")

    @OptionGroup var store: StoreOptions
    @Option(help: "The first log position to write (default: only new events).") var from: UInt64?

    func run() async throws {
        try await reporting(data: store.data) {
            let registry = try EngineEvents.registry()
            try await withReadEngine(store) { engine, principal in
                let log = engine.store
                let head = try await log.headPosition()
                try engine.authorizeLogRead("tail from \(from ?? head.next.rawValue)", as: principal)
                let start = from.map { GlobalPosition(max($0, 1)) } ?? head.next
                for try await event in log.subscribe(from: start) {
                    if store.json {
                        out(jsonLine(eventJSON(event, registry: registry)))
                    } else {
                        out("\(event.position.rawValue)  \(iso(event.recordedAt))  \(event.stream.rawValue)  v\(event.streamVersion.rawValue)  \(event.type)  by \(event.metadata.actor)")
                    }
                }
            }
        }
    }
}

/// How a PostgreSQL log is backed up instead.
let backupHint = "back up a PostgreSQL log with PostgreSQL's own tools (pg_dump, base backups); views are rebuilt from the log"
