import CRMDomain
import EventSourcing
import Foundation
import Testing

private let oppID = UUID(uuidString: "0196a000-0000-7000-8000-00000000a001")!
private let customerID = UUID(uuidString: "0196a000-0000-7000-8000-00000000c001")!
private let details = Opportunity.Details(customerID: customerID, title: "Meter upgrade", source: "referral",
                                          expectedRevenue: Money(100_000, .cny), closeDate: date("2026-06-30"))
private let openCommand = Opportunity.Command.open(opportunityID: oppID, details: details, pipeline: .default, stage: nil, owner: "emp-1")
private let opened = OpportunityEvent.opened(OpportunityOpened(opportunityID: oppID, details: details, pipeline: .default,
                                                               stage: "maintainingRelationship", owner: "emp-1"))

@Suite("Opportunity")
struct OpportunityTests {
    @Test func openingStartsAtThePipelinesFirstStage() {
        var s = Scenario(Opportunity.self)
        #expect(s.apply(openCommand) == [opened])
        #expect(s.state.stage == "maintainingRelationship")
        #expect(s.state.status == .open)
        #expect(s.state.owner == "emp-1")
    }

    @Test func aProductLineIsRecordedAsAnEditOfTheFieldAndCanBeChangedOrCleared() {
        var s = Scenario(Opportunity.self)
        let withLine = Opportunity.Command.open(opportunityID: oppID, details: details, pipeline: .default, stage: nil, owner: "emp-1", productLine: " meters ")
        let line = { (old: String?, new: String?) in
            OpportunityEvent.edited(OpportunityEdited(opportunityID: oppID, changes: [FieldChange(field: "productLine", old: old.map(FieldValue.option), new: new.map(FieldValue.option))]))
        }
        #expect(s.apply(withLine) == [opened, line(nil, "meters")])
        #expect(s.state.productLine == "meters")
        #expect(s.when(.setProductLine("meters")).isEmpty)
        #expect(s.apply(.setProductLine("boilers")) == [line("meters", "boilers")])
        #expect(s.apply(.setProductLine(nil)) == [line("boilers", nil)])
        #expect(s.state.productLine == nil)
        #expect(s.whenRefused(.setProductLine(String(repeating: "x", count: 101)))?.field == "productLine")
    }

    @Test func theDefaultPipelineIsTheSalesStatusLadder() {
        #expect(Pipeline.default.stages == ["maintainingRelationship", "opportunityFound", "opportunityConfirmed", "inSales"])
    }

    @Test func openingTwiceWithTheSameContentIsIdempotentAndWithOtherContentRefused() {
        let s = Scenario(Opportunity.self, given: [opened])
        #expect(s.when(openCommand).isEmpty)
        let other = Opportunity.Command.open(opportunityID: oppID, details: details, pipeline: .default, stage: nil, owner: "emp-2")
        #expect(s.whenRefused(other)?.code == .alreadyExists)
    }

    @Test func openingValidatesItsInputs() {
        let s = Scenario(Opportunity.self)
        var blank = details
        blank.title = " "
        #expect(s.whenRefused(.open(opportunityID: oppID, details: blank, pipeline: .default, stage: nil, owner: "emp-1"))?.field == "title")
        var negative = details
        negative.expectedRevenue = Money(-1, .cny)
        #expect(s.whenRefused(.open(opportunityID: oppID, details: negative, pipeline: .default, stage: nil, owner: "emp-1"))?.field == "expectedRevenue")
        #expect(s.whenRefused(.open(opportunityID: oppID, details: details, pipeline: .default, stage: "won", owner: "emp-1"))?.field == "stage")
        #expect(s.whenRefused(.open(opportunityID: oppID, details: details, pipeline: .default, stage: nil, owner: ""))?.field == "owner")
        #expect(s.whenRefused(.open(opportunityID: oppID, details: details, pipeline: Pipeline(name: "p", stages: []), stage: nil, owner: "emp-1"))?.field == "pipeline")
        #expect(s.whenRefused(.open(opportunityID: oppID, details: details, pipeline: Pipeline(name: "p", stages: ["a", "a"]), stage: nil, owner: "emp-1"))?.field == "pipeline")
    }

    @Test func aConfiguredPipelineRestrictsTheStages() {
        var s = Scenario(Opportunity.self)
        let projects = Pipeline(name: "projects", stages: ["lead", "tender", "negotiation"])
        s.apply(.open(opportunityID: oppID, details: details, pipeline: projects, stage: "tender", owner: "emp-1"))
        #expect(s.state.stage == "tender")
        #expect(s.whenRefused(.moveToStage("inSales"))?.field == "stage")
        s.apply(.moveToStage("negotiation"))
        #expect(s.state.stage == "negotiation")
    }

