import CRMAnalytics
import CRMDomain
import Foundation
import Testing

@Suite struct ChurnTests {
    let customer = UUID.derived("customer", "x")

    /// Day `n` of May 2026.
    func day(_ n: Int) -> LocalDate { LocalCalendar.utc.localDate(of: Date(timeIntervalSince1970: 1_777_593_600)).adding(days: n - 1) }

    @Test func riskAddsTheWeightsOfTheSignalsThatFire() {
        let signals = Churn.Signals(
            customerID: customer, daysSinceLastPurchase: 70, usualGapDays: 30,  // 70 > 2 × 30 → +30
            revenueCurrent: 60, revenuePrevious: 100,                             // −40 % ≥ 30 % → +25
            activityCurrent: 4, activityPrevious: 5,                              // −20 % < 50 % → 0
            daysSinceLastContact: 20,                                             // ≤ 60 → 0
            openComplaints: 1,                                                    // +10
            contractExpiresInDays: 30, hasRenewalOpportunity: false)              // +20
        let risk = Churn.risk(signals)
        #expect(risk.score == 85)
        #expect(risk.contributions.map(\.reason) == [.purchaseGap, .revenueDrop, .serviceIssues, .contractExpiring])
        var renewing = signals
        renewing.hasRenewalOpportunity = true
        renewing.openComplaints = 2
        renewing.slaBreaches = 1  // 3 × 10 capped at 20
        #expect(Churn.risk(renewing).score == 75)
    }

    @Test func aOnePurchaseCustomerIsJudgedAgainstTheDefaultGap() {
        #expect(Churn.risk(Churn.Signals(customerID: customer, daysSinceLastPurchase: 95)).score == 30)
        #expect(Churn.risk(Churn.Signals(customerID: customer, daysSinceLastPurchase: 90)).score == 0)
        #expect(Churn.risk(Churn.Signals(customerID: customer, daysSinceLastContact: 61)).score == 15)
    }

    @Test func anEpisodeDispatchesOneRetentionTaskAndEndsWhenRiskFallsBelowThresholdMinusMargin() {
        var state = Churn.EpisodeState.calm
        var decisions: [Churn.Decision] = []
        // Threshold 50, margin 10: 55 opens, 70 and 45 (≥ 40) keep it open, 39 ends it.
        for (n, risk) in [40, 55, 70, 45, 39].enumerated() {
            let (next, decision) = Churn.step(state, customerID: customer, risk: Decimal(risk), taskCompleted: false, on: day(n + 1))
            state = next
            decisions.append(decision)
        }
        let task = Churn.retentionTaskID(customerID: customer, startedOn: day(2))
        #expect(decisions == [.none, .dispatchRetentionTask(taskID: task), .none, .none, .episodeEnded(taskID: task, reason: .riskFell)])
        #expect(state == .calm)
        #expect(task == UUID.derived("retention", customer.uuidString.lowercased(), "2026-05-02"))
    }

    @Test func completingTheRetentionTaskEndsTheEpisodeAndALaterCrossingOpensANewOne() {
        let (open, first) = Churn.step(.calm, customerID: customer, risk: 60, taskCompleted: false, on: day(6))
        guard case .open(let episode) = open else { Issue.record("no episode"); return }
        #expect(first == .dispatchRetentionTask(taskID: episode.taskID))
        // The same evaluation replayed derives the same task id.
        #expect(Churn.step(.calm, customerID: customer, risk: 60, taskCompleted: false, on: day(6)).1 == first)
        let (still, none) = Churn.step(open, customerID: customer, risk: 80, taskCompleted: false, on: day(7))
        #expect(none == .none)
        if case .open(let e) = still { #expect(e.peakRisk == 80 && e.taskID == episode.taskID) }
        let (calm, ended) = Churn.step(still, customerID: customer, risk: 80, taskCompleted: true, on: day(8))
        #expect(calm == .calm && ended == .episodeEnded(taskID: episode.taskID, reason: .taskCompleted))
        // Calm and completed again (late news): nothing. Risk still high on a later day: a new episode, a new task.
        #expect(Churn.step(.calm, customerID: customer, risk: 20, taskCompleted: true, on: day(9)).1 == .none)
        let (_, again) = Churn.step(calm, customerID: customer, risk: 80, taskCompleted: false, on: day(10))
        #expect(again == .dispatchRetentionTask(taskID: Churn.retentionTaskID(customerID: customer, startedOn: day(10))))
        #expect(again != first)
    }

    @Test func settingsThresholdsOverrideTheDefaults() {
        var settings = Settings.State()
        settings.warningThresholds = [
            WarningThreshold(metric: "churnRiskThreshold", branch: "north", value: 70),
            WarningThreshold(metric: "revenueDropPercent", value: 20),
        ]
        let north = Churn.Configuration(settings: settings, branch: "north", community: nil)
        #expect(north.threshold == 70 && north.revenueDropPercent == 20 && north.margin == 10)
        #expect(Churn.Configuration(settings: settings, branch: "south", community: nil).threshold == 50)
    }
}

@Suite struct UsageAnomalyTests {
    @Test func aReadingFarBelowItsOwnHistoryAndItsPeersIsFlagged() throws {
        let anomaly = try #require(UsageAnomaly.check(reading: 40, history: [100, 90, 110], peers: [80, 100, 120, 90, 110]))
        #expect(anomaly.ownBaseline == 100 && anomaly.belowOwnPercent == 60)
        #expect(anomaly.peerBaseline == 100 && anomaly.belowPeerPercent == 60)
        // 40 % below its own median: not far enough.
        #expect(UsageAnomaly.check(reading: 60, history: [100, 90, 110], peers: []) == nil)
        // Far below its own history but peers use little too: (70 − 40) / 70 = 42.86 % < 50 %.
        #expect(UsageAnomaly.check(reading: 40, history: [100, 90, 110], peers: [50, 60, 70, 80, 90]) == nil)
        // Too few peers: the own history alone decides; too little history: never.
        #expect(UsageAnomaly.check(reading: 40, history: [100, 90, 110], peers: [500])?.peerBaseline == nil)
        #expect(UsageAnomaly.check(reading: 0, history: [100, 90], peers: []) == nil)
        #expect(UsageAnomaly.median([4, 1, 3, 2]) == dec("2.5"))
    }
}
