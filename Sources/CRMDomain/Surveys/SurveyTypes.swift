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

/// A questionnaire template: a title and its questions. A survey is created from a copy of one, so later
/// changes to the template leave running surveys as they were.
public struct SurveyTemplate: Hashable, Sendable, Codable {
    /// The template the copy came from, if it came from a stored one.
    public var templateID: UUID?
    public var title: String
    public var questions: [SurveyQuestion]

    public init(templateID: UUID? = nil, title: String, questions: [SurveyQuestion]) {
        self.templateID = templateID
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

/// One answer of a response: the question it answers and the value given.
public struct SurveyAnswer: Hashable, Sendable, Codable {
    /// The value of an answer. Codable by hand (a kind, then the value), like ``FieldValue``.
    public enum Value: Hashable, Sendable, Codable {
        /// The chosen options (one for a single-choice question).
        case choices([String])
        case rating(Int)
        case text(String)

        private enum CodingKeys: String, CodingKey { case kind, value }

        public var kind: String {
            switch self {
            case .choices: return "choices"
            case .rating: return "rating"
            case .text: return "text"
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(kind, forKey: .kind)
            switch self {
            case .choices(let v): try c.encode(v, forKey: .value)
            case .rating(let v): try c.encode(v, forKey: .value)
            case .text(let v): try c.encode(v, forKey: .value)
            }
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            switch try c.decode(String.self, forKey: .kind) {
            case "choices": self = .choices(try c.decode([String].self, forKey: .value))
            case "rating": self = .rating(try c.decode(Int.self, forKey: .value))
            case "text": self = .text(try c.decode(String.self, forKey: .value))
            case let other:
                throw DecodingError.dataCorruptedError(forKey: .kind, in: c, debugDescription: "unknown answer kind \(other)")
            }
        }
    }

    public var questionID: String
    public var value: Value

    public init(questionID: String, value: Value) {
        self.questionID = questionID
        self.value = value
    }

    public static func choice(_ questionID: String, _ options: String...) -> SurveyAnswer { SurveyAnswer(questionID: questionID, value: .choices(options)) }
    public static func rating(_ questionID: String, _ value: Int) -> SurveyAnswer { SurveyAnswer(questionID: questionID, value: .rating(value)) }
    public static func text(_ questionID: String, _ value: String) -> SurveyAnswer { SurveyAnswer(questionID: questionID, value: .text(value)) }
}
