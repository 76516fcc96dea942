import CRMAnalytics
import CRMDomain
import Foundation
import Testing

@Suite struct RFMTests {
    let a = UUID.derived("customer", "a"), b = UUID.derived("customer", "b"), c = UUID.derived("customer", "c")
    let d = UUID.derived("customer", "d"), e = UUID.derived("customer", "e")

    var inputs: [RFM.Input] {
        [
            RFM.Input(customerID: a, branch: "north", recencyDays: 10, frequency: 5, monetary: 500),
            RFM.Input(customerID: b, branch: "north", recencyDays: 10, frequency: 3, monetary: 300),
            RFM.Input(customerID: c, branch: "south", recencyDays: 40, frequency: 1, monetary: 100),  // one purchase
            RFM.Input(customerID: d, branch: "south", recencyDays: 200, frequency: 1, monetary: 100), // one purchase
            RFM.Input(customerID: e, branch: "south", recencyDays: nil, frequency: 0, monetary: 0),   // never bought
        ]
    }

    @Test func quintileScoresGiveEqualValuesEqualScoresFromTheRankOfTheirFirstOccurrence() {
        // 1 + ⌊5·r/n⌋ with r = values strictly below.
        #expect(Quintiles.scores([10, 20, 20, 40, 50]) == [1, 2, 2, 4, 5])
        #expect(Quintiles.scores([1, 1, 1, 1, 5]) == [1, 1, 1, 1, 5])
        #expect(Quintiles.scores([7, 7, 7]) == [1, 1, 1])
        #expect(Quintiles.reversedScores([3, 30, 30, 300]) == [4, 2, 2, 1])  // r = values strictly greater
        #expect(Quintiles.scores([Int]()) == [])
    }

    @Test func globalScoresTiesOnePurchaseCustomersAndANeverBuyer() {
        let scores = RFM.score(inputs, tiers: [
            LoyaltyThreshold(tier: "bronze", minimumScore: 1.5), LoyaltyThreshold(tier: "silver", minimumScore: 2.5),
            LoyaltyThreshold(tier: "gold", minimumScore: 4),
        ])
        let byID = Dictionary(uniqueKeysWithValues: scores.map { ($0.customerID, $0) })
        // Recency days [10, 10, 40, 200, never]: a and b tie, 3 are worse → 1 + 15/5 = 4 (not 5).
        #expect([a, b, c, d, e].map { byID[$0]?.recency } == [4, 4, 3, 2, 1])
        // Frequency [5, 3, 1, 1, 0] and monetary [500, 300, 100, 100, 0]: c and d tie on 2.
        #expect([a, b, c, d, e].map { byID[$0]?.frequency } == [5, 4, 2, 2, 1])
        #expect([a, b, c, d, e].map { byID[$0]?.monetary } == [5, 4, 2, 2, 1])
        // Loyalty (4+5+5)/3 = 4.67, 12/3 = 4, 7/3 = 2.33, 6/3 = 2, 1.
        #expect([a, b, c, d, e].map { byID[$0]?.loyalty } == [dec("4.67"), 4, dec("2.33"), 2, 1])
        #expect([a, b, c, d, e].map { byID[$0]?.segment } == ["champions", "champions", "aboutToSleep", "hibernating", "lost"])
        #expect([a, b, c, d, e].map { byID[$0]?.tier } == ["gold", "gold", "bronze", "bronze", nil])
        #expect(scores.map(\.customerID) == [a, b, c, d, e])  // input order kept
    }

    @Test func perBranchScoresRankWithinTheBranchOnly() {
        let scores = Dictionary(uniqueKeysWithValues: RFM.score(inputs, partition: .perBranch).map { ($0.customerID, $0) })
        // north: recency [10, 10] all equal → all 1; frequency [5, 3] → 1 + ⌊5·1/2⌋ = 3 and 1.
        #expect(scores[a]?.recency == 1 && scores[b]?.recency == 1)
        #expect(scores[a]?.frequency == 3 && scores[b]?.frequency == 1)
        // south: recency [40, 200, never] → c: 2 worse → 1 + ⌊10/3⌋ = 4; d: 1 worse → 1 + ⌊5/3⌋ = 2; e: 1.
        #expect(scores[c]?.recency == 4 && scores[d]?.recency == 2 && scores[e]?.recency == 1)
        // c and d tie on frequency 1 over e's 0: both 1 + ⌊5/3⌋ = 2.
        #expect(scores[c]?.frequency == 2 && scores[d]?.frequency == 2 && scores[e]?.frequency == 1)
    }

