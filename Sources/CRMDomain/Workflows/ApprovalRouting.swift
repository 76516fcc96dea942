import EventSourcing
import Foundation

/// How quotes, contracts, campaigns, feedback forms and campaign material requests are approved through
/// workflow instances (R-ORG-5, ARCHITECTURE decision 11): pure functions the engine's reactor runs.
///
/// 1. A record event that asks for approval (a quote revision over its author's limit, a contract submitted,
///    a campaign's feasibility study submitted, a material requested) → ``WorkflowInstance/Command/start(id:subjectKind:subjectID:submitter:definition:)``
///    with an instance id derived from the record id and its revision (``instanceID(for:recordID:revision:)``).
/// 2. Approvers decide the instance's steps. The default definitions use symbolic approver roles; the engine
///    passes ``quoteApproverRoles(_:draft:limits:)`` / ``approverRoles(_:for:mayApprove:)`` as the command's roles.
/// 3. The instance's outcome → the record's own `approve` / `sendBack` command, to run as the deciding employee:
///    completion → approve; sent back to the submitter (at step 1) or rejected → sendBack with the reason;
///    cancelled by its submitter (the request withdrawn) → sendBack with the withdrawal's reason, as the
///    submitter, so the subject can go on (a quote revised, a contract or campaign changed and submitted again,
///    a feedback form amended, a material approved directly) — the engine routes a cancellation only while the
///    subject still waits for that very instance (a request already returned to its submitter sent its subject
///    back then); anything else (an inner step, a send-back to an earlier step, a delegation) → nothing.
/// 4. A subject decided outside its workflow (approved or sent back directly) while the instance waits →
///    ``WorkflowInstance/Command/closeBySubject(decision:decidedBy:)`` for that instance (``closing(after:)``).
/// 5. A subject asking for approval again (a quote's new revision, a contract or campaign's feasibility study
///    submitted again, a feedback form amended) while the instance of its earlier request waits (running, or
///    returned to its submitter) → `closeBySubject(decision: .superseded, …)` for that instance
///    (``superseding(after:)``, ``superseding(_:recordID:earlier:by:)``).
///
/// ```swift
/// if let start = ApprovalRouting.start(after: quoteEvent, definition: current) { /* run start.command as start.actor */ }
/// if let routed = ApprovalRouting.contractCommand(after: workflowEvent, instance: instanceState) {
///     /* run routed.command on contract-<routed.recordID> as routed.actor */
/// }
/// ```
public enum ApprovalRouting {
    /// A command the reactor runs on one record, as `actor` (the submitter, or the employee who decided).
    public struct Routed<Command: Sendable>: Sendable {
        /// The record (or workflow instance) the command is for.
        public var recordID: UUID
        public var command: Command
        /// Who the command is recorded for: the submitter of a start, the approver of an outcome.
        public var actor: String

        public init(recordID: UUID, command: Command, actor: String) {
            self.recordID = recordID
            self.command = command
            self.actor = actor
        }
    }

    /// What a workflow instance decided about its subject, as far as the subject's record is concerned.
    public enum Outcome: Hashable, Sendable {
        /// The last step was approved, by `by` with `comment`.
        case approved(by: String, comment: String?)
        /// Sent back to the submitter or rejected, by `by`, with `reason`; or withdrawn (cancelled) by its
        /// submitter `by`, with the withdrawal's `reason`.
        case sentBack(by: String, reason: String)
    }

    // MARK: ids

    /// The reproducible id of the instance approving revision `revision` of a record: the same record and
    /// revision always give the same id (a replayed reaction or a second node starts no second instance).
    public static func instanceID(for kind: WorkflowSubjectKind, recordID: UUID, revision: UInt64) -> UUID {
        UUID.derived("approval", kind.rawValue, recordID.lowercasedString, String(revision))
    }

    // MARK: starting

    /// The instance start for a quote event: a created or revised revision that needs approval (over its
    /// author's limit) starts an instance with id ``instanceID(for:recordID:revision:)`` (revision = the
    /// quote's revision number), submitted by the revision's author. Anything else → nil. `definition` is
    /// the current version of the quote definition (e.g. ``WorkflowDefinition/defaultQuoteApproval(deadlineHours:reminderLeadHours:escalateTo:)``);
    /// nil as well when it is for another kind of subject.
    public static func start(after event: QuoteEvent, definition: WorkflowDefinitionVersion) -> Routed<WorkflowInstance.Command>? {
        let quoteID: UUID, revision: QuoteRevision
        switch event {
        case .created(let e): (quoteID, revision) = (e.quoteID, e.revision)
        case .revised(let e): (quoteID, revision) = (e.quoteID, e.revision)
        default: return nil
        }
        guard revision.needsApproval else { return nil }
        return start(.quote, recordID: quoteID, revision: UInt64(max(revision.number, 0)), submitter: revision.author, definition: definition)
    }

