import ArgumentParser
import CRMDomain
import CRMEngine
import EventSourcing
import EventStoreLMDB
import EventStorePostgres
import Foundation
import Logging

/// The options every subcommand that works on a data directory shares.
struct StoreOptions: ParsableArguments {
    @Option(help: "The data directory.")
    var data = "./crm-data"

    @Flag(help: "Machine-readable output (JSON) instead of tables.")
    var json = false

    @Option(help: "Act as the employee of this API token instead of as the operator (also read from CRM_TOKEN).")
    var token: String?

    @Option(help: "Send writing commands through this running server's HTTP API (with --token).")
    var server: String?

    @Option(name: .customLong("store"), help: ArgumentHelp(
        "The event log: a PostgreSQL URL (postgres://user@host:port/db?schema=crm), as `crm serve --store`; the embedded LMDB log in --data when omitted.",
        discussion: "With a PostgreSQL log, --data holds the views and read audit: pass the data directory of the server whose views to read (also read from CRM_STORE)."))
    var sharedLog: String?

    var logDirectory: String { data + "/log" }

    /// The PostgreSQL log's URL (`--store`, else `CRM_STORE`); nil for the embedded LMDB log in --data.
    var sharedLogURL: String? { postgresLogURL(sharedLog) }

    /// Whether the data directory holds an embedded log yet.
    var hasStore: Bool { FileManager.default.fileExists(atPath: logDirectory + "/data.mdb") }

    /// What the messages call the log: never the URL, which may hold a password.
    var logName: String { sharedLogURL == nil ? data : "the PostgreSQL log" }

    /// The embedded log opened read-only: works beside a running `crm serve`.
    func openReadOnly() throws -> LMDBEventStore {
        try refuseSharedLog("this command", does: "reads the embedded LMDB log file")
        guard hasStore else {
            throw CLIError("no CRM store in \(data)", hint: "pass --data DIR, or create one with `crm init`", exit: .notFound)
        }
        return try LMDBEventStore(directory: logDirectory, options: .readOnly)
    }

    /// The PostgreSQL log of `--store` (or `CRM_STORE`), nil for the embedded one. Not `creating`, a
    /// schema without a log is an error instead of a new empty log (a reader's mistyped schema name).
    func openSharedLog(creating: Bool = true) async throws -> PostgresEventStore? {
        guard let url = sharedLogURL else { return nil }
        var configuration = try PostgresStoreConfiguration(url: url)
        configuration.createsSchema = creating
        return try await PostgresEventStore.open(configuration)
    }

    /// The log to read without writing: the PostgreSQL one (never created here), or the embedded one
    /// opened read-only.
    func openLogForReading() async throws -> any EventStore {
        if let shared = try await openSharedLog(creating: false) { return shared }
        return try openReadOnly()
    }

    /// The newest position of the log (``GlobalPosition/start`` when there is none yet).
    func logHead() async throws -> GlobalPosition {
        if sharedLogURL == nil && !hasStore { return .start }
        return try await head(closing: try await openSharedLog() ?? openReadOnly())
    }

    /// Refuses a command that works on the embedded log's files only when the log is PostgreSQL's.
    func refuseSharedLog(_ command: String, does what: String, hint: String? = nil) throws {
        guard sharedLogURL != nil else { return }
        throw CLIError("\(command) \(what), and the log is in PostgreSQL (--store or CRM_STORE)",
                       hint: hint ?? "run it without --store on the data directory of an embedded log", exit: .usage)
    }

    /// The engine opened read-write (the one writer of the directory and its views); refused, saying so,
    /// when a server holds them. With a PostgreSQL log the views are this directory's own: a server running
    /// on it holds them, so writes then go through it (`--server`).
    func openEngine(creating: Bool = false) async throws -> CRMEngine {
        if server != nil {
            throw CLIError("this command cannot go through a server", hint: "stop the server and run it on the data directory", exit: .usage)
        }
        let configuration = ViewBuildProgress.configuring(CRMEngine.Configuration(durability: .full))
        if let shared = try await openSharedLog() {
            do {
                return try await CRMEngine.open(store: shared, views: data, configuration: configuration)
            } catch {
                await shared.close()
                throw error
            }
        }
        if !creating && !hasStore {
            throw CLIError("no CRM store in \(data)", hint: "pass --data DIR, or create one with `crm init`", exit: .notFound)
        }
        return try await CRMEngine.open(at: data, configuration: configuration)
    }

