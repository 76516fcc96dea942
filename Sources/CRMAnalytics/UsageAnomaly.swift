import CRMDomain
import Foundation

/// Usage anomalies (R-ANA-4, the gas specification's theft detection): a reading far below the customer's
/// own history and below its peers'.
///
/// ```swift
/// if let anomaly = UsageAnomaly.check(reading: 12, history: [100, 96, 104], peers: peerReadings) { … }
/// ```
public struct UsageAnomaly: Hashable, Sendable {
    /// The thresholds; defaults in docs/ANALYTICS.md.
    public struct Configuration: Hashable, Sendable, Codable {
        /// Flag only when the reading is at least this percent below the median of the own history.
        public var belowOwnPercent: Decimal = 50
        /// …and at least this percent below the peers' median (settings metric `usageBelowPeerPercent`).
        public var belowPeerPercent: Decimal = 50
        /// Fewer own readings than this: never flagged (no history to compare with).
        public var minimumHistory: Int = 3
        /// Fewer peer readings than this: the peer condition is skipped.
        public var minimumPeers: Int = 5

        public init() {}

        /// The defaults with the settings' `usageBelowOwnPercent` and `usageBelowPeerPercent` thresholds.
        public init(settings: Settings.State, branch: String?, community: String?) {
            self.init()
            if let v = settings.warningThreshold("usageBelowOwnPercent", branch: branch, community: community)?.value { belowOwnPercent = v }
            if let v = settings.warningThreshold("usageBelowPeerPercent", branch: branch, community: community)?.value { belowPeerPercent = v }
        }
    }

    public var reading: Decimal
    /// Median of the customer's earlier readings.
    public var ownBaseline: Decimal
    /// Median of the peers' readings; nil when too few peers.
    public var peerBaseline: Decimal?
    /// How far below the own baseline, in percent (2 places).
    public var belowOwnPercent: Decimal
    /// How far below the peer baseline, in percent; nil without peers.
    public var belowPeerPercent: Decimal?

    /// The anomaly of a reading, or nil when it is not one.
    public static func check(reading: Decimal, history: [Decimal], peers: [Decimal], configuration c: Configuration = Configuration()) -> UsageAnomaly? {
        guard history.count >= max(1, c.minimumHistory), let own = median(history), own > 0 else { return nil }
        let belowOwn = ((own - reading) / own * 100).rounded(2)
        guard belowOwn >= c.belowOwnPercent else { return nil }
        var peerBaseline: Decimal?
        var belowPeer: Decimal?
        if peers.count >= c.minimumPeers, let peer = median(peers), peer > 0 {
            let below = ((peer - reading) / peer * 100).rounded(2)
            guard below >= c.belowPeerPercent else { return nil }
            peerBaseline = peer
            belowPeer = below
        }
        return UsageAnomaly(reading: reading, ownBaseline: own, peerBaseline: peerBaseline, belowOwnPercent: belowOwn, belowPeerPercent: belowPeer)
    }

    /// The median (mean of the two middle values for an even count); nil for no values.
    public static func median(_ values: [Decimal]) -> Decimal? {
        guard !values.isEmpty else { return nil }
        let s = values.sorted()
        let mid = s.count / 2
        return s.count % 2 == 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2
    }
}
