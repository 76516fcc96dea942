import CRMDomain
import EventSourcing
import Foundation

/// Budgets and actual costs for the cost analysis (R-ANA-5): every campaign's budget, plan period and
/// cost lines (marketing), every visit's customer, day, place and cost lines (sales and service visits;
/// the visit cost groupings of R-SRV-4, ``visitCostTotals(_:by:in:calendar:)``), and the customers'
/// profiles for the industry. Facts only; months and totals are the query's.
///
/// Version 2 keeps each visit's planned and actual place on its row (version 1 had none): still one put
/// per visit event, and the groupings by visit, customer, month and place are computed at query time.
///
/// Version 3 stores only the visit's own part of its scope (the visitor) and reads the customer's part —
/// branch, community, group, owner — at query time from the view's own `customer-scope` table, so a visit's
/// costs follow their customer to another branch or owner, as tickets, revenue and RFM do (version 2 kept
/// the customer's scope as it was when the visit was planned). A customer edit still writes one row (its
/// scope), however many visits it has, and a planned visit no longer reads the customer's scope; a query
/// reads each customer's scope once (``visitsWithCosts(in:where:)``).
///
/// The domain records a budget only for campaigns: visits (and tickets) carry actual costs without a
/// budget (docs/ANALYTICS.md).
///
/// ```swift
/// let (campaigns, visits) = try CostLedger.all(in: views)
/// ```
public struct CostLedger: Projection {
    public let name = "cost-ledger"
    public let version: UInt32 = 3

    /// `campaign id → CampaignCosts`.
    public static let campaigns = ViewTable("campaigns")
    /// `visit id → VisitCosts`.
    public static let visits = ViewTable("visits")

    public var tables: [ViewTable] { [Self.campaigns, Self.visits, CustomerScopes.table, CustomerProfiles.table] }

    public var eventTypes: Set<String>? {
        CustomerProfiles.eventTypes.union([
            CampaignPlanned.eventType, CampaignPlanChanged.eventType, CampaignCostAdded.eventType,
            VisitPlanned.eventType, VisitRescheduled.eventType, VisitRecorded.eventType, VisitCostAdded.eventType, VisitCostRemoved.eventType,
        ])
    }

    public init() {}

    /// A campaign's budget over its plan and its actual cost lines.
    public struct CampaignCosts: Codable, Hashable, Sendable {
        public var campaignID: UUID
        public var budget: Money
        public var start: LocalDate
        public var end: LocalDate
        public var lines: [Campaign.CostLine]
        /// The owner; campaigns belong to no branch.
        public var scope: RecordScope
    }

    /// A visit's costs and the facts that place them.
    public struct VisitCosts: Codable, Hashable, Sendable {
        public var visitID: UUID
        public var customerID: UUID
        public var scheduledAt: Date
        /// The actual day once recorded (then the visit's day).
        public var actualDate: LocalDate?
        public var lines: [Visit.CostLine]
        /// Stored: the visit's own owners (the visitor) only. As the queries answer it
        /// (``visitsWithCosts(in:where:)``, ``all(in:where:)``): the customer's scope now, the visitor among
        /// its owners.
        public var scope: RecordScope
        /// The planned place as last planned or rescheduled, as recorded.
        public var place: String = ""
        /// The actual place once recorded, as recorded.
        public var actualPlace: String? = nil

        /// The place the visit's costs count under: the actual place once recorded, else the planned one
        /// (as `Visit.State.effectivePlace`).
        public var effectivePlace: String { actualPlace ?? place }

        /// The visit's day: the actual date once recorded, else the scheduled instant in `calendar`.
        public func day(in calendar: LocalCalendar) -> LocalDate { actualDate ?? calendar.localDate(of: scheduledAt) }
    }

    public func apply(_ event: ProjectionEvent, to views: any ViewWriter) throws {
        try CustomerScopes.apply(event, to: views)
        try CustomerProfiles.apply(event, to: views)
        try apply(event.payload, event, to: views)
    }

