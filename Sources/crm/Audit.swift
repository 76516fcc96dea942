import ArgumentParser
import CRMDomain
import CRMEngine
import CRMHTTP
import CRMProjections
import EventSourcing
import EventStoreLMDB
import Foundation

/// `crm history <record> [--linked]`: a record's modification trail, from the modification-history view.
struct History: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A record's whole modification trail: when, who, from where, field, old → new (read-only; audited).",
        discussion: """
            RECORD is a stream id such as customer-<uuid> or task-<uuid>, or a customer's id. With --linked, a customer's \
            trail holds the records linked to it too (tasks, tickets, visits, contacts, …), in log order.
            """)

    @OptionGroup var store: StoreOptions
    @Argument(help: "The record.") var record: String
    @Flag(help: "A customer's linked records too (tasks, tickets, visits, …).") var linked = false

    func run() async throws {
        try await reporting(data: store.data) {
            let stream = try recordStream(record)
            let entries = try await withReadEngine(store) { engine, principal -> [HistoryEntry] in
                if linked {
                    guard stream.category == Customer.category, let id = UUID(text: String(stream.rawValue.dropFirst(Customer.category.count + 1))) else {
                        throw CLIError("--linked needs a customer", hint: "give customer-<uuid> or a customer's id", exit: .usage)
                    }
                    var all: [HistoryEntry] = []
                    while true {
                        let page = try await engine.history(ofCustomer: id, as: principal, after: all.last?.position, limit: 500)
                        all += page
                        if page.count < 500 { return all }
                    }
                }
                var all: [HistoryEntry] = []
                while true {
                    let page = try await engine.history(of: stream, as: principal, after: all.last?.version, limit: 500)
                    all += page
                    if page.count < 500 { return all }
                }
            }
            guard !entries.isEmpty else { throw CLIError("no history for \(stream.rawValue) yet", hint: "the views may lag the log: see `crm stats`", exit: .notFound) }
            var rows: [[String]] = []
            for entry in entries {
                let from = [entry.sourceSystem, entry.clientIP].compactMap { $0 }.joined(separator: " ")
                if store.json {
                    var line: [String: Any] = ["stream": entry.stream.rawValue, "eventType": entry.eventType, "actor": entry.actor]
                    line["version"] = Int(clamping: entry.version.rawValue)
                    line["position"] = Int(clamping: entry.position.rawValue)
                    line["recordedAt"] = iso(entry.recordedAt)
                    line["sourceSystem"] = entry.sourceSystem ?? NSNull()
                    line["clientIP"] = entry.clientIP ?? NSNull()
                    line["changes"] = entry.changes.map { change -> [String: Any] in
                        ["field": change.field, "old": change.old?.description ?? NSNull(), "new": change.new?.description ?? NSNull()]
                    }
                    out(jsonLine(line))
                    continue
                }
                let prefix = linked ? [entry.stream.rawValue] : []
                if entry.changes.isEmpty {
                    rows.append(prefix + [iso(entry.recordedAt), entry.actor, from.isEmpty ? "-" : from, entry.summary ?? entry.eventType, ""])
                }
                for change in entry.changes {
                    rows.append(prefix + [iso(entry.recordedAt), entry.actor, from.isEmpty ? "-" : from, change.field,
                                          "\(change.old?.description ?? "∅") → \(change.new?.description ?? "∅")"])
                }
            }
            if !store.json { printTable((linked ? ["record"] : []) + ["when", "who", "from", "field", "old → new"], rows) }
        }
    }
}

