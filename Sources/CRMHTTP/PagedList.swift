import CRMConsole
import Foundation
import Hummingbird

/// One list of the API that pages with an opaque cursor (`after`): its path and the query parameters that
/// define it (its filters: a customer, a department, a report's day and currency, a window), which its
/// `next` link carries.
///
/// Its cursors are bound to it: ``PageCursor``'s check covers the list (path + filters) with the key the
/// list pages after. A cursor of another list, or of this one with other filters, is refused as a malformed
/// one is (400 `invalid-field` naming `after`) instead of paging from wherever its key happens to fall in
/// this list.
///
/// ```swift
/// let list = PagedList("/v1/tickets", filters: [("department", department)], limit: limit)
/// let page = try await engine.openTickets(department: department, as: principal, after: try list.after(query), limit: limit)
/// return try JSONOutput.response(list.answer(page.items, next: page.next))
/// ```
struct PagedList {
    let path: String
    /// The filters as `name=value&…` (escaped), as the `next` link carries them.
    let filters: String
    let limit: Int

    /// A list with the filters given (those with a nil value left out), in this order.
    init(_ path: String, filters: [(name: String, value: String?)] = [], limit: Int) {
        self.init(path, query: filters.compactMap { filter in filter.value.map { "\(filter.name)=\(Self.escaped($0))&" } }.joined(), limit: limit)
    }

    /// A list whose filters are already written as `name=value&…`.
    init(_ path: String, query: String, limit: Int) {
        self.path = path
        self.filters = query
        self.limit = limit
    }

    /// The request's `after` as the key it names in this list; nil when absent or empty (the first page).
    func after(_ query: QueryParameters) throws -> [UInt8]? {
        do {
            return try PageCursor.bytes(query.string("after"), list: name)
        } catch {
            throw Self.refused
        }
    }

    /// The request's `after` as the record id it names in a list paged by id (its key: the id's 16 bytes,
    /// ``key(_:)``); nil when absent or empty.
    /// A list sorted by a name (or other personal text) pages by its last row's id too, never by the text
    /// it sorts by: cursors land in URLs and logs (``PageCursor``).
    func afterID(_ query: QueryParameters) throws -> UUID? {
        do {
            return try PageCursor.id(query.string("after"), list: name)
        } catch {
            throw Self.refused
        }
    }

    /// The key of a record id in a list paged by id (or by its last row's id).
    static func key(_ id: UUID) -> [UInt8] { PageCursor.key(id) }

    /// The cursor text of `key` in this list.
    func cursor(_ key: [UInt8]) -> String { PageCursor.text(key, list: name) }

    /// The link to the page after the cursor `after`.
    func link(after: String) -> String { "\(path)?\(filters)limit=\(limit)&after=\(after)" }

    /// A page of `items`; with `next` (the key of the page's last item, when more follow) its cursor as
    /// `after` and the `next` link.
    func answer<Item: Encodable>(_ items: [Item], next: [UInt8]?) -> PageAnswer<Item> {
        let after = next.map(cursor)
        return PageAnswer(items: items, after: after, next: after.map(link))
    }

    /// ``answer(_:next:)`` for items written by ``reflectJSON(_:)``.
    func reflected(_ items: [Any], next: [UInt8]?) throws -> Response {
        let after = next.map(cursor)
        return try JSONOutput.reflectedPage(items, after: after, next: after.map(link))
    }

    /// What the cursors of this list are bound to: its path and filters.
    private var name: String { "\(path)?\(filters)" }

    private static var refused: Problem { Problem.invalid("after", "not a cursor this server gave for this list (with these parameters)") }

    /// A query value as it may follow `name=` in a link.
    static func escaped(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(CharacterSet(charactersIn: "&=+"))) ?? ""
    }
}
