import EventSourcing
import Foundation

public struct SurveyCreated: EventPayload, Equatable {
    public static let eventType = "SurveyCreated"
    public static let schemaVersion: UInt32 = 1
    public var surveyID: UUID
    /// The template the questions were copied from, if any.
    public var templateID: UUID?
    /// The template's version at the copy; 0 for an ad-hoc questionnaire.
    public var templateVersion: Int
    public var title: String
    /// The copy of the template's questions this survey keeps.
    public var questions: [SurveyQuestion]
    public var createdBy: String
    public var createdAt: Date

    public init(surveyID: UUID, templateID: UUID? = nil, templateVersion: Int = 0, title: String, questions: [SurveyQuestion], createdBy: String, createdAt: Date) {
        self.surveyID = surveyID
        self.templateID = templateID
        self.templateVersion = templateVersion
        self.title = title
        self.questions = questions
        self.createdBy = createdBy
        self.createdAt = createdAt
    }
}

public struct SurveyDistributed: EventPayload, Equatable {
    public static let eventType = "SurveyDistributed"
    public static let schemaVersion: UInt32 = 1
    public var surveyID: UUID
    /// The recipients added by this distribution (never one already included).
    public var recipients: [SurveyRecipient]
    public var distributedBy: String
    public var distributedAt: Date

    public init(surveyID: UUID, recipients: [SurveyRecipient], distributedBy: String, distributedAt: Date) {
        self.surveyID = surveyID
        self.recipients = recipients
        self.distributedBy = distributedBy
        self.distributedAt = distributedAt
    }
}

public struct SurveyResponseRecorded: EventPayload, Equatable {
    public static let eventType = "SurveyResponseRecorded"
    public static let schemaVersion: UInt32 = 1
    public var surveyID: UUID
    public var responseID: UUID
    public var recipient: SurveyRecipient
    /// The answers as checked against the questions, in question order.
    public var answers: [SurveyAnswer]
    public var respondedAt: Date

    public init(surveyID: UUID, responseID: UUID, recipient: SurveyRecipient, answers: [SurveyAnswer], respondedAt: Date) {
        self.surveyID = surveyID
        self.responseID = responseID
        self.recipient = recipient
        self.answers = answers
        self.respondedAt = respondedAt
    }
}

public struct SurveyClosed: EventPayload, Equatable {
    public static let eventType = "SurveyClosed"
    public static let schemaVersion: UInt32 = 1
    public var surveyID: UUID
    public var closedBy: String
    public var closedAt: Date

    public init(surveyID: UUID, closedBy: String, closedAt: Date) {
        self.surveyID = surveyID
        self.closedBy = closedBy
        self.closedAt = closedAt
    }
}

public enum SurveyEvent: DomainEvent {
    case created(SurveyCreated)
    case distributed(SurveyDistributed)
    case responded(SurveyResponseRecorded)
    case closed(SurveyClosed)

    public static let payloadTypes: [any EventPayload.Type] = [
        SurveyCreated.self, SurveyDistributed.self, SurveyResponseRecorded.self, SurveyClosed.self,
    ]

    public var payload: any EventPayload {
        switch self {
        case .created(let p): return p
        case .distributed(let p): return p
        case .responded(let p): return p
        case .closed(let p): return p
        }
    }

    public init?(payload: any EventPayload) {
        switch payload {
        case let p as SurveyCreated: self = .created(p)
        case let p as SurveyDistributed: self = .distributed(p)
        case let p as SurveyResponseRecorded: self = .responded(p)
        case let p as SurveyClosed: self = .closed(p)
        default: return nil
        }
    }
}
