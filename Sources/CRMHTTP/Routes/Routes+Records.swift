import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Hummingbird

/// The shapes every resource shares, so that each resource file only says which command a body makes:
/// create (POST a collection), a command on one record (POST `…/:id/<verb>` or PATCH `…/:id`), a command
/// on a singleton record (the settings, the organisation), a record's state (GET `…/:id`), and a page of
/// an in-memory list. All of them are thin: the engine authorizes, scopes and decides.
extension Routes {
    typealias Group = RouterGroup<CRMRequestContext>

    /// POST `/v1/<collection>`: a new record of `A` with the id from ``newID(_:_:_:)`` (or `chosen`), 201
    /// with `Location: /v1/<collection>/<id>`, or `<location>/<id>` when the record is read elsewhere (a GET
    /// must answer the Location).
    func create<A: EngineRecord & SendableMetatype>(_ v1: Group, _ collection: String, _ type: A.Type, location: String? = nil,
                                 id chosen: (@Sendable (JSONObjectReader) throws -> UUID?)? = nil,
                                 _ make: @escaping @Sendable (UUID, JSONObjectReader) throws -> A.Command) {
        v1.post(RouterPath(collection)) { request, context in
            let body = try await body(request)
            let id = try chosen?(body) ?? newID(body, request, context)
            let command = try make(id, body)
            try body.finish()
            return try await execute(A.self, id: id, command, request: request, context: context, created: location ?? "/v1/" + collection, body: body)
        }
    }

    /// `method` `/v1/<path>` with an `:id`: the command `make` reads from the body, on the record `:id`.
    /// `id` reads the record id from the path when it is not the `:id` parameter.
    func command<A: EngineRecord & SendableMetatype>(_ v1: Group, _ path: String, _ type: A.Type, method: HTTPRequest.Method = .post,
                                  id recordID: (@Sendable (CRMRequestContext) throws -> UUID)? = nil,
                                  _ make: @escaping @Sendable (UUID, JSONObjectReader) throws -> A.Command) {
        v1.on(RouterPath(path), method: method) { request, context in
            let id = try recordID?(context) ?? pathID(context)
            let body = try await body(request)
            let command = try make(id, body)
            try body.finish()
            return try await execute(A.self, id: id, command, request: request, context: context, body: body)
        }
    }

    /// POST `/v1/<path>` without an id: a command on a singleton record (settings, organisation).
    func singleton<A: EngineRecord & SendableMetatype>(_ v1: Group, _ path: String, _ type: A.Type,
                                    _ make: @escaping @Sendable (JSONObjectReader) throws -> A.Command) {
        v1.post(RouterPath(path)) { request, context in
            let body = try await body(request)
            let command = try make(body)
            try body.finish()
            return try await execute(A.self, id: Self.singletonID, command, request: request, context: context, body: body)
        }
    }

    /// GET `/v1/<collection>`: the records of `A` the caller may query, in id order, `limit` at a time with
    /// `after` = the cursor of the previous page, bound to this list like every cursor (``PagedList``; its key
    /// is the last id's bytes) (``CRMEngine/records(_:after:limit:as:consistentWith:)``).
    func list<A: EngineRecord & SendableMetatype>(_ v1: Group, _ collection: String, _ type: A.Type) {
        v1.get(RouterPath(collection)) { request, context in
            let principal = try context.requirePrincipal()
            // A list is answered as it is now, never as of a past point (one record is: GET its id with asOf).
            try refuseAsOf(request, "a list is not available as of a point: read each record with asOf")
            let query = QueryParameters(request: request)
            let limit = try query.limit(default: 100, max: configuration.maxPageSize)
            let list = PagedList("/v1/" + collection, limit: limit)
            let records = try await engine.records(A.self, after: try list.afterID(query), limit: limit + 1, as: principal,
                                                   consistentWith: try query.position("consistentWith"))
            let chosen = Array(records.prefix(limit))
            return try list.reflected(chosen.map(\.state), next: records.count > limit ? chosen.last.map { PagedList.key($0.id) } : nil)
        }
    }

    /// GET `/v1/<path>` with an `:id`: the record's current state with `ETag` = its version; 404 when it
    /// does not exist or lies outside the caller's scope; with `asOf`, its state then
    /// (``recordState(_:id:request:context:)``).
    func record<A: EngineRecord & SendableMetatype>(_ v1: Group, _ path: String, _ type: A.Type) {
        v1.get(RouterPath(path)) { request, context in
            let (state, version) = try await recordState(A.self, id: try pathID(context), request: request, context: context)
            return try JSONOutput.reflected(state, version: version)
        }
    }

