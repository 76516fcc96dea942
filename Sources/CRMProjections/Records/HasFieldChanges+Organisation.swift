import CRMDomain
import Foundation

// Organisation, settings, diaries, announcements, the board and workflows (R-LOG-5): as in
// HasFieldChanges.swift, a creation names every field it starts with (∅ → value); a status transition names
// the status old → new when the state machine fixes the status it comes from, else only the new one (old nil).

private func status(_ old: String?, _ new: String) -> FieldChange {
    FieldChange(field: "status", old: old.map(FieldValue.option), new: .option(new))
}

/// A permission as the history shows it: `<module>: <actions> over <scope>`, with its period when it has
/// one (` from <instant>`, ` until <instant>`): a change of a permission's period alone shows too.
private func describe(_ p: Permission) -> String {
    var text = "\(p.module.rawValue): \(p.actions.map(\.rawValue).joined(separator: "/")) over \(p.scope)"
    if let from = p.validity.from { text += " from \(from.formatted(Date.ISO8601FormatStyle()))" }
    if let until = p.validity.until { text += " until \(until.formatted(Date.ISO8601FormatStyle()))" }
    return text
}

// MARK: Organisation

/// The first administrator, their role and its grant.
extension OrganisationBootstrapped: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        [FieldChange(field: "administrator", old: nil, new: .id(administratorID)), FieldChange(field: "administrator.name", old: nil, new: .text(name)),
         FieldChange(field: "administrator.position", old: nil, new: .text(position)),
         FieldChange(field: "administrator.branch", old: nil, new: .text(branch)),
         FieldChange(field: "administrator.hiredOn", old: nil, new: .date(hiredOn)),
         FieldChange(field: "role", old: nil, new: .id(roleID)), FieldChange(field: "role.name", old: nil, new: .text(roleName)),
         FieldChange(field: "role.permissions", old: nil, new: .list(permissions.map(describe))),
         FieldChange(field: "grants.\(grantID.lowercasedString).role", old: nil, new: .id(roleID))]
    }
}
extension UnitCreated: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        var c: [FieldChange] = [FieldChange(field: "kind", old: nil, new: .option(kind.rawValue)), FieldChange(field: "name", old: nil, new: .text(name))]
        c.record("parent", nil, parentID.map(FieldValue.id))
        return c
    }
}
extension UnitMoved: HasFieldChanges {
    public var fieldChanges: [FieldChange] { [FieldChange(field: "parent", old: previousParentID.map(FieldValue.id), new: parentID.map(FieldValue.id))] }
}
extension UnitDissolved: HasFieldChanges {
    public var fieldChanges: [FieldChange] { [FieldChange(field: "isDissolved", old: .bool(false), new: .bool(true))] }
}
extension EmployeeHired: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        var c: [FieldChange] = []
        c.record("name", nil, .text(name))
        c.record("unit", nil, unitID.map(FieldValue.id))
        c.record("position", nil, .text(position))
        c.record("branch", nil, .text(branch))
        c.record("manager", nil, managerID.map(FieldValue.id))
        c.record("hiredOn", nil, .date(hiredOn))
        return c
    }
}
extension EmployeeDeactivated: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        var c: [FieldChange] = [FieldChange(field: "isActive", old: .bool(true), new: .bool(false))]
        c.record("reason", nil, reason.map(FieldValue.text))
        return c
    }
}
/// A role: its name, permissions and hidden fields (`<form group>.<field>`).
extension RoleDefined: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        var c: [FieldChange] = [FieldChange(field: "name", old: nil, new: .text(name))]
        c.record("permissions", nil, permissions.isEmpty ? nil : .list(permissions.map(describe)))
        c.record("hiddenFields", nil, hiddenFields.isEmpty ? nil : .list(hiddenFields.map { "\($0.formGroup).\($0.field)" }))
        return c
    }
}
/// A role changed: its name (the payload's `changes`), and its permissions and hidden fields old → new when
/// they changed (each as ``RoleDefined`` lists them; an empty list as nothing).
extension RoleChanged: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        var c = changes
        c.record("permissions", previousPermissions.isEmpty ? nil : .list(previousPermissions.map(describe)),
                 permissions.isEmpty ? nil : .list(permissions.map(describe)))
        c.record("hiddenFields", previousHiddenFields.isEmpty ? nil : .list(previousHiddenFields.map { "\($0.formGroup).\($0.field)" }),
                 hiddenFields.isEmpty ? nil : .list(hiddenFields.map { "\($0.formGroup).\($0.field)" }))
        return c
    }
}

