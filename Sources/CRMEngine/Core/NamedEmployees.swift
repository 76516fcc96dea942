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
    /// Refuses a command of a person — an employee, or an operator at the command line
    /// (``Principal/operator(sourceSystem:)``, with the system's rights) — that hands work or a record to
    /// someone who is not an active employee: an unknown id (a typo, another system's id) or a deactivated
    /// employee would leave the work with nobody. The system's reactions and scheduled work are not judged
    /// here (``Principal/replaysDecisions``): they replay decisions taken from the log, where an employee may
    /// have left since the triggering event.
    /// (``execute(_:id:_:as:expectedVersion:idempotencyKey:requestDigest:causation:)`` calls it; an adapter
    /// that checks rows before writing them, as an import does, may call it too.)
    public func requireActiveEmployees(_ named: [NamedEmployee], principal: Principal) async throws {
        try requireOpen()
        // A blank name is no name: the domain reads it as none (or as clearing it).
        let named = named.filter { !$0.id.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
        guard !principal.replaysDecisions, !named.isEmpty else { return }
        let employees = try await organisation.current(store: store, registry: registry).employees
        for name in named {
            guard let id = UUID(uuidString: name.id), let employee = employees[id] else {
                throw EngineError(.invalid, field: name.field, "no employee has this id")
            }
            guard employee.active else { throw EngineError(.invalid, field: name.field, "the employee is deactivated") }
        }
    }
}

extension CRMEngine {
    /// Refuses a person's command that hands a record to an employee (`named`) who, with the permissions their
    /// roles give now, could not work on it: `action` in `module` over the record's scope (`source`) as it
    /// stands without the ownership the hand-over itself gives — its customer's branch, community, group and
    /// owner (or the record's own branch). Every data scope covers `own`, so counting that ownership would let
    /// anyone be handed anything and then reach it beyond their branch. A permission whose data scope is `own`
    /// itself does count: a role made for the work handed to its holder. Refused `invalid`, naming the field;
    /// nothing is written. An unknown or deactivated employee is left to ``requireActiveEmployees(_:principal:)``;
    /// the system's reactions and scheduled work (``Principal/replaysDecisions``) are not judged.
    func requireMayWorkOn(_ source: ScopeSource, module: Permission.Module, action: Permission.Action, named: NamedEmployee,
                          principal: Principal) async throws {
        guard !principal.replaysDecisions, let id = UUID(uuidString: named.id) else { return }
        let employee: Principal
        do {
            employee = try await self.principal(employeeID: id)
        } catch let unknown as EngineError where unknown.code == .unauthenticated {
            return
        }
        let now = clock.now()
        let ownWork = employee.permissions.permissions.contains { $0.scope == .own && $0.allows(module: module, action: action, scope: .own, at: now) }
        if ownWork { return }
        guard employee.may(action, in: module, on: try await resolve(source, includingNamedOwners: false), at: now) else {
            throw EngineError(.invalid, field: named.field, "the employee may not work on this record")
        }
    }
}

/// ``CRMDomain/Employee/canonicalID(_:)``, short for the bindings below.
private func canonical(_ id: String) -> String { Employee.canonicalID(id) }

// MARK: - What each record's commands name
//
// Only names a command brings in: a value the record already holds (an edit resending the unchanged owner,
// a reassignment to the same person) is not judged again, so a record of someone who left stays editable.
// `canonicalisingEmployeeIDs` rewrites every employee id a command carries in the recorded form (lower
// case), before anything is judged; the state may still hold an id a log recorded in upper case before that,
// so the comparisons with it are `Employee.sameID`, whatever case either side is in.

extension Customer {
    public static func employeesNamed(by command: Command, state: State) -> [NamedEmployee] {
        switch command {
        case .create(_, let new, _): return new.owner.map { [NamedEmployee(field: "owner", id: $0)] } ?? []
        case .edit(let edit, _):
            if case .set(let owner) = edit.owner, !Employee.sameID(owner, state.owner) { return [NamedEmployee(field: "owner", id: owner)] }
            return []
        default: return []
        }
    }
    public static func canonicalisingEmployeeIDs(_ command: Command) -> Command {
        switch command {
        case .create(let id, var new, let form):
            new.owner = new.owner.map(canonical)
            return .create(customerID: id, new, form: form)
        case .edit(var edit, let form):
            if case .set(let owner) = edit.owner { edit.owner = .set(canonical(owner)) }
            return .edit(edit, form: form)
        default: return command
        }
    }
}

