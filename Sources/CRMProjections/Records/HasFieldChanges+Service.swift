import CRMDomain
import Foundation

// Customers, contacts, work and service records (R-LOG-5): as in HasFieldChanges.swift, a creation names
// every field it starts with (∅ → value); a status transition names the status old → new when the state
// machine fixes the status it comes from, else only the new one (old nil); what is given with it (a reason,
// a note) is named from nothing.

private func status(_ old: String?, _ new: String) -> FieldChange {
    FieldChange(field: "status", old: old.map(FieldValue.option), new: .option(new))
}

// MARK: Customers

/// The duplicate merged into its survivor (final), its external keys released.
extension CustomerMergedInto: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        [FieldChange(field: "mergedInto", old: nil, new: .id(survivorID))]
            + releasedKeys.map { FieldChange(field: "externalKey.\($0.system)", old: .text($0.key), new: nil) }
    }
}
/// The survivor: the duplicate it absorbed, and the contacts and open work that moved to it.
extension CustomerAbsorbedDuplicate: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        var c: [FieldChange] = [FieldChange(field: "absorbed", old: nil, new: .id(duplicateID))]
        c.record("absorbed.contacts", nil, contactIDs.isEmpty ? nil : .list(contactIDs.map(\.lowercasedString)))
        c.record("absorbed.openWork", nil, openWorkIDs.isEmpty ? nil : .list(openWorkIDs.map(\.lowercasedString)))
        return c
    }
}
/// An installation's fields under `installation.` (as a move names them).
extension CustomerInstallationAdded: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        [FieldChange(field: "installation.id", old: nil, new: .id(installation.id)),
         FieldChange(field: "installation.address", old: nil, new: .text(installation.address)),
         FieldChange(field: "installation.meterNumber", old: nil, new: .text(installation.meterNumber))]
    }
}
/// An installation removed (final), with the reason.
extension CustomerInstallationRemoved: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        var c: [FieldChange] = [FieldChange(field: "installation.id", old: .id(installationID), new: nil)]
        c.record("reason", nil, reason.map(FieldValue.text))
        return c
    }
}

// MARK: Customer forms (`fields.<name>.<what>`, as a form field's change names them)

private func definitionFields(_ field: FieldDefinition, into c: inout [FieldChange]) {
    let path = "fields.\(field.name)."
    c.record(path + "label", nil, .text(field.label))
    c.record(path + "type", nil, .option(field.type.rawValue))
    c.record(path + "required", nil, .bool(field.required))
    c.record(path + "options", nil, field.options.isEmpty ? nil : .list(field.options))
}
/// A form defined: each of its first fields.
extension CustomerFormDefined: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        var c: [FieldChange] = []
        for field in fields { definitionFields(field, into: &c) }
        return c
    }
}
/// A field added.
extension CustomerFormFieldAdded: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        var c: [FieldChange] = []
        definitionFields(field, into: &c)
        return c
    }
}
/// A field retired (`fields.<name>.retired`: false → true).
extension CustomerFormFieldRetired: HasFieldChanges {
    public var fieldChanges: [FieldChange] { [FieldChange(field: "fields.\(name).retired", old: .bool(false), new: .bool(true))] }
}

// MARK: Contacts

extension ContactMovedToCustomer: HasFieldChanges {
    public var fieldChanges: [FieldChange] { [FieldChange(field: "customer", old: .id(fromCustomerID), new: .id(toCustomerID))] }
}
extension ContactArchived: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        var c: [FieldChange] = [FieldChange(field: "isArchived", old: .bool(false), new: .bool(true))]
        c.record("reason", nil, reason.map(FieldValue.text))
        return c
    }
}
extension ContactRestored: HasFieldChanges {
    public var fieldChanges: [FieldChange] { [FieldChange(field: "isArchived", old: .bool(true), new: .bool(false))] }
}

// MARK: Contact log

