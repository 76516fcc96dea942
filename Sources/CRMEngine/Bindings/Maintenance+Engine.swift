import CRMDomain
import CRMProjections
import EventSourcing
import Foundation

/// Maintenance pairings (agent + manager per customer): module `customers` (as
/// ``Permission/Module/init(category:)`` files `pairing`); a record of its customer, the paired agent
/// and manager see it as their own. The record id is ``CRMDomain/MaintenancePairing/id(customerID:)``.
/// `pair` → create; `unpair` → delete; changing agent or manager → edit.
/// The agent and manager a person names (`pair`, `changeAgent`, `changeManager`) must be able to work on the
/// pairing: `query` in customers over its customer's scope, not counting the ownership the pairing gives
/// (``requirePartnersMayWorkOn(_:state:principal:engine:)``; else `invalid`, field `agent` or `manager`, nothing written).
/// Feedback is a party's own act (``PartyCommands``): the pairing's current agent or manager gives it whatever
/// rights they hold in customers; anyone else needs `edit` in customers over it (giveFeedback → edit).
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
        guard case .giveFeedback(let feedbackID, let direction, let giver, let rating, let comment, let about) = command else {
            try await requirePartnersMayWorkOn(command, state: state, principal: principal, engine: engine)
            return command
        }
        guard !principal.isSystem else { return command }
        let named = giver.trimmingCharacters(in: .whitespaces)
        guard named.isEmpty || named == principal.id else {
            throw EngineError(.forbidden, field: "giver", "feedback is given in one's own name")
        }
        return .giveFeedback(feedbackID: feedbackID, direction: direction, giver: principal.id, rating: rating, comment: comment, about: about)
    }

    /// Refuses a person's `pair`, `changeAgent` or `changeManager` that names an agent or manager who may not work
    /// on the pairing: `query` in customers over its customer's scope — its branch, community, group and owner —
    /// not counting the ownership the pairing itself gives (every scope covers `own`, so counting it would let
    /// another branch's employee be paired and then read a foreign customer's pairing), or a role over one's `own`
    /// records (``CRMEngine/requireMayWorkOn(_:module:action:named:principal:)``: `invalid`, naming `agent` or
    /// `manager`, nothing written). `query`, not `edit`: what a partner does on the pairing is to read it and give
    /// feedback, which is their own act (``PartyCommands``), so the demo's service agents (customers `query`) and
    /// account managers of the customer's branch qualify. Judged only for whoever may send the command and once
    /// the domain would accept it, as the other namings are; an operator's command is judged, the system's replayed
    /// decisions are not.
    static func requirePartnersMayWorkOn(_ command: Command, state: State, principal: Principal, engine: CRMEngine) async throws {
        let named = employeesNamed(by: command, state: state)
        guard !principal.replaysDecisions, !named.isEmpty else { return }
        let customerID: UUID?
        if case .pair(let id, _, _) = command { customerID = id } else { customerID = state.customerID }
        let now = engine.clock.now()
        guard let customerID, try await wouldRecord(command, state: state, principal: principal, engine: engine, at: now) else { return }
        for partner in named {
            try await engine.requireMayWorkOn(.customer(customerID, owners: []), module: module, action: .query, named: partner, principal: principal)
        }
    }
}

/// The pairing's parties' own commands (``PartyCommands``): its current agent and manager give feedback
/// whatever rights they hold in customers — rating each other is their part in the two-layer assessment
/// (R-CUS-9), not an edit of the customer's records; the domain still judges the direction (the agent rates the
/// manager, the manager the agent; else `forbidden`, field `giver`) and they are recorded as the giver. Nothing
/// else: pairing, changing and unpairing need the rights listed. They read the pairing likewise.
extension MaintenancePairing: PartyCommands {
    static func isPartysOwn(_ command: Command, state: State, principal: Principal) -> Bool {
        guard case .giveFeedback = command else { return false }
        return isPartysOwn(state, principal: principal)
    }

    /// The pairing's current agent or manager.
    static func isPartysOwn(_ state: State, principal: Principal) -> Bool {
        guard !principal.isSystem else { return false }
        return [state.agent, state.manager].contains { $0.map { Employee.sameID($0, principal.id) } ?? false }
    }
}
