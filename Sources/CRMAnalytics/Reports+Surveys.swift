import CRMDomain
import EventSourcing
import Foundation

extension Reports {
    // MARK: - Survey statistics (R-MKT-4)

    /// One survey as the statistics read it: its questions, when each recipient received it, and the
    /// responses with their times.
    public struct SurveyFacts: Hashable, Sendable {
        public struct Response: Hashable, Sendable {
            public var recipient: UUID
            public var respondedAt: Date
            public var answers: [SurveyAnswer]
            public init(recipient: UUID, respondedAt: Date, answers: [SurveyAnswer]) {
                self.recipient = recipient
                self.respondedAt = respondedAt
                self.answers = answers
            }
        }

        public var surveyID: UUID
        public var title: String
        public var questions: [SurveyQuestion]
        /// Recipient id → when the survey was distributed to them.
        public var distributedAt: [UUID: Date]
        public var responses: [Response]

        public init(surveyID: UUID, title: String, questions: [SurveyQuestion], distributedAt: [UUID: Date], responses: [Response]) {
            self.surveyID = surveyID
            self.title = title
            self.questions = questions
            self.distributedAt = distributedAt
            self.responses = responses
        }
    }

    /// One result line of a survey: the survey's response figures, repeated on each line, and one answer
    /// (an option or a rating value) of one question, or one question's answered count (free text).
    public struct SurveyRow: Hashable, Sendable, ReportRow {
        public var surveyID: UUID
        public var title: String
        public var recipients: Int
        public var responses: Int
        /// responses ÷ recipients × 100, 2 places.
        public var responseRatePercent: Decimal?
        /// Mean and median hours from a recipient's distribution to their response, 2 places.
        public var averageResponseHours: Decimal?
        public var medianResponseHours: Decimal?
        public var question: String
        public var kind: SurveyQuestion.Kind
        /// Responses that answered the question.
        public var answered: Int
        /// The option or rating value; nil for free text.
        public var answer: String?
        /// How many answers chose it.
        public var count: Int?
        /// count ÷ answered × 100, 2 places.
        public var percent: Decimal?
        /// Rating questions: the mean rating, 2 places.
        public var averageRating: Decimal?

        public static let header = [
            "survey", "title", "recipients", "responses", "response_rate_percent", "average_response_hours", "median_response_hours",
            "question", "kind", "answered", "answer", "count", "percent", "average_rating",
        ]
        public var cells: [String] {
            [surveyID.lowercasedString, title, Cell.text(recipients), Cell.text(responses), Cell.text(responseRatePercent),
             Cell.text(averageResponseHours), Cell.text(medianResponseHours), question, kind.rawValue, Cell.text(answered), Cell.text(answer),
             Cell.text(count), Cell.text(percent), Cell.text(averageRating)]
        }
    }

    /// The statistics of surveys (R-MKT-4): response rate, response speed and per-question results (the
    /// domain's ``CRMDomain/SurveySummary`` counts). Every option of a choice question is listed (0 when
    /// never chosen), the ratings given of a rating question from 1 up to its scale; surveys in the given
    /// order, questions in questionnaire order.
    public static func surveyStatistics(_ surveys: [SurveyFacts]) -> [SurveyRow] {
        func percent(_ a: Int, _ b: Int) -> Decimal? { b == 0 ? nil : (Decimal(a) / Decimal(b) * 100).rounded(2) }
        var rows: [SurveyRow] = []
        for survey in surveys {
            let summary = SurveySummary(questions: survey.questions, recipients: survey.distributedAt.count, responses: survey.responses.map(\.answers))
            let hours = survey.responses.compactMap { r in
                survey.distributedAt[r.recipient].map { Decimal(max(0, r.respondedAt.timeIntervalSince($0))) / 3600 }
            }.sorted()
            let mean = hours.isEmpty ? nil : (hours.reduce(0, +) / Decimal(hours.count)).rounded(2)
            let median = UsageAnomaly.median(hours)?.rounded(2)
            let base = SurveyRow(surveyID: survey.surveyID, title: survey.title, recipients: summary.recipients, responses: summary.responses,
                                 responseRatePercent: percent(summary.responses, summary.recipients), averageResponseHours: mean,
                                 medianResponseHours: median, question: "", kind: .freeText, answered: 0)
            for q in survey.questions {
                var row = base
                row.question = q.id
                row.kind = q.kind
                row.answered = summary.answered[q.id] ?? 0
                switch q.kind {
                case .singleChoice, .multipleChoice:
                    let counts = summary.optionCounts[q.id] ?? [:]
                    for option in q.options {
                        var line = row
                        line.answer = option
                        line.count = counts[option] ?? 0
                        line.percent = percent(counts[option] ?? 0, row.answered)
                        rows.append(line)
                    }
                case .rating:
                    let counts = summary.ratingCounts[q.id] ?? [:]
                    let total = counts.reduce(0) { $0 + $1.key * $1.value }
                    row.averageRating = row.answered == 0 ? nil : (Decimal(total) / Decimal(row.answered)).rounded(2)
                    for value in 1...max(1, q.scale) {
                        var line = row
                        line.answer = String(value)
                        line.count = counts[value] ?? 0
                        line.percent = percent(counts[value] ?? 0, row.answered)
                        rows.append(line)
                    }
                case .freeText:
                    rows.append(row)
                }
            }
        }
        return rows
    }
}
