import EventSourcing
import Foundation

/// A survey (R-MKT-4): a copy of a questionnaire template, distributed to chosen customers and partners,
/// open for responses until closed. Each distributed recipient may respond once, while the survey is open,
/// with answers that fit the questions. Stream `survey-<id>`.
public enum Survey: Aggregate {
    public static let category = "survey"

    public enum Status: String, Hashable, Sendable, Codable {
        /// Created, not yet distributed.
        case draft
        /// Distributed; responses are taken.
        case open
        case closed
    }

    /// One recorded response.
    public struct Response: Hashable, Sendable {
        public let id: UUID
        public let recipient: SurveyRecipient
        public let answers: [SurveyAnswer]
        public let respondedAt: Date
    }

    public struct State: Sendable, Equatable {
        public var surveyID: UUID?
        public var templateID: UUID?
        public var templateVersion = 0
        public var title = ""
        public var questions: [SurveyQuestion] = []
        public var status = Status.draft
        public var recipients: [SurveyRecipient] = []
        public var responses: [Response] = []

        public init() {}

        /// Whether `recipient` has already responded.
        public func hasResponded(_ recipient: SurveyRecipient) -> Bool { responses.contains { $0.recipient == recipient } }

        /// Recipients who have not responded yet, in distribution order.
        public var awaitingResponse: [SurveyRecipient] { recipients.filter { !hasResponded($0) } }

        /// The small summary of the responses so far (the full statistics come from the engine).
        public var summary: SurveySummary { SurveySummary(questions: questions, recipients: recipients.count, responses: responses.map(\.answers)) }
    }

    public enum Command: Sendable {
        /// Creates the survey from a copy of `questionnaire`.
        case create(surveyID: UUID, questionnaire: Questionnaire)
        /// Distributes to `recipients` (opening a draft); recipients already included, and repeats within the
        /// list, are skipped. At most ``Survey/maximumRecipientsPerDistribution`` entries a command.
        case distribute(recipients: [SurveyRecipient])
        /// Records `recipient`'s response.
        case respond(responseID: UUID, recipient: SurveyRecipient, answers: [SurveyAnswer])
        /// Ends the survey: no more responses or distributions.
        case close
    }

    public typealias Event = SurveyEvent
    public static var initialState: State { State() }

    /// The most entries (repeats included) one `distribute` may name; a larger distribution is split.
    public static let maximumRecipientsPerDistribution = 10_000

    public static func decide(_ command: Command, state: State, context: CommandContext) throws(DomainError) -> [Event] {
        switch command {
        case .create(let surveyID, let questionnaire):
            guard state.surveyID == nil else { throw DomainError(.alreadyExists, "the survey already exists") }
            let t = try SurveyRules.validated(questionnaire)
            return [.created(SurveyCreated(surveyID: surveyID, templateID: t.templateID, templateVersion: t.templateVersion, title: t.title, questions: t.questions,
                                           createdBy: context.actor, createdAt: context.now))]

        case .distribute(let recipients):
            let id = try survey(state)
            guard state.status != .closed else { throw .transition("the survey is closed") }
            guard !recipients.isEmpty else { throw .invalid("recipients", "choose at least one recipient") }
            guard recipients.count <= maximumRecipientsPerDistribution else {
                throw .invalid("recipients", "at most \(maximumRecipientsPerDistribution) recipients a distribution")
            }
            var seen = Set(state.recipients)
            var added: [SurveyRecipient] = []
            for r in recipients where seen.insert(r).inserted { added.append(r) }
            guard !added.isEmpty else { return [] }
            return [.distributed(SurveyDistributed(surveyID: id, recipients: added, distributedBy: context.actor, distributedAt: context.now))]

        case .respond(let responseID, let recipient, let answers):
            let id = try survey(state)
            guard state.status == .open else { throw .transition(state.status == .draft ? "the survey is not distributed yet" : "the survey is closed") }
            guard state.recipients.contains(recipient) else { throw DomainError(.forbidden, field: "recipient", "the survey was not sent to this recipient") }
            guard !state.hasResponded(recipient) else { throw DomainError(.alreadyExists, field: "recipient", "this recipient has already responded") }
            guard !state.responses.contains(where: { $0.id == responseID }) else { throw DomainError(.alreadyExists, field: "responseID", "the response id is taken") }
            let checked = try SurveyRules.validated(answers, for: state.questions)
            return [.responded(SurveyResponseRecorded(surveyID: id, responseID: responseID, recipient: recipient, answers: checked, respondedAt: context.now))]

        case .close:
            let id = try survey(state)
            switch state.status {
            case .closed: return []
            case .draft: throw .transition("a survey that was never distributed cannot be closed")
            case .open: return [.closed(SurveyClosed(surveyID: id, closedBy: context.actor, closedAt: context.now))]
            }
        }
    }

    private static func survey(_ state: State) throws(DomainError) -> UUID {
        guard let id = state.surveyID else { throw .notFound("no such survey") }
        return id
    }

    public static func evolve(_ state: State, _ event: Event) -> State {
        var s = state
        switch event {
        case .created(let e):
            s.surveyID = e.surveyID
            s.templateID = e.templateID
            s.templateVersion = e.templateVersion
            s.title = e.title
            s.questions = e.questions
            s.status = .draft
        case .distributed(let e):
            s.recipients.append(contentsOf: e.recipients)
            if s.status == .draft { s.status = .open }
        case .responded(let e):
            s.responses.append(Response(id: e.responseID, recipient: e.recipient, answers: e.answers, respondedAt: e.respondedAt))
        case .closed:
            s.status = .closed
        }
        return s
    }
}
