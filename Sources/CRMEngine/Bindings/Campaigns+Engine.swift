import CRMDomain
import CRMProjections
import EventSourcing
import Foundation

/// Campaigns: module `campaigns`. A campaign names no customer and no branch: its owner sees it as their
/// own, anyone else needs the permission over all data. `plan` → create; `approve`, `sendBack` (the
/// feasibility decision) and deciding a material request (`advanceMaterial` to `approved`, `declineMaterial`,
/// R-MKT-2) → approve; everything else (execution, costs, material requests, purchases and use, targets, messages,
/// closing) → edit. No one decides their own request: whoever submitted the feasibility study may neither approve
/// nor send back the campaign directly, and a material's requester may neither approve it (`advanceMaterial` to
/// `approved`) nor decline it (`forbidden`, field `employee`; nothing written) — as on the workflow path. A
/// hand-made target list and a message name customers: see ``prepare(_:state:principal:engine:)``.
extension Campaign: EngineRecord {
    public static var module: Permission.Module { .campaigns }
    public static func action(for command: Command) -> Permission.Action {
        switch command {
        case .plan: return .create
        case .approve, .sendBack, .advanceMaterial(_, .approved, _), .declineMaterial: return .approve
        case .changePlan, .submitFeasibility, .start, .assignWorkItem, .reportProgress, .addCost, .requestMaterial,
             .advanceMaterial, .selectTargets, .recordMessage, .close:
            return .edit
        }
    }
    public static func scope(of command: Command?, state: State) -> ScopeSource {
        if case .plan(_, _, _, let owner, _, _, _)? = command, !state.exists { return .direct(RecordScope(owners: [owner])) }
        return .direct(RecordScope(owners: state.owner.isEmpty ? [] : [state.owner]))
    }

    /// The customers a hand-made target list names (R-MKT-3) must exist and be ones the principal may query
    /// (`query` in `customers` over each one's scope, read from its stream with
    /// ``CRMEngine/mayQueryCustomer(_:as:at:)``), as a selection by criteria keeps only the customers the
    /// caller may see: else `invalid`, field `customerIDs`, naming the entry by its position only — the same
    /// answer for a customer that does not exist as for one the principal may not see — with nothing written.
    /// A list names at most ``CRMEngine/maxSelectedTargets`` customers.
    ///
    /// A message may be recorded only to a customer of the target list (the domain's rule) whom the principal
    /// may query now: else `invalid`, field `customerID`. A repeat of a recorded message stays a repeat.
    ///
    /// Judged only once the principal may do the command (else authorization refuses it next), so someone
    /// who may only read the campaign learns nothing of customers from the answer; and only for a command the
    /// domain's other rules would accept, so those answer first (a closed campaign, an unknown list).
    public static func prepare(_ command: Command, state: State, principal: Principal, engine: CRMEngine) async throws -> Command {
        let now = engine.clock.now()
        switch command {
        case .approve, .sendBack:
            try principal.requireNotRequester(state.status == .feasibility ? state.feasibilitySubmittedBy : nil, "the submitter of a campaign's feasibility study may not approve it or send it back")
        case .advanceMaterial(let id, .approved, _), .declineMaterial(let id, _):
            try principal.requireNotRequester(state.materials.first { $0.id == id }?.requestedBy,
                                              "the requester of a material may not approve or decline the request")
        case .selectTargets(let list):
            guard state.exists, state.status != .closed, !state.targetLists.contains(where: { $0.id == list.id }),
                  try await mayDo(command, state: state, principal: principal, engine: engine, at: now) else { return command }
            guard list.customerIDs.count <= CRMEngine.maxSelectedTargets else {
                throw EngineError(.invalid, field: "customerIDs", "a target list names at most \(CRMEngine.maxSelectedTargets) customers")
            }
            for (index, customerID) in list.customerIDs.enumerated() {
                guard try await engine.mayQueryCustomer(customerID, as: principal, at: now) else {
                    throw EngineError(.invalid, field: "customerIDs", "entry \(index + 1) names no customer you may see")
                }
            }
        case .recordMessage(let messageID, let listID, let customerID, _, _):
            guard state.exists, state.status == .executing, !state.messages.contains(where: { $0.id == messageID }),
                  state.targetLists.first(where: { $0.id == listID })?.customerIDs.contains(customerID) == true,
                  try await mayDo(command, state: state, principal: principal, engine: engine, at: now) else { return command }
            guard try await engine.mayQueryCustomer(customerID, as: principal, at: now) else {
                throw EngineError(.invalid, field: "customerID", "no customer you may see on the target list has this id")
            }
        default:
            break
        }
        return command
    }
}
