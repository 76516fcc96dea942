import Foundation

extension FeedbackForm {
    /// The command a reactor sends to a feedback form when the workflow reviewing it records `event`:
    /// completion → `markReviewed`; a send-back to the submitter, a rejection or a cancellation by the submitter
    /// (the review withdrawn) → `markReturned` with its reason, so the submitter may amend the form and send it
    /// for a review again; anything else, or a workflow whose subject is not a feedback form → nil. `instance` is the
    /// workflow's state (before or after the event: its subject and id do not change).
    ///
    /// ```swift
    /// if let (formID, command) = FeedbackForm.reaction(to: event, instance: state) { … }
    /// ```
    public static func reaction(to event: WorkflowEvent, instance: WorkflowInstanceState) -> (formID: UUID, command: Command)? {
        guard instance.subjectKind == .feedbackForm, let formID = instance.subjectID, let workflowID = instance.instanceID else { return nil }
        switch event {
        case .completed: return (formID, .markReviewed(workflowID: workflowID))
        case .sentBack(let e) where e.toStep == nil: return (formID, .markReturned(workflowID: workflowID, reason: e.reason))
        case .rejected(let e): return (formID, .markReturned(workflowID: workflowID, reason: e.reason))
        case .cancelled(let e): return (formID, .markReturned(workflowID: workflowID, reason: e.reason))
        default: return nil
        }
    }
}
