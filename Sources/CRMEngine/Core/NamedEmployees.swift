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
    func requireActiveEmployees(_ named: [NamedEmployee], principal: Principal) async throws {
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

extension Customer {
    public static func employeesNamed(by command: Command) -> [NamedEmployee] {
        switch command {
        case .create(_, let new, _): return new.owner.map { [NamedEmployee(field: "owner", id: $0)] } ?? []
        case .edit(let edit, _):
            if case .set(let owner) = edit.owner { return [NamedEmployee(field: "owner", id: owner)] }
            return []
        default: return []
        }
    }
}

extension WorkTask {
    public static func employeesNamed(by command: Command) -> [NamedEmployee] {
        switch command {
        case .dispatch(_, _, let assignee): return [NamedEmployee(field: "assignee", id: assignee)]
        case .reassign(let to, _): return [NamedEmployee(field: "assignee", id: to)]
        default: return []
        }
    }
}

extension Ticket {
    public static func employeesNamed(by command: Command) -> [NamedEmployee] {
        if case .assign(let assignee) = command { return [NamedEmployee(field: "assignee", id: assignee)] }
        return []
    }
}

extension Visit {
    public static func employeesNamed(by command: Command) -> [NamedEmployee] {
        if case .plan(_, _, let visitor, _, _, _, _) = command { return [NamedEmployee(field: "visitor", id: visitor)] }
        return []
    }
}

extension Opportunity {
    public static func employeesNamed(by command: Command) -> [NamedEmployee] {
        switch command {
        case .open(_, _, _, _, let owner, _): return [NamedEmployee(field: "owner", id: owner)]
        case .assignByManager(let owner, _): return [NamedEmployee(field: "owner", id: owner)]
        default: return []
        }
    }
}

extension Contract {
    public static func employeesNamed(by command: Command) -> [NamedEmployee] {
        if case .draft(_, _, let owner, _, _, _, _, _, _) = command { return [NamedEmployee(field: "owner", id: owner)] }
        return []
    }
}

extension Campaign {
    public static func employeesNamed(by command: Command) -> [NamedEmployee] {
        switch command {
        case .plan(_, _, _, let owner, _, _, _): return [NamedEmployee(field: "owner", id: owner)]
        case .assignWorkItem(let item): return item.person.map { [NamedEmployee(field: "person", id: $0)] } ?? []
        default: return []
        }
    }
}

extension NewConnection {
    public static func employeesNamed(by command: Command) -> [NamedEmployee] {
        switch command {
        case .open(_, _, _, _, let assignee), .sendBack(_, _, let assignee), .replan(_, let assignee):
            return [NamedEmployee(field: "assignee", id: assignee)]
        case .advance(_, _, let assignee?): return [NamedEmployee(field: "assignee", id: assignee)]
        default: return []
        }
    }
}

extension MaintenancePairing {
    public static func employeesNamed(by command: Command) -> [NamedEmployee] {
        switch command {
        case .pair(_, let agent, let manager): return [NamedEmployee(field: "agent", id: agent), NamedEmployee(field: "manager", id: manager)]
        case .changeAgent(let agent, _): return [NamedEmployee(field: "agent", id: agent)]
        case .changeManager(let manager, _): return [NamedEmployee(field: "manager", id: manager)]
        default: return []
        }
    }
}

extension WorkflowInstance {
    public static func employeesNamed(by command: Command) -> [NamedEmployee] {
        if case .delegate(_, _, let to) = command { return [NamedEmployee(field: "to", id: to)] }
        return []
    }
}