    /// A record's state with its version: now, or with `asOf` (an RFC 3339 instant or a log position, read
    /// by ``asOf(_:_:)`` as for the customer) as it was then (R-LOG-6), with its version then. Either way the
    /// caller must be allowed to see the record now (404 otherwise), and what their roles hide — then or
    /// now — is left out (``CRMEngine/state(_:id:asOf:as:)``); 404 too when the record did not exist then.
    func recordState<A: EngineRecord>(_ type: A.Type, id: UUID, request: Request, context: CRMRequestContext) async throws -> (state: A.State, version: StreamVersion) {
        let principal = try context.requirePrincipal()
        guard let point = try await asOf(QueryParameters(request: request)) else { return try await engine.state(A.self, id: id, as: principal) }
        return try await engine.state(A.self, id: id, asOf: point, as: principal)
    }

    /// The caller of a write, with the source system the request names in `X-Source-System` (an integration:
    /// `billing`, `erp.prod`): recorded in the metadata of the events it writes, as the console's
    /// `web-console` and the CLI's `crm-cli` are; without the header, none (null). 1 to 64 characters of
    /// `A-Z a-z 0-9 . _ -`, given once, and not a name the engine's own front ends record (`web-console`,
    /// `crm-cli`), else 400 naming the header — checked before anything is written. A label the client
    /// declares: the actor and the client address are what the engine establishes.
    func writer(_ request: Request, _ context: CRMRequestContext) throws -> Principal {
        var principal = try context.requirePrincipal()
        let values = request.headers.values(named: "x-source-system")
        guard let source = values.first else { return principal }
        let allowed = source.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "." || $0 == "_" || $0 == "-"
        }
        guard values.count == 1, (1...64).contains(source.unicodeScalars.count), allowed else {
            throw Problem.invalid("X-Source-System", "expected 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' and '-', given once")
        }
        guard !Self.frontEndSources.contains(source.lowercased()) else {
            throw Problem.invalid("X-Source-System", "reserved for the engine's own front ends")
        }
        principal.sourceSystem = source
        return principal
    }

    /// The source systems the console and the CLI record: never a client's to claim.
    static let frontEndSources: Set<String> = ["web-console", "crm-cli"]

    /// 400 naming `asOf` when the query has one: for a single-resource GET whose answer is not a record's
    /// own state (a view's row, a computed answer), which cannot be answered as of a past point — never
    /// answered as it is now instead.
    func refuseAsOf(_ request: Request, _ detail: String = "not available for this resource") throws {
        if QueryParameters(request: request).string("asOf") != nil { throw Problem.invalid("asOf", detail) }
    }

    /// A page of an in-memory list in `key` order: `limit`, the opaque `after` cursor and the `next` link.
    /// `extra` (`name=value&…`) holds the parameters that define the list, which its cursors are bound to.
    /// `answer` writes an item as the list shows it (by default, reflected as it is).
    func page<T>(_ items: [T], key: (T) -> String, request: Request, path: String, query extra: String = "",
                 answer: (T) -> Any = { $0 }) throws -> Response {
        let query = QueryParameters(request: request)
        let limit = try query.limit(default: 100, max: configuration.maxPageSize)
        let list = PagedList(path, query: extra, limit: limit)
        let after = try list.after(query).map { String(decoding: $0, as: UTF8.self) }
        let sorted = items.map { (key: key($0), item: $0) }.sorted { $0.key < $1.key }
        let rest = after.map { a in sorted.filter { $0.key > a } } ?? sorted
        let chosen = Array(rest.prefix(limit))
        return try list.reflected(chosen.map { answer($0.item) }, next: rest.count > limit ? chosen.last.map { Array($0.key.utf8) } : nil)
    }

    /// The id commands on singleton records are sent with (their stream ignores it).
    static let singletonID = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))

    /// A query value that must be a UUID when given.
    func optionalUUID(_ query: QueryParameters, _ name: String) throws -> UUID? {
        try query.string(name).map { try JSONObjectReader.uuid($0, field: name) }
    }

    /// A query value that must be a day `YYYY-MM-DD` when given.
    func optionalDay(_ query: QueryParameters, _ name: String) throws -> LocalDate? {
        guard let text = query.string(name) else { return nil }
        guard let day = LocalDate(text) else { throw Problem.invalid(name, "expected a date YYYY-MM-DD") }
        return day
    }
}
