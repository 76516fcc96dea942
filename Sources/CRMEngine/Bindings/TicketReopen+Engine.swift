import CRMDomain
import EventSourcing
import Foundation

extension Ticket {
    /// A reopened ticket goes back to its last assignee only if they may still work on it: an active employee
    /// with `edit` in tickets over its customer's scope, not counting the ownership the assignment gave
    /// (``CRMEngine/requireMayWorkOn(_:module:action:named:principal:)``, as an assignment is judged). Otherwise
    /// — deactivated since, or without the rights now — the command becomes `reopen(toQueue: true)`: the
    /// ticket is open and unassigned in its department (``TicketUnassigned``). An assignee that names no
    /// employee of the organisation (an id from before employee ids, another system's) is not judged. Judged
    /// for whoever may reopen it, once the domain would accept it; the system's replays are not judged.
    static func preparedReopen(_ command: Command, state: State, principal: Principal, engine: CRMEngine) async throws -> Command {
        guard case .reopen(let reason, false) = command, let assignee = state.assignee, !principal.replaysDecisions,
              let employeeID = UUID(uuidString: assignee),
              try await wouldRecord(command, state: state, principal: principal, engine: engine, at: engine.clock.now()) else { return command }
        let organisation = try await engine.organisation.current(store: engine.store, registry: engine.registry)
        guard let employee = organisation.employees[employeeID] else { return command }
        guard employee.active else { return .reopen(reason: reason, toQueue: true) }
        do {
            try await engine.requireMayWorkOn(.customer(state.customerID, owners: []), module: module, action: .edit,
                                              named: NamedEmployee(field: "assignee", id: assignee), principal: principal)
        } catch let refused as EngineError where refused.code == .invalid && refused.field == "assignee" {
            return .reopen(reason: reason, toQueue: true)
        }
        return command
    }
}
