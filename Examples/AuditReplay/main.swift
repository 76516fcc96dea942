// AuditReplay: an auditor's view of one customer — its full modification history (when, who, from where,
// field, old → new) and its state as of a past time, replayed from the log.
//
//   swift run AuditReplay [DIRECTORY]        (default: a new temporary directory with a small history)
import CRMDomain
import CRMEngine
import EventSourcing
import Foundation

@main
struct AuditReplay {
    static func main() async {
        let directory = CommandLine.arguments.dropFirst().first
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("crm-audit-\(UUID().uuidString)").path
        do {
            try await run(directory: directory)
        } catch {
            FileHandle.standardError.write(Data("AuditReplay failed: \(error)\n".utf8))
            exit(1)
        }
    }

    static func run(directory: String) async throws {
        // A manual clock makes the story's times exact: three edits, one day apart.
        let clock = ManualClock(Date(timeIntervalSince1970: 1_767_225_600))  // 2026-01-01T00:00:00Z
        let engine = try await CRMEngine.open(at: directory, configuration: .init(clock: clock))
        let adminID = UUID.derived("audit-example", "administrator")
        let admin = try await engine.bootstrap(administrator: NewEmployee(
            id: adminID, name: "Ada Admin", position: "auditor", branch: "head-office", hiredOn: LocalCalendar.utc.localDate(of: clock.now()))).principal
        let fromTheWeb = admin.from(ip: "203.0.113.7")

        let id = UUID.derived("audit-example", "customer")
        try await engine.execute(Customer.self, id: id, .create(customerID: id, NewCustomer(
            kind: .person, name: "Li Wei", group: "residential", branch: "north"), form: .empty(group: "residential")), as: admin)
        clock.advance(by: 86_400)
        let pointInTime = clock.now()
        try await engine.execute(Customer.self, id: id, .edit(CustomerEdit(name: "Li Wei (Mr)", branch: .set("east")), form: .empty(group: "residential")), as: fromTheWeb)
        clock.advance(by: 86_400)
        let last = try await engine.execute(Customer.self, id: id, .edit(CustomerEdit(community: .set("Garden Court")), form: .empty(group: "residential")), as: admin)

        let formatter = ISO8601DateFormatter()
        print("Modification history of \(Customer.stream(id)):")
        for entry in try await engine.history(of: Customer.stream(id), as: admin, consistentWith: last.position) {
            let place = entry.clientIP.map { " from \($0)" } ?? ""
            print("  v\(entry.version.rawValue) \(formatter.string(from: entry.recordedAt)) by \(entry.actor)\(place): \(entry.eventType)")
            for change in entry.changes {
                print("      \(change.field): \(change.old?.description ?? "—") → \(change.new?.description ?? "—")")
            }
        }
        let (then, version) = try await engine.state(Customer.self, id: id, asOf: .time(pointInTime), as: admin)
        print("As of \(formatter.string(from: pointInTime)) (version \(version.rawValue)): \(then.name), branch \(then.branch ?? "—"), community \(then.community ?? "—")")
        let (now, _) = try await engine.state(Customer.self, id: id, as: admin)
        print("Now: \(now.name), branch \(now.branch ?? "—"), community \(now.community ?? "—")")
        guard then.name == "Li Wei (Mr)", then.community == nil, now.community == "Garden Court" else {
            print("unexpected replay")
            exit(1)
        }
        await engine.close()
    }
}