    /// The instance start for a contract event: `ContractSubmittedForApproval` starts an instance submitted by
    /// its actor. `version` is the stream version of that event (a contract may be submitted again after a
    /// send-back, and each submission gets its own instance). Anything else → nil.
    public static func start(after event: ContractEvent, version: StreamVersion, definition: WorkflowDefinitionVersion) -> Routed<WorkflowInstance.Command>? {
        guard case .submittedForApproval(let e) = event else { return nil }
        return start(.contract, recordID: e.contractID, revision: version.rawValue, submitter: e.by, definition: definition)
    }

    /// The instance start for a campaign event: `CampaignFeasibilitySubmitted` starts an instance submitted by
    /// its actor. `version` is the stream version of that event. Anything else → nil.
    public static func start(after event: CampaignEvent, version: StreamVersion, definition: WorkflowDefinitionVersion) -> Routed<WorkflowInstance.Command>? {
        guard case .feasibilitySubmitted(let e) = event else { return nil }
        return start(.campaign, recordID: e.campaignID, revision: version.rawValue, submitter: e.by, definition: definition)
    }

    /// The instance start for a feedback form event (R-ORG-3): `FeedbackFormSubmitted`, or
    /// `FeedbackFormAmended` after a return (the form waits for a review again), starts an instance of form
    /// `formID` submitted by the submitter / the amending employee. `version` is the event's stream version,
    /// so each submission gets its own instance. Anything else → nil.
    public static func start(after event: FeedbackEvent, formID: UUID, version: StreamVersion,
                             definition: WorkflowDefinitionVersion) -> Routed<WorkflowInstance.Command>? {
        switch event {
        case .submitted(let e): return start(.feedbackForm, recordID: formID, revision: version.rawValue, submitter: e.submittedBy, definition: definition)
        case .amended(let e): return start(.feedbackForm, recordID: formID, revision: version.rawValue, submitter: e.amendedBy, definition: definition)
        default: return nil
        }
    }

    /// The reproducible id of the instance approving material `materialID` of campaign `campaignID` (a
    /// material is requested once, so it needs no revision). The instance's `subjectID` is the campaign —
    /// whose scope decides who may approve — and this id names the material among the campaign's
    /// (``material(of:in:)``).
    public static func materialInstanceID(campaignID: UUID, materialID: UUID) -> UUID {
        UUID.derived("approval", WorkflowSubjectKind.materialRequest.rawValue, campaignID.lowercasedString, materialID.lowercasedString)
    }

    /// The instance start for a campaign's material request (R-MKT-2): `CampaignMaterialRequested` starts an
    /// instance with subject the campaign and id ``materialInstanceID(campaignID:materialID:)``, submitted
    /// by the requester. Anything else, or a definition of another kind → nil.
    public static func materialStart(after event: CampaignEvent, definition: WorkflowDefinitionVersion) -> Routed<WorkflowInstance.Command>? {
        guard case .materialRequested(let e) = event, definition.kind == .materialRequest else { return nil }
        let id = materialInstanceID(campaignID: e.campaignID, materialID: e.materialID)
        return Routed(recordID: id, command: .start(id: id, subjectKind: .materialRequest, subjectID: e.campaignID, submitter: e.by,
                                                    definition: definition), actor: e.by)
    }

    /// The material of `campaign` a material request instance `instanceID` approves, or nil (another
    /// campaign's, or no such material).
    public static func material(of instanceID: UUID, in campaign: Campaign.State) -> Campaign.Material? {
        guard let campaignID = campaign.id else { return nil }
        return campaign.materials.first { materialInstanceID(campaignID: campaignID, materialID: $0.id) == instanceID }
    }

