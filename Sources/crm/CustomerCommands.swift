import ArgumentParser
import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import Foundation

/// `crm customer add|edit|show|list`, the lifecycle (`activate|archive|restore|suspend|resume|transfer|merge`,
/// CustomerLifecycleCommands.swift), `appointment …`, `installation …` and `key set|remove`.
struct CustomerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "customer", abstract: "Add, edit, show and list customers; change their status, appointments, installations and external keys.",
        subcommands: [Add.self, Edit.self, ShowOne.self, List.self, Activate.self, Archive.self, Restore.self, Suspend.self, Resume.self,
                      Transfer.self, Merge.self, AppointmentCommand.self, InstallationCommand.self, ExternalKeyCommand.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a customer (writes: no server may hold the store).")
        @OptionGroup var store: StoreOptions
        @Option(help: "The name.") var name: String
        @Option(help: "The customer group (selects the form).") var group: String
        @Option(help: "person or organisation.") var kind = "person"
        @Option(help: "The branch.") var branch: String?
        @Option(help: "The industry.") var industry: String?
        @Option(help: "The community (territory).") var community: String?
        @Option(help: "The account manager's employee id.") var owner: String?
        @Option(help: "An external key as SYSTEM:KEY (repeatable).") var externalKey: [String] = []
        @Option(help: "A person's birthday, YYYY-MM-DD.") var birthday: String?
        @Option(help: "An organisation's founding date, YYYY-MM-DD.") var founded: String?
        @Option(name: .customLong("field"), help: "A custom field of the group's form as NAME=VALUE (repeatable), e.g. --field meterType=gas.")
        var fields: [String] = []

        func run() async throws {
            try await reporting(data: store.data) {
                guard let kind = CustomerKind(rawValue: kind) else {
                    throw CLIError("--kind must be person or organisation", hint: "pass --kind person or --kind organisation", exit: .usage)
                }
                let (birthday, founded) = (try dayOption(birthday, "--birthday"), try dayOption(founded, "--founded"))
                let keys = try externalKey.map { text -> ExternalKey in
                    let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
                    guard parts.count == 2 else { throw CLIError("`--external-key` needs SYSTEM:KEY", exit: .usage) }
                    return ExternalKey(system: parts[0], key: parts[1])
                }
                if let remote = try store.remote() {
                    // The form is read on the read-only engine beside the server (--data), as an import does; without
                    // --field nothing local is opened.
                    let custom = fields.isEmpty ? [:] : try await withReadEngine(store) { engine, _ in
                        try await customValues(fields, group: group, engine: engine)
                    }
                    let id = newRecordID().lowercasedString
                    var body: [String: Any] = ["id": id, "name": name, "group": group, "kind": kind.rawValue]
                    if !custom.isEmpty { body["customFields"] = custom.mapValues(ImportCustomers.json) }
                    body["branch"] = branch
                    body["industry"] = industry
                    body["community"] = community
                    body["owner"] = owner
                    body["birthday"] = birthday?.description
                    body["founded"] = founded?.description
                    if !keys.isEmpty { body["externalKeys"] = keys.map { ["system": $0.system, "key": $0.key] } }
                    try await remote.post("v1/customers", body)
                    if store.json { out(jsonLine(["id": id])) } else { out("Added customer \(id).") }
                    return
                }
                let id = try await withEngine(store) { engine -> UUID in
                    let id = engine.configuration.ids.next()
                    let new = NewCustomer(kind: kind, name: name, group: group, industry: industry, branch: branch, community: community,
                                          owner: owner, birthday: birthday, founded: founded,
                                          customFields: try await customValues(fields, group: group, engine: engine), externalKeys: keys)
                    try await engine.execute(Customer.self, id: id, .create(customerID: id, new, form: .empty(group: group)),
                                             as: try await store.principal(engine))
                    return id
                }
                if store.json { out(jsonLine(["id": id.lowercasedString])) } else { out("Added customer \(id.lowercasedString).") }
            }
        }
    }

    struct Edit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Edit a customer's profile; only the options given change (writes).",
            discussion: """
                A new --group moves the customer to that group's form: the custom values it holds that the new form has \
                no field for are cleared (their history stays in the log) and listed; the new form's required fields need \
                --field NAME=VALUE. --field NAME= (no value) clears a field.
                """)
        @OptionGroup var store: StoreOptions
        @Argument(help: "The customer's id.") var id: String
        @Option(help: "A new name.") var name: String?
        @Option(help: "A new group.") var group: String?
        @Option(help: "A new branch.") var branch: String?
        @Option(help: "A new industry.") var industry: String?
        @Option(help: "A new community.") var community: String?
        @Option(help: "A new account manager (employee id).") var owner: String?
        @Option(help: "A person's birthday, YYYY-MM-DD.") var birthday: String?
        @Option(help: "An organisation's founding date, YYYY-MM-DD.") var founded: String?
        @Option(name: .customLong("field"), help: "A custom field of the (new) group's form as NAME=VALUE (repeatable); NAME= clears it.")
        var fields: [String] = []

        func run() async throws {
            try await reporting(data: store.data) {
                let customerID = try parseID(id, "<id>", "customer")
                var profile = CustomerEdit(name: name, group: group)
                if let branch { profile.branch = .set(branch) }
                if let industry { profile.industry = .set(industry) }
                if let community { profile.community = .set(community) }
                if let owner { profile.owner = .set(owner) }
                if let day = try dayOption(birthday, "--birthday") { profile.birthday = .set(day) }
                if let day = try dayOption(founded, "--founded") { profile.founded = .set(day) }
                let edit = profile
                /// The custom values to set and clear: `--field`s read by the form of the group the customer has
                /// after the edit, and on a change of group the values that form has no field for (cleared).
                func custom(_ current: Customer.State, engine: CRMEngine) async throws -> (edit: CustomerEdit, dropped: [String]) {
                    var edit = edit
                    let target = group ?? current.group
                    guard !fields.isEmpty || target != current.group else { return (edit, []) }
                    let form = try await groupForm(target, current: current.group, engine: engine)
                    (edit.setCustomFields, edit.clearCustomFields) = try customEdits(fields, form: form)
                    let dropped = target == current.group ? [] : valuesWithoutField(current, in: form, keeping: edit.setCustomFields)
                    edit.clearCustomFields = Array(Set(edit.clearCustomFields + dropped)).sorted()
                    return (edit, dropped)
                }
                func done(_ changed: Bool, dropped: [String]) {
                    guard changed else { return out("Nothing changed.") }
                    out("Edited customer \(customerID.lowercasedString)."
                        + (dropped.isEmpty ? "" : " Cleared the values the new group's form has no field for: \(dropped.joined(separator: ", "))."))
                }
                if let remote = try store.remote() {
                    // The customer and the form are read on the read-only engine beside the server (--data), as an
                    // import does; without --group or --field nothing local is opened.
                    let (edit, dropped) = group == nil && fields.isEmpty ? (edit, []) : try await withReadEngine(store) { engine, principal in
                        try await custom(try await engine.state(Customer.self, id: customerID, as: principal).state, engine: engine)
                    }
                    let body = try ImportCustomers.json(edit)
                    // The server answers the events the edit recorded: none when nothing changed.
                    let answer = try await remote.post("v1/customers/" + customerID.lowercasedString, body, method: "PATCH")
                    done(recordedEvents(answer), dropped: dropped)
                    return
                }
                let (changed, dropped) = try await withEngine(store) { engine -> (Int, [String]) in
                    let principal = try await store.principal(engine)
                    let current = try await engine.state(Customer.self, id: customerID, as: principal).state
                    let (edit, dropped) = try await custom(current, engine: engine)
                    let result = try await engine.execute(Customer.self, id: customerID, .edit(edit, form: .empty(group: group ?? current.group)), as: principal)
                    return (result.events.count, dropped)
                }
                done(changed > 0, dropped: dropped)
            }
        }
    }

    struct ShowOne: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "A customer's profile, now or as of a point (read-only).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The customer's id.") var id: String
        @Option(help: "A log position or a time.") var asOf: String?

        func run() async throws {
            // A malformed id is bad usage (64), as everywhere; a well-formed one no customer has is not found (4).
            var customer = id
            try await reporting(data: store.data) { customer = try parseID(id, "<id>", "customer").lowercasedString }
            let show = try Show.parse(["customer-" + customer, "--data", store.data] + (store.json ? ["--json"] : []) + (store.token.map { ["--token", $0] } ?? [])
                                      + (store.sharedLog.map { ["--store", $0] } ?? []) + (asOf.map { ["--as-of", $0] } ?? []))
            try await show.run()
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List customers from the log (read-only).")
        @OptionGroup var store: StoreOptions
        @Option(help: "Only this group.") var group: String?
        @Option(help: "Only this branch.") var branch: String?
        @Option(help: "Only this community.") var community: String?
        @Option(help: "Only this status: prospect, active, suspended or merged.")
        var status: String?
        @Option(help: "Only this account manager (employee id).") var owner: String?

        func run() async throws {
            try await reporting(data: store.data) {
                var parsedStatus: CustomerStatus?
                if let status {
                    guard let value = CustomerStatus(rawValue: status) else {
                        throw CLIError("--status must be one of " + CustomerStatus.allCases.map(\.rawValue).joined(separator: ", "), exit: .usage)
                    }
                    parsedStatus = value
                }
                // An owner is an employee: a malformed id is bad usage (exit 64), not a filter nothing matches.
                let ownerID = try owner.map { try parseID($0, "--owner", "employee").lowercasedString }
                let filter = CustomerFilter(group: group, branch: branch, community: community, status: parsedStatus, owner: ownerID)
                // Every customer the principal may see, a page at a time (folded from the log, as `show` reads them);
                // merged ones too, marked by their status, as `GET /v1/customers` lists them.
                let customers = try await withReadEngine(store) { engine, principal in
                    var all: [Customer.State] = []
                    var after: UUID?
                    while true {
                        let page = try await engine.records(Customer.self, after: after, limit: 500, as: principal)
                        all += page.map(\.state).filter {
                            $0.exists && filter.matches(group: $0.group, branch: $0.branch, community: $0.community, status: $0.status, owner: $0.owner)
                        }
                        guard page.count == 500, let last = page.last else { break }
                        after = last.id
                    }
                    return all
                }
                if store.json {
                    for c in customers {
                        out(jsonLine(["id": c.id?.lowercasedString ?? "", "name": c.name, "group": c.group, "status": c.status.rawValue,
                                      "branch": c.branch ?? NSNull(), "archived": c.isArchived] as [String: Any]))
                    }
                } else {
                    printTable(["id", "name", "group", "status", "branch"], customers.map {
                        [$0.id?.lowercasedString ?? "", $0.name, $0.group, $0.status.rawValue + ($0.isArchived ? " (archived)" : ""), $0.branch ?? "-"]
                    })
                }
            }
        }
    }
}