extension WorkTask {
    public static func employeesNamed(by command: Command, state: State) -> [NamedEmployee] {
        switch command {
        case .dispatch(_, _, let assignee) where state.details == nil: return [NamedEmployee(field: "assignee", id: assignee)]
        case .importExternal(_, _, _, let owner) where state.details == nil: return [NamedEmployee(field: "owner", id: owner)]
        case .reassign(let to, _) where !Employee.sameID(to, state.assignee): return [NamedEmployee(field: "assignee", id: to)]
        default: return []
        }
    }
    public static func canonicalisingEmployeeIDs(_ command: Command) -> Command {
        switch command {
        case .dispatch(let id, let details, let assignee): return .dispatch(taskID: id, details: details, assignee: canonical(assignee))
        case .importExternal(let id, let details, let reference, let owner):
            return .importExternal(taskID: id, details: details, reference: reference, owner: canonical(owner))
        case .reassign(let to, let reason): return .reassign(to: canonical(to), reason: reason)
        default: return command
        }
    }
}

extension Ticket {
    public static func employeesNamed(by command: Command, state: State) -> [NamedEmployee] {
        if case .assign(let assignee) = command, !Employee.sameID(assignee, state.assignee) { return [NamedEmployee(field: "assignee", id: assignee)] }
        return []
    }
    public static func canonicalisingEmployeeIDs(_ command: Command) -> Command {
        if case .assign(let assignee) = command { return .assign(assignee: canonical(assignee)) }
        return command
    }
}

extension Visit {
    public static func employeesNamed(by command: Command, state: State) -> [NamedEmployee] {
        if case .plan(_, _, let visitor, _, _, _, _) = command, state.customerID == nil { return [NamedEmployee(field: "visitor", id: visitor)] }
        return []
    }
    public static func canonicalisingEmployeeIDs(_ command: Command) -> Command {
        guard case .plan(let id, let customerID, let visitor, let at, let contacts, let agenda, let place) = command else { return command }
        return .plan(id: id, customerID: customerID, visitor: canonical(visitor), scheduledAt: at, contacts: contacts, agenda: agenda, place: place)
    }
}

extension Opportunity {
    public static func employeesNamed(by command: Command, state: State) -> [NamedEmployee] {
        switch command {
        case .open(_, _, _, _, let owner, _, _, _) where state.details == nil: return [NamedEmployee(field: "owner", id: owner)]
        case .assignByManager(let owner, _) where !Employee.sameID(owner, state.owner): return [NamedEmployee(field: "owner", id: owner)]
        default: return []
        }
    }
    public static func canonicalisingEmployeeIDs(_ command: Command) -> Command {
        switch command {
        case .open(let id, let details, let pipeline, let stage, let owner, let line, let contacts, let assignment):
            return .open(opportunityID: id, details: details, pipeline: pipeline, stage: stage, owner: canonical(owner), productLine: line, contacts: contacts,
                         assignment: assignment)
        case .assignByManager(let owner, let reason): return .assignByManager(owner: canonical(owner), reason: reason)
        default: return command
        }
    }
}

