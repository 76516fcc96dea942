import CRMDomain
import Foundation

/// Recency, frequency and monetary analysis (R-ANA-3): quintile scores, a weighted loyalty score,
/// segments and loyalty tiers. Pure: the day of the analysis and the window are parameters.
///
/// ```swift
/// let inputs = histories.map { RFM.Input($0, window: window, asOf: today) }
/// let scored = RFM.score(inputs, partition: .perBranch)
/// let champions = scored.filter { $0.segment == "champions" }
/// ```
public enum RFM {
    /// One customer's purchase facts over the analysis window.
    public struct Input: Hashable, Sendable {
        public var customerID: UUID
        /// The branch (or community) the customer is scored within when partitioning; nil: none.
        public var branch: String?
        /// Days from the last purchase to the day of the analysis; nil when the customer never bought
        /// (ranked below every customer who did).
        public var recencyDays: Int?
        /// Purchases in the window.
        public var frequency: Int
        /// Net amount spent in the window.
        public var monetary: Decimal

        public init(customerID: UUID, branch: String? = nil, recencyDays: Int?, frequency: Int, monetary: Decimal) {
            self.customerID = customerID
            self.branch = branch
            self.recencyDays = recencyDays
            self.frequency = frequency
            self.monetary = monetary
        }
    }

    /// Whether customers are ranked against all customers or against those of their own branch.
    public enum Partition: String, Hashable, Sendable, Codable {
        case global, perBranch
    }

    /// The weights of R, F and M in the loyalty score.
    public struct Weights: Hashable, Sendable, Codable {
        public var recency: Decimal
        public var frequency: Decimal
        public var monetary: Decimal

        public init(recency: Decimal = 1, frequency: Decimal = 1, monetary: Decimal = 1) {
            self.recency = recency
            self.frequency = frequency
            self.monetary = monetary
        }
    }

    /// A segment: customers whose R score and FM score (the mean of F and M) fall in both ranges.
    /// Rules are tried in order; the first that matches names the segment.
    public struct SegmentRule: Hashable, Sendable, Codable {
        public var name: String
        public var recency: ClosedRange<Int>
        public var frequencyMonetary: ClosedRange<Decimal>

        public init(_ name: String, recency: ClosedRange<Int>, frequencyMonetary: ClosedRange<Decimal>) {
            self.name = name
            self.recency = recency
            self.frequencyMonetary = frequencyMonetary
        }

        /// The default segments (docs/ANALYTICS.md), every (R, FM) pair falls in exactly one of them.
        public static let defaults: [SegmentRule] = [
            SegmentRule("champions", recency: 4...5, frequencyMonetary: 4...5),
            SegmentRule("loyal", recency: 3...3, frequencyMonetary: 4...5),
            SegmentRule("cantLose", recency: 1...1, frequencyMonetary: 4...5),
            SegmentRule("atRisk", recency: 2...2, frequencyMonetary: 3...5),
            SegmentRule("atRisk", recency: 1...1, frequencyMonetary: 3...3.5),
            SegmentRule("potentialLoyalists", recency: 4...5, frequencyMonetary: 2...3.5),
            SegmentRule("newCustomers", recency: 4...5, frequencyMonetary: 1...1.5),
            SegmentRule("needAttention", recency: 3...3, frequencyMonetary: 2.5...3.5),
            SegmentRule("aboutToSleep", recency: 3...3, frequencyMonetary: 1...2),
            SegmentRule("hibernating", recency: 1...2, frequencyMonetary: 2...2.5),
            SegmentRule("lost", recency: 1...2, frequencyMonetary: 1...1.5),
        ]
    }

    /// One customer's scores.
    public struct Score: Hashable, Sendable {
        public var customerID: UUID
        public var branch: String?
        public var input: Input
        /// 1…5; 5 = bought most recently.
        public var recency: Int
        /// 1…5; 5 = bought most often.
        public var frequency: Int
        /// 1…5; 5 = spent most.
        public var monetary: Int
        /// `(wR·R + wF·F + wM·M) / (wR + wF + wM)`, 1…5, rounded half-even to 2 places.
        public var loyalty: Decimal
        /// The first matching ``SegmentRule``'s name, or `"unclassified"`.
        public var segment: String
        /// The loyalty tier from the settings' ``LoyaltyThreshold``s, or nil below the lowest.
        public var tier: String?
    }

