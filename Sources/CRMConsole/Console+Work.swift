import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import Foundation
import Hummingbird
import HummingbirdBcrypt

/// The account manager's pages: home (R-TSK-2, R-TSK-3, R-ORG-3), tasks, tickets, the customer list and
/// the account (password).
extension Console {
    /// A signed-in page: `template` rendered with `data` inside the layout, with the pending notice.
    func page(_ visit: Visit, title: String, template: String, _ data: [String: Any], status: HTTPResponse.Status = .ok) async -> Response {
        var data = data
        data["csrf"] = visit.session.csrf
        let body = pages.render(template, data)
        let notice = await sessions.takeNotice(for: visit.session.id)
        return html(pages.layout(title: title, body: body, user: ["csrf": visit.session.csrf], notice: notice), status: status)
    }

    /// After a successful POST: remember the write (notice, position) and go to `location` (post/redirect/get).
    func done(_ visit: Visit, at position: GlobalPosition, notice: String, then location: String) async -> Response {
        await sessions.wrote(at: position, notice: notice, for: visit.session.id)
        return redirect(to: location)
    }

    var now: Date { engine.configuration.clock.now() }

    /// Employee id → name, for the employees the principal may see named (``CRMEngine/employeeNames(as:)``:
    /// everyone for an organisation-wide reader; else their reports and their branches' staff), the
    /// principal themself as "you"; other ids are shown as they are.
    func employeeNames(_ principal: Principal) async -> [String: String] {
        var names = (try? await engine.employeeNames(as: principal)) ?? [:]
        names[principal.id] = "you"
        return names
    }

    /// The calendar of the signed-in employee's branch (UTC for none): the one the engine reads their task
    /// board's "today" in. Read as the engine, since an employee may not be allowed to query the
    /// organisation; only their own branch's time zone is used, nothing is shown.
    func calendar(of principal: Principal) async -> LocalCalendar {
        guard let employeeID = principal.employeeID,
              let organisation = try? await engine.state(Organisation.self, id: UUID(), as: .system),
              let branch = organisation.state.employees[employeeID]?.branch else { return .utc }
        return (try? await engine.calendar(forBranch: branch)) ?? .utc
    }

    /// The calendar of `branch` (a record's: the task's, the customer's), in which that record's times are
    /// shown; the signed-in employee's (``calendar(of:)``) when the record has no branch.
    func calendar(ofBranch branch: String?, else principal: Principal) async -> LocalCalendar {
        if let branch, let calendar = try? await engine.calendar(forBranch: branch) { return calendar }
        return await calendar(of: principal)
    }

    // MARK: Home

    /// Tasks due today, overdue tasks (red, with how late), upcoming reminders and tasks, announcements. Each
    /// task names its customer when the engine's board shows the name to the reader (only to whoever may
    /// query that customer). Announcements whose query fails are said to be so (``cardProblem(_:card:_:)``).
    func home(_ visit: Visit) async throws -> Response {
        let principal = visit.principal
        let board = try await engine.taskBoard(for: principal.id, as: principal, upcomingLimit: 50, consistentWith: visit.session.position)
        // The header's day, the reminders' days and how late tasks are: in the same branch calendar as the lists.
        let calendar = await calendar(of: principal)
        let instant = now
        let overdue: [[String: Any]] = board.overdue.map { item in
            ["id": item.task.taskID.lowercasedString, "title": item.task.title,
             "late": Format.late(due: item.task.dueAt, now: instant, calendar: calendar), "customerName": orFalse(item.task.customerName)]
        }
        let dueToday: [[String: Any]] = board.dueToday.map { task in
            ["id": task.taskID.lowercasedString, "title": task.title, "due": Format.instant(task.dueAt, in: calendar),
             "customerName": orFalse(task.customerName)]
        }
        let reminders: [[String: Any]] = board.upcoming.filter { $0.kind == .reminder }.prefix(20).map { task in
            ["id": task.taskID.lowercasedString, "title": task.title, "kind": "reminder", "due": calendar.localDate(of: task.dueAt).description,
             "customerName": orFalse(task.customerName)]
        }
        let upcoming: [[String: Any]] = board.upcoming.filter { $0.kind != .reminder }.prefix(20).map { task in
            ["id": task.taskID.lowercasedString, "title": task.title, "due": Format.instant(task.dueAt, in: calendar),
             "customerName": orFalse(task.customerName)]
        }
        // A failed query says so (as the supervisor's cards do), never "No announcements."
        var inbox: [AnnouncementInbox.Item] = []
        var announcementsProblem: String?
        do {
            inbox = try await engine.announcements(as: principal, consistentWith: visit.session.position)
        } catch {
            announcementsProblem = cardProblem(error, card: "announcements", visit)
        }
        let announcements: [[String: Any]] = inbox
            .filter { $0.announcement.expiresAt.map { $0 > instant } ?? true }
            .prefix(10).map { item in
                ["title": item.announcement.title, "body": item.announcement.body, "published": calendar.localDate(of: item.announcement.publishedAt).description]
            }
        return await page(visit, title: "Home", template: "home", [
            "today": calendar.localDate(of: instant).description, "overdue": overdue, "dueToday": dueToday, "reminders": reminders, "upcoming": upcoming,
            "announcements": announcements, "announcementsProblem": orFalse(announcementsProblem),
            "announcementsEmpty": announcementsProblem == nil && announcements.isEmpty,
        ])
    }

