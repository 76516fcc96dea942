@testable import CRMHTTP
import CRMDomain
import CRMEngine
import Foundation
import Testing

/// Over real HTTP, a token the server has already accepted stops working on the very next request after
/// the change that ends it.
@Suite struct AuthenticationCacheTests {
    @Test func aRevokedGrantAnExpiredTokenAndARevokedTokenAreRefusedOnTheNextRequest() async throws {
        try await LiveServer.with("auth-cache") { s in
            let (clerk, token) = try await s.hire("Clara", branch: "north", permissions: [Permission(module: .customers, actions: [.query], scope: .all)])
            let clerkID = try #require(clerk.employeeID)
            for _ in 0..<2 { #expect(try await s.send(.GET, "/v1/customers", token: token).status == 200) }
            try await s.engine.execute(Organisation.self, id: clerkID, .revokeRoleGrant(grantID: UUID.derived("grant", "Clara")), as: s.admin)
            // The token is still good; its employee holds no role in force any more: 403, not 401.
            let roleless = try await s.send(.GET, "/v1/customers", token: token)
            #expect(roleless.status == 403 && roleless.text.contains("no role in force"), "\(roleless.status) \(roleless.text.prefix(200))")

            let expiring = try await s.engine.issueToken(for: try #require(s.admin.employeeID), name: "short",
                                                         expiresAt: s.clock.now().addingTimeInterval(10), as: s.admin)
            for _ in 0..<2 { #expect(try await s.send(.GET, "/v1/customers", token: expiring.token).status == 200) }
            s.clock.advance(by: 10)
            #expect(try await s.send(.GET, "/v1/customers", token: expiring.token).status == 401)

            let revoked = try await s.engine.issueToken(for: try #require(s.admin.employeeID), name: "revoked", as: s.admin)
            for _ in 0..<2 { #expect(try await s.send(.GET, "/v1/customers", token: revoked.token).status == 200) }
            #expect(try await s.send(.DELETE, "/v1/tokens/\(revoked.tokenID.uuidString.lowercased())").status == 204)
            #expect(try await s.send(.GET, "/v1/customers", token: revoked.token).status == 401)
        }
    }

    @Test func theBearerSchemeIsReadInAnyCaseWithSpacesAroundTheToken() {
        #expect(AuthenticationMiddleware.bearerToken("Bearer crm_abc") == "crm_abc")
        #expect(AuthenticationMiddleware.bearerToken("bearer crm_abc") == "crm_abc")
        #expect(AuthenticationMiddleware.bearerToken("BEARER   crm_abc \t") == "crm_abc")
        for refused in ["", "Bearer", "Bearer ", "Bearer   ", "Basic crm_abc", "Bearercrm_abc", "Bearer\tcrm_abc", "Beare crm_abc", "Bearer\u{00A0}crm"] {
            #expect(AuthenticationMiddleware.bearerToken(refused) == nil, "\(refused.debugDescription)")
        }
    }
}
