import CRMDomain
import CRMProjections
import EventSourcing
import EventStoreLMDB
import Foundation
import Logging
import Synchronization

/// What one run of the scheduled work did.
public struct ScheduledWorkReport: Sendable, Hashable {
    /// The UTC day of the run's instant. Each source's reminders, each customer's churn evaluation and each
    /// meter's usage check are for its own branch's local day at that instant, which may be a day later or
    /// earlier (a branch in `Asia/Shanghai` is on the next day from 16:00 UTC).
    public let day: LocalDate
    /// Reminder tasks this run dispatched.
    public let remindersDispatched: Int
    /// Reminder tasks already dispatched by an earlier run of the same day (or another node).
    public let remindersAlreadyThere: Int
    /// Workflow steps this run found late and escalated (each late step escalates once, ever).
    public let stepsEscalated: Int
    /// Retention tasks dispatched for customers whose churn risk crossed the threshold (one per episode).
    public let retentionTasksDispatched: Int
    /// Tasks dispatched for meters whose latest reading was flagged as a usage anomaly (one per episode).
    public let usageAnomalyTasksDispatched: Int
    /// Active contracts past their expiry renewed by their auto-renewal clause (R-SAL-4): each counts once, however
    /// many terms it took to bring its expiry to the run's day.
    public var contractsRenewed: Int = 0
    /// Active contracts past their expiry without such a clause, recorded as expired.
    public var contractsExpired: Int = 0
    /// Tenure points lots granted on customers' anniversaries (R-CUS-8), one per customer and anniversary.
    public var tenurePointsGranted: Int = 0
    /// Loyalty accounts whose lapsed points this run recorded as expired (one `PointsExpired` each).
    public var pointsExpired: Int = 0
    /// The jobs of this run that failed, wholly or for some of their items, in the order they ran, each with
    /// its (first) error's code. A job that failed whole (it could not read what it works on) counts 0; a job
    /// whose items failed counts what its other items did. Every other job did its work: a job that fails, or
    /// one of its items, does not hold up the others, and is tried again on the next run (its work is keyed,
    /// so what it did before failing is not done twice).
    public var failures: [Failure] = []

    /// The jobs that failed (``failures``' jobs).
    public var failedJobs: [Job] { failures.map(\.job) }

    /// One job of the scheduled work. Each runs on its own: one failing leaves the others to do their work.
    public enum Job: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        /// The day's reminder tasks (``ScheduledWorkReport/remindersDispatched``).
        case reminders
        /// Late workflow steps escalated (``ScheduledWorkReport/stepsEscalated``).
        case escalations
        /// The churn watch (``ScheduledWorkReport/retentionTasksDispatched``).
        case churnWatch
        /// The usage anomaly watch (``ScheduledWorkReport/usageAnomalyTasksDispatched``).
        case usageWatch
        /// Contracts past their expiry renewed or expired (``ScheduledWorkReport/contractsRenewed``, ``ScheduledWorkReport/contractsExpired``).
        case contracts
        /// Tenure points on anniversaries (``ScheduledWorkReport/tenurePointsGranted``).
        case tenurePoints
        /// Lapsed loyalty points expired (``ScheduledWorkReport/pointsExpired``).
        case pointsExpiry

