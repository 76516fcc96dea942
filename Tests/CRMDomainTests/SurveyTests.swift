import CRMDomain
import EventSourcing
import Foundation
import Testing

@Suite("Surveys")
struct SurveyTests {
    let surveyID = UUID.derived("survey-1")
    let alice = SurveyRecipient.customer(UUID.derived("customer-alice"))
    let bob = SurveyRecipient.partner(UUID.derived("partner-bob"))
    let carol = SurveyRecipient.customer(UUID.derived("customer-carol"))

    var template: Questionnaire {
        Questionnaire(templateID: UUID.derived("template-1"), templateVersion: 2, title: "Service satisfaction", questions: [
            .singleChoice("channel", "How did you contact us?", options: ["phone", "email", "visit"]),
            .multipleChoice("topics", "What did you ask about?", options: ["billing", "outage", "meter", "other"], min: 1, max: 2),
            .rating("score", "How satisfied are you?", scale: 5),
            .freeText("comment", "Anything else?", maxLength: 20),
        ])
    }

    var fullAnswer: [SurveyAnswer] {
        [.choice("channel", "phone"), .choice("topics", "billing", "outage"), .rating("score", 4), .text("comment", "  fast  ")]
    }

    func created() -> Scenario<Survey> {
        var s = Scenario(Survey.self)
        s.apply(.create(surveyID: surveyID, questionnaire: template))
        return s
    }

    func open() -> Scenario<Survey> {
        var s = created()
        s.apply(.distribute(recipients: [alice, bob]))
        return s
    }

    func respond(_ recipient: SurveyRecipient, _ answers: [SurveyAnswer], id: String = "r-1") -> Survey.Command {
        .respond(responseID: UUID.derived(id), recipient: recipient, answers: answers)
    }

    // MARK: create

    @Test func aSurveyIsCreatedFromACopyOfTheTemplate() {
        let s = created()
        #expect(s.state.status == .draft)
        #expect(s.state.title == "Service satisfaction")
        #expect(s.state.templateID == UUID.derived("template-1"))
        #expect(s.state.templateVersion == 2)
        #expect(s.state.questions.map(\.id) == ["channel", "topics", "score", "comment"])
        #expect(s.state.questions[0].maxSelections == 1, "a single choice takes exactly one")
        #expect(s.whenRefused(.create(surveyID: surveyID, questionnaire: template))?.code == .alreadyExists)
    }

    @Test func aMalformedTemplateIsRefused() {
        let empty = Scenario(Survey.self)
        func refused(_ questions: [SurveyQuestion], title: String = "t") -> DomainError? {
            empty.whenRefused(.create(surveyID: surveyID, questionnaire: Questionnaire(title: title, questions: questions)))
        }
        #expect(refused([.rating("q", "p", scale: 5)], title: " ")?.field == "title")
        #expect(refused([])?.field == "questions")
        #expect(refused([.rating("q", "p", scale: 5), .rating("q", "again", scale: 5)])?.field == "questions.q", "duplicate id")
        #expect(refused([.singleChoice("q", "p", options: ["only"])])?.field == "questions.q", "one option")
        #expect(refused([.singleChoice("q", "p", options: ["a", " a "])])?.field == "questions.q", "repeated option")
        #expect(refused([.multipleChoice("q", "p", options: ["a", "b"], min: 2, max: 1)])?.field == "questions.q", "min above max")
        #expect(refused([.multipleChoice("q", "p", options: ["a", "b"], min: 0, max: 3)])?.field == "questions.q", "max above options")
        #expect(refused([.rating("q", "p", scale: 1)])?.field == "questions.q")
        #expect(refused([.rating("q", "p", scale: 11)])?.field == "questions.q")
        #expect(refused([.freeText("q", "p", maxLength: 0)])?.field == "questions.q")
        #expect(refused([.rating("q", " ", scale: 5)])?.field == "questions.q", "blank prompt")
        #expect(refused([.rating(" ", "p", scale: 5)])?.field == "questions", "blank id")
    }

    // MARK: distribute

    @Test func distributingOpensTheSurveyAndSkipsRecipientsAlreadyIncluded() {
        var s = open()
        #expect(s.state.status == .open)
        #expect(s.state.recipients == [alice, bob])
        #expect(s.when(.distribute(recipients: [alice, bob])).isEmpty, "all already included")
        let events = s.apply(.distribute(recipients: [bob, carol, carol]))
        guard case .distributed(let e) = events.first else { Issue.record("expected a distribution"); return }
        #expect(e.recipients == [carol])
        #expect(s.state.recipients == [alice, bob, carol])
    }