extension Contract {
    public static func employeesNamed(by command: Command, state: State) -> [NamedEmployee] {
        if case .draft(_, _, let owner, _, _, _, _, _, _) = command, state.owner.isEmpty { return [NamedEmployee(field: "owner", id: owner)] }
        return []
    }
    public static func canonicalisingEmployeeIDs(_ command: Command) -> Command {
        guard case .draft(let id, let customerID, let owner, let branch, let title, let quoteID, let number, let lines, let terms) = command else { return command }
        return .draft(id: id, customerID: customerID, owner: canonical(owner), branch: branch, title: title, quoteID: quoteID,
                      quoteNumber: number, lines: lines, terms: terms)
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
    public static func canonicalisingEmployeeIDs(_ command: Command) -> Command {
        switch command {
        case .plan(let id, let name, let objective, let owner, let budget, let start, let end):
            return .plan(id: id, name: name, objective: objective, owner: canonical(owner), budget: budget, start: start, end: end)
        case .assignWorkItem(var item):
            item.person = item.person.map(canonical)
            return .assignWorkItem(item)
        default: return command
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
        guard let named, !Employee.sameID(named, state.currentAssignee) else { return [] }
        return [NamedEmployee(field: "assignee", id: named)]
    }
    public static func canonicalisingEmployeeIDs(_ command: Command) -> Command {
        switch command {
        case .open(let id, let customerID, let address, let deadline, let assignee):
            return .open(connectionID: id, customerID: customerID, address: address, deadline: deadline, assignee: canonical(assignee))
        case .advance(let note, let deadline, let assignee): return .advance(note: note, deadline: deadline, assignee: assignee.map(canonical))
        case .sendBack(let reason, let deadline, let assignee): return .sendBack(reason: reason, deadline: deadline, assignee: canonical(assignee))
        case .replan(let deadline, let assignee): return .replan(deadline: deadline, assignee: canonical(assignee))
        default: return command
        }
    }
}

extension MaintenancePairing {
    public static func employeesNamed(by command: Command, state: State) -> [NamedEmployee] {
        switch command {
        case .pair(_, let agent, let manager):
            return (Employee.sameID(agent, state.agent) ? [] : [NamedEmployee(field: "agent", id: agent)])
                + (Employee.sameID(manager, state.manager) ? [] : [NamedEmployee(field: "manager", id: manager)])
        case .changeAgent(let agent, _) where !Employee.sameID(agent, state.agent): return [NamedEmployee(field: "agent", id: agent)]
        case .changeManager(let manager, _) where !Employee.sameID(manager, state.manager): return [NamedEmployee(field: "manager", id: manager)]
        default: return []
        }
    }
    public static func canonicalisingEmployeeIDs(_ command: Command) -> Command {
        switch command {
        case .pair(let customerID, let agent, let manager): return .pair(customerID: customerID, agent: canonical(agent), manager: canonical(manager))
        case .changeAgent(let agent, let reason): return .changeAgent(newAgent: canonical(agent), reason: reason)
        case .changeManager(let manager, let reason): return .changeManager(newManager: canonical(manager), reason: reason)
        case .giveFeedback(let id, let direction, let giver, let rating, let comment, let about):
            return .giveFeedback(feedbackID: id, direction: direction, giver: canonical(giver), rating: rating, comment: comment, about: about)
        case .unpair: return command
        }
    }
}

extension WorkflowInstance {
    public static func employeesNamed(by command: Command, state: State) -> [NamedEmployee] {
        if case .delegate(_, _, let to) = command { return [NamedEmployee(field: "to", id: to)] }
        return []
    }
    /// The deciding employee, the submitter and the roles are the engine's (``prepare``); the delegate is named.
    public static func canonicalisingEmployeeIDs(_ command: Command) -> Command {
        if case .delegate(let employee, let roles, let to) = command { return .delegate(employee: employee, roles: roles, to: canonical(to)) }
        return command
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
        let held = Set((state.current?.steps ?? []).filter { $0.escalateTo.kind == .employee }.map { canonical($0.escalateTo.id) })
        var named: [NamedEmployee] = []
        for step in steps where step.escalateTo.kind == .employee && !held.contains(canonical(step.escalateTo.id)) {
            let name = NamedEmployee(field: "steps.escalateTo", id: step.escalateTo.id)
            if !named.contains(name) { named.append(name) }
        }
        return named
    }
    public static func canonicalisingEmployeeIDs(_ command: Command) -> Command {
        func canonicalised(_ steps: [WorkflowStep]) -> [WorkflowStep] {
            steps.map { step in
                var step = step
                if step.escalateTo.kind == .employee { step.escalateTo.id = canonical(step.escalateTo.id) }
                return step
            }
        }
        switch command {
        case .define(let id, let name, let kind, let steps): return .define(id: id, name: name, kind: kind, steps: canonicalised(steps))
        case .revise(let name, let steps): return .revise(name: name, steps: canonicalised(steps))
        }
    }
}

extension FeedbackForm {
    public static func employeesNamed(by command: Command, state: State) -> [NamedEmployee] {
        if case .submit(_, _, _, let reporter, let reviewer, _, _) = command, state == initialState {
            return [NamedEmployee(field: "reporter", id: reporter), NamedEmployee(field: "reviewer", id: reviewer)]
        }
        return []
    }
    /// The submitter is the engine's (``prepare``); the reporter and the reviewer are named.
    public static func canonicalisingEmployeeIDs(_ command: Command) -> Command {
        guard case .submit(let id, let template, let submittedBy, let reporter, let reviewer, let branch, let values) = command else { return command }
        return .submit(id: id, template: template, submittedBy: submittedBy, reporter: canonical(reporter), reviewer: canonical(reviewer),
                       branch: branch, values: values)
    }
}

extension Settings {
    /// Routing rules name the employee a matching task or opportunity goes to.
    public static func employeesNamed(by command: Command, state: State) -> [NamedEmployee] {
        guard case .replaceRoutingRules(let rules) = command else { return [] }
        let held = Set(state.routingRules.compactMap(\.assignee).map(canonical))
        return rules.compactMap(\.assignee).filter { !held.contains(canonical($0)) }.map { NamedEmployee(field: "assignee", id: $0) }
    }
    public static func canonicalisingEmployeeIDs(_ command: Command) -> Command {
        guard case .replaceRoutingRules(let rules) = command else { return command }
        return .replaceRoutingRules(rules.map { rule in
            var rule = rule
            rule.assignee = rule.assignee.map(canonical)
            return rule
        })
    }
}