/// Every customer folded from the log, in creation order (merged ones left out), as the acting principal
/// may see it (custom fields hidden from it left out); read-only.
func allCustomers(_ options: StoreOptions) async throws -> [Customer.State] {
    try await withReadEngine(options) { engine, principal in
        try await engine.records(Customer.self, as: principal).map(\.state)
    }.filter { $0.exists && $0.status != .merged }
}


/// Every record of aggregate `A` folded from the log, in creation order, that the acting principal may
/// query; read through the read-only engine (beside a server), each record read recorded in the read audit.
func allStates<A: EngineRecord>(_ type: A.Type, _ options: StoreOptions) async throws -> [A.State] {
    try await withReadEngine(options) { engine, principal in
        try await engine.records(A.self, as: principal).map(\.state)
    }
}

/// The same with each record's branch calendar (its time zone from the settings): for "today".
func allStatesWithCalendars<A: EngineRecord>(_ type: A.Type, _ options: StoreOptions, branch: (A.State, RecordScope) -> String?) async throws -> [(state: A.State, calendar: LocalCalendar)] {
    try await withReadEngine(options) { engine, principal in
        var out: [(state: A.State, calendar: LocalCalendar)] = []
        for record in try await engine.records(A.self, as: principal) {
            out.append((record.state, try await engine.calendar(forBranch: branch(record.state, record.scope))))
        }
        return out
    }
}
