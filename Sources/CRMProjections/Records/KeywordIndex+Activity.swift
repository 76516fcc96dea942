import CRMDomain
import EventSourcing
import Foundation

extension KeywordIndex {
    /// The contact log entries and visits matching every query term, read from ``ContactVisitLog``'s view
    /// (`activityLog`) and this index (`views`) at query time, so the index keeps no row for them: that view
    /// already holds their terms (`activity-terms`, subject and note) and lists them by customer
    /// (`activity-by-customer`), and this index holds each customer's name terms.
    ///
    /// Candidates are the entries whose own text holds the seed term and the entries of the customers whose
    /// names hold it; every other term must be in the entry's own text (2) or its customer's name (1), as the
    /// postings of the indexed records weigh them. Each hit carries the scope the engine reads its record by:
    /// its customer's current scope, owned by the visitor for a visit (a contact log entry has no owner of its
    /// own: the engine judges reading it by its customer's scope alone, so its employee is not added).
    static func activityHits(_ terms: [String], seed: String, in views: any ViewReader, activityLog: any ViewReader) throws -> [SearchHit] {
        // Entries holding the seed themselves.
        let seedPrefix = ViewKey().string(seed).bytes
        var own: [UUID] = []
        try activityLog.scan(ContactVisitLog.terms, prefix: seedPrefix) { key, _ in
            if let id = UUID(viewKey: key, at: seedPrefix.count) { own.append(id) }
            return true
        }
        var candidates: [UUID: (entry: ActivityEntry, seedIsOwn: Bool)] = [:]
        for id in own {
            guard let entry = try activityLog.row(ActivityEntry.self, forKey: ViewKey().uuid(id).bytes, in: ContactVisitLog.entries) else { continue }
            candidates[id] = (entry, true)
        }
        // Entries of the customers whose names hold the seed.
        let customerPrefix = ViewKey().string(seed).byte(RecordKind.customer.code).bytes
        var customers: [UUID] = []
        try views.scan(postings, prefix: customerPrefix) { key, _ in
            if let id = UUID(viewKey: key, at: customerPrefix.count) { customers.append(id) }
            return true
        }
        for customer in customers {
            try activityLog.scan(ContactVisitLog.byCustomer, prefix: ViewKey().uuid(customer).bytes) { _, value in
                let entry = try BinaryPayloadDecoder.decode(ActivityEntry.self, from: value)
                if candidates[entry.id] == nil { candidates[entry.id] = (entry, false) }
                return true
            }
        }
        // The other terms: in the entry's own text, else in its customer's name.
        var nameTerms: [UUID: Set<String>] = [:]
        func nameHolds(_ term: String, _ customer: UUID) throws -> Bool {
            if let known = nameTerms[customer] { return known.contains(term) }
            let known = Set(try views.row(Indexed.self, forKey: recordKey(.customer, customer), in: records)?.ownTerms ?? [])
            nameTerms[customer] = known
            return known.contains(term)
        }
        var hits: [SearchHit] = []
        next: for (id, candidate) in candidates {
            var score = candidate.seedIsOwn ? 2 : 1
            let idKey = ViewKey().uuid(id).bytes
            for term in terms where term != seed {
                if try activityLog.value(forKey: ViewKey().string(term).bytes + idKey, in: ContactVisitLog.terms) != nil {
                    score += 2
                } else if try nameHolds(term, candidate.entry.customerID) {
                    score += 1
                } else {
                    continue next
                }
            }
            let entry = candidate.entry
            hits.append(SearchHit(kind: entry.kind, id: id, title: entry.subject, customerID: entry.customerID,
                                  scope: try ContactVisitLog.scope(of: entry, in: activityLog), score: score))
        }
        return hits
    }
}
