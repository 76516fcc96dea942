import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import Foundation
import Hummingbird
import ServiceLifecycle

extension Routes {
    func addEventRoutes(to v1: RouterGroup<CRMRequestContext>) {
        v1.get("events") { request, context in try await events(request, context) }
        // Rebuilds views from the log (`crm rebuild --server`): all, or the one named; answers when done.
        v1.post("views/rebuild") { request, context in
            let principal = try context.requirePrincipal()
            let body = try await body(request)
            let projection = try body.optionalString("projection", max: 200)
            try body.finish()
            if let projection, !engine.views.projections.contains(where: { $0.name == projection }) {
                throw Problem.invalid("projection", "no view of that name")
            }
            let head = try await engine.store.headPosition()
            try await engine.rebuildViews(projection.map { [$0] }, as: principal)
            return try JSONOutput.response(RebuildAnswer(rebuilt: projection ?? "all", head: head.rawValue))
        }
    }

    /// The log as server-sent events from `from` (inclusive; or after the `Last-Event-ID` a reconnecting
    /// client sends): first what is stored, then live. Each event's `id` is its log position and its data
    /// the record's history entry as the caller may see it (hidden fields left out); events of records the
    /// caller may not query, and the engine's bookkeeping streams, are skipped. The stream opens at once
    /// with a `: connected` comment and `retry: 3000` (the status and headers go out with it). A keep-alive comment
    /// follows quiet periods; a client too slow to keep up is told to reconnect and the stream ends (it
    /// resumes with `Last-Event-ID`, losing nothing). The stream ends on graceful shutdown.
    func events(_ request: Request, _ context: CRMRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let query = QueryParameters(request: request)
        var start = try query.position("from") ?? GlobalPosition(1)
        if let last = request.headers.value(named: "last-event-id") {
            guard let position = QueryParameters.counter(last.trimmingCharacters(in: .whitespaces)) else { throw Problem.invalid("Last-Event-ID", "expected a log position") }
            start = GlobalPosition(position + 1)
        }
        let engine = self.engine
        let heartbeat = configuration.eventStreamHeartbeat
        let from = start
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        let body = ResponseBody { writer in
            // At once, before any event or keep-alive: a client (curl, an EventSource) sees the stream open now,
            // not at the first keep-alive, and learns how long to wait before reconnecting.
            try await writer.write(ByteBuffer(string: Self.eventStreamOpening))
            let (stream, continuation) = AsyncStream<ByteBuffer>.makeStream(bufferingPolicy: .bufferingOldest(512))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try? await cancelWhenGracefulShutdown {
                        try await Self.produce(engine: engine, principal: principal, from: from, into: continuation)
                    }
                    continuation.finish()
                }
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: heartbeat)
                        if case .dropped = continuation.yield(ByteBuffer(string: ": keep-alive\n\n")) { break }
                    }
                }
                for await buffer in stream { try await writer.write(buffer) }
                group.cancelAll()
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// What an event stream starts with, written on connect: a comment and the reconnection delay (ms).
    static let eventStreamOpening = ": connected\nretry: 3000\n\n"

    /// Reads the log from `from` and yields each event the principal may see; ends when the buffer
    /// overflows (after telling the client to reconnect), the store closes or the task is cancelled.
    ///
    /// Whether the principal may see a record is judged once per record, not once per event (which folded a
    /// record's stream for each of its events: quadratic in its length), and judged again after a later event
    /// of its own or of its customer, after `decisionMaxAge` seconds or when `decisionCapacity` records are
    /// kept (``CRMEngine/ReadDecisions``): a record moved out of the caller's scope stops being sent from the
    /// first event after the move, and tailing a busy record does not judge every other record again.
    ///
    /// The read audit gets one `history:<stream>` entry per record sent on the connection, not one per event
    /// (a client reconnecting from position 1 would otherwise write one per event of the log): the records
    /// recorded are kept, up to `auditedCapacity` distinct ones, then forgotten (a long-lived connection
    /// records a record again at most once per that many).
    static func produce(engine: CRMEngine, principal: Principal, from: GlobalPosition,
                        into continuation: AsyncStream<ByteBuffer>.Continuation,
                        decisionCapacity: Int = 4_096, decisionMaxAge: TimeInterval = 10, auditedCapacity: Int = 10_000) async throws {
        let encoder = JSONOutput.encoder()
        let decisions = CRMEngine.ReadDecisions(capacity: decisionCapacity, maxAge: decisionMaxAge, auditedCapacity: auditedCapacity)
        for try await event in engine.store.subscribe(from: from) {
            if Task.isCancelled { return }
            guard !internalCategories.contains(String(event.stream.rawValue.prefix { $0 != "-" })) else { continue }
            let entry: HistoryEntry
            do {
                let after = event.streamVersion.rawValue > 1 ? StreamVersion(event.streamVersion.rawValue - 1) : nil
                guard let first = try await engine.history(of: event.stream, as: principal, after: after, limit: 1,
                                                           consistentWith: event.position, decisions: decisions).first,
                      first.version == event.streamVersion else { continue }
                entry = first
            } catch let error as EngineError where error.code == .notFound || error.code == .forbidden {
                continue
            }
            // Ids in lower case, as every answer writes them (``JSONOutput/encode(_:)``; one encoder for the stream).
            let data = try JSONOutput.moneyAsText(encoder.encode(LowercasedUUIDs(EventAnswer(entry))))
            var text = "id: \(event.position.rawValue)\nevent: \(event.type)\ndata: "
            text += String(decoding: data, as: UTF8.self)
            text += "\n\n"
            if case .dropped = continuation.yield(ByteBuffer(string: text)) {
                _ = continuation.yield(ByteBuffer(string: ": too slow; reconnect with Last-Event-ID\n\n"))
                return
            }
        }
    }
}

/// One event as an integration sees it: where it sits in the log and the record's change, permissions applied.
struct EventAnswer: Encodable {
    var position: UInt64
    var stream: String
    var version: UInt64
    var type: String
    var recordedAt: Date
    var actor: String
    var clientIP: String?
    var sourceSystem: String?
    var customerId: UUID?
    var changes: [FieldChange]
    var summary: String?

    init(_ entry: HistoryEntry) {
        position = entry.position.rawValue
        stream = entry.stream.rawValue
        version = entry.version.rawValue
        type = entry.eventType
        recordedAt = entry.recordedAt
        actor = entry.actor
        clientIP = entry.clientIP
        sourceSystem = entry.sourceSystem
        customerId = entry.customerID
        changes = entry.changes
        summary = entry.summary
    }
}

/// What `POST /v1/views/rebuild` answers: what was rebuilt, up to which log position.
struct RebuildAnswer: Encodable {
    var rebuilt: String
    var head: UInt64
}
