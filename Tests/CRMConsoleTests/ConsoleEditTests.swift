@testable import CRMConsole
import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// The customer edit form (strict values, only changed fields sent, conflicts), the timeline of a long
/// history, and what the home and task pages say about days and lateness.
@Suite(.serialized) struct ConsoleEditTests {
    /// The inputs of form `id` in `html` as a browser would post them (hidden and text inputs, selected options).
    static func formFields(in html: String, id: String) throws -> [(String, String)] {
        let start = try #require(html.range(of: "id=\"\(id)\""))
        let end = try #require(html.range(of: "</form>", range: start.upperBound..<html.endIndex))
        let form = String(html[start.upperBound..<end.lowerBound])
        var fields: [(String, String)] = []
        for match in form.matches(of: #/<input [^>]*>/#) {
            let tag = String(match.output)
            guard let name = attribute("name", of: tag) else { continue }
            fields.append((name, unescape(attribute("value", of: tag) ?? "")))
        }
        for match in form.matches(of: #/<select [^>]*name="([^"]*)"[^>]*>(.*?)</select>/#.dotMatchesNewlines()) {
            let selected = String(match.output.2).firstMatch(of: #/<option value="([^"]*)" selected>/#).map { String($0.output.1) } ?? ""
            fields.append((String(match.output.1), unescape(selected)))
        }
        return fields
    }

    static func attribute(_ name: String, of tag: String) -> String? {
        guard let start = tag.range(of: " \(name)=\"") else { return nil }
        return String(tag[start.upperBound...].prefix { $0 != "\"" })
    }

    static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
    }

    static func replacing(_ fields: [(String, String)], _ name: String, with value: String) -> [(String, String)] {
        fields.map { $0.0 == name ? (name, value) : $0 }
    }

