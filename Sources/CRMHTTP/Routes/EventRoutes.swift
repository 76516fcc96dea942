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
    /// the record's history entry as the caller may see it (hidden fields left out, and a board post hidden
    /// now without its body for whoever may not moderate the board: ``CRMEngine/history(of:as:after:limit:consistentWith:decisions:)``); events of records the
    /// caller may not query, and the engine's bookkeeping streams, are skipped. The stream opens at once
    /// with a `: connected` comment and `retry: 3000` (the status and headers go out with it). A keep-alive comment
    /// follows quiet periods; a client too slow to keep up is told to reconnect and the stream ends (it
    /// resumes with `Last-Event-ID`, losing nothing). The stream ends on graceful shutdown.
    ///
    /// The bearer token is checked again while the stream is open (``EventStreamPrincipal``): before an event
    /// is sent once the last check is ``EventStreamPrincipal/maxAge`` (5 s) old, and at each keep-alive. A token
    /// revoked or expired, or of an employee deactivated or left without a role in force, ends the stream
    /// (after a comment saying so); changed rights apply from the next event.
    ///
    /// `from` is at least 1 and at most the head's next position (a client that has seen everything asks for
    /// what comes next), `Last-Event-ID` at most the head: a position beyond is a 400 naming the parameter, as
    /// `asOf` and `consistentWith` beyond the head are — a client resuming with a position of another store
    /// (a restored older backup) is told so rather than left waiting in silence.
    func events(_ request: Request, _ context: CRMRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        guard let token = request.headers[.authorization].flatMap(AuthenticationMiddleware.bearerToken) else { throw Problem.unauthenticated() }
        let query = QueryParameters(request: request)
        let head = try await engine.store.headPosition()
        var start = GlobalPosition(1)
        if let from = try query.position("from") {
            guard from.rawValue >= 1 else { throw Problem.invalid("from", "expected a log position from 1") }
            guard from.rawValue <= head.rawValue + 1 else {
                throw Problem.invalid("from", "the position is beyond the log's head (\(head.rawValue)); from may be at most the head's next position")
            }
            start = from
        }
        if let last = request.headers.value(named: "last-event-id") {
            guard let position = QueryParameters.counter(last.trimmingCharacters(in: .whitespaces)) else { throw Problem.invalid("Last-Event-ID", "expected a log position") }
            guard position <= head.rawValue else {
                throw Problem.invalid("Last-Event-ID", "the position is beyond the log's head (\(head.rawValue)): it is not of this log")
            }
            start = GlobalPosition(position + 1)
        }
        let engine = self.engine
        let credentials = EventStreamPrincipal(engine: engine, token: token, principal: principal)
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
                        try await Self.produce(engine: engine, principal: credentials, from: from, into: continuation)
                    }
                    continuation.finish()
                }
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: heartbeat)
                        // A quiet stream is checked too: one whose token no longer stands ends. A check that
                        // failed (the store closing) is no refusal: the producer ends the stream then.
                        let stands: Bool
                        do { stands = try await credentials.current() != nil } catch { stands = true }
                        guard stands else {
                            _ = continuation.yield(ByteBuffer(string: Self.eventStreamRevoked))
                            continuation.finish()
                            break
                        }
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
    /// What an event stream ends with when its token no longer stands (revoked, expired, its employee
    /// deactivated or without a role in force).
    static let eventStreamRevoked = ": the token is no longer valid; the stream ends\n\n"

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
    ///
    /// Each event is judged with the principal as `principal` last authenticated it (again when that is
    /// ``EventStreamPrincipal/maxAge`` old): the decisions start over when its rights changed, and the
    /// stream ends (after a comment saying so) when its token no longer stands.
    static func produce(engine: CRMEngine, principal credentials: EventStreamPrincipal, from: GlobalPosition,
                        into continuation: AsyncStream<ByteBuffer>.Continuation,
                        decisionCapacity: Int = 4_096, decisionMaxAge: TimeInterval = 10, auditedCapacity: Int = 10_000) async throws {
        let encoder = JSONOutput.encoder()
        let decisions = CRMEngine.ReadDecisions(capacity: decisionCapacity, maxAge: decisionMaxAge, auditedCapacity: auditedCapacity)
        for try await event in engine.store.subscribe(from: from) {
            if Task.isCancelled { return }
            guard !internalCategories.contains(String(event.stream.rawValue.prefix { $0 != "-" })) else { continue }
            guard let principal = try await credentials.current() else {
                _ = continuation.yield(ByteBuffer(string: eventStreamRevoked))
                return
            }
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

/// The principal an open event stream sends as: the one its request authenticated, authenticated again from
/// the same bearer token (``CRMEngine/authenticate(token:clientIP:)``, as every request is) once the last check
/// is `maxAge` seconds old by the engine's clock — a revoked or expired token, a deactivated employee or one
/// left without a role in force ends the stream; changed rights are used from then on. Checks made together
/// share one authentication (each is a use of the token in the read audit).
actor EventStreamPrincipal {
    private let engine: CRMEngine
    private let token: String
    private let clientIP: String?
    private let sourceSystem: String?
    /// How long (seconds of the engine's clock) an authentication stands before the next event needs another.
    let maxAge: TimeInterval
    private var principal: Principal?
    private var checkedAt: Date
    private var checking: Task<Principal?, any Error>?

    init(engine: CRMEngine, token: String, principal: Principal, maxAge: TimeInterval = 5) {
        self.engine = engine
        self.token = token
        clientIP = principal.clientIP
        sourceSystem = principal.sourceSystem
        self.maxAge = max(0, maxAge)
        self.principal = principal
        checkedAt = engine.configuration.clock.now()
    }

    /// The principal now; nil once its token no longer stands (then for good: the stream ends).
    func current() async throws -> Principal? {
        guard let principal else { return nil }
        let now = engine.configuration.clock.now()
        if now >= checkedAt, now.timeIntervalSince(checkedAt) < maxAge { return principal }
        if let checking { return try await checking.value }
        let (engine, token, clientIP, sourceSystem) = (engine, token, clientIP, sourceSystem)
        let task = Task<Principal?, any Error> {
            do {
                var renewed = try await engine.authenticate(token: token, clientIP: clientIP)
                renewed.sourceSystem = sourceSystem
                return renewed
            } catch let error as EngineError where error.code == .unauthenticated || error.code == .forbidden {
                return nil
            }
        }
        checking = task
        defer { checking = nil }
        let renewed = try await task.value
        self.principal = renewed
        checkedAt = now
        return renewed
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
