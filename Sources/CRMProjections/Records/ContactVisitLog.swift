import CRMDomain
import EventSourcing
import Foundation

/// One contact log entry or visit in the combined log.
public struct ActivityEntry: Codable, Hashable, Sendable {
    /// `.contactLog` or `.visit`.
    public var kind: RecordKind
    public var id: UUID
    public var customerID: UUID
    /// Who logged the contact (the event's actor) or who visits.
    public var employee: String
    /// The contact's channel; `visit` for a visit.
    public var channel: String
    /// When it happened: the contact's instant, the visit's schedule (once recorded: still that on its actual day, else noon UTC of that day).
    public var at: Date
    /// The contact's subject; the visit's agenda, its summary once recorded.
    public var subject: String
    /// The contact's note; the visit's place and, once recorded, its topics.
    public var note: String?
    /// `logged`; `planned`, `done` or `cancelled` for a visit.
    public var status: String
    /// The scope the engine reads the record by, filled in by the queries: the customer's current scope, owned
    /// by ``employee`` for a visit (its visitor); a contact log entry's author is not an owner of it.
    public var scope: RecordScope
    /// The customer's contact persons it names: the one spoken to; those a visit planned to meet and, once
    /// recorded, those it met.
    public var contacts: [UUID] = []
}

/// Contact and visit log (R-SRV-3, R-SRV-4): contact log entries and visits per customer and per employee,
/// newest first, with filters and a combined text search over their subjects and notes (``Keywords`` terms).
///
/// Tables: `activity-by-customer` (customer id + inverted instant + id → entry), `activity-by-employee`
/// (employee + inverted instant + id → entry), `activity-entries` (id → entry, to move and re-index it),
/// `activity-terms` (term + id) and `customer-scope`.
///
/// ```swift
/// let page = try ContactVisitLog.log(ofCustomer: id, in: views, filter: .init(channel: "phone"), limit: 20)
/// ```
public struct ContactVisitLog: Projection {
    public let name = "contact-visit-log"
    public let version: UInt32 = 3
    public init() {}

    static let byCustomer = ViewTable("activity-by-customer")
    static let byEmployee = ViewTable("activity-by-employee")
    static let entries = ViewTable("activity-entries")
    static let terms = ViewTable("activity-terms")
    public var tables: [ViewTable] { [Self.byCustomer, Self.byEmployee, Self.entries, Self.terms, CustomerScopes.table] }

    public var eventTypes: Set<String>? {
        let types: [any EventPayload.Type] = [
            ContactLogged.self, ContactLogAmended.self, ContactLogRetracted.self,
            VisitPlanned.self, VisitRescheduled.self, VisitRecorded.self, VisitCancelled.self,
        ]
        return CustomerScopes.eventTypes.union(types.map { $0.eventType })
    }

    public func apply(_ event: ProjectionEvent, to views: any ViewWriter) throws {
        try CustomerScopes.apply(event, to: views)
        try apply(event.payload, event, to: views)
    }

