import AsyncHTTPClient
import CRMEngine
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// The API's refused authentications in the read audit (R-LOG-8): `signin-failed:api` under `anonymous`, the
/// client's address (through a trusted proxy, the forwarded one) and nothing of what was presented; bounded
/// per address so a flood of guesses cannot fill the audit.
@Suite(.serialized) struct APISignInAuditTests {
    static let window = (from: "2025-12-31T00:00:00Z", to: "2026-01-02T00:00:00Z")

    /// The read audit's items over the API (an auditor's view), with the answer's text.
    static func reads(_ s: LiveServer) async throws -> (items: [[String: Any]], text: String) {
        let answer = try await s.expect(.GET, "/v1/audit/reads?order=oldest&limit=10000&from=\(window.from)&to=\(window.to)")
        return (try #require(answer.json["items"] as? [[String: Any]]), answer.text)
    }

    @Test func refusedAPITokensAreInTheReadAuditWithTheClientAddressAndNoTokenText() async throws {
        try await LiveServer.with("api-signin-audit", trustedProxies: ["127.0.0.1"]) { s in
            let adminID = try #require(s.admin.employeeID)
            let forwarded = [("X-Forwarded-For", "203.0.113.9")]
            let guessedID = "0123456789abcdef0123456789abcdef"
            let guessed = "crm_\(guessedID)_guessed-secret-text"
            let revoked = try await s.engine.issueToken(for: adminID, name: "revoked", as: s.admin)
            try await s.engine.revokeToken(revoked.tokenID, as: s.admin)
            let expiring = try await s.engine.issueToken(for: adminID, name: "short", expiresAt: s.clock.now().addingTimeInterval(10), as: s.admin)
            s.clock.advance(by: 10)
            let malformed = "Basic bWFsZm9ybWVkLXNlY3JldA=="

            for token in [guessed, revoked.token, expiring.token] {
                let answer = try await s.send(.GET, "/v1/customers", token: token, headers: forwarded)
                #expect(answer.status == 401 && answer.header("WWW-Authenticate") != nil, "\(answer.status) \(answer.text.prefix(200))")
            }
            let badHeader = try await s.send(.GET, "/v1/customers", headers: forwarded + [("Authorization", malformed)], authenticated: false)
            #expect(badHeader.status == 401)
            // No Authorization at all is no attempt to sign in: refused, not recorded.
            #expect(try await s.send(.GET, "/v1/customers", headers: forwarded, authenticated: false).status == 401)
            // A good token is no sign-in of its own (its use is the `token:<id>` entry).
            #expect(try await s.send(.GET, "/v1/customers", headers: forwarded).status == 200)

            let (items, text) = try await Self.reads(s)
            let refused = items.filter { $0["record"] as? String == "signin-failed:api" }
            #expect(refused.count == 4, "\(items)")
            #expect(refused.allSatisfy { $0["principal"] as? String == "anonymous" && $0["clientIP"] as? String == "203.0.113.9" }, "\(refused)")
            #expect(!items.contains { ($0["record"] as? String)?.hasPrefix("signin:") == true }, "\(items)")
            let engineView = try s.engine.readAudit(from: s.clock.now().addingTimeInterval(-3600), to: s.clock.now().addingTimeInterval(60), as: s.admin)
            #expect(engineView.filter { $0.record == "signin-failed:api" && $0.principal == "anonymous" && $0.clientIP == "203.0.113.9" }.count == 4)
            // Nothing that was presented: no token, no part of one, no scheme's payload.
            for secret in [guessed, guessedID, "guessed-secret-text", revoked.token, expiring.token, "bWFsZm9ybWVkLXNlY3JldA", "Basic"] {
                #expect(!text.contains(secret), "the audit repeats what was presented")
            }
            for token in [revoked.token, expiring.token] {
                let secret = try #require(token.split(separator: "_", maxSplits: 2).last)
                #expect(!text.contains(secret), "the audit repeats a token's secret")
            }
        }
    }

    @Test func refusalsPastTheLimitOfAnAddressAnswer429AndAreNotRecorded() async throws {
        try await LiveServer.with("api-signin-throttle", trustedProxies: ["127.0.0.1"]) { s in
            let attacker = [("X-Forwarded-For", "198.51.100.7")]
            var statuses: [Int] = []
            for i in 0..<13 {
                let answer = try await s.send(.GET, "/v1/customers", token: "crm_\(String(repeating: "0", count: 31))\(i % 10)_guess\(i)", headers: attacker)
                statuses.append(answer.status)
                if answer.status == 429 {
                    #expect(answer.json["type"] as? String == "urn:crm:problem:too-many-requests")
                    let retryAfter = try #require(answer.header("Retry-After").flatMap { Int($0) })
                    #expect(retryAfter > 0 && retryAfter <= 900)
                }
            }
            #expect(statuses == Array(repeating: 401, count: 10) + Array(repeating: 429, count: 3), "\(statuses)")
            // The throttled address's valid token still works; another address is not throttled.
            #expect(try await s.send(.GET, "/v1/customers", headers: attacker).status == 200)
            #expect(try await s.send(.GET, "/v1/customers", token: "crm_guess", headers: [("X-Forwarded-For", "192.0.2.4")]).status == 401)

            let (items, _) = try await Self.reads(s)
            let refused = items.filter { $0["record"] as? String == "signin-failed:api" }
            #expect(refused.filter { $0["clientIP"] as? String == "198.51.100.7" }.count == 10, "\(refused)")
            #expect(refused.filter { $0["clientIP"] as? String == "192.0.2.4" }.count == 1, "\(refused)")
        }
    }
}
