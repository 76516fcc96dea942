import CRMDomain
import CRMProjections
import EventSourcing
import Foundation

/// The work read models (docs/views/Work.md) as `principal` may see them: every row is kept only when the
/// principal may query its module on the row's scope, every clock-derived fact ("overdue", "today", "late",
/// "usable") is computed at the engine clock's `now`, local days in the branch's time zone from the
/// settings, and reads of customer data are recorded in the read audit. A row's customer name is shown only
/// to whoever may query that customer (``customerNamesShown(_:in:as:at:)``), as the customer's own page is.
extension CRMEngine {
    static let taskBoardView = "task-board"
    static let ticketBoardView = "ticket-sla-board"
    static let pipelineView = "opportunity-pipeline"
    static let revenueView = "revenue-cube"
    static let loyaltyView = "loyalty-balances"
    static let approvalView = "approval-inbox"
    static let announcementView = "announcement-inbox"

    /// An assignee's task board at the engine's `now`: overdue, due later today (in the assignee's branch
    /// time zone) and upcoming. An employee sees their own board whole; anyone else sees only the tasks
    /// they may query.
    ///
    /// ```swift
    /// let board = try await engine.taskBoard(for: employee.id, as: employee)
    /// ```
    public func taskBoard(for assignee: String, as principal: Principal, upcomingLimit: Int = 100,
                          consistentWith position: GlobalPosition? = nil) async throws -> TaskBoard.Board {
        try requireOpen()
        let assignee = Employee.canonicalID(assignee)  // an id in upper case names the same employee
        try await consistent(with: position, [Self.taskBoardView])
        let now = clock.now()
        let calendar = try await calendar(ofEmployee: assignee)
        var board = try views.read(Self.taskBoardView) {
            try TaskBoard.board(for: assignee, now: now, calendar: calendar, upcomingLimit: upcomingLimit, in: $0)
        }
        // `daysLate` as the overdue list counts it: in the task's own calendar (``taskCalendar(_:settings:assignee:)``).
        let settings = try await settings()
        for i in board.overdue.indices {
            let task = board.overdue[i].task
            board.overdue[i].daysLate = Self.daysLate(task, now: now, in: taskCalendar(task, settings: settings, assignee: calendar))
        }
        if assignee != principal.id {
            let visible = { (task: TaskBoard.Task) in self.principalMay(principal, .tasks, task.scope, now) }
            board.overdue = board.overdue.filter { visible($0.task) }
            board.dueToday = board.dueToday.filter(visible)
            board.upcoming = board.upcoming.filter(visible)
        }
        let shown = try customerNamesShown(board.overdue.map(\.task.customerID) + board.dueToday.map(\.customerID) + board.upcoming.map(\.customerID),
                                           in: Self.taskBoardView, as: principal, at: now)
        for i in board.overdue.indices where !shown(board.overdue[i].task.customerID) { board.overdue[i].task.customerName = nil }
        for i in board.dueToday.indices where !shown(board.dueToday[i].customerID) { board.dueToday[i].customerName = nil }
        for i in board.upcoming.indices where !shown(board.upcoming[i].customerID) { board.upcoming[i].customerName = nil }
        auditCustomers(board.overdue.map(\.task.customerID) + board.dueToday.map(\.customerID) + board.upcoming.map(\.customerID), principal)
        return board
    }

