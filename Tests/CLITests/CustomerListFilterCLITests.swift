import Foundation
import Testing

@Suite("crm customer list: filters", .serialized)
struct CustomerListFilterCLITests {
    @Test func customerListFiltersByGroupBranchCommunityAndStatusTogether() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let data = dir + "/data"
        #expect(try await crm(["init", "--data", data, "--admin-name", "Ada", "--json"]).status == 0)
        var ids: [String: String] = [:]
        for (name, group, branch, community) in [("Ann", "residential", "north", "c1"), ("Ben", "residential", "north", "c2"),
                                                 ("Cat", "residential", "south", "c1"), ("Dan", "business", "north", "c1")] {
            let added = try await crm(["customer", "add", "--data", data, "--name", name, "--group", group, "--branch", branch,
                                       "--community", community, "--json"])
            ids[name] = object(added.lines.last ?? "")["id"] as? String
        }
        #expect(try await crm(["customer", "activate", ids["Ben"] ?? "", "--data", data]).status == 0)

        func listed(_ filters: [String]) async throws -> [String] {
            let run = try await crm(["customer", "list", "--data", data, "--json"] + filters)
            #expect(run.status == 0, "\(filters): \(run.stderr)")
            return run.lines.compactMap { object($0)["id"] as? String }
        }
        #expect(try await listed(["--group", "residential", "--branch", "north"]) == ["Ann", "Ben"].compactMap { ids[$0] })
        #expect(try await listed(["--branch", "north", "--community", "c1"]) == ["Ann", "Dan"].compactMap { ids[$0] })
        #expect(try await listed(["--group", "residential", "--status", "active"]) == ["Ben"].compactMap { ids[$0] })
        #expect(try await listed(["--status", "prospect", "--branch", "south"]) == ["Cat"].compactMap { ids[$0] })
        #expect(try await listed([]).count == 4)
        let bad = try await crm(["customer", "list", "--data", data, "--status", "gone"])
        #expect(bad.status == 64, "\(bad.stderr)")
    }
}
