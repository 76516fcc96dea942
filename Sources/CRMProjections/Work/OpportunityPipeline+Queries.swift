import CRMDomain
import EventSourcing
import Foundation

extension OpportunityPipeline {
    /// The open opportunities of one stage and currency, summed (never across currencies).
    public struct StageTotal: Hashable, Sendable {
        public var pipeline: String
        public var stage: String
        public var stageIndex: Int
        public var currency: Currency
        public var count: Int
        /// Σ expected revenue.
        public var amount: Decimal
        /// Σ expected revenue × probability.
        public var weighted: Decimal
    }

    /// One opportunity, open or closed.
    public static func opportunity(_ id: UUID, in views: any ViewReader) throws -> OpportunityRow? {
        try views.row(OpportunityRow.self, forKey: key(id), in: opportunities)
    }

    /// An owner's open opportunities, by pipeline, then stage order, then id.
    public static func pipeline(owner: String, in views: any ViewReader) throws -> [OpportunityRow] {
        try views.rows(OpportunityRow.self, in: byOwner, prefix: ViewKey().string(owner).bytes).map(\.row)
    }

    /// The open opportunities of one pipeline stage, paginated, filtered by `include` (the viewer's scope).
    public static func stage(
        _ stage: String, of pipeline: String, stages: [String], in views: any ViewReader, after: [UInt8]? = nil, limit: Int = 100,
        where include: (OpportunityRow) -> Bool = { _ in true }
    ) throws -> WorkProjections.Page<OpportunityRow> {
        let index = stages.firstIndex(of: stage) ?? stages.count
        return try WorkProjections.page(
            byStage, in: views, prefix: ViewKey().string(pipeline).int64(Int64(index)).bytes, after: after, limit: limit,
            map: { (row: OpportunityRow) in include(row) && row.stage == stage ? row : nil })
    }

    /// Totals per pipeline, stage and currency of the open opportunities `include` admits (e.g. the
    /// viewer's scope), optionally of one owner only; in pipeline, stage order, currency order.
    public static func totals(
        owner: String? = nil, in views: any ViewReader, where include: (OpportunityRow) -> Bool = { _ in true }
    ) throws -> [StageTotal] {
        var totals: [StageTotal] = []
        var index: [String: Int] = [:]
        let table = owner == nil ? byStage : byOwner
        let prefix = owner.map { ViewKey().string($0).bytes } ?? []
        try views.scan(table, prefix: prefix, after: nil) { _, value in
            let row = try BinaryPayloadDecoder.decode(OpportunityRow.self, from: value)
            guard include(row) else { return true }
            let id = "\(row.pipeline)\u{1}\(row.stage)\u{1}\(row.expectedRevenue.currency.rawValue)"
            if let i = index[id] {
                totals[i].count += 1
                totals[i].amount += row.expectedRevenue.amount
                totals[i].weighted += row.weightedRevenue.amount
            } else {
                index[id] = totals.count
                totals.append(StageTotal(
                    pipeline: row.pipeline, stage: row.stage, stageIndex: row.stageIndex, currency: row.expectedRevenue.currency,
                    count: 1, amount: row.expectedRevenue.amount, weighted: row.weightedRevenue.amount))
            }
            return true
        }
        return totals.sorted {
            ($0.pipeline, $0.stageIndex, $0.currency.rawValue) < ($1.pipeline, $1.stageIndex, $1.currency.rawValue)
        }
    }
}