    @Test func distributingNeedsRecipientsASurveyAndAnOpenOne() {
        #expect(created().whenRefused(.distribute(recipients: []))?.field == "recipients")
        #expect(Scenario(Survey.self).whenRefused(.distribute(recipients: [alice]))?.code == .notFound)
        var s = open()
        s.apply(.close)
        #expect(s.whenRefused(.distribute(recipients: [carol]))?.code == .invalidTransition)
    }

    // MARK: respond

    @Test func aDistributedRecipientRespondsOnceWithCheckedAnswers() {
        var s = open()
        let events = s.apply(respond(alice, fullAnswer))
        guard case .responded(let e) = events.first else { Issue.record("expected a response"); return }
        #expect(e.recipient == alice)
        #expect(e.answers.last == .text("comment", "fast"), "free text is trimmed")
        #expect(s.state.hasResponded(alice))
        #expect(s.state.awaitingResponse == [bob])
    }

    @Test func aSecondResponseFromTheSameRecipientIsRefused() {
        var s = open()
        s.apply(respond(alice, fullAnswer))
        let error = s.whenRefused(respond(alice, fullAnswer, id: "r-2"))
        #expect(error?.code == .alreadyExists)
        #expect(error?.field == "recipient")
        #expect(s.state.responses.count == 1)
    }

    @Test func aReusedResponseIDIsRefused() {
        var s = open()
        s.apply(respond(alice, fullAnswer))
        #expect(s.whenRefused(respond(bob, fullAnswer, id: "r-1"))?.field == "responseID")
    }

    @Test func onlyDistributedRecipientsRespond() {
        let error = open().whenRefused(respond(carol, fullAnswer))
        #expect(error?.code == .forbidden)
        #expect(error?.field == "recipient")
        #expect(open().whenRefused(respond(.customer(bob.id), fullAnswer))?.code == .forbidden, "same id, other kind")
    }

    @Test func responsesAreTakenOnlyWhileOpen() {
        #expect(created().whenRefused(respond(alice, fullAnswer))?.code == .invalidTransition, "not distributed yet")
        var s = open()
        s.apply(.close)
        #expect(s.whenRefused(respond(alice, fullAnswer))?.code == .invalidTransition, "closed")
        #expect(Scenario(Survey.self).whenRefused(respond(alice, fullAnswer))?.code == .notFound)
    }

    func refusedAnswer(replacing questionID: String, with answer: SurveyAnswer?) -> DomainError? {
        var answers = fullAnswer.filter { $0.questionID != questionID }
        if let answer { answers.append(answer) }
        return open().whenRefused(respond(alice, answers))
    }

    @Test func anAnswerOfTheWrongKindIsRefused() {
        #expect(refusedAnswer(replacing: "score", with: .text("score", "5"))?.field == "answers.score")
        #expect(refusedAnswer(replacing: "channel", with: .rating("channel", 1))?.field == "answers.channel")
        #expect(refusedAnswer(replacing: "comment", with: .choice("comment", "phone"))?.field == "answers.comment")
    }

    @Test func anOptionNotOfferedIsRefused() {
        let error = refusedAnswer(replacing: "channel", with: .choice("channel", "fax"))
        #expect(error?.code == .invalid)
        #expect(error?.field == "answers.channel")
        #expect(refusedAnswer(replacing: "topics", with: .choice("topics", "billing", "tariffs"))?.field == "answers.topics")
    }

    @Test func tooManyOrTooFewSelectionsAreRefused() {
        #expect(refusedAnswer(replacing: "channel", with: .choice("channel", "phone", "email"))?.field == "answers.channel", "single choice takes one")
        #expect(refusedAnswer(replacing: "topics", with: .choice("topics", "billing", "outage", "meter"))?.field == "answers.topics", "above max")
        #expect(refusedAnswer(replacing: "topics", with: .choice("topics", "billing", "billing"))?.field == "answers.topics", "chosen twice")
        var s = Scenario(Survey.self)
        s.apply(.create(surveyID: surveyID, questionnaire: Questionnaire(title: "t", questions: [
            .multipleChoice("pick", "Pick two or three", options: ["a", "b", "c", "d"], min: 2, max: 3, required: false),
        ])))
        s.apply(.distribute(recipients: [alice]))
        #expect(s.whenRefused(respond(alice, [.choice("pick", "a")]))?.field == "answers.pick", "below min")
        #expect(!s.when(respond(alice, [.choice("pick", "a", "b")])).isEmpty)
        #expect(!s.when(respond(alice, [])).isEmpty, "an optional question may be skipped")
    }

