import EventSourcing
import Foundation

/// An employee submitted a feedback form, its values checked against the template.
public struct FeedbackFormSubmitted: EventPayload, Equatable {
    public static let eventType = "FeedbackFormSubmitted"
    public static let schemaVersion: UInt32 = 1
    public var formID: UUID
    /// A copy of the template the values were checked against.
    public var template: FeedbackTemplate
    /// The employee who submitted the form.
    public var submittedBy: String
    /// Whose feedback it is (may differ from the submitter).
    public var reporter: String
    /// Who is to review it.
    public var reviewer: String
    /// The branch, for aggregation per branch later.
    public var branch: String
    public var values: [FeedbackValue]
    public var submittedAt: Date

    public init(formID: UUID, template: FeedbackTemplate, submittedBy: String, reporter: String, reviewer: String, branch: String, values: [FeedbackValue], submittedAt: Date) {
        self.formID = formID
        self.template = template
        self.submittedBy = submittedBy
        self.reporter = reporter
        self.reviewer = reviewer
        self.branch = branch
        self.values = values
        self.submittedAt = submittedAt
    }
}

/// A workflow instance started reviewing the form.
public struct FeedbackFormReviewStarted: EventPayload, Equatable {
    public static let eventType = "FeedbackFormReviewStarted"
    public static let schemaVersion: UInt32 = 1
    /// The workflow instance that reviews the submission.
    public var workflowID: UUID
    public var at: Date

    public init(workflowID: UUID, at: Date) {
        self.workflowID = workflowID
        self.at = at
    }
}

/// The reviewing workflow approved the form.
public struct FeedbackFormReviewed: EventPayload, Equatable {
    public static let eventType = "FeedbackFormReviewed"
    public static let schemaVersion: UInt32 = 1
    public var workflowID: UUID
    public var reviewedAt: Date

    public init(workflowID: UUID, reviewedAt: Date) {
        self.workflowID = workflowID
        self.reviewedAt = reviewedAt
    }
}

/// The reviewing workflow returned the form to its submitter.
public struct FeedbackFormReturned: EventPayload, Equatable {
    public static let eventType = "FeedbackFormReturned"
    public static let schemaVersion: UInt32 = 1
    public var workflowID: UUID
    public var reason: String
    public var returnedAt: Date

    public init(workflowID: UUID, reason: String, returnedAt: Date) {
        self.workflowID = workflowID
        self.reason = reason
        self.returnedAt = returnedAt
    }
}

/// The submitter changed values of a returned form.
public struct FeedbackFormAmended: EventPayload, Equatable {
    public static let eventType = "FeedbackFormAmended"
    public static let schemaVersion: UInt32 = 1
    /// Exactly the fields whose value changed, old → new.
    public var changes: [FieldChange]
    public var amendedBy: String
    public var at: Date

    public init(changes: [FieldChange], amendedBy: String, at: Date) {
        self.changes = changes
        self.amendedBy = amendedBy
        self.at = at
    }
}

/// The events of ``FeedbackForm``.
public enum FeedbackEvent: DomainEvent {
    case submitted(FeedbackFormSubmitted)
    case reviewStarted(FeedbackFormReviewStarted)
    case reviewed(FeedbackFormReviewed)
    case returned(FeedbackFormReturned)
    case amended(FeedbackFormAmended)

    public static let payloadTypes: [any EventPayload.Type] = [
        FeedbackFormSubmitted.self, FeedbackFormReviewStarted.self, FeedbackFormReviewed.self, FeedbackFormReturned.self, FeedbackFormAmended.self,
    ]

    public var payload: any EventPayload {
        switch self {
        case .submitted(let p): return p
        case .reviewStarted(let p): return p
        case .reviewed(let p): return p
        case .returned(let p): return p
        case .amended(let p): return p
        }
    }

    public init?(payload: any EventPayload) {
        switch payload {
        case let p as FeedbackFormSubmitted: self = .submitted(p)
        case let p as FeedbackFormReviewStarted: self = .reviewStarted(p)
        case let p as FeedbackFormReviewed: self = .reviewed(p)
        case let p as FeedbackFormReturned: self = .returned(p)
        case let p as FeedbackFormAmended: self = .amended(p)
        default: return nil
        }
    }
}
