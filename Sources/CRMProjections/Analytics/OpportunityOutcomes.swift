import CRMDomain
import EventSourcing
import Foundation

/// Every opportunity's pipeline, product line, source, furthest stage reached and outcome, for the win
/// probability suggested from history (R-SAL-2).
///
/// ```swift
/// let closed = try OpportunityOutcomes.all(in: views).filter { $0.status != .open }
/// ```
public struct OpportunityOutcomes: Projection {
    public let name = "opportunity-outcomes"
    public let version: UInt32 = 2

    /// `opportunity id → Row`.
    public static let rows = ViewTable("rows")

    public var tables: [ViewTable] { [Self.rows, CustomerScopes.table] }
    public var eventTypes: Set<String>? {
        CustomerScopes.eventTypes.union([
            OpportunityOpened.eventType, OpportunityStageChanged.eventType, OpportunityEdited.eventType, OpportunityWon.eventType,
            OpportunityLost.eventType, OpportunityReopened.eventType,
        ])
    }

    public init() {}

    public struct Row: Codable, Hashable, Sendable {
        public var opportunityID: UUID
        public var pipeline: String
        public var stages: [String]
        public var source: String
        /// The product line, when one is set (`productLine` edits).
        public var productLine: String?
        public var stage: String
        /// The highest index in `stages` the opportunity reached.
        public var furthestStage: Int
        public var status: Opportunity.Status
        public var scope: RecordScope
    }

    public func apply(_ event: ProjectionEvent, to views: any ViewWriter) throws {
        try CustomerScopes.apply(event, to: views)
        try apply(event.payload, event, to: views)
    }

    /// The `switch` over the payload opened to its type (why: ``Projection``).
    private func apply<Payload: EventPayload>(_ payload: Payload, _ event: ProjectionEvent, to views: any ViewWriter) throws {
        switch payload {
        case let e as OpportunityOpened:
            let row = Row(opportunityID: e.opportunityID, pipeline: e.pipeline.name, stages: e.pipeline.stages, source: e.details.source, productLine: nil, stage: e.stage,
                          furthestStage: e.pipeline.stages.firstIndex(of: e.stage) ?? 0, status: .open,
                          scope: try CustomerScopes.scope(of: e.details.customerID, in: views).owned(by: e.owner))
            try views.put(row: row, forKey: ViewKey().uuid(e.opportunityID).bytes, in: Self.rows)
        case let e as OpportunityStageChanged:
            guard case .option(let stage)? = e.change.new else { return }
            try change(e.opportunityID, in: views) { $0.reach(stage) }
        case let e as OpportunityEdited:
            for c in e.changes {
                switch (c.field, c.new) {
                case ("source", .option(let source)?): try change(e.opportunityID, in: views) { $0.source = source }
                case ("productLine", .option(let line)?): try change(e.opportunityID, in: views) { $0.productLine = line }
                case ("productLine", nil): try change(e.opportunityID, in: views) { $0.productLine = nil }
                default: break
                }
            }
        case let e as OpportunityWon:
            try change(e.opportunityID, in: views) { $0.reach(e.stage); $0.status = .won }
        case let e as OpportunityLost:
            try change(e.opportunityID, in: views) { $0.reach(e.stage); $0.status = .lost }
        case let e as OpportunityReopened:
            try change(e.opportunityID, in: views) { $0.status = .open; $0.stage = e.stage }
        default:
            return
        }
    }

    /// Every opportunity whose scope `include` admits.
    public static func all(in views: any ViewReader, where include: (Row) -> Bool = { _ in true }) throws -> [Row] {
        try views.rows(Row.self, in: rows, where: include).map(\.row)
    }

    private func change(_ id: UUID, in views: any ViewWriter, _ body: (inout Row) -> Void) throws {
        try views.update(Row.self, forKey: ViewKey().uuid(id).bytes, in: Self.rows) { old in
            guard var r = old else { return nil }
            body(&r)
            return r
        }
    }
}

extension OpportunityOutcomes.Row {
    mutating func reach(_ stage: String) {
        self.stage = stage
        if let i = stages.firstIndex(of: stage) { furthestStage = max(furthestStage, i) }
    }
}
