import Foundation

/// One question of a questionnaire (R-MKT-4). A flat value: which fields matter depends on ``kind``
/// (options and selection bounds for choices, the scale for ratings, the length for free text).
public struct SurveyQuestion: Hashable, Sendable, Codable {
    /// What kind of answer the question takes.
    public enum Kind: String, CaseIterable, Hashable, Sendable, Codable {
        /// Exactly one of ``SurveyQuestion/options``.
        case singleChoice
        /// Between ``SurveyQuestion/minSelections`` and ``SurveyQuestion/maxSelections`` distinct options.
        case multipleChoice
        /// A whole number from 1 to ``SurveyQuestion/scale``.
        case rating
        /// Text of at most ``SurveyQuestion/maxLength`` characters.
        case freeText
    }

    /// The question's key within its questionnaire (answers name it).
    public var id: String
    public var prompt: String
    public var kind: Kind
    /// Whether a response must answer it.
    public var isRequired: Bool
    /// The offered options (choice questions only).
    public var options: [String]
    /// Multiple choice: the fewest selections an answer may make.
    public var minSelections: Int
    /// Multiple choice: the most selections an answer may make.
    public var maxSelections: Int
    /// Rating: the top of the scale (1…scale).
    public var scale: Int
    /// Free text: the longest answer, in characters.
    public var maxLength: Int

    public init(id: String, prompt: String, kind: Kind, isRequired: Bool, options: [String] = [], minSelections: Int = 0,
                maxSelections: Int = 0, scale: Int = 0, maxLength: Int = 0) {
        self.id = id
        self.prompt = prompt
        self.kind = kind
        self.isRequired = isRequired
        self.options = options
        self.minSelections = minSelections
        self.maxSelections = maxSelections
        self.scale = scale
        self.maxLength = maxLength
    }

    /// A single-choice question.
    public static func singleChoice(_ id: String, _ prompt: String, options: [String], required: Bool = true) -> SurveyQuestion {
        SurveyQuestion(id: id, prompt: prompt, kind: .singleChoice, isRequired: required, options: options)
    }

    /// A multiple-choice question taking `min…max` selections.
    public static func multipleChoice(_ id: String, _ prompt: String, options: [String], min: Int, max: Int, required: Bool = true) -> SurveyQuestion {
        SurveyQuestion(id: id, prompt: prompt, kind: .multipleChoice, isRequired: required, options: options, minSelections: min, maxSelections: max)
    }

    /// A rating question on `1…scale`.
    public static func rating(_ id: String, _ prompt: String, scale: Int, required: Bool = true) -> SurveyQuestion {
        SurveyQuestion(id: id, prompt: prompt, kind: .rating, isRequired: required, scale: scale)
    }

    /// A free-text question of at most `maxLength` characters.
    public static func freeText(_ id: String, _ prompt: String, maxLength: Int, required: Bool = false) -> SurveyQuestion {
        SurveyQuestion(id: id, prompt: prompt, kind: .freeText, isRequired: required, maxLength: maxLength)
    }
}

/// A questionnaire: a title and its questions. A survey is created from a copy of one (usually
/// ``SurveyTemplate/State/questionnaire``), so later changes to the template leave running surveys as they were.
public struct Questionnaire: Hashable, Sendable, Codable {
    /// The stored template the copy came from; nil for an ad-hoc questionnaire.
    public var templateID: UUID?
    /// The template's version at the time of the copy; 0 for an ad-hoc questionnaire.
    public var templateVersion: Int
    public var title: String
    public var questions: [SurveyQuestion]

    public init(templateID: UUID? = nil, templateVersion: Int = 0, title: String, questions: [SurveyQuestion]) {
        self.templateID = templateID
        self.templateVersion = templateVersion
        self.title = title
        self.questions = questions
    }
}

/// Who a survey goes to: a customer or a partner.
public struct SurveyRecipient: Hashable, Sendable, Codable {
    public enum Kind: String, CaseIterable, Hashable, Sendable, Codable {
        case customer, partner
    }

    public var kind: Kind
    public var id: UUID

    public init(kind: Kind, id: UUID) {
        self.kind = kind
        self.id = id
    }

    public static func customer(_ id: UUID) -> SurveyRecipient { SurveyRecipient(kind: .customer, id: id) }
    public static func partner(_ id: UUID) -> SurveyRecipient { SurveyRecipient(kind: .partner, id: id) }
}