    /// The "Customer" row of a record's page (a task's, a ticket's) for the record's customer: its name linked
    /// to its page when the signed-in employee may see it; else (a customer beyond their scope, or none the
    /// log holds) only that it is not visible to them — neither a name nor a link (which would be "not found").
    /// `false` (no row) when the record names no customer. `branch`: the visible customer's branch.
    func customerShown(_ customerID: UUID?, _ visit: Visit) async -> (row: Any, branch: String?) {
        guard let customerID else { return (false, nil) }
        guard let view = try? await engine.customer(customerID, as: visit.principal) else {
            let hidden: [String: Any] = ["visible": false]
            return (hidden, nil)
        }
        let shown: [String: Any] = ["visible": true, "id": customerID.lowercasedString, "name": view.profile.name]
        return (shown, view.profile.branch)
    }

    // MARK: Tasks

    func task(_ visit: Visit, id: UUID) async throws -> Response {
        try await taskPage(visit, id: id, draft: nil, error: nil, problem: nil)
    }

    func taskPage(_ visit: Visit, id: UUID, draft: String?, error: String?, problem: String?, status: HTTPResponse.Status = .ok) async throws -> Response {
        let (state, _) = try await engine.state(WorkTask.self, id: id, as: visit.principal)
        guard let details = state.details else { throw ConsoleError.notFound }
        let customer = await customerShown(details.customerID, visit)
        let customerBranch = customer.branch
        let instant = now
        let calendar = await calendar(of: visit.principal)
        let late: Any = state.isOverdue(at: instant) ? Format.late(due: details.dueAt, now: instant, calendar: calendar) : false
        // The due time in the task's branch zone (its own branch, else its customer's: as the engine reads its
        // lateness in the overdue list), else the employee's.
        let branch = details.branch ?? customerBranch
        let shown = branch == nil ? calendar : await self.calendar(ofBranch: branch, else: visit.principal)
        return await page(visit, title: details.title, template: "task", [
            "id": id.lowercasedString, "title": details.title, "status": state.status.rawValue, "due": Format.instant(details.dueAt, in: shown),
            "late": late, "kind": details.kind.rawValue, "note": orFalse(details.note),
            "customer": customer.row, "resultNote": orFalse(state.resultNote), "open": state.status.isOpen, "resultDraft": draft ?? "",
            "resultError": orFalse(error), "problem": orFalse(problem),
        ], status: status)
    }

    /// Completes a task with its result note (required); the task leaves the home lists.
    func completeTask(_ visit: Visit, id: UUID) async throws -> Response {
        guard let note = Self.field(visit.form, "result") else {
            return try await taskPage(visit, id: id, draft: nil, error: "A result note is required.", problem: nil, status: .unprocessableContent)
        }
        do {
            let result = try await engine.execute(WorkTask.self, id: id, .complete(resultNote: note), as: visit.principal)
            return await done(visit, at: result.position, notice: "Task completed.", then: base)
        } catch let error as EngineError where error.code == .rejected || error.code == .invalid {
            let message = error.domain?.detail ?? error.message
            if error.field == "resultNote" {
                return try await taskPage(visit, id: id, draft: note, error: message, problem: nil, status: .unprocessableContent)
            }
            return try await taskPage(visit, id: id, draft: note, error: nil, problem: "The task was not completed: \(message)", status: .unprocessableContent)
        }
    }

    // MARK: Tickets

