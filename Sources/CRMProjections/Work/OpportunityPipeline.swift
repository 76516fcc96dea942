import CRMDomain
import EventSourcing
import Foundation

/// The opportunity pipeline by stage and owner with a weighted forecast (R-SAL-1, R-SAL-2): every open
/// opportunity indexed by owner and by pipeline stage; the forecast is expected revenue × win probability,
/// the probability being the manual override, else the suggestion, else the default of its stage
/// (``defaultProbability(stage:in:)``).
///
/// ```swift
/// let mine = try OpportunityPipeline.pipeline(owner: "emp-7", in: views)
/// let totals = try OpportunityPipeline.totals(in: views)
/// ```
public struct OpportunityPipeline: Projection {
    public let name = "opportunity-pipeline"
    /// 2: rows name the opportunity's contact persons (`contacts`). 3: each opportunity's openings and
    /// closings, stamped (`statusChanges`).
    public let version: UInt32 = 3

    /// `opportunityID → OpportunityRow`: every opportunity, open, won or lost.
    public static let opportunities = ViewTable("opportunities")
    /// `owner + pipeline + stage index + opportunityID → OpportunityRow`: open ones per owner.
    public static let byOwner = ViewTable("by-owner")
    /// `pipeline + stage index + opportunityID → OpportunityRow`: open ones per stage.
    public static let byStage = ViewTable("by-stage")
    /// `opportunityID → StatusHistory`: when each opportunity opened, closed (won or lost) and reopened —
    /// churn reads a past day's open opportunities from it (``statusHistories(in:)``).
    public static let statusChanges = ViewTable("status-changes")

    public var tables: [ViewTable] {
        [Self.opportunities, Self.byOwner, Self.byStage, Self.statusChanges, CustomerScopes.table, WorkProjections.CustomerNames.table,
         WorkProjections.CustomerLinks.table]
    }

    public var eventTypes: Set<String>? {
        CustomerScopes.eventTypes.union([
            OpportunityOpened.eventType, OpportunityAssigned.eventType, OpportunityStageChanged.eventType,
            OpportunityEdited.eventType, WinProbabilitySuggested.eventType, WinProbabilityOverridden.eventType,
            OpportunityWon.eventType, OpportunityLost.eventType, OpportunityReopened.eventType,
            OpportunityContactsAdded.eventType, OpportunityContactsRemoved.eventType,
        ])
    }

    public init() {}

    /// Where an opportunity's win probability comes from.
    public enum ProbabilitySource: String, Codable, Hashable, Sendable {
        case overridden, suggested, stageDefault
    }

    /// One opportunity as the pipeline keeps it.
    public struct OpportunityRow: Codable, Hashable, Sendable {
        public var opportunityID: UUID
        public var customerID: UUID
        public var customerName: String?
        public var title: String
        public var source: String
        public var owner: String
        public var pipeline: String
        /// The pipeline's open stages, in order (a copy from the opening event).
        public var stages: [String]
        public var stage: String
        public var status: Opportunity.Status
        public var expectedRevenue: Money
        public var closeDate: LocalDate
        public var suggestedProbability: Decimal?
        public var overriddenProbability: Decimal?
        /// The customer's scope with the owner among its owners.
        public var scope: RecordScope
        /// The contact persons of its customer it names (R-CUS-3), in the order named.
        public var contacts: [UUID] = []

        /// The stage's position in its pipeline (stages outside it sort last).
        public var stageIndex: Int { stages.firstIndex(of: stage) ?? stages.count }

        /// The probability in use, in percent: override, else suggestion, else the stage's default.
        public var probability: Decimal {
            overriddenProbability ?? suggestedProbability ?? OpportunityPipeline.defaultProbability(stage: stage, in: stages)
        }

        public var probabilitySource: ProbabilitySource {
            overriddenProbability != nil ? .overridden : suggestedProbability != nil ? .suggested : .stageDefault
        }

