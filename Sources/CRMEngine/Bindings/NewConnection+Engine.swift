import CRMDomain
import CRMProjections
import EventSourcing
import Foundation

/// New connections (gas/water service connection processes): module `customers` (as
/// ``Permission/Module/init(category:)`` files `connection`); a record of its customer, the current
/// stage's assignee sees it as their own. `open` → create; `cancel` → delete; the others → edit.
extension NewConnection: EngineRecord {
    public static var module: Permission.Module { .customers }
    public static func action(for command: Command) -> Permission.Action {
        switch command {
        case .open: return .create
        case .cancel: return .delete
        case .addMaterial, .assessFee, .payFee, .advance, .sendBack, .replan: return .edit
        }
    }
    public static func scope(of command: Command?, state: State) -> ScopeSource {
        if case .open(_, let customerID, _, _, let assignee)? = command, !state.exists { return .customer(customerID, owners: [assignee]) }
        return .customer(state.customerID, owners: state.currentAssignee.map { [$0] } ?? [])
    }
    /// A person hands a connection's stage (opening it, advancing, sending back, replanning) only to an employee
    /// who may work on it: `edit` in customers over its customer's scope, not counting the ownership the stage
    /// gives (``CRMEngine/requireMayWorkOn(_:module:action:named:principal:)``; a role over one's `own` records
    /// counts; else `invalid`, field `assignee`, nothing written) — judged for whoever may send the command,
    /// once the domain would accept it, as a ticket's assignment is (an operator's too). The system's replayed
    /// decisions are not judged.
    public static func prepare(_ command: Command, state: State, principal: Principal, engine: CRMEngine) async throws -> Command {
        let customerID: UUID?
        if case .open(_, let id, _, _, _) = command, !state.exists { customerID = id } else { customerID = state.customerID }
        try await requireNamedMayWorkOn(command, customer: customerID, state: state, principal: principal, engine: engine)
        return command
    }
}
