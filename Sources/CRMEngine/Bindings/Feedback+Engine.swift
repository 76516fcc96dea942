import CRMDomain
import CRMProjections
import EventSourcing
import Foundation

/// Feedback and report forms (R-ORG-3): module `organisation`; each form sits in its own branch
/// (`.direct`), its submitter, reporter and reviewer see it as their own. `submit` → create; the review
/// (`startReview`, `markReviewed`, `markReturned`) → approve; `amend` → edit. A person submits and
/// amends as themselves: the submitter and the amending employee are the principal. A person reviews a form
/// by hand only as its named reviewer (the default feedback workflow records the review for them otherwise).
extension FeedbackForm: EngineRecord {
    public static var module: Permission.Module { .organisation }
    public static func action(for command: Command) -> Permission.Action {
        switch command {
        case .submit: return .create
        case .startReview, .markReviewed, .markReturned: return .approve
        case .amend: return .edit
        }
    }
    public static func scope(of command: Command?, state: State) -> ScopeSource {
        if case .submit(_, _, let submittedBy, let reporter, let reviewer, let branch, _)? = command, state.formID == nil {
            return .direct(RecordScope(branch: branch, owners: [submittedBy, reporter, reviewer]))
        }
        return .direct(RecordScope(branch: state.branch.isEmpty ? nil : state.branch,
                                   owners: [state.submittedBy, state.reporter, state.reviewer].filter { !$0.isEmpty }))
    }
    public static func prepare(_ command: Command, state: State, principal: Principal, engine: CRMEngine) async throws -> Command {
        guard !principal.isSystem else { return command }
        switch command {
        case .submit(let id, let template, _, let reporter, let reviewer, let branch, let values):
            return .submit(id: id, template: template, submittedBy: principal.id, reporter: reporter, reviewer: reviewer, branch: branch, values: values)
        case .amend(_, let values):
            return .amend(employee: principal.id, values: values)
        case .startReview, .markReviewed, .markReturned:
            // A review by hand is the named reviewer's; others decide it through the workflow (escalation,
            // delegation) or not at all.
            guard state.formID == nil || principal.id == state.reviewer else {
                throw EngineError(.forbidden, "only the reviewer the form names may review it")
            }
            return command
        }
    }
}
