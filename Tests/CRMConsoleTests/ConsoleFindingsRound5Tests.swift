@testable import CRMConsole
import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import NIOHTTP1
import Testing

/// An exploratory test's findings on the console: untouched multi-line texts and options no longer offered
/// kept on save, no edit form for a reader, the hand-over form kept when refused, the 409 of a customer
/// archived meanwhile, every method under /console answered by the console, timeline instants in the
/// branch's zone, the query kept through sign-in.
@Suite(.serialized) struct ConsoleFindingsRound5Tests {
    /// The fields form `id` in `html` posts as a browser would post them: an `<input>` other than a hidden one
    /// loses its line breaks (a text input's value sanitisation), a `<textarea>` keeps its content (less the
    /// line break right after its start tag, which the HTML parser drops), a select posts its selected option
    /// or else its first; every line break goes as CRLF (form submission).
    static func browserPost(_ html: String, form id: String) throws -> [(String, String)] {
        let start = try #require(html.range(of: "id=\"\(id)\""))
        let end = try #require(html.range(of: "</form>", range: start.upperBound..<html.endIndex))
        let form = String(html[start.upperBound..<end.lowerBound])
        var fields: [(String, String)] = []
        for match in form.matches(of: #/<input [^>]*>/#) {
            let tag = String(match.output)
            guard let name = ConsoleEditTests.attribute("name", of: tag) else { continue }
            let value = ConsoleEditTests.unescape(ConsoleEditTests.attribute("value", of: tag) ?? "")
            let hidden = ConsoleEditTests.attribute("type", of: tag) == "hidden"
            fields.append((name, hidden ? value : String(value.unicodeScalars.filter { $0 != "\r" && $0 != "\n" })))
        }
        for match in form.matches(of: #/<textarea [^>]*name="([^"]*)"[^>]*>(.*?)</textarea>/#.dotMatchesNewlines()) {
            var content = String(match.output.2)
            if content.hasPrefix("\n") { content.removeFirst() }
            fields.append((String(match.output.1), ConsoleEditTests.unescape(content)))
        }
        for match in form.matches(of: #/<select [^>]*name="([^"]*)"[^>]*>(.*?)</select>/#.dotMatchesNewlines()) {
            let options = String(match.output.2)
            let chosen = options.firstMatch(of: #/<option value="([^"]*)" selected>/#) ?? options.firstMatch(of: #/<option value="([^"]*)"/#)
            fields.append((String(match.output.1), ConsoleEditTests.unescape(chosen.map { String($0.output.1) } ?? "")))
        }
        return fields.map { ($0.0, crlf($0.1)) }
    }

    /// `text` with every line break (LF, CR, CRLF) as CRLF.
    static func crlf(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        var afterCR = false
        for scalar in text.unicodeScalars {
            if scalar == "\n", afterCR { afterCR = false; continue }
            afterCR = scalar == "\r"
            if scalar == "\r" || scalar == "\n" { scalars.append(contentsOf: "\r\n".unicodeScalars) } else { scalars.append(scalar) }
        }
        return String(scalars)
    }

    static func customerPath(_ s: ConsoleServer) -> String { "/console/customers/\(s.customerID.lowercasedString)" }

    @Test func savingTheFormKeepsTheLineBreaksOfAnUntouchedTextField() async throws {
        try await ConsoleServer.with("multiline") { s in
            try await s.engine.execute(CustomerForm.self, id: CustomerForm.id(group: "residential"), .addField(
                FieldDefinition(name: "contactWindow", label: "Contact window", type: .text)), as: s.admin)
            try await s.engine.execute(Customer.self, id: s.customerID, .edit(CustomerEdit(setCustomFields: [
                "contactWindow": .text("mornings\nnot Fridays")]), form: .empty(group: "residential")), as: s.admin)
            let (cookie, _) = try await s.signIn()
            let page = try await s.send(.GET, Self.customerPath(s), cookie: cookie)
            #expect(page.status == 200)
            #expect(page.text.contains("<textarea id=\"f-cf_contactWindow\" name=\"cf_contactWindow\""))

            // Only the industry is changed: the text field is left as it is, line break and all.
            let fields = try Self.browserPost(page.text, form: "edit-form")
            let saved = try await s.send(.POST, Self.customerPath(s), cookie: cookie, form: ConsoleEditTests.replacing(fields, "industry", with: "Finance"))
            #expect(saved.status == 303)
            let (state, _) = try await s.engine.state(Customer.self, id: s.customerID, as: s.admin)
            #expect(state.industry == "Finance")
            #expect(state.customFields["contactWindow"] == .text("mornings\nnot Fridays"))
            let history = try await s.engine.history(of: Customer.stream(s.customerID), as: s.admin,
                                                      consistentWith: try await s.engine.store.headPosition())
            #expect(history.last?.changes.map(\.field) == ["industry"], "only the industry was written")

            // A multi-line value typed into it is written with its line breaks (as LF, as the log holds them).
            let again = try await s.send(.GET, Self.customerPath(s), cookie: cookie)
            let typed = ConsoleEditTests.replacing(try Self.browserPost(again.text, form: "edit-form"), "cf_contactWindow", with: "evenings\r\nweekends")
            #expect(try await s.send(.POST, Self.customerPath(s), cookie: cookie, form: typed).status == 303)
            let (after, _) = try await s.engine.state(Customer.self, id: s.customerID, as: s.admin)
            #expect(after.customFields["contactWindow"] == .text("evenings\nweekends"))
        }
    }

    @Test func lineBreaksABrowserChangesOrDropsDoNotCountAsTheUsersChange() {
        // A textarea's CRLF against the rendered LF (or CR) is the same text; a line break removed from it is a change.
        #expect(!Console.changedByUser(["cf_note": "a\r\nb", "orig_cf_note": "a\nb"], "cf_note"))
        #expect(!Console.changedByUser(["cf_note": "a\r\nb\r\nc", "orig_cf_note": "a\rb\r\nc"], "cf_note"))
        #expect(Console.changedByUser(["cf_note": "ab", "orig_cf_note": "a\r\nb"], "cf_note"))
        // A one-line input loses the line breaks of a value recorded with them: not the user's change.
        #expect(!Console.changedByUser(["industry": "ab", "orig_industry": "a\r\nb"], "industry", singleLine: true))
        #expect(Console.changedByUser(["industry": "abc", "orig_industry": "a\r\nb"], "industry", singleLine: true))
        #expect(Console.normalizingLineBreaks("a\r\nb\rc\n\r\nd") == "a\nb\nc\n\nd")
    }

    @Test func anOptionNoLongerOfferedIsKeptWhenTheFormIsSavedAndShownSelected() async throws {
        try await ConsoleServer.with("stale-option") { s in
            // Li Wei's tariff is "standard"; the form now offers only night and day, and requires a tariff.
            try await s.engine.execute(CustomerForm.self, id: CustomerForm.id(group: "residential"), .changeField(
                FieldDefinition(name: "tariff", label: "Tariff", type: .enumeration, required: true, options: ["night", "day"])), as: s.admin)
            let (cookie, _) = try await s.signIn()
            let page = try await s.send(.GET, Self.customerPath(s), cookie: cookie)
            #expect(page.text.contains("<option value=\"standard\" selected>standard (no longer offered)</option>"))

            let fields = try Self.browserPost(page.text, form: "edit-form")
            let saved = try await s.send(.POST, Self.customerPath(s), cookie: cookie, form: ConsoleEditTests.replacing(fields, "industry", with: "Finance"))
            #expect(saved.status == 303, "a required field left alone does not block the save")
            let (state, _) = try await s.engine.state(Customer.self, id: s.customerID, as: s.admin)
            #expect(state.industry == "Finance")
            #expect(state.customFields["tariff"] == .option("standard"))

            // Picking an offered option still writes it.
            let again = try await s.send(.GET, Self.customerPath(s), cookie: cookie)
            let picked = ConsoleEditTests.replacing(try Self.browserPost(again.text, form: "edit-form"), "cf_tariff", with: "night")
            #expect(try await s.send(.POST, Self.customerPath(s), cookie: cookie, form: picked).status == 303)
            let (after, _) = try await s.engine.state(Customer.self, id: s.customerID, as: s.admin)
            #expect(after.customFields["tariff"] == .option("night"))
        }
    }

    @Test func someoneWhoMayOnlyReadACustomerIsShownNoEditForm() async throws {
        try await ConsoleServer.with("reader") { s in
            let readerID = UUID.derived("employee", "reader")
            try await s.engine.execute(Organisation.self, id: readerID, .hire(NewEmployee(
                id: readerID, name: "Rita Reader", position: "service agent", branch: "north",
                hiredOn: try #require(LocalDate("2024-01-01")))), as: s.admin)
            let roleID = UUID.derived("role", "reader")
            try await s.engine.execute(Organisation.self, id: roleID, .defineRole(roleID: roleID, RoleDefinition(
                name: "Reader", permissions: [Permission(module: .customers, actions: [.query], scope: .branch("north"))],
                hiddenFields: []), grantor: .none), as: s.admin)
            try await s.engine.execute(Organisation.self, id: roleID, .grantRole(
                grantID: UUID.derived("grant", "reader"), employeeID: readerID, roleID: roleID, validity: .always, grantor: .none), as: s.admin)
            let token = try await s.engine.issueToken(for: readerID, name: "reader", as: s.admin)
            let (cookie, _) = try await s.signIn(token: token.token)
            let (_, before) = try await s.engine.state(Customer.self, id: s.customerID, as: s.admin)

            let page = try await s.send(.GET, Self.customerPath(s), cookie: cookie)
            #expect(page.status == 200)
            #expect(page.text.contains("Li Wei"))
            #expect(!page.text.contains("id=\"edit-form\""))
            #expect(!page.text.contains("id=\"save-customer\""))
            #expect(page.text.contains("You may view this customer but not edit it."))
            let (_, version) = try await s.engine.state(Customer.self, id: s.customerID, as: s.admin)
            #expect(version == before, "asking wrote nothing")

            // The account manager, who may edit, still gets the form.
            let (managerCookie, _) = try await s.signIn()
            let managerPage = try await s.send(.GET, Self.customerPath(s), cookie: managerCookie)
            #expect(managerPage.text.contains("id=\"edit-form\""))
            #expect(!managerPage.text.contains("id=\"not-editable\""))
        }
    }

    @Test func aRefusedHandOverKeepsTheDepartmentAndReasonAsTyped() async throws {
        try await ConsoleServer.with("handover-draft") { s in
            let (cookie, csrf) = try await s.signIn()
            let path = "/console/tickets/\(s.ticketID.lowercasedString)"
            // The ticket is already with service.
            let refused = try await s.send(.POST, path + "/handover", cookie: cookie, form: [
                ("_csrf", csrf), ("department", "service"), ("reason", "Customer wants <billing> advice"),
            ])
            #expect(refused.status == 422)
            #expect(refused.text.contains("id=\"department\" name=\"department\" value=\"service\""))
            #expect(refused.text.contains("id=\"reason\" name=\"reason\" value=\"Customer wants &lt;billing&gt; advice\""))
            // Opened afresh, the form is empty.
            let fresh = try await s.send(.GET, path, cookie: cookie)
            #expect(fresh.text.contains("id=\"department\" name=\"department\" value=\"\""))
            #expect(fresh.text.contains("id=\"reason\" name=\"reason\" value=\"\""))
        }
    }

    @Test func aCustomerArchivedMeanwhileSaysSoAndPromisesNoForm() async throws {
        try await ConsoleServer.with("archived-meanwhile") { s in
            let (cookie, _) = try await s.signIn()
            let page = try await s.send(.GET, Self.customerPath(s), cookie: cookie)
            let fields = try Self.browserPost(page.text, form: "edit-form")
            try await s.engine.execute(Customer.self, id: s.customerID, .archive(reason: nil), as: s.admin)
            let (_, version) = try await s.engine.state(Customer.self, id: s.customerID, as: s.admin)

            let answer = try await s.send(.POST, Self.customerPath(s), cookie: cookie, form: ConsoleEditTests.replacing(fields, "industry", with: "Finance"))
            #expect(answer.status == 409)
            #expect(answer.text.contains("This customer was archived or merged since you opened it; your changes were not saved."))
            #expect(!answer.text.contains("The form now shows"))
            #expect(!answer.text.contains("id=\"edit-form\""))
            let (state, after) = try await s.engine.state(Customer.self, id: s.customerID, as: s.admin)
            #expect(after == version, "nothing was written")
            #expect(state.industry == nil)
        }
    }

    @Test func everyMethodUnderTheConsoleGetsTheConsolesOwnPage() async throws {
        try await ConsoleServer.with("methods") { s in
            func isConsolePage(_ answer: ConsoleServer.Answer, _ status: Int, allow: String?, _ label: String) {
                #expect(answer.status == status, "\(label): \(answer.status)")
                #expect(answer.header("Content-Security-Policy")?.contains("frame-ancestors 'none'") == true, "\(label)")
                #expect(answer.header("Cache-Control") == "no-store", "\(label)")
                #expect(answer.header("X-Frame-Options") == "DENY", "\(label)")
                #expect(answer.header("WWW-Authenticate") == nil, "\(label)")
                #expect(answer.header("Content-Type")?.hasPrefix("text/html") == true, "\(label)")
                #expect(answer.header("Allow") == allow, "\(label)")
            }
            let (cookie, _) = try await s.signIn()
            let customer = Self.customerPath(s)
            for cookie in [nil, cookie] {
                isConsolePage(try await s.send(.OPTIONS, "/console/customers", cookie: cookie), 405, allow: "GET", "OPTIONS customers")
                isConsolePage(try await s.send(.OPTIONS, "/console", cookie: cookie), 405, allow: "GET", "OPTIONS console")
                isConsolePage(try await s.send(.OPTIONS, "/console/nope", cookie: cookie), 404, allow: nil, "OPTIONS nope")
                isConsolePage(try await s.send(.TRACE, "/console/customers", cookie: cookie), 405, allow: "GET", "TRACE customers")
                isConsolePage(try await s.send(.RAW(value: "PROPFIND"), customer, cookie: cookie), 405, allow: "GET, POST", "PROPFIND customer")
                isConsolePage(try await s.send(.RAW(value: "PROPFIND"), "/console/a/b", cookie: cookie), 404, allow: nil, "PROPFIND a/b")
                isConsolePage(try await s.send(.HEAD, "/console/signout", cookie: cookie), 405, allow: "POST", "HEAD signout")
                isConsolePage(try await s.send(.PUT, customer, cookie: cookie), 405, allow: "GET, POST", "PUT customer")
                isConsolePage(try await s.send(.GET, customer + "/more", cookie: cookie), 404, allow: nil, "GET customer/more")
            }
            // The pages themselves are unchanged, and the API still asks for its token.
            #expect(try await s.send(.GET, customer, cookie: cookie).status == 200)
            let api = try await s.send(.OPTIONS, "/v1/customers")
            #expect(api.status == 401)
            #expect(api.header("Content-Type")?.hasPrefix("application/problem+json") == true)
        }
    }

    @Test func timelineInstantsArePrintedInTheCustomersBranchZone() async throws {
        try await ConsoleServer.with("timeline-instants") { s in
            try await s.engine.execute(Settings.self, id: UUID(), .setBranchTimeZone(branch: "north", timeZoneID: "Asia/Shanghai"), as: s.admin)
            // 2026-01-05T01:30Z is 09:30 in Shanghai.
            let dueAt = Date(timeIntervalSince1970: 1_767_576_600)
            try await s.engine.execute(WorkTask.self, id: s.todayTaskID, .reschedule(dueAt: dueAt), as: s.admin)
            try await s.engine.views.waitUntil(try await s.engine.store.headPosition())
            let (cookie, _) = try await s.signIn()
            let page = try await s.send(.GET, Self.customerPath(s), cookie: cookie)
            let timeline = String(page.text[try #require(page.text.range(of: "id=\"timeline\"")).upperBound...])
            #expect(timeline.contains("2026-01-01 22:00 UTC+8 → 2026-01-05 09:30 UTC+8"))
            #expect(!timeline.contains("T14:00:00Z"))
            #expect(!timeline.contains("2026-01-05T01:30:00Z"))

            // A custom text that looks like an instant is shown as typed.
            try await s.engine.execute(CustomerForm.self, id: CustomerForm.id(group: "residential"), .addField(
                FieldDefinition(name: "note", label: "Note", type: .text)), as: s.admin)
            try await s.engine.execute(Customer.self, id: s.customerID, .edit(CustomerEdit(setCustomFields: [
                "note": .text("2026-01-05T01:30:00Z")]), form: .empty(group: "residential")), as: s.admin)
            try await s.engine.views.waitUntil(try await s.engine.store.headPosition())
            let again = try await s.send(.GET, Self.customerPath(s), cookie: cookie)
            #expect(again.text.contains("— → 2026-01-05T01:30:00Z"))
        }
    }

    @Test func signingInKeepsThePagesQueryAndStillOnlyGoesToTheConsole() async throws {
        try await ConsoleServer.with("next-query") { s in
            let asked = try await s.send(.GET, "/console/customers?q=M%C3%BCller&x=1")
            #expect(asked.status == 303)
            let location = try #require(asked.header("Location"))
            #expect(location == "/console/signin?next=/console/customers%3Fq%3DM%25C3%25BCller%26x%3D1")

            func signIn(next: String) async throws -> String? {
                let page = try await s.send(.GET, "/console/signin?next=" + ConsoleServer.encode(next))
                let anonymous = try #require(ConsoleServer.sessionCookie(page))
                let csrf = try #require(ConsoleServer.csrf(in: page.text))
                let shown = page.text.firstMatch(of: #/name="next" value="([^"]*)"/#).map { ConsoleEditTests.unescape(String($0.output.1)) } ?? ""
                let answer = try await s.send(.POST, "/console/signin", cookie: anonymous, form: [("_csrf", csrf), ("token", s.managerToken), ("next", shown)])
                #expect(answer.status == 303)
                return answer.header("Location")
            }
            #expect(try await signIn(next: "/console/customers?q=M%C3%BCller&x=1") == "/console/customers?q=M%C3%BCller&x=1")
            #expect(try await signIn(next: "/console?month=2026-01") == "/console?month=2026-01")
            // Never anywhere else.
            for bad in ["//evil.example/", "https://evil.example/", "/console//evil.example", "/console\\evil.example", "/consolex",
                        "/console/customers?next=//evil.example", "/console/customers?q=a\r\nSet-Cookie: x=1", "/console?q=a b",
                        "/console/signin?next=/console"] {
                #expect(try await signIn(next: bad) == "/console", "\(bad)")
            }
        }
    }
}
