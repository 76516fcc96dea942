import CRMDomain
import CRMProjections
import EventSourcing
import Foundation

/// Workflow definitions: module `settings` (approval workflows are configuration as data, R-ORG-4/5);
/// global. `define` → create; `revise` → edit.
extension WorkflowDefinition: EngineRecord {
    public static var module: Permission.Module { .settings }
    public static func action(for command: Command) -> Permission.Action {
        switch command {
        case .define: return .create
        case .revise: return .edit
        }
    }
    public static func scope(of command: Command?, state: State) -> ScopeSource { .global }
}

/// Workflow instances: module `organisation` (R-ORG-5 approvals; no module of its own). An instance sits
/// where its subject does (``ScopeSource/workflowSubject(_:_:owners:)``: a quote's or contract's customer
/// and owners, a campaign's owner, a feedback form's branch and people; a material request's campaign), with
/// its submitter and current delegate as owners too — so an approver whose permission covers the subject's
/// branch sees and decides it, and one of another branch does not. Reading an instance (``CRMEngine/state(_:id:as:)``,
/// lists, the approval inbox's rows) needs more: `query` in the subject's own module over that scope too (a
/// quote's: quotes; a contract's: contracts; a campaign's or material request's: campaigns; a feedback form's:
/// its binding's module), unless the reader is its submitter or may decide its current step by the rule that
/// lets them decide it (``CRMEngine/requireStepDecider(_:as:held:at:)``: so a delegate, a holder of the step's
/// role or whom its lateness was escalated to reads it only when they could decide it) — the instance tells
/// which record waits, who submitted it and the steps' comments
/// (``CRMEngine/mayReadWorkflowInstance(_:scope:as:held:at:mayDecide:)``). Its submitter reads it without `query` in
/// organisation too (``PartyCommands``: the engine's read ``CRMEngine/state(_:id:as:)`` and the inbox's rows), as
/// they may cancel or resubmit it.
/// Who decides a step is one rule (``CRMEngine/requireStepDecider(_:as:held:at:)``, also the approval inbox's):
/// `approve` in organisation over the instance, never its submitter, its delegate or a holder of its role — a
/// delegate of a symbolic role with the right over the subject it stands for.
/// `start` → create (judged on the subject's
/// scope alone); `approve`, `sendBack`, `reject`, `delegate` (decisions of the step's holder) → approve;
/// `escalateIfLate`, `resubmit`, `closeBySubject` → edit; `cancel` → delete. `closeBySubject` is the
/// system's alone (the approval routing reaction): a person gets `forbidden`. The submitter's own `cancel` and
/// `resubmit` of a started instance need no right in organisation (``PartyCommands``: the engine's permission
/// steps ask none of them, whichever path sends them — `execute`, a dry run, HTTP's `/cancel` and `/resubmit`);
/// the domain still asks that the request waits (or was returned, to resubmit), and the submitter is recorded
/// as the actor. Anyone else's is judged as any command on the instance (and the domain lets only the
/// submitter do either). A resubmit is refused, nothing written, unless the subject still waits for this very
/// request (``CRMEngine/requireSubjectAwaitsResubmission(_:state:principal:)``): a quote, contract, campaign or
/// feedback form sent back through the workflow asks again by its own path, which starts a new request.
///
/// The engine fills in, for a person: the definition's current version from its `WorkflowDefinition` stream
/// (never the caller's copy, nor an older version), the submitter and the deciding employee (the principal), and the roles (those the
/// principal holds, plus the symbolic approver role of the subject's kind when the principal may approve
/// the subject: `approve` in quotes over a quote with its discount within one of their roles' limits, or
/// `approve` in contracts or campaigns over the subject's scope — a material request's subject is its
/// campaign). The system principal's commands (the reactor's routing) pass as given.
///
/// A person's decision is judged on what it carries to the subject, before anything is written: one that would
/// end the workflow (approve the last step, send back to the submitter, reject) is refused, `rejected`, when the
/// command the approval-routing reaction would then run on the subject — as the system recorded as the deciding
/// employee — would be refused (``CRMEngine/requireSubjectAcceptsOutcome(of:state:principal:)``: a dry run of that
/// very command), so no workflow completes with its subject still waiting. A delegation is refused, `invalid`
/// with field `to`, unless the delegate, an active employee with their current permissions, could approve the
/// step as its delegate — the judgement their `approve` would get (``CRMEngine/requireDelegateMayDecide(_:state:principal:)``).
extension WorkflowInstance: EngineRecord {
    public static var module: Permission.Module { .organisation }
    public static func action(for command: Command) -> Permission.Action {
        switch command {
        case .start: return .create
        case .approve, .sendBack, .reject, .delegate: return .approve
        case .escalateIfLate, .resubmit, .closeBySubject: return .edit
        case .cancel: return .delete
        }
    }
    public static func scope(of command: Command?, state: State) -> ScopeSource {
        if case .start(_, let kind, let subject, let submitter, _)? = command, state.status == .none {
            return .workflowSubject(kind, subject, owners: [submitter])
        }
        let owners = [state.submitter] + (state.delegate.map { [$0] } ?? [])
        guard let kind = state.subjectKind, let subject = state.subjectID else { return .direct(RecordScope(owners: owners)) }
        return .workflowSubject(kind, subject, owners: owners)
    }
    /// Its `mayRead` asks more than `query` in workflows (below).
    public static var hasDefaultMayRead: Bool { false }
    /// Also `query` in the subject's module, unless the principal submitted the instance or may decide its
    /// current step (see the type's comment).
    public static func mayRead(_ state: State, scope: RecordScope, as principal: Principal, engine: CRMEngine, at now: Date) async throws -> Bool {
        try await engine.mayReadWorkflowInstance(state, scope: scope, as: principal, at: now)
    }
    public static func prepare(_ command: Command, state: State, principal: Principal, engine: CRMEngine) async throws -> Command {
        switch command {
        case .start(let id, let kind, let subjectID, let submitter, let given):
            let recorded = try await engine.load(WorkflowDefinition.self, stream: WorkflowDefinition.stream(given.definitionID)).state
            // A person starts the definition's current version, never an older one with fewer steps.
            guard let definition = principal.isSystem ? recorded.version(given.version) : recorded.current else {
                throw EngineError(.invalid, field: "definition", "no such workflow definition version")
            }
            return .start(id: id, subjectKind: kind, subjectID: subjectID,
                          submitter: principal.isSystem ? submitter : principal.id, definition: definition)
        case .approve(_, _, let comment):
            guard !principal.isSystem else { return command }
            let decision = Command.approve(employee: principal.id, roles: try await deciderRoles(state, principal, engine), comment: comment)
            try await engine.requireSubjectAcceptsOutcome(of: decision, state: state, principal: principal)
            return decision
        case .sendBack(_, _, let reason):
            guard !principal.isSystem else { return command }
            let decision = Command.sendBack(employee: principal.id, roles: try await deciderRoles(state, principal, engine), reason: reason)
            try await engine.requireSubjectAcceptsOutcome(of: decision, state: state, principal: principal)
            return decision
        case .reject(_, _, let reason):
            guard !principal.isSystem else { return command }
            let decision = Command.reject(employee: principal.id, roles: try await deciderRoles(state, principal, engine), reason: reason)
            try await engine.requireSubjectAcceptsOutcome(of: decision, state: state, principal: principal)
            return decision
        case .delegate(_, _, let to):
            guard !principal.isSystem else { return command }
            let delegation = Command.delegate(employee: principal.id, roles: try await deciderRoles(state, principal, engine), to: to)
            try await engine.requireDelegateMayDecide(delegation, state: state, principal: principal)
            return delegation
        case .resubmit:
            let resubmit = principal.isSystem ? command : .resubmit(employee: principal.id)
            try await engine.requireSubjectAwaitsResubmission(resubmit, state: state, principal: principal)
            return resubmit
        case .cancel(_, let reason):
            return principal.isSystem ? command : .cancel(employee: principal.id, reason: reason)
        case .escalateIfLate:
            return command
        case .closeBySubject:
            // Only the reactor closes an instance whose subject was decided elsewhere.
            guard principal.isSystem else { throw EngineError(.forbidden, "only the system closes a workflow whose subject was decided") }
            return command
        }
    }

