import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import Foundation
import Hummingbird

extension Routes {
    func addRecordRoutes(to v1: RouterGroup<CRMRequestContext>) {
        v1.get("search") { request, context in try await search(request, context) }
        v1.get("records/:stream/history") { request, context in try await recordHistory(request, context) }
    }

    /// Records across modules whose text holds every word of `q`, as far as the caller may see them, best
    /// first, a page at a time; the cursor is bound to `q`. It names the page's last hit (kind, id, score),
    /// never its title: the engine finds that hit's place now, and refuses (400 naming `after`) one unknown or
    /// no longer visible to the caller.
    func search(_ request: Request, _ context: CRMRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let query = QueryParameters(request: request)
        guard let text = query.string("q")?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty, text.count <= 200 else {
            throw Problem.invalid("q", "required: 1 to 200 characters to search for")
        }
        let limit = try query.limit(default: 50, max: configuration.maxPageSize)
        let list = PagedList("/v1/search", filters: [("q", text)], limit: limit)
        let after = try list.after(query)
        let position = try query.position("consistentWith")
        let page: WorkProjections.Page<SearchHit>
        do {
            page = try await engine.search(text, as: principal, after: after, limit: limit, consistentWith: position)
        } catch let error as EngineError where error.code == .invalid && error.field == "after" {
            throw Problem.invalid("after", error.message)
        }
        return try JSONOutput.response(list.answer(page.items, next: page.next))
    }

    /// Any record's modification trail by its stream id (`customer-…`, `task-…`, `ticket-…`), oldest first.
    func recordHistory(_ request: Request, _ context: CRMRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        // The whole trail is the answer (each entry says when): a history has no past state to give.
        try refuseAsOf(request, "a history is not available as of a point: it lists every change with its time")
        let stream = try streamParameter(context)
        let query = QueryParameters(request: request)
        let limit = try query.limit(default: 100, max: configuration.maxPageSize)
        let entries = try await engine.history(of: stream, as: principal, after: try query.version("after"), limit: limit,
                                               consistentWith: try query.position("consistentWith"))
        let next = entries.count == limit ? entries.last.map { "\($0.version.rawValue)" } : nil
        return try JSONOutput.response(moneyAsText: PageAnswer(items: entries, after: next,
                                                  next: next.map { "/v1/records/\(stream.rawValue)/history?limit=\(limit)&after=\($0)" }))
    }

    /// A stream id from the path: a lowercase category, `-`, an id of letters, digits and `-`.
    func streamParameter(_ context: CRMRequestContext) throws -> StreamID {
        guard let text = context.parameters.get("stream"), (3...256).contains(text.utf8.count), text.contains("-"),
              text.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }),
              !Routes.internalCategories.contains(String(text.prefix { $0 != "-" })) else {
            throw Problem.invalid("stream", "expected a record's stream id such as customer-<id>")
        }
        return StreamID(text)
    }

    /// Read-your-writes for the engine queries that take no `consistentWith` yet (the customer list, the
    /// activity list): waits on the named view directly.
    func waitForView(_ name: String, _ query: QueryParameters) async throws {
        guard let position = try query.position("consistentWith"), position > .start,
              try !engine.views.hasReached(position, projections: [name]) else { return }
        // A position past the log's head is none a write returned: 400 at once, not 503 after the wait.
        let head = try await engine.store.headPosition()
        guard position <= head else {
            throw Problem.invalid("consistentWith", "position \(position.rawValue) is beyond the log's head (\(head.rawValue))")
        }
        do {
            try await engine.views.waitUntil(position, projections: [name], timeout: .seconds(10))
        } catch {
            throw Problem("unavailable", .serviceUnavailable, "the views did not reach position \(position.rawValue) in time; try again")
        }
    }

    /// Streams of the engine's own bookkeeping: never shown through the API. (API tokens are not: their
    /// issue and revocation are shown, as history entries without the secret's hash, to organisation readers.)
    static let internalCategories: Set<String> = ["idempotency", "reservation"]
}
