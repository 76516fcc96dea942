import CRMDomain
import CRMProjections
import EventSourcing
import Foundation
import Testing

@Suite struct OpportunityPipelineTests {
    let log = WorkTestLog()
    let projection = OpportunityPipeline()

    func open(_ title: String, customer: UUID, owner: String, amount: Decimal, currency: Currency = .cny, stage: String? = nil,
              pipeline: Pipeline = .default) throws -> UUID {
        let id = UUID.derived("opportunity", title)
        let details = Opportunity.Details(customerID: customer, title: title, source: "referral",
                                          expectedRevenue: Money(amount, currency), closeDate: try WorkTestLog.day("2026-06-30"))
        try log.run(Opportunity.self, id, .open(opportunityID: id, details: details, pipeline: pipeline, stage: stage, owner: owner),
                    at: WorkTestLog.start)
        return id
    }

    @Test func theWeightedForecastUsesOverrideThenSuggestionThenTheStageDefault() throws {
        let customer = try log.customer("Wang", branch: "north", owner: "emp-1")
        let a = try open("a", customer: customer, owner: "emp-7", amount: 1000, stage: "opportunityConfirmed")
        let b = try open("b", customer: customer, owner: "emp-7", amount: 200, stage: "opportunityConfirmed")
        let c = try open("c", customer: customer, owner: "emp-7", amount: 10, stage: "opportunityConfirmed")
        try log.run(Opportunity.self, b, .suggestWinProbability(30), at: WorkTestLog.start)
        try log.run(Opportunity.self, c, .suggestWinProbability(30), at: WorkTestLog.start)
        try log.run(Opportunity.self, c, .overrideWinProbability(90, reason: "signed letter of intent"), at: WorkTestLog.start)
        let views = try log.views(projection)

        let rows = try OpportunityPipeline.pipeline(owner: "emp-7", in: views)
        #expect(Set(rows.map(\.opportunityID)) == [a, b, c])
        let byTitle = Dictionary(uniqueKeysWithValues: rows.map { ($0.title, $0) })
        #expect(byTitle["a"]?.probabilitySource == .stageDefault)
        #expect(byTitle["a"]?.weightedRevenue == Money(500, .cny))
        #expect(byTitle["b"]?.weightedRevenue == Money(60, .cny))
        #expect(byTitle["c"]?.probabilitySource == .overridden)
        #expect(byTitle["c"]?.weightedRevenue == Money(9, .cny))
        #expect(byTitle["a"]?.scope == RecordScope(branch: "north", group: "residential", owners: ["emp-1", "emp-7"]))

        let totals = try OpportunityPipeline.totals(in: views)
        #expect(totals.count == 1)
        #expect(totals.first?.count == 3)
        #expect(totals.first?.amount == 1210)
        #expect(totals.first?.weighted == 569)
    }

    @Test func stagesOwnersAndOutcomesMoveRowsBetweenIndexes() throws {
        let customer = try log.customer("Li", branch: "south", owner: "emp-2")
        let a = try open("a", customer: customer, owner: "emp-7", amount: 100)
        let b = try open("b", customer: customer, owner: "emp-7", amount: 50, currency: .usd)
        let lost = try open("lost", customer: customer, owner: "emp-7", amount: 70)
        try log.run(Opportunity.self, a, .moveToStage("inSales"), at: WorkTestLog.start)
        try log.run(Opportunity.self, b, .assignByManager(owner: "emp-8", reason: "territory"), at: WorkTestLog.start, actor: "mgr")
        try log.run(Opportunity.self, lost, .lose(reason: "price"), at: WorkTestLog.start)
        var views = try log.views(projection)

        #expect(try OpportunityPipeline.pipeline(owner: "emp-7", in: views).map(\.opportunityID) == [a])
        #expect(try OpportunityPipeline.pipeline(owner: "emp-8", in: views).map(\.opportunityID) == [b])
        #expect(try OpportunityPipeline.opportunity(lost, in: views)?.status == .lost)
        let totals = try OpportunityPipeline.totals(in: views)
        #expect(totals.map { "\($0.stage) \($0.currency) \($0.count) \($0.weighted)" }
            == ["maintainingRelationship USD 1 5", "inSales CNY 1 75"])
        #expect(try OpportunityPipeline.totals(owner: "emp-8", in: views).map(\.currency) == [.usd])
        #expect(try OpportunityPipeline.totals(in: views) { $0.owner == "emp-7" }.map(\.currency) == [.cny])

        try log.run(Opportunity.self, lost, .reopen(stage: "opportunityFound", reason: "new budget"), at: WorkTestLog.start)
        try log.run(Opportunity.self, a, .win(reason: "signed"), at: WorkTestLog.start)
        views = try log.views(projection)
        #expect(try OpportunityPipeline.pipeline(owner: "emp-7", in: views).map(\.title) == ["lost"])
        #expect(try OpportunityPipeline.opportunity(a, in: views)?.weightedRevenue == Money(100, .cny))
        let page = try OpportunityPipeline.stage("opportunityFound", of: "default", stages: Pipeline.default.stages, in: views)
        #expect(page.items.map(\.opportunityID) == [lost])
    }

    @Test func aCustomPipelineGetsEvenlySpacedDefaultsAndEditsChangeTheForecast() throws {
        let customer = try log.customer("Zhao", branch: "north", owner: "emp-1")
        let projects = Pipeline(name: "projects", stages: ["lead", "tender", "negotiation"])
        let id = try open("plant", customer: customer, owner: "emp-7", amount: 400, stage: "tender", pipeline: projects)
        try log.run(Opportunity.self, id, .edit(title: "plant 2", source: "referral", expectedRevenue: Money(800, .cny),
                                                 closeDate: try WorkTestLog.day("2026-09-01")), at: WorkTestLog.start)
        log.move(customer, fromBranch: "north", toBranch: "west", owner: ("emp-1", "emp-4"))
        let views = try log.views(projection)
        let row = try #require(try OpportunityPipeline.opportunity(id, in: views))
        #expect(row.probability == 50)
        #expect(row.weightedRevenue == Money(400, .cny))
        #expect(row.title == "plant 2")
        #expect(row.scope == RecordScope(branch: "west", group: "residential", owners: ["emp-4", "emp-7"]))
        #expect(OpportunityPipeline.defaultProbability(stage: "lead", in: projects.stages) == 25)
    }

    @Test func oneByOneAndBatchedApplyGiveIdenticalTables() throws {
        let customer = try log.customer("Wang", branch: "north", owner: "emp-1")
        let a = try open("a", customer: customer, owner: "emp-7", amount: 100)
        _ = try open("b", customer: customer, owner: "emp-8", amount: 100)
        try log.run(Opportunity.self, a, .moveToStage("inSales"), at: WorkTestLog.start)
        log.move(customer, fromBranch: "north", toBranch: "west", owner: ("emp-1", "emp-4"))
        try log.run(Opportunity.self, a, .win(reason: "ok"), at: WorkTestLog.start)
        try log.expectSameTablesInTwoBatchings(projection)
    }
}
