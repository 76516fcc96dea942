import CRMDomain
import CRMProjections
import EventSourcing
import Foundation

/// Campaigns: module `campaigns`. A campaign names no customer and no branch: its owner sees it as their
/// own, anyone else needs the permission over all data. `plan` → create; `approve`, `sendBack` (the
/// feasibility decision) and deciding a material request (`advanceMaterial` to `approved`, `declineMaterial`,
/// R-MKT-2) → approve; everything else (execution, costs, material requests, purchases and use, targets, messages,
/// closing) → edit.
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
}
