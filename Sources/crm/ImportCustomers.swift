import ArgumentParser
import CRMDomain
import CRMEngine
import CRMProjections
import CSV
import EventSourcing
import Foundation

/// `crm import customers FILE.csv`.
struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Import data from CSV.", subcommands: [ImportCustomers.self])
}

/// Customers from a CSV file: validated completely first, then written (all or nothing unless
/// `--skip-invalid`); idempotent by external key.
struct ImportCustomers: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "customers",
        abstract: "Import customers from a CSV file (UTF-8, optional BOM, RFC 4180 quoting).",
        discussion: """
            Header names match the profile fields (id, name, kind, group, industry, branch, community, owner, status, birthday, \
            founded, external_key) or the group form's field names or labels: exactly, else case-insensitively (a header \
            matching several fields is refused). A row whose id names a \
            customer (as `crm export customers` writes them), or whose external key a customer already holds, updates that \
            customer, writing only changed fields; empty cells (name and group too) change nothing, and a new group clears the custom \
            values its form has no field for. Only a new customer needs a name and a group. A row with an id no customer has creates one with it. \
            Every row is judged first as the engine will judge it (permissions of the --token's employee included); every \
            invalid row is reported with its line number, and nothing is written then unless --skip-invalid. A row refused while \
            writing (the store changed meanwhile) stops the import at once without --skip-invalid: the rows already written are \
            listed with their ids (exit 2). --dry-run writes nothing and reads the store read-only (beside a running server too). \
            The ' that `crm export` puts before a cell a spreadsheet would run as a formula is removed: a cell of ' followed \
            by =, +, -, @, TAB or CR (or by more ' and then one of those) loses one '.
            """)

    @OptionGroup var store: StoreOptions
    @Argument(help: "The CSV file.") var file: String
    @Option(help: "The customer group of every row (else a `group` column is needed).") var group: String?
    @Option(help: "A file of `CSV header = field` lines renaming columns (`= -` ignores one).") var map: String?
    @Option(name: .customLong("ignore-column"), help: "A column to ignore (repeatable).") var ignoreColumns: [String] = []
    @Flag(help: "Ignore every column that matches no field.") var ignoreUnknownColumns = false
    @Flag(help: "Import the valid rows and report the invalid ones, instead of importing nothing.") var skipInvalid = false
    @Option(help: "The system the external keys belong to.") var keySystem = "import"
    @Flag(help: "Validate and report only; write nothing.") var dryRun = false

    func run() async throws {
        try await reporting(data: store.data) {
            // Cells an export neutralised for spreadsheets (`'=…`) are read as the values exported.
            let table = try readCSV(file).restoringNeutralisedCells()
            let renames = try map.map(readMap) ?? [:]
            // Through a server: rows are checked on the read-only engine (beside the server) and written
            // through its HTTP API; otherwise the engine opened here checks and writes them.
            // A dry run writes nothing: it judges the rows on the read-only engine, so it works beside a running
            // server too (with or without --server).
            let summary: Summary
            let remote = try store.remote()
            if dryRun || remote != nil {
                summary = try await withReadEngine(store) { engine, _ in
                    try await importRows(table, renames: renames, engine: engine, remote: dryRun ? nil : remote)
                }
            } else {
                summary = try await withEngine(store) { engine in try await importRows(table, renames: renames, engine: engine, remote: nil) }
            }
            if store.json {
                out(jsonLine(summary.json))
            } else {
                for problem in summary.problems { out("line \(problem.line): \(problem.problem)") }
                if let stop = summary.stoppedAt {
                    for row in summary.written { out("line \(row.line): \(row.action) \(row.id.lowercasedString)") }
                    out("created \(summary.created), updated \(summary.updated), unchanged \(summary.unchanged), invalid \(summary.problems.count)"
                        + " — stopped at line \(stop); the \(summary.written.count) row(s) listed as created or updated were written")
                } else if dryRun {
                    out("dry run: would create \(summary.created), update \(summary.updated), leave unchanged \(summary.unchanged), invalid \(summary.problems.count)"
                        + (summary.problems.isEmpty ? "" : (skipInvalid ? " (would be skipped)" : "")) + " — nothing was written")
                } else {
                    out("created \(summary.created), updated \(summary.updated), unchanged \(summary.unchanged), invalid \(summary.problems.count)"
                        + (summary.problems.isEmpty ? "" : (summary.wrote ? " (skipped)" : " — nothing was written")))
                }
            }
            if let stop = summary.stoppedAt {
                throw CLIError("line \(stop) of \(file) was refused while writing; the import stopped there after writing \(summary.written.count) row(s)",
                               hint: "the rows written are listed with their ids; fix the refused rows and import again (rows with an id or external_key update, others are created again), or pass --skip-invalid",
                               exit: .faults)
            }
            // A dry run with --skip-invalid answers what the real run would: the invalid rows skipped.
            if !summary.problems.isEmpty && !summary.wrote && !(dryRun && skipInvalid) {
                throw CLIError("\(summary.problems.count) invalid row(s) in \(file); nothing was imported",
                               hint: "fix the rows listed, or pass --skip-invalid to import the valid ones", exit: .faults)
            }
        }
    }

    struct Problem {
        let line: Int
        let problem: RowProblem
    }

    /// A row written: its line, what was done (`created`, `updated`) and the customer's id.
    struct Written {
        let line: Int
        let action: String
        let id: UUID
    }

    struct Summary {
        var created = 0
        var updated = 0
        var unchanged = 0
        var problems: [Problem] = []
        var wrote = false
        /// Without --skip-invalid, the first line refused while writing: the import stopped there.
        var stoppedAt: Int?
        /// The rows written (created or updated), by line (listed when the import stopped); `--json`'s
        /// `written` says whether there are any.
        var written: [Written] = []
        var json: [String: Any] {
            var json: [String: Any] = [
                "created": created, "updated": updated, "unchanged": unchanged, "written": !written.isEmpty,
                "invalid": problems.map { ["line": $0.line, "field": $0.problem.field ?? NSNull(), "reason": $0.problem.reason] as [String: Any] },
            ]
            if let stoppedAt {
                json["stoppedAt"] = stoppedAt
                json["writtenRows"] = written.map { ["line": $0.line, "action": $0.action, "id": $0.id.lowercasedString] as [String: Any] }
            }
            return json
        }
    }

    private func importRows(_ table: CSVTable, renames: [String: String], engine: CRMEngine, remote: Remote?) async throws -> Summary {
        let registry = engine.registry
        let groupColumn = table.header.firstIndex { normalizedHeader(renames[normalizedHeader($0)] ?? $0) == "group" }
        var groups = Set(group.map { [$0] } ?? [])
        if group == nil, let groupColumn {
            for row in table.rows where groupColumn < row.cells.count && !row.cells[groupColumn].isEmpty { groups.insert(row.cells[groupColumn]) }
        }
        // A row's group can be left to the customer it updates: without --group or a group column, a file that
        // names customers (by id or external key) is read against every known group's form. So is a file whose
        // rows name no group (a header alone too): its columns are judged against every form, and its rows
        // then need a group (or name a customer).
        let identifying = table.header.contains { column in
            let key = normalizedHeader(renames[normalizedHeader(column)] ?? column)
            return ProfileColumn.id.spellings.contains(key) || ProfileColumn.externalKey.spellings.contains(key)
        }
        if group == nil && groups.isEmpty { groups.formUnion(try await engine.customerGroups().names) }
        var forms: [String: FormDefinition] = [:]
        for name in groups {
            let state = try await fold(CustomerForm.self, CustomerForm.stream(group: name), store: engine.store, registry: registry)
            forms[name] = state.definition ?? .empty(group: name)
        }
        let targets = try resolveHeader(table.header, renames: renames, forms: forms.keys.sorted().compactMap { forms[$0] }) { column in
            table.rows.contains { column < $0.cells.count && !$0.cells[column].trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
        }
        if group == nil && !targets.contains(.profile(.group)) && !identifying {
            throw CLIError("the file has no `group` column", hint: "pass --group G for all rows, add a group column, or name existing customers by id or external_key", exit: .usage)
        }

        // Who the rows are written as: an employee's rows are judged as the engine will judge them.
        let principal = try await store.principal(engine)
        var summary = Summary()
        var seenKeys: [String: Int] = [:]
        var seenIDs: [UUID: Int] = [:]
        var plans: [(line: Int, plan: Plan)] = []
        // A row's group must be known (one with a form), as the engine will judge it when writing.
        let known = try await engine.customerGroups()
        for row in table.rows {
            if row.cells.allSatisfy({ $0.isEmpty }) { continue }
            switch read(row, targets: targets) {
            case .failure(let problem):
                summary.problems.append(Problem(line: row.line, problem: problem))
            case .success(var customer):
                if let key = customer.externalKey {
                    if let first = seenKeys[key] {
                        summary.problems.append(Problem(line: row.line, problem: RowProblem("external_key", "repeats the key of line \(first)")))
                        continue
                    }
                    seenKeys[key] = row.line
                }
                if let id = customer.id {
                    if let first = seenIDs[id] {
                        summary.problems.append(Problem(line: row.line, problem: RowProblem("id", "repeats the id of line \(first)")))
                        continue
                    }
                    seenIDs[id] = row.line
                }
                do {
                    // The customer the row names: by its id (an export's rows), else by its external key.
                    var existing: (id: UUID, state: Customer.State)?
                    if let id = customer.id {
                        let state = try await fold(Customer.self, Customer.stream(id), store: engine.store, registry: registry)
                        if state.exists { existing = (id, state) }
                    }
                    if let key = customer.externalKey,
                       let holder = try await engine.holder(of: UniqueKey(namespace: "external-key:\(keySystem)", key: key)) {
                        guard holder.category == Customer.category, let id = UUID(text: String(holder.rawValue.dropFirst(Customer.category.count + 1))) else {
                            throw RowProblem("external_key", "the key belongs to a record that is no customer")
                        }
                        if let named = customer.id, named != id { throw RowProblem("external_key", "the key belongs to another customer than the row's id") }
                        if existing == nil { existing = (id, try await fold(Customer.self, holder, store: engine.store, registry: registry)) }
                    }
                    // A row naming a customer updates it: its empty cells (name and group too) change nothing.
                    // A new customer needs a name and a group.
                    guard let groupName = customer.group ?? existing?.state.group else { throw RowProblem("group", "is required for a new customer") }
                    if existing == nil && customer.name == nil { throw RowProblem("name", "is required for a new customer") }
                    customer.group = groupName
                    if forms[groupName] == nil {
                        let state = try await fold(CustomerForm.self, CustomerForm.stream(group: groupName), store: engine.store, registry: registry)
                        forms[groupName] = state.definition ?? .empty(group: groupName)
                    }
                    let form = forms[groupName] ?? .empty(group: groupName)
                    try typeCustomCells(&customer, form: form, known: known)
                    // A field hidden from the acting employee (in the row's form or the customer's) is refused
                    // before anything is compared, as the engine refuses it: "unchanged" must not tell its value.
                    let groups = [groupName] + (existing.map { [$0.state.group] } ?? [])
                    // Judged on the customer where it is and where the row puts it (empty cells keep what it has).
                    let now = existing?.state
                    let target = RecordScope(branch: customer.branch ?? now?.branch, community: customer.community ?? now?.community,
                                             group: groupName, owners: (customer.owner ?? now?.owner).map { [$0] } ?? [])
                    let seen = now.map { principal.fieldVisibility(on: $0.recordScope) }.map { $0.combined(with: principal.fieldVisibility(on: target)) }
                        ?? principal.fieldVisibility(on: target)
                    if let hidden = customer.customFields.keys.sorted().first(where: { field in groups.contains { !seen.canSee(formGroup: $0, field: field) } }) {
                        throw RowProblem(hidden, "the field is hidden from you")
                    }
                    // A new customer's group, or a changed one, must be known; an existing customer keeps its own.
                    try known.validate(groupName, unlessUnchangedFrom: existing?.state.group)
                    // Each command is judged as the engine will judge it when writing — the token's employee's
                    // permissions over where the customer is or goes, the domain's rules, the named employees,
                    // the keys — writing nothing (``CRMEngine/dryRun(_:id:_:as:)``).
                    if let (id, state) = existing {
                        // The values a new group's form lacks are cleared as the employee sees the customer: one
                        // hidden from them is the domain's to drop, and naming it would tell that it holds a value.
                        let edit = customer.edit(from: state.visible(to: principal), form: form)
                        if edit.isEmpty {
                            // "Unchanged" only of a customer the employee may see: else it would tell what it holds.
                            try await requireVisible(id, engine: engine, principal: principal)
                            plans.append((row.line, .unchanged))
                        } else {
                            try await engine.dryRun(Customer.self, id: id, .edit(edit, form: form), as: principal)
                            plans.append((row.line, .update(id, edit, form)))
                        }
                    } else {
                        let id = customer.id ?? engine.configuration.ids.next()
                        let new = customer.newCustomer(keySystem: keySystem)
                        try await engine.dryRun(Customer.self, id: id, .create(customerID: id, new, form: form), as: principal)
                        plans.append((row.line, .create(id, new, form)))
                    }
                } catch let error as DomainError {
                    summary.problems.append(Problem(line: row.line, problem: RowProblem(error.field, error.detail)))
                } catch let problem as RowProblem {
                    summary.problems.append(Problem(line: row.line, problem: problem))
                } catch let error as EngineError where error.code != .unavailable && error.code != .contention {
                    // What the engine would refuse when writing the row: a permission (`create in customers is not
                    // allowed here`), a customer the employee may not see, an owner who is no active employee, a key.
                    summary.problems.append(Problem(line: row.line, problem: Self.problem(error)))
                }
            }
        }
        summary.problems.sort { $0.line < $1.line }
        if dryRun {
            // What the import would do, counted from the checked rows.
            for (_, plan) in plans {
                switch plan {
                case .unchanged: summary.unchanged += 1
                case .create: summary.created += 1
                case .update: summary.updated += 1
                }
            }
            return summary
        }
        if !summary.problems.isEmpty && !skipInvalid { return summary }

        summary.wrote = true
        let progress = ProgressPrinter("import", total: plans.count, unit: "rows")
        var done = 0
        var pending = plans[...]
        try await withThrowingTaskGroup(of: (Int, Plan, RowProblem?).self) { tasks in
            func next() {
                guard let (line, plan) = pending.popFirst() else { return }
                tasks.addTask {
                    do {
                        switch (plan, remote) {
                        case (.unchanged, _): break
                        case (.create(let id, let new, _), let remote?):
                            try await remote.post("v1/customers", try Self.json(new, id: id))
                        case (.update(let id, let edit, _), let remote?):
                            try await remote.post("v1/customers/" + id.lowercasedString, try Self.json(edit), method: "PATCH")
                        case (.create(let id, let new, let form), nil):
                            try await engine.execute(Customer.self, id: id, .create(customerID: id, new, form: form), as: principal)
                        case (.update(let id, let edit, let form), nil):
                            try await engine.execute(Customer.self, id: id, .edit(edit, form: form), as: principal)
                        }
                        return (line, plan, nil)
                    } catch let error as EngineError {
                        return (line, plan, RowProblem(error.field, "\(error.code): \(error.message)"))
                    } catch let error as CLIError where error.exit == .refused || error.exit == .notFound {
                        return (line, plan, RowProblem(nil, error.message))
                    } catch let problem as RowProblem {
                        return (line, plan, problem)
                    }
                }
            }
            // Through a server without --skip-invalid, one row at a time in file order: a refusal then stops
            // the import with no later row sent (the server's store may have changed since the check, so a
            // refusal there is to be expected). Otherwise (the engine here judged every row on the store it
            // writes, or --skip-invalid goes on past a refusal anyway) up to 16 rows are in flight.
            for _ in 0..<(remote != nil && !skipInvalid ? 1 : 16) { next() }
            while let (line, plan, problem) = try await tasks.next() {
                if let problem {
                    summary.problems.append(Problem(line: line, problem: problem))
                    // Without --skip-invalid a refusal stops the import at once: no further row is sent; those
                    // already sent are awaited and listed with what they did.
                    if !skipInvalid {
                        summary.stoppedAt = min(summary.stoppedAt ?? line, line)
                        pending.removeAll()
                    }
                } else {
                    switch plan {
                    case .unchanged: summary.unchanged += 1
                    case .create(let id, _, _):
                        summary.created += 1
                        summary.written.append(Written(line: line, action: "created", id: id))
                    case .update(let id, _, _):
                        summary.updated += 1
                        summary.written.append(Written(line: line, action: "updated", id: id))
                    }
                }
                done += 1
                if plans.count >= 500 { progress.update(done) }
                next()
            }
        }
        if plans.count >= 1000 { progress.finish(done) }
        summary.problems.sort { $0.line < $1.line }
        summary.written.sort { $0.line < $1.line }
        return summary
    }

    /// A row the engine refuses, as its problem: a key held by another record names the row's key column.
    static func problem(_ error: EngineError) -> RowProblem {
        switch error.code {
        case .keyTaken: return RowProblem("external_key", "is held by another record")
        case .notFound: return RowProblem(error.field, "no customer you may see has this id or key")
        case .forbidden: return RowProblem(error.field, "not allowed: \(error.message)")
        default: return RowProblem(error.field, error.message)
        }
    }

    /// Refuses an unchanged row of a customer the principal may not see (not found) — as an edit would be
    /// refused —, so the import tells nothing of a customer beyond the employee's reach.
    private func requireVisible(_ id: UUID, engine: CRMEngine, principal: Principal) async throws {
        guard !principal.isSystem else { return }
        do {
            try await engine.dryRun(Customer.self, id: id, .edit(CustomerEdit(), form: .empty(group: "")), as: principal)
        } catch let error as EngineError where error.code != .notFound && error.code != .unavailable {
            // Anything else an empty edit meets (an archived customer, edit rights) changes nothing of an unchanged row.
        }
    }

    /// A new customer as the body of `POST /v1/customers`.
    static func json(_ new: NewCustomer, id: UUID) throws -> [String: Any] {
        var body: [String: Any] = ["id": id.lowercasedString, "kind": new.kind.rawValue, "name": new.name, "group": new.group, "status": new.status.rawValue]
        body["industry"] = new.industry
        body["branch"] = new.branch
        body["community"] = new.community
        body["owner"] = new.owner
        body["birthday"] = new.birthday?.description
        body["founded"] = new.founded?.description
        if !new.customFields.isEmpty { body["customFields"] = new.customFields.mapValues(json) }
        if !new.externalKeys.isEmpty { body["externalKeys"] = new.externalKeys.map { ["system": $0.system, "key": $0.key] } }
        return body
    }

    /// An edit as the body of `PATCH /v1/customers/{id}` (null clears).
    static func json(_ edit: CustomerEdit) throws -> [String: Any] {
        var body: [String: Any] = [:]
        body["name"] = edit.name
        body["group"] = edit.group
        func patch<V>(_ key: String, _ value: ProfilePatch<V>, _ text: (V) -> String) {
            switch value {
            case .keep: break
            case .set(let v): body[key] = text(v)
            case .clear: body[key] = NSNull()
            }
        }
        patch("industry", edit.industry) { $0 }
        patch("branch", edit.branch) { $0 }
        patch("community", edit.community) { $0 }
        patch("owner", edit.owner) { $0 }
        patch("birthday", edit.birthday) { $0.description }
        patch("founded", edit.founded) { $0.description }
        var fields: [String: Any] = edit.setCustomFields.mapValues(json)
        for key in edit.clearCustomFields { fields[key] = NSNull() }
        if !fields.isEmpty { body["customFields"] = fields }
        return body
    }

    /// A custom field's value as the HTTP API takes it.
    static func json(_ value: FieldValue) -> [String: Any] {
        switch value {
        case .text(let t): return ["kind": "text", "value": t]
        case .option(let t): return ["kind": "option", "value": t]
        case .bool(let b): return ["kind": "bool", "value": b]
        case .number(let n): return ["kind": "number", "value": NSDecimalNumber(decimal: n)]
        case .date(let d): return ["kind": "date", "value": d.description]
        case .money(let m): return ["kind": "money", "value": ["amount": NSDecimalNumber(decimal: m.amount), "currency": m.currency.rawValue] as [String: Any]]
        case .id(let id): return ["kind": "id", "value": id.lowercasedString]
        case .list(let items): return ["kind": "list", "value": items]
        }
    }

    enum Plan: Sendable {
        case unchanged
        case create(UUID, NewCustomer, FormDefinition)
        case update(UUID, CustomerEdit, FormDefinition)
    }

    /// Where each column goes; unknown columns are an error unless ignored explicitly. A column without a
    /// header is ignored while its cells are empty (a trailing comma); one whose cells hold data (`holdsData`,
    /// by position) is an unknown column, named by its position.
    private func resolveHeader(_ header: [String], renames: [String: String], forms: [FormDefinition],
                               holdsData: (Int) -> Bool) throws -> [ColumnTarget] {
        let ignored = Set(ignoreColumns.map(normalizedHeader))
        var targets: [ColumnTarget] = []
        var unknown: [String] = []
        var nameless = false
        let fields = forms.flatMap(\.fields)
        for (position, column) in header.enumerated() {
            let renamed = renames[normalizedHeader(column)] ?? column
            let key = normalizedHeader(renamed)
            if renamed == "-" || ignored.contains(normalizedHeader(column)) {
                targets.append(.ignored)
            } else if key.isEmpty {
                if ignoreUnknownColumns || !holdsData(position) {
                    targets.append(.ignored)
                } else {
                    unknown.append("column \(position + 1) (no header, but cells with data)")  // said by position: it has no name
                    nameless = true
                    targets.append(.ignored)
                }
            } else if let profile = ProfileColumn.allCases.first(where: { $0.spellings.contains(renamed) }) {
                // A column spelled exactly as a profile field or a custom field's key (as an export writes them)
                // is that field; only then are case, width, spaces and labels ignored.
                targets.append(.profile(profile))
            } else if let field = fields.first(where: { $0.name == renamed }) {
                targets.append(.custom(field.name))
            } else if let profile = ProfileColumn.allCases.first(where: { $0.spellings.contains(key) }) {
                targets.append(.profile(profile))
            } else {
                let folded = FieldDefinition.comparisonKey(renamed)
                let matches = Set(fields.filter { FieldDefinition.comparisonKey($0.name) == folded || FieldDefinition.comparisonKey($0.label) == folded }.map(\.name))
                if matches.count == 1, let name = matches.first {
                    targets.append(.custom(name))
                } else if matches.count > 1 {
                    throw CLIError("column `\(column)` matches several fields: \(matches.sorted().joined(separator: ", "))",
                                   hint: "name the field exactly (its key), rename the column with --map FILE, or ignore it with --ignore-column", exit: .usage)
                } else if ignoreUnknownColumns {
                    targets.append(.ignored)
                } else {
                    unknown.append("`\(column)`")
                    targets.append(.ignored)
                }
            }
        }
        if !unknown.isEmpty {
            throw CLIError("unknown column(s): \(unknown.joined(separator: ", "))",
                           hint: nameless
                               ? "give a column without a header one (a field's name), or ignore the unknown columns with --ignore-unknown-columns"
                               : "rename them with --map FILE, ignore them with --ignore-column NAME or --ignore-unknown-columns", exit: .usage)
        }
        var seen: Set<ColumnTarget> = []
        for target in targets where target != .ignored {
            guard seen.insert(target).inserted else { throw CLIError("two columns fill the same field `\(target)`", hint: "ignore one with --ignore-column", exit: .usage) }
        }
        return targets
    }

    /// A CSV row read into a customer (its custom cells still as text), or the first problem found.
    private func read(_ row: CSVTable.Row, targets: [ColumnTarget]) -> Result<CustomerRow, RowProblem> {
        var cells: [ColumnTarget: String] = [:]
        for (i, target) in targets.enumerated() where target != .ignored && i < row.cells.count {
            let value = row.cells[i].trimmingCharacters(in: .whitespacesAndNewlines)
            if !value.isEmpty { cells[target] = value }
        }
        if row.cells.count > targets.count, row.cells[targets.count...].contains(where: { !$0.isEmpty }) {
            return .failure(RowProblem(nil, "has \(row.cells.count) cells but the header \(targets.count)"))
        }
        var customer = CustomerRow(line: row.line, name: cells[.profile(.name)], group: group ?? cells[.profile(.group)])
        if let text = cells[.profile(.kind)] {
            guard let kind = CustomerKind(rawValue: text.lowercased()) else { return .failure(RowProblem("kind", "must be person or organisation")) }
            customer.kind = kind
        }
        if let text = cells[.profile(.status)] {
            guard let status = CustomerStatus(rawValue: text.lowercased()) else { return .failure(RowProblem("status", "must be prospect or active")) }
            customer.status = status
        }
        customer.industry = cells[.profile(.industry)]
        customer.branch = cells[.profile(.branch)]
        customer.community = cells[.profile(.community)]
        // An employee id in upper case names the same owner as the engine records it: compared as recorded.
        customer.owner = cells[.profile(.owner)].map { Employee.canonicalID($0) }
        customer.externalKey = cells[.profile(.externalKey)]
        if let text = cells[.profile(.id)] {
            guard let id = UUID(text: text) else { return .failure(RowProblem("id", "is not a customer id")) }
            customer.id = id
        }
        for (column, field) in [(ProfileColumn.birthday, "birthday"), (.founded, "founded")] {
            guard let text = cells[.profile(column)] else { continue }
            guard let date = LocalDate(text) else { return .failure(RowProblem(field, "is not a date (YYYY-MM-DD)")) }
            if column == .birthday { customer.birthday = date } else { customer.founded = date }
        }
        for case (.custom(let fieldName), let text) in cells { customer.customCells[fieldName] = text }
        return .success(customer)
    }

    /// Types a row's custom cells by the fields of `form` (its group's, once known).
    private func typeCustomCells(_ customer: inout CustomerRow, form: FormDefinition, known: CustomerGroups) throws {
        for (fieldName, text) in customer.customCells.sorted(by: { $0.key < $1.key }) {
            guard let field = form.field(fieldName) else {
                // An unknown group has no form: its name is what is wrong (a typo), not the column.
                do { try known.validate(form.group) } catch { throw RowProblem(error.field, error.detail) }
                throw RowProblem(fieldName, "is not a field of the form of group `\(form.group)`")
            }
            switch fieldValue(text, for: field) {
            case .success(let value): customer.customFields[field.name] = value
            case .failure(let problem): throw problem
            }
        }
    }

    /// `header = field` lines; `#` starts a comment; `-` as the field ignores the column.
    private func readMap(_ path: String) throws -> [String: String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw CLIError("cannot read the map file \(path)", hint: "give a UTF-8 file of `CSV header = field` lines", exit: .usage)
        }
        var renames: [String: String] = [:]
        for (number, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let content = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            if content.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            let parts = content.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw CLIError("line \(number + 1) of \(path) is not `CSV header = field`", exit: .usage)
            }
            renames[normalizedHeader(parts[0])] = parts[1]
        }
        return renames
    }
}

/// The state a record's stream leaves it in.
func fold<A: Aggregate>(_ type: A.Type, _ stream: StreamID, store: any EventStore, registry: PayloadRegistry) async throws -> A.State {
    var state = A.initialState
    for event in try await store.readStream(stream) {
        let payload = try event.payload.withUnsafeBytes { try registry.decode(event.type, schemaVersion: event.schemaVersion, from: $0) }
        if let domainEvent = A.Event(payload: payload) { state = A.evolve(state, domainEvent) }
    }
    return state
}
