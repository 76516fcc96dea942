import CRMDomain
import Foundation

extension CRMEngine {
    /// The recorded names of the employees `principal` may see named, by id (lower case), so an adapter
    /// shows a name where a record or a figure names an employee by id (an owner, an assignee, the actor of
    /// a history entry, a KPI row). Every employee's — deactivated ones too, whose past work is still
    /// shown — for the system and for whoever may query the organisation over all data (who reads its
    /// employee list) or `query` some module over all data (whose records name anyone), or `analyse` in
    /// analysis over all data (whose KPI ranking lists everyone). Anyone else sees named: themself, everyone
    /// who reports to them, directly or not (whose KPI figures they see), and the employees of each branch
    /// over which a permission in force now gives them `query` in some module (whose records they read).
    /// No one else: an employee outside that reach stays an id, and a principal with no permission learns
    /// no name but their own.
    public func employeeNames(as principal: Principal) async throws -> [String: String] {
        try requireOpen()
        let organisation = try await organisation.current(store: store, registry: registry)
        let instant = clock.now()
        var reach = Set<String>()
        var everyone = principal.isSystem || principal.may(.analyse, in: .analysis, on: .global, at: instant)
        for permission in principal.permissions.permissions
        where permission.actions.contains(.query) && permission.validity.contains(instant) {
            switch permission.scope {
            case .all: everyone = true
            case .branch(let branch): reach.insert(branch)
            case .community, .customerGroup, .own: break
            }
        }
        var names: [String: String] = [:]
        let me = principal.employeeID
        for (id, employee) in organisation.employees {
            let named = everyone || id == me || reach.contains(employee.branch)
                || me.map { organisation.managers(of: id).contains($0) } ?? false
            if named { names[id.lowercasedString] = employee.name }
        }
        return names
    }
}
