import EventSourcing
import Foundation

public struct FeedbackSubmitted: EventPayload, Equatable {
    public static let eventType = "FeedbackSubmitted"
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

public struct FeedbackReviewStarted: EventPayload, Equatable {
    public static let eventType = "FeedbackReviewStarted"
    public static let schemaVersion: UInt32 = 1
    /// The workflow instance that reviews the submission.
    public var workflowID: UUID
    public var at: Date

    public init(workflowID: UUID, at: Date) {
        self.workflowID = workflowID
        self.at = at
    }
}

public struct FeedbackReviewed: EventPayload, Equatable {
    public static let eventType = "FeedbackReviewed"
    public static let schemaVersion: UInt32 = 1
    public var workflowID: UUID
    public var reviewedAt: Date

    public init(workflowID: UUID, reviewedAt: Date) {
        self.workflowID = workflowID
        self.reviewedAt = reviewedAt
    }
}

public struct FeedbackReturned: EventPayload, Equatable {
    public static let eventType = "FeedbackReturned"
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

public struct FeedbackAmended: EventPayload, Equatable {
    public static let eventType = "FeedbackAmended"
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
    case submitted(FeedbackSubmitted)
    case reviewStarted(FeedbackReviewStarted)
    case reviewed(FeedbackReviewed)
    case returned(FeedbackReturned)
    case amended(FeedbackAmended)

    public static let payloadTypes: [any EventPayload.Type] = [
        FeedbackSubmitted.self, FeedbackReviewStarted.self, FeedbackReviewed.self, FeedbackReturned.self, FeedbackAmended.self,
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
        case let p as FeedbackSubmitted: self = .submitted(p)
        case let p as FeedbackReviewStarted: self = .reviewStarted(p)
        case let p as FeedbackReviewed: self = .reviewed(p)
        case let p as FeedbackReturned: self = .returned(p)
        case let p as FeedbackAmended: self = .amended(p)
        default: return nil
        }
    }
}
