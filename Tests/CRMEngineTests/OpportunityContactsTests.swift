import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import Foundation
import Testing

/// An opportunity names contact persons of its own customer (R-CUS-3): the engine reads each contact from
/// the log and refuses one of another customer, an unknown or an archived one, naming `contacts`, with
/// nothing written.
@Suite struct OpportunityContactsEngineTests {
    static func open(_ id: UUID, customer: UUID, owner: String, contacts: [UUID]) -> Opportunity.Command {
        .open(opportunityID: id, details: Opportunity.Details(customerID: customer, title: "Heat pump", source: "visit",
                                                              expectedRevenue: Money(8_000, .cny), closeDate: date("2026-09-30")),
              pipeline: .default, stage: nil, owner: owner, contacts: contacts)
    }

    static func date(_ text: String) -> LocalDate { LocalDate(text) ?? LocalDate(year: 2000, month: 1, day: 1)! }

    @discardableResult
    static func contact(_ f: EngineFixture, _ name: String, of customer: UUID, archived: Bool = false) async throws -> UUID {
        let id = UUID.derived("contact", name)
        try await f.engine.execute(Contact.self, id: id, .create(contactID: id, NewContact(customerID: customer, name: name)), as: f.admin)
        if archived { try await f.engine.execute(Contact.self, id: id, .archive(reason: "left the company"), as: f.admin) }
        return id
    }

    @Test func contactsOfTheCustomerAreNamedOnOpeningAndShownOnTheRecordAndInTheCustomer360() async throws {
        let f = try await EngineFixture.make("opportunity-contacts")
        let customer = try await f.customer("Acme", branch: "A")
        let ann = try await Self.contact(f, "Ann", of: customer)
        let bob = try await Self.contact(f, "Bob", of: customer)
        let id = UUID.derived("opportunity", "named")
        try await f.engine.execute(Opportunity.self, id: id, Self.open(id, customer: customer, owner: f.admin.id, contacts: [bob, ann]), as: f.admin)
        #expect(try await f.engine.state(Opportunity.self, id: id, as: f.admin).state.contacts == [bob, ann])
        let removed = try await f.engine.execute(Opportunity.self, id: id, .removeContacts([bob]), as: f.admin)
        let view = try await f.engine.customer(customer, as: f.admin, consistentWith: removed.position)
        #expect(view.openOpportunities.map(\.contacts) == [[ann]])
        let again = try await f.engine.execute(Opportunity.self, id: id, .addContacts([ann]), as: f.admin)
        #expect(again.events.isEmpty, "a contact already named adds nothing")
        await f.close()
    }

