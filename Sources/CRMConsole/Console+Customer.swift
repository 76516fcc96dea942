import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import Foundation
import Hummingbird

/// The customer page: the 360 view (R-CUS-4), the edit form from the group's custom fields (R-CUS-2) with
/// the record's version as expected version, and the modification timeline (R-LOG-5).
extension Console {
    /// One input of the edit form: a profile field or a custom field (`cf_<key>`).
    struct EditField {
        var name: String
        var label: String
        var inputType = "text"
        var required = false
        var maxLength: Int?
        var options: [String]?
        var hint: String?
        /// A multi-line text (a custom text field, which may hold line breaks): a `<textarea>`, which keeps
        /// its value exactly, where `<input type="text">` would drop the line breaks from it.
        var multiline = false
        /// The custom field's definition; nil for profile fields.
        var custom: FieldDefinition?
        var current: String

        /// The input showing `value`, carrying `original` (the value the form was rendered with, against which
        /// the handler tells what the user changed); `changed` marks a change of the user's not saved yet.
        /// A select whose value is none of its options (an option since removed from the form) offers that
        /// value too, selected and marked as no longer offered: left alone, it is posted unchanged.
        func data(value: String, original: String, error: String?, changed: Bool = false) -> [String: Any] {
            var d: [String: Any] = [
                "name": name, "label": label, "inputType": inputType, "required": required, "value": value,
                "original": original, "changed": changed,
                "maxLength": orFalse(maxLength.map { "\($0)" }), "hint": orFalse(hint), "error": orFalse(error),
                "isSelect": options != nil, "isTextArea": multiline && options == nil,
            ]
            if let options {
                var shown = options.map { ["value": $0, "label": $0, "selected": $0 == value] as [String: Any] }
                if !value.isEmpty, !options.contains(value) {
                    shown.insert(["value": value, "label": value + " (no longer offered)", "selected": true], at: 0)
                }
                d["options"] = shown
            }
            return d
        }
    }

    func customer(_ visit: Visit, id: UUID) async throws -> Response {
        try await customerPage(visit, id: id, draft: nil, errors: [:], problem: nil, formVersion: nil)
    }

    /// The prefix of the hidden inputs that carry each field's value as the form was rendered.
    static let originalPrefix = "orig_"

    /// The most history entries the page shows.
    static let timelineLength = 100

