import CRMDomain
import EventSourcing
import Foundation
import Testing

enum FB {
    static let formID = UUID.derived("test", "feedback")
    static let workflowID = UUID.derived("test", "feedback-workflow")
    static let t0 = Date(timeIntervalSince1970: 1_767_225_600)

    static let template = FeedbackTemplate(name: "Service issue", department: "customer-service", fields: [
        FeedbackField(name: "summary", type: .text, required: true),
        FeedbackField(name: "hours lost", type: .number),
        FeedbackField(name: "area", type: .choice, options: ["billing", "metering", "network"], required: true),
    ])
    static let values = [
        FeedbackValue(field: "summary", value: .text("Meter readings late")),
        FeedbackValue(field: "area", value: .option("metering")),
    ]

    static func submit(values: [FeedbackValue] = values, template: FeedbackTemplate = template) -> FeedbackForm.Command {
        .submit(id: formID, template: template, submittedBy: "emp-1", reporter: "emp-2", reviewer: "emp-boss", branch: "north", values: values)
    }

    static var submitted: FeedbackEvent {
        .submitted(FeedbackFormSubmitted(formID: formID, template: template, submittedBy: "emp-1", reporter: "emp-2", reviewer: "emp-boss", branch: "north", values: values, submittedAt: t0))
    }
    static var reviewStarted: FeedbackEvent { .reviewStarted(FeedbackFormReviewStarted(workflowID: workflowID, at: t0)) }
    static var returned: FeedbackEvent { .returned(FeedbackFormReturned(workflowID: workflowID, reason: "more detail", returnedAt: t0)) }
}

@Suite("Feedback forms")
struct FeedbackTests {
    @Test func submittingRecordsTheValuesPeopleBranchAndTime() {
        var s = Scenario(FeedbackForm.self)
        let events = s.apply(FB.submit())
        #expect(events == [FB.submitted])
        #expect(s.state.status == .submitted)
        #expect(s.state.branch == "north")
        #expect(s.state.reporter == "emp-2")
        #expect(s.state.reviewer == "emp-boss")
        #expect(s.state.submittedAt == FB.t0)
        #expect(s.state.value("area") == .option("metering"))
        #expect(s.whenRefused(FB.submit())?.code == .alreadyExists)
    }

    @Test func valuesAreValidatedAgainstTheTemplate() {
        let s = Scenario(FeedbackForm.self)
        func refusal(_ values: [FeedbackValue]) -> DomainError? { s.whenRefused(FB.submit(values: values)) }
        let area = FeedbackValue(field: "area", value: .option("billing"))
        let summary = FeedbackValue(field: "summary", value: .text("x"))
        #expect(refusal([area])?.field == "values.summary")
        #expect(refusal([area, FeedbackValue(field: "summary", value: .text("  "))])?.field == "values.summary")
        #expect(refusal([summary])?.field == "values.area")
        #expect(refusal([summary, FeedbackValue(field: "area", value: .option("weather"))])?.field == "values.area")
        #expect(refusal([summary, FeedbackValue(field: "area", value: .text("billing"))])?.field == "values.area")
        #expect(refusal([summary, area, FeedbackValue(field: "hours lost", value: .text("three"))])?.field == "values.hours lost")
        #expect(refusal([summary, area, FeedbackValue(field: "mood", value: .text("sad"))])?.field == "values.mood")
        #expect(refusal([summary, area, summary])?.field == "values.summary")
        #expect(s.when(FB.submit(values: [summary, area, FeedbackValue(field: "hours lost", value: .number(3))])).count == 1)
    }

    @Test func aMalformedTemplateIsRefused() {
        let s = Scenario(FeedbackForm.self)
        func field(_ fields: [FeedbackField], department: String = "cs") -> String? {
            s.whenRefused(FB.submit(values: [], template: FeedbackTemplate(name: "t", department: department, fields: fields)))?.field
        }
        #expect(field([]) == "template.fields")
        #expect(field([FeedbackField(name: "a", type: .text)], department: " ") == "template.department")
        #expect(field([FeedbackField(name: "a", type: .text), FeedbackField(name: "a", type: .number)]) == "template.fields.name")
        #expect(field([FeedbackField(name: "a", type: .choice)]) == "template.fields.options")
        #expect(field([FeedbackField(name: "a", type: .choice, options: ["x", "x"])]) == "template.fields.options")
        #expect(field([FeedbackField(name: "a", type: .text, options: ["x"])]) == "template.fields.options")
    }