        /// The weighted forecast: the full amount once won, zero once lost, else amount × probability.
        public var weightedRevenue: Money {
            switch status {
            case .won: return expectedRevenue
            case .lost: return Money(0, expectedRevenue.currency)
            case .open: return Money(expectedRevenue.amount * probability / 100, expectedRevenue.currency)
            }
        }
    }

    /// An opportunity's openings and closings, oldest first.
    public struct StatusHistory: Codable, Hashable, Sendable {
        public var opportunityID: UUID
        public var customerID: UUID
        public var changes: [StatusChange]
    }

    /// The opportunity was open (opened or reopened) or closed (won or lost) from `at` on: the instant its
    /// event was recorded.
    public struct StatusChange: Codable, Hashable, Sendable {
        public var at: Date
        public var open: Bool
    }

    /// The default win probabilities of the default pipeline's stages (R-SAL-1's sales-status ladder), in percent.
    public static let defaultStageProbabilities: [String: Decimal] = [
        "maintainingRelationship": 10, "opportunityFound": 25, "opportunityConfirmed": 50, "inSales": 75,
    ]

    /// A stage's default win probability in percent: the table above for the default ladder's stages, else
    /// evenly spaced by position — stage `i` (0-based) of `n` gets `(i + 1) × 100 / (n + 1)`, in whole percent
    /// rounded down (a 3-stage pipeline: 25, 50, 75). A stage outside the list gets 0.
    public static func defaultProbability(stage: String, in stages: [String]) -> Decimal {
        if let p = defaultStageProbabilities[stage] { return p }
        guard let i = stages.firstIndex(of: stage) else { return 0 }
        return Decimal((i + 1) * 100 / (stages.count + 1))
    }

    public func apply(_ event: ProjectionEvent, to views: any ViewWriter) throws {
        try CustomerScopes.apply(event, to: views)
        try WorkProjections.CustomerNames.apply(event, to: views)
        if let customerID = WorkProjections.customerChanged(by: event) {
            try WorkProjections.refreshLinked(customerID, in: views) { id, name in
                try change(id, rescope: true, in: views) { $0.customerName = name }
            }
            return
        }
        try apply(event.payload, event, to: views)
    }

    /// The `switch` over the payload opened to its type (why: ``Projection``).
    private func apply<Payload: EventPayload>(_ payload: Payload, _ event: ProjectionEvent, to views: any ViewWriter) throws {
        switch payload {
        case let e as OpportunityOpened:
            guard try views.value(forKey: Self.key(e.opportunityID), in: Self.opportunities) == nil else { return }
            let d = e.details
            var row = OpportunityRow(
                opportunityID: e.opportunityID, customerID: d.customerID,
                customerName: try WorkProjections.CustomerNames.name(of: d.customerID, in: views), title: d.title,
                source: d.source, owner: e.owner, pipeline: e.pipeline.name, stages: e.pipeline.stages, stage: e.stage,
                status: .open, expectedRevenue: d.expectedRevenue, closeDate: d.closeDate, scope: .global)
            row.scope = try CustomerScopes.scope(of: d.customerID, in: views).owned(by: e.owner)
            try replace(nil, with: row, in: views)
            try views.put(row: StatusHistory(opportunityID: e.opportunityID, customerID: d.customerID,
                                             changes: [StatusChange(at: event.recordedAt, open: true)]),
                          forKey: Self.key(e.opportunityID), in: Self.statusChanges)
        case let e as OpportunityAssigned:
            try change(e.opportunityID, in: views) { $0.owner = e.owner }
        case let e as OpportunityStageChanged:
            try change(e.opportunityID, in: views) { row in
                if case .option(let stage)? = e.change.new { row.stage = stage }
            }
        case let e as OpportunityEdited:
            try change(e.opportunityID, in: views) { row in
                for change in e.changes {
                    switch (change.field, change.new) {
                    case ("title", .text(let v)?): row.title = v
                    case ("source", .option(let v)?), ("source", .text(let v)?): row.source = v
                    case ("expectedRevenue", .money(let v)?): row.expectedRevenue = v
                    case ("closeDate", .date(let v)?): row.closeDate = v
                    default: break
                    }
                }
            }
        case let e as WinProbabilitySuggested:
            try change(e.opportunityID, in: views) { $0.suggestedProbability = e.percent }
        case let e as WinProbabilityOverridden:
            try change(e.opportunityID, in: views) { $0.overriddenProbability = e.percent }
        case let e as OpportunityWon:
            try change(e.opportunityID, in: views) { $0.status = .won }
            try stamp(e.opportunityID, open: false, at: event.recordedAt, in: views)
        case let e as OpportunityLost:
            try change(e.opportunityID, in: views) { $0.status = .lost }
            try stamp(e.opportunityID, open: false, at: event.recordedAt, in: views)
        case let e as OpportunityReopened:
            try change(e.opportunityID, in: views) {
                $0.status = .open
                $0.stage = e.stage
            }
            try stamp(e.opportunityID, open: true, at: event.recordedAt, in: views)
        case let e as OpportunityContactsAdded:
            try change(e.opportunityID, in: views) { row in row.contacts += e.contactIDs.filter { !row.contacts.contains($0) } }
        case let e as OpportunityContactsRemoved:
            try change(e.opportunityID, in: views) { $0.contacts.removeAll { e.contactIDs.contains($0) } }
        default:
            return
        }
    }