    /// The page; with `draft`, the form shows those values (and `errors` per field) instead of the current
    /// ones, and with `originals` carries those as the values it was rendered with, `formVersion` as the
    /// version the edit expects (else the current values and version). `changed` marks the user's changes.
    func customerPage(_ visit: Visit, id: UUID, draft: [String: String]?, originals: [String: String]? = nil, changed: Set<String> = [],
                      errors: [String: String], problem: String?, formVersion: StreamVersion?,
                      status: HTTPResponse.Status = .ok) async throws -> Response {
        let principal = visit.principal
        let (state, version) = try await engine.state(Customer.self, id: id, as: principal)
        // Views at least as new as the record's last event (and this session's last write).
        let last = try await engine.store.readStream(Customer.stream(id), from: .end, direction: .backward, limit: 1).first
        let position = max(last?.position ?? .start, visit.session.position ?? .start)
        let view = try await engine.customer(id, as: principal, consistentWith: position)
        let form = try await engine.customerForm(of: id, as: principal)
        let history = try await recentHistory(ofCustomer: id, as: principal, count: Self.timelineLength, consistentWith: position)
        let names = await employeeNames(principal)
        let fields = editFields(state, form: form)
        let editable = await whyNotEditable(state, id: id, as: principal)
        // Times in the customer's branch zone, else the signed-in employee's.
        let calendar = await calendar(ofBranch: view.profile.branch, else: principal)

        let profile = view.profile
        var keyDate: Any = false
        if let birthday = profile.birthday { keyDate = ["label": "Birthday", "value": birthday.description] }
        if let founded = profile.founded { keyDate = ["label": "Founded", "value": founded.description] }
        let labels = Dictionary(form.fields.map { ($0.name, $0.label) }, uniquingKeysWith: { a, _ in a })
        let customFields: [[String: Any]] = profile.customFields.map { field in
            ["name": field.field, "label": labels[field.field] ?? field.field, "value": Self.display(field.value)]
        }
        let timeline: [[String: Any]] = history.map { entry in
            [
                "when": Format.instant(entry.recordedAt, in: calendar), "who": names[entry.actor] ?? entry.actor, "record": entry.stream.category,
                "summary": entry.summary ?? entry.eventType,
                "changes": entry.changes.map { change in
                    ["field": Self.fieldLabel(change.field, labels),
                     "old": change.old.map { Self.display($0, of: change.field, names, calendar: calendar) } ?? "—",
                     "new": change.new.map { Self.display($0, of: change.field, names, calendar: calendar) } ?? "—"] as [String: Any]
                },
            ]
        }
        return await page(visit, title: profile.name, template: "customer", [
            "id": id.lowercasedString, "name": profile.name, "kind": profile.kind.rawValue, "group": profile.group,
            "status": profile.status.rawValue, "archived": profile.isArchived, "industry": orFalse(profile.industry),
            "branch": orFalse(profile.branch), "community": orFalse(profile.community),
            "owner": orFalse(profile.owner.map { names[$0] ?? $0 }), "keyDate": keyDate, "customFields": customFields,
            "loyalty": orFalse(view.loyaltyBalance.map { "\($0)" }),
            "revenue": view.revenue.isEmpty ? false : view.revenue.map(\.description).joined(separator: ", "),
            "sections": relatedSections(view, calendar: calendar),
            "canEdit": editable == nil, "notEditable": orFalse(editable),
            "version": "\((formVersion ?? version).rawValue)",
            "fields": fields.map {
                $0.data(value: draft?[$0.name] ?? $0.current, original: originals?[$0.name] ?? $0.current, error: errors[$0.name],
                        changed: changed.contains($0.name))
            },
            "timeline": timeline, "problem": orFalse(problem),
        ], status: status)
    }

    /// Why the page shows no edit form — an archived or merged customer, or one the principal may not edit —
    /// or nil when it shows one. Whether the principal may edit is the engine's answer to the question saving
    /// asks: an edit that changes nothing, judged as executing one would be (``CRMEngine/dryRun(_:id:_:as:)``,
    /// which writes nothing); refused as not allowed (or not found), the form is not shown.
    func whyNotEditable(_ state: Customer.State, id: UUID, as principal: Principal) async -> String? {
        if state.isArchived || state.status == .merged { return "Archived or merged customers cannot be edited here." }
        do {
            try await engine.dryRun(Customer.self, id: id, .edit(CustomerEdit(), form: .empty(group: state.group)), as: principal)
        } catch let error as EngineError where error.code == .forbidden || error.code == .notFound || error.code == .unauthenticated {
            return "You may view this customer but not edit it."
        } catch {
            // Refused for another reason (the permission was granted before the domain judged it): saving
            // a change will say why.
        }
        return nil
    }

    /// The newest `count` entries of a customer's history, newest first, read from the end of the history.
    func recentHistory(ofCustomer id: UUID, as principal: Principal, count: Int,
                       consistentWith position: GlobalPosition) async throws -> [HistoryEntry] {
        try await engine.latestHistory(ofCustomer: id, as: principal, limit: count, consistentWith: position)
    }

