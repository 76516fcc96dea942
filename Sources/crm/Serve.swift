import ArgumentParser
import CRMConsole
import CRMDataGenerator
import CRMEngine
import CRMHTTP
import EventSourcing
import EventStoreLMDB
import EventStorePostgres
import Foundation
import Hummingbird
import Logging
import NIOCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// `crm serve`: the HTTP API over a data directory until SIGTERM or SIGINT; then requests in flight finish,
/// event streams end, and the engine closes (every acknowledged write is already durable: the engine
/// answers a write only after its group commit).
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the CRM's HTTP API (docs/openapi.yaml) over a data directory.",
        discussion: "Exit codes: 0 after a graceful shutdown, 4 when there is no CRM to serve (no store, or an empty one; without --demo), 3 when another process holds the data directory, 2 when the store is damaged, 1 when the store cannot be opened otherwise or the port bound.")

    @Option(help: "The data directory: a store made by `crm init` (with --demo, created and seeded when missing or empty).")
    var data = "./crm-data"

    @Option(help: ArgumentHelp(
        "The event log: a PostgreSQL URL (postgres://user@host:port/db?schema=crm) shared by several servers; the embedded LMDB log in --data when omitted.",
        discussion: "With a PostgreSQL log, --data still holds this server's views, reactor checkpoint and read audit (also read from CRM_STORE)."))
    var store: String?

    @Option(help: "The port to listen on.")
    var port = 8080

    @Option(help: "The address to bind; loopback unless told otherwise.")
    var host = "127.0.0.1"

    @Option(name: .customLong("trusted-proxy"), help: "A proxy address whose X-Forwarded-For is believed (repeatable).")
    var trustedProxies: [String] = []

    @Option(help: "The largest request body accepted, in bytes.")
    var maxBody = 64 * 1024

    @Flag(help: "On an empty data directory, seed demo data (a generated year of a few hundred customers) and print an administrator token.")
    var demo = false

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    @Option(help: "Seconds between runs of the scheduled work (the day's reminder tasks, late approval steps, churn and usage watches): once at start, then at this interval; 0 runs none on this server.")
    var scheduleEvery = 3600

    @Flag(help: "Mark the web console's session cookie Secure (sent over HTTPS only): set it whenever the console is reached over HTTPS, through a TLS proxy (anywhere but loopback).")
    var secureCookies = false

    @Option(help: "How many customer 360 views (decoded, and written as JSON) are kept in memory for repeated reads; 0 keeps none.")
    var customerCache = 2048

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0…65535 (0: any free port)") }
        guard scheduleEvery >= 0 else { throw ValidationError("--schedule-every must be 0 (none) or more seconds") }
        guard maxBody > 0, customerCache >= 0 else { throw ValidationError("--max-body must be positive and --customer-cache not negative") }
    }

    func run() async throws {
        stopWithParentIfAsked()
        var logger = Logger(label: "crm", factory: { LazyMetadataLogHandler(label: $0) })
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let log = logger
        let (engine, sharedLog, seeded): (CRMEngine, PostgresEventStore?, HistoryGenerator?)
        do {
            (engine, sharedLog, seeded) = try await openEngine(logger: logger)
        } catch let error as EventStoreError where error.code == .storeInUse {
            // Another server (or a writing command) holds the data directory: said as the other commands
            // say it, with the exit code they use.
            let held = CLIError.storeInUse(data, pid: error.ownerPID)
            throw report(CLIError(held.message, hint: "stop that process, or give this server a data directory of its own (--data DIR)", exit: held.exit))
        } catch {
            // Said as the other commands say it (an unreachable PostgreSQL, a damaged store, …).
            throw report(CLIError.from(error, data: data))
        }
        let listening = Atomic(false)
        do {
            if let seeded { try await greet(engine, seeded) }
            // Every server may run it: each reminder and escalation has a deterministic id and key, so
            // servers sharing a log write each once.
            if scheduleEvery > 0 { engine.startScheduler(every: .seconds(scheduleEvery)) }
            let app = buildApplication(engine: engine, configuration: HTTPConfiguration(
                host: host, port: port, trustedProxies: Set(trustedProxies), maxBodySize: maxBody, logger: logger,
                onServerRunning: { port in
                    listening.store(true, ordering: .relaxed)
                    log.info("listening", metadata: ["crm.address": "\(host):\(port)"])
                },
                console: ConsoleConfiguration(secureCookies: secureCookies, logger: logger),
                customerDocumentCacheSize: customerCache))
            try await app.runService()
        } catch {
            await engine.close()
            await sharedLog?.close()
            if !listening.load(ordering: .relaxed), error is IOError {
                throw report(CLIError("cannot listen on \(host):\(port): \(error)", hint: "choose another --port, or stop the process that listens there"))
            }
            throw report(CLIError.from(error, data: data))
        }
        await engine.close()
        await sharedLog?.close()
        logger.info("stopped")
    }

    /// The engine over the embedded log in --data, or over the PostgreSQL log (`--store`, `CRM_STORE`) with
    /// this node's views, reactor checkpoint and read audit under --data; with --demo and an empty log, the
    /// demo history written into the log first (its generator returned).
    private func openEngine(logger: Logger) async throws -> (CRMEngine, PostgresEventStore?, HistoryGenerator?) {
        let configuration = ViewBuildProgress.configuring(CRMEngine.Configuration(logger: logger, customerCacheSize: customerCache))
        guard let storeURL = postgresLogURL(store) else {
            // No store, or one without events (so without an administrator): seeded with --demo; otherwise
            // refused, creating nothing, as nobody could sign in to it.
            let hasLog = FileManager.default.fileExists(atPath: data + "/log/data.mdb")
            var fresh = !hasLog
            if hasLog { fresh = try await embeddedLogHead() == .start }
            if fresh && !demo {
                throw noCRM(hasLog ? "the store in \(data) is empty (no administrator to sign in)" : "no CRM store in \(data)")
            }
            var seeded: HistoryGenerator?
            if fresh {
                try FileManager.default.createDirectory(atPath: data + "/log", withIntermediateDirectories: true)
                let log = try LMDBEventStore(directory: data + "/log", options: .init(durability: .noSync))
                do {
                    seeded = try await seedDemo(into: log)
                } catch {
                    await log.close()
                    throw error
                }
                await log.close()
            }
            return (try await CRMEngine.open(at: data, configuration: configuration), nil, seeded)
        }
        var postgresConfiguration = try PostgresStoreConfiguration(url: storeURL)
        // Without --demo, a missing log is an error instead of a new empty one.
        postgresConfiguration.createsSchema = demo
        let postgres = try await PostgresEventStore.open(postgresConfiguration, logger: logger)
        do {
            let fresh = try await postgres.headPosition() == .start
            if fresh && !demo { throw noCRM("the PostgreSQL log is empty (no administrator to sign in)") }
            let seeded = fresh ? try await seedDemo(into: postgres) : nil
            return (try await CRMEngine.open(store: postgres, views: data, configuration: configuration), postgres, seeded)
        } catch {
            await postgres.close()
            throw error
        }
    }

    /// The refusal to serve a store nobody can sign in to (exit 4, as a missing store).
    private func noCRM(_ message: String) -> CLIError {
        let options = (postgresLogURL(store) == nil ? "" : " --store URL") + " --data \(data)"
        return CLIError(message, hint: "create the CRM with `crm init\(options) --admin-name NAME`, or serve demo data with `crm serve --demo\(options)`",
                        exit: .notFound)
    }

    /// The embedded log's head, read without writing (a server elsewhere may hold it: then the open that
    /// follows says so).
    private func embeddedLogHead() async throws -> GlobalPosition {
        try await head(closing: try LMDBEventStore(directory: data + "/log", options: .readOnly))
    }

    /// Appends a generated history (about 30,000 events: a few hundred customers over a year) to the log
    /// before the engine opens — as `crm demo` does: the views then build in one go, and the reactor meets
    /// the history whole, so it starts no approval the history decides itself.
    private func seedDemo(into log: any EventStore) async throws -> HistoryGenerator {
        say("Seeding demo data into \(data) (a generated year of a few hundred customers)…")
        // The year up to now.
        let start = Date().addingTimeInterval(-365 * 86_400)
        let events = 30_000
        let generator = HistoryGenerator(.init(seed: 42, targetEvents: events, start: start))
        // With the same progress line as `crm demo`.
        try await appendDemoHistoryShowingProgress(generator, to: log, events: events)
        return generator
    }

    /// Prints a token of the demo's administrator: the one secret this program ever prints, for the person
    /// who ran `make run`.
    private func greet(_ engine: CRMEngine, _ generator: HistoryGenerator) async throws {
        guard let adminID = generator.world.administrator?.id else { throw ValidationError("the generated world has no administrator") }
        let admin = try await engine.principal(employeeID: adminID)
        let token = try await engine.issueToken(for: adminID, name: "make run", as: admin)
        let head = try await engine.store.headPosition()
        say("Seeded \(head.rawValue) events.")
        say("Administrator token (shown once): \(token.token)")
        say("Try:  curl -H 'Authorization: Bearer \(token.token)' 'http://\(host):\(port)/v1/customers?limit=5'")
        say("Web console: http://\(host):\(port)/console (sign in with the token above)")
    }
}

/// Writes a line to standard output at once (unbuffered, so it shows before the server's log lines).
func say(_ line: String) {
    emit(Data((line + "\n").utf8))
}

/// With `CRM_EXIT_WITH_PARENT=1` in its environment (set by the test suite, or a supervisor that wants it),
/// the server stops as on SIGTERM once the process that started it is gone. A test process killed by a
/// crash otherwise left its servers running for good, reparented, holding ports and loading the machine.
func stopWithParentIfAsked() {
    guard ProcessInfo.processInfo.environment["CRM_EXIT_WITH_PARENT"] == "1" else { return }
    // A parent already gone when the server starts left it to init (pid 1): it stops at once then.
    let parent = getppid()
    let watch = Thread {
        while parent != 1 && getppid() == parent { Thread.sleep(forTimeInterval: 0.5) }
        kill(getpid(), SIGTERM)
    }
    watch.start()
}
