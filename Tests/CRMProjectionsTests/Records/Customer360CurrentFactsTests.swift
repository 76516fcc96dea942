import CRMDomain
import EventSourcing
import Foundation
import Testing

@testable import CRMProjections

/// The customer 360 shows the account holder after a transfer, the suspension reason and the maintenance
/// pairing, as the customer's state and the pairing have them now (R-CUS-4, R-CUS-7, R-CUS-9).
@Suite struct Customer360CurrentFactsTests {
    let acme = UUID.derived("customer", "acme")
    let projection = Customer360Projection()

    @Test func theProfileShowsTheAccountHolderTheSuspensionReasonAndThePairing() throws {
        let effective = try #require(LocalDate(year: 2026, month: 1, day: 5))
        var log = TestLog()
        let stream = Customer.stream(acme)
        let pairing = MaintenancePairing.stream(MaintenancePairing.id(customerID: acme))
        log.add(created(acme, name: "Acme"), on: stream)
        log.add(CustomerActivated(customerID: acme), on: stream)
        log.add(CustomerOwnershipTransferred(customerID: acme, previousHolder: "Acme", newHolder: "Zhang Wei",
                                             effective: effective), on: stream)
        log.add(CustomerSuspended(customerID: acme, reason: "meter tampering"), on: stream)
        log.add(MaintenancePaired(customerID: acme, agent: "emp-7", manager: "emp-8", pairedAt: t0), on: pairing)
        log.add(MaintenanceAgentChanged(customerID: acme, oldAgent: "emp-7", newAgent: "emp-9", reason: nil, changedAt: t0), on: pairing)
        var profile = try #require(try Customer360Projection.customer(acme, in: try log.views(projection))).profile
        #expect(profile.transferredTo == "Zhang Wei")
        #expect(profile.status == .suspended && profile.suspensionReason == "meter tampering")
        #expect(profile.maintenancePairing == MaintenancePairSummary(agent: "emp-9", manager: "emp-8"))

        log.add(CustomerResumed(customerID: acme), on: stream)
        log.add(MaintenanceUnpaired(customerID: acme, agent: "emp-9", manager: "emp-8", reason: "moved", unpairedAt: t0), on: pairing)
        profile = try #require(try Customer360Projection.customer(acme, in: try log.views(projection))).profile
        #expect(profile.status == .active && profile.suspensionReason == nil)
        #expect(profile.maintenancePairing == nil)
        #expect(profile.transferredTo == "Zhang Wei")
    }

    @Test func theProfilesNewFieldsWriteTheirCodableBytes() throws {
        var profile = CustomerProfile(
            id: acme, kind: .person, name: "王", group: "g", industry: nil, branch: "north", community: nil, owner: "e-1",
            status: .suspended, isArchived: false, birthday: nil, founded: nil, customFields: [], externalKeys: [],
            mergedInto: nil, absorbed: [])
        profile.transferredTo = "李"
        profile.suspensionReason = "meter tampering"
        profile.maintenancePairing = MaintenancePairSummary(agent: "e-7", manager: "e-8")
        let hand = try BinaryPayloadEncoder.encode(profile)
        #expect(hand == (try BinaryPayloadEncoder.encodeWithCodable(profile)))
        #expect(try BinaryPayloadDecoder.decode(CustomerProfile.self, from: hand) == profile)
        #expect(try BinaryPayloadDecoder.decodeWithCodable(CustomerProfile.self, from: hand) == profile)
    }
}