    @Test func aContactOfAnotherCustomerAnUnknownOrAnArchivedOneIsRefusedNamingContactsAndWritesNothing() async throws {
        let f = try await EngineFixture.make("opportunity-contacts-refused")
        let customer = try await f.customer("Acme", branch: "A")
        let other = try await f.customer("Other", branch: "A")
        let ann = try await Self.contact(f, "Ann", of: customer)
        let gone = try await Self.contact(f, "Gone", of: customer, archived: true)
        let theirs = try await Self.contact(f, "Theirs", of: other)
        let unknown = UUID.derived("contact", "nobody")
        let id = UUID.derived("opportunity", "refused")
        let head = try await f.engine.store.headPosition()
        for (label, contacts) in [("other customer's", [ann, theirs]), ("unknown", [unknown]), ("archived", [gone])] {
            let error = await #expect(throws: EngineError.self, "\(label)") {
                try await f.engine.execute(Opportunity.self, id: id, Self.open(id, customer: customer, owner: f.admin.id, contacts: contacts), as: f.admin)
            }
            #expect(error?.code == .invalid && error?.field == "contacts", "\(label): \(String(describing: error))")
        }
        #expect(try await f.engine.store.headPosition() == head, "nothing written")
        try await f.engine.execute(Opportunity.self, id: id, Self.open(id, customer: customer, owner: f.admin.id, contacts: []), as: f.admin)
        let opened = try await f.engine.store.headPosition()
        for contacts in [[theirs], [unknown], [gone], [ann, theirs]] {
            let error = await #expect(throws: EngineError.self) {
                try await f.engine.execute(Opportunity.self, id: id, .addContacts(contacts), as: f.admin)
            }
            #expect(error?.field == "contacts")
        }
        // Removing a contact the opportunity does not name is refused by the domain: not found, naming the field.
        let notNamed = await #expect(throws: EngineError.self) {
            try await f.engine.execute(Opportunity.self, id: id, .removeContacts([ann]), as: f.admin)
        }
        #expect(notNamed?.domain?.code == .notFound && notNamed?.field == "contacts")
        #expect(try await f.engine.store.headPosition() == opened, "nothing written")
        try await f.engine.execute(Opportunity.self, id: id, .addContacts([ann]), as: f.admin)
        #expect(try await f.engine.state(Opportunity.self, id: id, as: f.admin).state.contacts == [ann])
        await f.close()
    }

    /// Products held come from the contracts: a principal who may not see contracts sees none held.
    @Test func productsHeldFollowTheContractsThePrincipalMaySee() async throws {
        let f = try await EngineFixture.make("products-held-scope")
        let customer = try await f.customer("Acme", branch: "A")
        let contract = UUID.derived("contract", "held")
        let product = UUID.derived("product", "pump")
        let drafted = ContractDrafted(
            contractID: contract, customerID: customer, owner: f.admin.id, title: "Pumps", quoteID: UUID.derived("quote", "held"), quoteNumber: "Q-1",
            lines: [Contract.Line(productID: product, name: "Pump", quantity: 3, unitPrice: Money(10, .cny))],
            terms: Contract.Terms(effective: Self.date("2026-01-01"), serviceStart: Self.date("2026-01-01"), expiry: Self.date("2027-01-01")),
            draftedBy: f.admin.id, draftedAt: f.clock.now())
        let events = [ContractEvent.drafted(drafted), .activated(ContractActivated(contractID: contract, by: f.admin.id, at: f.clock.now()))]
        _ = try await f.engine.store.append(try events.map { try $0.eventData(id: UUID(), metadata: .system) },
                                            to: Contract.stream(contract), expectedVersion: .noStream)
        let head = try await f.engine.store.headPosition()
        #expect(try await f.engine.customer(customer, as: f.admin, consistentWith: head).productsHeld
                == [HeldProduct(productID: product, name: "Pump", quantity: 3, contracts: [contract])])
        let clerk = try await f.hire("Clerk", branch: "A", permissions: [Permission(module: .customers, actions: [.query], scope: .branch("A"))])
        let seen = try await f.engine.customer(customer, as: clerk, consistentWith: head)
        #expect(seen.contracts.isEmpty && seen.productsHeld.isEmpty)
        await f.close()
    }

    @Test func aContactMovedToAnotherCustomerCannotBeNamedAnyMore() async throws {
        let f = try await EngineFixture.make("opportunity-contacts-moved")
        let customer = try await f.customer("Acme", branch: "A")
        let survivor = try await f.customer("Acme Group", branch: "A")
        let ann = try await Self.contact(f, "Ann", of: customer)
        try await f.engine.execute(Contact.self, id: ann, .moveToCustomer(survivor), as: f.admin)
        let id = UUID.derived("opportunity", "moved")
        let error = await #expect(throws: EngineError.self) {
            try await f.engine.execute(Opportunity.self, id: id, Self.open(id, customer: customer, owner: f.admin.id, contacts: [ann]), as: f.admin)
        }
        #expect(error?.field == "contacts")
        let other = UUID.derived("opportunity", "survivor's")
        try await f.engine.execute(Opportunity.self, id: other, Self.open(other, customer: survivor, owner: f.admin.id, contacts: [ann]), as: f.admin)
        await f.close()
    }

    /// Someone who may not create opportunities for a customer learns nothing of its contacts: naming one of
    /// its contacts or another customer's answers the same "forbidden", before any contact is read.
    @Test func whoMayNotCreateThereGetsTheSameRefusalWhateverContactsItNames() async throws {
        let f = try await EngineFixture.make("opportunity-contacts-probe")
        let alice = try await f.hire("Alice", branch: "A", permissions: ScopeTests.allRights)
        let customerB = try await f.customer("Customer of B", branch: "B")
        let other = try await f.customer("Other of B", branch: "B")
        let ours = try await Self.contact(f, "Ours", of: customerB)
        let theirs = try await Self.contact(f, "Theirs", of: other)
        let id = UUID.derived("opportunity", "probe")
        var codes: [EngineError.Code?] = []
        for contacts in [[ours], [theirs], [UUID.derived("contact", "nobody")]] {
            let error = await #expect(throws: EngineError.self) {
                try await f.engine.execute(Opportunity.self, id: id, Self.open(id, customer: customerB, owner: alice.id, contacts: contacts), as: alice)
            }
            codes.append(error?.code)
        }
        #expect(codes == [.forbidden, .forbidden, .forbidden], "\(codes)")
        await f.close()
    }

    /// Someone who may read an opportunity but not change it gets "forbidden" for adding any contact — its
    /// customer's or another's — never an answer about the contact.
    @Test func aReaderAddingContactsIsForbiddenWhateverTheContact() async throws {
        let f = try await EngineFixture.make("opportunity-contacts-reader")
        let reader = try await f.hire("Rae", branch: "A", permissions: [.customers, .opportunities, .contacts].map {
            Permission(module: $0, actions: [.query], scope: .branch("A"))
        })
        let customer = try await f.customer("Acme", branch: "A")
        let other = try await f.customer("Other", branch: "A")
        let ours = try await Self.contact(f, "Ours", of: customer)
        let theirs = try await Self.contact(f, "Theirs", of: other)
        let id = UUID.derived("opportunity", "read-only")
        try await f.engine.execute(Opportunity.self, id: id, Self.open(id, customer: customer, owner: f.admin.id, contacts: []), as: f.admin)
        var codes: [EngineError.Code?] = []
        for contacts in [[ours], [theirs], [UUID.derived("contact", "nobody")]] {
            let error = await #expect(throws: EngineError.self) {
                try await f.engine.execute(Opportunity.self, id: id, .addContacts(contacts), as: reader)
            }
            codes.append(error?.code)
        }
        #expect(codes == [.forbidden, .forbidden, .forbidden], "\(codes)")
        await f.close()
    }
}