// MARK: Settings with the value they replaced

/// A month's cost budget (`costBudgets.<dimension>.<key>.<month>`), old → new.
extension CostBudgetSet: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        var c: [FieldChange] = []
        c.record("costBudgets.\(budget.dimension.rawValue).\(budget.key).\(budget.month)", previous.map { .money($0.amount) }, .money(budget.amount))
        return c
    }
}
/// The daily pay scheme's figures, old → new.
extension PaySchemeSet: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        var c: [FieldChange] = []
        c.record("payScheme.currency", previous.map { .option($0.currency.rawValue) }, .option(scheme.currency.rawValue))
        c.record("payScheme.basePerDay", previous.map { .number($0.basePerDay) }, .number(scheme.basePerDay))
        c.record("payScheme.defaultRatePerPoint", previous.map { .number($0.defaultRatePerPoint) }, .number(scheme.defaultRatePerPoint))
        c.record("payScheme.rates", previous.map { .list($0.rates.map { "\($0.indicator): \($0.perPoint)" }) },
                 .list(scheme.rates.map { "\($0.indicator): \($0.perPoint)" }))
        return c
    }
}
/// One indicator's scoring (`kpiScoring.<indicator>.`), old → new.
extension KPIScoringSet: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        let path = "kpiScoring.\(scoring.indicator)."
        var c: [FieldChange] = []
        c.record(path + "curve", previous.map { .option($0.curve.rawValue) }, .option(scoring.curve.rawValue))
        c.record(path + "cap", previous.map { .number($0.cap) }, .number(scoring.cap))
        c.record(path + "steps", previous.map { .list($0.steps.map { "\($0.from): \($0.factor)" }) }, .list(scoring.steps.map { "\($0.from): \($0.factor)" }))
        return c
    }
}
/// The RFM weights and segments, old → new.
extension RFMSchemeSet: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        func segments(_ s: RFMScheme) -> FieldValue { .list(s.segments.map(\.name)) }
        var c: [FieldChange] = []
        c.record("rfm.recencyWeight", previous.map { .number($0.recencyWeight) }, .number(scheme.recencyWeight))
        c.record("rfm.frequencyWeight", previous.map { .number($0.frequencyWeight) }, .number(scheme.frequencyWeight))
        c.record("rfm.monetaryWeight", previous.map { .number($0.monetaryWeight) }, .number(scheme.monetaryWeight))
        c.record("rfm.segments", previous.map(segments), segments(scheme))
        return c
    }
}

// MARK: Diaries (each item under `items.<id>.`, each subscription under `subscriptions.<kind>.`)

extension DiaryItemAdded: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        let path = "items.\(item.id.lowercasedString)."
        var c: [FieldChange] = []
        c.record(path + "date", nil, .date(item.date))
        c.record(path + "time", nil, item.time.map { .text($0.description) })
        c.record(path + "note", nil, .text(item.note))
        c.record(path + "customer", nil, item.customerID.map(FieldValue.id))
        return c
    }
}
extension DiaryItemRemoved: HasFieldChanges {
    public var fieldChanges: [FieldChange] { [FieldChange(field: "items.\(itemID.lowercasedString)", old: .id(itemID), new: nil)] }
}
/// Subscribed (`subscribed` false → true) or the lead time changed (`leadDays`, old → new; none: the default).
extension DiarySubscriptionSet: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        let path = "subscriptions.\(subscription.kind.rawValue)."
        var c: [FieldChange] = []
        if previous == nil { c.record(path + "subscribed", .bool(false), .bool(true)) }
        c.record(path + "leadDays", previous?.leadDays.map { .number(Decimal($0)) }, subscription.leadDays.map { .number(Decimal($0)) })
        return c
    }
}
extension DiaryUnsubscribed: HasFieldChanges {
    public var fieldChanges: [FieldChange] { [FieldChange(field: "subscriptions.\(kind.rawValue).subscribed", old: .bool(true), new: .bool(false))] }
}

