import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// The console in a real browser: headless Chromium over WebDriver against the real server on a loopback
/// port, at phone width. Each test leaves screenshots in `.build/console-screenshots` (paths printed).
@Suite(.serialized) struct ConsoleBrowserTests {
    /// Signs in through the sign-in page with the manager's API token.
    static func signIn(_ browser: WebDriver, _ s: ConsoleServer) async throws {
        try await browser.navigate(to: s.base)
        #expect(try await browser.currentURL().hasSuffix("/console/signin"), "without a session the console sends you to sign in")
        try await browser.type(s.managerToken, into: try await browser.find("#token"))
        try await browser.click(try await browser.find("#signin-with-token"))
        _ = try await browser.find("#overdue")
    }

    static func withBrowser(_ s: ConsoleServer, _ body: (WebDriver) async throws -> Void) async throws {
        let browser = try await WebDriver.start()
        do {
            try await body(browser)
        } catch {
            try? await browser.screenshot(to: Screenshots.path("failure-\(UUID().uuidString.prefix(8))"))
            await browser.quit()
            throw error
        }
        await browser.quit()
    }

    @Test func anAccountManagerSeesTheOverdueTaskInRedCompletesItAndHandsATicketOver() async throws {
        try await ConsoleServer.with("browser-task") { s in
            try await Self.withBrowser(s) { browser in
                try await Self.signIn(browser, s)
                let cookie = try #require(try await browser.cookies().first { $0.name == "crm_console" })
                #expect(cookie.httpOnly)
                #expect(cookie.sameSite == "Lax")

                let overdue = try await browser.find("#overdue li.task-overdue")
                let text = try await browser.text(of: overdue)
                #expect(text.contains("Call back about the bill"))
                #expect(text.contains("3 days late"))
                #expect(try await browser.cssValue("color", of: overdue) == "rgba(176, 0, 32, 1)", "overdue tasks are red")
                #expect(try await browser.text("#due-today").contains("Confirm the meter reading"))
                try await browser.screenshot(to: Screenshots.path("home-overdue"))

                try await browser.click(try await browser.find("#overdue li.task-overdue a"))
                #expect(try await browser.text("#task-title") == "Call back about the bill")
                try await browser.type("Called; the bill is explained", into: try await browser.find("#result"))
                try await browser.screenshot(to: Screenshots.path("task-complete-form"))
                try await browser.click(try await browser.find("#complete-task"))

                #expect(try await browser.text("#notice") == "Task completed.")
                #expect(try await browser.text("#overdue").contains("Nothing overdue."))
                try await browser.screenshot(to: Screenshots.path("home-after-complete"))

                // The customer's open ticket goes to another department.
                try await browser.navigate(to: s.base + "/tickets/" + s.ticketID.uuidString.lowercased())
                try await browser.type("billing", into: try await browser.find("#department"))
                try await browser.type("a question about the bill", into: try await browser.find("#reason"))
                try await browser.click(try await browser.find("#hand-over"))
                #expect(try await browser.text("#notice") == "Ticket handed over.")
                #expect(try await browser.text("#ticket-department") == "billing")
                try await browser.screenshot(to: Screenshots.path("ticket-handed-over"))
            }
            let (task, _) = try await s.engine.state(WorkTask.self, id: s.overdueTaskID, as: s.admin)
            #expect(task.status == .completed)
            #expect(task.resultNote == "Called; the bill is explained")
        }
    }

    @Test func editingACustomerShowsTheChangeInItsTimelineAndAConcurrentEditIsReported() async throws {
        try await ConsoleServer.with("browser-customer") { s in
            try await Self.withBrowser(s) { browser in
                try await Self.signIn(browser, s)
                let page = s.base + "/customers/" + s.customerID.uuidString.lowercased()
                try await browser.navigate(to: page)
                #expect(try await browser.text("#customer-name") == "Li Wei")

                // A valid edit: meter count 2 → 3, tariff standard → night.
                let meters = try await browser.find("#f-cf_meterCount")
                try await browser.clear(meters)
                try await browser.type("3", into: meters)
                try await browser.click(try await browser.find("#f-cf_tariff option[value=night]"))
                try await browser.click(try await browser.find("#save-customer"))
                #expect(try await browser.text("#notice") == "Customer saved.")
                let timeline = try await browser.text("#timeline")
                #expect(timeline.contains("Meter count"))
                #expect(timeline.contains("2 → 3"))
                #expect(timeline.contains("standard → night"))
                #expect(timeline.contains("you"), "the manager may not read the organisation: their own changes show as theirs")
                try await browser.screenshot(to: Screenshots.path("customer-saved"))
                try await browser.screenshot(of: try await browser.find("#timeline"), to: Screenshots.path("customer-timeline"))

                // An invalid value is shown beside its field; nothing is written.
                let again = try await browser.find("#f-cf_meterCount")
                try await browser.clear(again)
                try await browser.type("42", into: again)
                try await browser.click(try await browser.find("#save-customer"))
                #expect(!(try await browser.text("#error-cf_meterCount")).isEmpty)
                try await browser.screenshot(of: try await browser.find("#edit"), to: Screenshots.path("customer-validation"))

                // Someone else edits while the page is open: the browser's edit is reported, not saved over it.
                try await browser.navigate(to: page)
                try await s.engine.execute(Customer.self, id: s.customerID, .edit(CustomerEdit(name: "Li Wei Senior"), form: .empty(group: "residential")),
                                           as: s.admin)
                let industry = try await browser.find("#f-industry")
                try await browser.type("Bakery", into: industry)
                try await browser.click(try await browser.find("#save-customer"))
                #expect(try await browser.text("#problem").contains("Someone else changed this customer"))
                try await browser.screenshot(to: Screenshots.path("customer-conflict"))

                // The manager finishes today's task on time; three days on, the ticket held by service is past its deadline.
                try await s.engine.execute(WorkTask.self, id: s.todayTaskID, .complete(resultNote: "Reading confirmed"), as: s.manager)
                s.clock.advance(by: 3 * 86_400)
                try await browser.navigate(to: s.base + "/supervisor")
                _ = try await browser.find("#overdue-departments svg")
                #expect(try await browser.text("#overdue-departments").contains("service"))
                _ = try await browser.find("#kpi svg")
                #expect(try await browser.text("#kpi").contains("you"))
                try await browser.screenshot(to: Screenshots.path("supervisor"))
            }
            let (customer, _) = try await s.engine.state(Customer.self, id: s.customerID, as: s.admin)
            #expect(customer.name == "Li Wei Senior")
            #expect(customer.industry == nil, "the conflicting edit wrote nothing")
            #expect(customer.customFields["meterCount"] == .number(3))
        }
    }
}
