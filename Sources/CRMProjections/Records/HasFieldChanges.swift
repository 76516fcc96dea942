import CRMDomain
import Foundation

/// A payload that records which fields changed, old → new (R-LOG-5). The conformances below are the
/// explicit list the modification history reads: payloads with a `[FieldChange]` trail, and transitions
/// whose old and new values are plain fields (a reassignment, a reschedule), shown as changes too.
/// A payload type that carries changes and is missing here shows as its event type only: every domain payload
/// type conforms (here and in HasFieldChanges+Sales, +Service, +Organisation) or is in
/// ``HistoryWithoutFieldChanges`` with the reason, which a test checks. The list is computed when the history
/// is read, never by the view (the events are read from the log).
public protocol HasFieldChanges {
    /// The changed fields, in the payload's order.
    var fieldChanges: [FieldChange] { get }
}

/// The domain event types whose history entries name no fields (their summary is the event type), each with
/// the reason: the only ones that do not conform to ``HasFieldChanges``.
public enum HistoryWithoutFieldChanges {
    public static let eventTypes: [String: String] = [
        TaskCompletionQueuedForWriteBack.eventType: "the outbox copy of a TaskCompleted, whose entry names the result",
        RoutingRulesReplaced.eventType: "a whole rule set replaced: the payload holds the new set only, no field old → new",
        LoyaltyThresholdsReplaced.eventType: "a whole rule set replaced: the payload holds the new set only, no field old → new",
        KPIRulesReplaced.eventType: "a whole rule set replaced: the payload holds the new set only, no field old → new",
        LoyaltyAccrualRulesReplaced.eventType: "a whole rule set replaced: the payload holds the new set only, no field old → new",
        TicketRuleChainSet.eventType: "a rule chain set whole: the payload holds the new chain only, no field old → new",
        TicketRuleChainRemoved.eventType: "a rule chain removed: the payload names which one, not what it held",
    ]
}

extension CustomerEdited: HasFieldChanges { public var fieldChanges: [FieldChange] { changes } }
/// A new customer: every field it starts with, from nothing (∅ → value), as an edit would name them.
extension CustomerCreated: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        var c: [FieldChange] = []
        c.record("name", nil, .text(name))
        c.record("kind", nil, .option(kind.rawValue))
        c.record("group", nil, .text(group))
        c.record("industry", nil, industry.map(FieldValue.text))
        c.record("branch", nil, branch.map(FieldValue.text))
        c.record("community", nil, community.map(FieldValue.text))
        c.record("owner", nil, owner.map(FieldValue.text))
        c.record("status", nil, .option(status.rawValue))
        c.record("birthday", nil, birthday.map(FieldValue.date))
        c.record("founded", nil, founded.map(FieldValue.date))
        for key in customFields.keys.sorted() { c.record(Customer.customFieldPrefix + key, nil, customFields[key]) }
        return c
    }
}
extension ContactEdited: HasFieldChanges { public var fieldChanges: [FieldChange] { changes } }
extension TaskEdited: HasFieldChanges { public var fieldChanges: [FieldChange] { changes } }
extension ContactLogAmended: HasFieldChanges { public var fieldChanges: [FieldChange] { changes } }
extension OpportunityEdited: HasFieldChanges { public var fieldChanges: [FieldChange] { changes } }
extension OpportunityStageChanged: HasFieldChanges { public var fieldChanges: [FieldChange] { [change] } }
extension ProductEdited: HasFieldChanges { public var fieldChanges: [FieldChange] { changes } }
extension CampaignPlanChanged: HasFieldChanges { public var fieldChanges: [FieldChange] { changes } }
extension ContractTermsChanged: HasFieldChanges { public var fieldChanges: [FieldChange] { changes } }
/// An item's changes under `items.<id>.` (as ``DiaryItemAdded`` names them; its `customerID` as `customer`).
extension DiaryItemChanged: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        let path = "items.\(itemID.lowercasedString)."
        return changes.map { FieldChange(field: path + ($0.field == "customerID" ? "customer" : $0.field), old: $0.old, new: $0.new) }
    }
}
/// A form field's changes named by the field they belong to: `fields.<name>.<what>` (e.g. `fields.size.options`).
extension CustomerFormFieldChanged: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        changes.map { FieldChange(field: "fields.\(field.name).\($0.field)", old: $0.old, new: $0.new) }
    }
}
extension SurveyTemplateRevised: HasFieldChanges { public var fieldChanges: [FieldChange] { changes } }
extension ConnectionStageReplanned: HasFieldChanges { public var fieldChanges: [FieldChange] { changes } }
extension EmployeeChanged: HasFieldChanges { public var fieldChanges: [FieldChange] { changes } }
/// The values changed under `values.<field>` (as ``FeedbackFormSubmitted`` names them), and the status
/// `returned` → `submitted` (an amendment is made only to a returned form; it may change no value).
extension FeedbackFormAmended: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        changes.map { FieldChange(field: "values.\($0.field)", old: $0.old, new: $0.new) }
            + [FieldChange(field: "status", old: .option(FeedbackStatus.returned.rawValue), new: .option(FeedbackStatus.submitted.rawValue))]
    }
}