    @Test func peopleAndBranchAreRequired() {
        let s = Scenario(FeedbackForm.self)
        let base = FB.template
        #expect(s.whenRefused(.submit(id: FB.formID, template: base, submittedBy: "e", reporter: "", reviewer: "r", branch: "b", values: FB.values))?.field == "reporter")
        #expect(s.whenRefused(.submit(id: FB.formID, template: base, submittedBy: "e", reporter: "p", reviewer: " ", branch: "b", values: FB.values))?.field == "reviewer")
        #expect(s.whenRefused(.submit(id: FB.formID, template: base, submittedBy: "e", reporter: "p", reviewer: "r", branch: "", values: FB.values))?.field == "branch")
    }

    @Test func startingAReviewRecordsTheWorkflowOnce() {
        var s = Scenario(FeedbackForm.self, given: [FB.submitted])
        #expect(s.apply(.startReview(workflowID: FB.workflowID)) == [FB.reviewStarted])
        #expect(s.state.status == .inReview)
        #expect(s.state.workflowID == FB.workflowID)
        #expect(s.when(.startReview(workflowID: FB.workflowID)).isEmpty)
        #expect(s.whenRefused(.startReview(workflowID: UUID.derived("other")))?.code == .invalidTransition)
        #expect(Scenario(FeedbackForm.self).whenRefused(.startReview(workflowID: FB.workflowID))?.code == .notFound)
    }

    @Test func markReviewedNeedsTheReviewingWorkflowAndIsIdempotent() {
        var s = Scenario(FeedbackForm.self, given: [FB.submitted, FB.reviewStarted])
        let wrong = s.whenRefused(.markReviewed(workflowID: UUID.derived("other")))
        #expect(wrong?.code == .invalid)
        #expect(wrong?.field == "workflowID")
        #expect(s.apply(.markReviewed(workflowID: FB.workflowID)) == [.reviewed(FeedbackFormReviewed(workflowID: FB.workflowID, reviewedAt: FB.t0))])
        #expect(s.state.status == .reviewed)
        #expect(s.state.reviewedAt == FB.t0)
        #expect(s.when(.markReviewed(workflowID: FB.workflowID)).isEmpty)
        #expect(s.whenRefused(.markReturned(workflowID: FB.workflowID, reason: "late"))?.code == .invalidTransition)
    }

    @Test func markingBeforeAReviewIsRefused() {
        let s = Scenario(FeedbackForm.self, given: [FB.submitted])
        #expect(s.whenRefused(.markReviewed(workflowID: FB.workflowID))?.code == .invalidTransition)
        #expect(Scenario(FeedbackForm.self).whenRefused(.markReviewed(workflowID: FB.workflowID))?.code == .notFound)
    }

    @Test func markReturnedRecordsTheReason() {
        var s = Scenario(FeedbackForm.self, given: [FB.submitted, FB.reviewStarted])
        #expect(s.whenRefused(.markReturned(workflowID: FB.workflowID, reason: ""))?.field == "reason")
        #expect(s.whenRefused(.markReturned(workflowID: UUID.derived("x"), reason: "r"))?.field == "workflowID")
        #expect(s.apply(.markReturned(workflowID: FB.workflowID, reason: "more detail")) == [FB.returned])
        #expect(s.state.status == .returned)
        #expect(s.state.returnReason == "more detail")
        #expect(s.when(.markReturned(workflowID: FB.workflowID, reason: "more detail")).isEmpty)
    }

