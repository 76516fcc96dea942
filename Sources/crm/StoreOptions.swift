import ArgumentParser
import CRMDomain
import CRMEngine
import EventSourcing
import EventStoreLMDB
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

    var logDirectory: String { data + "/log" }

    /// Whether the data directory holds a log yet.
    var hasStore: Bool { FileManager.default.fileExists(atPath: logDirectory + "/data.mdb") }

    /// The log opened read-only: works beside a running `crm serve`.
    func openReadOnly() throws -> LMDBEventStore {
        guard hasStore else {
            throw CLIError("no CRM store in \(data)", hint: "pass --data DIR, or create one with `crm init`", exit: .notFound)
        }
        return try LMDBEventStore(directory: logDirectory, options: .readOnly)
    }

    /// The engine opened read-write (the one writer of the directory); refused, saying so, when a server
    /// holds the store.
    func openEngine(creating: Bool = false) async throws -> CRMEngine {
        if server != nil {
            throw CLIError("this command cannot go through a server", hint: "stop the server and run it on the data directory", exit: .usage)
        }
        if !creating && !hasStore {
            throw CLIError("no CRM store in \(data)", hint: "pass --data DIR, or create one with `crm init`", exit: .notFound)
        }
        return try await CRMEngine.open(at: data, configuration: ViewBuildProgress.configuring(CRMEngine.Configuration(durability: .full)))
    }

    /// Who acts: the employee of `--token` (or `CRM_TOKEN`), else the operator (the engine itself, recorded
    /// as source system `crm-cli`).
    func principal(_ engine: CRMEngine) async throws -> Principal {
        if let token = token ?? ProcessInfo.processInfo.environment["CRM_TOKEN"], !token.isEmpty {
            var principal = try await engine.authenticate(token: token)
            principal.sourceSystem = "crm-cli"
            return principal
        }
        var principal = Principal.system
        principal.sourceSystem = "crm-cli"
        return principal
    }
}

/// Runs `body` with the engine open read-write and closes it afterwards, whether `body` throws or not.
@discardableResult
func withEngine<R>(_ options: StoreOptions, creating: Bool = false, _ body: (CRMEngine) async throws -> R) async throws -> R {
    let engine = try await options.openEngine(creating: creating)
    do {
        let result = try await body(engine)
        await engine.close()
        return result
    } catch {
        await engine.close()
        throw error
    }
}

/// Runs `body` with the engine open read-only (``CRMEngine/openReadOnly(at:configuration:)``): works beside
/// a running `crm serve`; reads go through the engine's authorization and are recorded in the read audit
/// (`audit/`, written beside the server's entries).
func withReadEngine<R>(_ options: StoreOptions, _ body: (CRMEngine, Principal) async throws -> R) async throws -> R {
    guard options.hasStore else {
        throw CLIError("no CRM store in \(options.data)", hint: "pass --data DIR, or create one with `crm init`", exit: .notFound)
    }
    let engine = try await CRMEngine.openReadOnly(at: options.data, configuration: CRMEngine.Configuration(reactions: []))
    do {
        let result = try await body(engine, try await options.principal(engine))
        await engine.close()
        return result
    } catch {
        await engine.close()
        throw error
    }
}

/// The engine's LMDB log (the CLI always opens an LMDB store).
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
func recordStream(_ text: String) throws -> StreamID {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    if let id = UUID(text: trimmed) { return Customer.stream(id) }
    guard trimmed.contains("-"), !trimmed.hasPrefix("-") else {
        throw CLIError("`\(trimmed)` names no record", hint: "give a stream id such as customer-<uuid>, or a customer's id", exit: .usage)
    }
    if let dash = trimmed.firstIndex(of: "-"), let id = UUID(text: String(trimmed[trimmed.index(after: dash)...])) {
        return StreamID(category: String(trimmed[..<dash]), id: id.lowercasedString)
    }
    return StreamID(trimmed)
}

/// A point in the log given as a position (a number) or a time (ISO 8601, a date meaning its end in UTC).
func parsePoint(_ text: String) throws -> AsOf {
    if let position = UInt64(text) { return .position(GlobalPosition(position)) }
    if let date = parseTime(text) { return .time(date) }
    throw CLIError("`\(text)` is neither a log position nor a time", hint: "give a position like 1200 or a time like 2025-03-01T12:00:00Z", exit: .usage)
}

/// An ISO 8601 instant, or a plain date (its last instant, UTC).
func parseTime(_ text: String) -> Date? {
    let full = ISO8601DateFormatter()
    if let date = full.date(from: text) { return date }
    full.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    if let date = full.date(from: text) { return date }
    let day = ISO8601DateFormatter()
    day.formatOptions = [.withFullDate]
    if let date = day.date(from: text) { return date.addingTimeInterval(86_400 - 0.001) }
    return nil
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