/// A logged contact: its details.
extension ContactLogged: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        var c: [FieldChange] = []
        c.record("contact", nil, details.contactID.map(FieldValue.id))
        c.record("channel", nil, .option(details.channel.rawValue))
        c.record("subject", nil, .text(details.subject))
        c.record("occurredAt", nil, instant(details.occurredAt))
        c.record("durationSeconds", nil, .number(Decimal(details.durationSeconds)))
        return c
    }
}
/// Withdrawn (logged by mistake), with the reason.
extension ContactLogRetracted: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        [FieldChange(field: "isRetracted", old: .bool(false), new: .bool(true)), FieldChange(field: "reason", old: nil, new: .text(reason))]
    }
}

// MARK: Tasks

/// A new task: its details, assignee, how it was routed, and status `dispatched`.
extension TaskDispatched: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        var c: [FieldChange] = []
        c.record("title", nil, .text(details.title))
        c.record("note", nil, details.note.map(FieldValue.text))
        c.record("kind", nil, .option(details.kind.rawValue))
        c.record("dueAt", nil, instant(details.dueAt))
        c.record("branch", nil, details.branch.map(FieldValue.text))
        c.record("reminderKind", nil, details.reminderKind.map { .option($0.rawValue) })
        c.record("assignee", nil, .text(assignee))
        c.record("route", nil, .option(route.rawValue))
        c.record("externalReference." + (externalReference?.system ?? ""), nil, externalReference.map { .text($0.id) })
        c.record("status", nil, .option(WorkTask.Status.dispatched.rawValue))
        return c
    }
}
/// Accepted from `dispatched`.
extension TaskAccepted: HasFieldChanges {
    public var fieldChanges: [FieldChange] { [status(WorkTask.Status.dispatched.rawValue, WorkTask.Status.accepted.rawValue)] }
}
/// Completed (from dispatched or accepted: the new status only), with the result.
extension TaskCompleted: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        [status(nil, WorkTask.Status.completed.rawValue), FieldChange(field: "resultNote", old: nil, new: .text(resultNote))]
    }
}
/// Cancelled (from dispatched or accepted: the new status only), with the reason.
extension TaskCancelled: HasFieldChanges {
    public var fieldChanges: [FieldChange] { [status(nil, WorkTask.Status.cancelled.rawValue), FieldChange(field: "reason", old: nil, new: .text(reason))] }
}

// MARK: Tickets

/// A new ticket: its fields, SLA deadlines and status `open`.
extension TicketOpened: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        var c: [FieldChange] = []
        c.record("channel", nil, .option(channel.rawValue))
        c.record("kind", nil, .option(kind.rawValue))
        c.record("severity", nil, .option(severity.rawValue))
        c.record("subject", nil, .text(subject))
        c.record("description", nil, description.map(FieldValue.text))
        c.record("department", nil, .text(department))
        c.record("responseDueAt", nil, instant(responseDueAt))
        c.record("resolutionDueAt", nil, instant(resolutionDueAt))
        c.record("status", nil, .option(Ticket.Status.open.rawValue))
        return c
    }
}
/// Work started (from open or assigned: the new status only) by whom.
extension TicketWorkStarted: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        [status(nil, Ticket.Status.inProgress.rawValue), FieldChange(field: "workedBy", old: nil, new: .text(assignee))]
    }
}
/// Reopened from resolved or closed (in the payload), with the reason; it goes back to its assignee, or to
/// its department's queue (the status it takes depends on that: not in the payload, so not named).
extension TicketReopened: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        [FieldChange(field: "reopenedFrom", old: nil, new: .option(fromStatus.rawValue)), FieldChange(field: "reopenReason", old: nil, new: .text(reason))]
    }
}

// MARK: Visits