    func relatedSections(_ view: Customer360, calendar: LocalCalendar) -> [[String: Any]] {
        let contactNames = Dictionary(view.contacts.map { ($0.id, $0.title) }, uniquingKeysWith: { a, _ in a })
        func items(_ records: [RelatedRecord]) -> [[String: Any]] {
            records.prefix(20).map { record in
                var link: Any = false
                switch record.kind {
                case .task: link = base + "/tasks/" + record.id.lowercasedString
                case .ticket: link = base + "/tickets/" + record.id.lowercasedString
                default: break
                }
                // A recorded visit has a day, not a time (its `at`, midnight UTC of that day, only orders the list).
                let day = record.kind == .visit ? record.day?.description : nil
                // An opportunity's contacts by name (those the viewer may see), after its stage.
                let named = (record.contacts ?? []).compactMap { contactNames[$0] }
                let detail = named.isEmpty ? record.detail : [record.detail, "with " + named.joined(separator: ", ")].compactMap { $0 }.joined(separator: " · ")
                return [
                    "title": record.title, "status": record.status, "detail": orFalse(detail), "link": link,
                    "when": orFalse(day ?? record.at.map { Format.instant($0, in: calendar) } ?? record.day?.description),
                    "amount": orFalse(record.amount?.description),
                ]
            }
        }
        let sections: [(String, [RelatedRecord])] = [
            ("Contacts", view.contacts), ("Open tasks", view.openTasks), ("Open tickets", view.openTickets),
            ("Recent contacts and visits", view.recentActivity), ("Open opportunities", view.openOpportunities),
            ("Won and lost opportunities", view.closedOpportunities), ("Quotes", view.openQuotes + view.closedQuotes),
            ("Contracts", view.contracts + view.endedContracts), ("Recent tickets", view.recentTickets),
        ]
        let related = sections.filter { !$0.1.isEmpty }.map { ["heading": $0.0, "items": items($0.1)] as [String: Any] }
        // Products held, installations and upcoming appointments follow the contacts (R-CUS-4, R-CUS-5, R-CUS-7).
        let holdings = holdingSections(view, calendar: calendar)
        return Array(related.prefix(view.contacts.isEmpty ? 0 : 1)) + holdings + related.dropFirst(view.contacts.isEmpty ? 0 : 1)
    }

    /// The products held, current installations and upcoming appointments, as the related sections show items.
    func holdingSections(_ view: Customer360, calendar: LocalCalendar) -> [[String: Any]] {
        func item(_ title: String, _ status: String, detail: String?, when: String? = nil) -> [String: Any] {
            ["title": title, "status": status, "detail": orFalse(detail), "link": false, "when": orFalse(when), "amount": false]
        }
        let products = view.productsHeld.prefix(20).map { p in
            item(p.name, "held", detail: "quantity \(p.quantity)" + (p.contracts.count > 1 ? " in \(p.contracts.count) contracts" : ""))
        }
        let installations = view.profile.installations.prefix(20).map { item($0.address, "active", detail: "meter " + $0.meterNumber) }
        let appointments = view.upcomingAppointments(at: now).prefix(20).map { a in
            item(a.kind.rawValue, a.status.rawValue, detail: a.address, when: Format.instant(a.at, in: calendar))
        }
        let sections: [(String, [[String: Any]])] = [
            ("Products held", Array(products)), ("Installations", Array(installations)), ("Upcoming appointments", Array(appointments)),
        ]
        return sections.filter { !$0.1.isEmpty }.map { ["heading": $0.0, "items": $0.1] }
    }

    /// The longest name the domain takes (`Validate.text`'s default, which `Customer` checks names with).
    static let nameMaxLength = 200
    /// The longest industry and community the domain takes (`Customer` checks them with at most 100).
    static let profileTextMaxLength = 100

    /// The inputs: name, industry, community, the key date, then the group's custom fields in form order.
    func editFields(_ state: Customer.State, form: FormDefinition) -> [EditField] {
        var fields = [
            EditField(name: "name", label: "Name", required: true, maxLength: Self.nameMaxLength, current: state.name),
            EditField(name: "industry", label: "Industry", maxLength: Self.profileTextMaxLength, current: state.industry ?? ""),
            EditField(name: "community", label: "Community", maxLength: Self.profileTextMaxLength, current: state.community ?? ""),
        ]
        switch state.kind {
        case .person: fields.append(EditField(name: "birthday", label: "Birthday", inputType: "date", current: state.birthday?.description ?? ""))
        case .organisation: fields.append(EditField(name: "founded", label: "Founded", inputType: "date", current: state.founded?.description ?? ""))
        }
        for definition in form.fields {
            var field = EditField(name: "cf_" + definition.name, label: definition.label, required: definition.required,
                                  maxLength: definition.maxLength, custom: definition,
                                  current: state.customFields[definition.name].map(Self.display) ?? "")
            switch definition.type {
            case .text: field.multiline = true
            case .number: field.inputType = "text"; field.hint = "a number"
            case .money: field.hint = "amount and currency, e.g. 120.50 CNY"
            case .date: field.inputType = "date"
            case .enumeration: field.options = definition.options
            case .boolean: field.options = ["yes", "no"]
            }
            fields.append(field)
        }
        return fields
    }