        public var description: String { rawValue }
    }

    /// A job that failed, and its (first) error's code — a kind, never a message, payload or personal data
    /// (``ScheduledWorkReport/errorCode(of:)``).
    public struct Failure: Sendable, Hashable {
        public let job: Job
        public let error: String
        /// How many of the job's items (a reminder, a workflow instance, a customer, a meter, a contract, a
        /// loyalty account) failed while the job went on with the others; 0 when the job failed whole.
        public let failedItems: Int
        public init(job: Job, error: String, failedItems: Int = 0) {
            self.job = job
            self.error = error
            self.failedItems = failedItems
        }
    }

    /// An error's code for a log line or a report: its kind and code (`engine.rejected.invalid`,
    /// `store.storage`, `payload.unknownType`, `domain.invalid`, `view.projectionFailed`), else its type's
    /// name — never its message.
    public static func errorCode(of error: any Error) -> String {
        switch error {
        case let error as EngineError: return "engine.\(error.code)" + (error.domain.map { ".\($0.code)" } ?? "")
        case let error as DomainError: return "domain.\(error.code)"
        case let error as EventStoreError: return "store.\(error.code)"
        case let error as PayloadCodingError: return "payload.\(error.code)"
        case let error as ViewError: return "view." + viewErrorCode(error)
        default: return "\(type(of: error))"
        }
    }

    private static func viewErrorCode(_ error: ViewError) -> String {
        switch error {
        case .unknownTable: return "unknownTable"
        case .unknownProjection: return "unknownProjection"
        case .duplicateName: return "duplicateName"
        case .projectionFailed: return "projectionFailed"
        case .closed: return "closed"
        case .timedOut: return "timedOut"
        case .stored: return "stored"
        case .readOnly: return "readOnly"
        case .marker: return "marker"
        }
    }
}

extension CRMEngine {
    /// Runs the time-driven work due at the clock's now (R-TSK-4, R-CUS-5): the reminder tasks of the day
    /// (birthdays, founding anniversaries, holidays, appointments, contract expiries, diary items) for their
    /// owners, each source's day read in its branch's calendar (``Reminders/commands(at:sources:settings:)``). Every reminder's id
    /// derives from its source and occurrence day and is executed with an idempotency key of that id, so a
    /// second run on the same day — on this node or another one sharing the log — writes nothing. Loyalty
    /// points (R-CUS-8): tenure points on customers' anniversaries and the expiry of lapsed points, keyed alike.
    ///
    /// Each job (``ScheduledWorkReport/Job``) runs on its own, reading what it needs itself: one that fails is
    /// logged (`scheduled job failed`, with the job's name and the error's code) and named in the report's
    /// ``ScheduledWorkReport/failures``, and the jobs after it still run; it is tried again on the next run.
    /// Throws only when the run is cancelled (the engine closing), or `unavailable` on a closed engine.
    @discardableResult
    public func runScheduledWork() async throws -> ScheduledWorkReport {
        try requireOpen()
        let now = clock.now()
        let day = LocalCalendar.utc.localDate(of: now)
        var failures: [ScheduledWorkReport.Failure] = []
        let (dispatched, existing) = try await runJob(.reminders, failures: &failures, otherwise: (0, 0)) { try await dispatchReminders(now: now, items: &$0) }
        let escalated = try await runJob(.escalations, failures: &failures, otherwise: 0) { try await escalateLateSteps(now: now, items: &$0) }
        let retention = try await runJob(.churnWatch, failures: &failures, otherwise: 0) { try await watchChurn(at: now, items: &$0) }
        let usage = try await runJob(.usageWatch, failures: &failures, otherwise: 0) { try await watchUsage(at: now, items: &$0) }
        let (renewed, expired) = try await runJob(.contracts, failures: &failures, otherwise: (0, 0)) { try await renewOrExpireContracts(now: now, items: &$0) }
        let tenure = try await runJob(.tenurePoints, failures: &failures, otherwise: 0) {
            try await grantTenurePoints(now: now, settings: try await settings(), items: &$0)
        }
        let pointsExpired = try await runJob(.pointsExpiry, failures: &failures, otherwise: 0) {
            try await expireLoyaltyPoints(now: now, settings: try await settings(), items: &$0)
        }
        var metadata: Logger.Metadata = [
            "day": "\(day)", "dispatched": "\(dispatched)", "existing": "\(existing)", "escalated": "\(escalated)",
            "renewed": "\(renewed)", "expired": "\(expired)", "tenurePoints": "\(tenure)", "pointsExpired": "\(pointsExpired)"]
        if !failures.isEmpty { metadata["failed"] = "\(failures.map(\.job.rawValue).joined(separator: ","))" }
        logger.info("scheduled work ran", metadata: metadata)
        var report = ScheduledWorkReport(day: day, remindersDispatched: dispatched, remindersAlreadyThere: existing, stepsEscalated: escalated,
                                         retentionTasksDispatched: retention, usageAnomalyTasksDispatched: usage)
        report.contractsRenewed = renewed
        report.contractsExpired = expired
        report.tenurePointsGranted = tenure
        report.pointsExpired = pointsExpired
        report.failures = failures
        return report
    }

