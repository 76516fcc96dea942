import CRMDomain
import Foundation

/// A payload that records which fields changed, old → new (R-LOG-5). The conformances below are the
/// explicit list the modification history reads: payloads with a `[FieldChange]` trail, and transitions
/// whose old and new values are plain fields (a reassignment, a reschedule), shown as changes too.
/// A payload type that carries changes and is missing here shows as its event type only.
public protocol HasFieldChanges {
    /// The changed fields, in the payload's order.
    var fieldChanges: [FieldChange] { get }
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
extension DiaryItemChanged: HasFieldChanges { public var fieldChanges: [FieldChange] { changes } }
extension CustomerFormFieldChanged: HasFieldChanges { public var fieldChanges: [FieldChange] { changes } }
extension SurveyTemplateRevised: HasFieldChanges { public var fieldChanges: [FieldChange] { changes } }
extension ConnectionStageReplanned: HasFieldChanges { public var fieldChanges: [FieldChange] { changes } }
extension EmployeeChanged: HasFieldChanges { public var fieldChanges: [FieldChange] { changes } }
extension RoleChanged: HasFieldChanges { public var fieldChanges: [FieldChange] { changes } }
extension FeedbackFormAmended: HasFieldChanges { public var fieldChanges: [FieldChange] { changes } }

// Transitions with plain old/new fields.

private func instant(_ d: Date) -> FieldValue { .text(d.formatted(Date.ISO8601FormatStyle())) }

extension TaskReassigned: HasFieldChanges {
    public var fieldChanges: [FieldChange] { [FieldChange(field: "assignee", old: .text(previousAssignee), new: .text(assignee))] }
}
extension TaskRescheduled: HasFieldChanges {
    public var fieldChanges: [FieldChange] { [FieldChange(field: "dueAt", old: instant(previousDueAt), new: instant(dueAt))] }
}
extension TicketAssigned: HasFieldChanges {
    public var fieldChanges: [FieldChange] { [FieldChange(field: "assignee", old: previousAssignee.map { .text($0) }, new: .text(assignee))] }
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
extension WinProbabilityOverridden: HasFieldChanges {
    public var fieldChanges: [FieldChange] { [FieldChange(field: "winProbability", old: previous.map { .number($0) }, new: .number(percent))] }
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