    /// The roles a person decides a step with — those they hold now, plus the symbolic approver role of the
    /// subject's kind when they may approve the subject itself —, once ``CRMEngine/requireStepDecider(_:as:held:at:)``
    /// let them decide it (else its refusal, before anything is written).
    private static func deciderRoles(_ state: State, _ principal: Principal, _ engine: CRMEngine) async throws -> [String] {
        try await engine.requireStepDecider(state, as: principal, at: engine.clock.now())
    }
}

extension CRMEngine {
    /// The module of a workflow subject of `kind`, as its record's binding declares it: a quote's, a contract's,
    /// a campaign's (also for a material request, whose subject is its campaign), a feedback form's.
    static func module(ofWorkflowSubject kind: WorkflowSubjectKind) -> Permission.Module {
        switch kind {
        case .quote: return Quote.module
        case .contract: return Contract.module
        case .campaign, .materialRequest: return Campaign.module
        case .feedbackForm: return FeedbackForm.module
        }
    }

    /// Whether `principal`, who may `query` a workflow instance in `organisation` over its `scope` (its
    /// subject's, with its submitter and delegate as owners: as the caller judged it), may read the instance in
    /// `state`: as its submitter; with `query` in the subject's module over that scope (whose only owners
    /// beyond the subject's are its submitter and delegate); or as one who may decide its current step, by the
    /// one rule of deciding (``mayDecideStep(_:as:held:at:)``; `held`: their roles, read from the organisation
    /// when nil) — a delegate, a holder of the step's role or whom its lateness was escalated to who could not
    /// decide it reads it no more than anyone else. `mayDecide`: the caller's own answer of that rule for this
    /// state (the approval inbox's, which asks it of its rows anyway), asked only when needed.
    func mayReadWorkflowInstance(_ state: WorkflowInstance.State, scope: RecordScope, as principal: Principal, held: [String]? = nil,
                                 at now: Date, mayDecide: (() async throws -> Bool)? = nil) async throws -> Bool {
        guard let kind = state.subjectKind, state.subjectID != nil else { return principal.isSystem }
        if principal.isSystem || Employee.sameID(state.submitter, principal.id) { return true }
        if principal.may(.query, in: Self.module(ofWorkflowSubject: kind), on: scope, at: now) { return true }
        if let mayDecide { return try await mayDecide() }
        return try await mayDecideStep(state, as: principal, held: held, at: now)
    }

