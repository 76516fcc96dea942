import CRMDomain
import EventSourcing
import Foundation

/// The two-layer maintenance facts (R-CUS-9) for the assessment both ways: each customer's current
/// agent and account manager, and every mutual-feedback rating with its customer's scope.
///
/// Version 2 stores only a rating's own owners (the giver and the subject) and reads the customer's part of
/// its scope — branch, community, group, owner — at query time from the view's `customer-scope` table, as
/// the pairs always were: ratings follow their customer to another branch (version 1 kept the customer's
/// scope as it was when the rating was given). A customer edit writes one row (its scope), however many
/// ratings it has.
///
/// ```swift
/// let (pairs, ratings) = try MaintenanceAssessment.all(in: views)
/// ```
public struct MaintenanceAssessment: Projection {
    public let name = "maintenance-assessment"
    public let version: UInt32 = 2

    /// `customer id → Pair` (current pairs only).
    public static let pairs = ViewTable("pairs")
    /// `feedback id → RatingRow`.
    public static let ratings = ViewTable("ratings")

    public var tables: [ViewTable] { [Self.pairs, Self.ratings, CustomerScopes.table] }

    public var eventTypes: Set<String>? {
        CustomerScopes.eventTypes.union([
            MaintenancePaired.eventType, MaintenanceAgentChanged.eventType, MaintenanceManagerChanged.eventType,
            MaintenanceUnpaired.eventType, MaintenanceFeedbackGiven.eventType,
        ])
    }

    public init() {}

    /// A customer's current pair.
    public struct Pair: Codable, Hashable, Sendable {
        public var customerID: UUID
        public var agent: String
        public var manager: String
        public var since: Date
    }

    /// One rating given between the layers.
    public struct RatingRow: Codable, Hashable, Sendable {
        public var feedbackID: UUID
        public var customerID: UUID
        public var direction: FeedbackDirection
        public var giver: String
        public var subject: String
        public var rating: Int
        public var givenAt: Date
        /// Stored: the giver and the subject as owners only. As ``all(in:where:)`` answers it: the customer's
        /// scope now with the giver and the subject among its owners.
        public var scope: RecordScope
    }

    public func apply(_ event: ProjectionEvent, to views: any ViewWriter) throws {
        try CustomerScopes.apply(event, to: views)
        try apply(event.payload, event, to: views)
    }

    /// The `switch` over the payload opened to its type (why: ``Projection``).
    private func apply<Payload: EventPayload>(_ payload: Payload, _ event: ProjectionEvent, to views: any ViewWriter) throws {
        switch payload {
        case let e as MaintenancePaired:
            try views.put(row: Pair(customerID: e.customerID, agent: e.agent, manager: e.manager, since: e.pairedAt),
                          forKey: ViewKey().uuid(e.customerID).bytes, in: Self.pairs)
        case let e as MaintenanceAgentChanged:
            try views.update(Pair.self, forKey: ViewKey().uuid(e.customerID).bytes, in: Self.pairs) { $0.map { var p = $0; p.agent = e.newAgent; return p } }
        case let e as MaintenanceManagerChanged:
            try views.update(Pair.self, forKey: ViewKey().uuid(e.customerID).bytes, in: Self.pairs) { $0.map { var p = $0; p.manager = e.newManager; return p } }
        case let e as MaintenanceUnpaired:
            try views.delete(key: ViewKey().uuid(e.customerID).bytes, in: Self.pairs)
        case let e as MaintenanceFeedbackGiven:
            // The customer's part of the scope is read at query time (it follows the customer).
            let scope = RecordScope().owned(by: e.giver, e.subject)
            let row = RatingRow(feedbackID: e.feedbackID, customerID: e.customerID, direction: e.direction, giver: e.giver, subject: e.subject,
                                rating: e.rating, givenAt: e.givenAt, scope: scope)
            try views.put(row: row, forKey: ViewKey().uuid(e.feedbackID).bytes, in: Self.ratings)
        default:
            return
        }
    }

    /// The current pairs and the ratings whose scope `include` admits, each with its customer's scope now
    /// (a pair's with the agent and the manager among the owners, a rating's with the giver and the subject).
    public static func all(in views: any ViewReader, where include: (RecordScope) -> Bool = { _ in true })
        throws -> (pairs: [(pair: Pair, scope: RecordScope)], ratings: [RatingRow]) {
        var customers: [UUID: RecordScope] = [:]
        var pairs: [(pair: Pair, scope: RecordScope)] = []
        for (_, pair) in try views.rows(Pair.self, in: Self.pairs) {
            let scope = try CustomerScopes.current(of: pair.customerID, with: [pair.agent, pair.manager], in: views, cache: &customers)
            if include(scope) { pairs.append((pair, scope)) }
        }
        var ratings: [RatingRow] = []
        for (_, stored) in try views.rows(RatingRow.self, in: Self.ratings) {
            var rating = stored
            rating.scope = try CustomerScopes.current(of: rating.customerID, with: stored.scope.owners, in: views, cache: &customers)
            if include(rating.scope) { ratings.append(rating) }
        }
        return (pairs, ratings)
    }
}
