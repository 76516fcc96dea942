import CRMDomain
import EventSourcing
import Foundation

extension KeywordIndex {
    /// The records matching every term of `text` (see ``Keywords/queryTerms(_:)``), best first: by score
    /// (2 per term in the record's own text, 1 per term only in its customer's name), then kind, title and
    /// id. A matching customer also brings the campaigns that targeted it, the surveys sent to it and its
    /// survey responses, and a customer whose name holds the terms a campaign's or survey's own text lacks
    /// brings that campaign or survey (and its response to the survey). Empty for a text without terms.
    ///
    /// ```swift
    /// let hits = try KeywordIndex.search("acme", in: views)   // the customer, its tickets, quotes, …
    /// ```
    public static func search(_ text: String, in views: any ViewReader, activityLog: (any ViewReader)? = nil, limit: Int = 50) throws -> [SearchHit] {
        try search(text, in: views, activityLog: activityLog, after: nil, limit: limit).items
    }

    /// A page of ``search(_:in:activityLog:limit:)`` in the same order (titles compared by their first
    /// ``titleKeyLength`` bytes of UTF-8), after `after` (the `next` of the page before, nil for the first);
    /// `include` admits hits (with their scope) before the limit is counted; `next` is set when more follow.
    ///
    /// `next` names the page's last hit — its kind, id and score (and a survey response's customer) — never
    /// its title: cursors land in URLs and logs, and a title can be a person's name or a ticket's subject.
    /// The place in the order is rebuilt from that hit's row now (``place(after:in:activityLog:)``): a hit
    /// whose title changed since pages on from its new title's place (hits between the two places may then
    /// be skipped or repeated), one that no longer matches `text` still marks its place. A cursor naming no
    /// hit, or one `include` does not admit (any more), throws ``PlaceGone`` — the same for both, so the
    /// answer never tells whether a record outside the caller's scope exists.
    ///
    /// With `activityLog` (a reader of ``ContactVisitLog``'s view) the contact log entries and visits join
    /// the hits: those whose subject and note (that view's own terms) and customer's name (this index's)
    /// hold every term, scored as the indexed records are. The index writes nothing for them.
    ///
    /// ```swift
    /// var page = try KeywordIndex.search("acme", in: views, after: nil, limit: 20)
    /// while let next = page.next { page = try KeywordIndex.search("acme", in: views, after: next, limit: 20) }
    /// ```
    public static func search(
        _ text: String, in views: any ViewReader, activityLog: (any ViewReader)? = nil, after: [UInt8]?, limit: Int = 50,
        where include: (SearchHit) -> Bool = { _ in true }
    ) throws -> WorkProjections.Page<SearchHit> {
        var placeKey: [UInt8]?
        if let after {
            guard let place = try place(after: after, in: views, activityLog: activityLog), include(place) else { throw PlaceGone() }
            placeKey = orderKey(place)
        }
        let terms = Keywords.queryTerms(text)
        guard let seed = seedTerm(of: terms) else {
            return WorkProjections.Page(items: [], next: nil)
        }
        var scores: [[UInt8]: Int] = [:]
        let seedPrefix = ViewKey().string(seed).bytes
        try views.scan(postings, prefix: seedPrefix) { key, value in
            scores[Array(key[seedPrefix.count...])] = Self.score(value.first ?? 0)
            return true
        }
        for term in terms where term != seed {
            let prefix = ViewKey().string(term).bytes
            for (suffix, score) in scores {
                if let weight = try views.value(forKey: prefix + suffix, in: postings)?.first {
                    scores[suffix] = score + Self.score(weight)
                } else {
                    scores[suffix] = nil
                }
            }
        }
        var hits: [SearchHit] = []
        for (suffix, score) in scores {
            guard let record = try views.row(Indexed.self, forKey: suffix, in: records) else { continue }
            hits.append(try hit(record, score: score, views: views))
        }
        // Campaigns, surveys and survey responses reach a customer's name through their links — only a
        // customer `include` admits: a global campaign or survey must not tell of a customer left out.
        var seen = Set(hits.map { [$0.kind.code] + ViewKey().uuid($0.id).bytes })
        for customer in hits where customer.kind == .customer && include(customer) {
            hits += try joined(to: customer, score: terms.count, seen: &seen, views: views)
        }
        hits += try partlyJoined(terms, seen: &seen, views: views, where: include)
        if let activityLog {
            hits += try activityHits(terms, seed: seed, in: views, activityLog: activityLog)
        }
        var page = WorkProjections.Page.inKeyOrder(hits.map { (orderKey($0), $0) }, after: placeKey, limit: limit, where: include)
        if page.next != nil { page.next = page.items.last.map(cursor) }
        return page
    }