    func ticket(_ visit: Visit, id: UUID) async throws -> Response {
        try await ticketPage(visit, id: id, error: nil, problem: nil)
    }

    /// The page; `visit`'s posted hand-over form (a refused one) is shown again as typed.
    func ticketPage(_ visit: Visit, id: UUID, error: String?, problem: String?, status: HTTPResponse.Status = .ok) async throws -> Response {
        let (state, _) = try await engine.state(Ticket.self, id: id, as: visit.principal)
        guard state.exists else { throw ConsoleError.notFound }
        let isOpen = state.status == .open || state.status == .assigned || state.status == .inProgress
        let instant = now
        let calendar = await calendar(of: visit.principal)
        let late: Any = isOpen && instant > state.resolutionDueAt ? Format.late(due: state.resolutionDueAt, now: instant, calendar: calendar) : false
        let departments = Array(Set(state.stints.map(\.department))).sorted()
        let customer = await customerShown(state.customerID, visit)
        let branch = customer.branch
        // Times in the customer's branch zone (where the engine reads the ticket's month), else the employee's.
        let shown = branch == nil ? calendar : await self.calendar(ofBranch: branch, else: visit.principal)
        let stints: [[String: Any]] = state.stints.map { stint in
            ["department": stint.department, "from": Format.instant(stint.enteredAt, in: shown),
             "until": orFalse(stint.leftAt.map { Format.instant($0, in: shown) })]
        }
        return await page(visit, title: state.subject, template: "ticket", [
            "id": id.lowercasedString, "subject": state.subject, "status": state.status.rawValue, "department": state.department,
            "severity": state.severity.rawValue, "resolutionDue": Format.instant(state.resolutionDueAt, in: shown), "late": late,
            "customer": customer.row, "description": orFalse(state.description),
            "stints": stints, "departments": departments, "open": isOpen, "departmentError": orFalse(error), "problem": orFalse(problem),
            "departmentDraft": visit.form["department"] ?? "", "reasonDraft": visit.form["reason"] ?? "",
        ], status: status)
    }

    /// Hands a ticket to another department (open and unassigned there).
    func handOverTicket(_ visit: Visit, id: UUID) async throws -> Response {
        guard let department = Self.field(visit.form, "department") else {
            return try await ticketPage(visit, id: id, error: "Name the department.", problem: nil, status: .unprocessableContent)
        }
        do {
            let result = try await engine.execute(Ticket.self, id: id, .handOver(toDepartment: department, reason: Self.field(visit.form, "reason")),
                                                  as: visit.principal)
            return await done(visit, at: result.position, notice: "Ticket handed over.", then: base + "/tickets/" + id.lowercasedString)
        } catch let error as EngineError where error.code == .rejected || error.code == .invalid {
            let message = error.domain?.detail ?? error.message
            return try await ticketPage(visit, id: id, error: error.field == "department" || error.field == "toDepartment" ? message : nil,
                                        problem: "The ticket was not handed over: \(message)", status: .unprocessableContent)
        }
    }

    // MARK: Customers

    /// The customers the principal may see, by name, a page at a time. The `after` cursor is checked
    /// (``PageCursor``): a link this console did not write (edited, cut short, of another list) is a 400 page,
    /// never a page from wherever its bytes point. It holds the page's last customer's id, never its name (a
    /// link lands in browser history and proxy logs); the engine finds that customer's place now (a renamed
    /// one: its new name's), and one unknown or no longer visible to the principal is a 400 page alike.
    ///
    /// With `q`, the customers whose name holds every word of it instead (the engine's keyword search,
    /// R-ANA-6, as the principal: only customers they may query), best match first, at most 50.
    func customers(_ visit: Visit) async throws -> Response {
        let q = visit.query["q"]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if !q.isEmpty { return try await customerSearch(visit, q) }
        let after: UUID?
        do {
            after = try PageCursor.id(visit.query["after"], list: Self.customerList)
        } catch {
            throw ConsoleError.badRequest("This page link is not valid (it may have been changed or cut short). Open the customer list again from its first page.")
        }
        let page: Customer360Projection.Page
        do {
            page = try await engine.customers(as: visit.principal, after: after, limit: 50)
        } catch let error as EngineError where error.code == .invalid && error.field == "after" {
            throw ConsoleError.badRequest("This page link leads on from a customer no longer in your list. Open the customer list again from its first page.")
        }
        let items: [[String: Any]] = page.items.map { item in
            ["id": item.id.lowercasedString, "name": item.name, "group": item.group, "branch": orFalse(item.scope.branch),
             "status": item.status.rawValue]
        }
        let next: Any = page.items.count == 50 ? orFalse(page.items.last.map { PageCursor.text(id: $0.id, list: Self.customerList) }) : false
        return await self.page(visit, title: "Customers", template: "customers", ["customers": items, "next": next])
    }

