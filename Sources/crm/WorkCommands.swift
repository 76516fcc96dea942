import ArgumentParser
import CRMDomain
import CRMEngine
import EventSourcing
import Foundation

/// `crm task dispatch|complete|reassign|reschedule|edit|list`.
struct TaskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "task", abstract: "Dispatch, complete, reassign, reschedule, edit and list tasks.",
        subcommands: [Dispatch.self, Complete.self, Reassign.self, Reschedule.self, Edit.self, List.self])

    struct Dispatch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Dispatch a task to an employee (writes).")
        @OptionGroup var store: StoreOptions
        @Option(help: "The title.") var title: String
        @Option(help: "The assignee's employee id.") var assignee: String
        @Option(help: "When it is due (ISO 8601 with a time and a zone, e.g. 2026-03-01T17:00:00Z).") var due: String
        @Option(help: "followUp, reminder, supportRequest, visit or other.") var kind = "followUp"
        @Option(help: "The customer's id.") var customer: String?
        @Option(help: "A note.") var note: String?

        func run() async throws {
            try await reporting(data: store.data) {
                let dueAt = try parseInstant(due, "--due")
                guard let kind = WorkTask.Kind(rawValue: kind) else {
                    throw malformed("--kind", "not a kind of task", hint: "one of: " + WorkTask.Kind.allCases.map(\.rawValue).joined(separator: ", "))
                }
                let customerID = try customer.map { try parseID($0, "--customer", "customer") }
                if let remote = try store.remote() {
                    let id = newRecordID().lowercasedString
                    var body: [String: Any] = ["id": id, "title": title, "assignee": assignee, "kind": kind.rawValue, "dueAt": iso(dueAt)]
                    body["note"] = note
                    body["customerId"] = customerID?.lowercasedString
                    try await remote.post("v1/tasks", body)
                    if store.json { out(jsonLine(["id": id])) } else { out("Dispatched task \(id).") }
                    return
                }
                let id = try await withEngine(store) { engine -> UUID in
                    let id = engine.configuration.ids.next()
                    let details = WorkTask.Details(title: title, note: note, customerID: customerID, kind: kind, dueAt: dueAt)
                    try await engine.execute(WorkTask.self, id: id, .dispatch(taskID: id, details: details, assignee: assignee),
                                             as: try await store.principal(engine))
                    return id
                }
                if store.json { out(jsonLine(["id": id.lowercasedString])) } else { out("Dispatched task \(id.lowercasedString).") }
            }
        }
    }

    struct Complete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Complete a task with a result note (writes).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The task's id.") var id: String
        @Option(help: "The result (required).") var result: String

        func run() async throws {
            try await reporting(data: store.data) {
                let taskID = try parseID(id, "<id>", "task")
                let changed: Bool
                if let remote = try store.remote() {
                    changed = recordedEvents(try await remote.post("v1/tasks/\(taskID.lowercasedString)/complete", ["resultNote": result]))
                } else {
                    changed = try await withEngine(store) { engine in
                        !(try await engine.execute(WorkTask.self, id: taskID, .complete(resultNote: result), as: try await store.principal(engine))).events.isEmpty
                    }
                }
                out(changed ? "Completed task \(taskID.lowercasedString)." : "Nothing changed.")
            }
        }
    }

    struct Reassign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Give an open task to another employee, who accepts it anew (writes).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The task's id.") var id: String
        @Option(help: "The new assignee's employee id.") var to: String
        @Option(help: "Why.") var reason: String?

        func run() async throws {
            var body: [String: Any] = ["assignee": to]
            body["reason"] = reason
            try await changeTask(id, store, done: "Reassigned", path: "reassign", body) {
                .reassign(to: to, reason: reason)
            }
        }
    }

    struct Reschedule: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Move an open task's due time (writes).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The task's id.") var id: String
        @Option(help: "When it is due now (ISO 8601 with a time and a zone, e.g. 2026-03-01T17:00:00Z).") var due: String
        @Option(help: "Why.") var reason: String?

        func run() async throws {
            let dueAt: Date
            do { dueAt = try parseInstant(due, "--due") } catch { return try await reporting(data: store.data) { throw error } }
            var body: [String: Any] = ["dueAt": iso(dueAt)]
            body["reason"] = reason
            try await changeTask(id, store, done: "Rescheduled", path: "reschedule", body) {
                .reschedule(dueAt: dueAt, reason: reason)
            }
        }
    }

    struct Edit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set an open task's title and note, as they should stand: without --note, none (writes).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The task's id.") var id: String
        @Option(help: "The title.") var title: String
        @Option(help: "The note (omitted: the task keeps none).") var note: String?

        func run() async throws {
            var body: [String: Any] = ["title": title]
            body["note"] = note
            try await changeTask(id, store, done: "Edited", path: "edit", body) {
                .edit(title: title, note: note)
            }
        }
    }

    /// Sends `command` to the task `id` — over HTTP as `POST v1/tasks/<id>/<path>` with `body`, else on the
    /// store — and says "<done> task <id>." or "Nothing changed."
    private static func changeTask(_ id: String, _ store: StoreOptions, done: String, path: String, _ body: [String: Any],
                                   _ command: @escaping @Sendable () -> WorkTask.Command) async throws {
        try await reporting(data: store.data) {
            let taskID = try parseID(id, "<id>", "task")
            let changed: Bool
            if let remote = try store.remote() {
                changed = recordedEvents(try await remote.post("v1/tasks/\(taskID.lowercasedString)/\(path)", body))
            } else {
                changed = try await withEngine(store) { engine in
                    !(try await engine.execute(WorkTask.self, id: taskID, command(), as: try await store.principal(engine))).events.isEmpty
                }
            }
            out(changed ? "\(done) task \(taskID.lowercasedString)." : "Nothing changed.")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List open tasks from the log (read-only).")
        @OptionGroup var store: StoreOptions
        @Option(help: "Only this assignee.") var assignee: String?
        @Option(help: "`today`: only tasks due today in their branch's time zone (settings).") var due: String?
        @Flag(help: "Only open tasks past their due time (now; the same instant in every zone).") var overdue = false
        @Flag(help: "Completed and cancelled tasks too.") var all = false

        func run() async throws {
            try await reporting(data: store.data) {
                if let due, due != "today" { throw CLIError("--due takes `today`", exit: .usage) }
                let now = Date()
                let tasks = try await allStatesWithCalendars(WorkTask.self, store) { task, scope in task.details?.branch ?? scope.branch }.filter { task, calendar in
                    guard task.exists, let details = task.details else { return false }
                    if !all && !task.status.isOpen { return false }
                    if let assignee, !Employee.sameID(task.assignee, assignee) { return false }
                    if overdue && !(task.status.isOpen && details.dueAt < now) { return false }
                    if due != nil && calendar.localDate(of: details.dueAt) != calendar.localDate(of: now) { return false }
                    return true
                }.map(\.state).sorted { ($0.details?.dueAt ?? .distantPast) < ($1.details?.dueAt ?? .distantPast) }
                if store.json {
                    for t in tasks {
                        out(jsonLine(["id": t.taskID?.lowercasedString ?? "", "title": t.details?.title ?? "", "assignee": t.assignee,
                                      "status": t.status.rawValue, "dueAt": t.details.map { iso($0.dueAt) } ?? NSNull(),
                                      "customerID": t.details?.customerID?.lowercasedString ?? NSNull()] as [String: Any]))
                    }
                } else {
                    printTable(["id", "due", "status", "assignee", "title"], tasks.map {
                        [$0.taskID?.lowercasedString ?? "", $0.details.map { iso($0.dueAt) } ?? "", $0.status.rawValue, $0.assignee, $0.details?.title ?? ""]
                    })
                }
            }
        }
    }
}

