import ArgumentParser
import CRMDataGenerator
import CRMDomain
import CRMEngine
import EventSourcing
import EventStoreLMDB
import Foundation

/// `crm init`: an empty data directory gets its first administrator; their token is printed once.
struct Init: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create a CRM in an empty data directory with its first administrator, and print their API token once.")

    @OptionGroup var store: StoreOptions

    @Option(help: "The administrator's name.")
    var adminName: String

    @Option(help: "The administrator's branch.")
    var branch = "head-office"

    @Option(help: "The administrator's position.")
    var position = "administrator"

    func run() async throws {
        try await reporting(data: store.data) {
            try store.refuseRemote("init", hint: "`crm init` creates a new CRM: run it without --server, on a new --data directory (or an empty PostgreSQL log, --store)")
            let head = try await store.logHead()
            if head > .start {
                throw CLIError("\(store.logName) already holds a CRM (\(head.rawValue) events)",
                               hint: store.sharedLogURL == nil
                                   ? "use another --data directory, or `crm token create` for a new token"
                                   : "give another schema in --store (`?schema=NAME`: a new one is created), or `crm token create` for a new token",
                               exit: .refused)
            }
            // What this command creates in --data, removed again when the bootstrap is refused (an empty
            // name, say), so a refused init leaves no empty store behind.
            let fm = FileManager.default
            let before = Set((try? fm.contentsOfDirectory(atPath: store.data)) ?? [])
            let existed = fm.fileExists(atPath: store.data)
            let result: IssuedToken
            do {
                result = try await withEngine(store, creating: true) { engine in
                    let id = engine.configuration.ids.next()
                    let admin = NewEmployee(id: id, name: adminName, position: position, branch: branch, hiredOn: try today())
                    return try await engine.bootstrap(administrator: admin).token
                }
            } catch {
                // Only what this command made, and only while the log is readable and still empty: never when
                // another process took the directory meanwhile.
                let heldElsewhere = (error as? EventStoreError)?.code == .storeInUse
                if store.sharedLogURL == nil, !heldElsewhere, let head = try? await store.logHead(), head == .start {
                    for item in Set((try? fm.contentsOfDirectory(atPath: store.data)) ?? []).subtracting(before) {
                        try? fm.removeItem(atPath: store.data + "/" + item)
                    }
                    if !existed { try? fm.removeItem(atPath: store.data) }
                }
                throw error
            }
            if store.json {
                out(jsonLine(["employeeID": result.employeeID.lowercasedString, "tokenID": result.tokenID.lowercasedString, "token": result.token]))
            } else {
                out(store.sharedLogURL == nil ? "Created the CRM in \(store.data)." : "Created the CRM in the PostgreSQL log (views in \(store.data)).")
                out("Administrator: \(result.employeeID.lowercasedString)")
                out("API token (shown once; keep it safe): \(result.token)")
            }
        }
    }
}

/// Today's date in UTC.
func today() throws -> LocalDate {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
    let parts = calendar.dateComponents([.year, .month, .day], from: Date())
    guard let year = parts.year, let month = parts.month, let day = parts.day, let date = LocalDate(year: year, month: month, day: day) else {
        throw CLIError("cannot read today's date from the system clock")
    }
    return date
}