// Transitions with plain old/new fields.

/// An instant as the history shows it (ISO 8601, UTC).
func instant(_ d: Date) -> FieldValue { .text(d.formatted(Date.ISO8601FormatStyle())) }

extension TaskReassigned: HasFieldChanges {
    public var fieldChanges: [FieldChange] { [FieldChange(field: "assignee", old: .text(previousAssignee), new: .text(assignee))] }
}
extension TaskRescheduled: HasFieldChanges {
    public var fieldChanges: [FieldChange] { [FieldChange(field: "dueAt", old: instant(previousDueAt), new: instant(dueAt))] }
}
extension TicketAssigned: HasFieldChanges {
    public var fieldChanges: [FieldChange] { [FieldChange(field: "assignee", old: previousAssignee.map { .text($0) }, new: .text(assignee))] }
}
extension TicketUnassigned: HasFieldChanges {
    public var fieldChanges: [FieldChange] { [FieldChange(field: "assignee", old: .text(previousAssignee), new: nil)] }
}
extension TicketHandedOver: HasFieldChanges {
    public var fieldChanges: [FieldChange] { [FieldChange(field: "department", old: .text(fromDepartment), new: .text(toDepartment))] }
}
extension TicketSeverityChanged: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        var c: [FieldChange] = [FieldChange(field: "severity", old: .option(oldSeverity.rawValue), new: .option(newSeverity.rawValue))]
        c.record("responseDueAt", instant(oldResponseDueAt), instant(newResponseDueAt))
        c.record("resolutionDueAt", instant(oldResolutionDueAt), instant(newResolutionDueAt))
        return c
    }
}
extension VisitRescheduled: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        var c: [FieldChange] = []
        c.record("scheduledAt", instant(oldScheduledAt), instant(newScheduledAt))
        c.record("place", .text(oldPlace), .text(newPlace))
        return c
    }
}
extension CustomerExternalKeySet: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        [FieldChange(field: "externalKey.\(key.system)", old: previousKey.map { .text($0) }, new: .text(key.key))]
    }
}
extension CustomerExternalKeyRemoved: HasFieldChanges {
    public var fieldChanges: [FieldChange] { [FieldChange(field: "externalKey.\(key.system)", old: .text(key.key), new: nil)] }
}
extension CustomerOwnershipTransferred: HasFieldChanges {
    public var fieldChanges: [FieldChange] { [FieldChange(field: "holder", old: .text(previousHolder), new: .text(newHolder))] }
}
extension CustomerAppointmentRescheduled: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        var c: [FieldChange] = []
        c.record("appointment.at", instant(previousAt), instant(at))
        c.record("appointment.address", .text(previousAddress), .text(address))
        return c
    }
}
extension CustomerInstallationMoved: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        var c: [FieldChange] = []
        c.record("installation.address", .text(fromAddress), .text(toAddress))
        c.record("installation.meterNumber", .text(previousMeterNumber), .text(meterNumber))
        return c
    }
}
extension OpportunityAssigned: HasFieldChanges {
    public var fieldChanges: [FieldChange] { [FieldChange(field: "owner", old: .text(previousOwner), new: .text(owner))] }
}
extension WinProbabilitySuggested: HasFieldChanges {
    public var fieldChanges: [FieldChange] { [FieldChange(field: "winProbability", old: previous.map { .number($0) }, new: .number(percent))] }
}
/// The percent old → new and the reason the override requires.
extension WinProbabilityOverridden: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        [FieldChange(field: "winProbability", old: previous.map { .number($0) }, new: .number(percent)),
         FieldChange(field: "overrideReason", old: nil, new: .text(reason))]
    }
}
extension ContractRenewed: HasFieldChanges {
    public var fieldChanges: [FieldChange] { [FieldChange(field: "expiry", old: .date(previousExpiry), new: .date(expiry))] }
}
extension MaintenanceAgentChanged: HasFieldChanges {
    public var fieldChanges: [FieldChange] { [FieldChange(field: "agent", old: .text(oldAgent), new: .text(newAgent))] }
}
extension MaintenanceManagerChanged: HasFieldChanges {
    public var fieldChanges: [FieldChange] { [FieldChange(field: "manager", old: .text(oldManager), new: .text(newManager))] }
}
extension UnitRenamed: HasFieldChanges {
    public var fieldChanges: [FieldChange] { [FieldChange(field: "name", old: .text(previousName), new: .text(name))] }
}