    /// Whether ``requireStepDecider(_:as:held:at:)`` lets `principal` decide the current step of the instance in
    /// `state` (false when no step waits); an error of reading the log is thrown, not taken for a refusal.
    func mayDecideStep(_ state: WorkflowInstance.State, as principal: Principal, held: [String]? = nil, at now: Date) async throws -> Bool {
        guard state.currentStep != nil else { return false }
        do {
            _ = try await requireStepDecider(state, as: principal, held: held, at: now)
            return true
        } catch let refused as EngineError where refused.code != .unavailable && refused.code != .contention {
            return false
        }
    }

    /// The scope of a workflow instance's subject, as its own binding resolves it: a quote's or contract's
    /// customer (branch, community, group, owner) with the quote's first author / the contract's owner; a
    /// campaign's owner (for a material request: its campaign's); a feedback form's branch, submitter,
    /// reporter and reviewer. A subject not in the log gives the global scope (only a permission over all
    /// data reaches it).
    func workflowSubjectScope(_ kind: WorkflowSubjectKind, _ subject: UUID) async throws -> RecordScope {
        switch kind {
        case .quote:
            let quote = try await load(Quote.self, stream: Quote.stream(subject)).state
            return quote.exists ? try await resolve(Quote.scope(of: nil, state: quote)) : .global
        case .contract:
            let contract = try await load(Contract.self, stream: Contract.stream(subject)).state
            return contract.exists ? try await resolve(Contract.scope(of: nil, state: contract)) : .global
        case .campaign, .materialRequest:
            let campaign = try await load(Campaign.self, stream: Campaign.stream(subject)).state
            return campaign.exists ? try await resolve(Campaign.scope(of: nil, state: campaign)) : .global
        case .feedbackForm:
            let form = try await load(FeedbackForm.self, stream: FeedbackForm.stream(subject)).state
            return form.formID != nil ? try await resolve(FeedbackForm.scope(of: nil, state: form)) : .global
        }
    }

