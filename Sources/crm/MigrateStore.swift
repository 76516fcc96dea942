import ArgumentParser
import EventSourcing
import EventStoreLMDB
import EventStorePostgres
import Foundation

/// `crm migrate-store --from DIR --to postgres://…`: copies an embedded LMDB log into a PostgreSQL log,
/// keeping every position, id, stream version, timestamp, metadata and payload, then verifies the copy.
struct MigrateStore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate-store",
        abstract: "Copy the LMDB log of a data directory into a PostgreSQL log (positions and ids kept), then verify it.",
        discussion: """
            The source is opened read-only (it may be served meanwhile; events appended after the copy started are \
            left for a second run). The target must be empty or hold an earlier, interrupted copy of the same log, \
            which is checked and continued. Exit code 0 when the copy verified, 2 when it differs or when the source log \
            has faults (then nothing is copied), 4 when --from holds no LMDB log, 5 when the target holds other events \
            than the source (or more), 64 when --to is no PostgreSQL URL or --batch is below 1, 1 on any other failure \
            (the database cannot be reached, for one). The source's records are verified first, as `crm verify` does.
            """)

    @Option(help: "The data directory holding the LMDB log (its log/ folder).")
    var from: String

    @Option(help: "The PostgreSQL log: postgres://user@host:port/db?schema=crm")
    var to: String

    @Option(help: "Events per transaction.")
    var batch = 5_000

    func run() async throws {
        try await reporting(data: from) {
            // The URL is checked before anything is opened: a malformed one is bad usage. Its detail never
            // repeats the URL (it may hold a password).
            let configuration: PostgresStoreConfiguration
            do throws(EventStoreError) {
                configuration = try PostgresStoreConfiguration(url: to)
            } catch {
                throw malformed("--to", "not a PostgreSQL log's URL (\(error.detail.isEmpty ? "\(error.code)" : error.detail))",
                                hint: "give postgres://user@host:port/db?schema=crm")
            }
            let directory = FileManager.default.fileExists(atPath: from + "/log/data.mdb") ? from + "/log" : from
            guard FileManager.default.fileExists(atPath: directory + "/data.mdb") else {
                throw CLIError("no LMDB log in \(from)", hint: "pass --from the data directory of an embedded log (it holds log/data.mdb)", exit: .notFound)
            }
            guard batch >= 1 else { throw malformed("--batch", "expected a whole number of at least 1") }
            do {
                let source = try LMDBEventStore(directory: directory, options: .readOnly)
                // The source's records are checked first (their checksums, gapless positions and versions,
                // indexes), as `crm backup` checks its copy: a record damaged on disk would otherwise be copied
                // as good data into a log that keeps no checksum of its own. The copy goes up to the head that
                // was checked; events appended after it are left for a second run.
                let checked: VerificationReport
                do {
                    checked = try source.verify()
                } catch {
                    await source.close()
                    throw error
                }
                guard checked.isClean else {
                    await source.close()
                    throw CLIError("the log in \(from) has \(checked.faultCount) fault(s); nothing was copied",
                                   hint: "`crm verify --data \(from)` lists them; copy a clean log (restore the last good backup with `crm restore`)",
                                   exit: .faults)
                }
                let target: PostgresEventStore
                do {
                    target = try await PostgresEventStore.open(configuration)
                } catch {
                    await source.close()
                    throw error
                }
                do {
                    try await copy(source, target, through: checked.headPosition)
                } catch {
                    await source.close()
                    await target.close()
                    throw error
                }
                await source.close()
                await target.close()
            } catch let error as EventStoreError where error.code != .corrupted {
                // The hint names this command's options (--from, --to), not --data and --store.
                throw CLIError(error.code == .storage ? "\(error)" : "storage: \(error)",
                               hint: "check the data directory (--from) and its permissions, and the PostgreSQL log (--to): reachable, and the schema yours to write")
            }
        }
    }

    /// Copies the source's events through `sourceHead` (the head ``LMDBEventStore/verify()`` checked).
    private func copy(_ source: LMDBEventStore, _ target: PostgresEventStore, through sourceHead: GlobalPosition) async throws {
        let batchSize = batch
        let targetHead = try await target.headPosition()
        guard targetHead <= sourceHead else {
            throw CLIError("the target log is longer than the source (\(targetHead.rawValue) > \(sourceHead.rawValue) events)", hint: "copy into an empty schema", exit: .refused)
        }
        let clock = ContinuousClock()
        let started = clock.now
        // An earlier, interrupted copy: its events must be the source's.
        if targetHead > .start {
            let same = try await sameEvents(source, target, through: targetHead, batchSize: batchSize)
            guard same else {
                throw CLIError("the target log holds other events than the source", hint: "copy into an empty schema", exit: .refused)
            }
            out("continuing an earlier copy after position \(targetHead.rawValue)")
        }
        var next = targetHead.next
        var copied = 0
        while next <= sourceHead {
            let events = try await source.readAll(from: next, direction: .forward, limit: min(batchSize, Int(clamping: sourceHead.rawValue - next.rawValue + 1)))
            guard let last = events.last else { break }
            try await target.importRecorded(events)
            copied += events.count
            next = last.position.next
        }
        let copySeconds = seconds(clock.now - started)
        out("copied \(copied) events in \(String(format: "%.1f", copySeconds)) s; verifying…")
        let verified = try await sameEvents(source, target, through: sourceHead, batchSize: batchSize)
        guard verified, try await target.headPosition() == sourceHead else {
            throw CLIError("the copy differs from the source", hint: "drop the target schema and copy again", exit: .faults)
        }
        out("verified: \(sourceHead.rawValue) events, positions, ids and contents identical")
    }

    /// Whether both logs hold the same events (every envelope field and payload) from 1 through `head`.
    private func sameEvents(_ source: LMDBEventStore, _ target: PostgresEventStore, through head: GlobalPosition, batchSize: Int) async throws -> Bool {
        var next = GlobalPosition(1)
        while next <= head {
            let limit = min(batchSize, Int(clamping: head.rawValue - next.rawValue + 1))
            let a = try await source.readAll(from: next, direction: .forward, limit: limit)
            let b = try await target.readAll(from: next, direction: .forward, limit: limit)
            guard a == b, let last = a.last else { return false }
            next = last.position.next
        }
        return true
    }

    private func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