// Status transitions: the status old → new (each event comes from exactly one status), with the reason given.

extension CustomerActivated: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        [FieldChange(field: "status", old: .option(CustomerStatus.prospect.rawValue), new: .option(CustomerStatus.active.rawValue))]
    }
}
extension CustomerSuspended: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        [FieldChange(field: "status", old: .option(CustomerStatus.active.rawValue), new: .option(CustomerStatus.suspended.rawValue)),
         FieldChange(field: "suspensionReason", old: nil, new: .text(reason))]
    }
}
extension CustomerResumed: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        [FieldChange(field: "status", old: .option(CustomerStatus.suspended.rawValue), new: .option(CustomerStatus.active.rawValue))]
    }
}
extension CustomerArchived: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        var c: [FieldChange] = [FieldChange(field: "isArchived", old: .bool(false), new: .bool(true))]
        c.record("reason", nil, reason.map(FieldValue.text))
        return c
    }
}
extension CustomerRestored: HasFieldChanges {
    public var fieldChanges: [FieldChange] { [FieldChange(field: "isArchived", old: .bool(true), new: .bool(false))] }
}

// Appointments: each one's fields under `appointment.` (as a reschedule names them).

extension CustomerAppointmentScheduled: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        var c: [FieldChange] = []
        c.record("appointment.id", nil, .id(appointment.id))
        c.record("appointment.kind", nil, .option(appointment.kind.rawValue))
        c.record("appointment.at", nil, instant(appointment.at))
        c.record("appointment.address", nil, .text(appointment.address))
        c.record("appointment.note", nil, appointment.note.map(FieldValue.text))
        return c
    }
}
extension CustomerAppointmentCompleted: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        var c: [FieldChange] = [FieldChange(field: "appointment.status", old: .option(AppointmentStatus.scheduled.rawValue),
                                            new: .option(AppointmentStatus.completed.rawValue))]
        c.record("appointment.note", nil, note.map(FieldValue.text))
        return c
    }
}
extension CustomerAppointmentCancelled: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        var c: [FieldChange] = [FieldChange(field: "appointment.status", old: .option(AppointmentStatus.scheduled.rawValue),
                                            new: .option(AppointmentStatus.cancelled.rawValue))]
        c.record("reason", nil, reason.map(FieldValue.text))
        return c
    }
}

// A new contact's fields, and its relationships (`relationship.<kind>`: the other contact's id).

extension ContactCreated: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        var c: [FieldChange] = []
        c.record("name", nil, .text(name))
        c.record("role", nil, .option(role.rawValue))
        c.record("title", nil, title.map(FieldValue.text))
        c.record("phone", nil, phone.map(FieldValue.text))
        c.record("email", nil, email.map(FieldValue.text))
        return c
    }
}
extension ContactRelationshipAdded: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        [FieldChange(field: "relationship.\(relationship.kind.rawValue)", old: nil, new: .id(relationship.contactID))]
    }
}
extension ContactRelationshipRemoved: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        [FieldChange(field: "relationship.\(relationship.kind.rawValue)", old: .id(relationship.contactID), new: nil)]
    }
}

// A maintenance pairing's people.

