import CRMDomain
import CRMProjections
import EventSourcing
import Foundation

/// Personal diaries (R-TSK-7): module `tasks`. The record id is the employee's id: the stream is
/// ``CRMDomain/Diary/stream(employee:)`` of its lowercased text. Adding an item or a subscription →
/// create; changing an item → edit; removing one → delete.
///
/// Scope: the employee's own (the record id is the employee's id): any permission in `tasks` reaches one's
/// own diary; another employee's diary only a permission over all data reaches.
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
    public static func scope(of command: Command?, state: State, id: UUID) -> ScopeSource {
        .personal(employee: id.lowercasedString)
    }
    public static func streamID(_ id: UUID) -> StreamID { stream(employee: id.lowercasedString) }
}
