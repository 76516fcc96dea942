import CRMDomain
import EventSourcing
import Foundation

extension ContactVisitLog {
    /// Narrows the log: by kind, channel (`visit` for visits), customer, contact person (an entry naming
    /// it, ``ActivityEntry/contacts``), employee and an instant range (`from` inclusive, `until` exclusive).
    public struct Filter: Sendable, Hashable {
        public var kind: RecordKind?
        public var channel: String?
        public var customerID: UUID?
        /// Kept as employee ids are recorded (``CRMDomain/Employee/canonicalID(_:)``): an id given in upper
        /// case names the same employee.
        public var employee: String? {
            get { canonicalEmployee }
            set { canonicalEmployee = newValue.map { Employee.canonicalID($0) } }
        }
        private var canonicalEmployee: String?
        public var from: Date?
        public var until: Date?
        public var contactID: UUID?

        public init(kind: RecordKind? = nil, channel: String? = nil, customerID: UUID? = nil, employee: String? = nil,
                    from: Date? = nil, until: Date? = nil, contactID: UUID? = nil) {
            self.kind = kind
            self.channel = channel
            self.customerID = customerID
            self.employee = employee
            self.from = from
            self.until = until
            self.contactID = contactID
        }

        func matches(_ e: ActivityEntry) -> Bool {
            (kind == nil || e.kind == kind) && (channel == nil || e.channel == channel)
                && (customerID == nil || e.customerID == customerID) && (employee == nil || e.employee == employee)
                && (from.map { e.at >= $0 } ?? true) && (until.map { e.at < $0 } ?? true)
                && (contactID.map { e.contacts.contains($0) } ?? true)
        }
    }

    /// A page of the log, newest first, with the cursor of its last row.
    public struct Page: Sendable {
        public var entries: [ActivityEntry]
        /// The key of the page's last entry (pass it as `after` for the page after); nil when the page is empty.
        public var cursor: [UInt8]?
        /// Whether entries the filter (and `include`) admit follow this page.
        public var more = false
    }

    /// A customer's contacts and visits, newest first; `include` admits entries (with their scope) before
    /// the limit is counted.
    public static func log(
        ofCustomer customerID: UUID, in views: any ViewReader, filter: Filter = Filter(), after cursor: [UInt8]? = nil, limit: Int = 50,
        where include: (ActivityEntry) -> Bool = { _ in true }
    ) throws -> Page {
        try page(byCustomer, prefix: ViewKey().uuid(customerID), in: views, filter: filter, after: cursor, limit: limit, where: include)
    }

    /// An employee's logged contacts and visits, newest first; `include` as in ``log(ofCustomer:in:filter:after:limit:where:)``.
    public static func log(
        ofEmployee employee: String, in views: any ViewReader, filter: Filter = Filter(), after cursor: [UInt8]? = nil, limit: Int = 50,
        where include: (ActivityEntry) -> Bool = { _ in true }
    ) throws -> Page {
        try page(byEmployee, prefix: ViewKey().string(employee), in: views, filter: filter, after: cursor, limit: limit, where: include)
    }

    /// Entries whose subject and note contain every term of `text`, filtered, newest first.
    public static func search(_ text: String, in views: any ViewReader, filter: Filter = Filter(), limit: Int = 50) throws -> [ActivityEntry] {
        try search(text, in: views, filter: filter, after: nil, limit: limit).items
    }

    /// A page of ``search(_:in:filter:limit:)``: newest first (then by id), after `after` (the `next` of the
    /// page before, nil for the first); `include` admits entries (with their scope) before the limit is
    /// counted; `next` is set when more follow.
    public static func search(
        _ text: String, in views: any ViewReader, filter: Filter = Filter(), after: [UInt8]?, limit: Int = 50,
        where include: (ActivityEntry) -> Bool = { _ in true }
    ) throws -> WorkProjections.Page<ActivityEntry> {
        let queryTerms = Keywords.queryTerms(text)
        guard let seed = KeywordIndex.seedTerm(of: queryTerms) else {
            return WorkProjections.Page(items: [], next: nil)
        }
        let seedPrefix = ViewKey().string(seed).bytes
        var ids: [[UInt8]] = []
        try views.scan(terms, prefix: seedPrefix) { key, _ in
            ids.append(Array(key[seedPrefix.count...]))
            return true
        }
        // Keyed as the logs are (newest first, then id), so the page's cursor is a position in that order.
        var found: [(key: [UInt8], item: ActivityEntry)] = []
        for id in ids {
            var all = true
            for term in queryTerms where term != seed {
                if try views.value(forKey: ViewKey().string(term).bytes + id, in: terms) == nil { all = false; break }
            }
            guard all, let entry = try views.row(ActivityEntry.self, forKey: id, in: entries), filter.matches(entry) else { continue }
            found.append((ViewKey().newestFirst(entry.at).uuid(entry.id).bytes, try withScope(entry, views)))
        }
        return .inKeyOrder(found, after: after, limit: limit, where: include)
    }

    private static func page(
        _ table: ViewTable, prefix: ViewKey, in views: any ViewReader, filter: Filter, after cursor: [UInt8]?, limit: Int,
        where include: (ActivityEntry) -> Bool
    ) throws -> Page {
        // Rows are newest first: start at `until` (exclusive), stop before `from`.
        var start = cursor
        if let until = filter.until {
            let bound = prefix.newestFirst(until.addingTimeInterval(-0.000_001)).bytes
            if start.map({ $0.lexicographicallyPrecedes(bound) }) ?? true { start = bound }
        }
        var out: [ActivityEntry] = []
        var last: [UInt8]?
        var more = false
        guard limit > 0 else { return Page(entries: [], cursor: nil) }
        try views.scan(table, prefix: prefix.bytes, after: start) { key, value in
            let entry = try BinaryPayloadDecoder.decode(ActivityEntry.self, from: value)
            if let from = filter.from, entry.at < from { return false }
            guard filter.matches(entry) else { return true }
            let scoped = try withScope(entry, views)
            guard include(scoped) else { return true }
            // One more admitted entry than the page holds: the page is not the last.
            if out.count == limit {
                more = true
                return false
            }
            out.append(scoped)
            last = Array(key)
            return true
        }
        return Page(entries: out, cursor: last, more: more)
    }

    /// The entry with the scope the engine reads its record by (as the combined search's hits carry it,
    /// ``KeywordIndex``): its customer's current scope, owned by the visitor for a visit. A contact log entry
    /// has no owner of its own — the engine judges reading it by its customer's scope alone — so whoever
    /// logged it is not added.
    private static func withScope(_ entry: ActivityEntry, _ views: any ViewReader) throws -> ActivityEntry {
        var e = entry
        e.scope = try scope(of: entry, in: views)
        return e
    }

    /// The scope ``withScope(_:_:)`` gives an entry: also what the combined search gives its hits.
    static func scope(of entry: ActivityEntry, in views: any ViewReader) throws -> RecordScope {
        try CustomerScopes.scope(of: entry.customerID, in: views).owned(by: entry.kind == .visit ? entry.employee : nil)
    }
}
