import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import Foundation
import Testing

/// Combined search (R-ANA-6) over a real LMDB store: one customer name finds its research data (surveys
/// sent to it, its responses), contact log entries and visits besides its other records — as far as the
/// searching employee's data scope reaches — and the activity list narrows to one contact person.
@Suite struct SearchAcrossModulesTests {
    static let rightsA = Permission.Module.allCases.map { Permission(module: $0, actions: [.query], scope: .branch("A")) }
    static let rightsB = Permission.Module.allCases.map { Permission(module: $0, actions: [.query], scope: .branch("B")) }

    struct World {
        let f: EngineFixture
        let a: Principal, b: Principal
        let customerA: UUID, customerB: UUID, survey: UUID, contactA: UUID
    }

    /// Customers "Lotus Garden" (branch A) and "Lotus Tower" (branch B), each with a contact, a logged call, a
    /// planned visit and a response to the survey "Heating satisfaction" sent to both; an employee of each
    /// branch who may query everything there.
    func world(_ label: String) async throws -> World {
        let f = try await EngineFixture.make(label)
        let a = try await f.hire("Alice", branch: "A", permissions: Self.rightsA)
        let b = try await f.hire("Bob", branch: "B", permissions: Self.rightsB)
        let customerA = try await f.customer("Lotus Garden", branch: "A")
        let customerB = try await f.customer("Lotus Tower", branch: "B")
        let contactA = UUID.derived("contact", "A")
        try await f.engine.execute(Contact.self, id: contactA, .create(contactID: contactA, NewContact(customerID: customerA, name: "Zhou Min", role: .primary)),
                                   as: f.admin)
        for (customer, label) in [(customerA, "A"), (customerB, "B")] {
            let call = UUID.derived("log", label), visit = UUID.derived("visit", label)
            try await f.engine.execute(ContactLogEntry.self, id: call, .log(id: call, customerID: customer, details: ContactLogEntry.Details(
                contactID: customer == customerA ? contactA : nil, channel: .phone, subject: "Radiator noise \(label)",
                occurredAt: Date(timeIntervalSince1970: 1_767_220_000))), as: f.admin)
            try await f.engine.execute(Visit.self, id: visit, .plan(id: visit, customerID: customer, visitor: f.admin.id,
                                                                   scheduledAt: Date(timeIntervalSince1970: 1_767_500_000), contacts: [],
                                                                   agenda: "Boiler service \(label)", place: "On site"), as: f.admin)
        }
        let survey = UUID.derived("survey", "heating")
        try await f.engine.execute(Survey.self, id: survey, .create(surveyID: survey, questionnaire: Questionnaire(title: "Heating satisfaction", questions: [
            SurveyQuestion(id: "q1", prompt: "How warm is it?", kind: .rating, isRequired: true, scale: 5),
        ])), as: f.admin)
        try await f.engine.execute(Survey.self, id: survey, .distribute(recipients: [.customer(customerA), .customer(customerB)]), as: f.admin)
        for (customer, label) in [(customerA, "A"), (customerB, "B")] {
            try await f.engine.execute(Survey.self, id: survey, .respond(responseID: UUID.derived("response", label), recipient: .customer(customer),
                                                                        answers: [.rating("q1", 4)]), as: f.admin)
        }
        try await f.engine.views.waitUntil(try await f.engine.store.headPosition())
        return World(f: f, a: a, b: b, customerA: customerA, customerB: customerB, survey: survey, contactA: contactA)
    }

    @Test func aCustomerNameFindsItsSurveysResponsesContactLogAndVisits() async throws {
        let w = try await world("search-across")
        let hits = try await w.f.engine.search("lotus garden", as: w.f.admin)
        #expect(Set(hits.map(\.kind)) == [.customer, .contact, .survey, .surveyResponse, .contactLog, .visit], "\(hits.map(\.kind))")
        #expect(hits.first?.kind == .customer && hits.first?.id == w.customerA)
        let response = try #require(hits.first { $0.kind == .surveyResponse })
        #expect(response.parentID == w.survey && response.title == "Heating satisfaction" && response.customerID == w.customerA)
        #expect(hits.first { $0.kind == .contactLog }?.title == "Radiator noise A")
        #expect(hits.first { $0.kind == .visit }?.title == "Boiler service A")
        // A survey's title and an entry's subject find them too.
        #expect(try await w.f.engine.search("heating satisfaction", as: w.f.admin).map(\.id) == [w.survey])
        #expect(try await w.f.engine.search("boiler lotus tower", as: w.f.admin).map(\.id) == [UUID.derived("visit", "B")])
        await w.f.close()
    }

    @Test func aBranchEmployeeFindsOnlyTheirBranchsResearchAndActivity() async throws {
        let w = try await world("search-scope")
        let seenByA = try await w.f.engine.search("lotus", as: w.a)
        #expect(Set(seenByA.map(\.kind)) == [.customer, .contact, .surveyResponse, .contactLog, .visit], "\(seenByA.map(\.kind))")
        #expect(seenByA.allSatisfy { $0.customerID == w.customerA }, "\(seenByA)")
        // The survey itself goes to both branches and belongs to neither: only a permission over all data finds it.
        #expect(!seenByA.contains { $0.kind == .survey })
        #expect(try await w.f.engine.search("boiler", as: w.a).map(\.id) == [UUID.derived("visit", "A")])
        #expect(try await w.f.engine.search("lotus tower", as: w.a).isEmpty)
        #expect(try await w.f.engine.search("heating", as: w.a).isEmpty)
        // Branch B's employee sees B's (so the checks above can fail).
        let seenByB = try await w.f.engine.search("lotus", as: w.b)
        #expect(seenByB.contains { $0.kind == .surveyResponse && $0.id == UUID.derived("response", "B") })
        #expect(seenByB.contains { $0.kind == .visit && $0.id == UUID.derived("visit", "B") })
        #expect(seenByB.allSatisfy { $0.customerID == w.customerB })
        await w.f.close()
    }

