import CRMDomain
import Foundation

/// An employee a command names as the one to do or own something (an assignee, an owner, a visitor), by
/// the field that names them.
public struct NamedEmployee: Sendable, Hashable {
    public var field: String
    public var id: String
    public init(field: String, id: String) {
        self.field = field
        self.id = id
    }
}

extension CRMEngine {
    /// Refuses a command of a human principal that hands work or a record to someone who is not an active
    /// employee: an unknown id (a typo, another system's id) or a deactivated employee would leave the work
    /// with nobody. The system's own commands (reactions, the scheduler, imports run as the system) are not
    /// judged here: they replay decisions taken from the log, where an employee may have left since.
    /// (``execute(_:id:_:as:expectedVersion:idempotencyKey:requestDigest:causation:)`` calls it; an adapter
    /// that checks rows before writing them, as an import does, may call it too.)
    public func requireActiveEmployees(_ named: [NamedEmployee], principal: Principal) async throws {
        // A blank name is no name: the domain reads it as none (or as clearing it).
        let named = named.filter { !$0.id.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
        guard !principal.isSystem, !named.isEmpty else { return }
        let employees = try await organisation.current(store: store, registry: registry).employees
        for name in named {
            guard let id = UUID(uuidString: name.id), let employee = employees[id] else {
                throw EngineError(.invalid, field: name.field, "no employee has this id")
            }
            guard employee.active else { throw EngineError(.invalid, field: name.field, "the employee is deactivated") }
        }
    }
}

// MARK: - What each record's commands name
//
// Only names a command brings in: a value the record already holds (an edit resending the unchanged owner,
// a reassignment to the same person) is not judged again, so a record of someone who left stays editable.

extension Customer {
    public static func employeesNamed(by command: Command, state: State) -> [NamedEmployee] {
        switch command {
        case .create(_, let new, _): return new.owner.map { [NamedEmployee(field: "owner", id: $0)] } ?? []
        case .edit(let edit, _):
            if case .set(let owner) = edit.owner, owner != state.owner { return [NamedEmployee(field: "owner", id: owner)] }
            return []
        default: return []
        }
    }
}

extension WorkTask {
    public static func employeesNamed(by command: Command, state: State) -> [NamedEmployee] {
        switch command {
        case .dispatch(_, _, let assignee) where state.details == nil: return [NamedEmployee(field: "assignee", id: assignee)]
        case .reassign(let to, _) where to != state.assignee: return [NamedEmployee(field: "assignee", id: to)]
        default: return []
        }
    }
}

extension Ticket {
    public static func employeesNamed(by command: Command, state: State) -> [NamedEmployee] {
        if case .assign(let assignee) = command, assignee != state.assignee { return [NamedEmployee(field: "assignee", id: assignee)] }
        return []
    }
}

extension Visit {
    public static func employeesNamed(by command: Command, state: State) -> [NamedEmployee] {
        if case .plan(_, _, let visitor, _, _, _, _) = command, state.customerID == nil { return [NamedEmployee(field: "visitor", id: visitor)] }
        return []
    }
}

extension Opportunity {
    public static func employeesNamed(by command: Command, state: State) -> [NamedEmployee] {
        switch command {
        case .open(_, _, _, _, let owner, _, _) where state.details == nil: return [NamedEmployee(field: "owner", id: owner)]
        case .assignByManager(let owner, _) where owner != state.owner: return [NamedEmployee(field: "owner", id: owner)]
        default: return []
        }
    }
}

extension Contract {
    public static func employeesNamed(by command: Command, state: State) -> [NamedEmployee] {
        if case .draft(_, _, let owner, _, _, _, _, _, _) = command, state.owner.isEmpty { return [NamedEmployee(field: "owner", id: owner)] }
        return []
    }
}

extension Campaign {
    public static func employeesNamed(by command: Command, state: State) -> [NamedEmployee] {
        switch command {
        case .plan(_, _, _, let owner, _, _, _) where state.owner.isEmpty: return [NamedEmployee(field: "owner", id: owner)]
        case .assignWorkItem(let item): return item.person.map { [NamedEmployee(field: "person", id: $0)] } ?? []
        default: return []
        }
    }
}

extension NewConnection {
    public static func employeesNamed(by command: Command, state: State) -> [NamedEmployee] {
        let named: String?
        switch command {
        case .open(_, _, _, _, let assignee) where !state.exists: named = assignee
        case .sendBack(_, _, let assignee), .replan(_, let assignee): named = assignee
        case .advance(_, _, let assignee?): named = assignee
        default: named = nil
        }
        guard let named, named != state.currentAssignee else { return [] }
        return [NamedEmployee(field: "assignee", id: named)]
    }
}

extension MaintenancePairing {
    public static func employeesNamed(by command: Command, state: State) -> [NamedEmployee] {
        switch command {
        case .pair(_, let agent, let manager):
            return (agent == state.agent ? [] : [NamedEmployee(field: "agent", id: agent)])
                + (manager == state.manager ? [] : [NamedEmployee(field: "manager", id: manager)])
        case .changeAgent(let agent, _) where agent != state.agent: return [NamedEmployee(field: "agent", id: agent)]
        case .changeManager(let manager, _) where manager != state.manager: return [NamedEmployee(field: "manager", id: manager)]
        default: return []
        }
    }
}

extension WorkflowInstance {
    public static func employeesNamed(by command: Command, state: State) -> [NamedEmployee] {
        if case .delegate(_, _, let to) = command { return [NamedEmployee(field: "to", id: to)] }
        return []
    }
}

extension WorkflowDefinition {
    /// A step escalated to a named employee (not a role) names them, unless the current version already did.
    public static func employeesNamed(by command: Command, state: State) -> [NamedEmployee] {
        let steps: [WorkflowStep]
        switch command {
        case .define(_, _, _, let given): steps = given
        case .revise(_, let given): steps = given
        }
        let held = Set((state.current?.steps ?? []).filter { $0.escalateTo.kind == .employee }.map(\.escalateTo.id))
        var named: [NamedEmployee] = []
        for step in steps where step.escalateTo.kind == .employee && !held.contains(step.escalateTo.id) {
            let name = NamedEmployee(field: "steps.escalateTo", id: step.escalateTo.id)
            if !named.contains(name) { named.append(name) }
        }
        return named
    }
}

extension FeedbackForm {
    public static func employeesNamed(by command: Command, state: State) -> [NamedEmployee] {
        if case .submit(_, _, _, let reporter, let reviewer, _, _) = command, state == initialState {
            return [NamedEmployee(field: "reporter", id: reporter), NamedEmployee(field: "reviewer", id: reviewer)]
        }
        return []
    }
}

extension Settings {
    /// Routing rules name the employee a matching task or opportunity goes to.
    public static func employeesNamed(by command: Command, state: State) -> [NamedEmployee] {
        guard case .replaceRoutingRules(let rules) = command else { return [] }
        let held = Set(state.routingRules.compactMap(\.assignee))
        return rules.compactMap(\.assignee).filter { !held.contains($0) }.map { NamedEmployee(field: "assignee", id: $0) }
    }
}