    /// Runs one job of the scheduled work: its result, or — when it fails — `fallback`, the failure logged
    /// (the job's name and the error's code only) and added to `failures`. The job does each of its items
    /// through ``ScheduledItems/attempt(_:_:)``: an item that fails is logged and counted, and the job goes on
    /// with the others; the job is then listed in `failures` with the count. Cancellation is not a job's
    /// failure: it ends the run.
    private func runJob<T>(_ job: ScheduledWorkReport.Job, failures: inout [ScheduledWorkReport.Failure], otherwise fallback: T,
                           _ body: (inout ScheduledItems) async throws -> T) async throws -> T {
        var items = ScheduledItems(job: job, logger: logger)
        do {
            let result = try await body(&items)
            if let code = items.firstError {
                logger.error("scheduled job failed", metadata: ["job": "\(job)", "error": "\(code)", "failedItems": "\(items.failed)"])
                failures.append(.init(job: job, error: code, failedItems: items.failed))
            }
            return result
        } catch {
            if error is CancellationError || Task.isCancelled { throw error }
            let code = ScheduledWorkReport.errorCode(of: error)
            logger.error("scheduled job failed", metadata: ["job": "\(job)", "error": "\(code)"])
            failures.append(.init(job: job, error: code))
            return fallback
        }
    }

    /// The day's reminder tasks (``runScheduledWork()``): dispatched and already there.
    private func dispatchReminders(now: Date, items: inout ScheduledItems) async throws -> (dispatched: Int, existing: Int) {
        try await views.waitUntil(try await store.headPosition(), projections: ["reminder-sources"])
        let (keyDates, appointments, expiries) = try views.read("reminder-sources") {
            let (keyDates, appointments) = try ReminderSourcesProjection.sources(in: $0)
            return (keyDates, appointments, try ReminderSourcesProjection.contractExpiries(in: $0))
        }
        let settings = try await settings()
        let organisation = try await organisation.current(store: store, registry: registry)
        let employees = organisation.employees.values.filter(\.active)
            .map { ReminderSources.Employee(id: $0.id.lowercasedString, branch: $0.branch) }
            .sorted { $0.id < $1.id }
        let sources = ReminderSources(keyDates: keyDates, appointments: appointments, contractExpiries: expiries, employees: employees,
                                      diaries: try await diaries(of: employees, settings: settings, organisation: organisation, now: now))
        let forAppointments = appointmentReminderSources(appointments, settings: settings)
        var dispatched = 0
        var existing = 0
        for command in Reminders.commands(at: now, sources: sources, settings: settings) {
            guard case .dispatch(let taskID, _, let assignee) = command else { continue }
            // New work never goes to someone who has left: a reminder for a customer's, appointment's or contract's
            // owner who is deactivated is not dispatched (holidays and diaries are only the active employees'). It
            // is looked at again on each run of its lead window, so once the customer has a new owner it goes to them.
            if let id = UUID(text: assignee), organisation.employees[id]?.active == false {
                logger.info("reminder not dispatched: its owner is deactivated", metadata: ["task": "\(taskID.lowercasedString)"])
                continue
            }
            try await items.attempt(taskID) {
                let appointment = forAppointments[taskID]
                // The view was read when the run started: an appointment cancelled, completed or moved since gets
                // no reminder for the time it had.
                if let appointment, try await !appointmentStands(appointment) { return }
                let result = try await execute(WorkTask.self, id: taskID, command, as: .system,
                                               idempotencyKey: "schedule:reminder:" + taskID.lowercasedString)
                if result.repeated || result.events.isEmpty { existing += 1 } else { dispatched += 1 }
                if let appointment, !result.repeated, !result.events.isEmpty {
                    try await followAppointmentChangedMeanwhile(appointment, settings: settings)
                }
            }
        }
        return (dispatched, existing)
    }