    /// A search cursor (the `after` of ``search(_:in:activityLog:after:limit:where:)``) that names no hit the
    /// search's `include` admits: none with its kind and id, or one outside the caller's scope (any more).
    public struct PlaceGone: Error, Sendable {}

    /// What a page's cursor holds of its last hit: its kind's code, id and score, and a survey response's
    /// customer (its hit's scope and the link to its survey) — ids and a number, no text of the record.
    static func cursor(_ hit: SearchHit) -> [UInt8] {
        let key = ViewKey().byte(hit.kind.code).uuid(hit.id).int64(Int64(hit.score))
        guard hit.kind == .surveyResponse, let customer = hit.customerID else { return key.bytes }
        return key.uuid(customer).bytes
    }

    /// The hit a cursor (``cursor(_:)``) names, rebuilt from its row now — its current title and scope, the
    /// cursor's score: an indexed record's row (one read, and its customer's scope); a survey response's link
    /// to its survey and that survey's row; a contact log entry's or visit's row in `activityLog`. Nil when
    /// the bytes are no cursor or name no such record (an activity entry without `activityLog`).
    static func place(after cursor: [UInt8], in views: any ViewReader, activityLog: (any ViewReader)?) throws -> SearchHit? {
        guard cursor.count == 25 || cursor.count == 41, let kind = RecordKind.allCases.first(where: { $0.code == cursor[0] }),
              (cursor.count == 41) == (kind == .surveyResponse) else { return nil }
        let (id, customer, score) = cursor.withUnsafeBytes { raw in
            (UUID(viewKey: raw, at: 1), UUID(viewKey: raw, at: 25), raw.loadUnaligned(fromByteOffset: 17, as: UInt64.self).bigEndian)
        }
        guard let id else { return nil }
        let value = Int64(bitPattern: score ^ (1 << 63))
        guard (1...Int64(Int32.max)).contains(value) else { return nil }
        switch kind {
        case .surveyResponse:
            guard let customer, let link = try views.value(forKey: linkKey(customer, .surveyResponse, id), in: customerRecords),
                  link.count == 16, let survey = link.withUnsafeBytes({ UUID(viewKey: $0, at: 0) }),
                  let record = try views.row(Indexed.self, forKey: recordKey(.survey, survey), in: records) else { return nil }
            return SearchHit(kind: .surveyResponse, id: id, title: record.title, customerID: customer,
                             scope: try CustomerScopes.scope(of: customer, in: views), score: Int(value), parentID: survey)
        case .contactLog, .visit:
            guard let activityLog,
                  let entry = try activityLog.row(ActivityEntry.self, forKey: ViewKey().uuid(id).bytes, in: ContactVisitLog.entries),
                  entry.kind == kind else { return nil }
            return SearchHit(kind: kind, id: id, title: entry.subject, customerID: entry.customerID,
                             scope: try ContactVisitLog.scope(of: entry, in: activityLog), score: Int(value))
        default:
            guard let record = try views.row(Indexed.self, forKey: recordKey(kind, id), in: records) else { return nil }
            return try hit(record, score: Int(value), views: views)
        }
    }

