import EventSourcing
import Foundation

/// The custom fields of one customer group (R-CUS-2): defined, extended, changed and retired by events.
/// One stream per group, ``stream(group:)``, whose id derives from the group's name.
///
/// ```swift
/// let events = try CustomerForm.decide(.define(group: "residential", fields: [meterField]), state: state, context: context)
/// let form = CustomerForm.replay(events).definition   // passed into Customer commands
/// ```
public enum CustomerForm: Aggregate {
    public static let category = "form"

    /// The stream of a group's form: `form-<id>` with the id derived from `customer-form` and the group.
    public static func stream(group: String) -> StreamID { stream(id(group: group)) }

    /// The reproducible id of a group's form, from the group's name trimmed of surrounding white space (as
    /// `define` records it), so `" sme "` names the form of `sme`.
    public static func id(group: String) -> UUID { UUID.derived("customer-form", group.trimmingCharacters(in: .whitespacesAndNewlines)) }

    /// A group's form as its events leave it.
    public struct State: Sendable, Equatable {
        /// The form, once defined.
        public var definition: FormDefinition?

        public init(definition: FormDefinition? = nil) { self.definition = definition }
    }

    /// What can be asked of a form.
    public enum Command: Sendable {
        /// Defines a group's form with its first fields (possibly none).
        case define(group: String, fields: [FieldDefinition])
        case addField(FieldDefinition)
        /// Replaces a field's label, required flag and validation; its type cannot change.
        case changeField(FieldDefinition)
        case retireField(name: String)
    }

    public typealias Event = CustomerFormEvent

    public static var initialState: State { State() }

    public static func decide(_ command: Command, state: State, context: CommandContext) throws(DomainError) -> [Event] {
        if case .define(let group, let fields) = command {
            guard state.definition == nil else { throw DomainError(.alreadyExists, "the group's form is already defined") }
            let group = try Validate.text(group, field: "group", max: 100)
            guard fields.count <= FormDefinition.maxFields else {
                throw .invalid("fields", "a form has at most \(FormDefinition.maxFields) active fields")
            }
            var checked: [FieldDefinition] = []
            for field in fields {
                let field = try field.validated()
                guard !checked.contains(where: { $0.name == field.name }) else { throw .invalid("name", "field names must be unique") }
                try FormDefinition(group: group, fields: checked).checkNoClash(field)
                checked.append(field)
            }
            return [.defined(CustomerFormDefined(group: group, fields: checked))]
        }
        guard let form = state.definition else { throw .notFound("the group has no form yet") }
        switch command {
        case .define:
            return []
        case .addField(let field):
            let field = try field.validated()
            guard form.field(field.name) == nil, !form.retired.contains(field.name) else {
                throw DomainError(.alreadyExists, field: "name", "the form has or had a field of that name")
            }
            try form.checkNoClash(field)
            guard form.fields.count < FormDefinition.maxFields else {
                throw .invalid("fields", "a form has at most \(FormDefinition.maxFields) active fields: retire one first")
            }
            return [.fieldAdded(CustomerFormFieldAdded(group: form.group, field: field))]
        case .changeField(let field):
            guard let old = form.field(field.name) else { throw DomainError(.notFound, field: "name", "no active field of that name") }
            let new = try field.validated(unlessUnchangedFrom: old)
            guard new.type == old.type else { throw .invalid("type", "a field's type cannot change; retire it and add another") }
            // A label kept as it is stays (a form recorded before names and labels had to differ stays editable).
            if FieldDefinition.comparisonKey(new.label) != FieldDefinition.comparisonKey(old.label) { try form.checkNoClash(new, labelOnly: true) }
            var changes: [FieldChange] = []
            changes.record("label", .text(old.label), .text(new.label))
            changes.record("required", .bool(old.required), .bool(new.required))
            changes.record("maxLength", old.maxLength.map { .number(Decimal($0)) }, new.maxLength.map { .number(Decimal($0)) })
            changes.record("minimum", old.minimum.map(FieldValue.number), new.minimum.map(FieldValue.number))
            changes.record("maximum", old.maximum.map(FieldValue.number), new.maximum.map(FieldValue.number))
            changes.record("options", old.options.isEmpty ? nil : .list(old.options), new.options.isEmpty ? nil : .list(new.options))
            guard !changes.isEmpty else { return [] }
            return [.fieldChanged(CustomerFormFieldChanged(group: form.group, field: new, changes: changes))]
        case .retireField(let name):
            if form.retired.contains(name) { return [] }
            guard form.field(name) != nil else { throw DomainError(.notFound, field: "name", "no field of that name") }
            return [.fieldRetired(CustomerFormFieldRetired(group: form.group, name: name))]
        }
    }

    public static func evolve(_ state: State, _ event: Event) -> State {
        var s = state
        switch event {
        case .defined(let e):
            s.definition = FormDefinition(group: e.group, fields: e.fields)
        case .fieldAdded(let e):
            s.definition?.fields.append(e.field)
        case .fieldChanged(let e):
            if let i = s.definition?.fields.firstIndex(where: { $0.name == e.field.name }) { s.definition?.fields[i] = e.field }
        case .fieldRetired(let e):
            s.definition?.fields.removeAll { $0.name == e.name }
            s.definition?.retired.append(e.name)
        }
        return s
    }
}