    /// The campaign command recording a material request instance's outcome, run as the employee who
    /// decided: on completion `advanceMaterial(id:stage: .approved, quantity:)` of what is still unapproved
    /// (the requested quantity, unless some was approved directly meanwhile; nothing left → nil); sent
    /// back to the requester or rejected → `declineMaterial(id:reason:)` while nothing of it is approved.
    /// `campaign` is the state of the instance's subject. Nil for other subjects, for a material the
    /// campaign does not have, and for events that decide nothing.
    public static func materialCommand(after event: WorkflowEvent, instance: WorkflowInstanceState, campaign: Campaign.State) -> Routed<Campaign.Command>? {
        guard instance.subjectKind == .materialRequest, let campaignID = instance.subjectID, campaign.id == campaignID, campaign.status != .closed,
              let instanceID = instance.instanceID, let material = material(of: instanceID, in: campaign),
              let outcome = outcome(of: event, instance: instance) else { return nil }
        switch outcome {
        case .approved(let by, _):
            let remaining = material.requested - material.approved
            guard remaining > 0 else { return nil }
            return Routed(recordID: campaignID, command: .advanceMaterial(id: material.id, stage: .approved, quantity: remaining), actor: by)
        case .sentBack(let by, let reason):
            guard material.approved == 0 else { return nil }
            return Routed(recordID: campaignID, command: .declineMaterial(id: material.id, reason: reason), actor: by)
        }
    }

    /// The outcome of a feedback form's review instance as the form's own command — `markReviewed` on
    /// completion, `markReturned` when sent back to the submitter or rejected (``FeedbackForm/reaction(to:instance:)``)
    /// — to run as the employee who decided. Nil for other subjects and for events that decide nothing.
    public static func feedbackCommand(after event: WorkflowEvent, instance: WorkflowInstanceState) -> Routed<FeedbackForm.Command>? {
        guard let (formID, command) = FeedbackForm.reaction(to: event, instance: instance),
              let outcome = outcome(of: event, instance: instance) else { return nil }
        switch outcome {
        case .approved(let by, _), .sentBack(let by, _): return Routed(recordID: formID, command: command, actor: by)
        }
    }

    private static func start(_ kind: WorkflowSubjectKind, recordID: UUID, revision: UInt64, submitter: String,
                              definition: WorkflowDefinitionVersion) -> Routed<WorkflowInstance.Command>? {
        guard definition.kind == kind else { return nil }
        let id = instanceID(for: kind, recordID: recordID, revision: revision)
        return Routed(recordID: id, command: .start(id: id, subjectKind: kind, subjectID: recordID, submitter: submitter, definition: definition),
                      actor: submitter)
    }

    // MARK: decided outside the workflow

    /// The close of the instance that waits to decide what a quote event decided directly: `QuoteApproved` /
    /// `QuoteSentBack` of revision r → ``WorkflowInstance/Command/closeBySubject(decision:decidedBy:)`` for
    /// instance ``instanceID(for:recordID:revision:)`` of r, by the approver. Anything else → nil. Whether the
    /// decision came from outside the instance (not its own outcome) and the instance still waits is the
    /// caller's to judge (the engine: the decision's causation is none of the instance's events).
    public static func closing(after event: QuoteEvent) -> Routed<WorkflowInstance.Command>? {
        switch event {
        case .approved(let e): return closing(instanceID(for: .quote, recordID: e.quoteID, revision: UInt64(max(e.revision, 0))), .approved, by: e.approver)
        case .sentBack(let e): return closing(instanceID(for: .quote, recordID: e.quoteID, revision: UInt64(max(e.revision, 0))), .sentBack, by: e.approver)
        default: return nil
        }
    }

    /// The same for a contract: `ContractApproved` / `ContractSentBack` / `ContractCancelled` → the close of the
    /// instance of the contract's submission at stream version `submission` (its latest
    /// `ContractSubmittedForApproval` before the decision), with decision `approved` / `sentBack` / `cancelled`.
    /// Anything else → nil.
    public static func closing(after event: ContractEvent, submission: StreamVersion) -> Routed<WorkflowInstance.Command>? {
        switch event {
        case .approved(let e): return closing(instanceID(for: .contract, recordID: e.contractID, revision: submission.rawValue), .approved, by: e.by)
        case .sentBack(let e): return closing(instanceID(for: .contract, recordID: e.contractID, revision: submission.rawValue), .sentBack, by: e.by)
        case .cancelled(let e): return closing(instanceID(for: .contract, recordID: e.contractID, revision: submission.rawValue), .cancelled, by: e.by)
        default: return nil
        }
    }

