import Foundation

/// The pure checks of questionnaires and answers (R-MKT-4).
public enum SurveyRules {
    /// The questionnaire trimmed and checked: a title, at least one question, unique question ids, and each
    /// question well formed for its kind. The field at fault is `title`, `questions` or `questions.<id>`.
    public static func validated(_ template: Questionnaire) throws(DomainError) -> Questionnaire {
        let title = try Validate.text(template.title, field: "title", max: 200)
        let questions = try validated(questions: template.questions)
        return Questionnaire(templateID: template.templateID, templateVersion: template.templateVersion, title: title, questions: questions)
    }

    /// The questions checked: at least one (at most 200), unique ids, each well formed for its kind.
    public static func validated(questions input: [SurveyQuestion]) throws(DomainError) -> [SurveyQuestion] {
        guard !input.isEmpty else { throw .invalid("questions", "a questionnaire needs at least one question") }
        guard input.count <= 200 else { throw .invalid("questions", "at most 200 questions") }
        var seen = Set<String>()
        var questions: [SurveyQuestion] = []
        for question in input {
            let q = try validated(question)
            guard seen.insert(q.id).inserted else { throw .invalid("questions.\(q.id)", "question ids must be unique") }
            questions.append(q)
        }
        return questions
    }

    private static func validated(_ question: SurveyQuestion) throws(DomainError) -> SurveyQuestion {
        var q = question
        q.id = try Validate.text(question.id, field: "questions", max: 50)
        let field = "questions.\(q.id)"
        q.prompt = try Validate.text(question.prompt, field: field, max: 1000)
        switch q.kind {
        case .singleChoice, .multipleChoice:
            var options: [String] = []
            for option in question.options {
                let o = try Validate.text(option, field: field, max: 200)
                guard !options.contains(o) else { throw .invalid(field, "options must be distinct") }
                options.append(o)
            }
            guard options.count >= 2 else { throw .invalid(field, "a choice question needs at least two options") }
            q.options = options
            if q.kind == .multipleChoice {
                guard q.minSelections >= 0, q.maxSelections >= 1, q.minSelections <= q.maxSelections, q.maxSelections <= options.count else {
                    throw .invalid(field, "selections must satisfy 0 ≤ min ≤ max ≤ options, max ≥ 1")
                }
            } else {
                q.minSelections = 1
                q.maxSelections = 1
            }
            q.scale = 0
            q.maxLength = 0
        case .rating:
            guard (2...10).contains(q.scale) else { throw .invalid(field, "a rating scale runs from 2 to 10") }
            q.options = []
            (q.minSelections, q.maxSelections, q.maxLength) = (0, 0, 0)
        case .freeText:
            guard (1...10_000).contains(q.maxLength) else { throw .invalid(field, "a free-text length runs from 1 to 10000") }
            q.options = []
            (q.minSelections, q.maxSelections, q.scale) = (0, 0, 0)
        }
        return q
    }

    /// The answers checked against the questions, in question order, free texts trimmed. Refused with
    /// field `answers.<questionID>` when an answer does not fit its question (wrong kind, an option not
    /// offered, too many or too few selections, a rating off the scale, a text too long), when a required
    /// question is unanswered, or when an answer names no question or a question twice (`answers`).
    public static func validated(_ answers: [SurveyAnswer], for questions: [SurveyQuestion]) throws(DomainError) -> [SurveyAnswer] {
        var byQuestion: [String: SurveyAnswer.Value] = [:]
        for answer in answers {
            guard questions.contains(where: { $0.id == answer.questionID }) else { throw .invalid("answers", "no such question") }
            guard byQuestion[answer.questionID] == nil else { throw .invalid("answers.\(answer.questionID)", "answered twice") }
            byQuestion[answer.questionID] = answer.value
        }
        var result: [SurveyAnswer] = []
        for question in questions {
            let field = "answers.\(question.id)"
            guard let value = byQuestion[question.id], let checked = try fitted(value, to: question, field: field) else {
                if question.isRequired { throw .invalid(field, "a required question is unanswered") }
                continue
            }
            result.append(SurveyAnswer(questionID: question.id, value: checked))
        }
        return result
    }

    /// The value as it fits `question`; nil for an empty answer (no choice, blank text).
    private static func fitted(_ value: SurveyAnswer.Value, to question: SurveyQuestion, field: String) throws(DomainError) -> SurveyAnswer.Value? {
        switch (question.kind, value) {
        case (.singleChoice, .choices(let chosen)), (.multipleChoice, .choices(let chosen)):
            if chosen.isEmpty { return nil }
            guard chosen.allSatisfy(question.options.contains) else { throw .invalid(field, "an option that is not offered") }
            guard Set(chosen).count == chosen.count else { throw .invalid(field, "an option chosen twice") }
            guard chosen.count >= question.minSelections else { throw .invalid(field, "too few selections") }
            guard chosen.count <= question.maxSelections else { throw .invalid(field, "too many selections") }
            return .choices(chosen)
        case (.rating, .rating(let rating)):
            guard (1...max(question.scale, 1)).contains(rating) else { throw .invalid(field, "the rating is off the scale") }
            return .rating(rating)
        case (.freeText, .text(let text)):
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { return nil }
            try Validate.characters(of: trimmed, field: field, multiline: true)
            guard trimmed.count <= question.maxLength else { throw .invalid(field, "the text is too long") }
            return .text(trimmed)
        default:
            throw .invalid(field, "\(withArticle("\(value.kind)")) answer does not fit \(withArticle(question.kind.rawValue)) question")
        }
    }
}
