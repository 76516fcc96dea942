import Foundation

/// The type of a custom field on a customer group's form (R-CUS-2).
public enum CustomFieldType: String, CaseIterable, Hashable, Sendable, Codable {
    case text, number, money, date
    /// One of a fixed list of options (``FieldDefinition/options``).
    case enumeration
    case boolean

    /// Whether `value` has this type.
    public func accepts(_ value: FieldValue) -> Bool {
        switch (self, value) {
        case (.text, .text), (.number, .number), (.money, .money), (.date, .date), (.enumeration, .option), (.boolean, .bool):
            return true
        default:
            return false
        }
    }
}

/// One custom field of a form: its key, label, type, required flag and validation.
public struct FieldDefinition: Hashable, Sendable, Codable {
    /// The key custom values are stored under: a letter, then letters, digits or `_` (at most 64).
    public var name: String
    /// The label shown to users.
    public var label: String
    /// The type values must have; it never changes once defined.
    public var type: CustomFieldType
    /// Whether a customer of the group must have a (non-blank) value.
    public var required: Bool
    /// Text only: the longest allowed value, in characters.
    public var maxLength: Int?
    /// Number and money only: the smallest allowed value (amount for money).
    public var minimum: Decimal?
    /// Number and money only: the largest allowed value (amount for money).
    public var maximum: Decimal?
    /// Enumeration only: the allowed options, in display order.
    public var options: [String]

    public init(name: String, label: String, type: CustomFieldType, required: Bool = false, maxLength: Int? = nil,
                minimum: Decimal? = nil, maximum: Decimal? = nil, options: [String] = []) {
        self.name = name
        self.label = label
        self.type = type
        self.required = required
        self.maxLength = maxLength
        self.minimum = minimum
        self.maximum = maximum
        self.options = options
    }

    private enum CodingKeys: String, CodingKey { case name, label, type, required, maxLength, minimum, maximum, options }