    /// The campaigns and surveys linked to a matching customer (global, as their records are) and its survey
    /// responses (titled by their survey, in the customer's scope), scored `score`: every term through the
    /// customer's name.
    private static func joined(to customer: SearchHit, score: Int, seen: inout Set<[UInt8]>, views: any ViewReader) throws -> [SearchHit] {
        var links: [(kind: RecordKind, id: UUID, survey: UUID?)] = []
        try views.scan(customerRecords, prefix: ViewKey().uuid(customer.id).bytes) { key, value in
            guard key.count == 33, let kind = RecordKind.allCases.first(where: { $0.code == key[16] }), joinedKinds.contains(kind),
                  let id = UUID(viewKey: key, at: 17) else { return true }
            links.append((kind, id, value.count == 16 ? UUID(viewKey: value, at: 0) : nil))
            return true
        }
        var out: [SearchHit] = []
        for link in links {
            let key = recordKey(link.kind, link.id)
            guard !seen.contains(key) else { continue }
            if link.kind == .surveyResponse {
                guard let survey = link.survey, let record = try views.row(Indexed.self, forKey: recordKey(.survey, survey), in: records) else { continue }
                out.append(SearchHit(kind: .surveyResponse, id: link.id, title: record.title, customerID: customer.id, scope: customer.scope,
                                     score: score, parentID: survey))
            } else {
                guard let record = try views.row(Indexed.self, forKey: key, in: records) else { continue }
                out.append(try hit(record, score: score, views: views))
            }
            seen.insert(key)
        }
        return out
    }