    /// Closes an engine of ``openEngine(creating:)`` and, with a PostgreSQL log, the log (the engine does
    /// not own a log it was given).
    func close(_ engine: CRMEngine) async {
        await engine.close()
        if sharedLogURL != nil { await engine.store.close() }
    }

    /// Who acts: the employee of `--token` (or `CRM_TOKEN`), else the operator (the system's rights, recorded
    /// as `system` with source system `crm-cli`; the employees its commands name are judged as a person's).
    func principal(_ engine: CRMEngine) async throws -> Principal {
        if let token = token ?? ProcessInfo.processInfo.environment["CRM_TOKEN"], !token.isEmpty {
            var principal = try await engine.authenticate(token: token)
            principal.sourceSystem = "crm-cli"
            return principal
        }
        return Principal.operator(sourceSystem: "crm-cli")
    }
}

/// The PostgreSQL log's URL: the `--store` option, else `CRM_STORE`; nil for the embedded LMDB log.
func postgresLogURL(_ option: String?) -> String? {
    option ?? ProcessInfo.processInfo.environment["CRM_STORE"].flatMap { $0.isEmpty ? nil : $0 }
}

/// Runs `body` with the engine open read-write and closes it afterwards, whether `body` throws or not.
@discardableResult
func withEngine<R>(_ options: StoreOptions, creating: Bool = false, _ body: (CRMEngine) async throws -> R) async throws -> R {
    let engine = try await options.openEngine(creating: creating)
    do {
        let result = try await body(engine)
        await options.close(engine)
        return result
    } catch {
        await options.close(engine)
        throw error
    }
}

/// Runs `body` with the engine open read-only (``CRMEngine/openReadOnly(at:configuration:)``): works beside
/// a running `crm serve`; reads go through the engine's authorization and are recorded in the read audit
/// (`audit/`, written beside the server's entries).
///
/// With a PostgreSQL log (`--store`) the views read are those a `crm serve --store …` keeps under --data.
///
/// On an embedded log whose views were never built (a restored backup, a copied log: no `views/`, or a view
/// missing) they are built first, as a writing command's open builds them (``buildViews(_:)``) — unless
/// `buildingViews` is false (`crm stats`, which reports the views as they are; `crm backup`, which reads only
/// the log).
func withReadEngine<R>(_ options: StoreOptions, buildingViews: Bool = true, _ body: (CRMEngine, Principal) async throws -> R) async throws -> R {
    let configuration = CRMEngine.Configuration(reactions: [])
    if options.sharedLogURL != nil, !FileManager.default.fileExists(atPath: options.data + "/views") {
        throw CLIError("no views in \(options.data)", hint: "pass the --data directory of a `crm serve --store …`, or build views there with `crm rebuild --store …`", exit: .notFound)
    }
    let shared = try await options.openSharedLog(creating: false)
    let engine: CRMEngine
    if let opened = shared {
        do {
            engine = try CRMEngine.openReadOnly(store: opened, views: options.data, configuration: configuration)
        } catch {
            await opened.close()
            throw error
        }
    } else {
        guard options.hasStore else {
            throw CLIError("no CRM store in \(options.data)", hint: "pass --data DIR, or create one with `crm init`", exit: .notFound)
        }
        var opened = try await CRMEngine.openReadOnly(at: options.data, configuration: configuration)
        if buildingViews, opened.views.status().count < opened.views.projections.count {
            await opened.close()
            try await buildViews(options)
            opened = try await CRMEngine.openReadOnly(at: options.data, configuration: configuration)
        }
        engine = opened
    }
    do {
        let result = try await body(engine, try await options.principal(engine))
        await engine.close()
        await shared?.close()
        return result
    } catch {
        await engine.close()
        await shared?.close()
        throw error
    }
}

