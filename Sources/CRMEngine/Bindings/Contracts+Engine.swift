import CRMDomain
import CRMProjections
import EventSourcing
import Foundation

/// Contracts: module `contracts`; a record of its customer, owned by its owner.
/// `draft` → create; `approve`, `sendBack` → approve; `terminate` → delete; the others → edit.
/// A draft's quote number is the recorded one of the quote it names, and that quote must be the same
/// customer's. A person's `expire` is judged on the engine clock's day in the contract's branch calendar (the
/// day the scheduler expires it on), whatever day the command names.
extension Contract: EngineRecord {
    public static var module: Permission.Module { .contracts }
    public static func action(for command: Command) -> Permission.Action {
        switch command {
        case .draft: return .create
        case .approve, .sendBack: return .approve
        case .terminate: return .delete
        case .changeLines, .changeTerms, .recordNegotiation, .submitForApproval, .activate, .renew, .expire: return .edit
        }
    }
    public static func scope(of command: Command?, state: State) -> ScopeSource {
        if case .draft(_, let customerID, let owner, _, _, _, _, _, _)? = command, !state.exists {
            return .customer(customerID, owners: [owner])
        }
        return .customer(state.customerID, owners: state.owner.isEmpty ? [] : [state.owner])
    }
    public static func prepare(_ command: Command, state: State, principal: Principal, engine: CRMEngine) async throws -> Command {
        if case .expire = command {
            // The system (the scheduler) passes the day it judged on; a person's is the engine's, never the caller's.
            guard !principal.isSystem else { return command }
            return .expire(today: try await engine.calendar(forBranch: state.branch).localDate(of: engine.clock.now()))
        }
        guard case .draft(let id, let customerID, let owner, let branch, let title, let quoteID, _, let lines, let terms) = command else { return command }
        let quote = try await engine.load(Quote.self, stream: Quote.stream(quoteID)).state
        guard quote.exists, quote.customerID == customerID else {
            throw EngineError(.invalid, field: "quoteID", "no quote of this customer has this id")
        }
        return .draft(id: id, customerID: customerID, owner: owner, branch: branch, title: title, quoteID: quoteID,
                      quoteNumber: quote.number, lines: lines, terms: terms)
    }
}