/// `crm audit`: who read which customer data (R-LOG-8) and who signed in to the console, from the read audit.
struct ReadAudit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Who read which customer data, and when, and who signed in to the web console (the read audit; read-only).",
        discussion: "Reads of the server, of the HTTP API and of `crm` read commands alike; the operator's reads show as system@crm-cli. Console sign-ins show as signin:web-console, refused ones as signin-failed:web-console under anonymous; tokens the HTTP API refused as signin-failed:api under anonymous.")

    @OptionGroup var store: StoreOptions
    @Option(help: "From this time on (ISO 8601; a plain date means its start, UTC; default: 24 hours ago).") var from: String?
    @Option(help: "Up to and including this time (ISO 8601; a plain date means the whole day, UTC; default: now).") var to: String?
    @Option(help: "Only this reader (an employee id, or system@crm-cli).") var principal: String?
    @Option(help: "At most this many entries, 1 to 10000: the newest ones (listed oldest first).") var limit = 1000

    func run() async throws {
        try await reporting(data: store.data) {
            // Refused as the HTTP route refuses them (`GET /v1/audit/reads`), not answered with an empty table.
            guard (1...10_000).contains(limit) else { throw malformed("--limit", "expected a whole number from 1 to 10000") }
            // `--to` includes its instant (a plain date: its last millisecond, so the whole day).
            let end = try to.map { text -> Date in
                guard let date = parseTime(text) else { throw malformed("--to", "not a time", hint: "give ISO 8601, e.g. 2026-03-01T12:00:00Z") }
                return date
            } ?? Date()
            // `--from` a plain date starts at that day's first instant (`parseTime` reads it as the day's end).
            let start = try from.map { text -> Date in
                guard let date = parseTime(text) else { throw malformed("--from", "not a time", hint: "give ISO 8601, e.g. 2026-03-01T12:00:00Z") }
                return text.utf8.count == 10 ? startOfDay(text) ?? date : date
            } ?? end.addingTimeInterval(-86_400)
            // Both bounds the wrong way round is a mistake, not an empty window (as over HTTP); a `--from` later
            // than the default end (now) is only an empty window.
            if from != nil, to != nil, start > end {
                throw malformed("--from", "the window's start comes after its end", hint: "give a --from before --to")
            }
            let entries = try await withReadEngine(store) { engine, reader in
                // An employee id in any case names its reader (recorded in lower case, as every id option reads it).
                // The newest `limit` (what one looks for when a window holds more), shown in time order; the
                // engine's window excludes its end, so it ends a millisecond after `--to`.
                try engine.readAudit(from: start, to: end.addingTimeInterval(0.001), principal: principal.map(Employee.canonicalID), limit: limit,
                                     newestFirst: true, as: reader).reversed()
            }
            if store.json {
                for e in entries { out(jsonLine(["at": iso(e.at), "principal": e.principal, "record": e.record, "clientIP": e.clientIP ?? NSNull()] as [String: Any])) }
            } else {
                printTable(["when", "who", "record", "from"], entries.map { [iso($0.at), $0.principal, $0.record, $0.clientIP ?? "-"] })
            }
        }
    }
}

/// The first instant (UTC) of a plain date `YYYY-MM-DD`; nil for other text.
private func startOfDay(_ text: String) -> Date? {
    let plain = ISO8601DateFormatter()
    plain.formatOptions = [.withFullDate]
    return plain.date(from: text)
}

/// `crm show <record> [--as-of TIME|POSITION]`: a record's state now or then.
struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A record's state, now or as of a time or log position (read-only; audited).",
        discussion: "RECORD is a stream id such as customer-<uuid>, task-<uuid>, ticket-<uuid>, or a customer's id.")

    @OptionGroup var store: StoreOptions
    @Argument(help: "The record.") var record: String
    @Option(help: "A log position (a number) or a time (ISO 8601; a plain date means its end, UTC).") var asOf: String?

    func run() async throws {
        try await reporting(data: store.data) {
            let stream = try recordStream(record)
            let point = try asOf.map { try parsePoint($0, "--as-of") }
            let registry = try EngineEvents.registry()
            let (state, last) = try await withReadEngine(store) { engine, principal -> (Any, RecordedEvent) in
                try await requireWithinLog(point, "--as-of", in: engine.store)
                // As of a point, the record's state is the engine's answer (authorized, audited, what the
                // principal's roles hide left out); records of other kinds show their events' payloads.
                if let point, let then = try await stateAsOf(stream, point, engine: engine, as: principal) { return then }
                let all = try await trail(of: stream, engine: engine, as: principal)
                let events = all.filter { event in
                    switch point {
                    case .none: return true
                    case .position(let p): return event.position <= p
                    case .time(let t): return event.recordedAt <= t
                    }
                }
                guard let last = events.last else { throw didNotExistThen(stream) }
                return (try foldState(stream, events, of: all, registry: registry, as: principal), last)
            }
            let document: [String: Any] = [
                "stream": stream.rawValue, "version": Int(clamping: last.streamVersion.rawValue),
                "position": Int(clamping: last.position.rawValue), "lastChanged": iso(last.recordedAt), "state": state,
            ]
            if store.json {
                out(jsonPretty(document))
            } else {
                out("\(stream.rawValue)  version \(last.streamVersion.rawValue)  (position \(last.position.rawValue), \(iso(last.recordedAt)))")
                let lines = flatLines(state)
                let width = lines.map { $0.0.count }.max() ?? 0
                for (key, value) in lines { out(key.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + value) }
            }
        }
    }
}