    /// Every open task past due at the engine's `now` that `principal` may query, most overdue first;
    /// `daysLate` counts local days in each task's own calendar (``taskCalendar(_:settings:assignee:)``), as the
    /// task board does. Paginated: pass `next` as `after`.
    public func overdueTasks(as principal: Principal, after: [UInt8]? = nil, limit: Int = 100,
                             consistentWith position: GlobalPosition? = nil) async throws -> WorkProjections.Page<TaskBoard.OverdueTask> {
        try requireOpen()
        try await consistent(with: position, [Self.taskBoardView])
        let now = clock.now()
        let settings = try await settings()
        var page = try views.read(Self.taskBoardView) {
            try TaskBoard.overdue(now: now, calendar: .utc, in: $0, after: after, limit: limit) { self.principalMay(principal, .tasks, $0.scope, now) }
        }
        let employees = try await organisation.current(store: store, registry: registry).employees
        page.items = page.items.map { item in
            var item = item
            let assignee = UUID(text: item.task.assignee).flatMap { employees[$0] }.map { settings.calendar(forBranch: $0.branch) } ?? .utc
            item.daysLate = Self.daysLate(item.task, now: now, in: taskCalendar(item.task, settings: settings, assignee: assignee))
            return item
        }
        let shown = try customerNamesShown(page.items.map(\.task.customerID), in: Self.taskBoardView, as: principal, at: now)
        for i in page.items.indices where !shown(page.items[i].task.customerID) { page.items[i].task.customerName = nil }
        auditCustomers(page.items.map(\.task.customerID), principal)
        return page
    }

    /// The open tickets a department holds that `principal` may query, earliest resolution deadline first.
    public func openTickets(department: String, as principal: Principal, after: [UInt8]? = nil, limit: Int = 100,
                            consistentWith position: GlobalPosition? = nil) async throws -> WorkProjections.Page<TicketSLABoard.TicketRow> {
        try requireOpen()
        try await consistent(with: position, [Self.ticketBoardView])
        let now = clock.now()
        var page = try views.read(Self.ticketBoardView) {
            try TicketSLABoard.open(department: department, in: $0, after: after, limit: limit) { self.principalMay(principal, .tickets, $0.scope, now) }
        }
        let shown = try customerNamesShown(page.items.map(\.customerID), in: Self.ticketBoardView, as: principal, at: now)
        for i in page.items.indices where !shown(page.items[i].customerID) { page.items[i].customerName = nil }
        auditCustomers(page.items.map(\.customerID), principal)
        return page
    }

    /// The open tickets past their resolution deadline at the engine's `now` that `principal` may query,
    /// most overdue first, with the late department.
    public func overdueTickets(as principal: Principal, after: [UInt8]? = nil, limit: Int = 100,
                               consistentWith position: GlobalPosition? = nil) async throws -> WorkProjections.Page<TicketSLABoard.OverdueTicket> {
        try requireOpen()
        try await consistent(with: position, [Self.ticketBoardView])
        let now = clock.now()
        var page = try views.read(Self.ticketBoardView) {
            try TicketSLABoard.overdue(at: now, in: $0, after: after, limit: limit) { self.principalMay(principal, .tickets, $0.scope, now) }
        }
        let shown = try customerNamesShown(page.items.map(\.ticket.customerID), in: Self.ticketBoardView, as: principal, at: now)
        for i in page.items.indices where !shown(page.items[i].ticket.customerID) { page.items[i].ticket.customerName = nil }
        auditCustomers(page.items.map(\.ticket.customerID), principal)
        return page
    }

    /// The monthly overdue report (R-TSK-6) of the tickets `principal` may query, as known at the engine's
    /// `now`; each ticket's month is read in its own branch's time zone (as in ``overdueReport(_:as:)``).
    public func monthlyOverdueReport(year: Int, month: Int, as principal: Principal,
                                     consistentWith position: GlobalPosition? = nil) async throws -> OverdueReport {
        try requireOpen()
        try await consistent(with: position, [Self.ticketBoardView])
        let now = clock.now()
        let report = try overdueReport(year: year, month: month, asOf: now, settings: try await settings()) {
            self.principalMay(principal, .tickets, $0.scope, now)
        }
        auditCustomers(report.lines.map(\.customerID), principal)
        return report
    }

    /// The one code path of the monthly overdue reports: the tickets `include` admits whose resolution
    /// deadline fell in the month in their branch's time zone and were late at `asOf`.
    func overdueReport(year: Int, month: Int, asOf: Date, settings: Settings.State,
                       include: (TicketSLABoard.TicketRow) -> Bool) throws -> OverdueReport {
        do {
            return try views.read(Self.ticketBoardView) {
                try TicketSLABoard.monthlyOverdue(year: year, month: month, asOf: asOf, in: $0,
                                                  calendar: { settings.calendar(forBranch: $0.scope.branch) }, where: include)
            }
        } catch let error as DomainError {
            throw EngineError(error)
        }
    }

