import EventSourcing
import Foundation

/// Reminder generation (R-TSK-4, R-TSK-7, R-CUS-5): a pure function from a day, the reminder sources and
/// the settings to the ``WorkTask`` dispatch commands of the reminder tasks due to be created.
///
/// For every occurrence (a key date's yearly recurrence, a holiday, an appointment, a contract expiry, a
/// diary item) on local day `O`, a reminder task for the person concerned is dispatched on any day `D`
/// with `D ≤ O ≤ D + lead`, where `lead` is `settings.leadDays(kind)` (or a diary subscription's own
/// lead time). Days are read in each source's branch calendar (`settings.calendar(forBranch:)`): with
/// ``commands(at:sources:settings:)`` `D` is the source's own local day at the instant — a customer's or
/// appointment's or contract's branch, for a holiday or a diary item its employee's branch, for a
/// subscription the subscribed occurrence's — so a branch ahead of UTC gets its reminders when its own day
/// starts. The task is due at the end of `O` in that zone (its last second, ``dueAtEnd(of:in:)``), so on its
/// day it is due today, not overdue — or at the appointment's start, or at a diary item's time.
///
/// Reminder task ids derive from their source and occurrence day, not from the day of generation, so
/// generating one day twice — or catching up on missed days — yields the same commands, and the task's
/// idempotent dispatch records nothing the second time.
///
/// ```swift
/// for command in Reminders.commands(at: now, sources: sources, settings: settings) {
///     // run each command on WorkTask's stream of its task id
/// }
/// ```
public enum Reminders {
    /// The most days ahead a reminder is generated (the range the settings allow).
    public static let maximumLeadDays = 366

    /// The dispatch commands for the reminders generated at `instant`, each source on its own branch's local
    /// day then (`settings.calendar(forBranch:)`), ordered by due instant, then task id. What the scheduler
    /// runs: a source in a zone ahead of UTC gets its day's reminders as soon as that day starts there.
    public static func commands(at instant: Date, sources: ReminderSources, settings: Settings.State) -> [WorkTask.Command] {
        let days = BranchDays(at: instant, settings: settings)
        return commands(sources: sources, settings: settings) { days.day(ofBranch: $0) }
    }

    /// The dispatch commands for the reminders generated on `day`, the same day for every source whatever
    /// its branch, ordered by due instant, then task id.
    public static func commands(for day: LocalDate, sources: ReminderSources, settings: Settings.State) -> [WorkTask.Command] {
        commands(sources: sources, settings: settings) { _ in day }
    }

    /// The dispatch commands with each source's window starting on `today(branch)` of its branch.
    private static func commands(sources: ReminderSources, settings: Settings.State, today: (String?) -> LocalDate) -> [WorkTask.Command] {
        var found: [Occurrence] = []
        for kind in [ReminderKind.birthday, .anniversary, .holiday, .appointment, .contractExpiry] {
            found += occurrences(of: kind, leadDays: settings.leadDays(kind), today: today, sources: sources, settings: settings,
                                 holidayRecipients: sources.employees)
        }
        for entry in sources.diaries {
            found += diaryOccurrences(entry, from: today(entry.employee.branch), settings: settings)
            found += subscriptionOccurrences(entry, today: today, sources: sources, settings: settings)
        }
        var seen = Set<UUID>()
        return found
            .filter { !$0.recipient.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty && seen.insert($0.taskID).inserted }
            .sorted { ($0.dueAt, $0.taskID.uuidString) < ($1.dueAt, $1.taskID.uuidString) }
            .map(\.command)
    }

    /// The id of the reminder of `kind` for the source `sourceID` occurring on `occurrence`.
    public static func reminderID(kind: ReminderKind, sourceID: String, occurrence: LocalDate) -> UUID {
        UUID.derived("reminder", kind.rawValue, sourceID, occurrence.description)
    }

    /// The id of the `reissue`-th reminder of `kind` for `sourceID` on `occurrence`: 0 is the one generation
    /// dispatches (``reminderID(kind:sourceID:occurrence:)``); 1, 2, … are issued afresh when an appointment
    /// comes back to a day whose earlier reminders were closed (moved away, then back), so each return gets
    /// one open reminder again.
    public static func reminderID(kind: ReminderKind, sourceID: String, occurrence: LocalDate, reissue: Int) -> UUID {
        guard reissue > 0 else { return reminderID(kind: kind, sourceID: sourceID, occurrence: occurrence) }
        return UUID.derived("reminder", kind.rawValue, sourceID, occurrence.description, "reissue", String(reissue))
    }

