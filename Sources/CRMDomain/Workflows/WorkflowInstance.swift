import EventSourcing
import Foundation

/// One run of an approval workflow for a subject (R-ORG-5). It copies the definition version it starts
/// with, so revising the definition never changes it.
///
/// Sending back: at step n > 1 the instance returns to step n − 1; at step 1 it returns to the submitter
/// (status ``WorkflowStatus/returnedToSubmitter``), who may `resubmit` (step 1 starts again) or `cancel`.
/// A step's delegate or any holder of its approver role may approve, send back, reject or re-delegate it.
/// A subject decided outside the workflow while it waits (approved or sent back directly), or asking for
/// approval again (a new request supersedes this one), ends it with `closeBySubject` (status
/// ``WorkflowStatus/closedBySubject``), which the engine accepts from the system only.
///
/// ```swift
/// guard let version = definitionState.current else { return }
/// let start = WorkflowInstance.Command.start(id: id, subjectKind: .quote, subjectID: quoteID,
///                                            submitter: "emp-7", definition: version)
/// let escalations = try WorkflowInstance.decide(.escalateIfLate(at: now), state: state, context: context)
/// ```
public enum WorkflowInstance: Aggregate {
    public static let category = "workflow"

    public typealias State = WorkflowInstanceState

    public enum Command: Sendable, Equatable {
        /// Starts step 1 for a subject with a copy of `definition` (whose kind must match the subject's).
        case start(id: UUID, subjectKind: WorkflowSubjectKind, subjectID: UUID, submitter: String, definition: WorkflowDefinitionVersion)
        /// Approves the current step; the last approval completes the workflow.
        case approve(employee: String, roles: [String], comment: String?)
        /// Returns the current step to the previous one, or to the submitter at step 1; a reason is required.
        case sendBack(employee: String, roles: [String], reason: String)
        /// Hands the current step to another employee, who may then decide it without the role.
        case delegate(employee: String, roles: [String], to: String)
        /// Records the escalation of the current step once, when it is late at `at`; otherwise nothing.
        case escalateIfLate(at: Date)
        /// The current approver refuses the subject; the workflow ends.
        case reject(employee: String, roles: [String], reason: String)
        /// The submitter starts step 1 again after it was sent back to them.
        case resubmit(employee: String)
        /// The submitter withdraws the subject.
        case cancel(employee: String, reason: String)
        /// The subject was decided outside the workflow (approved or sent back directly, by `decidedBy`) while
        /// the workflow waited, or asked for approval again (`superseded`: a new request, by `decidedBy`): it
        /// ends without a decision of its own. Nothing when the workflow has already ended. Sent by the system
        /// only (the engine refuses it from a person).
        case closeBySubject(decision: WorkflowSubjectDecision, decidedBy: String)
    }

    public typealias Event = WorkflowEvent

    public static var initialState: State { State() }