    @Test func aRatingOffTheScaleIsRefused() {
        #expect(refusedAnswer(replacing: "score", with: .rating("score", 6))?.field == "answers.score")
        #expect(refusedAnswer(replacing: "score", with: .rating("score", 0))?.field == "answers.score")
        #expect(open().when(respond(alice, fullAnswer.filter { $0.questionID != "score" } + [.rating("score", 5)])).count == 1, "top of the scale")
    }

    @Test func aTextTooLongIsRefused() {
        #expect(refusedAnswer(replacing: "comment", with: .text("comment", String(repeating: "x", count: 21)))?.field == "answers.comment")
        #expect(open().when(respond(alice, fullAnswer.filter { $0.questionID != "comment" } + [.text("comment", String(repeating: "中", count: 20))])).count == 1,
                "20 characters, not bytes")
    }

    @Test func aRequiredQuestionLeftUnansweredIsRefused() {
        #expect(refusedAnswer(replacing: "score", with: nil)?.field == "answers.score")
        #expect(refusedAnswer(replacing: "channel", with: .choice("channel"))?.field == "answers.channel", "an empty choice is no answer")
        let events = open().when(respond(alice, fullAnswer.filter { $0.questionID != "comment" }))
        guard case .responded(let e) = events.first else { Issue.record("optional text may be skipped"); return }
        #expect(e.answers.map(\.questionID) == ["channel", "topics", "score"])
    }

    @Test func answersToUnknownOrRepeatedQuestionsAreRefused() {
        #expect(open().whenRefused(respond(alice, fullAnswer + [.rating("nope", 1)]))?.field == "answers")
        #expect(open().whenRefused(respond(alice, fullAnswer + [.rating("score", 3)]))?.field == "answers.score")
    }

    // MARK: close

    @Test func closingEndsResponsesAndIsIdempotent() {
        var s = open()
        s.apply(.close)
        #expect(s.state.status == .closed)
        #expect(s.when(.close).isEmpty)
        #expect(created().whenRefused(.close)?.code == .invalidTransition, "never distributed")
        #expect(Scenario(Survey.self).whenRefused(.close)?.code == .notFound)
    }

    // MARK: summary

    @Test func theSummaryCountsOptionsRatingsAndTheResponseRate() {
        var s = open()
        s.apply(.distribute(recipients: [carol]))
        s.apply(respond(alice, fullAnswer))
        s.apply(respond(bob, [.choice("channel", "phone"), .choice("topics", "outage"), .rating("score", 2)], id: "r-2"))
        let summary = s.state.summary
        #expect(summary.recipients == 3)
        #expect(summary.responses == 2)
        #expect(summary.responseRate == Decimal(string: "0.6667"))
        #expect(summary.optionCounts["channel"] == ["phone": 2, "email": 0, "visit": 0])
        #expect(summary.optionCounts["topics"] == ["billing": 1, "outage": 2, "meter": 0, "other": 0])
        #expect(summary.ratingCounts["score"] == [4: 1, 2: 1])
        #expect(summary.answered["comment"] == 1)
        #expect(created().state.summary.responseRate == 0, "no recipients")
    }

    // MARK: events

    @Test func surveyEventsRoundTrip() throws {
        let at = Date(timeIntervalSince1970: 1_767_225_600)
        try expectRoundTrips([
            SurveyEvent.created(SurveyCreated(surveyID: surveyID, templateID: UUID.derived("t"), templateVersion: 3, title: "满意度调查", questions: template.questions,
                                              createdBy: "emp-1", createdAt: at)),
            .created(SurveyCreated(surveyID: surveyID, templateID: nil, title: "t", questions: [.freeText("c", "p", maxLength: 5)], createdBy: "e", createdAt: at)),
            .distributed(SurveyDistributed(surveyID: surveyID, recipients: [alice, bob], distributedBy: "emp-1", distributedAt: at)),
            .responded(SurveyResponseRecorded(surveyID: surveyID, responseID: UUID.derived("r"), recipient: bob, answers: fullAnswer, respondedAt: at)),
            .closed(SurveyClosed(surveyID: surveyID, closedBy: "emp-1", closedAt: at)),
        ])
    }
}
