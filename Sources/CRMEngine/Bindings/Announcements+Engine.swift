import CRMDomain
import CRMProjections
import EventSourcing
import Foundation

/// Announcements (R-ORG-3): module `organisation` (management's notices to staff); global.
/// `publish` → create; `withdraw` → delete; `markRead` → edit, over the reader's own record: marking as
/// read needs `edit` in organisation with the `own` scope only. The reader (their departments, branch and
/// roles) is the principal as the organisation records them, never the caller's description.
extension Announcement: EngineRecord {
    public static var module: Permission.Module { .organisation }
    public static func action(for command: Command) -> Permission.Action {
        switch command {
        case .publish: return .create
        case .markRead: return .edit
        case .withdraw: return .delete
        }
    }
    public static func scope(of command: Command?, state: State) -> ScopeSource {
        if case .markRead(let reader)? = command { return .direct(RecordScope(owners: [reader.employeeID.lowercasedString])) }
        return .global
    }
    public static func prepare(_ command: Command, state: State, principal: Principal, engine: CRMEngine) async throws -> Command {
        guard case .markRead(let given) = command, !principal.isSystem else { return command }
        guard let reader = try await engine.announcementReader(principal, at: engine.clock.now()), reader.employeeID == given.employeeID else {
            throw EngineError(.forbidden, field: "reader", "one marks only one's own copy as read")
        }
        return .markRead(reader)
    }
}