func didNotExistThen(_ stream: StreamID) -> CLIError {
    CLIError("\(stream.rawValue) did not exist then", hint: "give a later --as-of", exit: .notFound)
}

/// The state of a record of one of the aggregates `show` folds as it was at `point`, from the engine
/// (``CRMEngine/state(_:id:asOf:as:)``: the principal must be allowed to see the record now, the read is
/// audited, and what the principal's roles hide is left out), as JSON-compatible data, with the event that
/// left it so (its version, position and time). Nil for records of other kinds (their payloads are shown).
func stateAsOf(_ stream: StreamID, _ point: AsOf, engine: CRMEngine, as principal: Principal) async throws -> (state: Any, last: RecordedEvent)? {
    func then<A: EngineRecord>(_ type: A.Type) async throws -> (state: Any, last: RecordedEvent)? {
        // A singleton record (the organisation) ignores the id: its stream names none.
        let id = UUID(text: String(stream.rawValue.dropFirst(A.category.count + 1))) ?? UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
        guard A.streamID(id) == stream else { return nil }
        // Nil: the record may be read now but had no events by then (a record the principal may not see, or
        // none at all, is the engine's "not found").
        guard let answer = try await engine.stateIfExisting(A.self, id: id, asOf: point, as: principal) else {
            throw didNotExistThen(stream)
        }
        guard let last = try await engine.store.readStream(stream, from: answer.version, direction: .forward, limit: 1).first,
              last.streamVersion == answer.version else { throw didNotExistThen(stream) }
        return (reflectJSON(answer.state), last)
    }
    guard let type = foldedRecordType(of: stream) else { return nil }
    return try await then(type)
}

/// The record types `show` gives a state for (folded by the domain's rules): every record the engine
/// keeps (``EngineRecord``). API tokens are shown as their state without the secret's hash
/// (``tokenState(_:registry:)``); other records (key reservations, say) show their events' payloads.
/// (Never mutated; metatypes are not `Sendable` to the compiler, hence `nonisolated(unsafe)`.)
nonisolated(unsafe) let foldedRecordTypes: [any EngineRecord.Type] = [
    Customer.self, WorkTask.self, Ticket.self, Contact.self, Opportunity.self, Quote.self, Contract.self, Visit.self,
    Product.self, Campaign.self, CustomerForm.self, LoyaltyAccount.self, Organisation.self,
    Settings.self, ContactLogEntry.self, RevenueLedger.self, NewConnection.self, MaintenancePairing.self,
    WorkflowDefinition.self, WorkflowInstance.self, Announcement.self, BoardThread.self, SensitiveWordList.self,
    SurveyTemplate.self, Survey.self, FeedbackForm.self, Diary.self, ChurnWatch.self, UsageWatch.self, OutboxItem.self,
]

