import CRMConsole
import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// The supervisor page's cards (a failed query said, the chosen month followed), the customer form's name
/// limit, the console's own 404 and 405 pages, the home's customer names and announcement line breaks.
@Suite(.serialized) struct ConsoleReview6Tests: ConsolePageReading {
    @Test func aSupervisorCardWhoseQueryFailsSaysSoInsteadOfLookingEmpty() async throws {
        try await ConsoleServer.with("card-problem") { s in
            // A purchase in CHF, for which the settings hold no rate into CNY: RFM refuses, it does not score nothing.
            try await purchaseInCHF(s)
            let (cookie, _) = try await s.signIn()
            let page = try await s.send(.GET, "/console/supervisor", cookie: cookie)
            #expect(page.status == 200)
            let segments = try card("segments", in: page.text)
            #expect(segments.contains("class=\"problem card-problem\">Could not be computed: "))
            #expect(segments.contains("CHF→CNY"))
            #expect(!segments.contains("No customers you may analyse."), "a failure is not shown as emptiness")
            #expect(!segments.contains("Li Wei"))
            // The other cards are drawn as usual.
            #expect(try card("kpi", in: page.text).contains("<svg"))
            #expect(!page.text.contains("KPI ranking</h2>\n<p class=\"problem"))
        }
    }

    @Test func theSupervisorCardsFollowTheChosenMonth() async throws {
        try await ConsoleServer.with("card-month") { s in
            // 2026-02-10: the ticket held by service (deadline 2026-01-03) is still open and late; Li Wei was
            // recorded on 2026-01-01.
            s.clock.advance(by: 40 * 86_400)
            let (cookie, _) = try await s.signIn()

            let now = try await s.send(.GET, "/console/supervisor", cookie: cookie)
            #expect(now.text.contains("<h1>Supervisor · 2026-02</h1>"))
            let overdueNow = try card("overdue-departments", in: now.text)
            #expect(overdueNow.contains("open tickets past their deadline now"))
            #expect(overdueNow.contains("<td>service</td><td>1</td>"))
            let segmentsNow = try card("segments", in: now.text)
            #expect(segmentsNow.contains("as of today"))
            #expect(!segmentsNow.contains("No customers you may analyse."))

            // January: the month's overdue report holds the ticket whose deadline fell in it.
            let january = try await s.send(.GET, "/console/supervisor?month=2026-01", cookie: cookie)
            let overdueJanuary = try card("overdue-departments", in: january.text)
            #expect(overdueJanuary.contains("tickets whose resolution deadline fell in 2026-01 and were late"))
            #expect(overdueJanuary.contains("<td>service</td><td>1</td>"))
            #expect(try card("segments", in: january.text).contains("as of 2026-01-31"))

            // December 2025: no deadline fell in it, and Li Wei did not exist yet.
            let december = try await s.send(.GET, "/console/supervisor?month=2025-12", cookie: cookie)
            #expect(december.status == 200)
            let overdueDecember = try card("overdue-departments", in: december.text)
            #expect(overdueDecember.contains("Nothing overdue."))
            #expect(!overdueDecember.contains("service"))
            let segmentsDecember = try card("segments", in: december.text)
            #expect(segmentsDecember.contains("as of 2025-12-31"))
            #expect(segmentsDecember.contains("No customers you may analyse."))
        }
    }