/// `crm token create|list|revoke`.
struct Token: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage API tokens.", subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Issue an API token to an employee; it is printed once.")
        @OptionGroup var store: StoreOptions
        @Option(help: "The employee's id.") var employee: String
        @Option(help: "A name for the token (where it is used).") var name: String
        @Option(help: "When the token expires (ISO 8601); never when omitted.") var expires: String?

        func run() async throws {
            try await reporting(data: store.data) {
                let id = try parseID(employee, "--employee", "employee")
                var expiry: Date?
                if let expires {
                    guard let date = parseTime(expires) else { throw malformed("--expires", "not a time", hint: "give ISO 8601, e.g. 2026-12-31T00:00:00Z") }
                    expiry = date
                }
                let (tokenID, employeeID, secret): (String, String, String)
                if let remote = try store.remote() {
                    var body: [String: Any] = ["employeeId": id.lowercasedString, "name": name]
                    body["expiresAt"] = expiry.map(iso)
                    let answer = try await remote.post("v1/tokens", body)
                    (tokenID, employeeID, secret) = (text(answer, "tokenId"), text(answer, "employeeId"), text(answer, "token"))
                } else {
                    let issued = try await withEngine(store) { engine in
                        try await engine.issueToken(for: id, name: name, expiresAt: expiry, as: try await store.principal(engine))
                    }
                    (tokenID, employeeID, secret) = (issued.tokenID.lowercasedString, issued.employeeID.lowercasedString, issued.token)
                }
                if store.json {
                    out(jsonLine(["employeeID": employeeID, "tokenID": tokenID, "token": secret]))
                } else {
                    out("Token \(tokenID) for employee \(employeeID)")
                    out("API token (shown once; keep it safe): \(secret)")
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List an employee's tokens (never their secrets).")
        @OptionGroup var store: StoreOptions
        @Option(help: "The employee's id.") var employee: String

        func run() async throws {
            try await reporting(data: store.data) {
                let id = try parseID(employee, "--employee", "employee")
                // Rows as text: token, name, issued, expires (nil: never), revoked.
                let rows: [(token: String, name: String, issued: String, expires: String?, revoked: Bool)]
                if let remote = try store.remote() {
                    let answer = try await remote.send("GET", "v1/tokens", query: ["employee": id.lowercasedString]) as? [[String: Any]] ?? []
                    rows = answer.map { t in
                        (text(t, "tokenId", "tokenID"), text(t, "name"), text(t, "issuedAt"), t["expiresAt"] as? String, (t["revoked"] as? Bool) ?? false)
                    }
                } else {
                    let tokens = try await withEngine(store) { engine in try await engine.tokens(of: id, as: try await store.principal(engine)) }
                    rows = tokens.map { ($0.tokenID.lowercasedString, $0.name, iso($0.issuedAt), $0.expiresAt.map(iso), $0.revoked) }
                }
                if store.json {
                    for t in rows {
                        out(jsonLine(["tokenID": t.token, "name": t.name, "issuedAt": t.issued, "expiresAt": t.expires ?? NSNull(), "revoked": t.revoked] as [String: Any]))
                    }
                } else {
                    printTable(["token", "name", "issued", "expires", "revoked"], rows.map { [$0.token, $0.name, $0.issued, $0.expires ?? "never", $0.revoked ? "yes" : "no"] })
                }
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The token's id (from `crm token list`).") var tokenID: String
        @Option(help: "Why.") var reason: String?

        func run() async throws {
            try await reporting(data: store.data) {
                let id = try parseID(tokenID, "<token-id>", "token")
                if let remote = try store.remote() {
                    // The server answers 204 whether or not the token was revoked already: it tells nothing more.
                    try await remote.send("DELETE", "v1/tokens/" + id.lowercasedString, query: reason.map { ["reason": $0] } ?? [:])
                    out("Revoked \(id.lowercasedString).")
                    return
                }
                // A token revoked already is left as it is: the engine writes nothing, and so says this.
                let changed = try await withEngine(store) { engine -> Bool in
                    let stream = StreamID(category: "apitoken", id: id.lowercasedString)
                    let before = try await engine.store.streamVersion(of: stream)
                    try await engine.revokeToken(id, reason: reason, as: try await store.principal(engine))
                    return try await engine.store.streamVersion(of: stream) != before
                }
                out(changed ? "Revoked \(id.lowercasedString)." : "Nothing changed.")
            }
        }
    }
}

/// `crm demo`: a generated history into an empty store, with progress.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fill an empty data directory with a generated, realistic history (for trying the CRM out).")

    @OptionGroup var store: StoreOptions

    @Option(help: "About how many events to generate.")
    var events = 30_000

    @Option(help: "The generator's seed (the same seed gives the same history).")
    var seed: UInt64 = 42

    func run() async throws {
        try await reporting(data: store.data) {
            try store.refuseRemote("demo", hint: "`crm demo` fills an empty log: run it without --server, on a new --data directory (or an empty PostgreSQL log, --store)")
            guard events >= 100 else {
                throw CLIError("--events must be at least 100", hint: "the generator needs room for a year of a small organisation", exit: .usage)
            }
            if try await store.logHead() > .start {
                throw CLIError("\(store.logName) is not empty", hint: store.sharedLogURL == nil
                                   ? "`crm demo` fills only an empty log; pass another --data directory"
                                   : "`crm demo` fills only an empty log; give another schema in --store (`?schema=NAME`: a new one is created)",
                               exit: .refused)
            }
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
            let thisMonth = calendar.dateComponents([.year, .month], from: Date())
            let start = calendar.date(from: DateComponents(year: (thisMonth.year ?? 2026) - 1, month: thisMonth.month ?? 1, day: 1)) ?? Date()
            let generator = HistoryGenerator(.init(seed: seed, targetEvents: events, start: start))
            // The generated history goes straight into the log (the embedded one without a flush per batch:
            // the token's commit below flushes everything); the views then catch up once, in large batches,
            // when the engine opens.
            let log: any EventStore = try await store.openSharedLog()
                ?? LMDBEventStore(directory: store.logDirectory, options: .init(durability: .noSync))
            do {
                // With the unique keys the history holds reserved, as the engine reserves them.
                try await appendDemoHistoryShowingProgress(generator, to: log, events: events)
            } catch {
                await log.close()
                throw error
            }
            await log.close()
            note("Building the views…")
            let token = try await withEngine(store) { engine in
                guard let adminID = generator.world.administrator?.id else { throw CLIError("the generated world has no administrator") }
                let admin = try await engine.principal(employeeID: adminID)
                return try await engine.issueToken(for: adminID, name: "crm demo", as: admin)
            }
            if store.json {
                out(jsonLine(["employeeID": token.employeeID.lowercasedString, "tokenID": token.tokenID.lowercasedString, "token": token.token]))
            } else {
                out("Generated a demo history in \(store.sharedLogURL == nil ? store.data : "the PostgreSQL log (views in \(store.data))").")
                out("Administrator: \(token.employeeID.lowercasedString)")
                out("API token (shown once; keep it safe): \(token.token)")
            }
        }
    }
}

/// A text field of a server's JSON answer, under the first of `keys` present (ids lower-cased).
func text(_ object: [String: Any], _ keys: String...) -> String {
    for key in keys { if let value = object[key] as? String { return UUID(text: value).map { $0.lowercasedString } ?? value } }
    return ""
}
