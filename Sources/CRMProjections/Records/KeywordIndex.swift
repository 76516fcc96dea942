import CRMDomain
import EventSourcing
import Foundation

/// One record a keyword search found.
public struct SearchHit: Codable, Hashable, Sendable {
    public var kind: RecordKind
    public var id: UUID
    /// The customer's name, the contact's name, the opportunity's title, the quote's number, the ticket's
    /// subject, the contract's title, the campaign's name, the survey's title (a response's: its survey's),
    /// or the subject of a contact log entry or a visit (its agenda; its summary once recorded).
    public var title: String
    /// The customer it belongs to (a customer's own id for a customer); nil for a campaign or a survey.
    public var customerID: UUID?
    /// Its customer's current scope (`global` for records of no customer) with the record's own owners among
    /// its owners, as the engine judges reading the record: a ticket's assignee, an opportunity's, contract's
    /// or campaign's owner, a quote's first author, a visit's visitor (a contact log entry has none).
    public var scope: RecordScope
    /// How well it matched: 2 per query term in its own text, 1 per term only in its customer's name.
    public var score: Int
    /// The record it is part of: a survey response's survey; nil for the others.
    public var parentID: UUID? = nil
}

/// A keyword index across modules (R-ANA-6): one customer name finds the customer, its contacts,
/// opportunities, quotes, tickets, contracts, the campaigns that targeted it, the surveys sent to it and its
/// responses, and (joined at query time from the contact-visit-log view, see
/// ``search(_:in:activityLog:after:limit:where:)``) its contact log entries and visits. Terms come from
/// ``Keywords`` (words; CJK characters and bigrams; case- and width-folded). A record linked to a customer
/// is also indexed under its customer's name terms; a rename replaces them. Campaigns, surveys and survey
/// responses are not: they are linked to their customers only, and a linked customer whose name holds the
/// terms their own text lacks (all of them, or the rest) brings them at query time. Each record keeps its own
/// owners (assignee, owner, first author) for its hits' scope.
///
/// Tables: `keyword-postings` (term + kind + record id → weight: 2 own text, 1 customer name, 3 both),
/// `keyword-records` (kind + record id → its title, text, customer, current terms and own owners), `keyword-customer-records`
/// (customer id + kind + record id: the records to re-index when a customer is renamed, and the campaigns,
/// surveys and responses it brings; a response's value is its survey's id) and `customer-scope`.
///
/// ```swift
/// let hits = try KeywordIndex.search("北京燃气", in: views, limit: 20)
/// ```
public struct KeywordIndex: Projection {
    public let name = "keyword-index"
    /// 3: records keep their own owners (assignee, owner, first author) for the hits' scope.
    public let version: UInt32 = 3
    public init() {}

    static let postings = ViewTable("keyword-postings")
    static let records = ViewTable("keyword-records")
    static let customerRecords = ViewTable("keyword-customer-records")
    public var tables: [ViewTable] { [Self.postings, Self.records, Self.customerRecords, CustomerScopes.table] }

    public var eventTypes: Set<String>? {
        let types: [any EventPayload.Type] = [
            CustomerCreated.self, CustomerEdited.self, ContactCreated.self, ContactEdited.self, ContactMovedToCustomer.self,
            OpportunityOpened.self, OpportunityEdited.self, OpportunityAssigned.self, QuoteCreated.self,
            TicketOpened.self, TicketAssigned.self, TicketWorkStarted.self, TicketHandedOver.self, TicketUnassigned.self, ContractDrafted.self,
            CampaignPlanned.self, CampaignPlanChanged.self, CampaignTargetsSelected.self,
            SurveyCreated.self, SurveyDistributed.self, SurveyResponseRecorded.self,
        ]
        return CustomerScopes.eventTypes.union(types.map { $0.eventType })
    }

    /// What the index keeps of a record, to replace its terms when its text or its customer changes.
    struct Indexed: Codable {
        var kind: RecordKind
        var id: UUID
        var title: String
        var body: String?
        var customerID: UUID?
        var ownTerms: [String]
        var customerTerms: [String]
        /// The employees whose own record it is, as the engine's scope of the record names them (not its
        /// customer's owner, which the customer's scope holds).
        var owners: [String] = []
    }

