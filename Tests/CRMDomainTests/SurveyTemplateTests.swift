import CRMDomain
import EventSourcing
import Foundation
import Testing

@Suite("Survey templates")
struct SurveyTemplateTests {
    let templateID = UUID.derived("template-1")
    let questions: [SurveyQuestion] = [
        .rating("score", "How satisfied are you?", scale: 5),
        .freeText("comment", "Anything else?", maxLength: 200),
    ]

    func created() -> Scenario<SurveyTemplate> {
        var s = Scenario(SurveyTemplate.self)
        s.apply(.create(templateID: templateID, title: "Satisfaction", questions: questions))
        return s
    }

    @Test func aTemplateIsCreatedAtVersionOneAndOffersACopy() {
        let s = created()
        #expect(s.state.version == 1)
        #expect(s.state.questionnaire == Questionnaire(templateID: templateID, templateVersion: 1, title: "Satisfaction", questions: questions))
        #expect(s.whenRefused(.create(templateID: templateID, title: "again", questions: questions))?.code == .alreadyExists)
        #expect(Scenario(SurveyTemplate.self).whenRefused(.create(templateID: templateID, title: "t", questions: []))?.field == "questions")
        #expect(Scenario(SurveyTemplate.self).whenRefused(.create(templateID: templateID, title: "", questions: questions))?.field == "title")
        #expect(Scenario(SurveyTemplate.self).state.questionnaire == nil)
    }

    @Test func aRevisionRecordsExactlyWhatChangedAndRaisesTheVersion() {
        var s = created()
        let altered: [SurveyQuestion] = [
            .rating("score", "How satisfied are you?", scale: 10),
            .singleChoice("again", "Would you come back?", options: ["yes", "no"]),
        ]
        let events = s.apply(.revise(title: "Satisfaction", questions: altered))
        guard case .revised(let e) = events.first else { Issue.record("expected a revision"); return }
        #expect(e.version == 2)
        #expect(e.changes.map(\.field) == ["questions.score", "questions.comment", "questions.again"], "the title did not change")
        #expect(e.changes[0].old == .text("rating 1–5, required: How satisfied are you?"))
        #expect(e.changes[0].new == .text("rating 1–10, required: How satisfied are you?"))
        #expect(e.changes[1].new == nil, "removed")
        #expect(e.changes[2].old == nil, "added")
        #expect(s.state.questionnaire?.templateVersion == 2)
        #expect(s.when(.revise(title: "Satisfaction", questions: altered)).isEmpty, "nothing changed")
        #expect(s.whenRefused(.revise(title: "t", questions: [.rating("x", "p", scale: 20)]))?.field == "questions.x")
    }

    @Test func reorderingAndRetitlingAreRecorded() {
        let events = created().when(.revise(title: "Service check", questions: questions.reversed()))
        guard case .revised(let e) = events.first else { Issue.record("expected a revision"); return }
        #expect(e.changes == [
            FieldChange(field: "title", old: .text("Satisfaction"), new: .text("Service check")),
            FieldChange(field: "questionOrder", old: .list(["score", "comment"]), new: .list(["comment", "score"])),
        ])
    }

    @Test func aSurveyKeepsTheVersionItCopied() {
        var template = created()
        var survey = Scenario(Survey.self)
        guard let copy = template.state.questionnaire else { Issue.record("expected a questionnaire"); return }
        survey.apply(.create(surveyID: UUID.derived("s"), questionnaire: copy))
        template.apply(.revise(title: "Satisfaction", questions: [.rating("score", "Rate us", scale: 3)]))
        #expect(survey.state.templateVersion == 1)
        #expect(survey.state.questions.map(\.scale) == [5, 0])
        #expect(template.state.questions.map(\.scale) == [3])
    }

    @Test func archivedTemplatesOfferNoCopyAndRefuseRevisionsUntilRestored() {
        var s = created()
        s.apply(.archive)
        #expect(s.state.questionnaire == nil)
        #expect(s.when(.archive).isEmpty)
        #expect(s.whenRefused(.revise(title: "t", questions: questions))?.code == .archived)
        s.apply(.restore)
        #expect(s.state.questionnaire != nil)
        #expect(s.when(.restore).isEmpty)
        #expect(Scenario(SurveyTemplate.self).whenRefused(.archive)?.code == .notFound)
        #expect(Scenario(SurveyTemplate.self).whenRefused(.revise(title: "t", questions: questions))?.code == .notFound)
    }

    @Test func surveyTemplateEventsRoundTrip() throws {
        let at = Date(timeIntervalSince1970: 1_767_225_600)
        try expectRoundTrips([
            SurveyTemplateEvent.created(SurveyTemplateCreated(templateID: templateID, title: "问卷", questions: questions, createdBy: "e", createdAt: at)),
            .revised(SurveyTemplateRevised(templateID: templateID, version: 2, title: "t", questions: questions,
                                           changes: [FieldChange(field: "title", old: .text("a"), new: .text("b")), FieldChange(field: "questions.x", old: nil, new: .text("x"))],
                                           revisedBy: "e", revisedAt: at)),
            .archived(SurveyTemplateArchived(templateID: templateID, archivedBy: "e", archivedAt: at)),
            .restored(SurveyTemplateRestored(templateID: templateID, restoredBy: "e", restoredAt: at)),
        ])
    }
}
