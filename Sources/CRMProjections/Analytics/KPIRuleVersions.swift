import CRMDomain
import EventSourcing
import Foundation

/// Every KPI rule set the settings ever held (R-ANA-1), keyed by the log position of its
/// `KPIRulesReplaced` or `KPIScoringSet` event: the position is the rule version an assessment names, so a
/// past period's ranking can be recomputed under the rules (and scoring curves and periods) it was
/// computed under.
///
/// ```swift
/// let versions = try KPIRuleVersions.all(in: views)   // oldest first
/// ```
public struct KPIRuleVersions: Projection {
    public let name = "kpi-rule-versions"
    public let version: UInt32 = 2

    /// `position → Version`.
    public static let versions = ViewTable("versions")

    public var tables: [ViewTable] { [Self.versions] }
    public var eventTypes: Set<String>? { [KPIRulesReplaced.eventType, KPIScoringSet.eventType] }

    public init() {}

    /// One rule set and when it took effect.
    public struct Version: Codable, Hashable, Sendable {
        /// The log position of the change.
        public var version: UInt64
        /// The change's recorded time.
        public var effectiveFrom: Date
        public var rules: [KPIRule]
        /// The indicators' scoring curves and periods where not the default.
        public var scoring: [KPIScoring]
    }

    public func apply(_ event: ProjectionEvent, to views: any ViewWriter) throws {
        let last = try views.rows(Version.self, in: Self.versions).last?.row
        var row = Version(version: event.position.rawValue, effectiveFrom: event.recordedAt, rules: last?.rules ?? [], scoring: last?.scoring ?? [])
        switch event.payload {
        case let e as KPIRulesReplaced:
            row.rules = e.rules
        case let e as KPIScoringSet:
            row.scoring.removeAll { $0.indicator == e.scoring.indicator }
            row.scoring.append(e.scoring)
            row.scoring.sort { $0.indicator < $1.indicator }
        default:
            return
        }
        try views.put(row: row, forKey: ViewKey().position(event.position).bytes, in: Self.versions)
    }

    /// Every version, oldest first.
    public static func all(in views: any ViewReader) throws -> [Version] {
        try views.rows(Version.self, in: versions).map(\.row)
    }
}
