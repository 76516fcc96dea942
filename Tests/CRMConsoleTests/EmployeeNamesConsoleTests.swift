import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// The console names employees for a reader who may not read the organisation record (a branch employee):
/// those of their branch by name, anyone beyond their reach by id only.
@Suite(.serialized) struct EmployeeNamesConsoleTests {
    @Test func aBranchEmployeeSeesTheirBranchColleaguesByNameOnTheCustomerPage() async throws {
        try await ConsoleServer.with("employee-names") { s in
            // Nora works in north (Mia's branch); Sam, of south, may create north's customers.
            let nora = UUID.derived("employee", "nora")
            try await s.engine.execute(Organisation.self, id: nora, .hire(NewEmployee(
                id: nora, name: "Nora North", position: "account manager", branch: "north", hiredOn: try #require(LocalDate("2024-01-01")))), as: s.admin)
            let sam = UUID.derived("employee", "sam")
            try await s.engine.execute(Organisation.self, id: sam, .hire(NewEmployee(
                id: sam, name: "Sam South", position: "agent", branch: "south", hiredOn: try #require(LocalDate("2024-01-01")))), as: s.admin)
            let roleID = UUID.derived("role", "sam")
            try await s.engine.execute(Organisation.self, id: roleID, .defineRole(roleID: roleID, RoleDefinition(
                name: "North intake", permissions: [Permission(module: .customers, actions: [.query, .create], scope: .branch("north"))],
                hiddenFields: []), grantor: .none), as: s.admin)
            try await s.engine.execute(Organisation.self, id: roleID, .grantRole(
                grantID: UUID.derived("grant", "sam"), employeeID: sam, roleID: roleID, validity: .always, grantor: .none), as: s.admin)
            let samPrincipal = try await s.engine.principal(employeeID: sam)
            let customerID = UUID.derived("customer", "nora's")
            try await s.engine.execute(Customer.self, id: customerID, .create(customerID: customerID, NewCustomer(
                kind: .person, name: "Zhao Min", group: "residential", branch: "north", owner: nora.lowercasedString),
                form: .empty(group: "residential")), as: samPrincipal)

            let (cookie, _) = try await s.signIn()
            let page = try await s.send(.GET, "/console/customers/\(customerID.lowercasedString)", cookie: cookie)
            #expect(page.status == 200)
            #expect(page.text.contains("<dt>Account manager</dt><dd>Nora North</dd>"))
            #expect(!page.text.contains("<dd>\(nora.lowercasedString)</dd>"), "her id is shown as her name")
            // Sam, beyond Mia's reach, created the record: the timeline shows his id, not his name.
            #expect(page.text.contains("<td>\(sam.lowercasedString)</td>"))
            #expect(!page.text.contains("Sam South"))
        }
    }
}