    /// The roles `principal` (holding `held`) decides a step about `subject` with: `held`, plus the symbolic
    /// approver role of the subject's kind when they may approve the subject itself (a quote's current
    /// revision within one of their roles' discount limits and `approve` in quotes over it; `approve` in contracts
    /// or campaigns over it; for a material request, `approve` in campaigns over its campaign, the instance's subject).
    /// Also whether `principal` may approve the subject itself (``mayApproveWorkflowSubject(_:_:as:at:)``), read once.
    func deciderRoles(_ held: [String], of principal: Principal, for kind: WorkflowSubjectKind, subject: UUID,
                      at now: Date) async throws -> (roles: [String], mayApprove: Bool) {
        guard kind == .quote else {
            let mayApprove = try await mayApproveWorkflowSubject(kind, subject, as: principal, at: now)
            return (ApprovalRouting.approverRoles(held, for: kind, mayApprove: mayApprove), mayApprove)
        }
        // As a direct approval (`Quote.approve`): `approve` in quotes over the quote, and a role held whose
        // discount limit covers its current revision.
        let quote = try await load(Quote.self, stream: Quote.stream(subject)).state
        let mayApprove = try await mayApprove(quote, as: principal, at: now)
        guard mayApprove, let draft = quote.current?.draft else { return (held, mayApprove) }
        return (ApprovalRouting.quoteApproverRoles(held, draft: draft, limits: try await settings().effectiveDiscountLimits), mayApprove)
    }

    /// Whether `principal` may approve `quote` itself: `approve` in quotes over a quote with a current revision.
    private func mayApprove(_ quote: Quote.State, as principal: Principal, at now: Date) async throws -> Bool {
        guard quote.exists, quote.current != nil else { return false }
        return principal.may(.approve, in: .quotes, on: try await resolve(Quote.scope(of: nil, state: quote)), at: now)
    }

    /// Whether `principal` may decide `subject` itself, as a direct decision on it is judged (a quote's discount
    /// limit aside): `approve` in quotes over a quote with a current revision; in contracts over a contract; in
    /// campaigns over a campaign, or over a material request's campaign; a feedback form's named reviewer.
    func mayApproveWorkflowSubject(_ kind: WorkflowSubjectKind, _ subject: UUID, as principal: Principal, at now: Date) async throws -> Bool {
        switch kind {
        case .quote:
            return try await mayApprove(try await load(Quote.self, stream: Quote.stream(subject)).state, as: principal, at: now)
        case .contract:
            let contract = try await load(Contract.self, stream: Contract.stream(subject)).state
            let scope = try await resolve(Contract.scope(of: nil, state: contract))
            return contract.exists && principal.may(.approve, in: .contracts, on: scope, at: now)
        case .campaign, .materialRequest:
            // A material request's subject is the material's campaign: whoever may approve the material directly decides.
            let campaign = try await load(Campaign.self, stream: Campaign.stream(subject)).state
            let scope = try await resolve(Campaign.scope(of: nil, state: campaign))
            return campaign.exists && principal.may(.approve, in: .campaigns, on: scope, at: now)
        case .feedbackForm:
            let form = try await load(FeedbackForm.self, stream: FeedbackForm.stream(subject)).state
            return !form.reviewer.isEmpty && form.reviewer == principal.id
        }
    }

