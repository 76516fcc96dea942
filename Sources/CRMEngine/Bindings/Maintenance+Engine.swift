import CRMDomain
import CRMProjections
import EventSourcing
import Foundation

/// Maintenance pairings (agent + manager per customer): module `customers` (as
/// ``Permission/Module/init(category:)`` files `pairing`); a record of its customer, the paired agent
/// and manager see it as their own. The record id is ``CRMDomain/MaintenancePairing/id(customerID:)``.
/// `pair` → create; `unpair` → delete; changing agent or manager and giving feedback → edit.
/// A person gives feedback in their own name only: the giver is the principal (a blank giver stands for
/// them; another employee's id is `forbidden`, field `giver`), and the domain then asks that the direction fits
/// them — the pairing's agent rates the manager, its manager rates the agent; anyone else is `forbidden`
/// (field `giver`). The system's commands pass as given.
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
    public static func prepare(_ command: Command, state: State, principal: Principal, engine: CRMEngine) async throws -> Command {
        guard case .giveFeedback(let feedbackID, let direction, let giver, let rating, let comment, let about) = command,
              !principal.isSystem else { return command }
        let named = giver.trimmingCharacters(in: .whitespaces)
        guard named.isEmpty || named == principal.id else {
            throw EngineError(.forbidden, field: "giver", "feedback is given in one's own name")
        }
        return .giveFeedback(feedbackID: feedbackID, direction: direction, giver: principal.id, rating: rating, comment: comment, about: about)
    }
}
