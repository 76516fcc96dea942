import CRMDomain
import CRMProjections
import EventSourcing
import Foundation

/// What the bindings' `prepare` steps read from the log: the settings, and the principal as the
/// organisation records them (their roles, unit and branch).
extension CRMEngine {
    /// The settings as recorded.
    func settings() async throws -> Settings.State {
        try await settingsCache.current(store: store, registry: registry)
    }

    /// The names of the roles `principal` holds at `instant` (grants in force then); none for the system.
    func roleNames(of principal: Principal, at instant: Date) async throws -> [String] {
        guard principal.employeeID != nil else { return [] }
        let org = try await organisation.current(store: store, registry: registry)
        return Self.grants(of: principal, in: org, at: instant).compactMap { org.roles[$0.roleID]?.name }.sorted()
    }

    /// `principal` as an announcement reader: their departments (their unit and the units above it), branch
    /// and roles in force at `instant`.
    func announcementReader(_ principal: Principal, at instant: Date) async throws -> AnnouncementReader? {
        guard let id = principal.employeeID else { return nil }
        let org = try await organisation.current(store: store, registry: registry)
        guard let employee = org.employees[id], employee.active else { return nil }
        let departments = employee.unitID.map { org.chain(from: $0).map(\.id) } ?? []
        let roles = Self.grants(of: principal, in: org, at: instant).map(\.roleID)
        return AnnouncementReader(employeeID: id, departments: departments, branch: employee.branch, roles: Array(Set(roles)).sorted { $0.uuidString < $1.uuidString })
    }

    /// The role grants of `principal`'s employee in force at `instant`; for a token another employee issued,
    /// only those it was issued with (``Principal/roleGrants``): a role granted since names no approval step,
    /// discount authority or announcement for it, as it gives it no permission.
    private static func grants(of principal: Principal, in org: Organisation.State, at instant: Date) -> [RoleGrant] {
        guard let employee = principal.employeeID, org.employees[employee]?.active == true else { return [] }
        return org.roleGrants.values.filter { grant in
            grant.employeeID == employee && grant.validity.contains(instant) && principal.roleGrants.map { $0.contains(grant.id) } ?? true
        }
    }

    /// The recorded name of the employee `principal` is; nil for the system.
    func employeeName(of principal: Principal) async throws -> String? {
        guard let id = principal.employeeID else { return nil }
        return try await organisation.current(store: store, registry: registry).employees[id]?.name
    }

    /// Refuses a role a human principal names for itself without holding it.
    func requireHeld(role: String, by principal: Principal, field: String) async throws {
        if principal.isSystem { return }
        guard try await roleNames(of: principal, at: clock.now()).contains(role) else {
            throw EngineError(.forbidden, field: field, "the role named is not one the principal holds")
        }
    }
}