    /// The appointment each appointment reminder generation dispatches is for, by the reminder's id: its own
    /// and its owner's subscription reminder, for the local day of its start in its branch's calendar.
    private func appointmentReminderSources(_ appointments: [ReminderSources.Appointment],
                                            settings: Settings.State) -> [UUID: ReminderSources.Appointment] {
        var out: [UUID: ReminderSources.Appointment] = [:]
        for appointment in appointments {
            let day = settings.calendar(forBranch: appointment.branch).localDate(of: appointment.start)
            let source = appointment.id.lowercasedString
            out[Reminders.reminderID(kind: .appointment, sourceID: source, occurrence: day)] = appointment
            let subscription = Reminders.subscriptionSourceID(employee: appointment.owner, kind: .appointment, sourceID: source)
            out[Reminders.reminderID(kind: .subscription, sourceID: subscription, occurrence: day)] = appointment
        }
        return out
    }

    /// Whether the appointment is still scheduled at the start the reminder sources gave it.
    private func appointmentStands(_ appointment: ReminderSources.Appointment) async throws -> Bool {
        let customer = try await load(Customer.self, stream: Customer.stream(appointment.customerID)).state
        guard let current = customer.appointment(appointment.id) else { return false }
        return current.status == .scheduled && current.at == appointment.start
    }

    /// After dispatching a reminder for `appointment`: when the appointment was cancelled, completed or moved
    /// meanwhile, the `appointment-reminders` reaction may have looked for its reminders before this one was
    /// there, so its open reminders due at the old start follow it as that reaction would have them
    /// (``followingAppointment(_:owner:calendar:previousAt:newAt:reason:)``). A task the reaction acted on
    /// first refuses the command: that is left as it is.
    private func followAppointmentChangedMeanwhile(_ appointment: ReminderSources.Appointment, settings: Settings.State) async throws {
        let customer = try await load(Customer.self, stream: Customer.stream(appointment.customerID)).state
        guard let current = customer.appointment(appointment.id), current.status != .scheduled || current.at != appointment.start else { return }
        let newAt = current.status == .scheduled ? current.at : nil
        let reason = CRMReactions.reminderFollowReason(current.status)
        let calendar = settings.calendar(forBranch: customer.branch)
        for follow in try await followingAppointment(appointment.id, owner: customer.owner, calendar: calendar, previousAt: appointment.start,
                                                     newAt: newAt, reason: reason) {
            do {
                try await execute(WorkTask.self, id: follow.taskID, follow.command, as: .system,
                                  idempotencyKey: "schedule:reminder-follows:\(appointment.start.timeIntervalSince1970):" + follow.key)
            } catch let error as EngineError where error.code != .unavailable && error.code != .contention {
                continue
            }
        }
    }