/// A planned visit: its fields and status `planned`.
extension VisitPlanned: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        var c: [FieldChange] = []
        c.record("visitor", nil, .text(visitor))
        c.record("scheduledAt", nil, instant(scheduledAt))
        c.record("place", nil, .text(place))
        c.record("agenda", nil, .text(agenda))
        c.record("contacts", nil, contacts.isEmpty ? nil : .list(contacts.map(\.lowercasedString)))
        c.record("status", nil, .option(Visit.Status.planned.rawValue))
        return c
    }
}
/// Done from `planned`: what actually happened (`actual.`).
extension VisitRecorded: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        var c = [status(Visit.Status.planned.rawValue, Visit.Status.done.rawValue)]
        c.record("actual.date", nil, .date(actual.date))
        c.record("actual.place", nil, .text(actual.place))
        c.record("actual.contacts", nil, actual.contacts.isEmpty ? nil : .list(actual.contacts.map(\.lowercasedString)))
        c.record("actual.topics", nil, actual.topics.isEmpty ? nil : .list(actual.topics))
        c.record("actual.summary", nil, .text(actual.summary))
        return c
    }
}
/// Cancelled from `planned`, with the reason.
extension VisitCancelled: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        [status(Visit.Status.planned.rawValue, Visit.Status.cancelled.rawValue), FieldChange(field: "reason", old: nil, new: .text(reason))]
    }
}
private func costFields(_ line: Visit.CostLine, removed: Bool) -> [FieldChange] {
    let path = "costs.\(line.id.lowercasedString)."
    var c: [FieldChange] = []
    for (field, value) in [("kind", FieldValue.option(line.kind.rawValue)), ("amount", .money(line.amount))] + (line.note.map { [("note", FieldValue.text($0))] } ?? []) {
        c.record(path + field, removed ? value : nil, removed ? nil : value)
    }
    return c
}
/// A cost line (`costs.<id>.`) added, or removed (its values → ∅).
extension VisitCostAdded: HasFieldChanges {
    public var fieldChanges: [FieldChange] { costFields(line, removed: false) }
}
extension VisitCostRemoved: HasFieldChanges {
    public var fieldChanges: [FieldChange] { costFields(line, removed: true) }
}

// MARK: Maintenance

/// A feedback (`feedback.<id>.`): its direction, giver, subject, rating and comment.
extension MaintenanceFeedbackGiven: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        let path = "feedback.\(feedbackID.lowercasedString)."
        var c: [FieldChange] = []
        c.record(path + "direction", nil, .option(direction.rawValue))
        c.record(path + "giver", nil, .text(giver))
        c.record(path + "subject", nil, .text(subject))
        c.record(path + "rating", nil, .number(Decimal(rating)))
        c.record(path + "comment", nil, comment.map(FieldValue.text))
        c.record(path + "about", nil, about.map(FieldValue.id))
        return c
    }
}

// MARK: New connections

/// A new connection: its address and the application stage's deadline and assignee.
extension ConnectionOpened: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        [FieldChange(field: "address", old: nil, new: .text(address)), FieldChange(field: "stage", old: nil, new: .option(ConnectionStage.application.rawValue)),
         FieldChange(field: "deadline", old: nil, new: instant(deadline)), FieldChange(field: "assignee", old: nil, new: .text(assignee))]
    }
}
/// A material of a stage (`materials.<stage>.<name>`: quantity and unit).
extension ConnectionMaterialAdded: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        [FieldChange(field: "materials.\(stage.rawValue).\(material.name)", old: nil, new: .text("\(material.quantity) \(material.unit)"))]
    }
}
/// A fee (`fees.<id>.`) assessed.
extension ConnectionFeeAssessed: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        let path = "fees.\(feeID.lowercasedString)."
        return [FieldChange(field: path + "stage", old: nil, new: .option(stage.rawValue)), FieldChange(field: path + "amount", old: nil, new: .money(amount)),
                FieldChange(field: path + "description", old: nil, new: .text(description))]
    }
}
/// A fee paid (`fees.<id>.paidAt`).
extension ConnectionFeePaid: HasFieldChanges {
    public var fieldChanges: [FieldChange] { [FieldChange(field: "fees.\(feeID.lowercasedString).paidAt", old: nil, new: instant(paidAt))] }
}
/// The stage old → new, with the note, and the next stage's deadline and assignee (the previous stage's are
/// not in the payload: from nothing).
extension ConnectionStageAdvanced: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        var c: [FieldChange] = [FieldChange(field: "stage", old: .option(from.rawValue), new: .option(to.rawValue))]
        c.record("note", nil, note.map(FieldValue.text))
        c.record("deadline", nil, deadline.map(instant))
        c.record("assignee", nil, assignee.map(FieldValue.text))
        return c
    }
}
/// The stage sent back old → new, with the reason and the reopened stage's deadline and assignee.
extension ConnectionStageSentBack: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        [FieldChange(field: "stage", old: .option(from.rawValue), new: .option(to.rawValue)), FieldChange(field: "reason", old: nil, new: .text(reason)),
         FieldChange(field: "deadline", old: nil, new: instant(deadline)), FieldChange(field: "assignee", old: nil, new: .text(assignee))]
    }
}
/// Cancelled at a stage, with the reason.
extension ConnectionCancelled: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        [FieldChange(field: "isCancelled", old: .bool(false), new: .bool(true)), FieldChange(field: "reason", old: nil, new: .text(reason))]
    }
}

