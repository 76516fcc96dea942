import CRMDomain
import EventSourcing
import Foundation

extension KeywordIndex {
    /// The records matching every term of `text` (see ``Keywords/queryTerms(_:)``), best first: by score
    /// (2 per term in the record's own text, 1 per term only in its customer's name), then kind, title and
    /// id. A matching customer also brings the campaigns that targeted it. Empty for a text without terms.
    ///
    /// ```swift
    /// let hits = try KeywordIndex.search("acme", in: views)   // the customer, its tickets, quotes, …
    /// ```
    public static func search(_ text: String, in views: any ViewReader, limit: Int = 50) throws -> [SearchHit] {
        let terms = Keywords.queryTerms(text)
        // The longest term is usually the rarest: its postings are the candidates the others must match.
        guard let seed = terms.max(by: { ($0.unicodeScalars.count, $1) < ($1.unicodeScalars.count, $0) }) else { return [] }
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
        // Campaigns reach a customer's name through their target lists.
        var seen = Set(hits.map { [$0.kind.code] + ViewKey().uuid($0.id).bytes })
        for customer in hits where customer.kind == .customer {
            for (kind, id) in try linked(to: customer.id, in: views) where kind == .campaign {
                let key = recordKey(kind, id)
                guard !seen.contains(key), let record = try views.row(Indexed.self, forKey: key, in: records) else { continue }
                seen.insert(key)
                hits.append(try hit(record, score: terms.count, views: views))
            }
        }
        hits.sort { ($1.score, $0.kind.code, $0.title, $0.id.uuidString) < ($0.score, $1.kind.code, $1.title, $1.id.uuidString) }
        return Array(hits.prefix(limit))
    }

    private static func score(_ weight: UInt8) -> Int { weight & 2 != 0 ? 2 : 1 }

    private static func hit(_ record: Indexed, score: Int, views: any ViewReader) throws -> SearchHit {
        SearchHit(kind: record.kind, id: record.id, title: record.title, customerID: record.customerID,
                  scope: try CustomerScopes.scope(of: record.customerID ?? (record.kind == .customer ? record.id : nil), in: views), score: score)
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
