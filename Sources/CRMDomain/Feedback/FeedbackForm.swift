import EventSourcing
import Foundation

/// A feedback form submitted by an employee (R-ORG-3): values checked against a department's template,
/// a reporter and a reviewer, the branch (for aggregation per branch later), and a review through an
/// approval workflow. The form never reads the workflow: the engine tells it the outcome with
/// `markReviewed` / `markReturned`, carrying the instance id it recorded with `startReview`.
///
/// The reviewer is another employee than the submitter: a form naming its submitter as reviewer is refused
/// (`invalid`, field `reviewer`), and so is an amendment of such a form recorded before that rule.
///
/// After a return (sent back, rejected, or its review withdrawn by the submitter) the submitter may `amend`
/// the values — or send them unchanged (an amendment with no changes) — and the form is then `submitted`
/// again and a new review is started.
public enum FeedbackForm: Aggregate {
    public static let category = "feedback"

    public struct State: Sendable, Equatable {
        public var status: FeedbackStatus = .none
        public var formID: UUID?
        public var template: FeedbackTemplate?
        public var submittedBy: String = ""
        public var reporter: String = ""
        public var reviewer: String = ""
        public var branch: String = ""
        public var values: [FeedbackValue] = []
        public var submittedAt: Date?
        /// The workflow instance reviewing (or that last reviewed) the form.
        public var workflowID: UUID?
        public var reviewedAt: Date?
        /// The reason of the last return.
        public var returnReason: String?

        public init() {}

        /// The value of a field, if answered.
        public func value(_ field: String) -> FieldValue? { values.first { $0.field == field }?.value }
    }

    public enum Command: Sendable {
        /// Submits the form: `values` are checked against `template`; `submittedAt` is the context's now.
        case submit(id: UUID, template: FeedbackTemplate, submittedBy: String, reporter: String, reviewer: String, branch: String, values: [FeedbackValue])
        /// Records the workflow instance that reviews the submission.
        case startReview(workflowID: UUID)
        /// The reviewing workflow approved the form.
        case markReviewed(workflowID: UUID)
        /// The reviewing workflow returned the form, with its reason.
        case markReturned(workflowID: UUID, reason: String)
        /// The submitter changes values after a return, or sends them for a review again unchanged (an
        /// amendment with no changes).
        case amend(employee: String, values: [FeedbackValue])
    }

    public typealias Event = FeedbackEvent

    public static var initialState: State { State() }

    public static func decide(_ command: Command, state: State, context: CommandContext) throws(DomainError) -> [Event] {
        switch command {
        case .submit(let id, let template, let submittedBy, let reporter, let reviewer, let branch, let values):
            guard state.status == .none else { throw DomainError(.alreadyExists, "the form has already been submitted") }
            let template = try template.validated()
            let submittedBy = try Validate.text(submittedBy, field: "submittedBy", max: 100)
            let reporter = try Validate.text(reporter, field: "reporter", max: 100)
            let reviewer = try Validate.text(reviewer, field: "reviewer", max: 100)
            guard !Employee.sameID(reviewer, submittedBy) else { throw .invalid("reviewer", "the submitter cannot review their own form") }
            let branch = try Validate.text(branch, field: "branch", max: 100)
            let values = try template.validate(values)
            return [.submitted(FeedbackFormSubmitted(formID: id, template: template, submittedBy: submittedBy, reporter: reporter, reviewer: reviewer, branch: branch, values: values, submittedAt: context.now))]

        case .startReview(let workflowID):
            switch state.status {
            case .none: throw .notFound("no such feedback form")
            case .submitted: return [.reviewStarted(FeedbackFormReviewStarted(workflowID: workflowID, at: context.now))]
            case .inReview where state.workflowID == workflowID: return []
            default: throw .transition("the form is not waiting for a review")
            }

        case .markReviewed(let workflowID):
            if state.status == .reviewed, state.workflowID == workflowID { return [] }
            try requireReview(by: workflowID, state: state)
            return [.reviewed(FeedbackFormReviewed(workflowID: workflowID, reviewedAt: context.now))]

        case .markReturned(let workflowID, let reason):
            if state.status == .returned, state.workflowID == workflowID { return [] }
            try requireReview(by: workflowID, state: state)
            let reason = try Validate.multilineText(reason, field: "reason", max: 2000)
            return [.returned(FeedbackFormReturned(workflowID: workflowID, reason: reason, returnedAt: context.now))]

        case .amend(let employee, let values):
            guard state.status != .none, let template = state.template else { throw .notFound("no such feedback form") }
            guard state.status == .returned else { throw .transition("only a returned form can be amended") }
            guard Employee.sameID(employee, state.submittedBy) else { throw DomainError(.forbidden, field: "employee", "only the submitter may amend the form") }
            // A form recorded before self-review was refused, naming its submitter as reviewer, is not sent
            // for a review again.
            guard !Employee.sameID(state.reviewer, employee) else { throw .invalid("reviewer", "the submitter cannot review their own form") }
            let values = try template.validate(values)
            var changes: [FieldChange] = []
            for field in template.fields {
                changes.record(field.name, state.value(field.name), values.first { $0.field == field.name }?.value)
            }
            // Unchanged values still send the returned form for a review again ("please confirm").
            return [.amended(FeedbackFormAmended(changes: changes, amendedBy: employee, at: context.now))]
        }
    }

    private static func requireReview(by workflowID: UUID, state: State) throws(DomainError) {
        guard state.status != .none else { throw .notFound("no such feedback form") }
        guard state.status == .inReview else { throw .transition("the form is not in review") }
        guard state.workflowID == workflowID else { throw .invalid("workflowID", "another workflow reviews this form") }
    }

    public static func evolve(_ state: State, _ event: Event) -> State {
        var s = state
        switch event {
        case .submitted(let e):
            s.status = .submitted
            s.formID = e.formID
            s.template = e.template
            s.submittedBy = e.submittedBy
            s.reporter = e.reporter
            s.reviewer = e.reviewer
            s.branch = e.branch
            s.values = e.values
            s.submittedAt = e.submittedAt
        case .reviewStarted(let e):
            s.status = .inReview
            s.workflowID = e.workflowID
        case .reviewed(let e):
            s.status = .reviewed
            s.reviewedAt = e.reviewedAt
        case .returned(let e):
            s.status = .returned
            s.returnReason = e.reason
        case .amended(let e):
            s.status = .submitted
            for change in e.changes {
                s.values.removeAll { $0.field == change.field }
                if let new = change.new { s.values.append(FeedbackValue(field: change.field, value: new)) }
            }
            let order = s.template?.fields.map(\.name) ?? []
            s.values.sort { (order.firstIndex(of: $0.field) ?? 0) < (order.firstIndex(of: $1.field) ?? 0) }
        }
        return s
    }
}
