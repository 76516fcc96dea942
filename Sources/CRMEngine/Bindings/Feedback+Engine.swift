import CRMDomain
import CRMProjections
import EventSourcing
import Foundation

/// Feedback and report forms (R-ORG-3): module `organisation`; each form sits in its own branch
/// (`.direct`), its submitter, reporter and reviewer see it as their own. `submit` → create; the review
/// (`startReview`, `markReviewed`, `markReturned`) → approve; `amend` → edit. A person submits and
/// amends as themselves: the submitter and the amending employee are the principal, and the reviewer a submission
/// names must be able to review the form, judged without the ownership the naming gives (else `invalid`, field
/// `reviewer`: ``requireReviewerMayReview(after:state:principal:engine:)``;
/// not judged again on an amendment, which cannot name another).
/// A person reviews a form by hand only as its named reviewer (the default feedback workflow records the
/// review for them otherwise), and only under a workflow that has not ended (a review its submitter withdrew
/// is refused: `rejected`, domain `invalidTransition`, field `workflowID`).
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
            let submission = Command.submit(id: id, template: template, submittedBy: principal.id, reporter: reporter, reviewer: reviewer,
                                            branch: branch, values: values)
            try await requireReviewerMayReview(after: submission, state: state, principal: principal, engine: engine)
            return submission
        case .amend(_, let values):
            guard !principal.isSystem else { return command }
            // Not judged again on an amendment: it cannot name another reviewer, so a reviewer who has since lost
            // the right would leave a returned form stuck for good; the workflow's escalation reaches someone.
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
        case .markReviewed(let workflowID), .markReturned(let workflowID, _):
            try requireReviewer(state, principal)
            // By hand only under a review that still runs: the workflow of a form in review may have ended
            // (withdrawn by its submitter) before the reactor returned the form. The system records the
            // workflow's own outcome, after it ended.
            guard !principal.isSystem, state.status == .inReview, state.workflowID == workflowID else { return command }
            let instance = try await engine.load(WorkflowInstance.self, stream: WorkflowInstance.stream(workflowID)).state
            switch instance.status {
            case .completed, .rejected, .cancelled, .closedBySubject:
                let refusal = "the workflow reviewing this form has ended"
                throw EngineError(.rejected, field: "workflowID", refusal, domain: .transition(refusal))
            case .none, .running, .returnedToSubmitter:
                return command
            }
        }
    }

    /// Refuses a person's submission (which sends the form for a review) when its named reviewer,
    /// an active employee with the permissions their roles give now, could not review it: their review of the
    /// form as it would then stand in review is judged as it would be (``CRMEngine/judge(_:id:_:on:version:as:)``
    /// — seeing the form, `approve` in organisation over its scope, the domain), as a delegation is
    /// (``CRMEngine/requireDelegateMayDecide(_:state:principal:)``), and their `approve` in organisation must
    /// reach the form's branch without the ownership the naming gives
    /// (``CRMEngine/requireMayWorkOn(_:module:action:named:principal:)``: another branch's approver is no
    /// reviewer of this one's forms). Refused `invalid`, field `reviewer`; nothing is written. A command the
    /// domain refuses anyway, and an unknown or deactivated reviewer, are left to their own refusals.
    private static func requireReviewerMayReview(after command: Command, state: State, principal: Principal, engine: CRMEngine) async throws {
        let now = engine.clock.now()
        guard let events = try? decide(command, state: state, context: CommandContext(now: now, actor: principal.id)), !events.isEmpty else { return }
        var inReview = events.reduce(state, evolve)
        guard let formID = inReview.formID, let reviewerID = UUID(text: inReview.reviewer) else { return }
        inReview = evolve(inReview, .reviewStarted(FeedbackFormReviewStarted(workflowID: formID, at: now)))
        let reviewer: Principal
        do {
            reviewer = try await engine.principal(employeeID: reviewerID)
        } catch let unknown as EngineError where unknown.code == .unauthenticated {
            return
        }
        do {
            _ = try await engine.judge(FeedbackForm.self, id: formID, .markReviewed(workflowID: formID), on: inReview, as: reviewer)
        } catch let refused as EngineError where refused.code != .unavailable && refused.code != .contention {
            throw EngineError(.invalid, field: "reviewer", "the employee could not review this form")
        }
        // The judgement above counts the reviewer among the form's owners, and every scope covers `own`: their
        // `approve` must reach the form's branch without the ownership the naming itself gives, as a task's or
        // ticket's assignee is judged (a role over one's `own` records counts).
        try await engine.requireMayWorkOn(scope(of: nil, state: inReview), module: module, action: .approve,
                                          named: NamedEmployee(field: "reviewer", id: inReview.reviewer), principal: principal)
    }

    /// A review by hand is the named reviewer's; others decide it through the workflow (escalation,
    /// delegation) or not at all. The system (the reactor recording the workflow's outcome) may.
    private static func requireReviewer(_ state: State, _ principal: Principal) throws {
        guard principal.isSystem || state.formID == nil || principal.id == state.reviewer else {
            throw EngineError(.forbidden, "only the reviewer the form names may review it")
        }
    }
}