// MARK: Surveys and feedback forms

/// A new survey: its title, template and questions (their prompts), and status `draft`.
extension SurveyCreated: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        var c: [FieldChange] = []
        c.record("title", nil, .text(title))
        c.record("template", nil, templateID.map(FieldValue.id))
        c.record("templateVersion", nil, templateID == nil ? nil : .number(Decimal(templateVersion)))
        c.record("questions", nil, .list(questions.map(\.prompt)))
        c.record("status", nil, .option(Survey.Status.draft.rawValue))
        return c
    }
}
/// The recipients it added (`recipients`: kind/id each).
extension SurveyDistributed: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        [FieldChange(field: "recipients", old: nil, new: .list(recipients.map { "\($0.kind.rawValue)/\($0.id.lowercasedString)" }))]
    }
}
/// A response (`responses.<id>.`): whose, and how many answers (the answers are the response record's).
extension SurveyResponseRecorded: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        let path = "responses.\(responseID.lowercasedString)."
        return [FieldChange(field: path + "recipient", old: nil, new: .text("\(recipient.kind.rawValue)/\(recipient.id.lowercasedString)")),
                FieldChange(field: path + "answers", old: nil, new: .number(Decimal(answers.count)))]
    }
}
/// Closed from `open` (a survey never distributed cannot be closed).
extension SurveyClosed: HasFieldChanges {
    public var fieldChanges: [FieldChange] { [status(Survey.Status.open.rawValue, Survey.Status.closed.rawValue)] }
}
/// A new template: its title and questions (their prompts).
extension SurveyTemplateCreated: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        [FieldChange(field: "title", old: nil, new: .text(title)), FieldChange(field: "questions", old: nil, new: .list(questions.map(\.prompt)))]
    }
}
extension SurveyTemplateArchived: HasFieldChanges {
    public var fieldChanges: [FieldChange] { [FieldChange(field: "isArchived", old: .bool(false), new: .bool(true))] }
}
extension SurveyTemplateRestored: HasFieldChanges {
    public var fieldChanges: [FieldChange] { [FieldChange(field: "isArchived", old: .bool(true), new: .bool(false))] }
}
/// A submitted form: its template, people, branch and each value (`values.<field>`), status `submitted`.
extension FeedbackFormSubmitted: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        var c: [FieldChange] = [FieldChange(field: "template", old: nil, new: .text(template.name)),
                                FieldChange(field: "reporter", old: nil, new: .text(reporter)),
                                FieldChange(field: "reviewer", old: nil, new: .text(reviewer)),
                                FieldChange(field: "branch", old: nil, new: .text(branch))]
        for value in values { c.record("values.\(value.field)", nil, value.value) }
        c.append(status(nil, FeedbackStatus.submitted.rawValue))
        return c
    }
}
/// In review from `submitted`, by a workflow.
extension FeedbackFormReviewStarted: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        [status(FeedbackStatus.submitted.rawValue, FeedbackStatus.inReview.rawValue), FieldChange(field: "workflow", old: nil, new: .id(workflowID))]
    }
}
/// Reviewed from `inReview`.
extension FeedbackFormReviewed: HasFieldChanges {
    public var fieldChanges: [FieldChange] { [status(FeedbackStatus.inReview.rawValue, FeedbackStatus.reviewed.rawValue)] }
}
/// Returned from `inReview`, with the reason.
extension FeedbackFormReturned: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        [status(FeedbackStatus.inReview.rawValue, FeedbackStatus.returned.rawValue), FieldChange(field: "reason", old: nil, new: .text(reason))]
    }
}
