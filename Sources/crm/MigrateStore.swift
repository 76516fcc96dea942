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
            which is checked and continued. Exit code 0 when the copy verified, 2 when it differs, 1 on failure.
            """)

    @Option(help: "The data directory holding the LMDB log (its log/ folder).")
    var from: String

    @Option(help: "The PostgreSQL log: postgres://user@host:port/db?schema=crm")
    var to: String

    @Option(help: "Events per transaction.")
    var batch = 5_000

    func run() async throws {
        try await reporting(data: from) {
            let directory = FileManager.default.fileExists(atPath: from + "/log/data.mdb") ? from + "/log" : from
            let source = try LMDBEventStore(directory: directory, options: .readOnly)
            let target: PostgresEventStore
            do {
                target = try await PostgresEventStore.open(url: to)
            } catch {
                await source.close()
                throw error
            }
            do {
                try await copy(source, target)
            } catch {
                await source.close()
                await target.close()
                throw error
            }
            await source.close()
            await target.close()
        }
    }

    private func copy(_ source: LMDBEventStore, _ target: PostgresEventStore) async throws {
        let batchSize = max(batch, 1)
        let sourceHead = try await source.headPosition()
        let targetHead = try await target.headPosition()
        guard targetHead <= sourceHead else {
            throw CLIError("the target log is longer than the source (\(targetHead.rawValue) > \(sourceHead.rawValue) events)", hint: "copy into an empty schema", exit: .usage)
        }
        let clock = ContinuousClock()
        let started = clock.now
        // An earlier, interrupted copy: its events must be the source's.
        if targetHead > .start {
            let same = try await sameEvents(source, target, through: targetHead, batchSize: batchSize)
            guard same else {
                throw CLIError("the target log holds other events than the source", hint: "copy into an empty schema", exit: .usage)
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