    /// Every active contract whose last day has passed in its branch's calendar is renewed by its
    /// auto-renewal clause — as many terms as it takes for its expiry to reach the run's day, in one command
    /// (``Contract/Command/renewThrough(today:)``), so a contract several terms behind (the scheduler did not
    /// run for a while) is current after one run — or recorded as expired when it has none (R-SAL-4). The
    /// idempotency key names the contract and the expiry it acts on, and the renewal is decided on the
    /// contract's own expiry, so a second run or node acts once.
    private func renewOrExpireContracts(now: Date, items: inout ScheduledItems) async throws -> (Int, Int) {
        try await views.waitUntil(try await store.headPosition(), projections: ["reminder-sources"])
        let expiries = try views.read("reminder-sources") { try ReminderSourcesProjection.contractExpiries(in: $0) }
        let settings = try await settings()
        var renewed = 0
        var expired = 0
        for contract in expiries {
            let today = settings.calendar(forBranch: contract.branch).localDate(of: now)
            guard contract.expiry < today else { continue }
            // One contract the domain refuses (a clause out of range) or its stream unreadable does not hold up the others.
            try await items.attempt(contract.contractID) {
                let state = try await load(Contract.self, stream: Contract.stream(contract.contractID)).state
                guard state.status == .active, let terms = state.terms, terms.expiry < today else { return }
                let key = "schedule:contract-end:\(contract.contractID.lowercasedString):\(terms.expiry)"
                let command: Contract.Command = terms.renewalTermMonths == nil ? .expire(today: today) : .renewThrough(today: today)
                let result = try await execute(Contract.self, id: contract.contractID, command, as: .system, idempotencyKey: key)
                guard !result.repeated, !result.events.isEmpty else { return }
                if terms.renewalTermMonths == nil { expired += 1 } else { renewed += 1 }
            }
        }
        return (renewed, expired)
    }

