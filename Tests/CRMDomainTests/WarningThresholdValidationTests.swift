import CRMDomain
import EventSourcing
import Foundation
import Testing

/// A warning threshold names a metric a consumer reads and holds a value that consumer can work with: a
/// churn threshold of 0 or less used to be recorded and then stop every scheduled run.
@Suite struct WarningThresholdValidationTests {
    func threshold(_ metric: String, _ value: Decimal, branch: String? = nil, community: String? = nil) -> Settings.Command {
        .setWarningThreshold(WarningThreshold(metric: metric, branch: branch, community: community, value: value))
    }

    @Test func aValueOutsideItsMetricsRangeIsRefusedNamingTheValue() {
        let s = Scenario(Settings.self)
        let refused: [(String, Decimal)] = [
            ("churnRiskThreshold", -5), ("churnRiskThreshold", 0), ("churnRiskThreshold", 101),
            ("churnRiskMargin", -1), ("churnRiskMargin", 100), ("churnRiskMargin", 500),
            ("noContactDays", -1), ("noContactDays", 0), ("noContactDays", Decimal(string: "2.5") ?? 0), ("noContactDays", 36_501),
            ("revenueDropPercent", 0), ("revenueDropPercent", Decimal(string: "100.01") ?? 0),
            ("activityDropPercent", -10), ("usageBelowOwnPercent", 0), ("usageBelowPeerPercent", 150),
        ]
        for (metric, value) in refused {
            let error = s.whenRefused(threshold(metric, value))
            #expect(error?.code == .invalid && error?.field == "value", "\(metric) \(value)")
        }
        // Per-branch and per-community overrides are judged alike.
        #expect(s.whenRefused(threshold("churnRiskThreshold", -5, branch: "north"))?.field == "value")
        #expect(s.whenRefused(threshold("churnRiskMargin", 500, branch: "north", community: "harbour"))?.field == "value")
    }

    @Test func anUnknownMetricIsRefusedNamingTheKnownOnes() throws {
        let s = Scenario(Settings.self)
        let error = try #require(s.whenRefused(threshold("bogusMetric", 5)))
        #expect(error.code == .invalid && error.field == "metric")
        #expect(error.detail.contains("churnRiskThreshold") && error.detail.contains("usageBelowPeerPercent"))
        #expect(s.whenRefused(threshold("ChurnRiskThreshold", 50))?.field == "metric", "names are exact")
    }

    @Test func valuesAtTheEdgesOfEachRangeAreRecorded() {
        var s = Scenario(Settings.self)
        let accepted: [(String, Decimal)] = [
            ("churnRiskThreshold", 100), ("churnRiskThreshold", Decimal(string: "0.5") ?? 0), ("churnRiskMargin", 0),
            ("churnRiskMargin", Decimal(string: "99.5") ?? 0), ("noContactDays", 1), ("noContactDays", 36_500),
            ("revenueDropPercent", 100), ("activityDropPercent", Decimal(string: "0.01") ?? 0), ("usageBelowOwnPercent", 100),
            ("usageBelowPeerPercent", 50),
        ]
        for (metric, value) in accepted {
            #expect(s.apply(threshold(metric, value, branch: "north")).count == 1, "\(metric) \(value)")
        }
        #expect(s.apply(threshold(" noContactDays ", 30)) == [
            .warningThresholdSet(WarningThresholdSet(threshold: WarningThreshold(metric: "noContactDays", value: 30), previous: nil)),
        ], "the name is trimmed")
    }

    @Test func aValueRecordedBeforeTheCheckIsPassedOverForTheNextLessSpecificOne() {
        // A log from before the check: a global threshold of 60 and an unusable one of -5 for branch north.
        let state = Settings.replay([
            .warningThresholdSet(WarningThresholdSet(threshold: WarningThreshold(metric: "churnRiskThreshold", value: 60))),
            .warningThresholdSet(WarningThresholdSet(threshold: WarningThreshold(metric: "churnRiskThreshold", branch: "north", value: -5))),
            .warningThresholdSet(WarningThresholdSet(threshold: WarningThreshold(metric: "churnRiskMargin", value: 500))),
        ])
        #expect(state.warningThreshold("churnRiskThreshold", branch: "north", community: nil)?.value == 60)
        #expect(state.warningThreshold("churnRiskMargin", branch: "north", community: nil) == nil, "no usable margin: the default applies")
        #expect(state.warningThresholds.count == 3, "the recorded values stay in the state as recorded")
    }

    @Test func everyMetricTheConsumersReadIsKnown() {
        #expect(Set(WarningThreshold.Metric.allCases.map(\.rawValue)) == [
            "revenueDropPercent", "activityDropPercent", "noContactDays", "churnRiskThreshold", "churnRiskMargin",
            "usageBelowOwnPercent", "usageBelowPeerPercent",
        ])
    }
}