    /// An owner's open opportunities that `principal` may query, by pipeline and stage order.
    public func pipeline(owner: String, as principal: Principal,
                         consistentWith position: GlobalPosition? = nil) async throws -> [OpportunityPipeline.OpportunityRow] {
        try requireOpen()
        try await consistent(with: position, [Self.pipelineView])
        let now = clock.now()
        let owner = Employee.canonicalID(owner)
        var rows = try views.read(Self.pipelineView) { try OpportunityPipeline.pipeline(owner: owner, in: $0) }
            .filter { principalMay(principal, .opportunities, $0.scope, now) }
        let shown = try customerNamesShown(rows.map(\.customerID), in: Self.pipelineView, as: principal, at: now)
        for i in rows.indices where !shown(rows[i].customerID) { rows[i].customerName = nil }
        auditCustomers(rows.map(\.customerID), principal)
        return rows
    }

    /// Totals per pipeline, stage and currency (count, amount, weighted forecast) of the open opportunities
    /// `principal` may query, optionally of one owner.
    public func pipelineTotals(owner: String? = nil, as principal: Principal,
                               consistentWith position: GlobalPosition? = nil) async throws -> [OpportunityPipeline.StageTotal] {
        try requireOpen()
        try await consistent(with: position, [Self.pipelineView])
        let now = clock.now()
        let owner = owner.map { Employee.canonicalID($0) }
        return try views.read(Self.pipelineView) {
            try OpportunityPipeline.totals(owner: owner, in: $0) { self.principalMay(principal, .opportunities, $0.scope, now) }
        }
    }

    /// Revenue totals by `dimension` over the months `from` through `through`, per currency, of the cube's
    /// cells `principal` may query in the revenue module.
    public func revenue(by dimension: RevenueCube.Dimension, from: RevenueMonth, through: RevenueMonth, as principal: Principal,
                        consistentWith position: GlobalPosition? = nil) async throws -> [RevenueCube.Total] {
        try requireOpen()
        try await consistent(with: position, [Self.revenueView])
        let now = clock.now()
        var customers: Set<UUID> = []
        let totals = try views.read(Self.revenueView) {
            try RevenueCube.totals(by: dimension, from: from, through: through, in: $0) { cell in
                guard self.principalMay(principal, .revenue, cell.scope, now) else { return false }
                customers.insert(cell.customerID)
                return true
            }
        }
        if dimension == .customer { auditCustomers(customers.sorted { $0.uuidString < $1.uuidString }, principal) }
        return totals
    }

    /// A customer's loyalty points with those usable today (in the customer's branch time zone); not found
    /// when `principal` may not query the customer or the customer has no points yet. Recorded in the read audit.
    public func loyalty(of customer: UUID, as principal: Principal,
                        consistentWith position: GlobalPosition? = nil) async throws -> LoyaltyBalances.Balance {
        try requireOpen()
        try await consistent(with: position, [Self.loyaltyView])
        let now = clock.now()
        guard let account = try views.read(Self.loyaltyView, { try LoyaltyBalances.account(of: customer, in: $0) }),
              principalMay(principal, .customers, account.scope, now) else { throw EngineError.notFound() }
        let today = try await settings().calendar(forBranch: account.scope.branch).localDate(of: now)
        guard let balance = try views.read(Self.loyaltyView, { try LoyaltyBalances.balance(of: customer, on: today, in: $0) }) else {
            throw EngineError.notFound()
        }
        audit.record(principal: principal, record: LoyaltyAccount.stream(customer).rawValue)
        return balance
    }