// MARK: Announcements

extension AnnouncementPublished: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        var c: [FieldChange] = [FieldChange(field: "title", old: nil, new: .text(title)), FieldChange(field: "body", old: nil, new: .text(body))]
        c.record("targets.departments", nil, targets.departments.isEmpty ? nil : .list(targets.departments.map(\.lowercasedString)))
        c.record("targets.branches", nil, targets.branches.isEmpty ? nil : .list(targets.branches))
        c.record("targets.roles", nil, targets.roles.isEmpty ? nil : .list(targets.roles.map(\.lowercasedString)))
        c.record("targets.employees", nil, targets.employees.isEmpty ? nil : .list(targets.employees.map(\.lowercasedString)))
        c.record("expiresAt", nil, expiresAt.map(instant))
        return c
    }
}
/// Read by an employee (`readBy.<employee id>`: the instant).
extension AnnouncementRead: HasFieldChanges {
    public var fieldChanges: [FieldChange] { [FieldChange(field: "readBy.\(employeeID.lowercasedString)", old: nil, new: instant(readAt))] }
}
extension AnnouncementWithdrawn: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        [FieldChange(field: "isWithdrawn", old: .bool(false), new: .bool(true)), FieldChange(field: "reason", old: nil, new: .text(reason))]
    }
}

// MARK: The board (each post under `posts.<id>.`) and its word list

extension ThreadStarted: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        var c: [FieldChange] = [FieldChange(field: "title", old: nil, new: .text(title)),
                                FieldChange(field: "posts.\(postID.lowercasedString).body", old: nil, new: .text(body))]
        c.record("posts.\(postID.lowercasedString).flaggedWords", nil, flaggedWords.isEmpty ? nil : .list(flaggedWords))
        return c
    }
}
extension ReplyPosted: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        var c: [FieldChange] = [FieldChange(field: "posts.\(postID.lowercasedString).body", old: nil, new: .text(body))]
        c.record("posts.\(postID.lowercasedString).flaggedWords", nil, flaggedWords.isEmpty ? nil : .list(flaggedWords))
        return c
    }
}
extension PostHidden: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        [FieldChange(field: "posts.\(postID.lowercasedString).isHidden", old: .bool(false), new: .bool(true)), FieldChange(field: "reason", old: nil, new: .text(reason))]
    }
}
extension PostRestored: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        [FieldChange(field: "posts.\(postID.lowercasedString).isHidden", old: .bool(true), new: .bool(false)), FieldChange(field: "reason", old: nil, new: .text(reason))]
    }
}
extension ThreadLocked: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        [FieldChange(field: "isLocked", old: .bool(false), new: .bool(true)), FieldChange(field: "reason", old: nil, new: .text(reason))]
    }
}
extension ThreadUnlocked: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        [FieldChange(field: "isLocked", old: .bool(true), new: .bool(false)), FieldChange(field: "reason", old: nil, new: .text(reason))]
    }
}
/// A word listed (`words.<word>`: its action) or no longer listed (its action is not in the payload: `words`, the word → ∅).
extension SensitiveWordAdded: HasFieldChanges {
    public var fieldChanges: [FieldChange] { [FieldChange(field: "words.\(word.word)", old: nil, new: .option(word.action.rawValue))] }
}
extension SensitiveWordRemoved: HasFieldChanges {
    public var fieldChanges: [FieldChange] { [FieldChange(field: "words", old: .text(word), new: nil)] }
}

// MARK: Workflows

