import CRMDomain
import EventSourcing
import Foundation

extension EngineRecord {
    /// Refuses a person's command that hands a record of customer `customerID` to an employee (the first
    /// ``employeesNamed(by:state:)`` lists: an opportunity's or contract's owner, a visit's visitor) who may not
    /// work on it: `edit` in the record's module over the customer's scope, not counting the ownership the
    /// hand-over gives, or a role over one's `own` records
    /// (``CRMEngine/requireMayWorkOn(_:module:action:named:principal:)``: `invalid`, naming the field, nothing
    /// written) — as a task's dispatch is judged. Judged only for whoever may send the command and only once
    /// the domain would accept it, so the domain's refusals and authorization's answer first; an operator's
    /// command is judged, the system's replayed decisions (reactions, the scheduler) are not.
    static func requireNamedMayWorkOn(_ command: Command, customer customerID: UUID?, state: State, principal: Principal,
                                      engine: CRMEngine) async throws {
        guard !principal.replaysDecisions, let customerID, let named = employeesNamed(by: command, state: state).first else { return }
        let now = engine.clock.now()
        guard try await mayDo(command, state: state, principal: principal, engine: engine, at: now),
              let events = try? decide(command, state: state, context: CommandContext(now: now, actor: principal.id)),
              !events.isEmpty else { return }
        try await engine.requireMayWorkOn(.customer(customerID, owners: []), module: module, action: .edit, named: named, principal: principal)
    }
}
