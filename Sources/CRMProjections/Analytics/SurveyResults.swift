import CRMDomain
import EventSourcing
import Foundation

/// The facts of every survey for its statistics (R-MKT-4): the questionnaire copy, when each recipient
/// received it, and each response with its answers and time. No recipient data beyond its id.
///
/// ```swift
/// let surveys = try SurveyResults.all(in: views)
/// ```
public struct SurveyResults: Projection {
    public let name = "survey-results"
    public let version: UInt32 = 1

    /// `survey id → SurveyRow`.
    public static let surveys = ViewTable("surveys")
    /// `survey id + recipient id → Distribution`.
    public static let recipients = ViewTable("recipients")
    /// `survey id + response id → Response`.
    public static let responses = ViewTable("responses")

    public var tables: [ViewTable] { [Self.surveys, Self.recipients, Self.responses] }
    public var eventTypes: Set<String>? {
        [SurveyCreated.eventType, SurveyDistributed.eventType, SurveyResponseRecorded.eventType, SurveyClosed.eventType]
    }

    public init() {}

    public struct SurveyRow: Codable, Hashable, Sendable {
        public var surveyID: UUID
        public var title: String
        public var questions: [SurveyQuestion]
        public var createdAt: Date
        public var closedAt: Date?
        /// The creator as owner; surveys belong to no branch.
        public var scope: RecordScope
    }

    public struct Distribution: Codable, Hashable, Sendable {
        public var recipient: UUID
        public var distributedAt: Date
    }

    public struct Response: Codable, Hashable, Sendable {
        public var recipient: UUID
        public var respondedAt: Date
        public var answers: [SurveyAnswer]
    }

    public func apply(_ event: ProjectionEvent, to views: any ViewWriter) throws {
        try apply(event.payload, event, to: views)
    }

    /// The `switch` over the payload opened to its type (why: ``Projection``).
    private func apply<Payload: EventPayload>(_ payload: Payload, _ event: ProjectionEvent, to views: any ViewWriter) throws {
        switch payload {
        case let e as SurveyCreated:
            let row = SurveyRow(surveyID: e.surveyID, title: e.title, questions: e.questions, createdAt: e.createdAt, scope: RecordScope(owners: [e.createdBy]))
            try views.put(row: row, forKey: ViewKey().uuid(e.surveyID).bytes, in: Self.surveys)
        case let e as SurveyDistributed:
            for r in e.recipients {
                try views.put(row: Distribution(recipient: r.id, distributedAt: e.distributedAt),
                              forKey: ViewKey().uuid(e.surveyID).uuid(r.id).bytes, in: Self.recipients)
            }
        case let e as SurveyResponseRecorded:
            try views.put(row: Response(recipient: e.recipient.id, respondedAt: e.respondedAt, answers: e.answers),
                          forKey: ViewKey().uuid(e.surveyID).uuid(e.responseID).bytes, in: Self.responses)
        case let e as SurveyClosed:
            try views.update(SurveyRow.self, forKey: ViewKey().uuid(e.surveyID).bytes, in: Self.surveys) { $0.map { var s = $0; s.closedAt = e.closedAt; return s } }
        default:
            return
        }
    }

    /// Every survey `include` admits, in id order, with its distributions and responses.
    public static func all(in views: any ViewReader, where include: (SurveyRow) -> Bool = { _ in true })
        throws -> [(survey: SurveyRow, distributions: [Distribution], responses: [Response])] {
        try views.rows(SurveyRow.self, in: surveys, where: include).map { _, survey in
            let prefix = ViewKey().uuid(survey.surveyID).bytes
            return (survey, try views.rows(Distribution.self, in: recipients, prefix: prefix).map(\.row),
                    try views.rows(Response.self, in: responses, prefix: prefix).map(\.row))
        }
    }
}
