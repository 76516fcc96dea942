import CRMDomain
import EventSourcing
import Foundation

extension CRMReactions {
    /// Appointment reminders follow their appointment (R-CUS-5, R-TSK-4): when an appointment is cancelled or
    /// completed, its open reminder tasks are cancelled; when it is rescheduled, its open reminders for the old
    /// time are rescheduled to the new time if it falls on the same local day (the reminder's id names that
    /// day), and cancelled otherwise — the scheduler dispatches the new day's reminder when it is due. Moved to
    /// a day whose reminders were dispatched before and are all closed now (moved away and back), it gets a
    /// fresh one there at once: the day's next reissue (``Reminders/reminderID(kind:sourceID:occurrence:reissue:)``),
    /// its own and, when its owner subscribes to appointments, the owner's subscription reminder — only while
    /// the appointment is still scheduled at the time the event moved it to, and not for a day already past.
    ///
    /// The reminders are found by their ids (``CRMEngine/appointmentReminders(_:owner:on:)``): the
    /// appointment's own and its owner's subscription reminder, each with its reissues, for the local day of
    /// the old time in the customer's branch calendar (and the day either side, should the branch have changed
    /// since). Only an open task still due at the old time is acted on; the commands run as the system under
    /// the reaction's keys (`cancel:<task id>`, `reschedule:<task id>`, `dispatch:<task id>`), so a replay acts
    /// once.
    public static let appointmentReminders = Reaction(
        name: "appointment-reminders",
        eventTypes: [CustomerAppointmentCancelled.eventType, CustomerAppointmentCompleted.eventType, CustomerAppointmentRescheduled.eventType]
    ) { event, engine in
        let customerID: UUID, appointmentID: UUID, newAt: Date?, reason: String
        var movedFrom: Date?
        switch event.payload {
        case let e as CustomerAppointmentCancelled:
            (customerID, appointmentID, newAt, reason) = (e.customerID, e.appointmentID, nil, CRMReactions.reminderFollowReason(.cancelled))
        case let e as CustomerAppointmentCompleted:
            (customerID, appointmentID, newAt, reason) = (e.customerID, e.appointmentID, nil, CRMReactions.reminderFollowReason(.completed))
        case let e as CustomerAppointmentRescheduled:
            (customerID, appointmentID, newAt, reason) = (e.customerID, e.appointmentID, e.at, CRMReactions.reminderFollowReason(.scheduled))
            movedFrom = e.previousAt
        default:
            return []
        }
        let customer = try await engine.load(Customer.self, stream: Customer.stream(customerID)).state
        // A cancelled or completed appointment keeps its time in the customer's state (and is never moved again).
        guard let appointment = customer.appointment(appointmentID) else { return [] }
        let previousAt = movedFrom ?? appointment.at
        let calendar = try await engine.settings(asOf: event.position).calendar(forBranch: customer.branch)
        var commands = try await engine.followingAppointment(appointmentID, owner: customer.owner, calendar: calendar,
                                                             previousAt: previousAt, newAt: newAt, reason: reason)
        if let newAt, calendar.localDate(of: newAt) != calendar.localDate(of: previousAt),
           appointment.status == .scheduled, appointment.at == newAt {
            commands += try await engine.reissuedAppointmentReminders(appointment, customerID: customerID, customer: customer, calendar: calendar)
        }
        return commands.map { .execute(WorkTask.self, id: $0.taskID, $0.command, key: $0.key) }
    }
}

extension CRMReactions {
    /// Why an appointment's open reminders are cancelled (or moved) once it has `status`: a scheduled one was
    /// moved. The reaction and the scheduler's re-check give the same reason.
    static func reminderFollowReason(_ status: AppointmentStatus) -> String {
        switch status {
        case .cancelled: "the appointment was cancelled"
        case .completed: "the appointment was completed"
        case .scheduled: "the appointment was moved to another day"
        }
    }
}

/// A command on one of an appointment's reminder tasks, with the key it runs under.
struct AppointmentReminderCommand: Sendable {
    let taskID: UUID
    let command: WorkTask.Command
    let key: String
}

/// One of an appointment's reminder tasks on a day, as dispatched.
struct AppointmentReminderTask: Sendable {
    let id: UUID
    /// The owner's subscription reminder, not the appointment's own.
    let subscribed: Bool
    let state: WorkTask.State
}