    /// The diaries of the active employees that keep one (their items and subscriptions): the diary
    /// streams listed from the modification history's stream index, each folded from its stream. An item
    /// from the employee's day on (in their branch's calendar) that names a customer its employee may not query (recorded before the diary's binding
    /// refused such items, or the customer or the employee's roles changed since) loses the customer: its
    /// reminder keeps the employee's own note but tells nothing of the customer.
    private func diaries(of employees: [ReminderSources.Employee], settings: Settings.State, organisation: Organisation.State,
                         now: Date) async throws -> [ReminderSources.EmployeeDiary] {
        try await views.waitUntil(try await store.headPosition(), projections: [Self.history])
        let days = BranchDays(at: now, settings: settings)
        let byID = Dictionary(employees.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var out: [ReminderSources.EmployeeDiary] = []
        var after: String?
        while true {
            let streams = try views.read(Self.history) { try ModificationHistory.streams(category: Diary.category, in: $0, after: after, limit: 500) }
            for stream in streams {
                let owner = String(stream.rawValue.dropFirst(Diary.category.count + 1))
                guard let employee = byID[owner] else { continue }
                var diary = try await load(Diary.self, stream: stream).state
                let day = days.day(ofBranch: employee.branch)
                let named = diary.items.values.filter { $0.customerID != nil && $0.date >= day }
                if !named.isEmpty, let id = UUID(text: owner) {
                    let viewer = Principal(employeeID: id, permissions: organisation.effectivePermissions(of: id, at: now))
                    for item in named {
                        guard let customerID = item.customerID, try await !mayQueryCustomer(customerID, as: viewer, at: now) else { continue }
                        diary.items[item.id]?.customerID = nil
                    }
                }
                out.append(.init(employee: employee, diary: diary))
            }
            guard streams.count == 500, let last = streams.last else { break }
            after = last.rawValue
        }
        return out
    }

    /// Escalates every running workflow step whose deadline passed (R-ORG-5). The domain escalates a step
    /// once; the idempotency key (instance, step, step start) keeps a second node from even trying twice.
    private func escalateLateSteps(now: Date, items: inout ScheduledItems) async throws -> Int {
        try await views.waitUntil(try await store.headPosition(), projections: ["approval-inbox"])
        let late = try views.read("approval-inbox") { views in
            try views.rows(ApprovalInbox.Instance.self, in: ApprovalInbox.instances) { instance in
                instance.status == .running && instance.escalatedTo == nil && (instance.dueAt.map { $0 <= now } ?? false)
            }.map(\.row)
        }
        var escalated = 0
        for instance in late {
            let key = "schedule:escalate:\(instance.instanceID.lowercasedString):\(instance.stepIndex):\(instance.stepStartedAt.timeIntervalSince1970)"
            try await items.attempt(instance.instanceID) {
                let result = try await execute(WorkflowInstance.self, id: instance.instanceID, .escalateIfLate(at: now), as: .system, idempotencyKey: key)
                if !result.repeated && !result.events.isEmpty { escalated += 1 }
            }
        }
        return escalated
    }

    /// Dispatches a follow-up task with a deterministic id to a customer's owner, due three days from now,
    /// under an idempotency key of `key` and the task id; false when the customer has no owner, its owner is a
    /// deactivated employee (new work never goes to someone who has left: logged, and nothing is written), or
    /// the task was already there.
    func dispatchToOwner(of customerID: UUID, taskID: UUID, title: String, note: String, key: String) async throws -> Bool {
        guard let owner = try await load(Customer.self, stream: Customer.stream(customerID)).state.owner else { return false }
        if try await namesDeactivatedEmployee(owner) {
            logger.info("follow-up task not dispatched: the customer's owner is deactivated", metadata: ["task": "\(taskID.lowercasedString)"])
            return false
        }
        let details = WorkTask.Details(title: title, note: note, customerID: customerID, kind: .followUp, dueAt: clock.now().addingTimeInterval(3 * 86_400))
        let task = try await execute(WorkTask.self, id: taskID, .dispatch(taskID: taskID, details: details, assignee: owner),
                                     as: .system, idempotencyKey: "\(key):\(taskID.lowercasedString)")
        return !task.repeated && !task.events.isEmpty
    }

    /// Whether `name` names an employee of the organisation who is deactivated — by log position `position`
    /// when one is given (the organisation folded up to it, so a reaction catching up decides as the first run
    /// did), else now. An id of no employee, or a department's name, is not one. Deactivation is final, so
    /// an employee active now was active at every position: only a deactivated one's history is read.
    func namesDeactivatedEmployee(_ name: String, asOf position: GlobalPosition? = nil) async throws -> Bool {
        guard let id = UUID(text: name),
              let employee = try await organisation.current(store: store, registry: registry).employees[id], !employee.active else { return false }
        guard let position else { return true }
        let then = try await load(Organisation.self, stream: Organisation.streamID, upTo: { $0.position <= position }).state
        return then.employees[id]?.active == false
    }

    /// Runs ``runScheduledWork()`` every `interval` until the engine closes. A job that fails is logged by
    /// the run (the others still run) and tried again on the next tick; a run that throws (cancelled) is logged
    /// too. On a closed engine it starts nothing.
    public func startScheduler(every interval: Duration = .seconds(3600)) {
        guard !isClosed else { return }
        let task = Task { [weak self] in
            while !Task.isCancelled {
                guard let engine = self else { return }
                do {
                    try await engine.runScheduledWork()
                } catch {
                    engine.logger.error("scheduled work failed", metadata: ["error": "\(ScheduledWorkReport.errorCode(of: error))"])
                }
                try? await Task.sleep(for: interval)
            }
        }
        scheduler.withLock { $0?.cancel(); $0 = task }
    }
}

/// The items of one scheduled job that failed while the job went on with the others
/// (``ScheduledWorkReport/Failure/failedItems``).
struct ScheduledItems {
    let job: ScheduledWorkReport.Job
    let logger: Logger
    /// How many items failed.
    private(set) var failed = 0
    /// The first failed item's error code.
    private(set) var firstError: String?

    /// Does one item's work. An error other than cancellation is counted and logged — the job's name, the
    /// item's id and the error's code, never a message or personal data — and the job goes on with its
    /// next item; it is tried again on the next run.
    mutating func attempt(_ item: UUID, _ work: () async throws -> Void) async throws {
        do {
            try await work()
        } catch {
            if error is CancellationError || Task.isCancelled { throw error }
            let code = ScheduledWorkReport.errorCode(of: error)
            logger.error("scheduled item failed", metadata: ["job": "\(job)", "item": "\(item.lowercasedString)", "error": "\(code)"])
            failed += 1
            if firstError == nil { firstError = code }
        }
    }
}