    /// The one rule of who decides (approves, sends back, rejects or delegates) the current step of the workflow
    /// instance in `state`, judged for a person's decision (``WorkflowInstance``'s `prepare`) and for the rows of
    /// the approval inbox (``approvalInbox(as:consistentWith:)``): returns the roles `principal` (holding `held`,
    /// read from the organisation when nil) decides it with — ``deciderRoles(_:of:for:subject:at:)`` — or throws
    /// the refusal, nothing written:
    /// - `approve` in organisation over the instance (its subject's scope, its submitter and delegate as owners),
    ///   else `forbidden`, as authorization answers;
    /// - not its submitter (segregation of duties: no one decides their own request), else `forbidden`, field
    ///   `employee`; the system and operators are no submitter, and their commands pass as given;
    /// - the step's delegate or a holder of its role, the step waiting (the domain's ``WorkflowInstanceState/authorise(_:roles:)``),
    ///   else `rejected` with the domain's error;
    /// - a delegate of a step in a symbolic approver role that stands for a right over the subject (a quote's,
    ///   contract's, campaign's, material request's; not a feedback form's review, whose role names its
    ///   reviewer) holds that right as its holder must (``mayApproveWorkflowSubject(_:_:as:at:)``): a delegate decides
    ///   as the delegator could, else `forbidden`, field `employee` (a quote's discount limit is the quote's own
    ///   judgement of the outcome, ``requireSubjectAcceptsOutcome(of:state:principal:)``).
    func requireStepDecider(_ state: WorkflowInstance.State, as principal: Principal, held: [String]? = nil, at now: Date) async throws -> [String] {
        let held = try await roleNamesIfUnknown(held, of: principal, at: now)
        guard let kind = state.subjectKind, let subject = state.subjectID else { return held }
        let (roles, mayApprove) = try await deciderRoles(held, of: principal, for: kind, subject: subject, at: now)
        guard !principal.isSystem else { return roles }
        guard try await WorkflowInstance.mayDo(.approve(employee: principal.id, roles: roles, comment: nil), state: state, principal: principal,
                                               engine: self, at: now) else {
            throw EngineError(.forbidden, "approve in \(WorkflowInstance.module.rawValue) is not allowed here")
        }
        guard !Employee.sameID(state.submitter, principal.id) else {
            throw EngineError(.forbidden, field: "employee", "the submitter of a request may not decide it")
        }
        let asDelegate: Bool
        do {
            asDelegate = try state.authorise(principal.id, roles: roles)
        } catch {
            throw EngineError(error)
        }
        if asDelegate, let role = state.currentStep?.approverRole, role != WorkflowDefinition.feedbackReviewer,
           WorkflowDefinition.symbolicApproverRoles.contains(role) {
            guard mayApprove else { throw EngineError(.forbidden, field: "employee", "the delegate may not decide the record this step approves") }
        }
        return roles
    }

    private func roleNamesIfUnknown(_ held: [String]?, of principal: Principal, at now: Date) async throws -> [String] {
        if let held { return held }
        return try await roleNames(of: principal, at: now)
    }
}

extension CRMEngine {
    /// Refuses a person's `decision` (approve, send back, reject) on the workflow instance in `state` when the
    /// command it would carry to its subject would be refused: the decision's events (as the domain decides
    /// them now) are folded into the instance, the approval-routing reaction's commands for them are built as the
    /// reaction builds them (``CRMReactions/approvalOutcomes(after:instance:stream:engine:)``) and each is judged by
    /// a dry run as the principal the reaction runs it as. A refusal is `rejected` (its field and domain error
    /// kept; a subject not found is no "not found" of the instance); nothing is written.
    ///
    /// Judged only for whom the engine then lets decide (their `approve` in organisation over the instance, and
    /// the domain's acceptance of the decision): anyone else gets the error they got before.
    func requireSubjectAcceptsOutcome(of decision: WorkflowInstance.Command, state: WorkflowInstance.State, principal: Principal) async throws {
        guard !principal.isSystem, let id = state.instanceID else { return }
        let now = clock.now()
        guard try await WorkflowInstance.mayDo(decision, state: state, principal: principal, engine: self, at: now),
              let events = try? WorkflowInstance.decide(decision, state: state, context: CommandContext(now: now, actor: principal.id)),
              !events.isEmpty else { return }
        let after = events.reduce(state, WorkflowInstance.evolve)
        for event in events {
            for outcome in try await CRMReactions.approvalOutcomes(after: event, instance: after, stream: WorkflowInstance.stream(id), engine: self) {
                do {
                    try await outcome.dryRun(self)
                } catch let refused as EngineError where refused.code != .unavailable && refused.code != .contention {
                    throw EngineError(.rejected, field: refused.field, "the record this workflow decides would refuse the decision: \(refused.message)",
                                      domain: refused.domain?.code == .notFound ? nil : refused.domain)
                }
            }
        }
    }

