import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// R-MKT-4: a distribution names each recipient once, and one command names a bounded number of them.
@Suite struct SurveyDistributionTests {
    func survey(_ f: EngineFixture) async throws -> UUID {
        let survey = UUID.derived("survey", "distribution")
        try await f.engine.execute(Survey.self, id: survey, .create(surveyID: survey, questionnaire: Questionnaire(title: "Satisfaction", questions: [
            SurveyQuestion(id: "q1", prompt: "How satisfied are you?", kind: .rating, isRequired: true, scale: 5),
        ])), as: f.admin)
        return survey
    }

    @Test func aDistributionNamingMoreThanTheCapIsRefusedNamingRecipientsWithNothingWritten() async throws {
        let f = try await EngineFixture.make("survey-cap")
        let customer = try await f.customer("Asked", branch: "north")
        let survey = try await survey(f)
        let head = try await f.engine.store.headPosition()
        let tooMany = (0...Survey.maximumRecipientsPerDistribution).map { SurveyRecipient.partner(UUID.derived("partner", "\($0)")) }
        for recipients in [tooMany, Array(repeating: SurveyRecipient.customer(customer), count: Survey.maximumRecipientsPerDistribution + 1)] {
            let error = await #expect(throws: EngineError.self) {
                try await f.engine.execute(Survey.self, id: survey, .distribute(recipients: recipients), as: f.admin)
            }
            #expect(error?.domain?.code == .invalid && error?.field == "recipients", "\(String(describing: error))")
            #expect(try await f.engine.store.headPosition() == head)
        }
        await f.close()
    }

    @Test func repeatedRecipientsAreRecordedOnceAndUpToTheCapAreTaken() async throws {
        let f = try await EngineFixture.make("survey-repeats")
        let customer = try await f.customer("Asked", branch: "north")
        let partner = SurveyRecipient.partner(UUID.derived("partner", "repeated"))
        let survey = try await survey(f)
        // As many entries as the cap allows, all naming the same two recipients: each recorded once.
        let repeated = (0..<Survey.maximumRecipientsPerDistribution).map { $0 % 2 == 0 ? SurveyRecipient.customer(customer) : partner }
        let result = try await f.engine.execute(Survey.self, id: survey, .distribute(recipients: repeated), as: f.admin)
        #expect(result.events.count == 1)
        #expect(try await f.engine.state(Survey.self, id: survey, as: f.admin).state.recipients == [.customer(customer), partner])
        // A repeat of a customer no one may see is answered once, by its first entry.
        let nobody = SurveyRecipient.customer(UUID.derived("customer", "nobody"))
        let error = await #expect(throws: EngineError.self) {
            try await f.engine.execute(Survey.self, id: survey, .distribute(recipients: [partner, nobody, nobody, nobody]), as: f.admin)
        }
        #expect(error?.field == "recipients" && error?.message.contains("entry 2") == true, "\(String(describing: error))")
        await f.close()
    }
}
