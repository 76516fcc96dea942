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
            return try await execute(A.self, id: id, command, request: request, context: context, created: location ?? "/v1/" + collection)
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
            return try await execute(A.self, id: id, command, request: request, context: context)
        }
    }

    /// POST `/v1/<path>` without an id: a command on a singleton record (settings, organisation).
    func singleton<A: EngineRecord & SendableMetatype>(_ v1: Group, _ path: String, _ type: A.Type,
                                    _ make: @escaping @Sendable (JSONObjectReader) throws -> A.Command) {
        v1.post(RouterPath(path)) { request, context in
            let body = try await body(request)
            let command = try make(body)
            try body.finish()
            return try await execute(A.self, id: Self.singletonID, command, request: request, context: context)
        }
    }

    /// GET `/v1/<collection>`: the records of `A` the caller may query, in id order, `limit` at a time with
    /// `after` = the cursor of the previous page, bound to this list like every cursor (``PagedList``; its key
    /// is the last id's bytes) (``CRMEngine/records(_:after:limit:as:consistentWith:)``).
    func list<A: EngineRecord & SendableMetatype>(_ v1: Group, _ collection: String, _ type: A.Type) {
        v1.get(RouterPath(collection)) { request, context in
            let principal = try context.requirePrincipal()
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
    /// does not exist or lies outside the caller's scope.
    func record<A: EngineRecord & SendableMetatype>(_ v1: Group, _ path: String, _ type: A.Type) {
        v1.get(RouterPath(path)) { _, context in
            let principal = try context.requirePrincipal()
            let (state, version) = try await engine.state(A.self, id: try pathID(context), as: principal)
            return try JSONOutput.reflected(state, version: version)
        }
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