    public static func decide(_ command: Command, state: State, context: CommandContext) throws(DomainError) -> [Event] {
        let now = context.now
        switch command {
        case .start(let id, let kind, let subjectID, let submitter, let definition):
            guard state.status == .none else { throw DomainError(.alreadyExists, "the workflow has already started") }
            let submitter = try Validate.text(submitter, field: "submitter", max: 100)
            guard definition.kind == kind else { throw .invalid("definition", "the definition is for another kind of subject") }
            // The definition is a recorded version (the engine loads it from its stream): its structure is
            // checked again, its texts as they were recorded, so one named before a check tightened still runs.
            let steps = try WorkflowValidate.steps(definition.steps, unlessUnchangedFrom: definition.steps)
            var copy = definition
            copy.steps = steps
            return [.started(WorkflowStarted(instanceID: id, subjectKind: kind, subjectID: subjectID, submitter: submitter, definition: copy, startedAt: now))]

        case .approve(let employee, let roles, let comment):
            let asDelegate = try state.authorise(employee, roles: roles)
            let comment = try Validate.optionalMultilineText(comment, field: "comment")
            var events: [Event] = [.stepApproved(WorkflowStepApproved(step: state.currentStepIndex, approvedBy: employee, asDelegate: asDelegate, comment: comment, at: now))]
            if state.currentStepIndex + 1 >= (state.definition?.steps.count ?? 0), let kind = state.subjectKind, let subject = state.subjectID {
                events.append(.completed(WorkflowCompleted(subjectKind: kind, subjectID: subject, at: now)))
            }
            return events

        case .sendBack(let employee, let roles, let reason):
            _ = try state.authorise(employee, roles: roles)
            let reason = try Validate.multilineText(reason, field: "reason", max: 2000)
            let to: Int? = state.currentStepIndex > 0 ? state.currentStepIndex - 1 : nil
            return [.sentBack(WorkflowSentBack(fromStep: state.currentStepIndex, toStep: to, reason: reason, sentBackBy: employee, at: now))]

        case .delegate(let employee, let roles, let to):
            _ = try state.authorise(employee, roles: roles)
            let to = try Validate.text(to, field: "to", max: 100)
            guard !Employee.sameID(to, employee) else { throw .invalid("to", "a step cannot be delegated to oneself") }
            guard !Employee.sameID(to, state.delegate) else { return [] }
            return [.stepDelegated(WorkflowStepDelegated(step: state.currentStepIndex, delegatedBy: employee, previousDelegate: state.delegate, delegate: to, at: now))]

        case .escalateIfLate(let at):
            guard let step = state.currentStep, let dueAt = state.dueAt, state.isLate(at: at), !state.currentStepEscalated else { return [] }
            return [.stepEscalated(WorkflowStepEscalated(step: state.currentStepIndex, escalatedTo: step.escalateTo, dueAt: dueAt, at: at))]

        case .reject(let employee, let roles, let reason):
            _ = try state.authorise(employee, roles: roles)
            let reason = try Validate.multilineText(reason, field: "reason", max: 2000)
            return [.rejected(WorkflowRejected(step: state.currentStepIndex, rejectedBy: employee, reason: reason, at: now))]

        case .resubmit(let employee):
            guard state.status == .returnedToSubmitter else {
                throw state.status == .none ? .notFound("no such workflow") : .transition("only a workflow sent back to its submitter can be resubmitted")
            }
            guard employee == state.submitter else { throw DomainError(.forbidden, field: "employee", "only the submitter may resubmit") }
            return [.resubmitted(WorkflowResubmitted(resubmittedBy: employee, at: now))]

        case .cancel(let employee, let reason):
            guard state.status == .running || state.status == .returnedToSubmitter else {
                throw state.status == .none ? .notFound("no such workflow") : .transition("the workflow has already ended")
            }
            guard employee == state.submitter else { throw DomainError(.forbidden, field: "employee", "only the submitter may cancel") }
            let reason = try Validate.multilineText(reason, field: "reason", max: 2000)
            return [.cancelled(WorkflowCancelled(cancelledBy: employee, reason: reason, at: now))]

        case .closeBySubject(let decision, let decidedBy):
            switch state.status {
            case .none: throw .notFound("no such workflow")
            case .running, .returnedToSubmitter:
                let decidedBy = try Validate.text(decidedBy, field: "decidedBy", max: 100)
                return [.closedBySubject(WorkflowClosedBySubject(decision: decision, decidedBy: decidedBy, at: now))]
            case .completed, .rejected, .cancelled, .closedBySubject:
                return []
            }
        }
    }

    public static func evolve(_ state: State, _ event: Event) -> State {
        var s = state
        func startStep(_ index: Int, at: Date) {
            s.currentStepIndex = index
            s.stepStartedAt = at
            s.delegate = nil
            s.currentStepEscalated = false
        }
        switch event {
        case .started(let e):
            s.status = .running
            s.instanceID = e.instanceID
            s.subjectKind = e.subjectKind
            s.subjectID = e.subjectID
            s.submitter = e.submitter
            s.definition = e.definition
            startStep(0, at: e.startedAt)
        case .stepApproved(let e):
            s.approvals.append(e)
            if e.step + 1 < (s.definition?.steps.count ?? 0) { startStep(e.step + 1, at: e.at) }
        case .sentBack(let e):
            if let to = e.toStep {
                startStep(to, at: e.at)
            } else {
                startStep(0, at: e.at)
                s.status = .returnedToSubmitter
            }
        case .resubmitted(let e):
            s.status = .running
            startStep(0, at: e.at)
        case .stepDelegated(let e): s.delegate = e.delegate
        case .stepEscalated: s.currentStepEscalated = true
        case .completed: s.status = .completed
        case .rejected: s.status = .rejected
        case .cancelled: s.status = .cancelled
        case .closedBySubject: s.status = .closedBySubject
        }
        return s
    }
}
