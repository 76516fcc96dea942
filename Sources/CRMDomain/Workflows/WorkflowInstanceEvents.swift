import EventSourcing
import Foundation

/// A workflow instance started for a subject, with a copy of its definition version.
public struct WorkflowStarted: EventPayload, Equatable {
    public static let eventType = "WorkflowStarted"
    public static let schemaVersion: UInt32 = 1
    public var instanceID: UUID
    public var subjectKind: WorkflowSubjectKind
    public var subjectID: UUID
    /// The employee who submitted the subject for approval.
    public var submitter: String
    /// A copy of the definition version this instance runs; later revisions never change it.
    public var definition: WorkflowDefinitionVersion
    public var startedAt: Date

    public init(instanceID: UUID, subjectKind: WorkflowSubjectKind, subjectID: UUID, submitter: String, definition: WorkflowDefinitionVersion, startedAt: Date) {
        self.instanceID = instanceID
        self.subjectKind = subjectKind
        self.subjectID = subjectID
        self.submitter = submitter
        self.definition = definition
        self.startedAt = startedAt
    }
}

/// The current step was approved by a holder of its role or by its delegate.
public struct WorkflowStepApproved: EventPayload, Equatable {
    public static let eventType = "WorkflowStepApproved"
    public static let schemaVersion: UInt32 = 1
    /// The index of the approved step (0-based).
    public var step: Int
    public var approvedBy: String
    /// True when the approver acted as the step's delegate rather than by role.
    public var asDelegate: Bool
    public var comment: String?
    public var at: Date

    public init(step: Int, approvedBy: String, asDelegate: Bool, comment: String? = nil, at: Date) {
        self.step = step
        self.approvedBy = approvedBy
        self.asDelegate = asDelegate
        self.comment = comment
        self.at = at
    }
}

/// The current step was sent back to the previous step, or to the submitter at the first step.
public struct WorkflowSentBack: EventPayload, Equatable {
    public static let eventType = "WorkflowSentBack"
    public static let schemaVersion: UInt32 = 1
    public var fromStep: Int
    /// The step it goes back to; nil = back to the submitter (sent back at the first step).
    public var toStep: Int?
    public var reason: String
    public var sentBackBy: String
    public var at: Date

    public init(fromStep: Int, toStep: Int? = nil, reason: String, sentBackBy: String, at: Date) {
        self.fromStep = fromStep
        self.toStep = toStep
        self.reason = reason
        self.sentBackBy = sentBackBy
        self.at = at
    }
}

/// The submitter started the first step again after a send-back.
public struct WorkflowResubmitted: EventPayload, Equatable {
    public static let eventType = "WorkflowResubmitted"
    public static let schemaVersion: UInt32 = 1
    public var resubmittedBy: String
    public var at: Date

    public init(resubmittedBy: String, at: Date) {
        self.resubmittedBy = resubmittedBy
        self.at = at
    }
}

/// The current step was delegated to another employee.
public struct WorkflowStepDelegated: EventPayload, Equatable {
    public static let eventType = "WorkflowStepDelegated"
    public static let schemaVersion: UInt32 = 1
    public var step: Int
    public var delegatedBy: String
    /// The delegate it replaces, if the step was already delegated.
    public var previousDelegate: String?
    public var delegate: String
    public var at: Date

    public init(step: Int, delegatedBy: String, previousDelegate: String? = nil, delegate: String, at: Date) {
        self.step = step
        self.delegatedBy = delegatedBy
        self.previousDelegate = previousDelegate
        self.delegate = delegate
        self.at = at
    }
}

/// The current step was late and escalated to its target (once per step activation).
public struct WorkflowStepEscalated: EventPayload, Equatable {
    public static let eventType = "WorkflowStepEscalated"
    public static let schemaVersion: UInt32 = 1
    public var step: Int
    public var escalatedTo: WorkflowParty
    public var dueAt: Date
    public var at: Date

    public init(step: Int, escalatedTo: WorkflowParty, dueAt: Date, at: Date) {
        self.step = step
        self.escalatedTo = escalatedTo
        self.dueAt = dueAt
        self.at = at
    }
}

/// The last step was approved: the subject is approved.
public struct WorkflowCompleted: EventPayload, Equatable {
    public static let eventType = "WorkflowCompleted"
    public static let schemaVersion: UInt32 = 1
    public var subjectKind: WorkflowSubjectKind
    public var subjectID: UUID
    public var at: Date

    public init(subjectKind: WorkflowSubjectKind, subjectID: UUID, at: Date) {
        self.subjectKind = subjectKind
        self.subjectID = subjectID
        self.at = at
    }
}

