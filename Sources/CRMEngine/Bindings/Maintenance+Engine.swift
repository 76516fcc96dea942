import CRMDomain
import CRMProjections
import EventSourcing
import Foundation

/// Maintenance pairings (agent + manager per customer): module `customers` (as
/// ``Permission/Module/init(category:)`` files `pairing`); a record of its customer, the paired agent
/// and manager see it as their own. The record id is ``CRMDomain/MaintenancePairing/id(customerID:)``.
/// `pair` → create; `unpair` → delete; changing agent or manager and giving feedback → edit.
extension MaintenancePairing: EngineRecord {
    public static var module: Permission.Module { .customers }
    public static func action(for command: Command) -> Permission.Action {
        switch command {
        case .pair: return .create
        case .unpair: return .delete
        case .changeAgent, .changeManager, .giveFeedback: return .edit
        }
    }
    public static func scope(of command: Command?, state: State) -> ScopeSource {
        if case .pair(let customerID, let agent, let manager)? = command, state.customerID == nil {
            return .customer(customerID, owners: [agent, manager])
        }
        return .customer(state.customerID, owners: [state.agent, state.manager].compactMap { $0 })
    }
}