    @Test func anEmployeeWithoutTheCampaignsModuleFindsNoResearchData() async throws {
        let w = try await world("search-modules")
        let visitsOnly = try await w.f.hire("Vera", branch: "A", permissions: [
            Permission(module: .customers, actions: [.query], scope: .branch("A")), Permission(module: .visits, actions: [.query], scope: .branch("A")),
        ])
        #expect(Set(try await w.f.engine.search("lotus", as: visitsOnly).map(\.kind)) == [.customer, .visit])
        await w.f.close()
    }

    @Test func theActivityListNarrowsToOneContactPerson() async throws {
        let w = try await world("activity-contact")
        let ofZhou = try await w.f.engine.activity(as: w.f.admin, filter: .init(customerID: w.customerA, contactID: w.contactA))
        #expect(ofZhou.map(\.subject) == ["Radiator noise A"])
        #expect(ofZhou.first?.contacts == [w.contactA])
        #expect(try await w.f.engine.activity(as: w.f.admin, filter: .init(customerID: w.customerA)).count == 2)
        #expect(try await w.f.engine.activity(as: w.f.admin, filter: .init(customerID: w.customerB, contactID: w.contactA)).isEmpty)
        #expect(try await w.f.engine.activity(as: w.f.admin, text: "radiator", filter: .init(contactID: w.contactA)).map(\.subject) == ["Radiator noise A"])
        // Outside their scope, nothing, whatever the contact.
        #expect(try await w.f.engine.activity(as: w.b, filter: .init(customerID: w.customerA, contactID: w.contactA)).isEmpty)
        await w.f.close()
    }

    /// A survey sent to a customer the searcher may not see does not come back through that customer's name,
    /// even for someone who may query surveys (campaigns) everywhere: it would tell of the hidden customer.
    @Test func aGlobalSurveyIsNotFoundThroughTheNameOfACustomerLeftOut() async throws {
        let w = try await world("search-hidden-join")
        let carol = try await w.f.hire("Carol", branch: "A", permissions: Self.rightsA.filter { $0.module != .campaigns }
            + [Permission(module: .campaigns, actions: [.query], scope: .all)])
        #expect(try await w.f.engine.search("lotus tower", as: carol).isEmpty)
        // Through a customer she sees, and by its own title, the survey is hers to find.
        #expect(try await w.f.engine.search("lotus garden", as: carol).contains { $0.kind == .survey })
        #expect(try await w.f.engine.search("heating satisfaction", as: carol).map(\.id) == [w.survey])
        await w.f.close()
    }

    /// Search and the activity list answer customer data: each customer they answered about is in the read
    /// audit once per query (R-LOG-8).
    @Test func searchAndTheActivityListAreInTheReadAudit() async throws {
        let w = try await world("search-audit")
        let since = w.f.clock.now()
        _ = try await w.f.engine.search("lotus", as: w.a)
        _ = try await w.f.engine.activity(as: w.a, filter: .init(customerID: w.customerA), limit: 10)
        w.f.clock.advance(by: 1)
        let entries = try w.f.engine.readAudit(from: since, to: w.f.clock.now(), as: w.f.admin)
        #expect(entries.map(\.record) == [Customer.stream(w.customerA).rawValue, Customer.stream(w.customerA).rawValue], "\(entries.map(\.record))")
        #expect(entries.allSatisfy { $0.principal == w.a.id })
        await w.f.close()
    }

    /// An employee who may query only their own visits finds the visit they made to someone else's customer,
    /// as the activity list shows it to them.
    @Test func aVisitorWithOwnRecordsRightsFindsTheirOwnVisit() async throws {
        let f = try await EngineFixture.make("search-own-visit")
        let owner = try await f.hire("Olga", branch: "A", permissions: Self.rightsA)
        // Editing his own visits too: a visit is planned only for a visitor who may work on it.
        let vic = try await f.hire("Vic", branch: "A", permissions: [Permission(module: .visits, actions: [.query, .create, .edit], scope: .own)])
        let customer = try await f.customer("Lotus Garden", branch: "A", owner: owner.id)
        let visit = UUID.derived("visit", "own")
        try await f.engine.execute(Visit.self, id: visit, .plan(id: visit, customerID: customer, visitor: vic.id,
                                                               scheduledAt: Date(timeIntervalSince1970: 1_767_500_000), contacts: [],
                                                               agenda: "Boiler service", place: "On site"), as: f.admin)
        try await f.engine.views.waitUntil(try await f.engine.store.headPosition())
        #expect(try await f.engine.activity(as: vic, filter: .init(employee: vic.id), limit: 10).map(\.id) == [visit])
        #expect(try await f.engine.search("boiler", as: vic).map(\.id) == [visit])
        #expect(try await f.engine.search("boiler", as: try await f.hire("Ned", branch: "B", permissions: Self.rightsB)).isEmpty)
        await f.close()
    }
}
