import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// The console over plain HTTP: sessions, CSRF, escaping, scope, and the actions whose pages the browser
/// tests do not walk through.
@Suite(.serialized) struct ConsoleHTTPTests {
    @Test func aPageWithoutASessionRedirectsToSignIn() async throws {
        try await ConsoleServer.with("no-session") { s in
            let home = try await s.send(.GET, "/console")
            #expect(home.status == 303)
            #expect(home.header("Location") == "/console/signin")
            let customer = try await s.send(.GET, "/console/customers/\(s.customerID.uuidString.lowercased())")
            #expect(customer.status == 303)
            #expect(customer.header("Location") == "/console/signin?next=/console/customers/\(s.customerID.uuidString.lowercased())")
            // An unknown or forged cookie is no session either.
            let forged = try await s.send(.GET, "/console/supervisor", cookie: "crm_console=forged")
            #expect(forged.status == 303)
            let signin = try await s.send(.GET, "/console/signin")
            #expect(signin.status == 200)
            #expect(signin.text.contains("name=\"viewport\""))
            let cookie = try #require(signin.headers["Set-Cookie"].first { $0.hasPrefix("crm_console=") })
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Lax"))
            #expect(cookie.contains("Path=/console"))
            #expect(signin.header("Content-Security-Policy")?.contains("frame-ancestors 'none'") == true)
        }
    }

    @Test func aFormPostWithoutAValidCSRFTokenIsRefused() async throws {
        try await ConsoleServer.with("csrf") { s in
            let (cookie, csrf) = try await s.signIn()
            let path = "/console/tasks/\(s.overdueTaskID.uuidString.lowercased())/complete"
            let missing = try await s.send(.POST, path, cookie: cookie, form: [("result", "done")])
            #expect(missing.status == 403)
            let wrong = try await s.send(.POST, path, cookie: cookie, form: [("_csrf", (csrf.first == "x" ? "y" : "x") + csrf.dropFirst()), ("result", "done")])
            #expect(wrong.status == 403)
            // Another session's token does not do either.
            let (_, otherCSRF) = try await s.signIn()
            let foreign = try await s.send(.POST, path, cookie: cookie, form: [("_csrf", otherCSRF), ("result", "done")])
            #expect(foreign.status == 403)
            let (task, _) = try await s.engine.state(WorkTask.self, id: s.overdueTaskID, as: s.admin)
            #expect(task.status.isOpen, "a refused form writes nothing")

            let accepted = try await s.send(.POST, path, cookie: cookie, form: [("_csrf", csrf), ("result", "done")])
            #expect(accepted.status == 303)
            let (after, _) = try await s.engine.state(WorkTask.self, id: s.overdueTaskID, as: s.admin)
            #expect(after.status == .completed)

            // The sign-in form is protected too.
            let anonymous = try await s.send(.GET, "/console/signin")
            let anonymousCookie = try #require(ConsoleServer.sessionCookie(anonymous))
            let signIn = try await s.send(.POST, "/console/signin", cookie: anonymousCookie, form: [("token", s.managerToken)])
            #expect(signIn.status == 403)
            #expect(ConsoleServer.sessionCookie(signIn) == nil)
        }
    }

    @Test func theHomeShowsOverdueDueTodayRemindersAndAnnouncements() async throws {
        try await ConsoleServer.with("home") { s in
            let (cookie, _) = try await s.signIn()
            let home = try await s.send(.GET, "/console", cookie: cookie)
            #expect(home.status == 200)
            #expect(home.text.contains("class=\"overdue task-overdue\" data-task=\"\(s.overdueTaskID.uuidString.lowercased())\""))
            #expect(home.text.contains("3 days late"))
            #expect(home.text.contains("Confirm the meter reading"))
            let reminders = try #require(home.text.range(of: "id=\"reminders\""))
            #expect(home.text[reminders.upperBound...].prefix(600).contains("Birthday: Li Wei"))
            #expect(home.text.contains("Meter campaign"))
            #expect(home.text.contains("Read every meter of the north branch by Friday."))
        }
    }

