import CRMDomain
import CRMProjections
import EventSourcing
import Foundation

/// Products: module `products`; the catalog is global (only a permission over all data reaches it).
/// `create` → create; `retire` → delete; the others → edit.
extension Product: EngineRecord {
    public static var module: Permission.Module { .products }
    public static func action(for command: Command) -> Permission.Action {
        switch command {
        case .create: return .create
        case .retire: return .delete
        case .edit, .reactivate, .planMilestone, .reachMilestone, .addDocumentVersion: return .edit
        }
    }
    public static func scope(of command: Command?, state: State) -> ScopeSource { .global }
}
