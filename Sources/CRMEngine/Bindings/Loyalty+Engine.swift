import CRMDomain
import CRMProjections
import EventSourcing
import Foundation

/// Loyalty accounts: module `customers` (points are customer data; there is no loyalty module — as
/// ``Permission/Module/init(_:)`` files `loyalty` records); a record of its customer, stream
/// `loyalty-<customerID>`. Every command changes the customer's points → edit. Points for spend, tenure
/// and activities come from the engine's reactions (the system principal); a person accrues only by hand
/// (source `manual`), so no caller can pass off its own points as earned by a rule.
extension LoyaltyAccount: EngineRecord {
    public static var module: Permission.Module { .customers }
    public static func action(for command: Command) -> Permission.Action { .edit }
    public static func scope(of command: Command?, state: State) -> ScopeSource {
        if state.customerID == nil, case .accrue(let customerID, _, _, _, _, _, _)? = command { return .customer(customerID, owners: []) }
        return .customer(state.customerID, owners: [])
    }
    /// The account's id is its customer's: the customer is the record id, whatever the command names.
    public static func scope(of command: Command?, state: State, id: UUID) -> ScopeSource { .customer(id, owners: []) }
    public static func check(_ command: Command, id: UUID) throws(EngineError) {
        if case .accrue(let customerID, _, _, _, _, _, _) = command, customerID != id {
            throw EngineError(.invalid, field: "customerID", "points go to the account of the customer they name")
        }
    }
    public static func prepare(_ command: Command, state: State, principal: Principal, engine: CRMEngine) async throws -> Command {
        if case .accrue(_, _, let source, _, _, _, _) = command, source != .manual, !principal.isSystem {
            throw EngineError(.forbidden, field: "source", "points by rule are accrued by the engine's reactions only")
        }
        return command
    }
}