    /// The same for a campaign: `CampaignApproved` / `CampaignSentBack` → the close of the instance of the
    /// feasibility study submitted at stream version `feasibilitySubmission` (nil: none before the decision →
    /// nil); `CampaignMaterialAdvanced` at stage `approved` / `CampaignMaterialDeclined` → the close of the
    /// material's instance ``materialInstanceID(campaignID:materialID:)``. Anything else → nil.
    public static func closing(after event: CampaignEvent, feasibilitySubmission: StreamVersion?) -> Routed<WorkflowInstance.Command>? {
        switch event {
        case .approved(let e):
            return feasibilitySubmission.map { closing(instanceID(for: .campaign, recordID: e.campaignID, revision: $0.rawValue), .approved, by: e.by) }
        case .sentBack(let e):
            return feasibilitySubmission.map { closing(instanceID(for: .campaign, recordID: e.campaignID, revision: $0.rawValue), .sentBack, by: e.by) }
        case .materialAdvanced(let e) where e.stage == .approved:
            return closing(materialInstanceID(campaignID: e.campaignID, materialID: e.materialID), .approved, by: e.by)
        case .materialDeclined(let e):
            return closing(materialInstanceID(campaignID: e.campaignID, materialID: e.materialID), .sentBack, by: e.by)
        default: return nil
        }
    }

    /// The same for a feedback form reviewed or returned by hand (by its named reviewer, `actor`): the close of
    /// the reviewing instance the event names. Anything else → nil.
    public static func closing(after event: FeedbackEvent, actor: String) -> Routed<WorkflowInstance.Command>? {
        switch event {
        case .reviewed(let e): return closing(e.workflowID, .approved, by: actor)
        case .returned(let e): return closing(e.workflowID, .sentBack, by: actor)
        default: return nil
        }
    }

    // MARK: asked again

    /// The close of the instance a quote's new revision supersedes: `QuoteRevised` of revision r > 1 →
    /// ``superseding(_:recordID:earlier:by:)`` of revision r − 1 (revisions are numbered one after the other),
    /// by the revision's author — whether or not the new revision needs approval itself (an older revision's
    /// instance routes nothing: ``quoteCommand(after:instance:currentRevision:approverRole:limits:)``).
    /// Anything else → nil.
    public static func superseding(after event: QuoteEvent) -> Routed<WorkflowInstance.Command>? {
        guard case .revised(let e) = event, e.revision.number > 1 else { return nil }
        return superseding(.quote, recordID: e.quoteID, earlier: UInt64(e.revision.number - 1), by: e.revision.author)
    }

    /// The close of the instance of a record's earlier request for approval when the record asks again:
    /// ``WorkflowInstance/Command/closeBySubject(decision:decidedBy:)`` with decision `superseded`, by `by` (who
    /// asked again), for instance ``instanceID(for:recordID:revision:)`` of `earlier` — a quote's previous
    /// revision number, or the stream version of a contract's, campaign's or feedback form's previous request.
    /// (A material is requested once: its instance is never superseded.) Whether that instance still waits is
    /// the caller's to judge.
    public static func superseding(_ kind: WorkflowSubjectKind, recordID: UUID, earlier: UInt64, by: String) -> Routed<WorkflowInstance.Command> {
        closing(instanceID(for: kind, recordID: recordID, revision: earlier), .superseded, by: by)
    }

    private static func closing(_ instance: UUID, _ decision: WorkflowSubjectDecision, by: String) -> Routed<WorkflowInstance.Command> {
        Routed(recordID: instance, command: .closeBySubject(decision: decision, decidedBy: by), actor: by)
    }

    // MARK: who may decide a step

    /// The role among `roles` whose discount limit covers `draft` — the one with the smallest such limit —
    /// or nil when none does. This is part 2's rule (`Quote.approve` refuses any other role).
    public static func coveringRole(among roles: [String], draft: QuoteDraft, limits: [DiscountLimit]) -> String? {
        roles.compactMap { role in limits.limit(for: role).map { (role, $0) } }
            .filter { draft.discountWithin($0.1) }
            .min { $0.1 < $1.1 }?.0
    }

    /// The roles to pass in a quote workflow command for an employee holding `roles`: their own, plus
    /// ``WorkflowDefinition/quoteDiscountApprover`` when one of them covers `draft` (the quote's current
    /// revision) under the settings' `limits`.
    public static func quoteApproverRoles(_ roles: [String], draft: QuoteDraft, limits: [DiscountLimit]) -> [String] {
        coveringRole(among: roles, draft: draft, limits: limits) == nil ? roles : roles + [WorkflowDefinition.quoteDiscountApprover]
    }