    /// The source id of `employee`'s subscription reminder for the occurrence of `kind` from `sourceID`.
    public static func subscriptionSourceID(employee: String, kind: ReminderKind, sourceID: String) -> String {
        "\(employee)/\(kind.rawValue)/\(sourceID)"
    }

    /// The dispatch of `appointment`'s reminder on its day in `calendar` (its branch's), as generation makes
    /// it, with the id of its `reissue` (``reminderID(kind:sourceID:occurrence:reissue:)``): to its owner, or
    /// with `subscribed`, the owner's subscription reminder.
    public static func appointmentReminder(_ appointment: ReminderSources.Appointment, calendar: LocalCalendar, subscribed: Bool,
                                           reissue: Int) -> WorkTask.Command {
        let day = calendar.localDate(of: appointment.start)
        var occurrence = appointmentOccurrence(appointment, day: day)
        if subscribed { occurrence = occurrence.subscribed(by: appointment.owner) }
        occurrence.reissue = reissue
        return occurrence.command
    }

    /// An appointment's occurrence on `day`, the local day of its start.
    private static func appointmentOccurrence(_ appointment: ReminderSources.Appointment, day: LocalDate) -> Occurrence {
        Occurrence(kind: .appointment, sourceID: appointment.id.lowercasedString, day: day,
                   recipient: appointment.owner, branch: appointment.branch, customerID: appointment.customerID,
                   dueAt: appointment.start, title: "Appointment (\(appointment.purpose)) on \(day)")
    }

    /// The occurrences of one yearly key date between two days (inclusive), never in or before its own
    /// year; February 29th falls on the 28th in common years.
    public static func yearlyOccurrences(of date: LocalDate, from: LocalDate, through: LocalDate) -> [LocalDate] {
        guard from <= through else { return [] }
        return (from.year...through.year).map { date.anniversary(in: $0) }
            .filter { $0.year > date.year && from <= $0 && $0 <= through }
    }

    /// When a reminder of a whole day is due: the last second of `day` in `calendar` (the branch's). Due then,
    /// it is "due today" all that day on the task board, and overdue only once the day is over (R-TSK-2, R-TSK-3).
    public static func dueAtEnd(of day: LocalDate, in calendar: LocalCalendar) -> Date {
        calendar.endOfDay(day).addingTimeInterval(-1)
    }

    private static func lead(_ days: Int) -> Int { min(max(days, 0), maximumLeadDays) }

    /// The occurrences of a standard reminder kind in each source's window — from `today` of its branch
    /// through `leadDays` later — each for the person it concerns.
    private static func occurrences(of kind: ReminderKind, leadDays: Int, today: (String?) -> LocalDate, sources: ReminderSources,
                                    settings: Settings.State, holidayRecipients: [ReminderSources.Employee]) -> [Occurrence] {
        let window = lead(leadDays)
        switch kind {
        case .birthday, .anniversary:
            return sources.keyDates.filter { $0.kind.reminderKind == kind }.flatMap { keyDate in
                let calendar = settings.calendar(forBranch: keyDate.branch)
                let from = today(keyDate.branch), through = from.adding(days: window)
                return yearlyOccurrences(of: keyDate.date, from: from, through: through).map { day in
                    let title = keyDate.kind == .birthday
                        ? "Birthday on \(day)"
                        : "Founding anniversary (\(day.year - keyDate.date.year) years) on \(day)"
                    return Occurrence(kind: kind, sourceID: keyDate.customerID.lowercasedString, day: day,
                                      recipient: keyDate.owner, branch: keyDate.branch, customerID: keyDate.customerID,
                                      dueAt: dueAtEnd(of: day, in: calendar), title: title)
                }
            }
        case .holiday:
            return holidayRecipients.flatMap { employee in
                let calendar = settings.calendar(forBranch: employee.branch)
                let from = today(employee.branch), through = from.adding(days: window)
                return settings.holidays
                    .filter { from <= $0.date && $0.date <= through && $0.applies(to: employee.branch) }
                    .map { holiday in
                        Occurrence(kind: .holiday, sourceID: "\(employee.id)/\(holiday.name)", day: holiday.date,
                                   recipient: employee.id, branch: employee.branch, customerID: nil,
                                   dueAt: dueAtEnd(of: holiday.date, in: calendar), title: "Holiday: \(holiday.name) on \(holiday.date)")
                    }
            }
        case .appointment:
            return sources.appointments.compactMap { appointment in
                let day = settings.calendar(forBranch: appointment.branch).localDate(of: appointment.start)
                let from = today(appointment.branch)
                guard from <= day && day <= from.adding(days: window) else { return nil }
                return appointmentOccurrence(appointment, day: day)
            }
        case .contractExpiry:
            return sources.contractExpiries.compactMap { contract in
                let from = today(contract.branch)
                guard from <= contract.expiry && contract.expiry <= from.adding(days: window) else { return nil }
                let calendar = settings.calendar(forBranch: contract.branch)
                return Occurrence(kind: .contractExpiry, sourceID: contract.contractID.lowercasedString, day: contract.expiry,
                                  recipient: contract.owner, branch: contract.branch, customerID: contract.customerID,
                                  dueAt: dueAtEnd(of: contract.expiry, in: calendar), title: "Contract expires on \(contract.expiry)")
            }
        case .diary, .subscription:
            return []
        }
    }

