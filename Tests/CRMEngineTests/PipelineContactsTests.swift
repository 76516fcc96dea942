import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import Foundation
import Testing

/// The pipeline list shows the contact persons each opportunity names (R-CUS-3): those named on opening,
/// then as they are added and removed.
@Suite struct PipelineContactsTests {
    @Test func thePipelineRowsNameTheOpportunitysContactsAsTheyAreAddedAndRemoved() async throws {
        let f = try await EngineFixture.make("pipeline-contacts")
        let customer = try await f.customer("Acme", branch: "A")
        let ann = try await OpportunityContactsEngineTests.contact(f, "Ann", of: customer)
        let bob = try await OpportunityContactsEngineTests.contact(f, "Bob", of: customer)
        let carl = try await OpportunityContactsEngineTests.contact(f, "Carl", of: customer)
        let named = UUID.derived("opportunity", "named"), none = UUID.derived("opportunity", "none")
        try await f.engine.execute(Opportunity.self, id: named, OpportunityContactsEngineTests.open(named, customer: customer, owner: f.admin.id, contacts: [bob, ann]),
                                   as: f.admin)
        try await f.engine.execute(Opportunity.self, id: none, OpportunityContactsEngineTests.open(none, customer: customer, owner: f.admin.id, contacts: []),
                                   as: f.admin)
        var head = try await f.engine.store.headPosition()
        var rows = try await f.engine.pipeline(owner: f.admin.id, as: f.admin, consistentWith: head)
        #expect(rows.first { $0.opportunityID == named }?.contacts == [bob, ann])
        #expect(rows.first { $0.opportunityID == none }?.contacts == [])

        try await f.engine.execute(Opportunity.self, id: named, .removeContacts([bob]), as: f.admin)
        head = try await f.engine.execute(Opportunity.self, id: named, .addContacts([carl]), as: f.admin).position
        rows = try await f.engine.pipeline(owner: f.admin.id, as: f.admin, consistentWith: head)
        #expect(rows.first { $0.opportunityID == named }?.contacts == [ann, carl])
        await f.close()
    }
}