    /// Refuses the `resubmit` of the workflow instance in `state` — one the domain would accept: its submitter's,
    /// the instance returned to them — unless its subject still waits for this very request, so that no
    /// resubmitted request waits for a decision its subject would refuse. A send-back through the workflow sent
    /// the subject back too (the approval-routing reaction's `sendBack` / `markReturned`), and a quote, contract,
    /// campaign or feedback form asks for approval again only by its own path, which starts a new request (and
    /// closes this one as superseded): a quote is revised, a contract submitted for approval again, a campaign's
    /// feasibility study submitted again, a feedback form amended. A material request is resubmitted as it is
    /// (its approval clears the decline). Refused `rejected` (domain error `invalidTransition`) naming that
    /// path; nothing is written. Anyone else's resubmit gets the error it got before.
    func requireSubjectAwaitsResubmission(_ resubmit: WorkflowInstance.Command, state: WorkflowInstance.State, principal: Principal) async throws {
        guard let id = state.instanceID, let kind = state.subjectKind, let subject = state.subjectID,
              let events = try? WorkflowInstance.decide(resubmit, state: state, context: CommandContext(now: clock.now(), actor: principal.id)),
              !events.isEmpty else { return }
        let refusal: String
        switch kind {
        case .materialRequest:
            return
        case .quote:
            let quote = try await load(Quote.self, stream: Quote.stream(subject)).state
            if quote.status == .pendingApproval, let current = quote.current,
               ApprovalRouting.instanceID(for: .quote, recordID: subject, revision: UInt64(max(current.number, 0))) == id { return }
            refusal = "the quote no longer waits for this request: revise it, which asks for approval again"
        case .contract:
            let (contract, version) = try await load(Contract.self, stream: Contract.stream(subject))
            if contract.status == .pendingApproval, try await latestApprovalRequest(of: .contract, recordID: subject, stream: Contract.stream(subject), version: version) == id { return }
            refusal = "the contract no longer waits for this request: submit it for approval again, which asks for approval anew"
        case .campaign:
            let (campaign, version) = try await load(Campaign.self, stream: Campaign.stream(subject))
            if campaign.status == .feasibility, try await latestApprovalRequest(of: .campaign, recordID: subject, stream: Campaign.stream(subject), version: version) == id { return }
            refusal = "the campaign no longer waits for this request: submit its feasibility study again, which asks for approval anew"
        case .feedbackForm:
            let form = try await load(FeedbackForm.self, stream: FeedbackForm.stream(subject)).state
            if form.status == .inReview, form.workflowID == id { return }
            refusal = "the feedback form no longer waits for this review: amend it, which sends it for a review again"
        }
        throw EngineError(.rejected, refusal, domain: .transition(refusal))
    }

    /// The id of the instance of the latest request for approval of `kind` in `stream` (a contract's latest
    /// `ContractSubmittedForApproval`, a campaign's latest `CampaignFeasibilitySubmitted`) of record `recordID`,
    /// read back from `version`; nil when it has none.
    private func latestApprovalRequest(of kind: WorkflowSubjectKind, recordID: UUID, stream: StreamID, version: StreamVersion) async throws -> UUID? {
        guard version != .noStream, let (_, types) = CRMReactions.approvalRequests(of: kind),
              let request = try await CRMReactions.firstAnswer(in: stream, from: version, .backward, engine: self, {
                  types.contains($0.type) ? $0.streamVersion : nil
              }) else { return nil }
        return ApprovalRouting.instanceID(for: kind, recordID: recordID, revision: request.rawValue)
    }

