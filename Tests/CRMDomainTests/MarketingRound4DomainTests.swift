import CRMDomain
import EventSourcing
import Foundation
import Testing

/// A product milestone is never reached in the future; a campaign's cost lines are dated within its plan.
@Suite struct MarketingRound4DomainTests {
    static let product = UUID(uuidString: "0196a000-0000-7000-8000-0000000b0901")!
    static let campaign = UUID(uuidString: "0196a000-0000-7000-8000-0000000c0901")!
    /// 2026-11-27T12:00Z: already the 28th east of UTC+12, nowhere the 29th.
    static let now = Date(timeIntervalSince1970: 1_795_780_800)

    @Test func aMilestoneReachedAfterTodayIsRefused() {
        #expect(LocalCalendar.utc.localDate(of: Self.now) == date("2026-11-27"))
        let s = Scenario(Product.self, given: [
            .created(ProductCreated(productID: Self.product, productLine: "gas", name: "Smart meter", standardPrice: Money(120, .cny))),
            .milestonePlanned(ProductMilestonePlanned(productID: Self.product, name: "ga", plannedDate: date("2026-12-01"), previousPlannedDate: nil)),
        ], at: Self.now)
        for future in ["2027-05-01", "2026-11-29"] {
            let error = s.whenRefused(.reachMilestone(name: "ga", actualDate: date(future), delayReason: nil))
            #expect(error?.code == .invalid && error?.field == "actualDate", "\(future): \(String(describing: error))")
        }
        // Today somewhere on earth is not the future.
        #expect(s.when(.reachMilestone(name: "ga", actualDate: date("2026-11-28"), delayReason: nil)).count == 1)
        #expect(s.when(.reachMilestone(name: "ga", actualDate: date("2026-11-27"), delayReason: nil)).count == 1)
    }

    @Test func aCampaignCostIsDatedWithinThePlan() {
        let at = Self.now
        var s = Scenario(Campaign.self, given: [
            .planned(CampaignPlanned(campaignID: Self.campaign, name: "Spring", objective: "Grow", owner: "emp-3", budget: Money(20_000, .cny),
                                     start: date("2027-03-01"), end: date("2027-04-30"), plannedAt: at)),
            .feasibilitySubmitted(CampaignFeasibilitySubmitted(campaignID: Self.campaign, study: "ok", by: "emp-3", at: at)),
            .approved(CampaignApproved(campaignID: Self.campaign, by: "mgr-1", at: at, note: nil)),
        ], at: at)
        for (n, outside) in ["2019-01-01", "2027-02-28", "2027-05-01"].enumerated() {
            let error = s.whenRefused(.addCost(Campaign.CostLine(id: UUID.derived("cost", "\(n)"), description: "ads", amount: Money(100, .cny), date: date(outside))))
            #expect(error?.code == .invalid && error?.field == "date", "\(outside): \(String(describing: error))")
        }
        for (n, inside) in ["2027-03-01", "2027-04-30"].enumerated() {
            s.apply(.addCost(Campaign.CostLine(id: UUID.derived("cost-in", "\(n)"), description: "ads", amount: Money(100, .cny), date: date(inside))))
        }
        #expect(s.state.actualCost == Money(200, .cny) && s.state.budgetRemaining == Money(19_800, .cny))
    }
}