    /// Saves the changed fields with the form's version as expected version: a concurrent edit is reported
    /// (409, nothing written), invalid values are shown beside their fields (422).
    func editCustomer(_ visit: Visit, id: UUID) async throws -> Response {
        let principal = visit.principal
        let (state, _) = try await engine.state(Customer.self, id: id, as: principal)
        let form = try await engine.customerForm(of: id, as: principal)
        guard let versionText = visit.form["version"], let number = UInt64(versionText) else {
            throw ConsoleError.badRequest("The form lacks the record's version. Reload the page.")
        }
        let expected = StreamVersion(number)
        let posted = visit.form
        var edit = CustomerEdit()
        var errors: [String: String] = [:]
        // Line breaks as the log holds them (a browser posts a textarea's as CRLF).
        let value = { (name: String) in Self.field(posted, name).map(Self.normalizingLineBreaks) }
        // Only the fields the user changed are sent: a field whose value is the one the form was rendered
        // with is left as it is now, so saving never undoes someone else's change to it. (A form without the
        // rendered values counts every field as changed.)
        let multiline = Set(editFields(state, form: form).filter(\.multiline).map(\.name))
        let touched = { (name: String) in Self.changedByUser(posted, name, singleLine: !multiline.contains(name)) }

        if touched("name") {
            if let name = value("name") {
                if name != state.name { edit.name = name }
            } else {
                errors["name"] = "is required"
            }
        }
        if touched("industry") { edit.industry = Self.patch(value("industry"), current: state.industry) }
        if touched("community") { edit.community = Self.patch(value("community"), current: state.community) }
        func day(_ name: String, current: LocalDate?) -> ProfilePatch<LocalDate> {
            guard touched(name) else { return .keep }
            guard let text = value(name) else { return current == nil ? .keep : .clear }
            guard let date = LocalDate(text) else { errors[name] = "must be a date (YYYY-MM-DD)"; return .keep }
            return date == current ? .keep : .set(date)
        }
        switch state.kind {
        case .person: edit.birthday = day("birthday", current: state.birthday)
        case .organisation: edit.founded = day("founded", current: state.founded)
        }
        for definition in form.fields {
            let input = "cf_" + definition.name
            let current = state.customFields[definition.name]
            guard touched(input) else { continue }
            guard let text = value(input) else {
                if definition.required { errors[input] = "is required" } else if current != nil { edit.clearCustomFields.append(definition.name) }
                continue
            }
            switch Self.parse(text, as: definition, current: current) {
            case .success(let parsed): if parsed != current { edit.setCustomFields[definition.name] = parsed }
            case .failure(let problem): errors[input] = problem.message
            }
        }
        for problem in form.changeViolations(of: edit.setCustomFields) {
            if let field = problem.field { errors["cf_" + field] = errors["cf_" + field] ?? problem.detail }
        }
        let originals = Self.originals(posted)
        guard errors.isEmpty else {
            return try await customerPage(visit, id: id, draft: posted, originals: originals, errors: errors,
                                          problem: "Some values need correcting.", formVersion: expected, status: .unprocessableContent)
        }
        if edit == CustomerEdit() {
            await sessions.setNotice("Nothing changed.", for: visit.session.id)
            return redirect(to: base + "/customers/" + id.lowercasedString)
        }
        do {
            let result = try await engine.execute(Customer.self, id: id, .edit(edit, form: .empty(group: state.group)), as: principal,
                                                  expectedVersion: expected)
            return await done(visit, at: result.position, notice: "Customer saved.", then: base + "/customers/" + id.lowercasedString)
        } catch let error as EngineError where error.code == .conflict {
            let (latest, _) = try await engine.state(Customer.self, id: id, as: principal)
            if latest.isArchived || latest.status == .merged {
                // No form to show again: the customer can no longer be edited here.
                return try await customerPage(
                    visit, id: id, draft: nil, errors: [:],
                    problem: "This customer was archived or merged since you opened it; your changes were not saved.",
                    formVersion: nil, status: .conflict)
            }
            // The form now shows the current values and version, with the user's changes kept as typed and
            // marked: saving it again sends only those, and overwrites nothing else.
            let names = editFields(state, form: form).map(\.name).filter(touched)
            let draft = Dictionary(names.map { ($0, posted[$0] ?? "") }, uniquingKeysWith: { a, _ in a })
            return try await customerPage(
                visit, id: id, draft: draft, changed: Set(names), errors: [:],
                problem: "Someone else changed this customer since you opened it; your changes were not saved. The form now shows the current values with your changes kept and marked — check them and save again.",
                formVersion: nil, status: .conflict)
        } catch let error as EngineError where error.code == .rejected || error.code == .invalid {
            let message = error.domain?.detail ?? error.message
            var errors: [String: String] = [:]
            if let field = error.field {
                let custom = field.hasPrefix(Customer.customFieldPrefix)
                let key = custom ? String(field.dropFirst(Customer.customFieldPrefix.count)) : field
                let input = !custom && ["name", "industry", "community", "birthday", "founded"].contains(key) ? key : "cf_" + key
                errors[input] = message
            }
            return try await customerPage(visit, id: id, draft: posted, originals: originals, errors: errors,
                                          problem: "The customer was not saved: \(message)", formVersion: expected, status: .unprocessableContent)
        }
    }