    /// The roles to pass in a contract, campaign, feedback form or material request workflow command for an
    /// employee holding `roles`: their own, plus ``WorkflowDefinition/contractApprover`` / ``WorkflowDefinition/campaignApprover``
    /// / ``WorkflowDefinition/feedbackReviewer`` / ``WorkflowDefinition/materialApprover`` when `mayApprove`
    /// (the engine's check of the `approve` action in that module over the record, as in part 2 — for a
    /// material request: in `campaigns` over its campaign; for a feedback form: the employee is its named reviewer).
    public static func approverRoles(_ roles: [String], for kind: WorkflowSubjectKind, mayApprove: Bool) -> [String] {
        guard mayApprove else { return roles }
        switch kind {
        case .contract: return roles + [WorkflowDefinition.contractApprover]
        case .campaign: return roles + [WorkflowDefinition.campaignApprover]
        case .feedbackForm: return roles + [WorkflowDefinition.feedbackReviewer]
        case .materialRequest: return roles + [WorkflowDefinition.materialApprover]
        case .quote: return roles
        }
    }

    // MARK: outcomes

    /// What `event` of a workflow instance decides about its subject, or nil when it decides nothing yet.
    /// `instance` is the instance's state after the event (its approvals include the last one). A cancellation
    /// (the submitter withdrew the request) sends the subject back as its submitter, with the withdrawal's reason.
    public static func outcome(of event: WorkflowEvent, instance: WorkflowInstanceState) -> Outcome? {
        switch event {
        case .completed:
            guard let last = instance.approvals.last else { return nil }
            return .approved(by: last.approvedBy, comment: last.comment)
        case .sentBack(let e) where e.toStep == nil:
            return .sentBack(by: e.sentBackBy, reason: e.reason)
        case .rejected(let e):
            return .sentBack(by: e.rejectedBy, reason: e.reason)
        case .cancelled(let e):
            return .sentBack(by: e.cancelledBy, reason: e.reason)
        default:
            return nil
        }
    }

    /// The quote command recording a quote instance's outcome: `approve(approverRole:limits:)` as the last
    /// approver, or `sendBack(reason:)` as the employee who sent it back or rejected it. `approverRole` is
    /// the role the last approver acted in (the engine takes ``coveringRole(among:draft:limits:)`` of their
    /// roles); `Quote.approve` checks it against `limits` exactly as in part 2. `currentRevision` is the
    /// quote's current revision number: an instance started for an older revision routes nothing (its
    /// revision was replaced while it ran). Nil for other subjects and for events that decide nothing.
    /// A delegate needs a covering role of their own: without one `Quote.approve` refuses.
    public static func quoteCommand(after event: WorkflowEvent, instance: WorkflowInstanceState, currentRevision: Int,
                                    approverRole: String, limits: [DiscountLimit]) -> Routed<Quote.Command>? {
        guard instance.subjectKind == .quote, let quoteID = instance.subjectID,
              instance.instanceID == instanceID(for: .quote, recordID: quoteID, revision: UInt64(max(currentRevision, 0))),
              let outcome = outcome(of: event, instance: instance) else { return nil }
        switch outcome {
        case .approved(let by, _): return Routed(recordID: quoteID, command: .approve(approverRole: approverRole, limits: limits), actor: by)
        case .sentBack(let by, let reason): return Routed(recordID: quoteID, command: .sendBack(reason: reason), actor: by)
        }
    }

    /// The contract command recording a contract instance's outcome: `approve(note:)` with the last
    /// approval's comment, as its approver; or `sendBack(reason:)`. Nil for other subjects and for events
    /// that decide nothing.
    public static func contractCommand(after event: WorkflowEvent, instance: WorkflowInstanceState) -> Routed<Contract.Command>? {
        guard instance.subjectKind == .contract, let contractID = instance.subjectID,
              let outcome = outcome(of: event, instance: instance) else { return nil }
        switch outcome {
        case .approved(let by, let comment): return Routed(recordID: contractID, command: .approve(note: comment), actor: by)
        case .sentBack(let by, let reason): return Routed(recordID: contractID, command: .sendBack(reason: reason), actor: by)
        }
    }

    /// The campaign command recording a campaign instance's outcome: `approve(note:)` with the last
    /// approval's comment, as its approver; or `sendBack(reason:)`. Nil for other subjects and for events
    /// that decide nothing.
    public static func campaignCommand(after event: WorkflowEvent, instance: WorkflowInstanceState) -> Routed<Campaign.Command>? {
        guard instance.subjectKind == .campaign, let campaignID = instance.subjectID,
              let outcome = outcome(of: event, instance: instance) else { return nil }
        switch outcome {
        case .approved(let by, let comment): return Routed(recordID: campaignID, command: .approve(note: comment), actor: by)
        case .sentBack(let by, let reason): return Routed(recordID: campaignID, command: .sendBack(reason: reason), actor: by)
        }
    }
}

extension ApprovalRouting.Routed: Equatable where Command: Equatable {}
