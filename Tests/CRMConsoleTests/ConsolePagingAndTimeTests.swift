@testable import CRMConsole
import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// The customer list's paging links, and the times pages print (in the relevant branch's zone).
@Suite(.serialized) struct ConsolePagingAndTimeTests {
    /// The `after` of the list page's "Next page" link.
    static func nextCursor(_ html: String) -> String? {
        guard let range = html.range(of: "/console/customers?after=") else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }

    @Test("the customer list pages on with its own links and refuses a changed or made-up cursor with a 400 page")
    func theCustomerListRefusesACursorItDidNotWrite() async throws {
        try await ConsoleServer.with("paging") { s in
            // 55 customers of north before "Li Wei": the first page (50) ends at "Customer 50".
            var last: GlobalPosition?
            for n in 1...55 {
                let id = UUID.derived("customer", "paging-\(n)")
                let name = "Customer " + (n < 10 ? "0\(n)" : "\(n)")
                last = try await s.engine.execute(Customer.self, id: id, .create(customerID: id, NewCustomer(
                    kind: .person, name: name, group: "residential", branch: "north"), form: .empty(group: "residential")), as: s.admin).position
            }
            try await s.engine.views.waitUntil(try #require(last))
            let (cookie, _) = try await s.signIn()

            let first = try await s.send(.GET, "/console/customers", cookie: cookie)
            #expect(first.status == 200)
            #expect(first.text.contains("Customer 01") && first.text.contains("Customer 50") && !first.text.contains("Customer 51"))
            let cursor = try #require(Self.nextCursor(first.text))
            let second = try await s.send(.GET, "/console/customers?after=\(cursor)", cookie: cookie)
            #expect(second.status == 200)
            #expect(second.text.contains("Customer 51") && second.text.contains("Li Wei") && !second.text.contains("Customer 50"))

            // A cursor with one character changed (still base64url), one with a character cut off, bytes this
            // console never wrote ("nope"), and not base64 at all: each a 400 page, never a list.
            let changed = String(cursor.first == "A" ? "B" : "A") + cursor.dropFirst()
            for bad in [changed, String(cursor.dropLast()), "bm9wZQ", "!!!", String(repeating: "A", count: 3000)] {
                let answer = try await s.send(.GET, "/console/customers?after=\(ConsoleServer.encode(bad))", cookie: cookie)
                #expect(answer.status == 400, "\(bad.prefix(40)): \(answer.status)")
                #expect(answer.text.contains("This page link is not valid"), "\(bad.prefix(40))")
                #expect(!answer.text.contains("id=\"customer-list\"") && !answer.text.contains("Customer "), "\(bad.prefix(40))")
            }
            // The same key as a cursor of another list (the API's customer list) is refused too.
            let key = try #require(try PageCursor.bytes(cursor, list: Console.customerList))
            let foreign = PageCursor.text(key, list: "/v1/customers?")
            #expect(foreign != cursor)
            let refused = try await s.send(.GET, "/console/customers?after=\(foreign)", cookie: cookie)
            #expect(refused.status == 400 && refused.text.contains("This page link is not valid"))
            // An empty `after` is the first page.
            let empty = try await s.send(.GET, "/console/customers?after=", cookie: cookie)
            #expect(empty.status == 200 && empty.text.contains("Customer 01"))
        }
    }

    @Test("an instant prints as the wall-clock time of the branch's zone, named by its offset")
    func anInstantPrintsInTheBranchsZone() throws {
        let instant = ConsoleServer.now  // 2026-01-01T10:00Z
        #expect(Format.instant(instant, in: .utc) == "2026-01-01 10:00 UTC")
        #expect(Format.instant(instant, in: try #require(LocalCalendar(timeZoneID: "Asia/Shanghai"))) == "2026-01-01 18:00 UTC+8")
        #expect(Format.instant(instant, in: try #require(LocalCalendar(timeZoneID: "Asia/Kolkata"))) == "2026-01-01 15:30 UTC+5:30")
        // West of UTC the local day is the previous one.
        #expect(Format.instant(instant, in: try #require(LocalCalendar(timeZoneID: "Pacific/Pago_Pago"))) == "2025-12-31 23:00 UTC-11")
        // Summer time: the offset at that instant.
        let july = Date(timeIntervalSince1970: 1_783_332_000)  // 2026-07-06T10:00Z
        #expect(Format.instant(july, in: try #require(LocalCalendar(timeZoneID: "Europe/Berlin"))) == "2026-07-06 12:00 UTC+2")
        #expect(Format.instant(Date(timeIntervalSince1970: -1), in: .utc) == "1969-12-31 23:59 UTC")
    }

    @Test("pages print task, ticket and timeline times in the branch's zone (Asia/Shanghai), not in UTC")
    func pagesPrintTimesInTheBranchsZone() async throws {
        try await ConsoleServer.with("zone") { s in
            try await s.engine.execute(Settings.self, id: UUID(), .setBranchTimeZone(branch: "north", timeZoneID: "Asia/Shanghai"), as: s.admin)
            let shanghai = try #require(TimeZone(identifier: "Asia/Shanghai"))
            // Written apart from the console's formatting: Foundation's reading of the instant in Shanghai.
            func local(_ date: Date) -> String {
                let formatter = DateFormatter()
                formatter.locale = Locale(identifier: "en_US_POSIX")
                formatter.timeZone = shanghai
                formatter.dateFormat = "yyyy-MM-dd HH:mm"
                return formatter.string(from: date) + " UTC+8"
            }
            let (cookie, _) = try await s.signIn()

            // The task due today: 14:00 UTC is 22:00 in Shanghai, on the home and on its page.
            let (task, _) = try await s.engine.state(WorkTask.self, id: s.todayTaskID, as: s.admin)
            let due = try #require(task.details?.dueAt)
            #expect(local(due) == "2026-01-01 22:00 UTC+8")
            let home = try await s.send(.GET, "/console", cookie: cookie)
            let item = try #require(home.text.range(of: "data-task=\"\(s.todayTaskID.uuidString.lowercased())\""))
            #expect(home.text[item.upperBound...].prefix(300).contains("<span class=\"muted\">2026-01-01 22:00 UTC+8</span>"))
            #expect(!home.text.contains("14:00 UTC"))
            let taskPage = try await s.send(.GET, "/console/tasks/\(s.todayTaskID.uuidString.lowercased())", cookie: cookie)
            #expect(taskPage.text.contains("<dt>Due</dt><dd>2026-01-01 22:00 UTC+8"))

            // A task of its own branch (west, in Berlin: UTC+1 in January) is shown in that branch's zone.
            try await s.engine.execute(Settings.self, id: UUID(), .setBranchTimeZone(branch: "west", timeZoneID: "Europe/Berlin"), as: s.admin)
            let westTask = UUID.derived("task", "west")
            try await s.engine.execute(WorkTask.self, id: westTask, .dispatch(taskID: westTask, details: WorkTask.Details(
                title: "Visit the west depot", customerID: s.customerID, kind: .followUp, dueAt: due, branch: "west"),
                assignee: s.manager.id), as: s.admin)
            let westPage = try await s.send(.GET, "/console/tasks/\(westTask.uuidString.lowercased())", cookie: cookie)
            #expect(westPage.status == 200)
            #expect(westPage.text.contains("<dt>Due</dt><dd>2026-01-01 15:00 UTC+1"))

            // The ticket: its resolution deadline and its department's stint.
            let (ticket, _) = try await s.engine.state(Ticket.self, id: s.ticketID, as: s.admin)
            let ticketPage = try await s.send(.GET, "/console/tickets/\(s.ticketID.uuidString.lowercased())", cookie: cookie)
            #expect(ticketPage.text.contains("<dt>Resolution due</dt><dd>\(local(ticket.resolutionDueAt))"))
            #expect(ticketPage.text.contains("from \(local(ticket.openedAt))"))
            #expect(local(ticket.openedAt) == "2026-01-01 18:00 UTC+8")

            // The customer's timeline, seen by the administrator of head-office (no zone: UTC): the customer's
            // branch decides, not the reader's.
            let adminToken = try await s.engine.issueToken(for: try #require(s.admin.employeeID), name: "zone test", as: s.admin)
            let (adminCookie, _) = try await s.signIn(token: adminToken.token)
            let customer = try await s.send(.GET, "/console/customers/\(s.customerID.uuidString.lowercased())", cookie: adminCookie)
            #expect(customer.status == 200)
            let timeline = String(customer.text[try #require(customer.text.range(of: "id=\"timeline\"")).upperBound...])
            #expect(timeline.contains("<td>2026-01-01 18:00 UTC+8</td>"))
            #expect(!customer.text.contains("10:00 UTC"))
            // A task without a branch of its own: its customer's branch, not the reader's.
            let adminTask = try await s.send(.GET, "/console/tasks/\(s.todayTaskID.uuidString.lowercased())", cookie: adminCookie)
            #expect(adminTask.text.contains("<dt>Due</dt><dd>2026-01-01 22:00 UTC+8"))
        }
    }

    @Test("the supervisor page's current month is the branch's, not UTC's")
    func theSupervisorMonthIsTheBranchsMonth() async throws {
        try await ConsoleServer.with("zone-month") { s in
            // 2026-01-01T10:00Z is still 2025-12-31 in Pago Pago (UTC-11).
            try await s.engine.execute(Settings.self, id: UUID(), .setBranchTimeZone(branch: "north", timeZoneID: "Pacific/Pago_Pago"), as: s.admin)
            let (cookie, _) = try await s.signIn()
            let page = try await s.send(.GET, "/console/supervisor", cookie: cookie)
            #expect(page.status == 200)
            #expect(page.text.contains("<h1>Supervisor · 2025-12</h1>"))
        }
    }

    @Test("the supervisor page answers a month that is none with a 400 page, and shows a month asked for")
    func theSupervisorPageRefusesAMonthThatIsNone() async throws {
        try await ConsoleServer.with("bad-month") { s in
            let (cookie, _) = try await s.signIn()
            for month in ["2026-13", "garbage", "2026-1", "2026-00"] {
                let page = try await s.send(.GET, "/console/supervisor?month=\(month)", cookie: cookie)
                #expect(page.status == 400, "\(month): \(page.status)")
                #expect(page.text.contains("YYYY-MM"), "\(month)")
            }
            let asked = try await s.send(.GET, "/console/supervisor?month=2025-11", cookie: cookie)
            #expect(asked.status == 200)
            #expect(asked.text.contains("<h1>Supervisor · 2025-11</h1>"))
        }
    }

    @Test("a chart of NaN or infinite values is drawn, never a trap converting its bar lengths")
    func aChartOfNonFiniteValuesIsDrawn() {
        let svg = Chart.bars([Chart.Bar(label: "nan", value: .nan, display: "?"), Chart.Bar(label: "inf", value: .infinity, display: "∞"),
                              Chart.Bar(label: "-inf", value: -.infinity, display: "-∞"), Chart.Bar(label: "ten", value: 10, display: "10")],
                             title: "odd values")
        #expect(svg.contains("<title>odd values</title>"))
        #expect(svg.contains("width=\"230\" height"))  // the finite 10 is the longest bar
        #expect(!Chart.bars([Chart.Bar(label: "only nan", value: .nan, display: "?")], title: "t").isEmpty)
    }
}
