import CRMDomain
import CRMEngine
import Foundation

/// The profile columns an import understands besides a form's custom fields.
enum ProfileColumn: String, CaseIterable {
    case id, name, kind, group, industry, branch, community, owner, status, birthday, founded
    case externalKey = "external_key"

    /// Header spellings accepted for the column (compared after ``normalizedHeader(_:)``).
    var spellings: Set<String> {
        switch self {
        case .id: return ["id", "customer_id"]
        case .externalKey: return ["external_key", "externalkey", "key", "external_id"]
        default: return [rawValue]
        }
    }
}

/// A header compared ignoring case and full-width/half-width forms, with spaces and dashes as underscores:
/// as a custom field's name is compared (``FieldDefinition/comparisonKey(_:)``), so `ｎａｍｅ` is `name`.
func normalizedHeader(_ text: String) -> String {
    FieldDefinition.comparisonKey(text)
}

/// Where one CSV column goes.
enum ColumnTarget: Hashable, CustomStringConvertible {
    case profile(ProfileColumn)
    case custom(String)
    case ignored

    /// The field's name as a header would give it.
    var description: String {
        switch self {
        case .profile(let column): return column.rawValue
        case .custom(let name): return name
        case .ignored: return "-"
        }
    }
}

/// A custom field's value read from CSV text by the field's type; nil with a reason when it does not fit.
func fieldValue(_ text: String, for field: FieldDefinition) -> Result<FieldValue, RowProblem> {
    switch field.type {
    case .text: return .success(.text(text))
    case .enumeration: return .success(.option(text))
    case .number:
        guard let number = Decimal(wholeText: text) else { return .failure(RowProblem(field.name, "is not a number")) }
        return .success(.number(number))
    case .money:
        let parts = text.split(separator: " ").map(String.init)
        guard parts.count == 2 else { return .failure(RowProblem(field.name, "needs an amount and a currency, like `12.50 CNY`")) }
        let (amountText, currencyText) = Decimal(wholeText: parts[0], exponent: false) != nil ? (parts[0], parts[1]) : (parts[1], parts[0])
        guard let amount = Decimal(wholeText: amountText, exponent: false), let currency = Currency(rawValue: currencyText.uppercased()) else {
            return .failure(RowProblem(field.name, "needs an amount and a currency, like `12.50 CNY`"))
        }
        return .success(.money(Money(amount, currency)))
    case .date:
        guard let date = LocalDate(text) else { return .failure(RowProblem(field.name, "is not a date (YYYY-MM-DD)")) }
        return .success(.date(date))
    case .boolean:
        switch text.lowercased() {
        case "true", "yes", "y", "1": return .success(.bool(true))
        case "false", "no", "n", "0": return .success(.bool(false))
        default: return .failure(RowProblem(field.name, "is not yes/no"))
        }
    }
}

/// Why a row cannot be imported: the field and the reason (never the value: it may be personal data).
struct RowProblem: Error, CustomStringConvertible {
    let field: String?
    let reason: String
    init(_ field: String?, _ reason: String) {
        self.field = field
        self.reason = reason
    }
    var description: String { field.map { "\($0): \(reason)" } ?? reason }
}

/// One imported row, read and typed: what the customer should look like.
struct CustomerRow {
    var line: Int
    /// The customer's id (an export's `id` column): the row updates that customer, or creates it with this id.
    var id: UUID?
    /// Required for a new customer only: an update keeps the name when the cell is empty.
    var name: String?
    var kind: CustomerKind?
    /// The row's group (`--group` or its cell); an update without one keeps the customer's group.
    var group: String?
    var industry: String?
    var branch: String?
    var community: String?
    var owner: String?
    var status: CustomerStatus?
    var birthday: LocalDate?
    var founded: LocalDate?
    var externalKey: String?
    /// The custom cells not empty, by field name, as read (typed into ``customFields`` once the group is known).
    var customCells: [String: String] = [:]
    var customFields: [String: FieldValue] = [:]

    /// The new customer this row describes (``name`` and ``group`` given: checked before).
    func newCustomer(keySystem: String) -> NewCustomer {
        NewCustomer(kind: kind ?? .person, name: name ?? "", group: group ?? "", industry: industry, branch: branch, community: community,
                    owner: owner, status: status ?? .prospect, birthday: birthday, founded: founded, customFields: customFields,
                    externalKeys: externalKey.map { [ExternalKey(system: keySystem, key: $0)] } ?? [])
    }

