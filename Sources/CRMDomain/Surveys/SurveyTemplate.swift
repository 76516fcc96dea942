import EventSourcing
import Foundation

/// A stored questionnaire template (R-MKT-4): a title and questions, revised in numbered versions, archived
/// when no longer offered. Surveys take a copy (``State/questionnaire``), so a revision leaves running
/// surveys on the version they copied. Stream `surveytemplate-<id>`.
public enum SurveyTemplate: Aggregate {
    public static let category = "surveytemplate"

    public struct State: Sendable, Equatable {
        public var templateID: UUID?
        /// 1 after creation, raised by each revision.
        public var version = 0
        public var title = ""
        public var questions: [SurveyQuestion] = []
        public var isArchived = false

        public init() {}

        /// The copy a new survey takes; nil when the template does not exist or is archived.
        public var questionnaire: Questionnaire? {
            guard let templateID, !isArchived else { return nil }
            return Questionnaire(templateID: templateID, templateVersion: version, title: title, questions: questions)
        }
    }

    public enum Command: Sendable {
        /// Creates the template at version 1.
        case create(templateID: UUID, title: String, questions: [SurveyQuestion])
        /// Replaces the title and questions; a revision that changes nothing records nothing.
        case revise(title: String, questions: [SurveyQuestion])
        /// Stops offering the template to new surveys.
        case archive
        /// Offers an archived template again.
        case restore
    }

    public typealias Event = SurveyTemplateEvent
    public static var initialState: State { State() }

    public static func decide(_ command: Command, state: State, context: CommandContext) throws(DomainError) -> [Event] {
        switch command {
        case .create(let templateID, let title, let questions):
            guard state.templateID == nil else { throw DomainError(.alreadyExists, "the template already exists") }
            let q = try SurveyRules.validated(Questionnaire(title: title, questions: questions))
            return [.created(SurveyTemplateCreated(templateID: templateID, title: q.title, questions: q.questions, createdBy: context.actor, createdAt: context.now))]

        case .revise(let title, let questions):
            let id = try template(state)
            guard !state.isArchived else { throw DomainError(.archived, "the template is archived") }
            let q = try SurveyRules.validated(Questionnaire(title: title, questions: questions))
            let changes = changes(from: state, to: q)
            guard !changes.isEmpty else { return [] }
            return [.revised(SurveyTemplateRevised(templateID: id, version: state.version + 1, title: q.title, questions: q.questions,
                                                   changes: changes, revisedBy: context.actor, revisedAt: context.now))]

        case .archive:
            let id = try template(state)
            guard !state.isArchived else { return [] }
            return [.archived(SurveyTemplateArchived(templateID: id, archivedBy: context.actor, archivedAt: context.now))]

        case .restore:
            let id = try template(state)
            guard state.isArchived else { return [] }
            return [.restored(SurveyTemplateRestored(templateID: id, restoredBy: context.actor, restoredAt: context.now))]
        }
    }

    private static func template(_ state: State) throws(DomainError) -> UUID {
        guard let id = state.templateID else { throw .notFound("no such survey template") }
        return id
    }

    /// The title, each added, removed or altered question (as text), and the order of the ids.
    private static func changes(from state: State, to new: Questionnaire) -> [FieldChange] {
        var changes: [FieldChange] = []
        changes.record("title", .text(state.title), .text(new.title))
        let oldByID = Dictionary(state.questions.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let newByID = Dictionary(new.questions.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let ids = state.questions.map(\.id) + new.questions.map(\.id).filter { oldByID[$0] == nil }
        for id in ids {
            changes.record("questions.\(id)", oldByID[id].map { .text($0.summary) }, newByID[id].map { .text($0.summary) })
        }
        let oldOrder = state.questions.map(\.id).filter { newByID[$0] != nil }
        let newOrder = new.questions.map(\.id).filter { oldByID[$0] != nil }
        if oldOrder != newOrder { changes.append(FieldChange(field: "questionOrder", old: .list(state.questions.map(\.id)), new: .list(new.questions.map(\.id)))) }
        return changes
    }

    public static func evolve(_ state: State, _ event: Event) -> State {
        var s = state
        switch event {
        case .created(let e):
            s.templateID = e.templateID
            s.version = 1
            s.title = e.title
            s.questions = e.questions
        case .revised(let e):
            s.version = e.version
            s.title = e.title
            s.questions = e.questions
        case .archived: s.isArchived = true
        case .restored: s.isArchived = false
        }
        return s
    }
}

extension SurveyQuestion {
    /// The question as one line of text, for edit trails: kind, bounds, required flag, prompt and options.
    public var summary: String {
        let required = isRequired ? "required" : "optional"
        switch kind {
        case .singleChoice: return "singleChoice, \(required): \(prompt) [\(options.joined(separator: " | "))]"
        case .multipleChoice: return "multipleChoice \(minSelections)–\(maxSelections), \(required): \(prompt) [\(options.joined(separator: " | "))]"
        case .rating: return "rating 1–\(scale), \(required): \(prompt)"
        case .freeText: return "freeText ≤\(maxLength), \(required): \(prompt)"
        }
    }
}
