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

/// Workflow instances: module `organisation` (R-ORG-5 approvals; no module of its own). An instance names
/// no customer, so its scope is its submitter and current delegate as owners — like the approval inbox's
/// rows — and anyone else needs the permission over all data. `start` → create; `approve`, `sendBack`,
/// `reject`, `delegate` (decisions of the step's holder) → approve; `escalateIfLate`, `resubmit` → edit;
/// `cancel` → delete.
///
/// The engine fills in, for a person: the definition's current version from its `WorkflowDefinition` stream
/// (never the caller's copy, nor an older version), the submitter and the deciding employee (the principal), and the roles (those the
/// principal holds, plus the symbolic approver role of the subject's kind when the principal may approve
/// the subject: a quote's discount within one of their roles' limits, or `approve` in contracts or
/// campaigns over the subject's scope — a material request's subject is its campaign). The system principal's commands (the reactor's routing) pass as given.
extension WorkflowInstance: EngineRecord {
    public static var module: Permission.Module { .organisation }
    public static func action(for command: Command) -> Permission.Action {
        switch command {
        case .start: return .create
        case .approve, .sendBack, .reject, .delegate: return .approve
        case .escalateIfLate, .resubmit: return .edit
        case .cancel: return .delete
        }
    }
    public static func scope(of command: Command?, state: State) -> ScopeSource {
        if case .start(_, _, _, let submitter, _)? = command, state.status == .none {
            return .direct(RecordScope(owners: [submitter]))
        }
        return .direct(RecordScope(owners: [state.submitter] + (state.delegate.map { [$0] } ?? [])))
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
            return .approve(employee: principal.id, roles: try await deciderRoles(state, principal, engine), comment: comment)
        case .sendBack(_, _, let reason):
            guard !principal.isSystem else { return command }
            return .sendBack(employee: principal.id, roles: try await deciderRoles(state, principal, engine), reason: reason)
        case .reject(_, _, let reason):
            guard !principal.isSystem else { return command }
            return .reject(employee: principal.id, roles: try await deciderRoles(state, principal, engine), reason: reason)
        case .delegate(_, _, let to):
            guard !principal.isSystem else { return command }
            return .delegate(employee: principal.id, roles: try await deciderRoles(state, principal, engine), to: to)
        case .resubmit:
            return principal.isSystem ? command : .resubmit(employee: principal.id)
        case .cancel(_, let reason):
            return principal.isSystem ? command : .cancel(employee: principal.id, reason: reason)
        case .escalateIfLate:
            return command
        }
    }

    /// The roles a person decides a step with: those they hold now, plus the symbolic approver role of the
    /// subject's kind when they may approve the subject itself.
    private static func deciderRoles(_ state: State, _ principal: Principal, _ engine: CRMEngine) async throws -> [String] {
        let now = engine.clock.now()
        let held = try await engine.roleNames(of: principal, at: now)
        guard let kind = state.subjectKind, let subject = state.subjectID else { return held }
        return try await engine.deciderRoles(held, of: principal, for: kind, subject: subject, at: now)
    }
}

extension CRMEngine {
    /// The roles `principal` (holding `held`) decides a step about `subject` with: `held`, plus the symbolic
    /// approver role of the subject's kind when they may approve the subject itself (a quote's current
    /// revision within one of their roles' discount limits; `approve` in contracts or campaigns over it; for a
    /// material request, `approve` in campaigns over its campaign, the instance's subject).
    func deciderRoles(_ held: [String], of principal: Principal, for kind: WorkflowSubjectKind, subject: UUID, at now: Date) async throws -> [String] {
        switch kind {
        case .quote:
            let quote = try await load(Quote.self, stream: Quote.stream(subject)).state
            guard let draft = quote.current?.draft else { return held }
            return ApprovalRouting.quoteApproverRoles(held, draft: draft, limits: try await settings().effectiveDiscountLimits)
        case .contract:
            let contract = try await load(Contract.self, stream: Contract.stream(subject)).state
            let scope = try await resolve(Contract.scope(of: nil, state: contract))
            return ApprovalRouting.approverRoles(held, for: .contract, mayApprove: contract.exists && principal.may(.approve, in: .contracts, on: scope, at: now))
        case .campaign:
            let campaign = try await load(Campaign.self, stream: Campaign.stream(subject)).state
            let scope = try await resolve(Campaign.scope(of: nil, state: campaign))
            return ApprovalRouting.approverRoles(held, for: .campaign, mayApprove: campaign.exists && principal.may(.approve, in: .campaigns, on: scope, at: now))
        case .feedbackForm:
            let form = try await load(FeedbackForm.self, stream: FeedbackForm.stream(subject)).state
            return ApprovalRouting.approverRoles(held, for: .feedbackForm, mayApprove: !form.reviewer.isEmpty && form.reviewer == principal.id)
        case .materialRequest:
            // The subject is the material's campaign: whoever may approve the material directly decides.
            let campaign = try await load(Campaign.self, stream: Campaign.stream(subject)).state
            let scope = try await resolve(Campaign.scope(of: nil, state: campaign))
            return ApprovalRouting.approverRoles(held, for: .materialRequest, mayApprove: campaign.exists && principal.may(.approve, in: .campaigns, on: scope, at: now))
        }
    }
}