    /// The employee's own diary items in the diary lead window.
    private static func diaryOccurrences(_ entry: ReminderSources.EmployeeDiary, from: LocalDate, settings: Settings.State) -> [Occurrence] {
        let through = from.adding(days: lead(settings.leadDays(.diary)))
        let calendar = settings.calendar(forBranch: entry.employee.branch)
        return entry.diary.sortedItems.filter { from <= $0.date && $0.date <= through }.map { item in
            let firstLine = item.note.split(whereSeparator: \.isNewline).first.map(String.init) ?? item.note
            return Occurrence(kind: .diary, sourceID: item.id.lowercasedString, day: item.date,
                              recipient: entry.employee.id, branch: entry.employee.branch, customerID: item.customerID,
                              dueAt: item.time?.instant(on: item.date, in: calendar) ?? dueAtEnd(of: item.date, in: calendar),
                              title: String(firstLine.prefix(200)), note: item.note)
        }
    }

    /// Extra reminders for the employee's subscriptions: occurrences of the subscribed kinds that concern
    /// them (their customers, their branch's holidays), each subscription with its own lead time.
    private static func subscriptionOccurrences(_ entry: ReminderSources.EmployeeDiary, today: (String?) -> LocalDate, sources: ReminderSources,
                                                settings: Settings.State) -> [Occurrence] {
        let employee = entry.employee
        return entry.diary.subscriptions.values.sorted { $0.kind.rawValue < $1.kind.rawValue }.flatMap { subscription in
            occurrences(of: subscription.kind, leadDays: subscription.leadDays ?? settings.leadDays(.subscription), today: today,
                        sources: sources, settings: settings, holidayRecipients: [employee])
                .filter { $0.recipient == employee.id }
                .map { $0.subscribed(by: employee.id) }
        }
    }
}

/// One occurrence a reminder is due for, before it becomes a dispatch command.
private struct Occurrence {
    var kind: ReminderKind
    var sourceID: String
    var day: LocalDate
    var recipient: String
    var branch: String?
    var customerID: UUID?
    var dueAt: Date
    var title: String
    var note: String?
    /// Which of the day's reminders for the source (``Reminders/reminderID(kind:sourceID:occurrence:reissue:)``).
    var reissue = 0

    var taskID: UUID { Reminders.reminderID(kind: kind, sourceID: sourceID, occurrence: day, reissue: reissue) }

    /// `employee`'s subscription reminder for this occurrence.
    func subscribed(by employee: String) -> Occurrence {
        Occurrence(kind: .subscription, sourceID: Reminders.subscriptionSourceID(employee: employee, kind: kind, sourceID: sourceID), day: day,
                   recipient: employee, branch: branch, customerID: customerID, dueAt: dueAt, title: "Subscribed: \(title)")
    }

    var command: WorkTask.Command {
        .dispatch(taskID: taskID,
                  details: WorkTask.Details(title: String(title.prefix(200)), note: note, customerID: customerID, kind: .reminder,
                                            dueAt: dueAt, branch: branch, reminderKind: kind),
                  assignee: recipient)
    }
}
