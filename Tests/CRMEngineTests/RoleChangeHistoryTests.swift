import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import Foundation
import Testing

/// A role's change names its permissions and hidden fields old → new in the modification history (R-LOG-5),
/// as its definition lists them: granting a role more rights or hiding a field is never an empty entry.
@Suite struct RoleChangeHistoryTests {
    private func roleChanges(_ f: EngineFixture) async throws -> [[FieldChange]] {
        let head = try await f.engine.store.headPosition()
        return try await f.engine.history(of: Organisation.streamID, as: f.admin, limit: 1_000, consistentWith: head)
            .filter { $0.eventType == RoleChanged.eventType }.map(\.changes)
    }

    @Test func aRolesPermissionAndHiddenFieldChangesShowOldAndNew() async throws {
        let f = try await EngineFixture.make("role-change-history")
        defer { Task { await f.close() } }
        let role = UUID.derived("role", "clerk")
        let query = Permission(module: .customers, actions: [.query], scope: .branch("A"))
        let analyse = Permission(module: .organisation, actions: [.analyse, .query], scope: .all)
        let hidden = HiddenField(formGroup: "business", field: "employees")
        try await f.engine.execute(Organisation.self, id: role, .defineRole(roleID: role, RoleDefinition(name: "Clerk", permissions: [query]), grantor: .none), as: f.admin)
        // Hide a field; then grant analyse rights over all data; then only rename.
        try await f.engine.execute(Organisation.self, id: role, .changeRole(roleID: role, RoleDefinition(name: "Clerk", permissions: [query], hiddenFields: [hidden]), grantor: .none), as: f.admin)
        try await f.engine.execute(Organisation.self, id: role, .changeRole(roleID: role, RoleDefinition(name: "Clerk", permissions: [query, analyse], hiddenFields: [hidden]), grantor: .none), as: f.admin)
        try await f.engine.execute(Organisation.self, id: role, .changeRole(roleID: role, RoleDefinition(name: "Senior clerk", permissions: [query, analyse], hiddenFields: [hidden]), grantor: .none), as: f.admin)

        let changes = try await roleChanges(f)
        try #require(changes.count == 3)
        #expect(changes[0] == [FieldChange(field: "hiddenFields", old: nil, new: .list(["business.employees"]))])
        #expect(changes[1] == [FieldChange(field: "permissions", old: .list(["customers: query over branch A"]),
                                           new: .list(["customers: query over branch A", "organisation: analyse/query over all"]))],
                "\(changes[1])")
        // A rename alone names only the name: unchanged permissions and hidden fields are not listed.
        #expect(changes[2] == [FieldChange(field: "name", old: .text("Clerk"), new: .text("Senior clerk"))])
    }

    @Test func aChangeOfAPermissionsPeriodAloneShowsThePeriod() async throws {
        let f = try await EngineFixture.make("role-change-history-period")
        defer { Task { await f.close() } }
        let role = UUID.derived("role", "temp")
        let always = Permission(module: .tasks, actions: [.query], scope: .own)
        var bounded = always
        bounded.validity = ValidityPeriod(until: Date(timeIntervalSince1970: 1_798_761_600))  // 2027-01-01T00:00Z
        try await f.engine.execute(Organisation.self, id: role, .defineRole(roleID: role, RoleDefinition(name: "Temp", permissions: [always]), grantor: .none), as: f.admin)
        try await f.engine.execute(Organisation.self, id: role, .changeRole(roleID: role, RoleDefinition(name: "Temp", permissions: [bounded]), grantor: .none), as: f.admin)

        let changes = try await roleChanges(f)
        try #require(changes.count == 1)
        let change = try #require(changes[0].first)
        #expect(change.field == "permissions" && change.old != change.new)
        #expect(change.new == .list(["tasks: query over own until 2027-01-01T00:00:00Z"]), "\(change)")
    }
}