/// The current approver rejected the subject; the workflow ended.
public struct WorkflowRejected: EventPayload, Equatable {
    public static let eventType = "WorkflowRejected"
    public static let schemaVersion: UInt32 = 1
    public var step: Int
    public var rejectedBy: String
    public var reason: String
    public var at: Date

    public init(step: Int, rejectedBy: String, reason: String, at: Date) {
        self.step = step
        self.rejectedBy = rejectedBy
        self.reason = reason
        self.at = at
    }
}

/// The submitter withdrew the subject; the workflow ended.
public struct WorkflowCancelled: EventPayload, Equatable {
    public static let eventType = "WorkflowCancelled"
    public static let schemaVersion: UInt32 = 1
    public var cancelledBy: String
    public var reason: String
    public var at: Date

    public init(cancelledBy: String, reason: String, at: Date) {
        self.cancelledBy = cancelledBy
        self.reason = reason
        self.at = at
    }
}

/// What was decided about a workflow's subject outside the workflow (``WorkflowClosedBySubject``).
public enum WorkflowSubjectDecision: String, CaseIterable, Hashable, Sendable, Codable {
    /// Approved directly: a quote's or contract's `approve`, a campaign's feasibility approved, a quantity of
    /// a material approved, a feedback form marked reviewed.
    case approved
    /// Refused directly: a quote, contract or campaign sent back, a material declined, a feedback form returned.
    case sentBack
    /// Asked for approval again: a quote's new revision, a contract or campaign's feasibility study submitted
    /// again, a feedback form amended after a return. The new request has (or needs) a workflow of its own;
    /// this one, about the earlier request, can decide nothing any more.
    case superseded
    /// The subject was cancelled before it was decided: a contract's `cancel`. Nothing is left to decide.
    case cancelled
}

/// The subject was decided outside the workflow while the workflow still waited (running, or returned to
/// its submitter), or asked for approval again (``WorkflowSubjectDecision/superseded``): the workflow ends
/// without a decision of its own and leaves every approval inbox. Recorded by the system only (the approval
/// routing reaction, caused by the subject's decision or new request event).
public struct WorkflowClosedBySubject: EventPayload, Equatable {
    public static let eventType = "WorkflowClosedBySubject"
    public static let schemaVersion: UInt32 = 1
    /// What the subject's own decision was.
    public var decision: WorkflowSubjectDecision
    /// The employee who decided the subject, or asked for its approval again (the event's actor).
    public var decidedBy: String
    public var at: Date

    public init(decision: WorkflowSubjectDecision, decidedBy: String, at: Date) {
        self.decision = decision
        self.decidedBy = decidedBy
        self.at = at
    }
}

/// The events of ``WorkflowInstance``.
public enum WorkflowEvent: DomainEvent {
    case started(WorkflowStarted)
    case stepApproved(WorkflowStepApproved)
    case sentBack(WorkflowSentBack)
    case resubmitted(WorkflowResubmitted)
    case stepDelegated(WorkflowStepDelegated)
    case stepEscalated(WorkflowStepEscalated)
    case completed(WorkflowCompleted)
    case rejected(WorkflowRejected)
    case cancelled(WorkflowCancelled)
    case closedBySubject(WorkflowClosedBySubject)

    public static let payloadTypes: [any EventPayload.Type] = [
        WorkflowStarted.self, WorkflowStepApproved.self, WorkflowSentBack.self, WorkflowResubmitted.self,
        WorkflowStepDelegated.self, WorkflowStepEscalated.self, WorkflowCompleted.self, WorkflowRejected.self,
        WorkflowCancelled.self, WorkflowClosedBySubject.self,
    ]

    public var payload: any EventPayload {
        switch self {
        case .started(let p): return p
        case .stepApproved(let p): return p
        case .sentBack(let p): return p
        case .resubmitted(let p): return p
        case .stepDelegated(let p): return p
        case .stepEscalated(let p): return p
        case .completed(let p): return p
        case .rejected(let p): return p
        case .cancelled(let p): return p
        case .closedBySubject(let p): return p
        }
    }

    public init?(payload: any EventPayload) {
        switch payload {
        case let p as WorkflowStarted: self = .started(p)
        case let p as WorkflowStepApproved: self = .stepApproved(p)
        case let p as WorkflowSentBack: self = .sentBack(p)
        case let p as WorkflowResubmitted: self = .resubmitted(p)
        case let p as WorkflowStepDelegated: self = .stepDelegated(p)
        case let p as WorkflowStepEscalated: self = .stepEscalated(p)
        case let p as WorkflowCompleted: self = .completed(p)
        case let p as WorkflowRejected: self = .rejected(p)
        case let p as WorkflowCancelled: self = .cancelled(p)
        case let p as WorkflowClosedBySubject: self = .closedBySubject(p)
        default: return nil
        }
    }
}
