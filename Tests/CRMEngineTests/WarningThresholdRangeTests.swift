import CRMAnalytics
import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// A churn threshold of 0 or less stopped the scheduled run (the churn watch refuses it): the settings
/// command refuses it now, and one recorded before that check is passed over for the default.
@Suite struct WarningThresholdRangeTests {
    @Test func anOutOfRangeThresholdIsRefusedAndNothingIsWritten() async throws {
        let f = try await EngineFixture.make("threshold-refused")
        let head = try await f.engine.store.headPosition()
        for (metric, value, field) in [("churnRiskThreshold", Decimal(-5), "value"), ("bogusMetric", Decimal(5), "metric"),
                                       ("noContactDays", Decimal(-1), "value"), ("churnRiskMargin", Decimal(500), "value")] {
            do {
                try await f.engine.execute(Settings.self, id: UUID(), .setWarningThreshold(WarningThreshold(metric: metric, branch: "north", value: value)),
                                           as: f.admin)
                Issue.record("\(metric) \(value) was recorded")
            } catch let error as EngineError {
                #expect(error.code == .rejected && error.domain?.code == .invalid && error.field == field, "\(metric): \(error)")
            }
        }
        #expect(try await f.engine.store.headPosition() == head, "nothing written")
        await f.close()
    }

    /// A log holding a churn threshold of -5 for the customer's branch (recorded before the check): the
    /// scheduled run evaluates the customer with the default threshold (50) and dispatches its retention task.
    @Test func aThresholdRecordedBeforeTheCheckNoLongerStopsTheChurnWatch() async throws {
        let f = try await EngineFixture.make("threshold-legacy")
        let owner = try await f.hire("Keeper", branch: "north", permissions: [Permission(module: .tasks, actions: [.query, .edit], scope: .own)])
        let customer = try await f.customer("Fading Buyer", branch: "north", owner: owner.id)
        let ledger = RevenueLedger.id(customerID: customer)
        for month in 4...9 {  // monthly purchases April to September 2025, then nothing: a risk of at least 50 on 2026-01-01
            let entry = RevenueLedger.Entry(id: UUID.derived("entry", "\(month)"), customerID: customer, chargeItem: "gas", businessLine: "gas",
                                            date: try EngineFixture.day(String(format: "2025-%02d-10", month)), amount: Money(100, .cny))
            try await f.engine.execute(RevenueLedger.self, id: ledger, .record(entry), as: f.admin)
        }
        let legacy = Settings.Event.warningThresholdSet(WarningThresholdSet(threshold: WarningThreshold(metric: "churnRiskThreshold", branch: "north", value: -5)))
        _ = try await f.engine.store.append([try legacy.eventData(id: UUID(), metadata: .system)], to: Settings.streamID, expectedVersion: .any)
        try await f.engine.views.waitUntil(try await f.engine.store.headPosition())
        #expect(try await f.engine.runScheduledWork().retentionTasksDispatched == 1)
        let episodes = try await f.engine.store.readStream(ChurnWatch.stream(customer)).map(\.type)
        #expect(episodes == ["ChurnEpisodeOpened"])
        await f.close()
    }
}
