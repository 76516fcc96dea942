import Foundation

extension Customer {
    /// The prefix of custom fields in a ``CustomerEdited`` trail: `custom.<key>`.
    public static let customFieldPrefix = "custom."

    /// The changed fields of an edit, old → new, after checking every new value. Custom values being set
    /// must fit the form; a required custom field cannot be cleared. When the group changes, the form must
    /// be the new group's, the values it has no field for are dropped (recorded as changes to none, whoever
    /// edits: so the answer never depends on a value the editor may not see) and all custom values after the
    /// edit must fit it.
    static func changes(of edit: CustomerEdit, form: FormDefinition, state: State, context: CommandContext) throws(DomainError) -> [FieldChange] {
        // A value the customer already holds is not judged again (it may predate a tightened check).
        let name = try edit.name.map { (n: String) throws(DomainError) in try Validate.text(n, field: "name", unlessUnchangedFrom: state.name) } ?? state.name
        let group = try edit.group.map { (g: String) throws(DomainError) in
            try Validate.text(g, field: "group", max: 100, unlessUnchangedFrom: state.group)
        } ?? state.group
        guard form.group == group else { throw .invalid("group", "the form given is not the group's form") }
        let industry = try text(edit.industry, state.industry, field: "industry")
        let branch = try text(edit.branch, state.branch, field: "branch")
        let community = try text(edit.community, state.community, field: "community")
        let owner = try text(edit.owner, state.owner, field: "owner")
        let birthday = edit.birthday.applied(to: state.birthday)
        let founded = edit.founded.applied(to: state.founded)
        try checkKeyDates(kind: state.kind, birthday: birthday == state.birthday ? nil : birthday,
                          founded: founded == state.founded ? nil : founded, context: context)

        var custom = state.customFields
        // Custom texts are trimmed; setting a blank one clears the field.
        let (set, blank) = FormDefinition.trimmed(edit.setCustomFields)
        for key in edit.clearCustomFields + blank {
            if form.field(key)?.required == true { throw .invalid(key, "is required") }
            custom[key] = nil
        }
        let setting = set.filter { state.customFields[$0.key] != $0.value }
        if group != state.group {
            // The old form's values the new group's form has no field for go with the old group.
            custom = custom.filter { form.field($0.key) != nil }
        }
        custom.merge(setting) { _, new in new }
        if group != state.group, let problem = form.violations(of: custom).first {
            throw problem
        } else if let problem = form.changeViolations(of: setting).first {
            throw problem
        }

        var changes: [FieldChange] = []
        changes.record("name", .text(state.name), .text(name))
        changes.record("group", .text(state.group), .text(group))
        changes.record("industry", state.industry.map(FieldValue.text), industry.map(FieldValue.text))
        changes.record("branch", state.branch.map(FieldValue.text), branch.map(FieldValue.text))
        changes.record("community", state.community.map(FieldValue.text), community.map(FieldValue.text))
        changes.record("owner", state.owner.map(FieldValue.text), owner.map(FieldValue.text))
        changes.record("birthday", state.birthday.map(FieldValue.date), birthday.map(FieldValue.date))
        changes.record("founded", state.founded.map(FieldValue.date), founded.map(FieldValue.date))
        for key in Set(custom.keys).union(state.customFields.keys).sorted() {
            changes.record(customFieldPrefix + key, state.customFields[key], custom[key])
        }
        return changes
    }

    private static func text(_ patch: ProfilePatch<String>, _ current: String?, field: String) throws(DomainError) -> String? {
        switch patch {
        case .keep: return current
        case .clear: return nil
        case .set(let value): return try Validate.optionalText(value, field: field, max: 100, unlessUnchangedFrom: current)
        }
    }
}

extension Customer.State {
    /// Applies one recorded change of a ``CustomerEdited`` trail.
    mutating func apply(_ change: FieldChange) {
        func text() -> String? {
            if case .text(let value)? = change.new { return value }
            return nil
        }
        func date() -> LocalDate? {
            if case .date(let value)? = change.new { return value }
            return nil
        }
        switch change.field {
        case "name": name = text() ?? name
        case "group": group = text() ?? group
        case "industry": industry = text()
        case "branch": branch = text()
        case "community": community = text()
        case "owner": owner = text()
        case "birthday": birthday = date()
        case "founded": founded = date()
        case let field where field.hasPrefix(Customer.customFieldPrefix):
            customFields[String(field.dropFirst(Customer.customFieldPrefix.count))] = change.new
        default: break
        }
    }
}