    @Test func weightsAndSegmentThresholdsAreConfigurable() {
        #expect(RFM.loyaltyScore(recency: 4, frequency: 5, monetary: 5, weights: RFM.Weights(recency: 2)) == dec("4.5"))
        #expect(RFM.loyaltyScore(recency: 3, frequency: 3, monetary: 3, weights: RFM.Weights(recency: 0, frequency: 0, monetary: 0)) == 3)
        let rules = [RFM.SegmentRule("vip", recency: 5...5, frequencyMonetary: 5...5)]
        #expect(RFM.segment(recency: 5, frequency: 5, monetary: 5, rules: rules) == "vip")
        #expect(RFM.segment(recency: 4, frequency: 5, monetary: 5, rules: rules) == "unclassified")
        // The defaults cover every pair of scores.
        for r in 1...5 { for f in 1...5 { for m in 1...5 { #expect(RFM.segment(recency: r, frequency: f, monetary: m) != "unclassified") } } }
        #expect(RFM.segment(recency: 1, frequency: 5, monetary: 4) == "cantLose")
        #expect(RFM.segment(recency: 2, frequency: 3, monetary: 4) == "atRisk")
    }

    @Test func aHistoryGivesRecencyFrequencyAndMonetaryOverItsWindowAndAOnePurchaseCustomerHasNoUsualGap() throws {
        let day = try #require(LocalDate("2026-03-20"))
        let history = PurchaseHistory(customerID: a, firstPurchase: LocalDate("2025-10-05"), lastPurchase: LocalDate("2026-03-10"), months: [
            .init(month: RevenueMonth(year: 2025, month: 10), purchases: 1, amount: 70),
            .init(month: RevenueMonth(year: 2026, month: 1), purchases: 2, amount: 200),
            .init(month: RevenueMonth(year: 2026, month: 3), purchases: 1, amount: 50),
        ])
        let input = RFM.Input(history, window: RevenueMonth.window(endingAt: RevenueMonth(year: 2026, month: 3), months: 3), asOf: day)
        #expect(input.recencyDays == 10 && input.frequency == 3 && input.monetary == 250)
        // 156 days from 2025-10-05 to 2026-03-10 over 3 gaps.
        #expect(history.usualGapDays == 52)
        let once = PurchaseHistory(customerID: b, firstPurchase: LocalDate("2026-01-02"), lastPurchase: LocalDate("2026-01-02"), months: [
            .init(month: RevenueMonth(year: 2026, month: 1), purchases: 1, amount: 30),
        ])
        #expect(once.usualGapDays == nil && once.recencyDays(asOf: day) == 77)
    }

    @Test func tendencyComparesTheLastPeriodWithThePreviousOne() {
        let months = (1...6).map { m in PurchaseHistory.Month(month: RevenueMonth(year: 2026, month: m), purchases: 1, amount: m <= 3 ? 100 : 50) }
        let t = Tendency.of(PurchaseHistory(customerID: a, months: months), through: RevenueMonth(year: 2026, month: 6), months: 3)
        #expect(t.currentSpend == 150 && t.previousSpend == 300 && t.spendChangePercent == -50)
        #expect(t.frequencyChangePercent == 0 && t.direction == .falling)
        let fresh = Tendency.of(PurchaseHistory(customerID: a, months: [months[5]]), through: RevenueMonth(year: 2026, month: 6), months: 3)
        #expect(fresh.direction == .new && fresh.spendChangePercent == nil)
        #expect(Tendency.of(PurchaseHistory(customerID: a, months: []), through: RevenueMonth(year: 2026, month: 6), months: 3).direction == .inactive)
        let across = Tendency.of(PurchaseHistory(customerID: a, months: months), through: RevenueMonth(year: 2026, month: 4), months: 2)
        // Mar–Apr (150) against Jan–Feb (200): −25 %.
        #expect(across.spendChangePercent == -25)
    }
}
