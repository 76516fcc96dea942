import CRMDomain
import EventSourcing
import Foundation
import Testing

/// A KPI rule names one of the indicators the engine counts: another name (`dealsClosed` for `dealsWon`)
/// would score 0 forever, so the rule set is refused, naming the field and the known indicators.
@Suite struct KPIRuleIndicatorTests {
    @Test func aRuleOfAnUnknownIndicatorIsRefusedNamingTheKnownOnes() {
        let s = Scenario(Settings.self)
        let refusal = s.whenRefused(.replaceKPIRules([
            KPIRule(indicator: "contactsMade", weight: 25, target: 10),
            KPIRule(indicator: "dealsClosed", weight: 25, target: 2),
        ]))
        #expect(refusal?.code == .invalid && refusal?.field == "indicator")
        #expect(refusal?.detail.contains("dealsWon") == true && refusal?.detail.contains("campaignItemsDone") == true, "\(String(describing: refusal))")
        #expect(refusal?.detail.contains("dealsClosed") == false, "the typed value is not repeated")
    }

    @Test func everyKnownIndicatorIsAccepted() {
        let s = Scenario(Settings.self)
        let rules = KPIRule.indicators.map { KPIRule(indicator: $0, weight: 10, target: 1) }
        #expect(s.when(.replaceKPIRules(rules)) == [.kpiRulesReplaced(KPIRulesReplaced(rules: rules))])
        #expect(KPIRule.indicators.contains("dealsWon") && !KPIRule.indicators.contains("dealsClosed"))
    }
    @Test func theScoringAndThePaySchemeRefuseAnUnknownIndicatorToo() {
        let s = Scenario(Settings.self)
        #expect(s.whenRefused(.setKPIScoring(KPIScoring(indicator: "dealsClosed", curve: .threshold)))?.field == "indicator")
        #expect(s.when(.setKPIScoring(KPIScoring(indicator: "dealsWon", curve: .threshold))).count == 1)
        #expect(s.whenRefused(.setPayScheme(PayScheme(currency: .cny, defaultRatePerPoint: 1,
                                                      rates: [.init(indicator: "dealsClosed", perPoint: 2)])))?.field == "indicator")
        #expect(s.when(.setPayScheme(PayScheme(currency: .cny, defaultRatePerPoint: 1, rates: [.init(indicator: "dealsWon", perPoint: 2)]))).count == 1)
    }

    @Test func aRuleRecordedBeforeTheCheckStaysWhileTheOthersAreEdited() {
        let legacy = KPIRule(indicator: "dealsClosed", weight: 25, target: 2)
        var s = Scenario(Settings.self, given: [.kpiRulesReplaced(KPIRulesReplaced(rules: [legacy]))])
        let edited = [legacy, KPIRule(indicator: "dealsWon", weight: 25, target: 2)]
        #expect(s.apply(.replaceKPIRules(edited)).count == 1)
        #expect(s.whenRefused(.replaceKPIRules(edited + [KPIRule(indicator: "callsMade", weight: 1, target: 1)]))?.field == "indicator")
    }
}