    @Test func numbersAndAmountsParseOnlyWhole() {
        let number = FieldDefinition(name: "n", label: "N", type: .number)
        let money = FieldDefinition(name: "m", label: "M", type: .money)
        func parsed(_ text: String, _ field: FieldDefinition) -> FieldValue? {
            if case .success(let value) = Console.parse(text, as: field, current: nil) { return value }
            return nil
        }
        for bad in ["1-2", "3-", "1.2.3", "12abc", "-", ".", "1e", "1e5e3", "+-1", "1 2"] { #expect(parsed(bad, number) == nil, "\(bad)") }
        #expect(parsed("12", number) == .number(12))
        #expect(parsed("-1.5", number) == .number(Decimal(string: "-1.5") ?? 0))
        #expect(parsed("2e3", number) == .number(2000))
        for bad in ["12.5.3 EUR", "3- EUR", "1-2 EUR", "12 EUR extra", "1e3 EUR", "12 EURO", "12"] { #expect(parsed(bad, money) == nil, "\(bad)") }
        #expect(parsed("120.50 CNY", money) == .money(Money(Decimal(string: "120.50") ?? 0, .cny)))
        #expect(parsed("7 eur", money) == .money(Money(7, .eur)))
    }

    @Test func aMalformedNumberIsShownBesideItsFieldAndNothingIsWritten() async throws {
        try await ConsoleServer.with("strict-number") { s in
            let (cookie, csrf) = try await s.signIn()
            let path = "/console/customers/\(s.customerID.uuidString.lowercased())"
            let (_, version) = try await s.engine.state(Customer.self, id: s.customerID, as: s.admin)
            for bad in ["1-2", "3-", "1.2.3"] {
                let answer = try await s.send(.POST, path, cookie: cookie, form: [
                    ("_csrf", csrf), ("version", "\(version.rawValue)"), ("name", "Li Wei"), ("cf_meterCount", bad), ("cf_tariff", "standard"),
                ])
                #expect(answer.status == 422, "\(bad)")
                #expect(answer.text.contains("id=\"error-cf_meterCount\""), "\(bad)")
            }
            let (after, afterVersion) = try await s.engine.state(Customer.self, id: s.customerID, as: s.admin)
            #expect(after.customFields["meterCount"] == .number(2))
            #expect(afterVersion == version, "nothing was written")
        }
    }

    @Test func savingAgainAfterAConflictKeepsTheOtherPersonsChange() async throws {
        try await ConsoleServer.with("conflict-resave") { s in
            let (cookie, _) = try await s.signIn()
            let path = "/console/customers/\(s.customerID.uuidString.lowercased())"
            let opened = try await s.send(.GET, path, cookie: cookie)
            #expect(opened.status == 200)
            let fields = try Self.formFields(in: opened.text, id: "edit-form")

            // Someone else sets the tariff to night meanwhile; the manager changes only the meter count.
            try await s.engine.execute(Customer.self, id: s.customerID, .edit(CustomerEdit(setCustomFields: ["tariff": .option("night")]),
                                                                             form: .empty(group: "residential")), as: s.admin)
            let conflict = try await s.send(.POST, path, cookie: cookie, form: Self.replacing(fields, "cf_meterCount", with: "3"))
            #expect(conflict.status == 409)
            #expect(conflict.text.contains("id=\"changed-cf_meterCount\""), "the user's change is marked")
            #expect(!conflict.text.contains("id=\"changed-cf_tariff\""))
            let shown = try Self.formFields(in: conflict.text, id: "edit-form")
            #expect(shown.first { $0.0 == "cf_tariff" }?.1 == "night", "the form shows the current tariff")
            #expect(shown.first { $0.0 == "cf_meterCount" }?.1 == "3", "and keeps the user's meter count")

            // Saved again as shown: the meter count is written, the other person's tariff stays.
            let saved = try await s.send(.POST, path, cookie: cookie, form: shown)
            #expect(saved.status == 303)
            let (state, _) = try await s.engine.state(Customer.self, id: s.customerID, as: s.admin)
            #expect(state.customFields["meterCount"] == .number(3))
            #expect(state.customFields["tariff"] == .option("night"))
        }
    }

    @Test func theTimelineShowsTheNewestChangesOfALongHistory() async throws {
        try await ConsoleServer.with("long-history") { s in
            let (cookie, _) = try await s.signIn()
            var last: GlobalPosition?
            for n in 1...620 {
                last = try await s.engine.execute(Customer.self, id: s.customerID, .edit(CustomerEdit(industry: .set("i-\(n)")),
                                                                                      form: .empty(group: "residential")), as: s.admin).position
            }
            try await s.engine.views.waitUntil(try #require(last))
            let page = try await s.send(.GET, "/console/customers/\(s.customerID.uuidString.lowercased())", cookie: cookie)
            #expect(page.status == 200)
            let timeline = String(page.text[try #require(page.text.range(of: "id=\"timeline\"")).upperBound...])
            let newest = try #require(timeline.range(of: "i-619 → i-620"), "the newest change is shown")
            let older = try #require(timeline.range(of: "i-618 → i-619"))
            #expect(newest.lowerBound < older.lowerBound, "newest first")
            #expect(timeline.contains("i-520 → i-521"))
            #expect(!timeline.contains("i-519 → i-520"), "a hundred entries")
        }
    }

    @Test func theHomeHeaderIsTheBranchsDay() async throws {
        try await ConsoleServer.with("home-day") { s in
            // 2026-01-01T10:00Z is already 2026-01-02 on Kiritimati (UTC+14).
            try await s.engine.execute(Settings.self, id: UUID(), .setBranchTimeZone(branch: "north", timeZoneID: "Pacific/Kiritimati"), as: s.admin)
            let (cookie, _) = try await s.signIn()
            let home = try await s.send(.GET, "/console", cookie: cookie)
            #expect(home.text.contains("Today, 2026-01-02"))
        }
    }

    @Test func aTaskIsAsLateOnItsPageAsOnTheHome() async throws {
        try await ConsoleServer.with("late-same") { s in
            // Due yesterday at 15:00 UTC: 19 hours ago, one day in the branch's (UTC) calendar.
            let id = UUID.derived("task", "yesterday")
            let dispatched = try await s.engine.execute(WorkTask.self, id: id, .dispatch(taskID: id, details: WorkTask.Details(
                title: "Send the form", customerID: s.customerID, kind: .followUp, dueAt: ConsoleServer.now.addingTimeInterval(-19 * 3600)),
                assignee: s.manager.id), as: s.admin)
            _ = try await s.engine.taskBoard(for: s.manager.id, as: s.manager, consistentWith: dispatched.position)
            let (cookie, _) = try await s.signIn()
            let home = try await s.send(.GET, "/console", cookie: cookie)
            let item = try #require(home.text.range(of: "data-task=\"\(id.uuidString.lowercased())\""))
            #expect(home.text[item.upperBound...].prefix(300).contains("<span class=\"late\">1 day late</span>"))
            let task = try await s.send(.GET, "/console/tasks/\(id.uuidString.lowercased())", cookie: cookie)
            #expect(task.text.contains("<span class=\"late\">1 day late</span>"))
        }
    }

    @Test func longUnbrokenUserTextWraps() async throws {
        try await ConsoleServer.with("wrap") { s in
            let (cookie, _) = try await s.signIn()
            let page = try await s.send(.GET, "/console/customers/\(s.customerID.uuidString.lowercased())", cookie: cookie)
            #expect(page.text.contains("main{max-width:980px;margin:0 auto;padding:1rem;overflow-wrap:anywhere}"))
        }
    }

    @Test func thePasswordRuleSpeaksOfBytes() async throws {
        try await ConsoleServer.with("password-bytes") { s in
            let (cookie, csrf) = try await s.signIn()
            let chinese = String(repeating: "密", count: 25)  // 25 characters, 75 bytes
            let answer = try await s.send(.POST, "/console/account/password", cookie: cookie,
                                          form: [("_csrf", csrf), ("password", chinese), ("repeat", chinese)])
            #expect(answer.status == 422)
            #expect(answer.text.contains("at most 72 bytes"))
            #expect(!answer.text.contains("10 to 72 characters"))
        }
    }
}
