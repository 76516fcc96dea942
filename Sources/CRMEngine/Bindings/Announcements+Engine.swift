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
        if case .publish(_, _, _, let targets, _) = command {
            try await requireKnownTargets(targets, command: command, state: state, principal: principal, engine: engine)
            return command
        }
        guard case .markRead(let given) = command, !principal.isSystem else { return command }
        guard let reader = try await engine.announcementReader(principal, at: engine.clock.now()), reader.employeeID == given.employeeID else {
            throw EngineError(.forbidden, field: "reader", "one marks only one's own copy as read")
        }
        return .markRead(reader)
    }

    /// A person's announcement reaches someone: each department, role and employee it targets must be one
    /// the organisation records (`invalid`, field `targets.departments` / `targets.roles` /
    /// `targets.employees`, naming no value), as the employees a task is handed to are. Branches are codes
    /// with no list of their own (an employee's, a customer's, a time zone's), so any is taken. Judged only
    /// for whoever may publish (the answer tells nothing to anyone else) and not for the system's replayed
    /// decisions (``Principal/replaysDecisions``).
    private static func requireKnownTargets(_ targets: AnnouncementTargets, command: Command, state: State, principal: Principal,
                                            engine: CRMEngine) async throws {
        guard !principal.replaysDecisions, state.announcementID == nil, !(targets.departments + targets.roles + targets.employees).isEmpty,
              try await mayDo(command, state: state, principal: principal, engine: engine, at: engine.clock.now()) else { return }
        let organisation = try await engine.organisation.current(store: engine.store, registry: engine.registry)
        if targets.departments.contains(where: { organisation.units[$0] == nil }) {
            throw EngineError(.invalid, field: "targets.departments", "no organisation unit has this id")
        }
        if targets.roles.contains(where: { organisation.roles[$0] == nil }) {
            throw EngineError(.invalid, field: "targets.roles", "no role has this id")
        }
        if targets.employees.contains(where: { organisation.employees[$0] == nil }) {
            throw EngineError(.invalid, field: "targets.employees", "no employee has this id")
        }
    }
}

extension CRMEngine {
    /// An announcement by id, with its version (the ETag a reader's `markRead` may name in `If-Match`). Whoever
    /// may query the organisation module over all data reads it whole. One it is aimed at — by department,
    /// branch, role or name, as the organisation records the principal now; published, withdrawn or expired
    /// alike, as ``Announcement/Command/markRead(_:)`` judges it — reads it when they may query it over its
    /// scope as their own copy (what ``announcements(as:consistentWith:)`` asks), with only their own read
    /// receipt in `readBy`. Anyone else gets "not found", as for an unknown id.
    public func announcement(_ id: UUID, as principal: Principal) async throws -> (state: Announcement.State, version: StreamVersion) {
        try requireOpen()
        let now = clock.now()
        if principal.may(.query, in: Announcement.module, on: .global, at: now) {
            return try await state(Announcement.self, id: id, as: principal)
        }
        let loaded = try await load(Announcement.self, stream: Announcement.streamID(id))
        guard loaded.version != .noStream, let reader = try await announcementReader(principal, at: now),
              loaded.state.targets.includes(reader),
              principal.may(.query, in: Announcement.module, on: RecordScope.global.owned(by: principal.id), at: now) else {
            throw EngineError.notFound()
        }
        audit.record(principal: principal, record: Announcement.streamID(id).rawValue)
        var copy = loaded.state
        copy.readBy = copy.readBy.filter { $0.key == reader.employeeID }
        return (copy, loaded.version)
    }
}
