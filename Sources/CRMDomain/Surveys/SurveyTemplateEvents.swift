import EventSourcing
import Foundation

public struct SurveyTemplateCreated: EventPayload, Equatable {
    public static let eventType = "SurveyTemplateCreated"
    public static let schemaVersion: UInt32 = 1
    public var templateID: UUID
    public var title: String
    public var questions: [SurveyQuestion]
    public var createdBy: String
    public var createdAt: Date

    public init(templateID: UUID, title: String, questions: [SurveyQuestion], createdBy: String, createdAt: Date) {
        self.templateID = templateID
        self.title = title
        self.questions = questions
        self.createdBy = createdBy
        self.createdAt = createdAt
    }
}

public struct SurveyTemplateRevised: EventPayload, Equatable {
    public static let eventType = "SurveyTemplateRevised"
    public static let schemaVersion: UInt32 = 1
    public var templateID: UUID
    /// The version this revision makes (the first is 1, from creation).
    public var version: Int
    public var title: String
    public var questions: [SurveyQuestion]
    /// What changed: `title`, `questions.<id>` (a question added, removed or altered, as text) and
    /// `questionOrder` (the ids, when their order changed).
    public var changes: [FieldChange]
    public var revisedBy: String
    public var revisedAt: Date

    public init(templateID: UUID, version: Int, title: String, questions: [SurveyQuestion], changes: [FieldChange], revisedBy: String, revisedAt: Date) {
        self.templateID = templateID
        self.version = version
        self.title = title
        self.questions = questions
        self.changes = changes
        self.revisedBy = revisedBy
        self.revisedAt = revisedAt
    }
}

public struct SurveyTemplateArchived: EventPayload, Equatable {
    public static let eventType = "SurveyTemplateArchived"
    public static let schemaVersion: UInt32 = 1
    public var templateID: UUID
    public var archivedBy: String
    public var archivedAt: Date

    public init(templateID: UUID, archivedBy: String, archivedAt: Date) {
        self.templateID = templateID
        self.archivedBy = archivedBy
        self.archivedAt = archivedAt
    }
}

public struct SurveyTemplateRestored: EventPayload, Equatable {
    public static let eventType = "SurveyTemplateRestored"
    public static let schemaVersion: UInt32 = 1
    public var templateID: UUID
    public var restoredBy: String
    public var restoredAt: Date

    public init(templateID: UUID, restoredBy: String, restoredAt: Date) {
        self.templateID = templateID
        self.restoredBy = restoredBy
        self.restoredAt = restoredAt
    }
}

public enum SurveyTemplateEvent: DomainEvent {
    case created(SurveyTemplateCreated)
    case revised(SurveyTemplateRevised)
    case archived(SurveyTemplateArchived)
    case restored(SurveyTemplateRestored)

    public static let payloadTypes: [any EventPayload.Type] = [
        SurveyTemplateCreated.self, SurveyTemplateRevised.self, SurveyTemplateArchived.self, SurveyTemplateRestored.self,
    ]

    public var payload: any EventPayload {
        switch self {
        case .created(let p): return p
        case .revised(let p): return p
        case .archived(let p): return p
        case .restored(let p): return p
        }
    }

    public init?(payload: any EventPayload) {
        switch payload {
        case let p as SurveyTemplateCreated: self = .created(p)
        case let p as SurveyTemplateRevised: self = .revised(p)
        case let p as SurveyTemplateArchived: self = .archived(p)
        case let p as SurveyTemplateRestored: self = .restored(p)
        default: return nil
        }
    }
}