    /// The `switch` over the payload opened to its type (why: ``Projection``).
    private func apply<Payload: EventPayload>(_ payload: Payload, _ event: ProjectionEvent, to views: any ViewWriter) throws {
        switch payload {
        case let e as CampaignPlanned:
            let row = CampaignCosts(campaignID: e.campaignID, budget: e.budget, start: e.start, end: e.end, lines: [], scope: RecordScope(owners: [e.owner]))
            try views.put(row: row, forKey: ViewKey().uuid(e.campaignID).bytes, in: Self.campaigns)
        case let e as CampaignPlanChanged:
            try views.update(CampaignCosts.self, forKey: ViewKey().uuid(e.campaignID).bytes, in: Self.campaigns) { old in
                guard var c = old else { return nil }
                for change in e.changes {
                    switch (change.field, change.new) {
                    case ("budget", .money(let v)?): c.budget = v
                    case ("start", .date(let v)?): c.start = v
                    case ("end", .date(let v)?): c.end = v
                    default: break
                    }
                }
                return c
            }
        case let e as CampaignCostAdded:
            try views.update(CampaignCosts.self, forKey: ViewKey().uuid(e.campaignID).bytes, in: Self.campaigns) { old in
                guard var c = old, !c.lines.contains(where: { $0.id == e.line.id }) else { return old }
                c.lines.append(e.line)
                return c
            }
        case let e as VisitPlanned:
            // The customer's part of the scope is read at query time (it follows the customer).
            let row = VisitCosts(visitID: e.visitID, customerID: e.customerID, scheduledAt: e.scheduledAt, lines: [],
                                 scope: RecordScope(owners: [e.visitor]), place: e.place)
            try views.put(row: row, forKey: ViewKey().uuid(e.visitID).bytes, in: Self.visits)
        case let e as VisitRescheduled:
            try changeVisit(e.visitID, in: views) { v in
                v.scheduledAt = e.newScheduledAt
                v.place = e.newPlace
            }
        case let e as VisitRecorded:
            try changeVisit(e.visitID, in: views) { v in
                v.actualDate = e.actual.date
                v.actualPlace = e.actual.place
            }
        case let e as VisitCostAdded:
            try changeVisit(e.visitID, in: views) { v in if !v.lines.contains(where: { $0.id == e.line.id }) { v.lines.append(e.line) } }
        case let e as VisitCostRemoved:
            try changeVisit(e.visitID, in: views) { v in v.lines.removeAll { $0.id == e.line.id } }
        default:
            return
        }
    }

    /// Every campaign and every visit with costs, each kept when `include` admits its scope; a visit with
    /// its customer's industry now.
    public static func all(in views: any ViewReader, where include: (RecordScope) -> Bool = { _ in true })
        throws -> (campaigns: [CampaignCosts], visits: [(visit: VisitCosts, industry: String?)]) {
        let campaigns = try views.rows(CampaignCosts.self, in: campaigns) { include($0.scope) }.map(\.row)
        let visits = try visitsWithCosts(in: views, where: include)
        return (campaigns, try visits.map { ($0, try CustomerProfiles.profile(of: $0.customerID, in: views)?.industry) })
    }

    /// Every visit with at least one cost line whose scope `include` admits (the rows
    /// ``visitCostTotals(_:by:in:calendar:)`` sums), each with its scope now: its customer's current scope
    /// (read once per customer) with the visitor among the owners.
    public static func visitsWithCosts(in views: any ViewReader, where include: (RecordScope) -> Bool = { _ in true }) throws -> [VisitCosts] {
        var customers: [UUID: RecordScope] = [:]
        var out: [VisitCosts] = []
        for (_, stored) in try views.rows(VisitCosts.self, in: visits, where: { !$0.lines.isEmpty }) {
            var visit = stored
            visit.scope = try CustomerScopes.current(of: visit.customerID, with: stored.scope.owners, in: views, cache: &customers)
            if include(visit.scope) { out.append(visit) }
        }
        return out
    }

    private func changeVisit(_ id: UUID, in views: any ViewWriter, _ body: (inout VisitCosts) -> Void) throws {
        try views.update(VisitCosts.self, forKey: ViewKey().uuid(id).bytes, in: Self.visits) { old in
            guard var v = old else { return nil }
            body(&v)
            return v
        }
    }
}
