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
///
/// An item that names a customer (`addItem`, `changeItem`) becomes a reminder task on that customer for the
/// diary's employee, so the customer must be one both the principal and the diary's employee may query
/// (`query` in `customers` over its scope): else `invalid`, field `customerID`, nothing written — the same
/// answer as for a customer that does not exist, so it tells nothing of one the principal may not see.
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

    /// Refuses an item naming a customer the principal or the diary's employee may not query. A person's
    /// command is judged only once they may do it (else authorization refuses it next), so its answer tells
    /// nothing to whoever may only read the diary.
    public static func prepare(_ command: Command, state: State, id: UUID, principal: Principal, engine: CRMEngine) async throws -> Command {
        let item: Item
        switch command {
        case .addItem(let named), .changeItem(let named): item = named
        case .removeItem, .subscribe, .unsubscribe: return command
        }
        guard let customerID = item.customerID else { return command }
        let now = engine.clock.now()
        if !principal.replaysDecisions {
            guard try await mayDo(command, state: state, id: id, principal: principal, engine: engine, at: now) else { return command }
            guard try await engine.mayQueryCustomer(customerID, as: principal, at: now) else {
                throw EngineError(.invalid, field: "customerID", "no customer you may see has this id")
            }
        }
        // The reminder goes to the diary's employee: they must be able to see the customer too.
        if principal.employeeID != id, let owner = try await engine.activeEmployee(id, at: now),
           try await !engine.mayQueryCustomer(customerID, as: owner, at: now) {
            throw EngineError(.invalid, field: "customerID", "the diary's employee may not see this customer")
        }
        return command
    }
}

extension CRMEngine {
    /// Whether `principal` may query the customer `id` at `now`: it exists and `query` in `customers` reaches
    /// its scope (its branch, community, group and owner, from its stream).
    func mayQueryCustomer(_ id: UUID, as principal: Principal, at now: Date) async throws -> Bool {
        try await customerIfQueryable(id, as: principal, at: now) != nil
    }

    /// The customer `id`'s state when `principal` may query it at `now` (``mayQueryCustomer(_:as:at:)``); nil
    /// when it does not exist or they may not.
    func customerIfQueryable(_ id: UUID, as principal: Principal, at now: Date) async throws -> Customer.State? {
        let customer = try await load(Customer.self, stream: Customer.stream(id)).state
        guard customer.exists, principal.may(.query, in: .customers, on: Self.scope(ofCustomer: customer), at: now) else { return nil }
        return customer
    }

    /// An active employee as a principal with the permissions their roles give at `now`; nil for anyone else.
    func activeEmployee(_ id: UUID, at now: Date) async throws -> Principal? {
        let organisation = try await organisation.current(store: store, registry: registry)
        guard organisation.employees[id]?.active == true else { return nil }
        return Principal(employeeID: id, permissions: organisation.effectivePermissions(of: id, at: now))
    }
}
