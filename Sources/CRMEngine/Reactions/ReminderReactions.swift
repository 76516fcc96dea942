import CRMDomain
import EventSourcing
import Foundation

extension CRMReactions {
    /// Appointment reminders follow their appointment (R-CUS-5, R-TSK-4): when an appointment is cancelled,
    /// its open reminder tasks are cancelled; when it is rescheduled, its open reminders for the old time are
    /// rescheduled to the new time if it falls on the same local day (the reminder's id names that day), and
    /// cancelled otherwise — the scheduler dispatches the new day's reminder when it is due.
    ///
    /// The reminders are found by their ids (``Reminders/reminderID(kind:sourceID:occurrence:)``): the
    /// appointment's own and its owner's subscription reminder, for the local day of the old time in the
    /// customer's branch calendar (and the day either side, should the branch have changed since). Only an
    /// open task still due at the old time is acted on; the commands run as the system under the reaction's
    /// keys (`cancel:<task id>`, `reschedule:<task id>`), so a replay acts once.
    public static let appointmentReminders = Reaction(
        name: "appointment-reminders", eventTypes: [CustomerAppointmentCancelled.eventType, CustomerAppointmentRescheduled.eventType]
    ) { event, engine in
        let appointmentID: UUID
        let previousAt: Date
        let newAt: Date?
        let customer: Customer.State
        switch event.payload {
        case let e as CustomerAppointmentCancelled:
            customer = try await engine.load(Customer.self, stream: Customer.stream(e.customerID)).state
            // A cancelled appointment keeps its time in the customer's state (and is never moved again).
            guard let appointment = customer.appointment(e.appointmentID) else { return [] }
            (appointmentID, previousAt, newAt) = (e.appointmentID, appointment.at, nil)
        case let e as CustomerAppointmentRescheduled:
            customer = try await engine.load(Customer.self, stream: Customer.stream(e.customerID)).state
            (appointmentID, previousAt, newAt) = (e.appointmentID, e.previousAt, e.at)
        default:
            return []
        }
        let calendar = try await engine.settings().calendar(forBranch: customer.branch)
        let oldDay = calendar.localDate(of: previousAt)
        let source = appointmentID.lowercasedString
        var commands: [ReactionCommand] = []
        for day in [oldDay, oldDay.adding(days: -1), oldDay.adding(days: 1)] {
            var ids = [Reminders.reminderID(kind: .appointment, sourceID: source, occurrence: day)]
            if let owner = customer.owner {
                let sourceID = "\(Employee.canonicalID(owner))/\(ReminderKind.appointment.rawValue)/\(source)"
                ids.append(Reminders.reminderID(kind: .subscription, sourceID: sourceID, occurrence: day))
            }
            for taskID in ids {
                let task = try await engine.load(WorkTask.self, stream: WorkTask.stream(taskID)).state
                guard task.exists, task.status.isOpen, let details = task.details, details.kind == .reminder,
                      details.dueAt == previousAt else { continue }
                if let newAt, calendar.localDate(of: newAt) == day {
                    commands.append(.execute(WorkTask.self, id: taskID, .reschedule(dueAt: newAt, reason: "the appointment was rescheduled"),
                                             key: "reschedule:" + taskID.lowercasedString))
                } else {
                    let reason = newAt == nil ? "the appointment was cancelled" : "the appointment was moved to another day"
                    commands.append(.execute(WorkTask.self, id: taskID, .cancel(reason: reason), key: "cancel:" + taskID.lowercasedString))
                }
            }
        }
        return commands
    }
}