    /// A changed field's label: a custom field (`custom.<key>`) by its form label, a profile field by its name.
    static func fieldLabel(_ field: String, _ labels: [String: String]) -> String {
        if field.hasPrefix(Customer.customFieldPrefix) {
            let key = String(field.dropFirst(Customer.customFieldPrefix.count))
            return labels[key] ?? key
        }
        return labels[field] ?? field
    }

    /// Whether the user changed input `name`: its posted value (trimmed; blank as empty; line breaks as LF,
    /// since a browser posts them as CRLF) differs from the one the form was rendered with. For a one-line
    /// input (`singleLine`) the rendered value is compared without line breaks, which the browser drops from
    /// such an input (a value recorded before line breaks were refused there). True when the form does not
    /// carry that value.
    static func changedByUser(_ posted: [String: String], _ name: String, singleLine: Bool = false) -> Bool {
        guard let rendered = posted[originalPrefix + name] else { return true }
        let original = singleLine ? String(rendered.unicodeScalars.filter { $0 != "\r" && $0 != "\n" }) : rendered
        return field(posted, name).map(normalizingLineBreaks) != field([name: original], name).map(normalizingLineBreaks)
    }

    /// `text` with every line break (CRLF, CR) as LF: how browsers hand a textarea's value to scripts, and
    /// how a typed multi-line value is written.
    static func normalizingLineBreaks(_ text: String) -> String {
        guard text.unicodeScalars.contains("\r") else { return text }
        var scalars = String.UnicodeScalarView()
        var afterCR = false
        for scalar in text.unicodeScalars {
            if scalar == "\n", afterCR { afterCR = false; continue }
            afterCR = scalar == "\r"
            scalars.append(afterCR ? "\n" : scalar)
        }
        return String(scalars)
    }

    /// The values a posted form was rendered with, by input name.
    static func originals(_ posted: [String: String]) -> [String: String] {
        var originals: [String: String] = [:]
        for (name, value) in posted where name.hasPrefix(originalPrefix) { originals[String(name.dropFirst(originalPrefix.count))] = value }
        return originals
    }

    static func patch(_ value: String?, current: String?) -> ProfilePatch<String> {
        guard let value else { return current == nil ? .keep : .clear }
        return value == current ? .keep : .set(value)
    }

    struct ParseProblem: Error {
        var message: String
    }

