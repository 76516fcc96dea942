import CRMDomain
import EventSourcing
import Foundation
import Testing

private let oppID = UUID(uuidString: "0196a000-0000-7000-8000-00000000a101")!
private let customerID = UUID(uuidString: "0196a000-0000-7000-8000-00000000c101")!
private let ann = UUID(uuidString: "0196a000-0000-7000-8000-0000000000a1")!
private let bob = UUID(uuidString: "0196a000-0000-7000-8000-0000000000b2")!
private let cid = UUID(uuidString: "0196a000-0000-7000-8000-0000000000c3")!
private let details = Opportunity.Details(customerID: customerID, title: "Heat pump", source: "visit",
                                          expectedRevenue: Money(8_000, .eur), closeDate: date("2026-09-30"))
private let opened = OpportunityEvent.opened(OpportunityOpened(opportunityID: oppID, details: details, pipeline: .default,
                                                               stage: "maintainingRelationship", owner: "emp-1"))

private func open(contacts: [UUID], productLine: String? = nil) -> Opportunity.Command {
    .open(opportunityID: oppID, details: details, pipeline: .default, stage: nil, owner: "emp-1", productLine: productLine, contacts: contacts)
}

private func added(_ ids: [UUID]) -> OpportunityEvent { .contactsAdded(OpportunityContactsAdded(opportunityID: oppID, contactIDs: ids)) }
private func removed(_ ids: [UUID]) -> OpportunityEvent { .contactsRemoved(OpportunityContactsRemoved(opportunityID: oppID, contactIDs: ids)) }

@Suite("Opportunity contacts")
struct OpportunityContactsTests {
    @Test func openingWithContactsNamesThemAfterTheOpeningAndTheProductLine() {
        var s = Scenario(Opportunity.self)
        let events = s.apply(open(contacts: [bob, ann], productLine: "heat"))
        #expect(events.count == 3)
        #expect(events.first == opened)
        #expect(events.last == added([bob, ann]))
        #expect(s.state.contacts == [bob, ann])
    }

    @Test func openingWithoutContactsRecordsNoContactEvent() {
        let s = Scenario(Opportunity.self)
        #expect(s.when(open(contacts: [])) == [opened])
    }

    @Test func addingSkipsContactsAlreadyNamedAndRecordsNothingWhenAllAre() {
        var s = Scenario(Opportunity.self, given: [opened, added([ann])])
        #expect(s.apply(.addContacts([ann, bob])) == [added([bob])])
        #expect(s.state.contacts == [ann, bob])
        #expect(s.when(.addContacts([bob, ann])).isEmpty)
    }

    @Test func removingNeedsEachContactToBeNamed() {
        var s = Scenario(Opportunity.self, given: [opened, added([ann, bob])])
        let refused = s.whenRefused(.removeContacts([ann, cid]))
        #expect(refused?.code == .notFound)
        #expect(refused?.field == "contacts")
        #expect(s.apply(.removeContacts([ann])) == [removed([ann])])
        #expect(s.state.contacts == [bob])
    }

    @Test func anEmptyOrRepeatingListIsRefusedNamingTheField() {
        let s = Scenario(Opportunity.self, given: [opened])
        for command in [Opportunity.Command.addContacts([]), .addContacts([ann, ann]), .removeContacts([])] {
            let refused = s.whenRefused(command)
            #expect(refused?.code == .invalid)
            #expect(refused?.field == "contacts")
        }
        #expect(Scenario(Opportunity.self).whenRefused(open(contacts: [bob, bob]))?.field == "contacts")
    }

    @Test func noMoreThanTheMaximumOfContactsIsNamed() {
        let many = (0..<Opportunity.maximumContacts).map { UUID.derived("contact", "\($0)") }
        let s = Scenario(Opportunity.self, given: [opened, added(many)])
        #expect(s.state.contacts.count == Opportunity.maximumContacts)
        #expect(s.whenRefused(.addContacts([ann]))?.field == "contacts")
        #expect(s.when(.addContacts([many[0]])).isEmpty, "an already named contact adds none")
    }

    @Test func aClosedOpportunitysContactsDoNotChange() {
        let won = OpportunityEvent.won(OpportunityWon(opportunityID: oppID, reason: "signed", stage: "inSales",
                                                      expectedRevenue: Money(8_000, .eur), closedAt: Date(timeIntervalSince1970: 1_767_225_600)))
        let s = Scenario(Opportunity.self, given: [opened, added([ann]), won])
        #expect(s.whenRefused(.addContacts([bob]))?.code == .invalidTransition)
        #expect(s.whenRefused(.removeContacts([ann]))?.code == .invalidTransition)
        #expect(Scenario(Opportunity.self).whenRefused(.addContacts([ann]))?.code == .notFound)
    }

    @Test func contactEventsRoundTripAndAreRegistered() throws {
        try expectRoundTrips([added([ann, bob]), removed([bob])])
        let names = CRMEvents.payloadTypes.map { $0.eventType }
        #expect(names.contains(OpportunityContactsAdded.eventType))
        #expect(names.contains(OpportunityContactsRemoved.eventType))
        _ = try CRMEvents.registry()
    }
}