    @Test func signOutEndsTheSession() async throws {
        try await ConsoleServer.with("signout") { s in
            let (cookie, csrf) = try await s.signIn()
            let out = try await s.send(.POST, "/console/signout", cookie: cookie, form: [("_csrf", csrf)])
            #expect(out.status == 303)
            #expect(try await s.send(.GET, "/console", cookie: cookie).status == 303)
            // Signing in and out are both in the read audit, with the client's address (R-LOG-8).
            let audit = try s.engine.readAudit(from: ConsoleServer.now.addingTimeInterval(-60), to: ConsoleServer.now.addingTimeInterval(60),
                                               principal: s.manager.id, as: s.admin)
            #expect(audit.contains { $0.record.hasPrefix("token:") })
            let signOut = try #require(audit.last { $0.record == "signout" })
            #expect(signOut.clientIP == "127.0.0.1")
        }
    }

    @Test func aWrongTokenIsRefusedAndARevokedTokenEndsTheSession() async throws {
        try await ConsoleServer.with("revoked") { s in
            let page = try await s.send(.GET, "/console/signin")
            let anonymous = try #require(ConsoleServer.sessionCookie(page))
            let csrf = try #require(ConsoleServer.csrf(in: page.text))
            let refused = try await s.send(.POST, "/console/signin", cookie: anonymous, form: [("_csrf", csrf), ("token", "crm_nonsense")])
            #expect(refused.status == 401)
            #expect(refused.text.contains("Sign-in failed"))

            let (cookie, _) = try await s.signIn()
            let tokens = try await s.engine.tokens(of: try #require(s.manager.employeeID), as: s.admin)
            for token in tokens { try await s.engine.revokeToken(token.tokenID, as: s.admin) }
            #expect(try await s.send(.GET, "/console", cookie: cookie).status == 303)
        }
    }

    @Test func repeatedFailedSignInsAreThrottled() async throws {
        try await ConsoleServer.with("throttle") { s in
            let page = try await s.send(.GET, "/console/signin")
            let anonymous = try #require(ConsoleServer.sessionCookie(page))
            let csrf = try #require(ConsoleServer.csrf(in: page.text))
            for _ in 0..<10 {
                let wrong = try await s.send(.POST, "/console/signin", cookie: anonymous, form: [("_csrf", csrf), ("token", "crm_guess")])
                #expect(wrong.status == 401)
            }
            // Unknown employees count too; past the limit even the right token waits.
            let throttled = try await s.send(.POST, "/console/signin", cookie: anonymous, form: [("_csrf", csrf), ("token", s.managerToken)])
            #expect(throttled.status == 429)
            #expect(ConsoleServer.sessionCookie(throttled) == nil)
        }
    }

    @Test func signInsSentTogetherCannotPassTheLimitWhileTheirChecksRun() async throws {
        try await ConsoleServer.with("throttle-parallel") { s in
            let page = try await s.send(.GET, "/console/signin")
            let anonymous = try #require(ConsoleServer.sessionCookie(page))
            let csrf = try #require(ConsoleServer.csrf(in: page.text))
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<16 {
                    // Password guesses: each waits for its bcrypt check, so they overlap.
                    group.addTask {
                        try await s.send(.POST, "/console/signin", cookie: anonymous, form: [
                            ("_csrf", csrf), ("employee", UUID().uuidString), ("password", "wrong-password-1")]).status
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 401 }.count == 10, "\(statuses.sorted())")
            #expect(statuses.filter { $0 == 429 }.count == 6, "\(statuses.sorted())")
        }
    }

    @Test func aSuccessfulSignInDoesNotBuyMoreGuesses() async throws {
        try await ConsoleServer.with("throttle-success") { s in
            let page = try await s.send(.GET, "/console/signin")
            let anonymous = try #require(ConsoleServer.sessionCookie(page))
            let csrf = try #require(ConsoleServer.csrf(in: page.text))
            for _ in 0..<9 {
                #expect(try await s.send(.POST, "/console/signin", cookie: anonymous, form: [("_csrf", csrf), ("token", "crm_guess")]).status == 401)
            }
            // One's own token signs in (the sign-in itself does not count as a failure)…
            let again = try await s.send(.GET, "/console/signin")
            let second = try #require(ConsoleServer.sessionCookie(again))
            let secondCSRF = try #require(ConsoleServer.csrf(in: again.text))
            #expect(try await s.send(.POST, "/console/signin", cookie: second, form: [("_csrf", secondCSRF), ("token", s.managerToken)]).status == 303)
            // …but the nine failures still count: one more, and the address waits.
            #expect(try await s.send(.POST, "/console/signin", cookie: anonymous, form: [("_csrf", csrf), ("token", "crm_guess")]).status == 401)
            #expect(try await s.send(.POST, "/console/signin", cookie: anonymous, form: [("_csrf", csrf), ("token", "crm_guess")]).status == 429)
        }
    }

    @Test func anEmployeeSetsAPasswordAndSignsInWithIt() async throws {
        try await ConsoleServer.with("password") { s in
            let (cookie, csrf) = try await s.signIn()
            let password = "correct horse battery"
            let tooShort = try await s.send(.POST, "/console/account/password", cookie: cookie,
                                            form: [("_csrf", csrf), ("password", "short"), ("repeat", "short")])
            #expect(tooShort.status == 422)
            let set = try await s.send(.POST, "/console/account/password", cookie: cookie,
                                       form: [("_csrf", csrf), ("password", password), ("repeat", password)])
            #expect(set.status == 303)
            let employee = try #require(s.manager.employeeID)
            // Only a bcrypt hash reaches the log.
            let events = try await s.engine.store.readStream(StreamID(category: "password", id: employee.uuidString.lowercased()))
            #expect(events.count == 1)
            let bytes = try #require(events.first?.payload)
            #expect(!String(decoding: bytes, as: UTF8.self).contains(password))
            #expect(String(decoding: bytes, as: UTF8.self).contains("$2"))

            let page = try await s.send(.GET, "/console/signin")
            let anonymous = try #require(ConsoleServer.sessionCookie(page))
            let token = try #require(ConsoleServer.csrf(in: page.text))
            let wrong = try await s.send(.POST, "/console/signin", cookie: anonymous,
                                         form: [("_csrf", token), ("employee", employee.uuidString), ("password", "not the password")])
            #expect(wrong.status == 401)
            let unknown = try await s.send(.POST, "/console/signin", cookie: anonymous,
                                           form: [("_csrf", token), ("employee", UUID().uuidString), ("password", password)])
            #expect(unknown.status == 401)
            #expect(unknown.text.contains("Sign-in failed"), "an unknown employee fails like a wrong password")
            let right = try await s.send(.POST, "/console/signin", cookie: anonymous,
                                         form: [("_csrf", token), ("employee", employee.uuidString), ("password", password)])
            #expect(right.status == 303)
            let session = try #require(ConsoleServer.sessionCookie(right))
            let home = try await s.send(.GET, "/console", cookie: session)
            #expect(home.status == 200)
            #expect(home.text.contains("Call back about the bill"))

            // A second password session; then changing the password takes the current one…
            let page2 = try await s.send(.GET, "/console/signin")
            let anonymous2 = try #require(ConsoleServer.sessionCookie(page2))
            let csrf2 = try #require(ConsoleServer.csrf(in: page2.text))
            let signedIn2 = try await s.send(.POST, "/console/signin", cookie: anonymous2, form: [
                ("_csrf", csrf2), ("employee", employee.uuidString), ("password", password)])
            let other = try #require(ConsoleServer.sessionCookie(signedIn2))
            let account = try await s.send(.GET, "/console/account", cookie: session)
            #expect(account.text.contains("name=\"current\""))
            let accountCSRF = try #require(ConsoleServer.csrf(in: account.text))
            let next = "a new horse battery staple"
            for current in ["", "not the password"] {
                let refused = try await s.send(.POST, "/console/account/password", cookie: session,
                                               form: [("_csrf", accountCSRF), ("current", current), ("password", next), ("repeat", next)])
                #expect(refused.status == 422 && refused.text.contains("current password is not right"), "\(refused.status)")
            }
            #expect(try await s.engine.store.readStream(StreamID(category: "password", id: employee.uuidString.lowercased())).count == 1)
            let changed = try await s.send(.POST, "/console/account/password", cookie: session,
                                           form: [("_csrf", accountCSRF), ("current", password), ("password", next), ("repeat", next)])
            #expect(changed.status == 303)
            // …and ends the other sessions signed in with the old one; this one goes on.
            #expect(try await s.send(.GET, "/console", cookie: other).status == 303)
            #expect(try await s.send(.GET, "/console", cookie: session).status == 200)

            // A password set on another server sharing the log (here: straight through the engine, which this
            // console's sessions never hear of) ends the session at its next page too.
            try await s.engine.setPasswordHash("$2b$04$" + String(repeating: "x", count: 53), for: employee, as: s.admin)
            #expect(try await s.send(.GET, "/console", cookie: session).status == 303)
            #expect(try await s.send(.GET, "/console", cookie: session).status == 303, "the session is gone, not only refused once")
        }
    }

    @Test func aSessionWhoseEmployeeLostEveryRoleEndsAtTheNextPage() async throws {
        try await ConsoleServer.with("roleless") { s in
            let (cookie, _) = try await s.signIn()
            let managerID = try #require(s.manager.employeeID)
            try await s.engine.execute(Organisation.self, id: managerID, .revokeRoleGrant(grantID: UUID.derived("grant", "manager")), as: s.admin)
            let page = try await s.send(.GET, "/console", cookie: cookie)
            #expect(page.status == 303, "signed out, not an error page: \(page.status)")
            #expect(try await s.send(.GET, "/console", cookie: cookie).status == 303)
        }
    }

    @Test func userDataIsEscapedAndTheDataScopeApplies() async throws {
        try await ConsoleServer.with("escape-scope") { s in
            let (cookie, _) = try await s.signIn()
            try await s.engine.execute(Customer.self, id: s.customerID, .edit(CustomerEdit(name: "<script>alert(1)</script> & Co"),
                                                                             form: .empty(group: "residential")), as: s.admin)
            let page = try await s.send(.GET, "/console/customers/\(s.customerID.uuidString.lowercased())", cookie: cookie)
            #expect(page.status == 200)
            #expect(!page.text.contains("<script>alert(1)</script>"))
            #expect(page.text.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co"))

            // A customer of another branch is not found for the manager of north, on every page.
            let south = UUID.derived("customer", "south")
            try await s.engine.execute(Customer.self, id: south, .create(customerID: south, NewCustomer(
                kind: .person, name: "Sun Li", group: "residential", branch: "south"), form: .empty(group: "residential")), as: s.admin)
            let hidden = try await s.send(.GET, "/console/customers/\(south.uuidString.lowercased())", cookie: cookie)
            #expect(hidden.status == 404)
            #expect(!hidden.text.contains("Sun Li"))
            let list = try await s.send(.GET, "/console/customers", cookie: cookie)
            #expect(list.text.contains("&lt;script&gt;alert(1)"))
            #expect(!list.text.contains("Sun Li"))
        }
    }

    @Test func aTicketIsHandedToAnotherDepartmentAndTheSupervisorPageDrawsCharts() async throws {
        try await ConsoleServer.with("ticket-supervisor") { s in
            let (cookie, csrf) = try await s.signIn()
            let path = "/console/tickets/\(s.ticketID.uuidString.lowercased())"
            let page = try await s.send(.GET, path, cookie: cookie)
            #expect(page.status == 200)
            #expect(page.text.contains("No water"))
            let missing = try await s.send(.POST, path + "/handover", cookie: cookie, form: [("_csrf", csrf), ("department", " ")])
            #expect(missing.status == 422)
            let handed = try await s.send(.POST, path + "/handover", cookie: cookie, form: [("_csrf", csrf), ("department", "billing"), ("reason", "a billing question")])
            #expect(handed.status == 303)
            let (ticket, _) = try await s.engine.state(Ticket.self, id: s.ticketID, as: s.admin)
            #expect(ticket.department == "billing")

            // The overdue task done late, today's on time; ten days later the ticket is overdue: billing is late.
            try await s.engine.execute(WorkTask.self, id: s.overdueTaskID, .complete(resultNote: "late but done"), as: s.manager)
            let done = try await s.engine.execute(WorkTask.self, id: s.todayTaskID, .complete(resultNote: "on time"), as: s.manager)
            try await s.engine.views.waitUntil(done.position)
            s.clock.advance(by: 10 * 86_400)
            let supervisor = try await s.send(.GET, "/console/supervisor", cookie: cookie)
            #expect(supervisor.status == 200)
            #expect(supervisor.text.contains("<svg"))
            #expect(supervisor.text.contains("Overdue tickets per department"))
            #expect(supervisor.text.contains("billing"))
            #expect(supervisor.text.contains("KPI score by employee"))
            // The manager sees only their own assessment: 1 of 2 on time → 30, 1 of 2 late → 20.
            #expect(supervisor.text.contains("<td>1</td><td>you</td><td>50</td>"))
        }
    }
}
