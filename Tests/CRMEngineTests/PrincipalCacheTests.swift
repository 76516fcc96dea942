import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import Foundation
import Testing

/// A verified token is remembered with its principal, but never beyond what it was computed from: each change
/// applies on the very next authentication.
@Suite struct PrincipalCacheTests {
    private let readCustomers = [Permission(module: .customers, actions: [.query], scope: .all)]

    /// An employee with one token, already authenticated twice (so the second answer came from the cache).
    /// Their own token: it follows their rights as they change (one issued by someone else keeps to what they
    /// held at issue: TokenReview5Tests).
    private func warmed(_ f: EngineFixture, _ name: String, expiresAt: Date? = nil) async throws -> (employee: UUID, token: IssuedToken) {
        let principal = try await f.hire(name, branch: "north", permissions: readCustomers)
        let employee = try #require(principal.employeeID)
        let token = try await f.engine.issueToken(for: employee, name: "t", expiresAt: expiresAt, as: principal)
        for _ in 0..<2 { #expect(try await f.engine.authenticate(token: token.token).employeeID == employee) }
        return (employee, token)
    }

    /// Whether `token` is refused with `code` (a bad token: unauthenticated; a good one of an employee who
    /// holds no role in force: forbidden).
    private func refused(_ f: EngineFixture, _ token: IssuedToken, as code: EngineError.Code = .unauthenticated) async -> Bool {
        do {
            _ = try await f.engine.authenticate(token: token.token)
            return false
        } catch let error as EngineError {
            return error.code == code
        } catch {
            return false
        }
    }

    @Test func aRevokedTokenIsRefusedOnTheNextUse() async throws {
        let f = try await EngineFixture.make("cache-revoke")
        let (_, token) = try await warmed(f, "Rita")
        try await f.engine.revokeToken(token.tokenID, as: f.admin)
        #expect(await refused(f, token))
        #expect(await refused(f, token))
        await f.close()
    }

    @Test func anExpiredTokenIsRefusedByTheInjectedClockEvenWhenRemembered() async throws {
        let f = try await EngineFixture.make("cache-expiry")
        let (_, token) = try await warmed(f, "Erik", expiresAt: f.clock.now().addingTimeInterval(30))
        f.clock.advance(by: 29)
        #expect(try await f.engine.authenticate(token: token.token).employeeID != nil)
        f.clock.advance(by: 1)
        #expect(await refused(f, token))
        await f.close()
    }

    @Test func anEmployeeWhoseRoleGrantWasRevokedOrWhoWasDeactivatedIsRefusedOnTheNextUse() async throws {
        let f = try await EngineFixture.make("cache-grant-revoked")
        let (employee, token) = try await warmed(f, "Gina")
        try await f.engine.execute(Organisation.self, id: employee, .revokeRoleGrant(grantID: UUID.derived("grant", "Gina")), as: f.admin)
        #expect(await refused(f, token, as: .forbidden))

        let (other, otherToken) = try await warmed(f, "Dora")
        try await f.engine.execute(Organisation.self, id: other, .deactivate(employeeID: other, reason: "left"), as: f.admin)
        #expect(await refused(f, otherToken))
        await f.close()
    }

    @Test func aChangedRoleOrANewGrantIsReflectedOnTheNextUse() async throws {
        let f = try await EngineFixture.make("cache-grant-change")
        let (employee, token) = try await warmed(f, "Carl")
        let before = try await f.engine.authenticate(token: token.token)
        #expect(!before.may(.edit, in: .customers, on: RecordScope(branch: "north"), at: f.clock.now()))
        // The role itself changes: customers may now be edited.
        let roleID = UUID.derived("role", "Carl")
        let wider = RoleDefinition(name: "role of Carl", permissions: [Permission(module: .customers, actions: [.query, .edit], scope: .all)], hiddenFields: [])
        try await f.engine.execute(Organisation.self, id: roleID, .changeRole(roleID: roleID, wider, grantor: .none), as: f.admin)
        let changed = try await f.engine.authenticate(token: token.token)
        #expect(changed.may(.edit, in: .customers, on: RecordScope(branch: "north"), at: f.clock.now()))
        // A second role granted: tasks may be queried too.
        let taskRole = UUID.derived("role", "tasks")
        try await f.engine.execute(Organisation.self, id: taskRole, .defineRole(
            roleID: taskRole, RoleDefinition(name: "tasks", permissions: [Permission(module: .tasks, actions: [.query], scope: .all)], hiddenFields: []),
            grantor: .none), as: f.admin)
        #expect(!(try await f.engine.authenticate(token: token.token)).may(.query, in: .tasks, on: .global, at: f.clock.now()))
        try await f.engine.execute(Organisation.self, id: taskRole, .grantRole(
            grantID: UUID.derived("grant", "Carl tasks"), employeeID: employee, roleID: taskRole, validity: .always, grantor: .none), as: f.admin)
        #expect(try await f.engine.authenticate(token: token.token).may(.query, in: .tasks, on: .global, at: f.clock.now()))
        await f.close()
    }

    @Test func aGrantStartingLaterAppliesOnceTheClockReachesIt() async throws {
        let f = try await EngineFixture.make("cache-grant-later")
        let (employee, token) = try await warmed(f, "Lena")
        let taskRole = UUID.derived("role", "later tasks")
        try await f.engine.execute(Organisation.self, id: taskRole, .defineRole(
            roleID: taskRole, RoleDefinition(name: "later", permissions: [Permission(module: .tasks, actions: [.query], scope: .all)], hiddenFields: []),
            grantor: .none), as: f.admin)
        let start = f.clock.now().addingTimeInterval(3600)
        try await f.engine.execute(Organisation.self, id: taskRole, .grantRole(
            grantID: UUID.derived("grant", "Lena later"), employeeID: employee, roleID: taskRole,
            validity: ValidityPeriod(from: start), grantor: .none), as: f.admin)
        for _ in 0..<2 { #expect(!(try await f.engine.authenticate(token: token.token)).may(.query, in: .tasks, on: .global, at: f.clock.now())) }
        f.clock.advance(by: 3600)
        #expect(try await f.engine.authenticate(token: token.token).may(.query, in: .tasks, on: .global, at: f.clock.now()))
        await f.close()
    }

    @Test func everyUseOfARememberedTokenIsStillAuditedWithItsClientIP() async throws {
        let f = try await EngineFixture.make("cache-audit")
        let since = f.clock.now()
        let (_, token) = try await warmed(f, "Anna")
        _ = try await f.engine.authenticate(token: token.token, clientIP: "192.0.2.7")
        let uses = try f.engine.readAudit(from: since, to: since.addingTimeInterval(1), as: f.admin)
            .filter { $0.record == "token:" + token.tokenID.uuidString.lowercased() }
        #expect(uses.count == 3)
        #expect(uses.last?.clientIP == "192.0.2.7")
        await f.close()
    }
}
