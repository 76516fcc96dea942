import Foundation

/// Where a workflow instance stands.
public enum WorkflowStatus: String, Hashable, Sendable, Codable {
    /// Not started.
    case none
    /// A step is waiting for its approver.
    case running
    /// Sent back at the first step: the submitter must resubmit (or cancel).
    case returnedToSubmitter
    case completed
    case rejected
    case cancelled
    /// Ended because its subject was decided outside the workflow or asked for approval again (``WorkflowClosedBySubject``).
    case closedBySubject
}

/// The state of one workflow instance, with the pure questions a scheduler or a worklist asks.
public struct WorkflowInstanceState: Sendable, Equatable {
    public var status: WorkflowStatus = .none
    public var instanceID: UUID?
    public var subjectKind: WorkflowSubjectKind?
    public var subjectID: UUID?
    public var submitter: String = ""
    /// The copy of the definition version this instance runs.
    public var definition: WorkflowDefinitionVersion?
    /// The index of the current step (0-based).
    public var currentStepIndex: Int = 0
    /// When the current step (or the return to the submitter) started.
    public var stepStartedAt: Date = Date(timeIntervalSince1970: 0)
    /// The employee the current step is delegated to, if any.
    public var delegate: String?
    /// Whether the current step's lateness has been escalated (reset when the step changes).
    public var currentStepEscalated: Bool = false
    /// Every approval so far, in order (a step sent back and approved again appears twice).
    public var approvals: [WorkflowStepApproved] = []

    public init() {}

    /// The step waiting for a decision; nil unless running.
    public var currentStep: WorkflowStep? {
        guard status == .running, let steps = definition?.steps, steps.indices.contains(currentStepIndex) else { return nil }
        return steps[currentStepIndex]
    }

    /// Whose turn it is: the delegate, else the step's approver role; the submitter when sent back to them.
    public var holder: WorkflowParty? {
        switch status {
        case .running:
            if let delegate { return .employee(delegate) }
            return currentStep.map { .role($0.approverRole) }
        case .returnedToSubmitter: return .employee(submitter)
        default: return nil
        }
    }

    /// When the current step is due: its start plus its deadline hours.
    public var dueAt: Date? {
        currentStep.map { stepStartedAt.addingTimeInterval(TimeInterval($0.deadlineHours) * 3600) }
    }

    /// True when the current step is past its due instant at `instant`.
    public func isLate(at instant: Date) -> Bool {
        guard let dueAt else { return false }
        return instant > dueAt
    }

    /// True inside the reminder window: from `reminderLeadHours` before the due instant up to it, when the
    /// step has a lead time.
    public func reminderDue(at instant: Date) -> Bool {
        guard let step = currentStep, step.reminderLeadHours > 0, let dueAt else { return false }
        let from = dueAt.addingTimeInterval(-TimeInterval(step.reminderLeadHours) * 3600)
        return instant >= from && instant <= dueAt
    }

    /// Whether `employee` with `roles` may decide the current step: its delegate, or a holder of its role.
    /// Returns whether they act as the delegate. The engine judges a person's decision with it before the
    /// domain does (the approval inbox lists only the steps it lets its reader decide).
    public func authorise(_ employee: String, roles: [String]) throws(DomainError) -> Bool {
        guard status != .none else { throw .notFound("no such workflow") }
        guard let step = currentStep else { throw .transition("the workflow has no step waiting for a decision") }
        if let delegate, Employee.sameID(delegate, employee) { return true }
        guard roles.contains(step.approverRole) else {
            throw DomainError(.forbidden, field: "roles", "the approver does not hold the step's role")
        }
        return false
    }
}
