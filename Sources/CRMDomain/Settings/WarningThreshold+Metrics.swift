import Foundation

extension WarningThreshold {
    /// The metrics a warning threshold may set, and the values each one's consumer can work with: the churn
    /// warning (`CRMAnalytics.Churn.Configuration`, the engine's churn watch) and the usage anomaly watch
    /// (`CRMAnalytics.UsageAnomaly.Configuration`). `setWarningThreshold` refuses another metric name and a
    /// value outside the metric's range (`invalid`, field `metric` / `value`), and
    /// ``Settings/State/warningThreshold(_:branch:community:)`` passes over a value outside it that was
    /// recorded before the check (so the next less specific one, else the default, applies): a value the
    /// consumers cannot use never reaches them. The ranges (docs/ANALYTICS.md, "Warning thresholds"):
    ///
    /// | metric | valid values | why |
    /// |---|---|---|
    /// | `revenueDropPercent`, `activityDropPercent` | more than 0, at most 100 | a fall of revenue or activity that is not negative is at most 100 %; 0 or less would fire when nothing fell |
    /// | `usageBelowOwnPercent`, `usageBelowPeerPercent` | more than 0, at most 100 | a reading that is not negative is at most 100 % below a baseline; 0 or less would flag readings that are not below it |
    /// | `noContactDays` | a whole number from 1 to 36500 | days since the last contact, compared as a whole number |
    /// | `churnRiskThreshold` | more than 0, at most 100 | the churn watch refuses a threshold of 0 or less, and the risk is at most 100, so a higher one never opens an episode |
    /// | `churnRiskMargin` | at least 0, less than 100 | the churn watch refuses a negative margin, and with a margin of 100 or more no risk (0 to 100) could fall below threshold − margin |
    public enum Metric: String, CaseIterable, Hashable, Sendable {
        case revenueDropPercent, activityDropPercent, noContactDays, churnRiskThreshold, churnRiskMargin, usageBelowOwnPercent, usageBelowPeerPercent

        /// The most days `noContactDays` may be (a hundred years): far beyond any history, and exact as an `Int`.
        public static let maximumNoContactDays = 36_500

        /// Whether `value` is one the metric's consumer works with (the table above).
        public func accepts(_ value: Decimal) -> Bool {
            guard !value.isNaN else { return false }
            switch self {
            case .revenueDropPercent, .activityDropPercent, .usageBelowOwnPercent, .usageBelowPeerPercent, .churnRiskThreshold:
                return value > 0 && value <= 100
            case .churnRiskMargin:
                return value >= 0 && value < 100
            case .noContactDays:
                var whole = Decimal()
                var copy = value
                NSDecimalRound(&whole, &copy, 0, .plain)
                return whole == value && value >= 1 && value <= Decimal(Self.maximumNoContactDays)
            }
        }

        /// The valid values in words, for a refusal and the documentation.
        public var validValues: String {
            switch self {
            case .revenueDropPercent, .activityDropPercent, .usageBelowOwnPercent, .usageBelowPeerPercent, .churnRiskThreshold:
                return "more than 0 and at most 100"
            case .churnRiskMargin:
                return "at least 0 and less than 100"
            case .noContactDays:
                return "a whole number of days from 1 to \(Self.maximumNoContactDays)"
            }
        }

        /// The metric a (trimmed) name names, or `invalid` (field `metric`) naming the known ones.
        public static func named(_ name: String) throws(DomainError) -> Metric {
            guard let metric = Metric(rawValue: name) else {
                throw .invalid("metric", "unknown metric; one of: " + allCases.map(\.rawValue).joined(separator: ", "))
            }
            return metric
        }
    }
}