    /// The principal's approval inbox at the engine's `now`: what waits for them as employee or delegate or
    /// by a role they hold, what is late, what was escalated to them — the instances they may query in the
    /// organisation module over the instance's scope as a command on it judges it (its subject's scope, read
    /// from the log now, with its submitter and delegate as owners: ``ScopeSource/workflowSubject(_:_:owners:)``)
    /// and may read as a single instance is read: with `query` in the subject's module too, unless they
    /// submitted it or may decide its current step (``mayReadWorkflowInstance(_:scope:as:held:at:mayDecide:)``). A waiting
    /// step, pending or escalated to them, is listed only to whom its decision would let decide it
    /// (``requireStepDecider(_:as:held:at:)``: `approve` in organisation over it, not its submitter, its
    /// delegate or a holder of its role — a symbolic one when they may decide the subject itself; judged once per
    /// row); one returned to its submitter is theirs to resubmit or cancel, listed to them whatever rights they
    /// hold in organisation (``PartyCommands``, as the engine's read of the instance judges it).
    public func approvalInbox(as principal: Principal, consistentWith position: GlobalPosition? = nil) async throws -> ApprovalInbox.Inbox {
        try requireOpen()
        try await consistent(with: position, [Self.approvalView])
        let now = clock.now()
        let roles = try await roleNames(of: principal, at: now)
        // Steps of the default definitions wait for a symbolic role (whoever may decide the subject): they are
        // read too, and kept for those who would decide them in that role.
        let symbolic = WorkflowDefinition.symbolicApproverRoles.subtracting(roles)
        var inbox = try views.read(Self.approvalView) {
            try ApprovalInbox.inbox(for: principal.id, roles: roles + symbolic.sorted(), now: now, in: $0)
        }
        var decides: [UUID: Bool] = [:]
        var sees: [UUID: Bool] = [:]
        var states: [UUID: WorkflowInstance.State] = [:]
        let everywhere = principal.mayEverywhere(.query, in: .organisation, at: now)
        /// The instance as the log holds it, read once.
        func state(_ instance: ApprovalInbox.Instance) async throws -> WorkflowInstance.State {
            if let known = states[instance.instanceID] { return known }
            let state = try await load(WorkflowInstance.self, stream: WorkflowInstance.stream(instance.instanceID)).state
            states[instance.instanceID] = state
            return state
        }
        /// Whether the principal may decide the instance's current step (the one rule; false when none waits).
        func mayDecide(_ instance: ApprovalInbox.Instance) async throws -> Bool {
            if let known = decides[instance.instanceID] { return known }
            let decided = try await mayDecideStep(try await state(instance), as: principal, held: roles, at: now)
            decides[instance.instanceID] = decided
            return decided
        }
        func mayQuery(_ instance: ApprovalInbox.Instance) async throws -> Bool {
            if everywhere, principal.mayEverywhere(.query, in: Self.module(ofWorkflowSubject: instance.subjectKind), at: now) { return true }
            if let known = sees[instance.instanceID] { return known }
            let owners = [instance.submitter] + (instance.delegate.map { [$0] } ?? [])
            let scope = try await resolve(.workflowSubject(instance.subjectKind, instance.subjectID, owners: owners))
            // As the engine's read of the instance judges it: `query` in organisation over it, or its submitter
            // (``PartyCommands``), who finds here the request returned to them.
            var may = everywhere || principalMay(principal, .organisation, scope, now)
            if !may { may = isPartysOwn(WorkflowInstance.self, state: try await state(instance), principal: principal) }
            if may {
                may = try await mayReadWorkflowInstance(try await state(instance), scope: scope, as: principal, held: roles, at: now,
                                                        mayDecide: { try await mayDecide(instance) })
            }
            sees[instance.instanceID] = may
            return may
        }
        /// A waiting step (pending or escalated) is listed only to whom may decide it, judged on the instance as
        /// the log holds it; one returned to its submitter is theirs to resubmit or cancel.
        func keep(_ item: ApprovalInbox.Item) async throws -> Bool {
            guard try await mayQuery(item.instance) else { return false }
            guard item.instance.status == .running else { return true }
            return try await mayDecide(item.instance)
        }
        var pending: [ApprovalInbox.Item] = []
        for item in inbox.pending where try await keep(item) { pending.append(item) }
        var escalated: [ApprovalInbox.Item] = []
        for item in inbox.escalatedToMe where try await keep(item) { escalated.append(item) }
        inbox.pending = pending
        inbox.late = pending.filter { $0.lateBy != nil }
        inbox.escalatedToMe = escalated
        return inbox
    }

