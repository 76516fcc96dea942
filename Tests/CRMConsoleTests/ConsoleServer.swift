import AsyncHTTPClient
import CRMConsole
import CRMDomain
import CRMEngine
import CRMHTTP
import EventSourcing
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Testing

/// The real application (API and console) over an engine on a temporary LMDB store, on a loopback port,
/// with an account manager of branch "north" who owns one customer, one overdue task and one due today,
/// and a ticket held by the service department.
struct ConsoleServer: Sendable {
    let directory: String
    let clock: ManualClock
    let engine: CRMEngine
    let admin: Principal
    let port: Int
    let client: HTTPClient
    let manager: Principal
    let managerToken: String
    let customerID: UUID
    let overdueTaskID: UUID
    let todayTaskID: UUID
    let ticketID: UUID

    var base: String { "http://127.0.0.1:\(port)/console" }

    static let now = Date(timeIntervalSince1970: 1_767_261_600)  // 2026-01-01T10:00Z

    static func with(_ label: String, _ body: @Sendable (ConsoleServer) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crm-console-tests-\(label)-\(UUID().uuidString)").path
        let clock = ManualClock(now)
        let engine = try await CRMEngine.open(at: directory, configuration: .init(clock: clock, durability: .noSync))
        let (admin, _) = try await engine.bootstrap(administrator: NewEmployee(
            id: UUID.derived("employee", "admin"), name: "Ada Admin", position: "administrator", branch: "head-office",
            hiredOn: try #require(LocalDate("2020-01-01"))))

        // An account manager of branch north: customers, tasks and tickets of the branch, analysis of it.
        let managerID = UUID.derived("employee", "manager")
        try await engine.execute(Organisation.self, id: managerID, .hire(NewEmployee(
            id: managerID, name: "Mia Manager", position: "account manager", branch: "north", hiredOn: try #require(LocalDate("2024-01-01")))), as: admin)
        let roleID = UUID.derived("role", "manager")
        let permissions = [Permission.Module.customers, .tasks, .tickets, .contacts, .analysis].map {
            Permission(module: $0, actions: Permission.Action.allCases, scope: .branch("north"))
        } + [Permission(module: .organisation, actions: [.query], scope: .own)]  // their own copy of announcements
        try await engine.execute(Organisation.self, id: roleID, .defineRole(roleID: roleID, RoleDefinition(
            name: "Account manager", permissions: permissions, hiddenFields: []), grantor: .none), as: admin)
        try await engine.execute(Organisation.self, id: roleID, .grantRole(
            grantID: UUID.derived("grant", "manager"), employeeID: managerID, roleID: roleID, validity: .always, grantor: .none), as: admin)
        let manager = try await engine.principal(employeeID: managerID)
        let token = try await engine.issueToken(for: managerID, name: "console tests", as: admin)

        // The residential form: a meter count (number, 1…10) and a tariff (enumeration).
        try await engine.execute(CustomerForm.self, id: CustomerForm.id(group: "residential"), .define(group: "residential", fields: [
            FieldDefinition(name: "meterCount", label: "Meter count", type: .number, minimum: 1, maximum: 10),
            FieldDefinition(name: "tariff", label: "Tariff", type: .enumeration, options: ["standard", "night"]),
        ]), as: admin)
        let customerID = UUID.derived("customer", "li-wei")
        try await engine.execute(Customer.self, id: customerID, .create(customerID: customerID, NewCustomer(
            kind: .person, name: "Li Wei", group: "residential", branch: "north", owner: manager.id,
            customFields: ["meterCount": .number(2), "tariff": .option("standard")]), form: .empty(group: "residential")), as: admin)

        let overdueTaskID = UUID.derived("task", "overdue")
        try await engine.execute(WorkTask.self, id: overdueTaskID, .dispatch(taskID: overdueTaskID, details: WorkTask.Details(
            title: "Call back about the bill", customerID: customerID, kind: .followUp, dueAt: now.addingTimeInterval(-3 * 86_400)),
            assignee: manager.id), as: admin)
        let todayTaskID = UUID.derived("task", "today")
        try await engine.execute(WorkTask.self, id: todayTaskID, .dispatch(taskID: todayTaskID, details: WorkTask.Details(
            title: "Confirm the meter reading", customerID: customerID, kind: .followUp, dueAt: now.addingTimeInterval(4 * 3600)),
            assignee: manager.id), as: admin)
        try await engine.execute(Settings.self, id: UUID(), .replaceKPIRules([
            KPIRule(indicator: "tasksOnTime", weight: 60, target: 2, bonusPoints: 10),
            KPIRule(indicator: "tasksLate", weight: 40, target: 2),
        ]), as: admin)
        let reminderID = UUID.derived("task", "birthday")
        try await engine.execute(WorkTask.self, id: reminderID, .dispatch(taskID: reminderID, details: WorkTask.Details(
            title: "Birthday: Li Wei", customerID: customerID, kind: .reminder, dueAt: now.addingTimeInterval(5 * 86_400)),
            assignee: manager.id), as: admin)
        let announcementID = UUID.derived("announcement", "north")
        try await engine.execute(Announcement.self, id: announcementID, .publish(
            announcementID: announcementID, title: "Meter campaign", body: "Read every meter of the north branch by Friday.",
            targets: AnnouncementTargets(branches: ["north"]), expiresAt: nil), as: admin)
        try await engine.execute(Settings.self, id: UUID(), .setSLADeadline(SLADeadline(
            kind: .faultRepair, severity: .high, responseMinutes: 60, resolutionMinutes: 2 * 24 * 60)), as: admin)
        let ticketID = UUID.derived("ticket", "no-water")
        let opened = try await engine.execute(Ticket.self, id: ticketID, .open(
            id: ticketID, channel: .phone, kind: .faultRepair, severity: .high, customerID: customerID, subject: "No water",
            description: nil, department: "service", sla: nil), as: admin)
        _ = try await engine.taskBoard(for: manager.id, as: manager, consistentWith: opened.position)

        let ports = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "crm.console.tests")
        logger.logLevel = .warning
        let app = buildApplication(engine: engine, configuration: HTTPConfiguration(
            host: "127.0.0.1", port: 0, logger: logger, onServerRunning: { port in ports.continuation.yield(port) },
            console: ConsoleConfiguration(bcryptCost: 4, logger: logger)))
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let running = Task { try await group.run() }
        var iterator = ports.stream.makeAsyncIterator()
        let port = try #require(await iterator.next())
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        let server = ConsoleServer(directory: directory, clock: clock, engine: engine, admin: admin, port: port, client: client,
                                   manager: manager, managerToken: token.token, customerID: customerID, overdueTaskID: overdueTaskID,
                                   todayTaskID: todayTaskID, ticketID: ticketID)
        var failure: (any Error)?
        do { try await body(server) } catch { failure = error }
        try? await client.shutdown()
        await group.triggerGracefulShutdown()
        _ = try? await running.value
        await engine.close()
        try? FileManager.default.removeItem(atPath: directory)
        if let failure { throw failure }
    }

    struct Answer: Sendable {
        let status: Int
        let headers: HTTPHeaders
        let text: String
        func header(_ name: String) -> String? { headers.first(name: name) }
    }

    /// A plain HTTP request (redirects are not followed); `form` is sent url-encoded.
    func send(_ method: HTTPMethod, _ path: String, cookie: String? = nil, form: [(String, String)]? = nil) async throws -> Answer {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = method
        if let cookie { request.headers.add(name: "Cookie", value: cookie) }
        if let form {
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            let body = form.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await client.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 16 * 1024 * 1024)
        return Answer(status: Int(response.status.code), headers: response.headers, text: String(buffer: bytes))
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    /// The session cookie (`crm_console=…`) a response sets, as a request's Cookie header.
    static func sessionCookie(_ answer: Answer) -> String? {
        answer.headers["Set-Cookie"].first { $0.hasPrefix("crm_console=") }.map { String($0.prefix { $0 != ";" }) }
    }

    /// The CSRF token a page's forms carry.
    static func csrf(in html: String) -> String? {
        guard let range = html.range(of: "name=\"_csrf\" value=\"") else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }

    /// Signs in over plain HTTP with `token` (the manager's by default); answers the signed-in session's cookie and a page's CSRF token.
    func signIn(token: String? = nil) async throws -> (cookie: String, csrf: String) {
        let page = try await send(.GET, "/console/signin")
        let anonymous = try #require(Self.sessionCookie(page))
        let csrf = try #require(Self.csrf(in: page.text))
        let answer = try await send(.POST, "/console/signin", cookie: anonymous, form: [("_csrf", csrf), ("token", token ?? managerToken), ("next", "")])
        #expect(answer.status == 303)
        let cookie = try #require(Self.sessionCookie(answer))
        #expect(cookie != anonymous, "signing in starts a new session")
        let home = try await send(.GET, "/console", cookie: cookie)
        #expect(home.status == 200)
        return (cookie, try #require(Self.csrf(in: home.text)))
    }
}

/// What suites reading console pages share: waiting for the views, and one card of a page.
protocol ConsolePageReading {}

extension ConsolePageReading {
    func caughtUp(_ s: ConsoleServer) async throws { try await s.engine.views.waitUntil(try await s.engine.store.headPosition()) }

    /// A purchase of 120 CHF by the server's customer on 2026-01-01 (the settings hold no rate from CHF), the
    /// views caught up.
    func purchaseInCHF(_ s: ConsoleServer) async throws {
        let chf = try #require(Currency(rawValue: "CHF"))
        try await s.engine.execute(RevenueLedger.self, id: RevenueLedger.id(customerID: s.customerID), .record(RevenueLedger.Entry(
            id: UUID.derived("entry", "chf"), customerID: s.customerID, chargeItem: "gas", businessLine: "gas",
            date: try #require(LocalDate("2026-01-01")), amount: Money(120, chf))), as: s.admin)
        try await caughtUp(s)
    }

    /// The text of the card `id` on `page` (up to the next card).
    func card(_ id: String, in page: String) throws -> String {
        let start = try #require(page.range(of: "id=\"\(id)\""))
        let rest = page[start.upperBound...]
        return String(rest.range(of: "<section").map { rest[..<$0.lowerBound] } ?? rest)
    }
}
