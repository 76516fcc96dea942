import CRMDomain
import EventSourcing
import Foundation

/// KPI indicators per employee and month (R-ANA-1): counts folded from the log, the month read in the
/// time zone of the record's branch (the customer's branch; a task's own branch; UTC when unknown).
/// Only facts of the log are stored — never "overdue as of now" — so a rebuild gives the same rows.
///
/// Indicators (``Indicator``): `contactsMade` (ContactLogged by its actor, less retractions),
/// `visitsMade` (VisitRecorded by the planned visitor), `newOpportunities` (OpportunityOpened, owner),
/// `newPotentialCustomers` (CustomerCreated as a prospect, owner or actor), `dealsWon` (OpportunityWon,
/// current owner), `tasksOnTime` / `tasksLate` (TaskCompleted vs due, current assignee),
/// `ticketsResolvedInSLA` / `ticketsResolvedLate` (first TicketResolved vs resolution deadline, the
/// ticket's assignee then as ``Ticket/evolve(_:_:)`` keeps it: set by TicketAssigned and TicketWorkStarted,
/// cleared by TicketHandedOver and TicketUnassigned), `campaignItemsDone` (first progress report at 100 %,
/// its owner; UTC months).
///
/// ```swift
/// let march = try EmployeeIndicators.values(employee: "emp-7", month: "2026-03", in: views)
/// let contacts = march["contactsMade"] ?? 0
/// ```
public struct EmployeeIndicators: Projection {
    public let name = "employee-indicators"
    /// 3: a resolved ticket goes to its assignee as the ticket's state keeps it (a ticket taken from the
    /// queue, handed over or unassigned), not to the last `TicketAssigned`.
    public let version: UInt32 = 3

    /// `employee + YYYY-MM + indicator → Cell`.
    public static let cells = ViewTable("cells")
    /// `YYYY-MM + employee + indicator → Cell`: the same cells by month, for rankings.
    public static let byMonth = ViewTable("cells-by-month")
    /// `employee + YYYY-MM-DD + indicator → count` (8 bytes, little-endian): the same counts by local day,
    /// for the daily pay estimate.
    public static let byDay = ViewTable("cells-by-day")
    /// `kind + record id → Fact`: who a contact, visit, opportunity, task, ticket or work item belongs to.
    public static let facts = ViewTable("facts")
    /// `branch → IANA zone id`.
    public static let branchZones = ViewTable("branch-zone")

    public var tables: [ViewTable] { [Self.cells, Self.byMonth, Self.byDay, Self.facts, Self.branchZones, CustomerScopes.table] }

    public var eventTypes: Set<String>? {
        CustomerScopes.eventTypes.union([
            BranchTimeZoneSet.eventType, ContactLogged.eventType, ContactLogRetracted.eventType, VisitPlanned.eventType,
            VisitRecorded.eventType, OpportunityOpened.eventType, OpportunityAssigned.eventType, OpportunityWon.eventType,
            TaskDispatched.eventType, TaskReassigned.eventType, TaskRescheduled.eventType, TaskCompleted.eventType,
            TicketOpened.eventType, TicketAssigned.eventType, TicketWorkStarted.eventType, TicketHandedOver.eventType,
            TicketUnassigned.eventType, TicketResolved.eventType, CampaignProgressReported.eventType,
        ])
    }

    public init() {}

    /// The indicator names this projection counts.
    public enum Indicator {
        public static let contactsMade = "contactsMade"
        public static let visitsMade = "visitsMade"
        public static let newOpportunities = "newOpportunities"
        public static let newPotentialCustomers = "newPotentialCustomers"
        public static let dealsWon = "dealsWon"
        public static let tasksOnTime = "tasksOnTime"
        public static let tasksLate = "tasksLate"
        public static let ticketsResolvedInSLA = "ticketsResolvedInSLA"
        public static let ticketsResolvedLate = "ticketsResolvedLate"
        public static let campaignItemsDone = "campaignItemsDone"
    }

    /// One employee's count of one indicator in one month.
    public struct Cell: Codable, Hashable, Sendable {
        public var employee: String
        /// `YYYY-MM` in the record's branch time zone.
        public var month: String
        public var indicator: String
        public var value: Int
        /// The employee as owner (no customer data).
        public var scope: RecordScope
    }

    /// What the projection remembers of a record to credit the right employee later.
    struct Fact: Codable, Hashable, Sendable {
        var employee: String?
        var branch: String?
        var customerID: UUID?
        var dueAt: Date?
        /// The local day `YYYY-MM-DD` a counted contact went to (to take it back on retraction).
        var month: String?
        var done: Bool
    }

    public func apply(_ event: ProjectionEvent, to views: any ViewWriter) throws {
        try CustomerScopes.apply(event, to: views)
        try apply(event.payload, event, to: views)
    }

