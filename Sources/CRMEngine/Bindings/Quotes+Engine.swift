import CRMDomain
import CRMProjections
import EventSourcing
import Foundation

/// Quotes: module `quotes`; a record of its customer (the first revision's author owns it).
/// `create` → create; `revise`, `send`, `accept`, `reject` → edit; `approve`, `sendBack` → approve.
/// Claims the quote number (namespace `quote-number`). The discount limits always come from the settings,
/// and the author's or approver's role must be one the principal holds, so a caller can neither bring its
/// own limits nor borrow a larger role's.
extension Quote: EngineRecord {
    public static var module: Permission.Module { .quotes }
    public static func action(for command: Command) -> Permission.Action {
        switch command {
        case .create: return .create
        case .approve, .sendBack: return .approve
        case .revise, .send, .accept, .reject: return .edit
        }
    }
    public static func scope(of command: Command?, state: State) -> ScopeSource {
        if case .create(_, let customerID, _, _, _, _, _, _)? = command, !state.exists { return .customer(customerID, owners: []) }
        return .customer(state.customerID, owners: state.revisions.first.map { [$0.author] } ?? [])
    }
    public static func claims(_ command: Command, state: State) -> KeyClaims {
        KeyClaims(claimed: claims(command, state: state).map { UniqueKey(namespace: "quote-number", key: $0) })
    }
    public static func prepare(_ command: Command, state: State, principal: Principal, engine: CRMEngine) async throws -> Command {
        switch command {
        case .create(let id, let customerID, let code, let date, let sequence, let draft, let role, _):
            try await engine.requireHeld(role: role, by: principal, field: "authorRole")
            let limits = try await engine.settings().effectiveDiscountLimits
            return .create(quoteID: id, customerID: customerID, customerCode: code, date: date, sequence: sequence,
                           draft: draft, authorRole: role, limits: limits)
        case .revise(let draft, let role, _):
            try await engine.requireHeld(role: role, by: principal, field: "authorRole")
            return .revise(draft: draft, authorRole: role, limits: try await engine.settings().effectiveDiscountLimits)
        case .approve(let role, _):
            try await engine.requireHeld(role: role, by: principal, field: "approverRole")
            return .approve(approverRole: role, limits: try await engine.settings().effectiveDiscountLimits)
        case .sendBack, .send, .accept, .reject:
            return command
        }
    }
}
