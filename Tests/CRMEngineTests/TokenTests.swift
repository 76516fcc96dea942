import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

@Suite struct TokenTests {
    @Test func aTokenAuthenticatesItsEmployeeUntilRevokedAndOnlyItsHashIsStored() async throws {
        let f = try await EngineFixture.make("tokens")
        let since = f.clock.now()
        let principal = try await f.engine.authenticate(token: f.adminToken.token, clientIP: "192.0.2.9")
        #expect(principal.employeeID == f.admin.employeeID && principal.clientIP == "192.0.2.9")
        // The token's use is audited with the client IP.
        let uses = try f.engine.readAudit(from: since, to: since.addingTimeInterval(1), as: f.admin)
        #expect(uses.map(\.record) == ["token:" + f.adminToken.tokenID.uuidString.lowercased()])
        #expect(uses.first?.clientIP == "192.0.2.9")
        // The secret appears nowhere in the log.
        let secret = try #require(f.adminToken.token.split(separator: "_", maxSplits: 2).last.map(String.init))
        var everything = Data()
        for event in try await f.engine.store.readAll(from: .start, direction: .forward, limit: 10_000) { everything.append(contentsOf: event.payload) }
        #expect(everything.range(of: Data(secret.utf8)) == nil)
        #expect(try await f.engine.tokens(of: try #require(f.admin.employeeID), as: f.admin).map(\.name) == ["bootstrap"])

        try await f.engine.revokeToken(f.adminToken.tokenID, reason: "leaked", as: f.admin)
        await #expect(throws: EngineError.self) { try await f.engine.authenticate(token: f.adminToken.token) }
        await f.close()
    }

    @Test func malformedTamperedExpiredAndForeignTokensAreRefusedAlike() async throws {
        let f = try await EngineFixture.make("tokens-bad")
        let employee = try await f.hire("Clerk", branch: "north", permissions: [Permission(module: .customers, actions: [.query], scope: .own)])
        let employeeID = try #require(employee.employeeID)
        let expiring = try await f.engine.issueToken(for: employeeID, name: "short", expiresAt: f.clock.now().addingTimeInterval(60), as: employee)
        #expect(try await f.engine.authenticate(token: expiring.token).employeeID == employeeID)
        // Secrets are base64url and may hold "_": many tokens all authenticate.
        for n in 0..<20 {
            let token = try await f.engine.issueToken(for: employeeID, name: "t\(n)", as: employee)
            #expect(try await f.engine.authenticate(token: token.token).employeeID == employeeID)
        }
        var tampered = Array(expiring.token)
        tampered[tampered.count - 2] = tampered[tampered.count - 2] == "A" ? "B" : "A"
        for bad in ["", "crm_", "crm_x_y", "Bearer " + expiring.token, String(tampered), expiring.token + "x"] {
            let error = await #expect(throws: EngineError.self) { try await f.engine.authenticate(token: bad) }
            #expect(error?.code == .unauthenticated, "\(bad.count) characters")
        }
        f.clock.advance(by: 61)
        await #expect(throws: EngineError.self) { try await f.engine.authenticate(token: expiring.token) }
        // An employee may not issue tokens for someone else, nor list theirs.
        await #expect(throws: EngineError.self) {
            try await f.engine.issueToken(for: try #require(f.admin.employeeID), name: "stolen", as: employee)
        }
        await #expect(throws: EngineError.self) { try await f.engine.tokens(of: try #require(f.admin.employeeID), as: employee) }
        // A deactivated employee's token stops working.
        let kept = try await f.engine.issueToken(for: employeeID, name: "kept", as: employee)
        try await f.engine.execute(Organisation.self, id: employeeID, .deactivate(employeeID: employeeID, reason: "left"), as: f.admin)
        await #expect(throws: EngineError.self) { try await f.engine.authenticate(token: kept.token) }
        await f.close()
    }

    @Test func aGoodTokenOfAnEmployeeWithoutARoleInForceIsForbiddenNotUnauthenticated() async throws {
        let f = try await EngineFixture.make("tokens-no-role")
        let clerk = try await f.hire("Clerk", branch: "A", permissions: ScopeTests.allRights)
        let clerkID = try #require(clerk.employeeID)
        let token = try await f.engine.issueToken(for: clerkID, name: "clerk", as: f.admin)
        #expect(try await f.engine.authenticate(token: token.token).employeeID == clerkID)
        // The clerk's only grant is revoked: the token is still theirs, they may just do nothing now.
        try await f.engine.execute(Organisation.self, id: clerkID, .revokeRoleGrant(grantID: UUID.derived("grant", "Clerk")), as: f.admin)
        let error = await #expect(throws: EngineError.self) { try await f.engine.authenticate(token: token.token) }
        #expect(error?.code == .forbidden, "\(String(describing: error))")
        // A wrong secret for the same token id is still unauthenticated, whatever the roles.
        var characters = Array(token.token)
        let middle = characters.count - 10  // inside the secret, away from its last character's spare bits
        characters[middle] = characters[middle] == "A" ? "B" : "A"
        let tampered = String(characters)
        let bad = await #expect(throws: EngineError.self) { try await f.engine.authenticate(token: tampered) }
        #expect(bad?.code == .unauthenticated)
        await f.close()
    }

    @Test func aTokenExpiringAtOrBeforeNowIsRefusedAndNothingIsWritten() async throws {
        let f = try await EngineFixture.make("tokens-expired")
        let adminID = try #require(f.admin.employeeID)
        let head = try await f.engine.store.headPosition()
        for past in [f.clock.now(), f.clock.now().addingTimeInterval(-86_400 * 365)] {
            let error = await #expect(throws: EngineError.self) {
                try await f.engine.issueToken(for: adminID, name: "stillborn", expiresAt: past, as: f.admin)
            }
            #expect(error?.code == .invalid && error?.field == "expiresAt")
        }
        #expect(try await f.engine.store.headPosition() == head)
        #expect(try await f.engine.tokens(of: adminID, as: f.admin).count == 1)
        await f.close()
    }
}
