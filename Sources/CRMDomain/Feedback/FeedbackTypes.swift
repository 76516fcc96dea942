import Foundation

/// The kind of a feedback form field.
public enum FeedbackFieldType: String, CaseIterable, Hashable, Sendable, Codable {
    case text, number, choice
}

/// One field of a feedback form template.
public struct FeedbackField: Hashable, Sendable, Codable {
    public var name: String
    public var type: FeedbackFieldType
    /// The allowed answers of a choice field (empty otherwise).
    public var options: [String]
    public var required: Bool

    public init(name: String, type: FeedbackFieldType, options: [String] = [], required: Bool = false) {
        self.name = name
        self.type = type
        self.options = options
        self.required = required
    }
}

/// A feedback form template defined by a department (R-ORG-3). It arrives as an input of the submission
/// (the template's own storage is the caller's), and the submission keeps a copy of it.
public struct FeedbackTemplate: Hashable, Sendable, Codable {
    public var name: String
    /// The department that defined the form.
    public var department: String
    public var fields: [FeedbackField]

    public init(name: String, department: String, fields: [FeedbackField]) {
        self.name = name
        self.department = department
        self.fields = fields
    }
}

/// One answered field of a submission.
public struct FeedbackValue: Hashable, Sendable, Codable {
    public var field: String
    public var value: FieldValue

    public init(field: String, value: FieldValue) {
        self.field = field
        self.value = value
    }
}

/// Where a feedback submission stands.
public enum FeedbackStatus: String, Hashable, Sendable, Codable {
    case none
    /// Submitted, no review workflow attached yet.
    case submitted
    /// A workflow instance is reviewing it.
    case inReview
    case reviewed
    /// The review sent it back; the submitter may amend and it is reviewed again.
    case returned
}

extension FeedbackTemplate {
    /// The template checked: a name, a department, at least one field, unique field names, and options
    /// (unique, non-empty) exactly on choice fields.
    func validated() throws(DomainError) -> FeedbackTemplate {
        var t = self
        t.name = try Validate.text(name, field: "template.name", max: 100)
        t.department = try Validate.text(department, field: "template.department", max: 100)
        guard !fields.isEmpty else { throw .invalid("template.fields", "a form needs at least one field") }
        var names = Set<String>()
        t.fields = []
        for var field in fields {
            field.name = try Validate.text(field.name, field: "template.fields.name", max: 100)
            guard names.insert(field.name).inserted else { throw .invalid("template.fields.name", "field names must be unique") }
            if field.type == .choice {
                guard !field.options.isEmpty, Set(field.options).count == field.options.count,
                      field.options.allSatisfy({ !$0.trimmingCharacters(in: .whitespaces).isEmpty }) else {
                    throw .invalid("template.fields.options", "a choice field needs unique, non-empty options")
                }
                for option in field.options { try Validate.characters(of: option, field: "template.fields.options", multiline: false) }
            } else {
                guard field.options.isEmpty else { throw .invalid("template.fields.options", "only choice fields have options") }
            }
            t.fields.append(field)
        }
        return t
    }

    /// `values` checked against the template: every field known and answered once with a value of its type
    /// (text → `.text`, number → `.number`, choice → `.option` among the options); every required field
    /// answered. The field at fault is named `values.<field>`. Blank texts count as unanswered.
    func validate(_ values: [FeedbackValue]) throws(DomainError) -> [FeedbackValue] {
        var seen = Set<String>()
        var result: [FeedbackValue] = []
        for entry in values {
            guard let field = fields.first(where: { $0.name == entry.field }) else {
                throw .invalid("values.\(entry.field)", "not a field of the form")
            }
            guard seen.insert(entry.field).inserted else { throw .invalid("values.\(entry.field)", "answered twice") }
            switch (field.type, entry.value) {
            case (.text, .text(let text)):
                guard let text = try Validate.optionalMultilineText(text, field: "values.\(entry.field)") else { continue }
                result.append(FeedbackValue(field: field.name, value: .text(text)))
            case (.number, .number):
                result.append(entry)
            case (.choice, .option(let option)):
                guard field.options.contains(option) else { throw .invalid("values.\(entry.field)", "not one of the options") }
                result.append(entry)
            default:
                throw .invalid("values.\(entry.field)", "expected \(withArticle(field.type.rawValue)) value")
            }
        }
        for field in fields where field.required && !result.contains(where: { $0.field == field.name }) {
            throw .invalid("values.\(field.name)", "required")
        }
        return result
    }
}