    /// The customers the keyword search finds for `q` (1 to 200 characters, as the API's `/v1/search`
    /// takes), at most 50; the search's other kinds of records are left out.
    func customerSearch(_ visit: Visit, _ q: String) async throws -> Response {
        guard q.count <= 200 else { throw ConsoleError.badRequest("Search for at most 200 characters.") }
        let hits = try await engine.search(q, as: visit.principal, limit: 200).filter { $0.kind == .customer }.prefix(50)
        let items: [[String: Any]] = hits.map { hit in
            ["id": hit.id.lowercasedString, "name": hit.title, "group": hit.scope.group ?? "", "branch": orFalse(hit.scope.branch),
             "status": false]
        }
        return await page(visit, title: "Customers", template: "customers", [
            "customers": items, "next": false, "q": q, "searched": true,
        ])
    }

    /// The name the console's customer-list cursors are bound to (``PageCursor``).
    static let customerList = "console/customers"

    // MARK: Account

    func account(_ visit: Visit) async throws -> Response {
        try await accountPage(visit, error: nil)
    }

    func accountPage(_ visit: Visit, error: String?, status: HTTPResponse.Status = .ok) async throws -> Response {
        guard let employeeID = visit.principal.employeeID else { throw ConsoleError.notFound }
        return await page(visit, title: "Account", template: "account", [
            "employeeID": employeeID.lowercasedString, "hasPassword": try await engine.hasPassword(employeeID: employeeID),
            "passwordError": orFalse(error),
        ], status: status)
    }

    /// What a password must be: bcrypt reads at most 72 bytes of UTF-8, fewer characters in most scripts.
    static let passwordRule = "Use at least 10 characters and at most 72 bytes (72 Latin letters, fewer in other scripts)."

    /// Sets the signed-in employee's password: only its bcrypt hash reaches the engine (and the log).
    func setPassword(_ visit: Visit) async throws -> Response {
        guard let employeeID = visit.principal.employeeID else { throw ConsoleError.notFound }
        let password = visit.form["password"] ?? ""
        guard password.count >= 10, password.utf8.count <= 72 else {
            return try await accountPage(visit, error: Self.passwordRule, status: .unprocessableContent)
        }
        guard password == visit.form["repeat"] else {
            return try await accountPage(visit, error: "The two passwords differ.", status: .unprocessableContent)
        }
        if try await engine.hasPassword(employeeID: employeeID) {
            // Changing a password takes the current one: a session left open is not enough to lock its owner
            // out. Wrong guesses count against the sign-in limit of the address.
            let address = visit.principal.clientIP ?? "unknown"
            guard let attempt = await signInGuard.begin(address) else {
                return try await accountPage(visit, error: "Too many failed attempts from here. Wait a few minutes and try again.",
                                             status: .tooManyRequests)
            }
            let current = visit.form["current"] ?? ""
            var matches = false
            if !current.isEmpty, current.utf8.count <= 72 {
                matches = try await engine.checkOwnPassword(as: visit.principal) { hash in await Self.offload { Bcrypt.verify(current, hash: hash) } }
            }
            guard matches else {
                return try await accountPage(visit, error: "The current password is not right.", status: .unprocessableContent)
            }
            await signInGuard.succeeded(address, attempt: attempt)
        }
        let cost = configuration.bcryptCost
        let hash = await Self.offload { Bcrypt.hash(password, cost: cost) }
        let version = try await engine.setPasswordHash(hash, for: employeeID, as: visit.principal)
        // Other sessions signed in with the old password end (here at once; on other servers sharing the log
        // at their next page, as the version they hold is no longer the password's); this one goes on.
        await sessions.removePasswordSessions(of: employeeID, keeping: visit.session.id)
        if case .password = visit.session.credential {
            await sessions.setCredential(.password(employeeID, version: version), for: visit.session.id)
        }
        await sessions.setNotice("Password set.", for: visit.session.id)
        return redirect(to: base + "/account")
    }
}
