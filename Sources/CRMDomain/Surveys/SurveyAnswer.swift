import Foundation

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