    @Test func aReturnedFormIsAmendedByItsSubmitterWithExactlyTheChangedFields() {
        var s = Scenario(FeedbackForm.self, given: [FB.submitted, FB.reviewStarted, FB.returned])
        let newValues = [
            FeedbackValue(field: "summary", value: .text("Meter readings late")),
            FeedbackValue(field: "hours lost", value: .number(5)),
            FeedbackValue(field: "area", value: .option("billing")),
        ]
        let events = s.apply(.amend(employee: "emp-1", values: newValues))
        #expect(events == [.amended(FeedbackFormAmended(changes: [
            FieldChange(field: "hours lost", old: nil, new: .number(5)),
            FieldChange(field: "area", old: .option("metering"), new: .option("billing")),
        ], amendedBy: "emp-1", at: FB.t0))])
        #expect(s.state.values == newValues)
        #expect(s.state.status == .submitted)
        #expect(s.apply(.startReview(workflowID: FB.workflowID)).count == 1)
    }

    @Test func amendmentRuleViolations() {
        let returned = Scenario(FeedbackForm.self, given: [FB.submitted, FB.reviewStarted, FB.returned])
        #expect(returned.when(.amend(employee: "emp-1", values: FB.values)) == [.amended(FeedbackFormAmended(changes: [], amendedBy: "emp-1", at: FB.t0))],
                "unchanged values are sent for a review again")
        let other = returned.whenRefused(.amend(employee: "emp-2", values: FB.values))
        #expect(other?.code == .forbidden)
        #expect(other?.field == "employee")
        #expect(returned.whenRefused(.amend(employee: "emp-1", values: [FB.values[0]]))?.field == "values.area")
        let inReview = Scenario(FeedbackForm.self, given: [FB.submitted, FB.reviewStarted])
        #expect(inReview.whenRefused(.amend(employee: "emp-1", values: FB.values))?.code == .invalidTransition)
        #expect(Scenario(FeedbackForm.self).whenRefused(.amend(employee: "emp-1", values: FB.values))?.code == .notFound)
    }

    @Test func feedbackEventsRoundTrip() throws {
        try expectRoundTrips([
            FB.submitted,
            FB.reviewStarted,
            .reviewed(FeedbackFormReviewed(workflowID: FB.workflowID, reviewedAt: FB.t0)),
            FB.returned,
            .amended(FeedbackFormAmended(changes: [FieldChange(field: "hours lost", old: .number(1), new: nil)], amendedBy: "emp-1", at: FB.t0)),
        ])
    }
}

@Suite("Feedback review through a workflow")
struct FeedbackReviewTests {
    static let definition = WorkflowDefinitionVersion(definitionID: UUID.derived("fb-def"), version: 3, name: "Feedback review", kind: .feedbackForm, steps: [
        WorkflowStep(name: "Reviewer", approverRole: "supervisor", deadlineHours: 8, reminderLeadHours: 2, escalateTo: .role("head")),
    ])

    func instance() -> Scenario<WorkflowInstance> {
        var w = Scenario(WorkflowInstance.self)
        w.apply(.start(id: FB.workflowID, subjectKind: .feedbackForm, subjectID: FB.formID, submitter: "emp-1", definition: Self.definition))
        return w
    }

    @Test func anApprovedReviewMarksTheFormReviewed() {
        var w = instance()
        let events = w.apply(.approve(employee: "emp-boss", roles: ["supervisor"], comment: nil))
        let reactions = events.compactMap { FeedbackForm.reaction(to: $0, instance: w.state) }
        #expect(reactions.count == 1)
        var form = Scenario(FeedbackForm.self, given: [FB.submitted, FB.reviewStarted])
        for reaction in reactions {
            #expect(reaction.formID == FB.formID)
            form.apply(reaction.command)
        }
        #expect(form.state.status == .reviewed)
    }

    @Test func aSendBackToTheSubmitterOrARejectionMarksTheFormReturned() {
        let w = instance()
        let sentBack = w.when(.sendBack(employee: "emp-boss", roles: ["supervisor"], reason: "unclear"))
        var form = Scenario(FeedbackForm.self, given: [FB.submitted, FB.reviewStarted])
        guard let reaction = sentBack.compactMap({ FeedbackForm.reaction(to: $0, instance: w.state) }).first else {
            Issue.record("no reaction"); return
        }
        form.apply(reaction.command)
        #expect(form.state.status == .returned)
        #expect(form.state.returnReason == "unclear")
        let rejected = w.when(.reject(employee: "emp-boss", roles: ["supervisor"], reason: "off topic"))
        #expect(rejected.compactMap { FeedbackForm.reaction(to: $0, instance: w.state) }.count == 1)
    }

    @Test func otherWorkflowEventsAndOtherSubjectsCauseNothing() {
        let w = instance()
        let delegated = w.when(.delegate(employee: "emp-boss", roles: ["supervisor"], to: "emp-d"))
        #expect(delegated.compactMap { FeedbackForm.reaction(to: $0, instance: w.state) }.isEmpty)
        let quote = Scenario(WorkflowInstance.self, given: [WF.started])
        let completed = WorkflowEvent.completed(WorkflowCompleted(subjectKind: .quote, subjectID: WF.quoteID, at: WF.t0))
        #expect(FeedbackForm.reaction(to: completed, instance: quote.state) == nil)
    }
}
