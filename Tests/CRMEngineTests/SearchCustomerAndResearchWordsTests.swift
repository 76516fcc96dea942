import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import Foundation
import Testing

/// Combined search (R-ANA-6) matches a query's words per record, a record's customer's name counting for it:
/// as "acme leak" finds Acme's ticket "Leak", a customer's name with the words of a survey's title finds the
/// survey sent to that customer and the customer's response to it, and with a campaign's name the campaign
/// that targeted it — only through customers the searcher may see.
@Suite struct SearchCustomerAndResearchWordsTests {
    struct World {
        let f: EngineFixture
        let lotus: UUID, peony: UUID, survey: UUID, campaign: UUID
    }

    /// "Lotus Garden" (branch A) and "Peony Court" (branch B) both get and answer the survey "Heating
    /// satisfaction"; the campaign "Spring promotion" targets branch A's customers (Lotus Garden) only.
    func world(_ label: String) async throws -> World {
        let f = try await EngineFixture.make(label)
        let lotus = try await f.customer("Lotus Garden", branch: "A")
        let peony = try await f.customer("Peony Court", branch: "B")
        let survey = UUID.derived("survey", "heating")
        try await f.engine.execute(Survey.self, id: survey, .create(surveyID: survey, questionnaire: Questionnaire(title: "Heating satisfaction", questions: [
            SurveyQuestion(id: "q1", prompt: "How warm is it?", kind: .rating, isRequired: true, scale: 5),
        ])), as: f.admin)
        try await f.engine.execute(Survey.self, id: survey, .distribute(recipients: [.customer(lotus), .customer(peony)]), as: f.admin)
        for (customer, label) in [(lotus, "lotus"), (peony, "peony")] {
            try await f.engine.execute(Survey.self, id: survey, .respond(responseID: UUID.derived("response", label), recipient: .customer(customer),
                                                                        answers: [.rating("q1", 4)]), as: f.admin)
        }
        let campaign = UUID.derived("campaign", "spring")
        try await f.engine.execute(Campaign.self, id: campaign, .plan(id: campaign, name: "Spring promotion", objective: "Meter upgrades", owner: f.admin.id,
                                                                     budget: Money(5_000, .cny), start: try EngineFixture.day("2026-03-01"),
                                                                     end: try EngineFixture.day("2026-05-31")), as: f.admin)
        _ = try await f.engine.selectTargets(campaign: campaign, listID: UUID.derived("list", "spring"), filter: CustomerFilter(branch: "A"), as: f.admin,
                                             consistentWith: try await f.engine.store.headPosition())
        try await f.engine.views.waitUntil(try await f.engine.store.headPosition())
        return World(f: f, lotus: lotus, peony: peony, survey: survey, campaign: campaign)
    }

    @Test func aCustomerNameWithASurveyTitleFindsTheSurveySentToItAndItsResponse() async throws {
        let w = try await world("search-name-and-survey")
        let hits = try await w.f.engine.search("lotus heating", as: w.f.admin)
        #expect(Set(hits.map(\.id)) == [w.survey, UUID.derived("response", "lotus")], "\(hits.map { "\($0.kind) \($0.title)" })")
        let response = try #require(hits.first { $0.kind == .surveyResponse })
        #expect(response.customerID == w.lotus && response.parentID == w.survey && response.title == "Heating satisfaction")
        // Scored as a ticket of the customer would be: 2 for the word of its own title, 1 for the customer's name.
        #expect(hits.allSatisfy { $0.score == 3 })
        #expect(Set(try await w.f.engine.search("peony court satisfaction", as: w.f.admin).map(\.id)) == [w.survey, UUID.derived("response", "peony")])
        // Every word must be found: in the record's own text or in its customer's name.
        #expect(try await w.f.engine.search("lotus cooling", as: w.f.admin).isEmpty)
        await w.f.close()
    }

    @Test func aCustomerNameWithACampaignsNameFindsTheCampaignThatTargetedIt() async throws {
        let w = try await world("search-name-and-campaign")
        #expect(try await w.f.engine.search("lotus spring", as: w.f.admin).map(\.id) == [w.campaign])
        #expect(try await w.f.engine.search("garden meter upgrades", as: w.f.admin).map(\.id) == [w.campaign])
        // Peony Court was not targeted.
        #expect(try await w.f.engine.search("peony spring", as: w.f.admin).isEmpty)
        await w.f.close()
    }

    /// A survey sent to a customer the searcher may not see is not found through that customer's name, even by
    /// someone who may query surveys everywhere: it would tell of the hidden customer.
    @Test func aSurveyIsNotFoundThroughTheNameOfACustomerTheSearcherMayNotSee() async throws {
        let w = try await world("search-name-and-survey-hidden")
        let carol = try await w.f.hire("Carol", branch: "A", permissions: Permission.Module.allCases.filter { $0 != .campaigns }.map {
            Permission(module: $0, actions: [.query], scope: .branch("A"))
        } + [Permission(module: .campaigns, actions: [.query], scope: .all)])
        #expect(try await w.f.engine.search("peony heating", as: carol).isEmpty)
        #expect(try await w.f.engine.search("peony spring", as: carol).isEmpty)
        let seen = try await w.f.engine.search("lotus heating", as: carol)
        #expect(Set(seen.map(\.id)) == [w.survey, UUID.derived("response", "lotus")], "\(seen.map { "\($0.kind) \($0.title)" })")
        await w.f.close()
    }
}