    /// The campaigns, surveys and survey responses matched partly by their own text and partly by the name of
    /// a customer linked to them — "acme heating" finds the survey "Heating satisfaction" sent to Acme and Acme's
    /// response to it — as a ticket is matched by its subject and its customer's name: each term in the record's
    /// own text (a response's: its survey's title) scores 2, each other term must be in the name of one linked
    /// customer `include` admits and scores 1. A record whose own text holds every term is an indexed hit, one
    /// holding none comes through ``joined(to:score:seen:views:)``; a response needs at least one term of its
    /// customer's name (a survey's title alone finds the survey, not its responses).
    private static func partlyJoined(
        _ terms: [String], seen: inout Set<[UInt8]>, views: any ViewReader, where include: (SearchHit) -> Bool
    ) throws -> [SearchHit] {
        guard terms.count > 1 else { return [] }
        // The campaigns and surveys whose own text holds some terms (their postings are all their own text).
        var own: [[UInt8]: Set<String>] = [:]
        for term in terms {
            let termPrefix = ViewKey().string(term).bytes
            for kind in [RecordKind.campaign, .survey] {
                try views.scan(postings, prefix: termPrefix + [kind.code]) { key, _ in
                    own[Array(key[termPrefix.count...]), default: []].insert(term)
                    return true
                }
            }
        }
        var customersByRest: [[String]: [SearchHit]] = [:]
        var responsesOf: [UUID: [(id: UUID, survey: UUID)]] = [:]
        var out: [SearchHit] = []
        // In key order, so the hits (and the customer each comes through) do not depend on hashing.
        for (key, ownTerms) in own.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) where ownTerms.count < terms.count {
            guard let record = try views.row(Indexed.self, forKey: key, in: records) else { continue }
            let rest = terms.filter { !ownTerms.contains($0) }
            let customers: [SearchHit]
            if let known = customersByRest[rest] {
                customers = known
            } else {
                customers = try customersNamed(rest, views: views).filter(include)
                customersByRest[rest] = customers
            }
            guard !customers.isEmpty else { continue }
            let score = 2 * ownTerms.count + rest.count
            if !seen.contains(key),
               try customers.contains(where: { try views.value(forKey: linkKey($0.id, record.kind, record.id), in: customerRecords) != nil }) {
                out.append(try hit(record, score: score, views: views))
                seen.insert(key)
            }
            guard record.kind == .survey else { continue }
            for customer in customers {
                if responsesOf[customer.id] == nil { responsesOf[customer.id] = try responses(of: customer.id, views: views) }
                for response in responsesOf[customer.id] ?? [] where response.survey == record.id {
                    let responseKey = recordKey(.surveyResponse, response.id)
                    guard seen.insert(responseKey).inserted else { continue }
                    out.append(SearchHit(kind: .surveyResponse, id: response.id, title: record.title, customerID: customer.id,
                                         scope: customer.scope, score: score, parentID: record.id))
                }
            }
        }
        return out
    }

    /// The term whose postings a search starts from: the longest, usually the rarest (ties by text, so the
    /// choice never depends on the query's word order); nil without terms.
    static func seedTerm(of terms: [String]) -> String? {
        terms.max(by: { ($0.unicodeScalars.count, $1) < ($1.unicodeScalars.count, $0) })
    }

    /// The customers whose names hold every one of `terms` (not empty), as hits, in id order.
    private static func customersNamed(_ terms: [String], views: any ViewReader) throws -> [SearchHit] {
        guard let seed = seedTerm(of: terms) else { return [] }
        let prefix = ViewKey().string(seed).byte(RecordKind.customer.code).bytes
        var ids: [UUID] = []
        try views.scan(postings, prefix: prefix) { key, _ in
            if let id = UUID(viewKey: key, at: prefix.count) { ids.append(id) }
            return true
        }
        var out: [SearchHit] = []
        next: for id in ids {
            for term in terms where term != seed {
                guard try views.value(forKey: postingKey(term, .customer, id), in: postings) != nil else { continue next }
            }
            guard let record = try views.row(Indexed.self, forKey: recordKey(.customer, id), in: records) else { continue }
            out.append(try hit(record, score: terms.count, views: views))
        }
        return out
    }

    /// A customer's survey responses with their surveys.
    private static func responses(of customer: UUID, views: any ViewReader) throws -> [(id: UUID, survey: UUID)] {
        var out: [(id: UUID, survey: UUID)] = []
        try views.scan(customerRecords, prefix: ViewKey().uuid(customer).byte(RecordKind.surveyResponse.code).bytes) { key, value in
            if key.count == 33, let id = UUID(viewKey: key, at: 17), value.count == 16, let survey = UUID(viewKey: value, at: 0) {
                out.append((id, survey))
            }
            return true
        }
        return out
    }

    /// How many bytes of a title's UTF-8 the search order compares (a page's cursor holds no title).
    public static let titleKeyLength = 200

    /// A hit's place in the search order as bytes: score falling, kind code, the title's first
    /// ``titleKeyLength`` bytes, id.
    static func orderKey(_ hit: SearchHit) -> [UInt8] {
        ViewKey().int64(-Int64(hit.score)).byte(hit.kind.code).bytes + hit.title.utf8.lazy.filter { $0 != 0 }.prefix(titleKeyLength)
            + [0] + ViewKey().uuid(hit.id).bytes
    }

    private static func score(_ weight: UInt8) -> Int { weight & 2 != 0 ? 2 : 1 }

    /// A record's hit: its customer's current scope with the record's own owners added, the scope the engine
    /// judges reading the record by (so an owner-scoped employee finds their own ticket, and a peer does not).
    private static func hit(_ record: Indexed, score: Int, views: any ViewReader) throws -> SearchHit {
        var scope = try CustomerScopes.scope(of: record.customerID ?? (record.kind == .customer ? record.id : nil), in: views)
        for owner in record.owners where !scope.owners.contains(owner) { scope.owners.append(owner) }
        return SearchHit(kind: record.kind, id: record.id, title: record.title, customerID: record.customerID, scope: scope, score: score)
    }

    /// The records linked to a customer, by kind.
    static func linked(to customer: UUID, in views: any ViewReader) throws -> [(RecordKind, UUID)] {
        var out: [(RecordKind, UUID)] = []
        try views.scan(customerRecords, prefix: ViewKey().uuid(customer).bytes) { key, _ in
            if key.count == 33, let kind = RecordKind.allCases.first(where: { $0.code == key[16] }), let id = UUID(viewKey: key, at: 17) {
                out.append((kind, id))
            }
            return true
        }
        return out
    }
}

extension WorkProjections.Page {
    /// The page after `after` of items in the byte order of their keys (a query's in-memory order written as
    /// a view key): `include` admits items before the limit is counted, and `next` is the key of the page's
    /// last item when admitted items follow it.
    static func inKeyOrder(_ keyed: [(key: [UInt8], item: Item)], after: [UInt8]?, limit: Int, where include: (Item) -> Bool) -> Self {
        var rest = keyed.sorted { $0.key.lexicographicallyPrecedes($1.key) }
        if let after { rest = rest.filter { after.lexicographicallyPrecedes($0.key) } }
        var items: [Item] = []
        var last: [UInt8]?
        for (key, item) in rest where include(item) {
            if items.count >= limit { return Self(items: items, next: last) }
            items.append(item)
            last = key
        }
        return Self(items: items, next: nil)
    }
}
