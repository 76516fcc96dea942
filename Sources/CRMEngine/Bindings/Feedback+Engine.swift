import CRMDomain
import CRMProjections
import EventSourcing
import Foundation

/// Feedback and report forms (R-ORG-3): module `organisation`; each form sits in its own branch
/// (`.direct`), its submitter, reporter and reviewer see it as their own. `submit` → create; the review
/// (`startReview`, `markReviewed`, `markReturned`) → approve; `amend` → edit. A person submits and
/// amends as themselves: the submitter and the amending employee are the principal. A person reviews a form
/// by hand only as its named reviewer (the default feedback workflow records the review for them otherwise).
/// `startReview` names an existing workflow instance whose subject is this form (kind `feedbackForm`, subject
/// id the form's), read from its stream — else `invalid`, field `workflowID`, with nothing written.
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
        switch command {
        case .submit(let id, let template, _, let reporter, let reviewer, let branch, let values):
            guard !principal.isSystem else { return command }
            return .submit(id: id, template: template, submittedBy: principal.id, reporter: reporter, reviewer: reviewer, branch: branch, values: values)
        case .amend(_, let values):
            guard !principal.isSystem else { return command }
            return .amend(employee: principal.id, values: values)
        case .startReview(let workflowID):
            try requireReviewer(state, principal)
            // The review's workflow is an instance about this very form (the reactor's, or one started for it),
            // never an id the reviewer makes up or another record's instance, whose close the form's decision
            // would then ask for. Judged for the system too; a form not submitted is the domain's "not found".
            guard let formID = state.formID else { return command }
            let instance = try await engine.load(WorkflowInstance.self, stream: WorkflowInstance.stream(workflowID)).state
            guard instance.status != .none, instance.subjectKind == .feedbackForm, instance.subjectID == formID else {
                throw EngineError(.invalid, field: "workflowID", "no workflow instance about this form has this id")
            }
            return command
        case .markReviewed, .markReturned:
            try requireReviewer(state, principal)
            return command
        }
    }

    /// A review by hand is the named reviewer's; others decide it through the workflow (escalation,
    /// delegation) or not at all. The system (the reactor recording the workflow's outcome) may.
    private static func requireReviewer(_ state: State, _ principal: Principal) throws {
        guard principal.isSystem || state.formID == nil || principal.id == state.reviewer else {
            throw EngineError(.forbidden, "only the reviewer the form names may review it")
        }
    }
}