    /// Decoded as encoded; a JSON field without `required` or `options` has neither. The bounds are `Decimal`
    /// members like any other: a request body's reader (CRMHTTP's `JSONValue.decode`) reads them from a number or
    /// an exact decimal string (`"minimum": "0"`, as `GET /v1/forms/{group}` answers them) by the one rule of
    /// every decimal a body takes, so they have no text reading of their own here.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        label = try c.decode(String.self, forKey: .label)
        type = try c.decode(CustomFieldType.self, forKey: .type)
        // `required` and `options` may be left out of JSON (false, none); the positional binary coder always
        // has them (its `contains` is always true).
        required = c.contains(.required) ? try c.decode(Bool.self, forKey: .required) : false
        maxLength = try c.decodeIfPresent(Int.self, forKey: .maxLength)
        minimum = try c.decodeIfPresent(Decimal.self, forKey: .minimum)
        maximum = try c.decodeIfPresent(Decimal.self, forKey: .maximum)
        options = c.contains(.options) ? try c.decode([String].self, forKey: .options) : []
    }

    /// Most options of an enumeration field.
    public static let maxOptions = 1_000
    /// Longest option of an enumeration field, in characters.
    public static let maxOptionLength = 200

    /// Checks the definition itself: a well-formed key, a label, and only the validation its type allows
    /// (an enumeration: 1 to ``maxOptions`` unique options of at most ``maxOptionLength`` characters).
    public func validated() throws(DomainError) -> FieldDefinition {
        try validated(unlessUnchangedFrom: nil)
    }

    /// Checks the definition as ``validated()`` does, but a label or option the field already has (`old`,
    /// when the field is being changed) is not judged again by the character checks.
    public func validated(unlessUnchangedFrom old: FieldDefinition?) throws(DomainError) -> FieldDefinition {
        var d = self
        guard Self.isValidName(name) else { throw .invalid("name", "must be a letter then letters, digits or _ (at most 64)") }
        d.label = try Validate.text(label, field: "label", max: 100, unlessUnchangedFrom: old?.label)
        if let maxLength {
            guard type == .text else { throw .invalid("maxLength", "only text fields have a maximum length") }
            guard maxLength > 0 else { throw .invalid("maxLength", "must be positive") }
        }
        if minimum != nil || maximum != nil {
            guard type == .number || type == .money else { throw .invalid("minimum", "only number and money fields have bounds") }
            if let minimum { try Validate.amount(minimum, field: "minimum", unlessUnchangedFrom: old?.minimum) }
            if let maximum { try Validate.amount(maximum, field: "maximum", unlessUnchangedFrom: old?.maximum) }
            if let minimum, let maximum, minimum > maximum { throw .invalid("maximum", "must not be below the minimum") }
        }
        if type == .enumeration {
            d.options = options.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            guard !d.options.isEmpty, !d.options.contains(where: \.isEmpty) else { throw .invalid("options", "an enumeration needs non-empty options") }
            guard Set(d.options).count == d.options.count else { throw .invalid("options", "options must be unique") }
            // Bounded, as a customer's every create and edit reads its group's form; a field recorded with more
            // (or longer) options before the bounds may keep as many options, and its long ones, in a change.
            let kept = old?.options ?? []
            guard d.options.count <= max(Self.maxOptions, kept.count) else {
                throw .invalid("options", "an enumeration has at most \(Self.maxOptions) options")
            }
            let keptSet = Set(kept)
            for option in d.options where option.count > Self.maxOptionLength && !keptSet.contains(option) {
                throw .invalid("options", "an option has at most \(Self.maxOptionLength) characters")
            }
            for option in d.options { try Validate.characters(of: option, field: "options", multiline: false, unlessAmong: kept) }
        } else if !options.isEmpty {
            throw .invalid("options", "only enumeration fields have options")
        }
        return d
    }

    /// The profile fields and columns of a customer (and the spellings `crm import customers` reads them by),
    /// compared as ``comparisonKey(_:)`` gives them: no custom field's name or label may be one of them, so
    /// a column or a key never means two things.
    public static let profileNames: Set<String> = [
        "id", "customer_id", "name", "kind", "group", "status", "archived", "is_archived", "isarchived", "industry", "branch",
        "community", "owner", "birthday", "founded", "external_key", "external_keys", "externalkey", "externalkeys",
        "external_id", "key", "custom_fields", "customfields", "merged_into", "mergedinto",
    ]

    /// A name or label as field names and labels are compared with each other (and as an import matches a
    /// column to them): trimmed, NFKC (full-width and half-width forms alike), lower case, without
    /// default-ignorable code points (``SensitiveWordFilter/fold(_:)``), spaces and dashes as `_`.
    public static func comparisonKey(_ text: String) -> String {
        SensitiveWordFilter.fold(text.trimmingCharacters(in: .whitespacesAndNewlines))
            .replacingOccurrences(of: " ", with: "_").replacingOccurrences(of: "-", with: "_")
    }

    static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.unicodeScalars.count <= 64,
              first.properties.isAlphabetic, first.isASCII else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_") }
    }

    /// The problem with `value` for this field, or nil when it fits: type, length, bounds, options.
    public func violation(of value: FieldValue) -> DomainError? {
        guard type.accepts(value) else { return .invalid(name, "expects \(withArticle(type.rawValue)) value") }
        switch value {
        case .text(let text):
            if text.unicodeScalars.contains(where: { Validate.isRefused($0, multiline: true) }) {
                return .invalid(name, "must not contain control characters other than line breaks and tabs")
            }
            if let maxLength, text.count > maxLength { return .invalid(name, "must be at most \(maxLength) characters") }
        case .number(let number):
            return boundsViolation(number)
        case .money(let money):
            if !money.currency.isISO4217 { return .invalid(name, "is not in an ISO 4217 currency") }
            return boundsViolation(money.amount)
        case .option(let option):
            if !options.contains(option) { return .invalid(name, "is not one of the options") }
        default:
            break
        }
        return nil
    }

    private func boundsViolation(_ number: Decimal) -> DomainError? {
        do { try Validate.amount(number, field: name) } catch { return error }
        if let minimum, number < minimum { return .invalid(name, "must be at least \(minimum)") }
        if let maximum, number > maximum { return .invalid(name, "must be at most \(maximum)") }
        return nil
    }

    /// Whether a value counts as absent for a required field (empty text).
    static func isBlank(_ value: FieldValue) -> Bool {
        if case .text(let text) = value { return text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
        return false
    }
}

/// A customer group's form as the customer rules read it: its active fields and the keys of retired ones.
/// The engine reads it from the group's ``CustomerForm`` stream and passes it into customer commands
/// (a rule never reads another aggregate). A group without a form has ``empty(group:)``.
public struct FormDefinition: Hashable, Sendable, Codable {
    /// The customer group the form belongs to.
    public var group: String
    /// The active fields, in display order (at most ``maxFields``).
    public var fields: [FieldDefinition]
    /// Most active fields of a form: every create and edit of a customer of the group reads and checks its
    /// whole form, and the console shows it as one page. A form recorded with more before the bound keeps them.
    public static let maxFields = 200
    /// Keys of retired fields: stored values stay, new values are refused, the key is never reused.
    public var retired: [String]

    public init(group: String, fields: [FieldDefinition] = [], retired: [String] = []) {
        self.group = group
        self.fields = fields
        self.retired = retired
    }

