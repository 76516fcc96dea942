import ArgumentParser
import CRMDomain
import CRMEngine
import CRMHTTP
import CRMProjections
import EventSourcing
import EventStoreLMDB
import Foundation

/// `crm history <record>`: a record's modification trail from the log.
struct History: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A record's whole modification trail: when, who, from where, field, old → new (read-only).",
        discussion: "RECORD is a stream id such as customer-<uuid> or task-<uuid>, or a customer's id.")

    @OptionGroup var store: StoreOptions
    @Argument(help: "The record.") var record: String

    func run() async throws {
        try await reporting(data: store.data) {
            let stream = try recordStream(record)
            let registry = try EngineEvents.registry()
            let events = try await withReadOnlyStore(store) { try await $0.readStream(stream) }
            guard !events.isEmpty else { throw CLIError("no record \(stream.rawValue)", hint: "check the id (see `crm customer list`)", exit: .notFound) }
            var rows: [[String]] = []
            for event in events {
                let payload = try event.payload.withUnsafeBytes { try registry.decode(event.type, schemaVersion: event.schemaVersion, from: $0) }
                let changes = (payload as? HasFieldChanges)?.fieldChanges ?? []
                let from = [event.metadata.sourceSystem, event.metadata.clientIP].compactMap { $0 }.joined(separator: " ")
                if store.json {
                    var entry: [String: Any] = ["stream": stream.rawValue, "eventType": event.type, "actor": event.metadata.actor]
                    entry["version"] = Int(clamping: event.streamVersion.rawValue)
                    entry["position"] = Int(clamping: event.position.rawValue)
                    entry["recordedAt"] = iso(event.recordedAt)
                    entry["sourceSystem"] = event.metadata.sourceSystem ?? NSNull()
                    entry["clientIP"] = event.metadata.clientIP ?? NSNull()
                    entry["changes"] = changes.map { change -> [String: Any] in
                        ["field": change.field, "old": change.old?.description ?? NSNull(), "new": change.new?.description ?? NSNull()]
                    }
                    out(jsonLine(entry))
                    continue
                }
                if changes.isEmpty {
                    rows.append([iso(event.recordedAt), event.metadata.actor, from.isEmpty ? "-" : from, event.type, ""])
                }
                for change in changes {
                    rows.append([iso(event.recordedAt), event.metadata.actor, from.isEmpty ? "-" : from, change.field,
                                 "\(change.old?.description ?? "∅") → \(change.new?.description ?? "∅")"])
                }
            }
            if !store.json { printTable(["when", "who", "from", "field", "old → new"], rows) }
        }
    }
}

/// `crm show <record> [--as-of TIME|POSITION]`: a record's state now or then.
struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A record's state, now or as of a time or log position (read-only).",
        discussion: "RECORD is a stream id such as customer-<uuid>, task-<uuid>, ticket-<uuid>, or a customer's id.")

    @OptionGroup var store: StoreOptions
    @Argument(help: "The record.") var record: String
    @Option(help: "A log position (a number) or a time (ISO 8601; a plain date means its end, UTC).") var asOf: String?

    func run() async throws {
        try await reporting(data: store.data) {
            let stream = try recordStream(record)
            let point = try asOf.map(parsePoint)
            let registry = try EngineEvents.registry()
            let all = try await withReadOnlyStore(store) { try await $0.readStream(stream) }
            guard !all.isEmpty else { throw CLIError("no record \(stream.rawValue)", hint: "check the id (see `crm customer list`)", exit: .notFound) }
            let events = all.filter { event in
                switch point {
                case .none: return true
                case .position(let p): return event.position <= p
                case .time(let t): return event.recordedAt <= t
                }
            }
            guard let last = events.last else { throw CLIError("\(stream.rawValue) did not exist then", hint: "give a later --as-of", exit: .notFound) }
            let state = try foldState(stream, events, registry: registry)
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

/// The state a record's events leave it in, as JSON-compatible data; records of no known aggregate show
/// their events' payloads.
func foldState(_ stream: StreamID, _ events: [RecordedEvent], registry: PayloadRegistry) throws -> Any {
    func fold<A: Aggregate>(_ type: A.Type) throws -> Any {
        var state = A.initialState
        for event in events {
            let payload = try event.payload.withUnsafeBytes { try registry.decode(event.type, schemaVersion: event.schemaVersion, from: $0) }
            if let domainEvent = A.Event(payload: payload) { state = A.evolve(state, domainEvent) }
        }
        return reflectJSON(state)
    }
    switch stream.category {
    case Customer.category: return try fold(Customer.self)
    case WorkTask.category: return try fold(WorkTask.self)
    case Ticket.category: return try fold(Ticket.self)
    case Contact.category: return try fold(Contact.self)
    case Opportunity.category: return try fold(Opportunity.self)
    case Quote.category: return try fold(Quote.self)
    case Contract.category: return try fold(Contract.self)
    case Visit.category: return try fold(Visit.self)
    case Product.category: return try fold(Product.self)
    case Campaign.category: return try fold(Campaign.self)
    case CustomerForm.category: return try fold(CustomerForm.self)
    case LoyaltyAccount.category: return try fold(LoyaltyAccount.self)
    case Organisation.category: return try fold(Organisation.self)
    default:
        return try events.map { event -> Any in
            let json = try event.payload.withUnsafeBytes { try registry.json(event.type, schemaVersion: event.schemaVersion, from: $0) }
            return ["type": event.type, "payload": (try? JSONSerialization.jsonObject(with: json)) ?? NSNull()]
        }
    }
}