    /// The announcements targeting the principal (by their departments, branch, roles or name) that are
    /// published and not expired at the engine's `now`, newest first, with their read state. One's own copy
    /// needs `query` in the organisation module with the `own` scope.
    public func announcements(as principal: Principal, consistentWith position: GlobalPosition? = nil) async throws -> [AnnouncementInbox.Item] {
        try requireOpen()
        try await consistent(with: position, [Self.announcementView])
        let now = clock.now()
        guard let reader = try await announcementReader(principal, at: now) else { return [] }
        let items = try views.read(Self.announcementView) { try AnnouncementInbox.inbox(for: reader, now: now, in: $0) }
        return items.filter { principalMay(principal, .organisation, $0.announcement.scope.owned(by: principal.id), now) }
    }

    // MARK: Helpers

    private func principalMay(_ principal: Principal, _ module: Permission.Module, _ scope: RecordScope, _ now: Date) -> Bool {
        principal.may(.query, in: module, on: scope, at: now)
    }

    /// Whether a row's customer name may be shown to `principal`: only when it may query that customer in the
    /// customers module, judged on the customer's scope now as `view`'s customer-scope table holds it — the
    /// rule of the customer's own page (not found) and of the console ("not visible to you"). A row the
    /// principal sees by the record's own scope (the ticket's or task's assignee, an opportunity's owner, a
    /// permission over tickets but not customers) keeps its customer's id, never its name.
    func customerNamesShown(_ ids: [UUID?], in view: String, as principal: Principal, at now: Date) throws -> (UUID?) -> Bool {
        if principal.mayEverywhere(.query, in: .customers, at: now) { return { _ in true } }
        let customers = Set(ids.compactMap { $0 })
        guard !customers.isEmpty else { return { _ in false } }
        let seen = try views.read(view) { reader in
            try customers.filter { principal.may(.query, in: .customers, on: try CustomerScopes.scope(of: $0, in: reader), at: now) }
        }
        return { id in id.map(seen.contains) ?? false }
    }

    /// The calendar a task's `daysLate` is counted in, on the task board and the overdue list alike: its
    /// `branch`'s (the field names the calendar of "today" and "overdue"), else its customer's branch's (its
    /// scope's), else `assignee`, the calendar of its assignee's branch.
    func taskCalendar(_ task: TaskBoard.Task, settings: Settings.State, assignee: LocalCalendar) -> LocalCalendar {
        guard let branch = task.branch ?? task.scope.branch else { return assignee }
        return settings.calendar(forBranch: branch)
    }

    /// The local days from a task's due day to `now`'s day in `calendar`.
    static func daysLate(_ task: TaskBoard.Task, now: Date, in calendar: LocalCalendar) -> Int {
        calendar.localDate(of: task.dueAt).days(until: calendar.localDate(of: now))
    }

    /// The calendar of an employee's branch (by employee id text); UTC for an unknown employee or the system.
    func calendar(ofEmployee id: String) async throws -> LocalCalendar {
        let settings = try await settings()
        guard let uuid = UUID(text: id) else { return .utc }
        let branch = try await organisation.current(store: store, registry: registry).employees[uuid]?.branch
        return settings.calendar(forBranch: branch)
    }

    /// Records a read of each customer's data once.
    func auditCustomers(_ ids: [UUID?], _ principal: Principal) {
        var seen: Set<UUID> = []
        for id in ids.compactMap({ $0 }) where seen.insert(id).inserted {
            audit.record(principal: principal, record: Customer.stream(id).rawValue)
        }
    }
}