    @Test func stageChangesAreTracedOldToNew() {
        var s = Scenario(Opportunity.self, given: [opened])
        let events = s.apply(.moveToStage("opportunityConfirmed"))
        #expect(events == [.stageChanged(OpportunityStageChanged(opportunityID: oppID, change: FieldChange(
            field: "stage", old: .option("maintainingRelationship"), new: .option("opportunityConfirmed"))))])
        #expect(s.state.stage == "opportunityConfirmed")
        #expect(s.when(.moveToStage("opportunityConfirmed")).isEmpty)
    }

    @Test func movingToAStageOutsideThePipelineIsRefused() {
        let s = Scenario(Opportunity.self, given: [opened])
        let error = s.whenRefused(.moveToStage("closedWon"))
        #expect(error?.code == .invalid)
        #expect(error?.field == "stage")
    }

    @Test func editingRecordsExactlyTheChangedAmountAndDate() {
        var s = Scenario(Opportunity.self, given: [opened])
        let events = s.apply(.edit(title: "Meter upgrade", source: "referral", expectedRevenue: Money(120_000, .cny), closeDate: date("2026-06-30")))
        #expect(events == [.edited(OpportunityEdited(opportunityID: oppID, changes: [
            FieldChange(field: "expectedRevenue", old: .money(Money(100_000, .cny)), new: .money(Money(120_000, .cny))),
        ]))])
        #expect(s.state.details?.expectedRevenue == Money(120_000, .cny))
        s.apply(.edit(title: "Meters", source: "campaign", expectedRevenue: Money(120_000, .cny), closeDate: date("2026-07-31")))
        #expect(s.state.details?.title == "Meters")
        #expect(s.state.details?.source == "campaign")
        #expect(s.state.details?.closeDate == date("2026-07-31"))
        #expect(s.when(.edit(title: "Meters", source: "campaign", expectedRevenue: Money(120_000, .cny), closeDate: date("2026-07-31"))).isEmpty)
        #expect(s.whenRefused(.edit(title: "Meters", source: "campaign", expectedRevenue: Money(-5, .cny), closeDate: date("2026-07-31")))?.field == "expectedRevenue")
    }

    @Test func assignmentByRulesTakesTheFirstMatchingRule() {
        var s = Scenario(Opportunity.self, given: [opened])
        let rules = [RoutingRule(name: "gas", productLine: "gas", assignee: "emp-gas"), RoutingRule(name: "north", branch: "north", assignee: "emp-north")]
        let events = s.apply(.assignByRules(input: RoutingInput(branch: "north", productLine: "gas"), rules: rules))
        #expect(events == [.assigned(OpportunityAssigned(opportunityID: oppID, previousOwner: "emp-1", owner: "emp-gas", assignment: .rules, reason: nil))])
        #expect(s.state.owner == "emp-gas")
        #expect(s.state.assignment == .rules)
        #expect(s.when(.assignByRules(input: RoutingInput(productLine: "gas"), rules: rules)).isEmpty)
    }

    @Test func assignmentByRulesWithoutAMatchIsNotConfigured() {
        let s = Scenario(Opportunity.self, given: [opened])
        let error = s.whenRefused(.assignByRules(input: RoutingInput(branch: "south"), rules: [RoutingRule(name: "north", branch: "north", assignee: "x")]))
        #expect(error?.code == .notConfigured)
        #expect(error?.field == "owner")
    }

    @Test func aManagerCanReassignWithAnOptionalReason() {
        var s = Scenario(Opportunity.self, given: [opened])
        let events = s.apply(.assignByManager(owner: "emp-9", reason: "key account"))
        #expect(events == [.assigned(OpportunityAssigned(opportunityID: oppID, previousOwner: "emp-1", owner: "emp-9", assignment: .manager, reason: "key account"))])
        #expect(s.state.assignment == .manager)
        #expect(s.when(.assignByManager(owner: "emp-9", reason: nil)).isEmpty)
        #expect(s.whenRefused(.assignByManager(owner: "  ", reason: nil))?.field == "owner")
    }

    @Test func theSuggestedProbabilityFeedsTheWeightedForecast() {
        var s = Scenario(Opportunity.self, given: [opened])
        #expect(s.state.weightedRevenue == nil)
        let events = s.apply(.suggestWinProbability(40))
        #expect(events == [.probabilitySuggested(WinProbabilitySuggested(opportunityID: oppID, previous: nil, percent: 40))])
        #expect(s.state.winProbability == 40)
        #expect(s.state.weightedRevenue == Money(40_000, .cny))
        #expect(s.when(.suggestWinProbability(40)).isEmpty)
        #expect(s.whenRefused(.suggestWinProbability(101))?.field == "percent")
        #expect(s.whenRefused(.suggestWinProbability(-1))?.field == "percent")
    }

    @Test func aManualOverrideNeedsAReasonAndWinsOverTheSuggestion() {
        var s = Scenario(Opportunity.self, given: [opened, .probabilitySuggested(WinProbabilitySuggested(opportunityID: oppID, previous: nil, percent: 40))])
        #expect(s.whenRefused(.overrideWinProbability(70, reason: " "))?.field == "reason")
        #expect(s.whenRefused(.overrideWinProbability(170, reason: "signed LOI"))?.field == "percent")
        let events = s.apply(.overrideWinProbability(70, reason: "signed LOI"))
        #expect(events == [.probabilityOverridden(WinProbabilityOverridden(opportunityID: oppID, previous: 40, percent: 70, reason: "signed LOI"))])
        s.apply(.suggestWinProbability(30))
        #expect(s.state.suggestedProbability == 30)
        #expect(s.state.winProbability == 70)
        #expect(s.state.overrideReason == "signed LOI")
    }

    @Test func winningNeedsAReasonAndIsFinal() {
        var s = Scenario(Opportunity.self, given: [opened])
        #expect(s.whenRefused(.win(reason: ""))?.field == "reason")
        let events = s.apply(.win(reason: "best price"))
        #expect(events == [.won(OpportunityWon(opportunityID: oppID, reason: "best price", stage: "maintainingRelationship",
                                               expectedRevenue: Money(100_000, .cny), closedAt: s.context.now))])
        #expect(s.state.status == .won)
        #expect(s.state.weightedRevenue == Money(100_000, .cny))
        for command: Opportunity.Command in [.moveToStage("inSales"), .lose(reason: "x"), .win(reason: "again"), .suggestWinProbability(10),
                                             .assignByManager(owner: "emp-2", reason: nil),
                                             .edit(title: "t", source: "s", expectedRevenue: Money(1, .cny), closeDate: date("2026-01-01"))] {
            #expect(s.whenRefused(command)?.code == .invalidTransition)
        }
    }

    @Test func losingNeedsAReasonAndZeroesTheForecast() {
        var s = Scenario(Opportunity.self, given: [opened])
        #expect(s.whenRefused(.lose(reason: "  "))?.field == "reason")
        s.apply(.moveToStage("inSales"))
        let events = s.apply(.lose(reason: "competitor"))
        #expect(events == [.lost(OpportunityLost(opportunityID: oppID, reason: "competitor", stage: "inSales", closedAt: s.context.now))])
        #expect(s.state.status == .lost)
        #expect(s.state.closeReason == "competitor")
        #expect(s.state.weightedRevenue == Money(0, .cny))
    }

    @Test func reopeningNeedsAClosedOpportunityAReasonAndAPipelineStage() {
        var s = Scenario(Opportunity.self, given: [opened])
        #expect(s.whenRefused(.reopen(stage: "inSales", reason: "customer came back"))?.code == .invalidTransition)
        s.apply(.lose(reason: "budget cut"))
        #expect(s.whenRefused(.reopen(stage: "inSales", reason: ""))?.field == "reason")
        #expect(s.whenRefused(.reopen(stage: "nowhere", reason: "budget back"))?.field == "stage")
        let events = s.apply(.reopen(stage: "inSales", reason: "budget back"))
        #expect(events == [.reopened(OpportunityReopened(opportunityID: oppID, previousStatus: .lost, stage: "inSales", reason: "budget back"))])
        #expect(s.state.status == .open)
        #expect(s.state.stage == "inSales")
        #expect(s.state.closeReason == nil)
    }

    @Test func everyCommandOnAMissingOpportunityIsNotFound() {
        let s = Scenario(Opportunity.self)
        let commands: [Opportunity.Command] = [
            .assignByRules(input: RoutingInput(), rules: [RoutingRule(name: "all", assignee: "x")]), .assignByManager(owner: "x", reason: nil),
            .moveToStage("inSales"), .edit(title: "t", source: "s", expectedRevenue: Money(1, .cny), closeDate: date("2026-01-01")),
            .suggestWinProbability(1), .overrideWinProbability(1, reason: "r"), .win(reason: "r"), .lose(reason: "r"), .reopen(stage: "inSales", reason: "r"),
        ]
        for command in commands { #expect(s.whenRefused(command)?.code == .notFound) }
    }

    @Test func everyOpportunityEventRoundTripsThroughBothEncodings() throws {
        try expectRoundTrips([
            opened,
            .assigned(OpportunityAssigned(opportunityID: oppID, previousOwner: "a", owner: "b", assignment: .manager, reason: "重点客户")),
            .stageChanged(OpportunityStageChanged(opportunityID: oppID, change: FieldChange(field: "stage", old: .option("a"), new: .option("b")))),
            .edited(OpportunityEdited(opportunityID: oppID, changes: [FieldChange(field: "expectedRevenue", old: .money(Money(1, .usd)), new: .money(Money(Decimal(string: "2.5") ?? 0, .usd)))])),
            .probabilitySuggested(WinProbabilitySuggested(opportunityID: oppID, previous: nil, percent: Decimal(string: "33.3") ?? 0)),
            .probabilityOverridden(WinProbabilityOverridden(opportunityID: oppID, previous: 40, percent: 80, reason: "LOI")),
            .won(OpportunityWon(opportunityID: oppID, reason: "r", stage: "inSales", expectedRevenue: Money(10, .eur), closedAt: Date(timeIntervalSince1970: 1_767_225_600))),
            .lost(OpportunityLost(opportunityID: oppID, reason: "r", stage: "inSales", closedAt: Date(timeIntervalSince1970: 1_767_225_600))),
            .reopened(OpportunityReopened(opportunityID: oppID, previousStatus: .won, stage: "inSales", reason: "r")),
        ])
    }
}