    /// The `switch` over the payload opened to its type (why: ``Projection``).
    private func apply<Payload: EventPayload>(_ payload: Payload, _ event: ProjectionEvent, to views: any ViewWriter) throws {
        switch payload {
        case let e as ContactLogged:
            try store(ActivityEntry(kind: .contactLog, id: e.entryID, customerID: e.customerID, employee: event.metadata.actor,
                                    channel: e.details.channel.rawValue, at: e.details.occurredAt, subject: e.details.subject,
                                    note: e.details.note, status: "logged", scope: .global, contacts: e.details.contactID.map { [$0] } ?? []),
                      views: views)
        case let e as ContactLogAmended:
            try change(e.entryID, views: views) { r in
                r.channel = e.details.channel.rawValue
                r.at = e.details.occurredAt
                r.subject = e.details.subject
                r.note = e.details.note
                r.contacts = e.details.contactID.map { [$0] } ?? []
            }
        case let e as ContactLogRetracted:
            try remove(e.entryID, views: views)
        case let e as VisitPlanned:
            try store(ActivityEntry(kind: .visit, id: e.visitID, customerID: e.customerID, employee: e.visitor, channel: "visit",
                                    at: e.scheduledAt, subject: e.agenda, note: e.place, status: Visit.Status.planned.rawValue,
                                    scope: .global, contacts: e.contacts), views: views)
        case let e as VisitRescheduled:
            try change(e.visitID, views: views) { r in
                r.at = e.newScheduledAt
                r.note = e.newPlace
            }
        case let e as VisitRecorded:
            try change(e.visitID, views: views) { r in
                r.at = VisitInstant.of(recorded: e.actual.date, planned: r.at)
                r.subject = e.actual.summary
                r.note = ([e.actual.place] + e.actual.topics).joined(separator: " · ")
                r.status = Visit.Status.done.rawValue
                r.contacts += e.actual.contacts.filter { !r.contacts.contains($0) }
            }
        case let e as VisitCancelled:
            try change(e.visitID, views: views) { $0.status = Visit.Status.cancelled.rawValue }
        default:
            return
        }
    }

    static func customerKey(_ e: ActivityEntry) -> [UInt8] { ViewKey().uuid(e.customerID).newestFirst(e.at).uuid(e.id).bytes }
    static func employeeKey(_ e: ActivityEntry) -> [UInt8] { ViewKey().string(e.employee).newestFirst(e.at).uuid(e.id).bytes }
    static func termsOf(_ e: ActivityEntry) -> [String] { Keywords.terms(in: e.subject + " " + (e.note ?? "")) }

    private func store(_ entry: ActivityEntry, replacing old: ActivityEntry? = nil, views: any ViewWriter) throws {
        if let old {
            if Self.customerKey(old) != Self.customerKey(entry) { try views.delete(key: Self.customerKey(old), in: Self.byCustomer) }
            if Self.employeeKey(old) != Self.employeeKey(entry) { try views.delete(key: Self.employeeKey(old), in: Self.byEmployee) }
        }
        // Terms come sorted and unique (``Keywords/terms(in:)``): a new entry adds them all, a changed one
        // only the difference.
        let newTerms = Self.termsOf(entry)
        if let old {
            let oldTerms = Set(Self.termsOf(old)), kept = Set(newTerms)
            for term in oldTerms.subtracting(kept) { try views.delete(key: ViewKey().string(term).uuid(entry.id).bytes, in: Self.terms) }
            for term in kept.subtracting(oldTerms) { try views.put([], forKey: ViewKey().string(term).uuid(entry.id).bytes, in: Self.terms) }
        } else {
            for term in newTerms { try views.put([], forKey: ViewKey().string(term).uuid(entry.id).bytes, in: Self.terms) }
        }
        let row = entry.binaryForm
        try views.put(row, forKey: Self.customerKey(entry), in: Self.byCustomer)
        try views.put(row, forKey: Self.employeeKey(entry), in: Self.byEmployee)
        try views.put(row, forKey: ViewKey().uuid(entry.id).bytes, in: Self.entries)
    }

    private func change(_ id: UUID, views: any ViewWriter, _ body: (inout ActivityEntry) -> Void) throws {
        guard let old = try views.row(ActivityEntry.self, forKey: ViewKey().uuid(id).bytes, in: Self.entries) else { return }
        var new = old
        body(&new)
        if new != old { try store(new, replacing: old, views: views) }
    }

    private func remove(_ id: UUID, views: any ViewWriter) throws {
        guard let old = try views.row(ActivityEntry.self, forKey: ViewKey().uuid(id).bytes, in: Self.entries) else { return }
        try views.delete(key: Self.customerKey(old), in: Self.byCustomer)
        try views.delete(key: Self.employeeKey(old), in: Self.byEmployee)
        for term in Self.termsOf(old) { try views.delete(key: ViewKey().string(term).uuid(id).bytes, in: Self.terms) }
        try views.delete(key: ViewKey().uuid(id).bytes, in: Self.entries)
    }
}
