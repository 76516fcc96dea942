import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// A task's or ticket's page names its customer with a link only when the signed-in employee may see that
/// customer; otherwise (a customer beyond their scope, or one the log does not hold) it says the customer is
/// not visible to them — no name, no link to a "not found" page, never a stray `false`.
@Suite(.serialized) struct TaskPageHiddenCustomerTests {
    /// Owen may query the customers of branch north and work on his own tasks and tickets only.
    static func owen(_ s: ConsoleServer) async throws -> (principal: Principal, token: String) {
        let id = UUID.derived("employee", "owen")
        try await s.engine.execute(Organisation.self, id: id, .hire(NewEmployee(
            id: id, name: "Owen Own", position: "agent", branch: "north", hiredOn: try #require(LocalDate("2024-01-01")))), as: s.admin)
        let roleID = UUID.derived("role", "owen")
        let permissions = [Permission(module: .customers, actions: [.query], scope: .branch("north")),
                           Permission(module: .tasks, actions: Permission.Action.allCases, scope: .own),
                           Permission(module: .tickets, actions: Permission.Action.allCases, scope: .own)]
        try await s.engine.execute(Organisation.self, id: roleID, .defineRole(roleID: roleID, RoleDefinition(
            name: "Own work", permissions: permissions, hiddenFields: []), grantor: .none), as: s.admin)
        try await s.engine.execute(Organisation.self, id: roleID, .grantRole(
            grantID: UUID.derived("grant", "owen"), employeeID: id, roleID: roleID, validity: .always, grantor: .none), as: s.admin)
        let token = try await s.engine.issueToken(for: id, name: "console tests", as: s.admin)
        return (try await s.engine.principal(employeeID: id), token.token)
    }

    static func task(_ label: String, customer: UUID, assignee: String) -> WorkTask.Command {
        .dispatch(taskID: UUID.derived("task", label), details: WorkTask.Details(
            title: "Task for \(label)", customerID: customer, kind: .followUp, dueAt: ConsoleServer.now.addingTimeInterval(86_400)), assignee: assignee)
    }

    @Test func aTaskOrTicketOfACustomerTheEmployeeMayNotSeeShowsNoNameAndNoLink() async throws {
        try await ConsoleServer.with("hidden-customer") { s in
            let (owen, token) = try await Self.owen(s)
            let south = UUID.derived("customer", "south")
            try await s.engine.execute(Customer.self, id: south, .create(customerID: south, NewCustomer(
                kind: .person, name: "Sun Li", group: "residential", branch: "south"), form: .empty(group: "residential")), as: s.admin)
            // A customer the log does not hold (a task recorded by the system from an old log).
            let missing = UUID.derived("customer", "missing")
            try await s.engine.execute(WorkTask.self, id: UUID.derived("task", "south"), Self.task("south", customer: south, assignee: owen.id), as: s.admin)
            try await s.engine.execute(WorkTask.self, id: UUID.derived("task", "missing"), Self.task("missing", customer: missing, assignee: owen.id), as: .system)
            try await s.engine.execute(WorkTask.self, id: UUID.derived("task", "north"), Self.task("north", customer: s.customerID, assignee: owen.id), as: s.admin)
            let ticketID = UUID.derived("ticket", "south")
            try await s.engine.execute(Ticket.self, id: ticketID, .open(
                id: ticketID, channel: .phone, kind: .faultRepair, severity: .high, customerID: south, subject: "Leak in the south",
                description: nil, department: "service", sla: nil), as: s.admin)
            try await s.engine.execute(Ticket.self, id: ticketID, .assign(assignee: owen.id), as: s.admin)
            let (cookie, _) = try await s.signIn(token: token)

            for (label, customer) in [("south", south), ("missing", missing)] {
                let page = try await s.send(.GET, "/console/tasks/\(UUID.derived("task", label).lowercasedString)", cookie: cookie)
                #expect(page.status == 200, "\(label)")
                #expect(page.text.contains("Task for \(label)"), "\(label)")
                #expect(page.text.contains("<dd id=\"task-customer\"><span class=\"muted\">not visible to you</span></dd>"), "\(label)")
                #expect(!page.text.contains("/customers/\(customer.lowercasedString)"), "\(label): no link to a page that is not found")
                #expect(!page.text.contains(">false<"), "\(label)")
                #expect(!page.text.contains("Sun Li"), "\(label)")
            }
            let ticket = try await s.send(.GET, "/console/tickets/\(ticketID.lowercasedString)", cookie: cookie)
            #expect(ticket.status == 200)
            #expect(ticket.text.contains("Leak in the south"))
            #expect(ticket.text.contains("<dd id=\"ticket-customer\"><span class=\"muted\">not visible to you</span></dd>"))
            #expect(!ticket.text.contains("/customers/\(south.lowercasedString)"))
            #expect(!ticket.text.contains("Sun Li"))

            // A customer the employee may see is named and linked.
            let north = try await s.send(.GET, "/console/tasks/\(UUID.derived("task", "north").lowercasedString)", cookie: cookie)
            #expect(north.text.contains("<dd id=\"task-customer\"><a href=\"/console/customers/\(s.customerID.lowercasedString)\">Li Wei</a></dd>"))
            // A task of no customer has no customer row.
            let none = UUID.derived("task", "none")
            try await s.engine.execute(WorkTask.self, id: none, .dispatch(taskID: none, details: WorkTask.Details(
                title: "Task of nobody", customerID: nil, kind: .followUp, dueAt: ConsoleServer.now.addingTimeInterval(86_400)), assignee: owen.id), as: s.admin)
            let nobody = try await s.send(.GET, "/console/tasks/\(none.lowercasedString)", cookie: cookie)
            #expect(nobody.text.contains("Task of nobody"))
            #expect(!nobody.text.contains("task-customer"))
        }
    }
}