/// Builds the views of the embedded log in --data that were never built, by opening the engine there as a
/// writing command does (with the `building views` progress line when long), without its reactor: a read
/// writes no event. While another process holds the directory (a server, which builds its views as it
/// opens), or where the directory cannot be opened for writing, nothing is built here: the reads go to the
/// views as they are.
func buildViews(_ options: StoreOptions) async throws {
    var configuration = ViewBuildProgress.configuring(CRMEngine.Configuration(durability: .full))
    configuration.reactions = []
    let engine: CRMEngine
    do {
        engine = try await CRMEngine.open(at: options.data, configuration: configuration)
    } catch let error as EventStoreError where error.code == .storeInUse {
        return
    } catch {
        // A directory this process may not write (read-only media, another user's files): nothing is built;
        // a read that needs a view missing there says so (`no view NAME`), the others go on.
        return
    }
    await engine.close()
}

/// The engine's embedded LMDB log (commands on its files refuse a PostgreSQL log first: ``StoreOptions/refuseSharedLog(_:does:hint:)``).
func lmdbLog(_ engine: CRMEngine) throws -> LMDBEventStore {
    guard let log = engine.store as? LMDBEventStore else { throw CLIError("the engine's log is not an LMDB store") }
    return log
}

/// Runs `body` with the log open read-only and closes it afterwards (for commands that read no record's
/// data: verify, counts).
func withReadOnlyStore<R>(_ options: StoreOptions, _ body: (LMDBEventStore) async throws -> R) async throws -> R {
    let store = try options.openReadOnly()
    do {
        let result = try await body(store)
        await store.close()
        return result
    } catch {
        await store.close()
        throw error
    }
}

/// A record named on the command line: a stream id like `customer-<id>`, or a bare id taken as a customer.
/// A malformed one — no stream id, or the category of records with UUID ids (`customer`, `task`, …) followed
/// by something else — is bad usage (exit 64), said without repeating it; a well-formed id of no record is
/// left to the engine's "not found" (exit 4).
func recordStream(_ text: String, _ name: String = "<record>") throws -> StreamID {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    if let id = UUID(text: trimmed) { return Customer.stream(id) }
    guard let dash = trimmed.firstIndex(of: "-"), dash != trimmed.startIndex, trimmed.index(after: dash) != trimmed.endIndex else {
        throw malformed(name, "names no record", hint: "give a stream id such as customer-<uuid>, or a customer's id")
    }
    let category = String(trimmed[..<dash])
    if let id = UUID(text: String(trimmed[trimmed.index(after: dash)...])) {
        return StreamID(category: category, id: id.lowercasedString)
    }
    if uuidCategories.contains(category) {
        throw malformed(name, "not \(category)-<uuid>", hint: "give the record's id, a UUID, after `\(category)-`")
    }
    return StreamID(trimmed)
}

/// The stream categories whose records are named by a UUID (`customer-<uuid>`, `task-<uuid>`, …): the
/// engine's records whose stream is their category and id (not the singletons, `organisation-global`, nor
/// the forms named by their group).
let uuidCategories: Set<String> = {
    let probe = UUID(uuid: (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16))
    let types: [any EngineRecord.Type] = foldedRecordTypes + [
        ContactLogEntry.self, RevenueLedger.self, WorkflowInstance.self, Announcement.self, BoardThread.self, SurveyTemplate.self, Survey.self,
        FeedbackForm.self, NewConnection.self, MaintenancePairing.self,
    ]
    return Set(types.compactMap { type in
        type.streamID(probe) == StreamID(category: type.category, id: probe.lowercasedString) ? type.category : nil
    })
}()

/// A point in the log given as option `name` (`--as-of`, `--to`), read as every adapter reads as-of text
/// (``AsOf/parse(_:instant:)``): a position (plain digits) or a time (ISO 8601, a date meaning its end in
/// UTC) covering the whole unit it is written to (`…T08:00:48.701Z` up to 08:00:48.701999), so a time the
/// CLI shows for a change (``iso(_:)``, cut down to the millisecond), given back, includes it.
func parsePoint(_ text: String, _ name: String) throws -> AsOf {
    if let point = AsOf.parse(text, instant: parseTime) { return point }
    throw malformed(name, "neither a log position nor a time", hint: "give a position like 1200 or a time like 2025-03-01T12:00:00Z")
}

/// Refuses (exit 64, naming option `name`) a position beyond the head of `log`: no state was ever at it.
func requireWithinLog(_ point: AsOf?, _ name: String, in log: any EventStore) async throws {
    guard case .position(let position)? = point else { return }
    let head = try await log.headPosition()
    guard position <= head else {
        throw malformed(name, "position \(position.rawValue) is beyond the log's head (\(head.rawValue))",
                        hint: "give a position up to \(head.rawValue), or a time")
    }
}

