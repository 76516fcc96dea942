import AsyncHTTPClient
import CRMEngine
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// The console's sign-ins, successful and refused, in the read audit (R-LOG-8), as `/v1/audit/reads` lists it.
@Suite(.serialized) struct SignInAuditTests {
    @Test func consoleSignInsAndRefusedOnesAreInTheReadAuditWithoutWhatWasPresented() async throws {
        try await ConsoleServer.with("signin-audit") { s in
            let employee = try #require(s.manager.employeeID)
            let guessedToken = "crm_0123456789abcdef0123456789abcdef_guessed-secret"
            let guessedEmployee = UUID.derived("employee", "guessed").uuidString
            let guessedPassword = "a guessed password"
            let page = try await s.send(.GET, "/console/signin")
            let anonymous = try #require(ConsoleServer.sessionCookie(page))
            let csrf = try #require(ConsoleServer.csrf(in: page.text))
            let badToken = try await s.send(.POST, "/console/signin", cookie: anonymous, form: [("_csrf", csrf), ("token", guessedToken)])
            #expect(badToken.status == 401)
            let badPassword = try await s.send(.POST, "/console/signin", cookie: anonymous,
                                               form: [("_csrf", csrf), ("employee", guessedEmployee), ("password", guessedPassword)])
            #expect(badPassword.status == 401)

            // A token sign-in, then (with a password set on the account page) a password sign-in.
            let (cookie, accountCSRF) = try await s.signIn()
            let password = "correct horse battery"
            let set = try await s.send(.POST, "/console/account/password", cookie: cookie,
                                       form: [("_csrf", accountCSRF), ("password", password), ("repeat", password)])
            #expect(set.status == 303)
            let page2 = try await s.send(.GET, "/console/signin")
            let anonymous2 = try #require(ConsoleServer.sessionCookie(page2))
            let csrf2 = try #require(ConsoleServer.csrf(in: page2.text))
            let right = try await s.send(.POST, "/console/signin", cookie: anonymous2,
                                         form: [("_csrf", csrf2), ("employee", employee.uuidString), ("password", password)])
            #expect(right.status == 303)

            // What an auditor sees over the API.
            let adminToken = try await s.engine.issueToken(for: try #require(s.admin.employeeID), name: "auditor", as: s.admin)
            func reads() async throws -> (items: [[String: Any]], text: String) {
                let from = "2025-12-31T00:00:00Z", to = "2026-01-02T00:00:00Z"
                var request = HTTPClientRequest(url: "http://127.0.0.1:\(s.port)/v1/audit/reads?order=oldest&from=\(from)&to=\(to)")
                request.headers.add(name: "Authorization", value: "Bearer " + adminToken.token)
                let response = try await s.client.execute(request, timeout: .seconds(30))
                #expect(response.status == .ok)
                let text = String(buffer: try await response.body.collect(upTo: 4 * 1024 * 1024))
                let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
                return (try #require(object["items"] as? [[String: Any]]), text)
            }
            let (items, text) = try await reads()
            let signIns = items.filter { $0["record"] as? String == "signin:web-console" }
            #expect(signIns.count == 2, "\(items)")
            #expect(signIns.allSatisfy { $0["principal"] as? String == s.manager.id && $0["clientIP"] as? String == "127.0.0.1" })
            let refused = items.filter { $0["record"] as? String == "signin-failed:web-console" }
            #expect(refused.count == 2, "\(items)")
            #expect(refused.allSatisfy { $0["principal"] as? String == "anonymous" && $0["clientIP"] as? String == "127.0.0.1" })
            #expect(refused.allSatisfy { $0["at"] is String })
            // Nothing that was presented: no token, no password, no guessed employee id.
            for secret in [guessedToken, "guessed-secret", guessedPassword, guessedEmployee, guessedEmployee.lowercased(), password] {
                #expect(!text.contains(secret), "the audit repeats what was presented")
            }

            // Retention applies as to every entry: past it, the next entry written purges them.
            s.clock.advance(by: 401 * 86_400)
            let page3 = try await s.send(.GET, "/console/signin")
            let anonymous3 = try #require(ConsoleServer.sessionCookie(page3))
            let csrf3 = try #require(ConsoleServer.csrf(in: page3.text))
            #expect(try await s.send(.POST, "/console/signin", cookie: anonymous3, form: [("_csrf", csrf3), ("token", "crm_x")]).status == 401)
            let later = try s.engine.readAudit(from: ConsoleServer.now, to: s.clock.now().addingTimeInterval(60), as: s.admin)
            #expect(!later.contains { $0.record.hasPrefix("signin") && $0.at < s.clock.now().addingTimeInterval(-86_400) })
            #expect(later.contains { $0.record == "signin-failed:web-console" })
        }
    }
}
