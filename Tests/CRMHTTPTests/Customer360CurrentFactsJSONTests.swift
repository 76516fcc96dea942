import CRMDomain
@testable import CRMHTTP
@testable import CRMProjections
import Foundation
import Testing

/// The customer 360's own JSON writer shows the account holder, the suspension reason and the maintenance
/// pairing, byte for byte as the encoder writes them.
@Suite struct Customer360CurrentFactsJSONTests {
    @Test func theCustomer360WritesTheAccountHolderSuspensionReasonAndPairing() throws {
        let id = UUID.derived("customer", "suspended")
        var profile = CustomerProfile(
            id: id, kind: .person, name: "Acme", group: "residential", industry: nil, branch: "north", community: nil, owner: "e-1",
            status: .suspended, isArchived: false, birthday: nil, founded: nil, customFields: [], externalKeys: [], mergedInto: nil, absorbed: [])
        profile.transferredTo = "Zhang \"Wei\""
        profile.suspensionReason = "meter tampering"
        profile.maintenancePairing = MaintenancePairSummary(agent: "e-7", manager: "e-8")
        let view = Customer360(
            profile: profile, contacts: [], openTasks: [], recentTasks: [], openTickets: [], recentTickets: [], recentActivity: [],
            openOpportunities: [], closedOpportunities: [], openQuotes: [], closedQuotes: [], contracts: [], endedContracts: [],
            productsHeld: [], revenue: [], loyaltyBalance: 80)
        let written = String(decoding: try Customer360JSON.encode(view), as: UTF8.self)
        #expect(written.contains(#""maintenancePairing":{"agent":"e-7","manager":"e-8"}"#), "\(written)")
        #expect(written.contains(#""suspensionReason":"meter tampering","transferredTo":"Zhang \"Wei\"""#), "\(written)")
        #expect(written == String(decoding: try JSONOutput.moneyAsText(JSONOutput.encode(view)), as: UTF8.self))
    }
}