private func definitionFields(_ d: WorkflowDefinitionVersion, previousVersion: Int?) -> [FieldChange] {
    var c: [FieldChange] = []
    c.record("version", previousVersion.map { .number(Decimal($0)) }, .number(Decimal(d.version)))
    c.record("name", nil, .text(d.name))
    c.record("kind", nil, .option(d.kind.rawValue))
    c.record("steps", nil, .list(d.steps.map { "\($0.name): \($0.approverRole)" }))
    return c
}
/// A definition's version 1: its name, kind and steps (`<step>: <approver role>`).
extension WorkflowDefined: HasFieldChanges {
    public var fieldChanges: [FieldChange] { definitionFields(definition, previousVersion: nil) }
}
/// A new version (old → new) with its content (the superseded version's is in its own entry).
extension WorkflowDefinitionRevised: HasFieldChanges {
    public var fieldChanges: [FieldChange] { definitionFields(definition, previousVersion: previousVersion) }
}
extension WorkflowStarted: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        [FieldChange(field: "subject", old: nil, new: .text("\(subjectKind.rawValue)/\(subjectID.lowercasedString)")),
         FieldChange(field: "submitter", old: nil, new: .text(submitter)),
         FieldChange(field: "definition", old: nil, new: .text("\(definition.name) v\(definition.version)")),
         status(nil, WorkflowStatus.running.rawValue), FieldChange(field: "step", old: nil, new: .number(0))]
    }
}
/// A step approved: the step (0-based), the comment, whether as delegate; the next step follows as `step`
/// in the next entry or the workflow completes.
extension WorkflowStepApproved: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        var c: [FieldChange] = [FieldChange(field: "steps.\(step).approvedBy", old: nil, new: .text(approvedBy))]
        if asDelegate { c.append(FieldChange(field: "steps.\(step).asDelegate", old: nil, new: .bool(true))) }
        c.record("steps.\(step).comment", nil, comment.map(FieldValue.text))
        return c
    }
}
/// Sent back: the step old → new, or (at the first step) to the submitter: `running` → `returnedToSubmitter`.
extension WorkflowSentBack: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        var c: [FieldChange] = []
        if let toStep {
            c.append(FieldChange(field: "step", old: .number(Decimal(fromStep)), new: .number(Decimal(toStep))))
        } else {
            c.append(status(WorkflowStatus.running.rawValue, WorkflowStatus.returnedToSubmitter.rawValue))
        }
        c.append(FieldChange(field: "reason", old: nil, new: .text(reason)))
        return c
    }
}
/// Resubmitted: `returnedToSubmitter` → `running`, at the first step.
extension WorkflowResubmitted: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        [status(WorkflowStatus.returnedToSubmitter.rawValue, WorkflowStatus.running.rawValue), FieldChange(field: "step", old: nil, new: .number(0))]
    }
}
extension WorkflowStepDelegated: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        [FieldChange(field: "steps.\(step).delegate", old: previousDelegate.map(FieldValue.text), new: .text(delegate))]
    }
}
extension WorkflowStepEscalated: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        [FieldChange(field: "steps.\(step).escalatedTo", old: nil, new: .text("\(escalatedTo.kind.rawValue)/\(escalatedTo.id)"))]
    }
}
/// Completed from `running` (its last step approved).
extension WorkflowCompleted: HasFieldChanges {
    public var fieldChanges: [FieldChange] { [status(WorkflowStatus.running.rawValue, WorkflowStatus.completed.rawValue)] }
}
/// Rejected from `running`, at a step, with the reason.
extension WorkflowRejected: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        [status(WorkflowStatus.running.rawValue, WorkflowStatus.rejected.rawValue), FieldChange(field: "reason", old: nil, new: .text(reason))]
    }
}
/// Withdrawn (from running or returned to its submitter: the new status only), with the reason.
extension WorkflowCancelled: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        [status(nil, WorkflowStatus.cancelled.rawValue), FieldChange(field: "reason", old: nil, new: .text(reason))]
    }
}
/// Ended by its subject's own decision (from running or returned: the new status only).
extension WorkflowClosedBySubject: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        [status(nil, WorkflowStatus.closedBySubject.rawValue), FieldChange(field: "decision", old: nil, new: .option(decision.rawValue))]
    }
}
