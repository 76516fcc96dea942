import CRMDomain
import CRMProjections
import EventSourcing
import Foundation

extension EngineRecord {
    /// Whether `principal` may send `command` and the domain would record something for it now: the rules that
    /// judge whom a command names run only then, so authorization's answer and the domain's refusals come first.
    static func wouldRecord(_ command: Command, state: State, principal: Principal, engine: CRMEngine, at now: Date) async throws -> Bool {
        guard try await mayDo(command, state: state, principal: principal, engine: engine, at: now),
              let events = try? decide(command, state: state, context: CommandContext(now: now, actor: principal.id)) else { return false }
        return !events.isEmpty
    }

    /// Refuses a person's command that hands a record of customer `customerID` to an employee (the first
    /// ``employeesNamed(by:state:)`` lists: an opportunity's or contract's owner, a visit's visitor) who may not
    /// work on it: `edit` in the record's module over the customer's scope, not counting the ownership the
    /// hand-over gives, or a role over one's `own` records
    /// (``CRMEngine/requireMayWorkOn(_:module:action:named:principal:)``: `invalid`, naming the field, nothing
    /// written) — as a task's dispatch is judged. Judged only for whoever may send the command and only once
    /// the domain would accept it, so the domain's refusals and authorization's answer first; an operator's
    /// command is judged, the system's replayed decisions (reactions, the scheduler) are not.
    static func requireNamedMayWorkOn(_ command: Command, customer customerID: UUID?, state: State, principal: Principal,
                                      engine: CRMEngine) async throws {
        guard !principal.replaysDecisions, let customerID, let named = employeesNamed(by: command, state: state).first,
              try await wouldRecord(command, state: state, principal: principal, engine: engine, at: engine.clock.now()) else { return }
        try await engine.requireMayWorkOn(.customer(customerID, owners: []), module: module, action: .edit, named: named, principal: principal)
    }
}

extension Customer {
    /// The modules whose records take their scope from their customer, its owner included: what owning a
    /// customer reaches.
    static let reachedThroughOwnership: [Permission.Module] = [.customers, .contacts, .tasks, .tickets, .visits, .opportunities,
                                                                .quotes, .contracts, .revenue, .analysis]

    /// Refuses a person's command that names a customer's owner — a creation with one, an edit giving it to
    /// another — or moves it with its owner (`keeping`: the owner an edit keeps while it moves the customer to
    /// another branch, community or group, named by the part that moves), when owning it there would give that
    /// employee rights their roles do not give them there: every data scope covers one's `own` records, and a
    /// customer's owner owns its tasks, tickets, opportunities and the rest, so an account manager could
    /// otherwise hand a customer to another branch's employee (or move it away from its owner's branch), who
    /// would then read it and move it into their own branch. Refused, `invalid`, naming the field, nothing
    /// written, when the employee holds a permission in force, in a module ownership reaches
    /// (``reachedThroughOwnership``), whose data scope is not `own` and that grants an action none of their
    /// permissions grants over the customer's branch, community and group — or when owning it would show them a
    /// custom field their roles hide there. Permissions over one's `own` records are what ownership is meant to
    /// give; an employee with the same rights over the customer's place (several branches' roles) or with none
    /// there gains nothing. Judged only once the principal may send the command and the domain would accept it;
    /// an unknown or deactivated employee is left to ``CRMEngine/requireActiveEmployees(_:principal:)``; the
    /// system's replayed decisions are not judged, an operator's command is.
    static func requireOwnerMayWorkOn(_ prepared: Command, on scope: RecordScope, state: State, principal: Principal,
                                      engine: CRMEngine, keeping kept: NamedEmployee? = nil) async throws {
        guard !principal.replaysDecisions, let named = employeesNamed(by: prepared, state: state).first ?? kept,
              let employeeID = UUID(uuidString: named.id) else { return }
        let now = engine.clock.now()
        guard try await wouldRecord(prepared, state: state, principal: principal, engine: engine, at: now) else { return }
        let employee: Principal
        do {
            employee = try await engine.principal(employeeID: employeeID)
        } catch let unknown as EngineError where unknown.code == .unauthenticated {
            return
        }
        var placed = scope
        placed.owners = []
        let places = placed.dataScopes(viewer: nil)
        let held = employee.permissions
        let gainsAnAction = held.permissions.contains { permission in
            permission.scope != .own && reachedThroughOwnership.contains(permission.module)
                && permission.actions.contains { action in
                    permission.allows(module: permission.module, action: action, scope: .own, at: now)
                        && !places.contains { held.allows(module: permission.module, action: action, scope: $0, at: now) }
                }
        }
        let seenThere = held.fieldVisibility(in: places)
        let seenOwning = held.fieldVisibility(in: places + [.own])
        let showsAField = seenOwning.seesFields && (!seenThere.seesFields || !seenThere.hidden.subtracting(seenOwning.hidden).isEmpty)
            && held.permissions.contains { $0.scope != .own && $0.module == .customers }
        if gainsAnAction || (showsAField && !seenThere.hidden.isEmpty) {
            throw EngineError(.invalid, field: named.field, kept == nil ? "the employee may not work on this customer"
                                                                         : "the customer's owner may not work on it there")
        }
    }
}