/// The ids the CLI makes for new records (through `--server`, and appointment and installation ids): time
/// ordered (UUIDv7), as the engine makes its own, so the indexes keyed by them stay fast.
func newRecordID() -> UUID { recordIDs.next() }
private let recordIDs = UUIDv7Generator()

/// A time given as option `name` in ISO 8601 with a time of day and a zone (exit 64 otherwise): an
/// appointment or a task's due time is an instant, as over HTTP, so a date alone (which the options naming a
/// point in the log read as the day's end, UTC) is refused rather than turned into 23:59:59 UTC.
func parseInstant(_ text: String, _ name: String) throws -> Date {
    guard text.utf8.count > 10, let date = parseTime(text) else {
        throw malformed(name, "not a time (a date alone is not enough)", hint: "give ISO 8601 with a time and a zone, e.g. 2026-03-01T09:00:00Z")
    }
    return date
}

/// An ISO 8601 instant with its zone (`2026-03-01T12:00:00Z`, `…T12:00:00.250+08:00`), or a plain date
/// (`2026-03-01`: its last instant, UTC). Nothing else: a time without a zone, trailing text or a day the
/// calendar does not have (`2026-02-30`) is nil, where the formatter alone read a prefix or rolled over.
func parseTime(_ text: String) -> Date? {
    let digits = Array(text.utf8)
    func number(_ from: Int, _ count: Int) -> Int? {
        guard from + count <= digits.count else { return nil }
        var value = 0
        for byte in digits[from..<from + count] {
            guard byte >= 48 && byte <= 57 else { return nil }
            value = value * 10 + Int(byte - 48)
        }
        return value
    }
    guard digits.count >= 10, digits[4] == UInt8(ascii: "-"), digits[7] == UInt8(ascii: "-"),
          let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
          DateComponents(calendar: Calendar(identifier: .gregorian), timeZone: TimeZone(identifier: "UTC"),
                         year: year, month: month, day: day).isValidDate else { return nil }
    if digits.count == 10 {
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withFullDate]
        return plain.date(from: text)?.addingTimeInterval(86_400 - 0.001)
    }
    guard digits.count >= 20, digits[10] == UInt8(ascii: "T"), digits[13] == UInt8(ascii: ":"), digits[16] == UInt8(ascii: ":"),
          let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2), hour < 24, minute < 60, second < 60
    else { return nil }
    // Then an optional fraction, and the zone: `Z` or `±HH:MM`, and nothing after it.
    var rest = 19
    let fractional = digits[rest] == UInt8(ascii: ".")
    if fractional {
        rest += 1
        let start = rest
        while rest < digits.count, number(rest, 1) != nil { rest += 1 }
        guard rest > start else { return nil }
    }
    guard rest < digits.count else { return nil }
    if digits[rest] == UInt8(ascii: "Z") {
        guard rest + 1 == digits.count else { return nil }
    } else {
        guard digits[rest] == UInt8(ascii: "+") || digits[rest] == UInt8(ascii: "-"), rest + 6 == digits.count,
              digits[rest + 3] == UInt8(ascii: ":"), let zoneHours = number(rest + 1, 2), let zoneMinutes = number(rest + 4, 2),
              zoneHours < 24, zoneMinutes < 60 else { return nil }
    }
    let full = ISO8601DateFormatter()
    if fractional { full.formatOptions = [.withInternetDateTime, .withFractionalSeconds] }
    return full.date(from: text)
}

/// The log position of the last event recorded at or before `time` (events are recorded in time order).
func position(at time: Date, in store: any EventStore) async throws -> GlobalPosition {
    var low = GlobalPosition.start
    var high = try await store.headPosition()
    while low < high {
        let middle = GlobalPosition(low.rawValue + (high.rawValue - low.rawValue + 1) / 2)
        guard let event = try await store.readAll(from: middle, direction: .forward, limit: 1).first else { break }
        if event.recordedAt <= time { low = middle } else { high = GlobalPosition(middle.rawValue - 1) }
    }
    return low
}

/// The head of `log`, which is closed afterwards whatever happens.
func head(closing log: any EventStore) async throws -> GlobalPosition {
    do {
        let head = try await log.headPosition()
        await log.close()
        return head
    } catch {
        await log.close()
        throw error
    }
}