    /// Refuses a person's `delegation` of the current step of the workflow instance in `state` unless its
    /// delegate could decide the step: the delegate, an active employee with the permissions their roles give
    /// now, approving the instance as it would stand delegated to them is judged as their `approve` would be —
    /// seeing the instance, `approve` in organisation over its scope (the delegate among its owners), the domain,
    /// and the outcome's acceptance by the subject (``requireSubjectAcceptsOutcome(of:state:principal:)``) —
    /// through the same steps ``judge(_:id:_:on:version:as:)``. Refused `invalid`, field `to`; nothing is written.
    ///
    /// Judged only for whom the engine then lets delegate, and for a delegation that changes something; an
    /// unknown or deactivated delegate is refused as any employee named (`to`: ``requireActiveEmployees(_:principal:)``).
    func requireDelegateMayDecide(_ delegation: WorkflowInstance.Command, state: WorkflowInstance.State, principal: Principal) async throws {
        guard !principal.isSystem, case .delegate(_, _, let to) = delegation, let id = state.instanceID else { return }
        let now = clock.now()
        guard try await WorkflowInstance.mayDo(delegation, state: state, principal: principal, engine: self, at: now),
              let events = try? WorkflowInstance.decide(delegation, state: state, context: CommandContext(now: now, actor: principal.id)),
              !events.isEmpty, let employee = UUID(text: to) else { return }
        let delegate: Principal
        do {
            delegate = try await self.principal(employeeID: employee)
        } catch let unknown as EngineError where unknown.code == .unauthenticated {
            return
        }
        let delegated = events.reduce(state, WorkflowInstance.evolve)
        do {
            _ = try await judge(WorkflowInstance.self, id: id, .approve(employee: delegate.id, roles: [], comment: nil), on: delegated, as: delegate)
        } catch let refused as EngineError where refused.code != .unavailable && refused.code != .contention {
            throw EngineError(.invalid, field: "to", "the employee could not decide this step")
        }
    }
}

/// The submitter's own commands (``PartyCommands``): a person who submitted a started instance cancels or
/// resubmits it whatever rights they hold in organisation — the request is theirs; the domain still judges
/// whether it waits (or was returned). Nothing else, and no one else. They read it likewise (its steps, status
/// and comments: what they withdraw or must resubmit), in any status.
extension WorkflowInstance: PartyCommands {
    static func isPartysOwn(_ command: Command, state: State, principal: Principal) -> Bool {
        guard isPartysOwn(state, principal: principal) else { return false }
        switch command {
        case .cancel, .resubmit: return true
        case .start, .approve, .sendBack, .reject, .delegate, .escalateIfLate, .closeBySubject: return false
        }
    }

    /// The instance's submitter, once it started.
    static func isPartysOwn(_ state: State, principal: Principal) -> Bool {
        !principal.isSystem && state.status != .none && Employee.sameID(state.submitter, principal.id)
    }
}

extension Principal {
    /// Segregation of duties outside the workflow path, as on it (``CRMEngine/requireStepDecider(_:as:held:at:)``):
    /// no one decides their own request directly. `forbidden`, field `employee`, with `message`, when `requester`
    /// (who asked for the decision: a quote revision's author, a contract's or feasibility study's submitter, a
    /// material's requester) is this principal; nothing is written. The system's commands (the approval-routing
    /// reaction, recorded as the employee who decided the workflow, never its submitter) pass.
    func requireNotRequester(_ requester: String?, _ message: String) throws(EngineError) {
        guard !isSystem, let requester, !requester.isEmpty, Employee.sameID(requester, id) else { return }
        throw EngineError(.forbidden, field: "employee", message)
    }
}
