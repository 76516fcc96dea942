import CRMConsole
import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// Employees the console names rather than shows by id: every employee field of the customer timeline (not
/// only `owner`).
@Suite(.serialized) struct ConsoleEmployeeValuesTests: ConsolePageReading {
    /// The timeline's "old → new" texts of the changes to `field`, newest first.
    func values(of field: String, in page: String) -> [String] {
        page.components(separatedBy: "<td class=\"change-field\">\(field)</td><td class=\"change-values\">").dropFirst()
            .map { String($0.prefix { $0 != "<" }) }
    }

    @Test func theTimelineShowsAssigneesAgentsAndManagersByNameWhereTheReaderMaySeeTheName() async throws {
        try await ConsoleServer.with("employee-values") { s in
            let olga = UUID.derived("employee", "olga")
            try await s.engine.execute(Organisation.self, id: olga, .hire(NewEmployee(
                id: olga, name: "Olga North", position: "account manager", branch: "north", hiredOn: try #require(LocalDate("2024-01-01")))), as: s.admin)
            let sam = UUID.derived("employee", "sam")
            try await s.engine.execute(Organisation.self, id: sam, .hire(NewEmployee(
                id: sam, name: "Sam South", position: "engineer", branch: "south", hiredOn: try #require(LocalDate("2024-01-01")))), as: s.admin)
            // Both may work on the customer's tasks, tickets and maintenance.
            let roleID = UUID.derived("role", "field-staff")
            try await s.engine.execute(Organisation.self, id: roleID, .defineRole(roleID: roleID, RoleDefinition(
                name: "Field staff", permissions: [Permission.Module.customers, .tasks, .tickets].map {
                    Permission(module: $0, actions: Permission.Action.allCases, scope: .all)
                }, hiddenFields: []), grantor: .none), as: s.admin)
            for employee in [olga, sam] {
                try await s.engine.execute(Organisation.self, id: roleID, .grantRole(
                    grantID: UUID.derived("grant", employee.lowercasedString), employeeID: employee, roleID: roleID, validity: .always,
                    grantor: .none), as: s.admin)
            }
            // A task reassigned (assignee Mia → Olga), the ticket assigned (∅ → Sam), a maintenance pair (agent
            // Olga, manager Sam).
            try await s.engine.execute(WorkTask.self, id: s.overdueTaskID, .reassign(to: olga.lowercasedString), as: s.admin)
            try await s.engine.execute(Ticket.self, id: s.ticketID, .assign(assignee: sam.lowercasedString), as: s.admin)
            try await s.engine.execute(MaintenancePairing.self, id: MaintenancePairing.id(customerID: s.customerID),
                                       .pair(customerID: s.customerID, agent: olga.lowercasedString, manager: sam.lowercasedString), as: s.admin)
            try await caughtUp(s)
            let path = "/console/customers/\(s.customerID.lowercasedString)"

            // An administrator sees every name, none of the ids.
            let token = try await s.engine.issueToken(for: UUID.derived("employee", "admin"), name: "admin console", as: s.admin)
            let (adminCookie, _) = try await s.signIn(token: token.token)
            let admin = try await s.send(.GET, path, cookie: adminCookie)
            #expect(admin.status == 200)
            // Newest first; the fixture's three dispatches to Mia name their assignee from nothing (R-LOG-5).
            #expect(values(of: "assignee", in: admin.text) == ["— → Sam South", "Mia Manager → Olga North"] + Array(repeating: "— → Mia Manager", count: 3),
                    "\(values(of: "assignee", in: admin.text))")
            #expect(values(of: "agent", in: admin.text) == ["— → Olga North"], "\(values(of: "agent", in: admin.text))")
            #expect(values(of: "manager", in: admin.text) == ["— → Sam South"], "\(values(of: "manager", in: admin.text))")
            #expect(!admin.text.contains(olga.lowercasedString) && !admin.text.contains(sam.lowercasedString))

            // The branch north's manager: themself as "you", north's staff by name, south's by id.
            let (cookie, _) = try await s.signIn()
            let manager = try await s.send(.GET, path, cookie: cookie)
            #expect(manager.status == 200)
            #expect(values(of: "assignee", in: manager.text) == ["— → \(sam.lowercasedString)", "you → Olga North"] + Array(repeating: "— → you", count: 3),
                    "\(values(of: "assignee", in: manager.text))")
            #expect(!manager.text.contains("Sam South"))
        }
    }
}
