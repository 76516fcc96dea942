import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import NIOHTTP1
import Testing

/// The customer list's filters (`group`, `branch`, `community`, `status`, `owner`) and a campaign's target
/// selection by them (R-MKT-3), over real HTTP on a real LMDB store.
@Suite(.serialized) struct CustomerSelectionTests {
    /// The customers of every test, by name: group, branch, community, status.
    static let customers: [(name: String, group: String, branch: String, community: String, status: String)] = [
        ("Ann", "residential", "north", "c1", "active"),
        ("Ben", "residential", "north", "c1", "prospect"),
        ("Cat", "residential", "south", "c1", "active"),
        ("Dan", "business", "north", "c1", "active"),
        ("Eve", "residential", "north", "c2", "active"),
    ]

    /// Creates ``customers`` (Ann owned by the administrator); their ids by name, and the log's head.
    func seed(_ s: LiveServer) async throws -> (ids: [String: String], head: UInt64) {
        var ids: [String: String] = [:]
        for c in Self.customers {
            let owner = c.name == "Ann" ? #", "owner": "\#(s.admin.id)""# : ""
            ids[c.name] = try await s.created("/v1/customers", """
                {"kind": "person", "name": "\(c.name)", "group": "\(c.group)", "branch": "\(c.branch)", "community": "\(c.community)", "status": "\(c.status)"\(owner)}
                """).lowercased()
        }
        return (ids, try await s.engine.store.headPosition().rawValue)
    }

    func names(_ answer: LiveServer.Answer) -> [String] {
        ((answer.json["items"] as? [[String: Any]]) ?? []).compactMap { text($0["name"]) }
    }

    /// An employee of `branch` who may see that branch's customers only, and run any campaign.
    func branchEmployee(_ s: LiveServer, _ name: String, branch: String) async throws -> String {
        try await s.hire(name, branch: branch, permissions: [
            Permission(module: .customers, actions: Permission.Action.allCases, scope: .branch(branch)),
            Permission(module: .campaigns, actions: Permission.Action.allCases, scope: .all),
        ]).token
    }

    func campaign(_ s: LiveServer) async throws -> String {
        try await s.created("/v1/campaigns", """
            {"name": "Spring check", "objective": "Meter checks", "owner": "\(s.admin.id)", "budget": {"amount": 1000, "currency": "CNY"}, "start": "2026-03-01", "end": "2026-03-31"}
            """)
    }

    @Test func eachFilterAloneAndCombinedListsExactlyTheMatchingCustomers() async throws {
        try await LiveServer.with("customer-filters") { s in
            let (_, head) = try await seed(s)
            let cases: [(query: String, names: [String])] = [
                ("", ["Ann", "Ben", "Cat", "Dan", "Eve"]),
                ("group=residential", ["Ann", "Ben", "Cat", "Eve"]),
                ("branch=north", ["Ann", "Ben", "Dan", "Eve"]),
                ("community=c2", ["Eve"]),
                ("status=prospect", ["Ben"]),
                ("owner=\(s.admin.id)", ["Ann"]),
                ("group=residential&branch=north", ["Ann", "Ben", "Eve"]),
                ("group=residential&branch=north&status=active", ["Ann", "Eve"]),
                ("group=residential&branch=north&status=active&community=c1", ["Ann"]),
                ("group=business&branch=south", []),
                ("group=", ["Ann", "Ben", "Cat", "Dan", "Eve"]),
            ]
            for (query, expected) in cases {
                let answer = try await s.expect(.GET, "/v1/customers?\(query)&consistentWith=\(head)")
                #expect(names(answer) == expected, "\(query): \(answer.text.prefix(300))")
            }
            let bad = try await s.send(.GET, "/v1/customers?status=gone")
            #expect(bad.status == 400 && text(bad.json["field"]) == "status", "\(bad.text)")
        }
    }