    /// The `switch` over the payload opened to its type (why: ``Projection``).
    private func apply<Payload: EventPayload>(_ payload: Payload, _ event: ProjectionEvent, to views: any ViewWriter) throws {
        switch payload {
        case let e as BranchTimeZoneSet:
            try views.put(Array(e.timeZoneID.utf8), forKey: ViewKey().string(e.branch).bytes, in: Self.branchZones)
        case let e as CustomerCreated where e.status == .prospect:
            let day = try localDay(event.recordedAt, branch: e.branch, in: views)
            try add(1, Indicator.newPotentialCustomers, employee: e.owner ?? event.metadata.actor, day: day, in: views)
        case let e as ContactLogged:
            let day = try localDay(e.details.occurredAt, customer: e.customerID, in: views)
            try add(1, Indicator.contactsMade, employee: event.metadata.actor, day: day, in: views)
            try put(Fact(employee: event.metadata.actor, customerID: e.customerID, month: day.description, done: true), "contact", e.entryID, in: views)
        case let e as ContactLogRetracted:
            guard let fact = try fact("contact", e.entryID, in: views), let employee = fact.employee,
                  let day = fact.month.flatMap(LocalDate.init) else { return }
            try add(-1, Indicator.contactsMade, employee: employee, day: day, in: views)
            try views.delete(key: Self.factKey("contact", e.entryID), in: Self.facts)
        case let e as VisitPlanned:
            try put(Fact(employee: e.visitor, customerID: e.customerID, done: false), "visit", e.visitID, in: views)
        case let e as VisitRecorded:
            var fact = try fact("visit", e.visitID, in: views) ?? Fact(employee: event.metadata.actor, done: false)
            guard !fact.done else { return }
            fact.done = true
            try put(fact, "visit", e.visitID, in: views)
            try add(1, Indicator.visitsMade, employee: fact.employee ?? event.metadata.actor, day: e.actual.date, in: views)
        case let e as OpportunityOpened:
            try put(Fact(employee: e.owner, customerID: e.details.customerID, done: false), "opportunity", e.opportunityID, in: views)
            let day = try localDay(event.recordedAt, customer: e.details.customerID, in: views)
            try add(1, Indicator.newOpportunities, employee: e.owner, day: day, in: views)
        case let e as OpportunityAssigned:
            try change("opportunity", e.opportunityID, in: views) { $0.employee = e.owner }
        case let e as OpportunityWon:
            guard let fact = try fact("opportunity", e.opportunityID, in: views), let owner = fact.employee else { return }
            let day = try localDay(e.closedAt, customer: fact.customerID, in: views)
            try add(1, Indicator.dealsWon, employee: owner, day: day, in: views)
        case let e as TaskDispatched:
            try put(Fact(employee: e.assignee, branch: e.details.branch, customerID: e.details.customerID, dueAt: e.details.dueAt, done: false),
                    "task", e.taskID, in: views)
        case let e as TaskReassigned:
            try change("task", e.taskID, in: views) { $0.employee = e.assignee }
        case let e as TaskRescheduled:
            try change("task", e.taskID, in: views) { $0.dueAt = e.dueAt }
        case let e as TaskCompleted:
            guard var fact = try fact("task", e.taskID, in: views), !fact.done, let assignee = fact.employee else { return }
            fact.done = true
            try put(fact, "task", e.taskID, in: views)
            let onTime = e.completedAt <= (fact.dueAt ?? .distantFuture)
            let day = try localDay(e.completedAt, branch: fact.branch, in: views)
            try add(1, onTime ? Indicator.tasksOnTime : Indicator.tasksLate, employee: assignee, day: day, in: views)
        case let e as TicketOpened:
            try put(Fact(customerID: e.customerID, dueAt: e.resolutionDueAt, done: false), "ticket", e.ticketID, in: views)
        // The assignee as the ticket's state keeps it (`Ticket.evolve`): the one credited at resolution.
        case let e as TicketAssigned:
            try change("ticket", e.ticketID, in: views) { $0.employee = e.assignee }
        case let e as TicketWorkStarted:
            try change("ticket", e.ticketID, in: views) { $0.employee = e.assignee }
        case let e as TicketHandedOver:
            try change("ticket", e.ticketID, in: views) { $0.employee = nil }
        case let e as TicketUnassigned:
            try change("ticket", e.ticketID, in: views) { $0.employee = nil }
        case let e as TicketResolved:
            guard var fact = try fact("ticket", e.ticketID, in: views), !fact.done, let assignee = fact.employee else { return }
            fact.done = true
            try put(fact, "ticket", e.ticketID, in: views)
            let inSLA = e.resolvedAt <= (fact.dueAt ?? .distantFuture)
            let day = try localDay(e.resolvedAt, customer: fact.customerID, in: views)
            try add(1, inSLA ? Indicator.ticketsResolvedInSLA : Indicator.ticketsResolvedLate, employee: assignee, day: day, in: views)
        case let e as CampaignProgressReported where e.report.percent >= 100:
            guard try fact("campaign-item", e.report.workItemID, in: views) == nil else { return }
            try put(Fact(employee: e.report.owner, done: true), "campaign-item", e.report.workItemID, in: views)
            try add(1, Indicator.campaignItemsDone, employee: e.report.owner, day: LocalCalendar.utc.localDate(of: e.report.at), in: views)
        default:
            return
        }
    }