extension MaintenancePaired: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        [FieldChange(field: "agent", old: nil, new: .text(agent)), FieldChange(field: "manager", old: nil, new: .text(manager))]
    }
}
extension MaintenanceUnpaired: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        [FieldChange(field: "agent", old: .text(agent), new: nil), FieldChange(field: "manager", old: .text(manager), new: nil),
         FieldChange(field: "reason", old: nil, new: .text(reason))]
    }
}

// Configuration (R-ORG-4) and grants (R-ORG-2): what an administrator set, old → new, under a path naming
// what it is about (`sla.<kind>.<severity>.responseMinutes`, `holidays.<date>`, `grants.<grant id>.role`).

extension SLADeadlineSet: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        let path = "sla.\(deadline.kind.rawValue).\(deadline.severity.rawValue)"
        var c: [FieldChange] = []
        c.record(path + ".responseMinutes", previous.map { .number(Decimal($0.responseMinutes)) }, .number(Decimal(deadline.responseMinutes)))
        c.record(path + ".resolutionMinutes", previous.map { .number(Decimal($0.resolutionMinutes)) }, .number(Decimal(deadline.resolutionMinutes)))
        return c
    }
}
extension HolidayAdded: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        var c: [FieldChange] = [FieldChange(field: "holidays.\(holiday.date)", old: nil, new: .text(holiday.name))]
        c.record("holidays.\(holiday.date).branches", nil, holiday.branches.isEmpty ? nil : .list(holiday.branches))
        return c
    }
}
extension HolidayRemoved: HasFieldChanges {
    public var fieldChanges: [FieldChange] { [FieldChange(field: "holidays.\(date)", old: .text(name), new: nil)] }
}
extension BranchTimeZoneSet: HasFieldChanges {
    public var fieldChanges: [FieldChange] { [FieldChange(field: "timeZones.\(branch)", old: nil, new: .text(timeZoneID))] }
}
extension ReminderLeadTimeSet: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        var c: [FieldChange] = []
        c.record("reminderLeadDays.\(kind.rawValue)", previousDays.map { .number(Decimal($0)) }, .number(Decimal(days)))
        return c
    }
}
extension DiscountLimitSet: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        var c: [FieldChange] = []
        c.record("discountLimits.\(limit.role)", previous.map { .number($0.maxPercent) }, .number(limit.maxPercent))
        return c
    }
}
extension ExchangeRateSet: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        var c: [FieldChange] = []
        c.record("exchangeRates.\(rate.from.rawValue)-\(rate.to.rawValue).\(rate.validFrom)", previous.map { .number($0.rate) }, .number(rate.rate))
        return c
    }
}
extension WarningThresholdSet: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        let place = [threshold.branch, threshold.community].compactMap { $0 }.joined(separator: "/")
        var c: [FieldChange] = []
        c.record("warningThresholds.\(threshold.metric)" + (place.isEmpty ? "" : ".\(place)"), previous.map { .number($0.value) }, .number(threshold.value))
        return c
    }
}
/// The grant's employee and role, and when it is in force (`validFrom`, `validUntil`) when it says so.
extension RoleGranted: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        let path = "grants.\(grantID.lowercasedString)."
        var c = [FieldChange(field: path + "employee", old: nil, new: .id(employeeID)), FieldChange(field: path + "role", old: nil, new: .id(roleID))]
        c.record(path + "validFrom", nil, validity.from.map(instant))
        c.record(path + "validUntil", nil, validity.until.map(instant))
        return c
    }
}
extension RoleGrantRevoked: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        [FieldChange(field: "grants.\(grantID.lowercasedString).employee", old: .id(employeeID), new: nil),
         FieldChange(field: "grants.\(grantID.lowercasedString).role", old: .id(roleID), new: nil)]
    }
}

// A ticket's resolution and closing: what was recorded with them.

extension TicketResolved: HasFieldChanges {
    public var fieldChanges: [FieldChange] { [FieldChange(field: "resolution", old: nil, new: .text(resolution))] }
}
extension TicketClosed: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        var c: [FieldChange] = [FieldChange(field: "satisfaction", old: nil, new: .number(Decimal(satisfaction)))]
        c.record("comment", nil, comment.map(FieldValue.text))
        return c
    }
}