extension CRMEngine {
    /// The reminder tasks dispatched for the appointment `appointmentID` on `day`: its own, and when its
    /// customer has an `owner` the owner's subscription reminder, each with its reissues in order
    /// (``Reminders/reminderID(kind:sourceID:occurrence:reissue:)``) up to the first one not dispatched.
    func appointmentReminders(_ appointmentID: UUID, owner: String?, on day: LocalDate) async throws -> [AppointmentReminderTask] {
        let source = appointmentID.lowercasedString
        var kinds: [(kind: ReminderKind, sourceID: String, subscribed: Bool)] = [(.appointment, source, false)]
        if let owner {
            kinds.append((.subscription, Reminders.subscriptionSourceID(employee: Employee.canonicalID(owner), kind: .appointment, sourceID: source), true))
        }
        var out: [AppointmentReminderTask] = []
        for (kind, sourceID, subscribed) in kinds {
            var reissue = 0
            while true {
                let id = Reminders.reminderID(kind: kind, sourceID: sourceID, occurrence: day, reissue: reissue)
                let task = try await load(WorkTask.self, stream: WorkTask.stream(id)).state
                guard task.exists else { break }
                out.append(.init(id: id, subscribed: subscribed, state: task))
                reissue += 1
            }
        }
        return out
    }

    /// The commands that make the appointment's open reminder tasks due at `previousAt` follow it: each is
    /// rescheduled to `newAt` when that falls on its local day in `calendar` (the customer's branch's), else
    /// cancelled with `reason` — and cancelled when `newAt` is nil (the appointment ended). The tasks are looked
    /// for on the local day of `previousAt` and the day either side (the branch may have changed since).
    func followingAppointment(_ appointmentID: UUID, owner: String?, calendar: LocalCalendar, previousAt: Date, newAt: Date?,
                              reason: String) async throws -> [AppointmentReminderCommand] {
        let oldDay = calendar.localDate(of: previousAt)
        var commands: [AppointmentReminderCommand] = []
        for day in [oldDay, oldDay.adding(days: -1), oldDay.adding(days: 1)] {
            for task in try await appointmentReminders(appointmentID, owner: owner, on: day) {
                guard task.state.status.isOpen, let details = task.state.details, details.kind == .reminder,
                      details.dueAt == previousAt else { continue }
                let id = task.id.lowercasedString
                if let newAt, calendar.localDate(of: newAt) == day {
                    commands.append(.init(taskID: task.id, command: .reschedule(dueAt: newAt, reason: "the appointment was rescheduled"), key: "reschedule:" + id))
                } else {
                    commands.append(.init(taskID: task.id, command: .cancel(reason: reason), key: "cancel:" + id))
                }
            }
        }
        return commands
    }

    /// Fresh reminders for a scheduled appointment whose local day already had its reminders dispatched and
    /// all closed since (it was moved away and back): for its own reminder and — when the owner's diary
    /// subscribes to appointments — the owner's subscription reminder, the day's next reissue, as generation
    /// would make it. None for a customer without an owner, archived or merged, nor for a day already past;
    /// a day whose reminder was never dispatched is left to the scheduler.
    func reissuedAppointmentReminders(_ appointment: Appointment, customerID: UUID, customer: Customer.State,
                                      calendar: LocalCalendar) async throws -> [AppointmentReminderCommand] {
        guard let owner = customer.owner.map(Employee.canonicalID), !customer.isArchived, customer.mergedInto == nil else { return [] }
        let day = calendar.localDate(of: appointment.at)
        guard day >= calendar.localDate(of: clock.now()) else { return [] }
        let tasks = try await appointmentReminders(appointment.id, owner: owner, on: day)
        let subscribes = try await load(Diary.self, stream: Diary.stream(employee: owner)).state.subscriptions[.appointment] != nil
        let source = ReminderSources.Appointment(id: appointment.id, customerID: customerID, owner: owner, branch: customer.branch,
                                                 purpose: appointment.kind.rawValue, start: appointment.at)
        var commands: [AppointmentReminderCommand] = []
        for subscribed in subscribes ? [false, true] : [false] {
            let earlier = tasks.filter { $0.subscribed == subscribed }
            guard !earlier.isEmpty, !earlier.contains(where: { $0.state.status.isOpen }) else { continue }
            let command = Reminders.appointmentReminder(source, calendar: calendar, subscribed: subscribed, reissue: earlier.count)
            guard case .dispatch(let taskID, _, _) = command else { continue }
            // Keyed by which reminder it is, not by the reissue's id: that id counts the day's reissues as the log
            // holds them when the reaction runs, so the same event run again later (a checkpoint ahead of a
            // restored log, a lagging node) meets its stored key and is skipped instead of reissuing once more.
            commands.append(.init(taskID: taskID, command: command, key: subscribed ? "reissue:subscription" : "reissue:appointment"))
        }
        return commands
    }
}