/// `crm ticket open|assign|start|handover|severity|resolve|close|reopen|list`.
struct TicketCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ticket", abstract: "Open, assign, resolve, close, reopen and list service tickets.",
        subcommands: [Open.self, Assign.self, Start.self, Handover.self, Severity.self, Resolve.self, Close.self, Reopen.self, List.self])

    struct Open: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Open a ticket for a customer; its SLA comes from the settings (writes).")
        @OptionGroup var store: StoreOptions
        @Option(help: "The customer's id.") var customer: String
        @Option(help: "The subject.") var subject: String
        @Option(help: "The department handling it.") var department: String
        @Option(help: "faultRepair, billingQuery, complaint, consultation, praise or suggestion.") var kind = "consultation"
        @Option(help: "low, normal, high or critical.") var severity = "normal"
        @Option(help: "callCenter, web, email, walkIn, phone, visit, letter or chat.") var channel = "phone"
        @Option(help: "A description.") var description: String?

        func run() async throws {
            try await reporting(data: store.data) {
                let customerID = try parseID(customer, "--customer", "customer")
                guard let kind = TicketKind(rawValue: kind), let severity = TicketSeverity(rawValue: severity), let channel = ContactChannel(rawValue: channel) else {
                    throw CLIError("unknown --kind, --severity or --channel", hint: "see `crm ticket open --help`", exit: .usage)
                }
                if let remote = try store.remote() {
                    let id = newRecordID().lowercasedString
                    var body: [String: Any] = ["id": id, "channel": channel.rawValue, "kind": kind.rawValue, "severity": severity.rawValue,
                                               "customerId": customerID.lowercasedString, "subject": subject, "department": department]
                    body["description"] = description
                    try await remote.post("v1/tickets", body)
                    if store.json { out(jsonLine(["id": id])) } else { out("Opened ticket \(id).") }
                    return
                }
                let id = try await withEngine(store) { engine -> UUID in
                    let id = engine.configuration.ids.next()
                    try await engine.execute(Ticket.self, id: id, .open(id: id, channel: channel, kind: kind, severity: severity, customerID: customerID,
                                                                        subject: subject, description: description, department: department, sla: nil),
                                             as: try await store.principal(engine))
                    return id
                }
                if store.json { out(jsonLine(["id": id.lowercasedString])) } else { out("Opened ticket \(id.lowercasedString).") }
            }
        }
    }

    struct Assign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Give a ticket to an employee (writes).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The ticket's id.") var id: String
        @Option(help: "The assignee's employee id.") var to: String

        func run() async throws {
            try await changeTicket(id, store, "assign", ["assignee": to], .assign(assignee: to), done: "Assigned ticket")
        }
    }

    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start work on an open or assigned ticket (writes).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The ticket's id.") var id: String

        func run() async throws {
            try await changeTicket(id, store, "start", [:], .startWork, done: "Started work on ticket")
        }
    }

    struct Handover: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Hand an unresolved ticket to another department, open and unassigned there (writes).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The ticket's id.") var id: String
        @Option(help: "The department taking it over.") var department: String
        @Option(help: "Why it is handed over.") var reason: String?

        func run() async throws {
            var body: [String: Any] = ["department": department]
            body["reason"] = reason
            try await changeTicket(id, store, "handover", body, .handOver(toDepartment: department, reason: reason), done: "Handed over ticket")
        }
    }

    struct Severity: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Raise or lower an unresolved ticket's severity; its SLA deadlines follow the settings (writes).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The ticket's id.") var id: String
        @Option(help: "low, normal, high or critical.") var severity: String
        @Option(help: "Why it changes.") var reason: String?

        func run() async throws {
            guard let level = TicketSeverity(rawValue: severity) else {
                throw report(malformed("--severity", "not a severity", hint: "low, normal, high or critical"))
            }
            var body: [String: Any] = ["severity": level.rawValue]
            body["reason"] = reason
            try await changeTicket(id, store, "severity", body, .changeSeverity(to: level, sla: nil, reason: reason), done: "Changed the severity of ticket")
        }
    }

    struct Resolve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resolve a ticket in progress (`crm ticket start` first; writes).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The ticket's id.") var id: String
        @Option(help: "The resolution.") var resolution: String

        func run() async throws {
            try await changeTicket(id, store, "resolve", ["resolution": resolution], .resolve(resolution: resolution), done: "Resolved ticket")
        }
    }

    struct Close: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Close a resolved ticket with the customer's satisfaction rating (writes).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The ticket's id.") var id: String
        @Option(help: "The customer's satisfaction, 1 (worst) to 5 (best).") var satisfaction: Int
        @Option(help: "The customer's comment.") var comment: String?

        func run() async throws {
            var body: [String: Any] = ["satisfaction": satisfaction]
            body["comment"] = comment
            try await changeTicket(id, store, "close", body, .close(satisfaction: satisfaction, comment: comment), done: "Closed ticket")
        }
    }

    struct Reopen: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reopen a resolved or closed ticket (writes).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The ticket's id.") var id: String
        @Option(help: "Why it is reopened.") var reason: String

        func run() async throws {
            try await changeTicket(id, store, "reopen", ["reason": reason], .reopen(reason: reason), done: "Reopened ticket")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List unresolved tickets from the log (read-only).")
        @OptionGroup var store: StoreOptions
        @Option(help: "Only this department.") var department: String?
        @Flag(help: "Only tickets past their resolution deadline.") var overdue = false
        @Flag(help: "Resolved and closed tickets too.") var all = false

        func run() async throws {
            try await reporting(data: store.data) {
                let now = Date()
                let tickets = try await allStates(Ticket.self, store).filter { t in
                    guard t.exists else { return false }
                    let unresolved = t.status != .resolved && t.status != .closed
                    if !all && !unresolved { return false }
                    if let department, t.department != department { return false }
                    if overdue && !(unresolved && t.resolutionDueAt < now) { return false }
                    return true
                }.sorted { $0.resolutionDueAt < $1.resolutionDueAt }
                if store.json {
                    for t in tickets {
                        out(jsonLine(["id": t.id?.lowercasedString ?? "", "subject": t.subject, "status": t.status.rawValue, "severity": t.severity.rawValue,
                                      "department": t.department, "assignee": t.assignee ?? NSNull(), "resolutionDueAt": iso(t.resolutionDueAt)] as [String: Any]))
                    }
                } else {
                    printTable(["id", "resolve by", "status", "severity", "department", "assignee", "subject"], tickets.map {
                        [$0.id?.lowercasedString ?? "", iso($0.resolutionDueAt), $0.status.rawValue, $0.severity.rawValue, $0.department, $0.assignee ?? "-", $0.subject]
                    })
                }
            }
        }
    }
}

/// Sends `command` to the ticket `id`: through the server's `POST /v1/tickets/{id}/<action>` with `body`
/// when `--server` is given, else through the engine as the acting principal; prints as
/// ``changeRecord(_:_:resource:_:_:body:command:done:part:)`` does.
func changeTicket(_ id: String, _ store: StoreOptions, _ action: String, _ body: [String: Any], _ command: Ticket.Command, done: String) async throws {
    try await reporting(data: store.data) {
        let ticketID = try parseID(id, "<id>", "ticket")
        try await changeRecord(Ticket.self, ticketID, resource: "tickets", store, action, body: body, command: command, done: done)
    }
}
