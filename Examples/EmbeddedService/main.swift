// EmbeddedService: a Swift service that embeds the CRM engine — opens it on a data directory, sets up the
// organisation on first run, executes commands as employees and runs queries as they are allowed to.
//
//   swift run EmbeddedService [DIRECTORY]        (default: a new temporary directory)
import CRMDomain
import CRMEngine
import EventSourcing
import Foundation

@main
struct EmbeddedService {
    static func main() async {
        let directory = CommandLine.arguments.dropFirst().first
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("crm-embedded-\(UUID().uuidString)").path
        do {
            try await run(directory: directory)
        } catch {
            FileHandle.standardError.write(Data("EmbeddedService failed: \(error)\n".utf8))
            exit(1)
        }
    }

    static func run(directory: String) async throws {
        let engine = try await CRMEngine.open(at: directory)
        let ids = UUIDv7Generator()

        // First run: the organisation's administrator (and an API token an HTTP client would use).
        let adminID = UUID.derived("example", "administrator")
        let admin: Principal
        if let existing = try? await engine.principal(employeeID: adminID) {
            admin = existing
        } else {
            let today = LocalCalendar.utc.localDate(of: Date())
            let (principal, token) = try await engine.bootstrap(administrator: NewEmployee(
                id: adminID, name: "Ada Admin", position: "administrator", branch: "head-office", hiredOn: today))
            admin = principal
            print("bootstrapped: administrator \(principal.id), token \(token.token.prefix(12))…")
        }

        // An account manager of the north branch: every customer action, only for the north branch.
        let managerID = ids.next()
        let roleID = ids.next()
        try await engine.execute(Organisation.self, id: managerID, .hire(NewEmployee(
            id: managerID, name: "Wang Fang", position: "account manager", branch: "north", hiredOn: LocalCalendar.utc.localDate(of: Date()))), as: admin)
        try await engine.execute(Organisation.self, id: roleID, .defineRole(roleID: roleID, RoleDefinition(name: "north account manager \(roleID.uuidString.prefix(4))", permissions: [
            Permission(module: .customers, actions: [.query, .create, .edit], scope: .branch("north")),
            Permission(module: .tasks, actions: [.query, .create, .edit], scope: .branch("north")),
        ]), grantor: .none), as: admin)
        try await engine.execute(Organisation.self, id: roleID, .grantRole(grantID: ids.next(), employeeID: managerID, roleID: roleID, validity: .always, grantor: .none), as: admin)
        let manager = try await engine.principal(employeeID: managerID)

        // The manager records a customer and a follow-up task.
        let customerID = ids.next()
        let created = try await engine.execute(Customer.self, id: customerID, .create(customerID: customerID, NewCustomer(
            kind: .person, name: "Li Wei", group: "residential", branch: "north", owner: manager.id), form: .empty(group: "residential")), as: manager)
        print("customer created: \(created.stream) at position \(created.position.rawValue)")
        let taskID = ids.next()
        let dispatched = try await engine.execute(WorkTask.self, id: taskID, .dispatch(taskID: taskID, details: WorkTask.Details(
            title: "Welcome call", customerID: customerID, kind: .followUp, dueAt: Date().addingTimeInterval(86_400)), assignee: manager.id), as: manager)

        // Outside its branch it is refused: the south branch is not its data.
        let southID = ids.next()
        do {
            try await engine.execute(Customer.self, id: southID, .create(customerID: southID, NewCustomer(
                kind: .person, name: "Zhao Lei", group: "residential", branch: "south"), form: .empty(group: "residential")), as: manager)
            print("unexpected: a north manager created a south customer")
            exit(1)
        } catch let error as EngineError {
            print("south customer refused: \(error.code)")
        }

        // Queries read the views once they reached the manager's own write.
        let view = try await engine.customer(customerID, as: manager, consistentWith: dispatched.position)
        print("customer 360: \(view.profile.name), \(view.openTasks.count) open task(s): \(view.openTasks.map(\.title))")
        let history = try await engine.history(ofCustomer: customerID, as: manager, consistentWith: dispatched.position)
        print("history: \(history.count) event(s): \(history.map(\.eventType))")
        guard view.openTasks.count == 1, history.count == 2 else {
            print("unexpected query results")
            exit(1)
        }
        await engine.close()
        print("EmbeddedService ran on \(directory)")
    }
}