    /// A custom field's input as a value of the field's type.
    static func parse(_ text: String, as field: FieldDefinition, current: FieldValue?) -> Result<FieldValue, ParseProblem> {
        switch field.type {
        case .text:
            return .success(.text(text))
        case .number:
            guard let number = decimal(text, exponent: true) else { return .failure(ParseProblem(message: "must be a number")) }
            return .success(.number(number))
        case .money:
            let parts = text.split(separator: " ", omittingEmptySubsequences: true)
            var currency: Currency?
            if parts.count == 2 { currency = Currency(rawValue: String(parts[1]).uppercased()) }
            if parts.count == 1, case .money(let old) = current { currency = old.currency }
            guard let amountText = parts.first, let amount = decimal(amountText, exponent: false), let currency else {
                return .failure(ParseProblem(message: "must be an amount and a currency, e.g. 120.50 CNY"))
            }
            return .success(.money(Money(amount, currency)))
        case .date:
            guard let date = LocalDate(text) else { return .failure(ParseProblem(message: "must be a date (YYYY-MM-DD)")) }
            return .success(.date(date))
        case .enumeration:
            return .success(.option(text))
        case .boolean:
            switch text {
            case "yes": return .success(.bool(true))
            case "no": return .success(.bool(false))
            default: return .failure(ParseProblem(message: "must be yes or no"))
            }
        }
    }

    /// `text` as a decimal number when the whole of it is one: an optional sign, digits with at most one
    /// decimal point, and (with `exponent`) an optional exponent such as `e3`. Nil for anything else
    /// (`1-2`, `3-`, `1.2.3`, `12abc`), which `Decimal(string:)` alone would read in part.
    static func decimal(_ text: some StringProtocol, exponent: Bool) -> Decimal? {
        Decimal(wholeText: text, exponent: exponent)
    }

    /// The changed fields whose values are employee ids, as the modification history names them: shown by
    /// name, as "Account manager" and "Who" are — a customer's or opportunity's `owner`, a task's, ticket's or
    /// new connection's `assignee`, a maintenance pairing's `agent` and `manager`. (A customer's `holder` is the
    /// account holder's own name, not an employee.)
    static let employeeFields: Set<String> = ["owner", "assignee", "agent", "manager"]

    /// A timeline value of `field`: an employee's id (an owner, an assignee, …) by the name `names` gives the
    /// reader, else by id (an employee beyond the reader's reach); an instant (a task's `dueAt`, a ticket's
    /// `resolutionDueAt`, …, which the history holds as ISO 8601 UTC text) as ``Format/instant(_:in:)`` prints
    /// it in `calendar`; any other value as ``display(_:)`` shows it. A custom field's text is shown as typed.
    static func display(_ value: FieldValue, of field: String, _ names: [String: String], calendar: LocalCalendar) -> String {
        switch value {
        case .text(let id) where employeeFields.contains(field): return names[Employee.canonicalID(id)] ?? id
        case .id(let id) where employeeFields.contains(field): return names[id.lowercasedString] ?? id.lowercasedString
        case .text(let text) where !field.hasPrefix(Customer.customFieldPrefix):
            if let instant = instant(text) { return Format.instant(instant, in: calendar) }
        default: break
        }
        return display(value)
    }

    /// `text` as the instant it names when the whole of it is an ISO 8601 UTC time as the history writes one
    /// (`2026-08-21T09:47:53Z`, with or without fractional seconds); else nil.
    static func instant(_ text: String) -> Date? {
        guard text.wholeMatch(of: #/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?Z/#) != nil else { return nil }
        let plain = Date.ISO8601FormatStyle()
        let fractional = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        return (try? plain.parse(text)) ?? (try? fractional.parse(text))
    }

    /// A value as the console shows it (and as its form fields hold it).
    static func display(_ value: FieldValue) -> String {
        switch value {
        case .bool(let b): return b ? "yes" : "no"
        case .money(let m): return "\(m.amount) \(m.currency)"
        case .list(let items): return items.joined(separator: ", ")
        case .id(let id): return id.lowercasedString
        default: return value.description
        }
    }
}
