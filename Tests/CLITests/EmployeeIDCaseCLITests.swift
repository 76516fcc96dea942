import Foundation
import Testing

@Suite("crm: employee ids recorded in lower case without a token", .serialized)
struct EmployeeIDCaseCLITests {
    /// Without a token the CLI acts as the operator, whose commands the engine canonicalises as a person's.
    @Test func anUpperCaseAssigneeOrOwnerIsRecordedInLowerCase() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let data = dir + "/data"
        let initialised = try await crm(["init", "--data", data, "--admin-name", "Ada", "--json"])
        #expect(initialised.status == 0)
        // An active employee (the operator names only those): the administrator.
        let lower = try #require(object(initialised.lines.last ?? "")["employeeID"] as? String)
        let upper = lower.uppercased()

        let dispatched = try await crm(["task", "dispatch", "--data", data, "--title", "Call", "--assignee", upper, "--due", "2030-01-01T23:59:59Z", "--json"])
        #expect(dispatched.status == 0, "\(dispatched.stderr)")
        let tasks = try await crm(["task", "list", "--data", data, "--json"])
        #expect(tasks.lines.compactMap { object($0)["assignee"] as? String } == [lower])

        let added = try await crm(["customer", "add", "--data", data, "--name", "Ann", "--group", "residential", "--owner", upper, "--json"])
        #expect(added.status == 0, "\(added.stderr)")
        let id = object(added.lines.last ?? "")["id"] as? String
        // The owner filter is canonical; the recorded owner matches it only when it was recorded in lower case.
        let listed = try await crm(["customer", "list", "--data", data, "--owner", lower, "--json"])
        #expect(listed.lines.compactMap { object($0)["id"] as? String } == [id].compactMap { $0 })
    }
}
