import CRMDataGenerator
import CRMDomain
import Foundation
import Testing

/// The demo's supervisors have figures to look at: branch managers analyse their branch (RFM) and the
/// settings hold KPI rules and a pay scheme.
@Suite struct DemoAnalysisSetupTests {
    @Test func branchManagersAnalyseTheirOwnBranchOnly() throws {
        let generator = HistoryGenerator(configuration(events: 1000))
        let organisation = try #require(try replayAll(Organisation.self, from: try batches(generator.configuration))[Organisation.streamID])
        let end = generator.world.end.addingTimeInterval(-1)
        let managers = generator.world.staff.filter { $0.role == .branchManager }
        #expect(!managers.isEmpty)
        for manager in managers {
            let permissions = organisation.effectivePermissions(of: manager.id, at: end)
            #expect(permissions.allows(module: .analysis, action: .analyse, scope: .branch(manager.branch), at: end))
            #expect(!permissions.allows(module: .analysis, action: .analyse, scope: .all, at: end))
            for other in generator.world.branches where other.name != manager.branch {
                #expect(!permissions.allows(module: .analysis, action: .analyse, scope: .branch(other.name), at: end))
            }
        }
        // Account managers do not.
        for person in generator.world.staff where person.role == .accountManager {
            #expect(!organisation.effectivePermissions(of: person.id, at: end).allows(module: .analysis, action: .analyse, scope: .branch(person.branch), at: end))
        }
    }

    @Test func theSettingsHoldKPIRulesOfKnownIndicatorsAndAPayScheme() throws {
        let generator = HistoryGenerator(configuration(events: 1000))
        let settings = try #require(try replayAll(Settings.self, from: try batches(generator.configuration))[Settings.streamID])
        #expect(settings.kpiRules.count >= 3)
        #expect(settings.kpiRules.allSatisfy { KPIRule.indicators.contains($0.indicator) })
        #expect(settings.kpiRules.reduce(Decimal(0)) { $0 + $1.weight } == 100)
        let scheme = try #require(settings.payScheme)
        #expect(scheme.currency == generator.world.branches.first?.currency)
        #expect(scheme.basePerDay > 0 && scheme.defaultRatePerPoint > 0)
    }
}
