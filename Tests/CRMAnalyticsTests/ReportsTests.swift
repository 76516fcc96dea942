import CRMAnalytics
import CRMDomain
import Foundation
import Testing

@Suite struct RevenueExplanationTests {
    let p1 = UUID.derived("product", "1"), p2 = UUID.derived("product", "2")

    func row(_ month: Int, _ product: UUID, _ amount: Decimal, manager: String = "m1", currency: Currency = .cny) -> RevenueExplanation.Row {
        RevenueExplanation.Row(month: RevenueMonth(year: 2026, month: month), productID: product, customerID: UUID.derived("c", "\(product)"),
                               manager: manager, amount: amount, currency: currency)
    }

    @Test func aChangeIsExplainedByProductAndByMonth() {
        // p1: 100, 100 → 50, 50 (−100); p2: 0, 50 → 100, 100 (+150). Base 250, compared 300.
        let rows = [row(1, p1, 100), row(2, p1, 100), row(3, p1, 50), row(4, p1, 50),
                    row(2, p2, 50), row(3, p2, 100), row(4, p2, 100), row(3, p2, 999, currency: .usd)]
        let jan = RevenueMonth(year: 2026, month: 1), feb = RevenueMonth(year: 2026, month: 2)
        let mar = RevenueMonth(year: 2026, month: 3), apr = RevenueMonth(year: 2026, month: 4)
        let why = RevenueExplanation.explain(rows, base: jan...feb, compare: mar...apr, currency: .cny)
        #expect(why.baseTotal == 250 && why.compareTotal == 300 && why.change == 50 && why.changePercent == 20)
        #expect(why.byProduct.map(\.key) == [p2, p1].map { $0.uuidString.lowercased() })
        #expect(why.byProduct.map(\.change) == [150, -100])
        #expect(why.byProduct.map(\.sharePercent) == [300, -200])
        #expect(why.byMonth.map(\.key) == ["2026-01→2026-03", "2026-02→2026-04"])
        #expect(why.byMonth.map(\.change) == [50, 0])
        #expect(why.byMonth.map(\.sharePercent) == [100, 0])
    }

    @Test func revenueAndGrowthPerAccountManager() {
        let rows = [row(1, p1, 100, manager: "m1"), row(2, p1, 150, manager: "m1"), row(1, p2, 80, manager: "m2"), row(2, p2, 40, manager: "m2")]
        let jan = RevenueMonth(year: 2026, month: 1), feb = RevenueMonth(year: 2026, month: 2)
        let report = Reports.revenueByManager(rows, current: feb...feb, previous: jan...jan, currency: .cny)
        #expect(report.map(\.manager) == ["m1", "m2"])
        #expect(report.map(\.growthPercent) == [50, -50])
        #expect(report.map(\.customers) == [1, 1])
    }
}

@Suite struct ReportsTests {
    @Test func taskCompletionSumsTheMonthsAsked() {
        let rows = [
            Reports.CompletionRow(assignee: "e1", month: RevenueMonth(year: 2026, month: 3), onTime: 3, late: 1),
            Reports.CompletionRow(assignee: "e1", month: RevenueMonth(year: 2026, month: 4), onTime: 2, late: 2),
            Reports.CompletionRow(assignee: "e2", month: RevenueMonth(year: 2026, month: 5), onTime: 9, late: 0),
        ]
        let stats = Reports.taskCompletion(rows, from: RevenueMonth(year: 2026, month: 3), through: RevenueMonth(year: 2026, month: 4))
        #expect(stats.map(\.assignee) == ["e1"])
        #expect(stats.first?.completed == 8 && stats.first?.onTimePercent == dec("62.5"))
    }

    @Test func serviceQualityMeasuresResponseHandlingAndSatisfaction() {
        let t0 = Date(timeIntervalSince1970: 1_773_532_800)
        func at(_ minutes: Double) -> Date { t0.addingTimeInterval(minutes * 60) }
        let tickets = [
            // Responded in 30 min (due 60), resolved in 120 (due 240), rated 5.
            Reports.TicketFacts(assignee: "a1", openedAt: t0, responseDueAt: at(60), firstRespondedAt: at(30), resolutionDueAt: at(240), resolvedAt: at(120), satisfaction: 5),
            // Responded in 90 (late), resolved in 300 (late), rated 2.
            Reports.TicketFacts(assignee: "a1", openedAt: t0, responseDueAt: at(60), firstRespondedAt: at(90), resolutionDueAt: at(240), resolvedAt: at(300), satisfaction: 2),
            // Never responded.
            Reports.TicketFacts(assignee: "a2", openedAt: t0, responseDueAt: at(60), firstRespondedAt: nil, resolutionDueAt: at(240), resolvedAt: nil),
        ]
        let report = Reports.serviceQuality(tickets)
        #expect(report.map(\.assignee) == ["", "a1", "a2"])
        let all = report[0]
        #expect(all.tickets == 3 && all.responseRatePercent == dec("66.67") && all.respondedInTimePercent == 50)
        #expect(all.averageWaitMinutes == 60 && all.averageHandlingMinutes == 210 && all.resolvedInSLAPercent == 50)
        #expect(all.averageSatisfaction == dec("3.5"))
        #expect(report[2].responseRatePercent == 0 && report[2].averageHandlingMinutes == nil)
    }

    @Test func compositionCountsSharesAndValues() {
        let customers: [(String, Decimal)] = [("business", 100), ("person", 10), ("business", 50), ("person", 5), ("person", 1)]
        let shares = Reports.composition(customers, by: { $0.0 }, value: { $0.1 })
        #expect(shares.map(\.key) == ["person", "business"])
        #expect(shares.map(\.percent) == [60, 40])
        #expect(shares.map(\.value) == [16, 150])
    }
}