    static func key(_ id: UUID) -> [UInt8] { ViewKey().uuid(id).bytes }
    static func ownerKey(_ r: OpportunityRow) -> [UInt8] {
        ViewKey().string(r.owner).string(r.pipeline).int64(Int64(r.stageIndex)).uuid(r.opportunityID).bytes
    }
    static func stageKey(_ r: OpportunityRow) -> [UInt8] {
        ViewKey().string(r.pipeline).int64(Int64(r.stageIndex)).uuid(r.opportunityID).bytes
    }

    /// Removes `old`'s index rows and writes `new`'s: every change goes through here.
    private func replace(_ old: OpportunityRow?, with new: OpportunityRow, in views: any ViewWriter) throws {
        if let old, old.status == .open {
            try views.delete(key: Self.ownerKey(old), in: Self.byOwner)
            try views.delete(key: Self.stageKey(old), in: Self.byStage)
        }
        let row = new.binaryForm
        try views.put(row, forKey: Self.key(new.opportunityID), in: Self.opportunities)
        if new.status == .open {
            try views.put(row, forKey: Self.ownerKey(new), in: Self.byOwner)
            try views.put(row, forKey: Self.stageKey(new), in: Self.byStage)
        }
        if old == nil { try WorkProjections.CustomerLinks.link(new.customerID, new.opportunityID, in: views) }
    }

    /// Records that an opportunity opened or closed at `at`, unless it already stood so.
    private func stamp(_ id: UUID, open: Bool, at: Date, in views: any ViewWriter) throws {
        try views.update(StatusHistory.self, forKey: Self.key(id), in: Self.statusChanges) { old in
            guard var history = old else { return nil }
            if history.changes.last?.open != open { history.changes.append(StatusChange(at: at, open: open)) }
            return history
        }
    }

    /// Every opportunity's openings and closings (churn's open opportunities as of a day).
    public static func statusHistories(in views: any ViewReader) throws -> [StatusHistory] {
        try views.rows(StatusHistory.self, in: statusChanges).map(\.row)
    }

    /// Changes a stored row; its scope is read again when its owner changes or `rescope` says its customer
    /// moved (``WorkProjections/refreshLinked(_:in:_:)``).
    private func change(_ id: UUID, rescope: Bool = false, in views: any ViewWriter, _ body: (inout OpportunityRow) -> Void) throws {
        guard let old = try views.row(OpportunityRow.self, forKey: Self.key(id), in: Self.opportunities) else { return }
        var new = old
        body(&new)
        if rescope || new.owner != old.owner { new.scope = try CustomerScopes.scope(of: new.customerID, in: views).owned(by: new.owner) }
        guard new != old else { return }
        try replace(old, with: new, in: views)
    }
}