    @Test func theNameInputTakesAsManyCharactersAsTheDomainAndNoMore() async throws {
        try await ConsoleServer.with("name-limit") { s in
            let (cookie, _) = try await s.signIn()
            let page = try await s.send(.GET, "/console/customers/\(s.customerID.lowercasedString)", cookie: cookie)
            #expect(page.status == 200)
            #expect(page.text.contains("id=\"f-name\" name=\"name\" type=\"text\" value=\"Li Wei\" maxlength=\"200\""))
            #expect(page.text.contains("id=\"f-industry\" name=\"industry\" type=\"text\" value=\"\" maxlength=\"100\""))
            #expect(page.text.contains("id=\"f-community\" name=\"community\" type=\"text\" value=\"\" maxlength=\"100\""))
            // The domain's limits are those: one more character is refused.
            let form = FormDefinition(group: "residential", fields: [
                FieldDefinition(name: "meterCount", label: "Meter count", type: .number, minimum: 1, maximum: 10),
                FieldDefinition(name: "tariff", label: "Tariff", type: .enumeration, options: ["standard", "night"]),
            ])
            for (edit, field) in [(CustomerEdit(name: String(repeating: "n", count: 201)), "name"),
                                  (CustomerEdit(industry: .set(String(repeating: "i", count: 101))), "industry"),
                                  (CustomerEdit(community: .set(String(repeating: "c", count: 101))), "community")] {
                await #expect(throws: EngineError.self, "\(field)") {
                    try await s.engine.execute(Customer.self, id: s.customerID, .edit(edit, form: form), as: s.admin)
                }
            }
            try await s.engine.execute(Customer.self, id: s.customerID, .edit(CustomerEdit(
                name: String(repeating: "n", count: 200), industry: .set(String(repeating: "i", count: 100)),
                community: .set(String(repeating: "c", count: 100))), form: form), as: s.admin)
        }
    }

    @Test func pathsTheConsoleDoesNotKnowAnswerItsOwn404And405Pages() async throws {
        try await ConsoleServer.with("fallback") { s in
            func isConsolePage(_ answer: ConsoleServer.Answer, _ status: Int, _ label: String) {
                #expect(answer.status == status, "\(label): \(answer.status)")
                #expect(answer.header("Content-Type")?.hasPrefix("text/html") == true, "\(label)")
                #expect(answer.header("Content-Security-Policy")?.contains("frame-ancestors 'none'") == true, "\(label)")
                #expect(answer.header("Cache-Control") == "no-store", "\(label)")
                #expect(answer.header("X-Frame-Options") == "DENY", "\(label)")
                #expect(answer.header("WWW-Authenticate") == nil, "\(label)")
                #expect(answer.text.contains("CRM console"), "\(label)")
            }
            for path in ["/console/nope", "/console/approvals", "/console/tasks/x/y/z", "/console/customers/\(s.customerID.lowercasedString)/more"] {
                let answer = try await s.send(.GET, path)
                isConsolePage(answer, 404, path)
                #expect(answer.text.contains("There is no such page."), "\(path)")
            }
            let signOut = try await s.send(.GET, "/console/signout")
            isConsolePage(signOut, 405, "GET signout")
            #expect(signOut.header("Allow") == "POST")
            let put = try await s.send(.PUT, "/console/nope")
            isConsolePage(put, 404, "PUT nope")

            // Signed in: the navigation shows; a known page asked with another method names the methods it takes.
            let (cookie, _) = try await s.signIn()
            let nope = try await s.send(.GET, "/console/nope", cookie: cookie)
            isConsolePage(nope, 404, "signed-in nope")
            #expect(nope.text.contains("id=\"signout\""))
            let post = try await s.send(.POST, "/console/supervisor", cookie: cookie, form: [("a", "b")])
            isConsolePage(post, 405, "POST supervisor")
            #expect(post.header("Allow") == "GET")
            let delete = try await s.send(.DELETE, "/console/customers/\(s.customerID.lowercasedString)", cookie: cookie)
            isConsolePage(delete, 405, "DELETE customer")
            #expect(delete.header("Allow") == "GET, POST")
            // The known pages still answer, and the API still asks for its token.
            #expect(try await s.send(.GET, "/console/supervisor", cookie: cookie).status == 200)
            #expect(try await s.send(.GET, "/console/tasks/\(s.todayTaskID.lowercasedString)", cookie: cookie).status == 200)
            let api = try await s.send(.GET, "/v1/nope")
            #expect(api.status == 401)
        }
    }

    @Test func upcomingTasksAndRemindersNameTheCustomerTheReaderMaySee() async throws {
        try await ConsoleServer.with("upcoming-names") { s in
            let south = UUID.derived("customer", "south")
            try await s.engine.execute(Customer.self, id: south, .create(customerID: south, NewCustomer(
                kind: .person, name: "Sun Li", group: "residential", branch: "south"), form: .empty(group: "residential")), as: s.admin)
            for (label, customer) in [("north", s.customerID), ("south", south)] {
                let id = UUID.derived("task", "upcoming-\(label)")
                try await s.engine.execute(WorkTask.self, id: id, .dispatch(taskID: id, details: WorkTask.Details(
                    title: "Usage anomaly: check the meter", customerID: customer, kind: .followUp,
                    dueAt: ConsoleServer.now.addingTimeInterval(3 * 86_400)), assignee: s.manager.id), as: .system)  // as the usage watch gives it
            }
            try await caughtUp(s)
            let (cookie, _) = try await s.signIn()
            let home = try await s.send(.GET, "/console", cookie: cookie)
            let upcoming = try card("upcoming", in: home.text)
            let north = UUID.derived("task", "upcoming-north").lowercasedString
            let southTask = UUID.derived("task", "upcoming-south").lowercasedString
            #expect(upcoming.contains("data-task=\"\(north)\"><a href=\"/console/tasks/\(north)\">Usage anomaly: check the meter</a>"))
            #expect(upcoming.contains("<br><span class=\"muted\">Li Wei</span>"))
            // The customer beyond the manager's scope is not named.
            #expect(upcoming.contains("data-task=\"\(southTask)\""))
            #expect(!home.text.contains("Sun Li"))
            let reminders = try card("reminders", in: home.text)
            #expect(reminders.contains("Birthday: Li Wei"))
            #expect(reminders.contains("<br><span class=\"muted\">Li Wei</span>"))
        }
    }

    @Test func anAnnouncementKeepsItsLineBreaks() async throws {
        try await ConsoleServer.with("announcement-lines") { s in
            let id = UUID.derived("announcement", "lines")
            try await s.engine.execute(Announcement.self, id: id, .publish(
                announcementID: id, title: "Outage plan", body: "Monday: north.\nTuesday: south.",
                targets: AnnouncementTargets(branches: ["north"]), expiresAt: nil), as: s.admin)
            try await caughtUp(s)
            let (cookie, _) = try await s.signIn()
            let home = try await s.send(.GET, "/console", cookie: cookie)
            #expect(home.text.contains("<div class=\"announcement-body\">Monday: north.\nTuesday: south.</div>"))
            // The stylesheet (inline, which the console's CSP allows) keeps them as breaks.
            #expect(home.text.contains(".announcement-body{white-space:pre-line}"))
            #expect(home.header("Content-Security-Policy")?.contains("style-src 'unsafe-inline'") == true)
        }
    }

    @Test func theCustomerListSearchesByNameAmongTheCustomersTheReaderMaySee() async throws {
        try await ConsoleServer.with("customer-search") { s in
            for (label, name, branch) in [("south", "Sun Li", "south"), ("north-2", "Wang Fang", "north")] {
                let id = UUID.derived("customer", label)
                try await s.engine.execute(Customer.self, id: id, .create(customerID: id, NewCustomer(
                    kind: .person, name: name, group: "residential", branch: branch), form: .empty(group: "residential")), as: s.admin)
            }
            try await caughtUp(s)
            let (cookie, _) = try await s.signIn()
            let list = try await s.send(.GET, "/console/customers", cookie: cookie)
            #expect(list.text.contains("id=\"customer-search\""))
            #expect(list.text.contains("Wang Fang</a> <span class=\"muted\">residential · north · prospect</span>"))

            let found = try await s.send(.GET, "/console/customers?q=li", cookie: cookie)
            #expect(found.status == 200)
            #expect(found.text.contains("<a href=\"/console/customers/\(s.customerID.lowercasedString)\">Li Wei</a>"))
            #expect(!found.text.contains("Wang Fang"))
            #expect(!found.text.contains("Sun Li"), "a customer beyond the manager's scope is not found")
            #expect(found.text.contains("value=\"li\""))
            let none = try await s.send(.GET, "/console/customers?q=nobody", cookie: cookie)
            #expect(none.text.contains("No customer you may see matches."))
            let escaped = try await s.send(.GET, "/console/customers?q=%3Cb%3E", cookie: cookie)
            #expect(escaped.status == 200)
            #expect(!escaped.text.contains("<b>"))
            let long = try await s.send(.GET, "/console/customers?q=" + String(repeating: "a", count: 201), cookie: cookie)
            #expect(long.status == 400)
        }
    }
}