    @Test func aFilteredListPagesWithItsCursorAndRefusesTheCursorOfTheUnfilteredList() async throws {
        try await LiveServer.with("customer-filter-paging") { s in
            let (_, head) = try await seed(s)
            var seen: [String] = []
            var next: String? = "/v1/customers?group=residential&branch=north&limit=1&consistentWith=\(head)"
            var firstCursor: String?
            while let path = next, seen.count < 10 {
                let page = try await s.expect(.GET, path)
                seen += names(page)
                next = text(page.json["next"])
                if firstCursor == nil { firstCursor = text(page.json["after"]) }
                if let next { #expect(next.contains("group=residential&branch=north&"), "\(next)") }
            }
            #expect(seen == ["Ann", "Ben", "Eve"])
            let filtered = try #require(firstCursor)
            let unfiltered = try #require(text(try await s.expect(.GET, "/v1/customers?limit=1").json["after"]))
            for path in ["/v1/customers?group=residential&branch=north&limit=1&after=\(unfiltered)",
                         "/v1/customers?group=residential&limit=1&after=\(filtered)",
                         "/v1/customers?limit=1&after=\(filtered)"] {
                let refused = try await s.send(.GET, path)
                #expect(refused.status == 400 && text(refused.json["field"]) == "after", "\(path): \(refused.status) \(refused.text)")
            }
            // The filtered cursor still pages its own list.
            let second = try await s.expect(.GET, "/v1/customers?group=residential&branch=north&limit=5&after=\(filtered)")
            #expect(names(second) == ["Ben", "Eve"])
        }
    }

    @Test func anotherBranchsCustomersAreNeverListedNorSelected() async throws {
        try await LiveServer.with("customer-filter-scope") { s in
            let (ids, head) = try await seed(s)
            let alice = try await branchEmployee(s, "Alice", branch: "north")
            for (query, expected) in [("group=residential", ["Ann", "Ben", "Eve"]), ("branch=south", []), ("", ["Ann", "Ben", "Dan", "Eve"])] {
                let answer = try await s.send(.GET, "/v1/customers?\(query)&limit=1&consistentWith=\(head)", token: alice)
                var seen = names(answer)
                var next = text(answer.json["next"])
                while let path = next, seen.count < 10 {
                    let page = try await s.send(.GET, path, token: alice)
                    seen += names(page)
                    next = text(page.json["next"])
                }
                #expect(seen == expected, "\(query)")
            }
            let campaign = try await campaign(s)
            let selected = try await s.send(.POST, "/v1/campaigns/\(campaign)/targets/select", token: alice, json: #"{"group": "residential"}"#)
            #expect(selected.status == 200, "\(selected.text)")
            #expect(text(selected.json["selected"]) == "3", "\(selected.text)")
            let state = try await s.expect(.GET, "/v1/campaigns/\(campaign)")
            let list = try #require((state.json["targetLists"] as? [[String: Any]])?.first, "\(state.text)")
            let targets = Set(((list["customerIDs"] as? [Any]) ?? []).compactMap { text($0)?.lowercased() })
            #expect(targets == Set(["Ann", "Ben", "Eve"].compactMap { ids[$0] }), "\(list)")
            #expect(!targets.contains(ids["Cat"] ?? ""))
            // Only the south branch: nothing Alice may see matches.
            let none = try await s.send(.POST, "/v1/campaigns/\(campaign)/targets/select", token: alice, json: #"{"branch": "south"}"#)
            #expect(none.status == 400 && text(none.json["field"]) == "filter", "\(none.text)")
        }
    }

    @Test func targetSelectionRecordsExactlyTheMatchingCustomersWithTheFilterAsItsCriteria() async throws {
        try await LiveServer.with("campaign-target-select") { s in
            let (ids, _) = try await seed(s)
            let campaign = try await campaign(s)
            let path = "/v1/campaigns/\(campaign)/targets/select"
            let body = #"{"group": "residential", "branch": "north", "status": "active"}"#
            let version = try #require(try await s.expect(.GET, "/v1/campaigns/\(campaign)").header("ETag")?.trimmingCharacters(in: CharacterSet(charactersIn: "\"")))
            let ifMatch = ("If-Match", "\"\(version)\"")
            let selected = try await s.expect(.POST, path, body, headers: [("Idempotency-Key", "select-1"), ifMatch])
            #expect(text(selected.json["selected"]) == "2", "\(selected.text)")
            #expect(text(selected.json["criteria"]) == "group=residential&branch=north&status=active")
            #expect(selected.json["segment"] == nil || selected.json["segment"] is NSNull)
            #expect(selected.header("ETag") == "\"\((UInt64(version) ?? 0) + 1)\"", "\(selected.text)")
            let listID = try #require(text(selected.json["listId"]))
            // The same request again: the first answer, nothing written.
            let head = try await s.engine.store.headPosition()
            let repeated = try await s.expect(.POST, path, body, headers: [("Idempotency-Key", "select-1"), ifMatch])
            #expect(repeated.header("Idempotent-Replayed") == "true" && text(repeated.json["listId"]) == listID && text(repeated.json["selected"]) == "2")
            #expect(try await s.engine.store.headPosition() == head)

            let state = try await s.expect(.GET, "/v1/campaigns/\(campaign)")
            let lists = try #require(state.json["targetLists"] as? [[String: Any]], "\(state.text)")
            #expect(lists.count == 1)
            let list = try #require(lists.first)
            #expect(text(list["criteria"]) == "group=residential&branch=north&status=active")
            #expect(text(list["id"])?.lowercased() == listID.lowercased())
            // In id (creation) order.
            #expect(((list["customerIDs"] as? [Any]) ?? []).compactMap { text($0)?.lowercased() } == ["Ann", "Eve"].compactMap { ids[$0] }, "\(list)")

            // Unknown fields and bad values are refused as elsewhere; a stale If-Match is 412; nothing is written.
            let unknown = try await s.send(.POST, path, json: #"{"grup": "residential"}"#)
            #expect(unknown.status == 400 && text(unknown.json["field"]) == "grup", "\(unknown.text)")
            let badStatus = try await s.send(.POST, path, json: #"{"status": "gone"}"#)
            #expect(badStatus.status == 400 && text(badStatus.json["field"]) == "status", "\(badStatus.text)")
            let stale = try await s.send(.POST, path, json: #"{"group": "business"}"#, headers: [ifMatch])
            #expect(stale.status == 412, "\(stale.text)")
            #expect(try await s.engine.store.headPosition() == head)
            // Another list by another filter.
            let business = try await s.expect(.POST, path, #"{"group": "business"}"#)
            #expect(text(business.json["selected"]) == "1" && text(business.json["criteria"]) == "group=business")
            let unknownCampaign = try await s.send(.POST, "/v1/campaigns/\(UUID().uuidString)/targets/select", json: #"{"group": "business"}"#)
            #expect(unknownCampaign.status == 404, "\(unknownCampaign.text)")
        }
    }
}
