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
}