    public func apply(_ event: ProjectionEvent, to views: any ViewWriter) throws {
        try CustomerScopes.apply(event, to: views)
        try apply(event.payload, event, to: views)
    }

    /// The `switch` over the payload opened to its type (why: ``Projection``).
    private func apply<Payload: EventPayload>(_ payload: Payload, _ event: ProjectionEvent, to views: any ViewWriter) throws {
        switch payload {
        case let e as CustomerCreated:
            try index(.customer, e.customerID, title: e.name, customer: e.customerID, views: views)
        case let e as CustomerEdited:
            guard let name = e.changes.first(where: { $0.field == "name" })?.new?.textValue else { return }
            try index(.customer, e.customerID, title: name, customer: e.customerID, views: views)
            // Collected first: re-indexing writes while a scan would still be open.
            for (kind, id) in try Self.linked(to: e.customerID, in: views) where kind != .customer && !Self.joinedKinds.contains(kind) {
                try reindex(kind, id, views: views) { _ in }
            }
        case let e as ContactCreated: try index(.contact, e.contactID, title: e.name, customer: e.customerID, views: views)
        case let e as ContactEdited:
            guard let name = e.changes.first(where: { $0.field == "name" })?.new?.textValue else { return }
            try reindex(.contact, e.contactID, views: views) { $0.title = name }
        case let e as ContactMovedToCustomer:
            try reindex(.contact, e.contactID, views: views) { $0.customerID = e.toCustomerID }
        case let e as OpportunityOpened:
            try index(.opportunity, e.opportunityID, title: e.details.title, customer: e.details.customerID, owners: [e.owner], views: views)
        case let e as OpportunityAssigned: try setOwners(.opportunity, e.opportunityID, [e.owner], views: views)
        case let e as OpportunityEdited:
            guard let title = e.changes.first(where: { $0.field == "title" })?.new?.textValue else { return }
            try reindex(.opportunity, e.opportunityID, views: views) { $0.title = title }
        case let e as QuoteCreated:
            try index(.quote, e.quoteID, title: e.number, customer: e.customerID, owners: [e.revision.author], views: views)
        case let e as TicketOpened:
            try index(.ticket, e.ticketID, title: e.subject, body: e.description, customer: e.customerID, views: views)
        case let e as TicketAssigned: try setOwners(.ticket, e.ticketID, [e.assignee], views: views)
        case let e as TicketWorkStarted: try setOwners(.ticket, e.ticketID, [e.assignee], views: views)
        case let e as TicketHandedOver: try setOwners(.ticket, e.ticketID, [], views: views)
        case let e as TicketUnassigned: try setOwners(.ticket, e.ticketID, [], views: views)
        case let e as ContractDrafted:
            try index(.contract, e.contractID, title: e.title, customer: e.customerID, owners: [e.owner], views: views)
        case let e as CampaignPlanned:
            try index(.campaign, e.campaignID, title: e.name, body: e.objective, customer: nil, owners: [e.owner], views: views)
        case let e as CampaignPlanChanged:
            let name = e.changes.first { $0.field == "name" }?.new?.textValue
            let objective = e.changes.first { $0.field == "objective" }?.new?.textValue
            guard name != nil || objective != nil else { return }
            try reindex(.campaign, e.campaignID, views: views) { r in
                if let name { r.title = name }
                if let objective { r.body = objective }
            }
        case let e as CampaignTargetsSelected:
            for customer in e.list.customerIDs {
                try views.put([], forKey: Self.linkKey(customer, .campaign, e.campaignID), in: Self.customerRecords)
            }
        // A survey's title never changes: its terms are written once. Its customers and their responses are
        // one link row each, found through the customer's name at query time.
        case let e as SurveyCreated: try index(.survey, e.surveyID, title: e.title, customer: nil, views: views)
        case let e as SurveyDistributed:
            for recipient in e.recipients where recipient.kind == .customer {
                try views.put([], forKey: Self.linkKey(recipient.id, .survey, e.surveyID), in: Self.customerRecords)
            }
        case let e as SurveyResponseRecorded:
            guard e.recipient.kind == .customer else { return }
            try views.put(ViewKey().uuid(e.surveyID).bytes, forKey: Self.linkKey(e.recipient.id, .surveyResponse, e.responseID), in: Self.customerRecords)
        default:
            return
        }
    }

