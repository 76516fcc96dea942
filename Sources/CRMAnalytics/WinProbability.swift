import CRMDomain
import Foundation

/// The win probability suggested from history (R-SAL-2): the win rate of closed opportunities like this
/// one — same pipeline and product line, that reached at least this stage, from the same source —
/// falling back to coarser groups while the history is too thin.
///
/// ```swift
/// let s = WinProbability.suggest(pipeline: "gas", stages: stages, stage: "proposal", source: "referral", history: outcomes)
/// ```
public enum WinProbability {
    /// One closed opportunity as the history keeps it.
    public struct Outcome: Hashable, Sendable {
        public var pipeline: String
        /// The highest stage index it reached in its pipeline.
        public var furthestStage: Int
        public var source: String
        public var productLine: String?
        public var won: Bool

        public init(pipeline: String, furthestStage: Int, source: String, productLine: String? = nil, won: Bool) {
            self.pipeline = pipeline
            self.furthestStage = furthestStage
            self.source = source
            self.productLine = productLine
            self.won = won
        }
    }

    /// A suggestion and what it rests on.
    public struct Suggestion: Hashable, Sendable {
        /// Won ÷ closed × 100, rounded half-even to a whole percent.
        public var percent: Decimal
        /// How many closed opportunities it rests on.
        public var sample: Int
        public var won: Int
        /// `pipeline+line+stage+source`, `pipeline+line+stage`, `pipeline+stage+source`, `pipeline+stage` or
        /// `pipeline`: the finest group with enough history (the `line` groups only for an opportunity with a
        /// product line).
        public var basis: String
    }

    /// The suggestion for an opportunity of `pipeline` (and `productLine`, if it has one) at `stage` (index
    /// in `stages`) from `source`: the win rate of the closed opportunities of the same pipeline and product
    /// line that reached the stage and came from the same source; with fewer than `minimumSample` of them,
    /// of those of the line that reached the stage from any source; then the same two without the product
    /// line; then of the whole pipeline; nil when even that is too thin or the stage is unknown.
    public static func suggest(pipeline: String, stages: [String], stage: String, source: String, productLine: String? = nil,
                               history: [Outcome], minimumSample: Int = 5) -> Suggestion? {
        guard let index = stages.firstIndex(of: stage) else { return nil }
        let inPipeline = history.filter { $0.pipeline == pipeline }
        let reached = inPipeline.filter { $0.furthestStage >= index }
        var groups: [(String, [Outcome])] = []
        if let productLine {
            let sameLine = reached.filter { $0.productLine == productLine }
            groups += [("pipeline+line+stage+source", sameLine.filter { $0.source == source }), ("pipeline+line+stage", sameLine)]
        }
        groups += [
            ("pipeline+stage+source", reached.filter { $0.source == source }), ("pipeline+stage", reached), ("pipeline", inPipeline),
        ]
        for (basis, outcomes) in groups where outcomes.count >= max(1, minimumSample) {
            let won = outcomes.filter(\.won).count
            return Suggestion(percent: (Decimal(won) / Decimal(outcomes.count) * 100).rounded(0), sample: outcomes.count, won: won, basis: basis)
        }
        return nil
    }
}
