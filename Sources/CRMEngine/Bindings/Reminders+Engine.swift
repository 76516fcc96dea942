import CRMDomain
import CRMProjections
import EventSourcing
import Foundation

/// Personal diaries (R-TSK-7): module `tasks`. The record id is the employee's id: the stream is
/// ``CRMDomain/Diary/stream(employee:)`` of its lowercased text. Adding an item or a subscription →
/// create; changing an item → edit; removing one → delete.
///
/// Scope: global. A diary's state does not name its employee and ``EngineRecord/scope(of:state:)`` is not
/// given the record id, so the binding cannot tell an employee's own diary from another's; only a
/// permission over all data reaches diaries until the engine passes the id (see docs/ENGINE-AUTHORIZATION.md).
extension Diary: EngineRecord {
    public static var module: Permission.Module { .tasks }
    public static func action(for command: Command) -> Permission.Action {
        switch command {
        case .addItem, .subscribe: return .create
        case .changeItem: return .edit
        case .removeItem, .unsubscribe: return .delete
        }
    }
    public static func scope(of command: Command?, state: State) -> ScopeSource { .global }
    public static func streamID(_ id: UUID) -> StreamID { stream(employee: id.uuidString.lowercased()) }
}