    /// Scores every input by quintiles (``Quintiles``: equal values, equal scores) within its partition.
    public static func score(
        _ inputs: [Input], partition: Partition = .global, weights: Weights = Weights(),
        segments: [SegmentRule] = SegmentRule.defaults, tiers: [LoyaltyThreshold] = []
    ) -> [Score] {
        var groups: [String: [Int]] = [:]
        for (i, input) in inputs.enumerated() {
            let key = partition == .perBranch ? (input.branch ?? "") : ""
            groups[key, default: []].append(i)
        }
        var out = [Score?](repeating: nil, count: inputs.count)
        // Loyalty, segment and tier depend on the score triple only: 125 triples, computed once each
        // (Decimal arithmetic per customer dominated the scoring of 100k customers).
        var classes: [Int: (loyalty: Decimal, segment: String, tier: String?)] = [:]
        func classify(_ r: Int, _ f: Int, _ m: Int) -> (loyalty: Decimal, segment: String, tier: String?) {
            let key = r * 36 + f * 6 + m
            if let known = classes[key] { return known }
            let loyalty = loyaltyScore(recency: r, frequency: f, monetary: m, weights: weights)
            let value = (loyalty, segment(recency: r, frequency: f, monetary: m, rules: segments), tier(of: loyalty, thresholds: tiers))
            classes[key] = value
            return value
        }
        for indices in groups.values {
            let members = indices.map { inputs[$0] }
            // A customer who never bought ranks worst on recency: Int.max days.
            let r = Quintiles.reversedScores(members.map { $0.recencyDays ?? Int.max })
            let f = Quintiles.scores(members.map(\.frequency))
            let m = Quintiles.scores(members.map(\.monetary))
            for (k, index) in indices.enumerated() {
                let input = inputs[index]
                let c = classify(r[k], f[k], m[k])
                out[index] = Score(
                    customerID: input.customerID, branch: input.branch, input: input, recency: r[k], frequency: f[k], monetary: m[k],
                    loyalty: c.loyalty, segment: c.segment, tier: c.tier)
            }
        }
        return out.compactMap { $0 }
    }

    /// The weighted loyalty score; with all weights zero, the plain mean.
    public static func loyaltyScore(recency: Int, frequency: Int, monetary: Int, weights: Weights = Weights()) -> Decimal {
        let total = weights.recency + weights.frequency + weights.monetary
        let sum = Decimal(recency) * weights.recency + Decimal(frequency) * weights.frequency + Decimal(monetary) * weights.monetary
        let value = total == 0 ? Decimal(recency + frequency + monetary) / 3 : sum / total
        return value.rounded(2)
    }

    /// The segment of R, F and M scores: FM = (F + M) / 2; the first rule whose ranges hold both.
    public static func segment(recency: Int, frequency: Int, monetary: Int, rules: [SegmentRule] = SegmentRule.defaults) -> String {
        let fm = Decimal(frequency + monetary) / 2
        return rules.first { $0.recency.contains(recency) && $0.frequencyMonetary.contains(fm) }?.name ?? "unclassified"
    }

    /// The tier whose minimum score is the highest not above `score`; nil below every threshold.
    public static func tier(of score: Decimal, thresholds: [LoyaltyThreshold]) -> String? {
        thresholds.filter { $0.minimumScore <= score }.max { $0.minimumScore < $1.minimumScore }?.tier
    }
}

extension Decimal {
    /// Rounded half-even to `places` decimal places.
    func rounded(_ places: Int) -> Decimal {
        var value = self
        var out = Decimal()
        NSDecimalRound(&out, &value, places, .bankers)
        return out
    }
}

extension RFM.Weights {
    /// The weights of the settings' RFM scheme (1, 1, 1 without one).
    public init(_ scheme: RFMScheme?) {
        self.init(recency: scheme?.recencyWeight ?? 1, frequency: scheme?.frequencyWeight ?? 1, monetary: scheme?.monetaryWeight ?? 1)
    }
}

extension RFM.SegmentRule {
    /// The segment rules of the settings' RFM scheme: the built-in ones without a scheme or segments.
    public static func rules(of scheme: RFMScheme?) -> [RFM.SegmentRule] {
        guard let segments = scheme?.segments, !segments.isEmpty else { return defaults }
        return segments.map { RFM.SegmentRule($0.name, recency: $0.recencyFrom...$0.recencyTo, frequencyMonetary: $0.fmFrom...$0.fmTo) }
    }
}