    /// The edit that makes `state` look like this row: only fields that differ (empty cells change nothing).
    /// When the group changes, `form` (the new group's) decides which custom values stay: those it has no
    /// field for are cleared, as `PATCH` clears them with `null` (a customer's values must fit its group's form).
    func edit(from state: Customer.State, form: FormDefinition) -> CustomerEdit {
        var edit = CustomerEdit()
        if let name, name != state.name { edit.name = name }
        if let group, group != state.group {
            edit.group = group
            edit.clearCustomFields = valuesWithoutField(state, in: form, keeping: customFields)
        }
        func patch<V: Sendable & Equatable>(_ new: V?, _ old: V?) -> ProfilePatch<V> {
            guard let new, new != old else { return .keep }
            return .set(new)
        }
        edit.industry = patch(industry, state.industry)
        edit.branch = patch(branch, state.branch)
        edit.community = patch(community, state.community)
        edit.owner = patch(owner, state.owner)
        edit.birthday = patch(birthday, state.birthday)
        edit.founded = patch(founded, state.founded)
        for (key, value) in customFields where state.customFields[key] != value { edit.setCustomFields[key] = value }
        return edit
    }
}

extension CustomerEdit {
    /// Whether the edit changes nothing.
    var isEmpty: Bool {
        name == nil && group == nil && industry == .keep && branch == .keep && community == .keep && owner == .keep
            && birthday == .keep && founded == .keep && setCustomFields.isEmpty && clearCustomFields.isEmpty
    }
}

/// `group`'s form as recorded in the log (an empty form when the group has none). A group that is not known
/// is refused first, as the engine refuses it (`invalid`, field `group`, naming the known groups), so
/// `--field` given with a mistyped group says so rather than that the (empty) form has no such field;
/// `current`, the customer's group now, may always be kept.
func groupForm(_ group: String, current: String? = nil, engine: CRMEngine) async throws -> FormDefinition {
    if let definition = try await fold(CustomerForm.self, CustomerForm.stream(group: group), store: engine.store, registry: engine.registry).definition {
        return definition
    }
    try await engine.requireKnownCustomerGroup(group, current: current)
    return .empty(group: group)
}

/// `NAME=VALUE` options (`--field`) as custom values of `group`'s form, as recorded in the log; each read
/// by its field's type, as an import reads a cell. `NAME=` (no value) sets nothing (see ``customEdits(_:form:)``).
func customValues(_ options: [String], group: String, engine: CRMEngine) async throws -> [String: FieldValue] {
    guard !options.isEmpty else { return [:] }
    return try customEdits(options, form: try await groupForm(group, engine: engine)).set
}

/// `NAME=VALUE` options (`--field`) read by the fields of `form`: the values to set, and the fields given
/// with no value (`NAME=`), which an edit clears.
func customEdits(_ options: [String], form: FormDefinition) throws -> (set: [String: FieldValue], clear: [String]) {
    var values: [String: FieldValue] = [:]
    var clear: [String] = []
    for option in options {
        let parts = option.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty else {
            throw CLIError("`--field` needs NAME=VALUE", hint: "e.g. --field meterType=gas", exit: .usage)
        }
        guard let field = form.field(parts[0]) else {
            let names = form.fields.map(\.name).joined(separator: ", ")
            throw CLIError("--field: the form of the group given has no field of that name",
                           hint: names.isEmpty ? "the group has no custom fields" : "its fields: \(names)", exit: .usage)
        }
        let text = parts[1].trimmingCharacters(in: .whitespaces)
        if text.isEmpty {
            clear.append(field.name)
            continue
        }
        switch fieldValue(text, for: field) {
        case .success(let value): values[field.name] = value
        case .failure(let problem): throw CLIError("--field \(problem)", hint: "give a value of the field's type", exit: .usage)
        }
    }
    return (values, clear)
}

/// The custom values `state` holds that `form` (of the group the customer moves to) has no field for:
/// a change of group clears them (their history stays in the log), as `PATCH` clears a value with `null`.
func valuesWithoutField(_ state: Customer.State, in form: FormDefinition, keeping set: [String: FieldValue]) -> [String] {
    state.customFields.keys.filter { form.field($0) == nil && set[$0] == nil }.sorted()
}

/// A `--birthday` or `--founded` option as a date (exit 64 when it is none).
func dayOption(_ text: String?, _ name: String) throws -> LocalDate? {
    guard let text else { return nil }
    guard let date = LocalDate(text) else { throw CLIError("\(name): not a date", hint: "give YYYY-MM-DD, e.g. 1980-05-17", exit: .usage) }
    return date
}