    /// The kinds linked to customers without their names' terms: a matching customer brings them at query time.
    static let joinedKinds: Set<RecordKind> = [.campaign, .survey, .surveyResponse]

    static func recordKey(_ kind: RecordKind, _ id: UUID) -> [UInt8] { ViewKey().byte(kind.code).uuid(id).bytes }
    static func postingKey(_ term: String, _ kind: RecordKind, _ id: UUID) -> [UInt8] { ViewKey().string(term).byte(kind.code).uuid(id).bytes }
    static func linkKey(_ customer: UUID, _ kind: RecordKind, _ id: UUID) -> [UInt8] { ViewKey().uuid(customer).byte(kind.code).uuid(id).bytes }

    private func index(
        _ kind: RecordKind, _ id: UUID, title: String, body: String? = nil, customer: UUID?, owners: [String] = [], views: any ViewWriter
    ) throws {
        let old = try views.row(Indexed.self, forKey: Self.recordKey(kind, id), in: Self.records)
        let new = Indexed(kind: kind, id: id, title: title, body: body, customerID: customer, ownTerms: [], customerTerms: [],
                          owners: owners.filter { !$0.isEmpty })
        try store(new, replacing: old, views: views)
    }

    /// A record's own owners changed (a ticket assigned or handed over, an opportunity reassigned): only its
    /// row is written, its postings stay.
    private func setOwners(_ kind: RecordKind, _ id: UUID, _ owners: [String], views: any ViewWriter) throws {
        guard var row = try views.row(Indexed.self, forKey: Self.recordKey(kind, id), in: Self.records) else { return }
        let owners = owners.filter { !$0.isEmpty }
        guard row.owners != owners else { return }
        row.owners = owners
        try views.put(row: row, forKey: Self.recordKey(kind, id), in: Self.records)
    }

    private func reindex(_ kind: RecordKind, _ id: UUID, views: any ViewWriter, _ change: (inout Indexed) -> Void) throws {
        guard let old = try views.row(Indexed.self, forKey: Self.recordKey(kind, id), in: Self.records) else { return }
        var new = old
        change(&new)
        try store(new, replacing: old, views: views)
    }

    /// Computes the record's terms, writes the postings that changed and the record.
    private func store(_ record: Indexed, replacing old: Indexed?, views: any ViewWriter) throws {
        var new = record
        new.ownTerms = Keywords.terms(in: [record.title, record.body ?? ""].joined(separator: " "))
        if record.kind == .customer {
            new.customerTerms = []
        } else if let customer = record.customerID {
            new.customerTerms = try views.row(Indexed.self, forKey: Self.recordKey(.customer, customer), in: Self.records)?.ownTerms ?? []
        }
        func weights(_ r: Indexed?) -> [String: UInt8] {
            var w: [String: UInt8] = [:]
            for t in r?.ownTerms ?? [] { w[t, default: 0] |= 2 }
            for t in r?.customerTerms ?? [] { w[t, default: 0] |= 1 }
            return w
        }
        let before = weights(old), after = weights(new)
        for (term, _) in before where after[term] == nil {
            try views.delete(key: Self.postingKey(term, record.kind, record.id), in: Self.postings)
        }
        for (term, weight) in after where before[term] != weight {
            try views.put([weight], forKey: Self.postingKey(term, record.kind, record.id), in: Self.postings)
        }
        if let oldCustomer = old?.customerID, oldCustomer != new.customerID {
            try views.delete(key: Self.linkKey(oldCustomer, record.kind, record.id), in: Self.customerRecords)
        }
        if let customer = new.customerID, customer != old?.customerID {
            try views.put([], forKey: Self.linkKey(customer, record.kind, record.id), in: Self.customerRecords)
        }
        try views.put(row: new, forKey: Self.recordKey(record.kind, record.id), in: Self.records)
    }
}