    // MARK: - Queries

    /// One employee's indicator values in a month (`YYYY-MM`).
    public static func values(employee: String, month: String, in views: any ViewReader) throws -> [String: Int] {
        var out: [String: Int] = [:]
        for (_, cell) in try views.rows(Cell.self, in: cells, prefix: ViewKey().string(employee).string(month).bytes) {
            out[cell.indicator] = cell.value
        }
        return out
    }

    /// One employee's indicator values on a local day (in the record's branch zone, like the months).
    public static func values(employee: String, day: LocalDate, in views: any ViewReader) throws -> [String: Int] {
        var out: [String: Int] = [:]
        let prefix = ViewKey().string(employee).string(day.description).bytes
        try views.scan(byDay, prefix: prefix) { key, value in
            // The rest of the key is the indicator and its closing 0.
            if let n = decodeCount(Array(value)), key.count > prefix.count {
                out[String(decoding: key[prefix.count..<(key.count - 1)], as: UTF8.self)] = n
            }
            return true
        }
        return out
    }

    /// Every employee's indicator values in a month, by employee; `include` filters cells (the viewer's scope).
    public static func month(_ month: String, in views: any ViewReader, where include: (Cell) -> Bool = { _ in true }) throws -> [String: [String: Int]] {
        var out: [String: [String: Int]] = [:]
        for (_, cell) in try views.rows(Cell.self, in: byMonth, prefix: ViewKey().string(month).bytes, where: include) {
            out[cell.employee, default: [:]][cell.indicator] = cell.value
        }
        return out
    }

    // MARK: - Writing

    static func factKey(_ kind: String, _ id: UUID) -> [UInt8] { ViewKey().string(kind).uuid(id).bytes }

    private func fact(_ kind: String, _ id: UUID, in views: any ViewReader) throws -> Fact? {
        try views.row(Fact.self, forKey: Self.factKey(kind, id), in: Self.facts)
    }

    private func put(_ fact: Fact, _ kind: String, _ id: UUID, in views: any ViewWriter) throws {
        try views.put(row: fact, forKey: Self.factKey(kind, id), in: Self.facts)
    }

    private func change(_ kind: String, _ id: UUID, in views: any ViewWriter, _ body: (inout Fact) -> Void) throws {
        guard var f = try fact(kind, id, in: views) else { return }
        body(&f)
        try put(f, kind, id, in: views)
    }

    private func add(_ delta: Int, _ indicator: String, employee: String, day: LocalDate, in views: any ViewWriter) throws {
        let month = day.monthText
        let dayKey = ViewKey().string(employee).string(day.description).string(indicator).bytes
        let dayValue = (try views.value(forKey: dayKey, in: Self.byDay).flatMap(Self.decodeCount) ?? 0) + delta
        if dayValue == 0 {
            try views.delete(key: dayKey, in: Self.byDay)
        } else {
            try views.put(Self.encodeCount(dayValue), forKey: dayKey, in: Self.byDay)
        }
        let key = ViewKey().string(employee).string(month).string(indicator).bytes
        var cell = try views.row(Cell.self, forKey: key, in: Self.cells)
            ?? Cell(employee: employee, month: month, indicator: indicator, value: 0, scope: RecordScope(owners: [employee]))
        cell.value += delta
        let monthKey = ViewKey().string(month).string(employee).string(indicator).bytes
        if cell.value == 0 {
            try views.delete(key: key, in: Self.cells)
            try views.delete(key: monthKey, in: Self.byMonth)
        } else {
            let row = cell.binaryForm
            try views.put(row, forKey: key, in: Self.cells)
            try views.put(row, forKey: monthKey, in: Self.byMonth)
        }
    }

    private func localDay(_ instant: Date, customer: UUID?, in views: any ViewReader) throws -> LocalDate {
        try localDay(instant, branch: CustomerScopes.branch(of: customer, in: views), in: views)
    }

    private func localDay(_ instant: Date, branch: String?, in views: any ViewReader) throws -> LocalDate {
        try AnalyticsProjections.calendar(of: branch, table: Self.branchZones, in: views).localDate(of: instant)
    }

    static func encodeCount(_ count: Int) -> [UInt8] { withUnsafeBytes(of: Int64(count).littleEndian, Array.init) }

    static func decodeCount(_ bytes: [UInt8]) -> Int? {
        guard bytes.count == 8 else { return nil }
        return Int(bytes.reversed().reduce(Int64(0)) { $0 << 8 | Int64($1) })
    }
}