/// An API token's state from its events: what `crm token list` shows of it (id, employee, name, issue,
/// expiry, revocation and the limits an issuer gave it), never the hash of its secret.
func tokenState(_ events: [RecordedEvent], registry: PayloadRegistry) throws -> [String: Any] {
    var state: [String: Any] = [:]
    for event in events {
        let payload = try event.payload.withUnsafeBytes { try registry.decode(event.type, schemaVersion: event.schemaVersion, from: $0) }
        switch payload {
        case let issued as ApiTokenIssued:
            state["tokenID"] = issued.tokenID.lowercasedString
            state["employeeID"] = issued.employeeID.lowercasedString
            state["name"] = issued.name
            state["issuedAt"] = iso(issued.issuedAt)
            state["expiresAt"] = issued.expiresAt.map(iso) ?? NSNull()
            state["limits"] = issued.limits.map { reflectJSON($0) } ?? NSNull()
            state["revoked"] = false
        case let revoked as ApiTokenRevoked:
            state["revoked"] = true
            state["revokedAt"] = iso(event.recordedAt)
            state["revocationReason"] = revoked.reason ?? NSNull()
        default:
            continue
        }
    }
    return state
}

func foldedRecordType(of stream: StreamID) -> (any EngineRecord.Type)? {
    foldedRecordTypes.first { $0.category == stream.category }
}

/// A record's events for `show`, through the engine's ``CRMEngine/events(of:as:)`` — but a customer's, whose
/// raw events the engine gives to readers of the whole log only when they hold a field hidden from the
/// principal, are read from the log once ``CRMEngine/state(_:id:as:)`` has allowed (and audited) the read:
/// ``foldState(_:_:of:registry:as:)`` leaves the hidden fields out of what is shown.
func trail(of stream: StreamID, engine: CRMEngine, as principal: Principal) async throws -> [RecordedEvent] {
    guard stream.category == Customer.category, let id = UUID(text: String(stream.rawValue.dropFirst(Customer.category.count + 1))) else {
        return try await engine.events(of: stream, as: principal)
    }
    _ = try await engine.state(Customer.self, id: id, as: principal)
    return try await engine.store.readStream(stream)
}

/// The state a record's `events` (a prefix of its events, `all`) leave it in, as `principal` may see it, as
/// JSON-compatible data: a customer without the custom fields hidden from the principal in its form then or
/// now, where it was then or is now (``Customer/State/visible(to:alsoHiddenIn:alsoOn:)``). Records of no known aggregate show their events'
/// payloads.
func foldState(_ stream: StreamID, _ events: [RecordedEvent], of all: [RecordedEvent], registry: PayloadRegistry, as principal: Principal) throws -> Any {
    func fold<A: Aggregate>(_ type: A.Type) throws -> Any { reflectJSON(try foldEvents(A.self, events, registry: registry)) }
    if stream.category == Customer.category {
        let then = try foldEvents(Customer.self, events, registry: registry)
        let now = events.count == all.count ? then : try foldEvents(Customer.self, all, registry: registry)
        return reflectJSON(then.visible(to: principal, alsoHiddenIn: [now.group], alsoOn: [now.recordScope]))
    }
    if let type = foldedRecordType(of: stream) { return try fold(type) }
    if stream.category == "apitoken" { return try tokenState(events, registry: registry) }
    return try events.map { event -> Any in
        let json = try event.payload.withUnsafeBytes { try registry.json(event.type, schemaVersion: event.schemaVersion, from: $0) }
        return ["type": event.type, "payload": (try? JSONSerialization.jsonObject(with: json)) ?? NSNull()]
    }
}

/// The state `events` leave a record of `A` in, by the domain's own rules; `each` sees the state after
/// every event.
func foldEvents<A: Aggregate>(_ type: A.Type, _ events: [RecordedEvent], registry: PayloadRegistry,
                              each: (A.State) -> Void = { _ in }) throws -> A.State {
    var state = A.initialState
    for event in events {
        let payload = try event.payload.withUnsafeBytes { try registry.decode(event.type, schemaVersion: event.schemaVersion, from: $0) }
        if let domainEvent = A.Event(payload: payload) { state = A.evolve(state, domainEvent) }
        each(state)
    }
    return state
}