    /// The form of a group that has defined none: no custom fields.
    public static func empty(group: String) -> FormDefinition { FormDefinition(group: group) }

    /// The active field named `name`.
    public func field(_ name: String) -> FieldDefinition? { fields.first { $0.name == name } }

    /// Every problem with a complete set of custom values (R-CUS-2), ordered by field name: unknown or
    /// retired keys, type mismatches, length, bounds and options, and required fields missing.
    /// Empty when the values fit.
    ///
    /// ```swift
    /// let problems = form.violations(of: ["meterCount": .number(3)])
    /// ```
    public func violations(of values: [String: FieldValue]) -> [DomainError] {
        var problems = changeViolations(of: values)
        for field in fields where field.required {
            if values[field.name].map(FieldDefinition.isBlank) ?? true {
                problems.append(.invalid(field.name, "is required"))
            }
        }
        return problems.sorted { ($0.field ?? "") < ($1.field ?? "") }
    }

    /// The problems of values being set, without checking that required fields are present: unknown or
    /// retired keys, type, length, bounds, options.
    public func changeViolations(of values: [String: FieldValue]) -> [DomainError] {
        var problems: [DomainError] = []
        for (key, value) in values.sorted(by: { $0.key < $1.key }) {
            if let field = field(key) {
                if let problem = field.violation(of: value) { problems.append(problem) }
            } else if retired.contains(key) {
                problems.append(.invalid(key, "is a retired field"))
            } else {
                problems.append(.invalid(key, "is not a field of this form"))
            }
        }
        return problems
    }

    /// Refuses `field` (being defined, added or changed) when its name or label could be taken for another
    /// field's name or label, for a retired field's key, or for a profile field (``FieldDefinition/profileNames``),
    /// all compared as ``FieldDefinition/comparisonKey(_:)`` (case and width ignored): a form whose keys and
    /// labels name one field each, so a CSV column (matched by name or label) fills exactly one field.
    /// A field's own name and label may be alike; the field of the same name (when changing it) is not "another".
    /// With `labelOnly` (a field's label being changed) only the label is judged.
    public func checkNoClash(_ field: FieldDefinition, labelOnly: Bool = false) throws(DomainError) {
        let name = FieldDefinition.comparisonKey(field.name)
        let label = FieldDefinition.comparisonKey(field.label)
        let others = fields.filter { $0.name != field.name }
        if !labelOnly { try checkName(name, others: others) }
        if FieldDefinition.profileNames.contains(label) { throw .invalid("label", "is the name of a customer profile field; choose another") }
        if others.contains(where: { FieldDefinition.comparisonKey($0.name) == label || FieldDefinition.comparisonKey($0.label) == label })
            || retired.contains(where: { $0 != field.name && FieldDefinition.comparisonKey($0) == label }) {
            throw .invalid("label", "is another field's name or label (case and width ignored)")
        }
    }

    private func checkName(_ name: String, others: [FieldDefinition]) throws(DomainError) {
        if FieldDefinition.profileNames.contains(name) { throw .invalid("name", "is the name of a customer profile field; choose another") }
        if others.contains(where: { FieldDefinition.comparisonKey($0.name) == name })
            || retired.contains(where: { FieldDefinition.comparisonKey($0) == name }) {
            throw DomainError(.alreadyExists, field: "name", "the form has or had a field of that name (case and width ignored)")
        }
        if others.contains(where: { FieldDefinition.comparisonKey($0.label) == name }) {
            throw .invalid("name", "is another field's label (case and width ignored)")
        }
    }

    /// Custom values as a command records them: texts trimmed of surrounding white space and newlines
    /// (custom texts follow the free-text rule), and a text left empty is no value (`blank` lists its key:
    /// a create leaves it out, an edit clears it).
    ///
    /// ```swift
    /// let (values, blank) = FormDefinition.trimmed(["note": .text("  hi "), "remark": .text("   ")])
    /// // values == ["note": .text("hi")], blank == ["remark"]
    /// ```
    public static func trimmed(_ values: [String: FieldValue]) -> (values: [String: FieldValue], blank: [String]) {
        var kept: [String: FieldValue] = [:]
        var blank: [String] = []
        for (key, value) in values {
            guard case .text(let text) = value else {
                kept[key] = value
                continue
            }
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { blank.append(key) } else { kept[key] = .text(trimmed) }
        }
        return (kept, blank.sorted())
    }

    /// Throws the first of ``violations(of:)``.
    public func validate(_ values: [String: FieldValue]) throws(DomainError) {
        if let first = violations(of: values).first { throw first }
    }
}
