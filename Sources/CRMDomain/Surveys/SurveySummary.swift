import Foundation

/// A small pure summary of a survey's responses: the response rate and, per question, how often each
/// option or rating was chosen. Fuller statistics come from the engine.
public struct SurveySummary: Hashable, Sendable {
    /// How many recipients the survey went to.
    public let recipients: Int
    /// How many responded.
    public let responses: Int
    /// responses / recipients, rounded half-up to four decimal places; 0 when there is no recipient.
    public let responseRate: Decimal
    /// Per choice question, the count of each offered option (every option present, 0 when never chosen).
    public let optionCounts: [String: [String: Int]]
    /// Per rating question, the count of each rating given.
    public let ratingCounts: [String: [Int: Int]]
    /// Per question, how many responses answered it.
    public let answered: [String: Int]

    public init(questions: [SurveyQuestion], recipients: Int, responses: [[SurveyAnswer]]) {
        self.recipients = recipients
        self.responses = responses.count
        if recipients > 0 {
            var rate = Decimal(responses.count) / Decimal(recipients)
            var rounded = Decimal()
            NSDecimalRound(&rounded, &rate, 4, .plain)
            responseRate = rounded
        } else {
            responseRate = 0
        }
        var options: [String: [String: Int]] = [:]
        var ratings: [String: [Int: Int]] = [:]
        var answered: [String: Int] = [:]
        for q in questions {
            answered[q.id] = 0
            switch q.kind {
            case .singleChoice, .multipleChoice: options[q.id] = Dictionary(uniqueKeysWithValues: q.options.map { ($0, 0) })
            case .rating: ratings[q.id] = [:]
            case .freeText: break
            }
        }
        for response in responses {
            for answer in response {
                answered[answer.questionID, default: 0] += 1
                switch answer.value {
                case .choices(let chosen): for c in chosen { options[answer.questionID, default: [:]][c, default: 0] += 1 }
                case .rating(let r): ratings[answer.questionID, default: [:]][r, default: 0] += 1
                case .text: break
                }
            }
        }
        optionCounts = options
        ratingCounts = ratings
        self.answered = answered
    }
}
