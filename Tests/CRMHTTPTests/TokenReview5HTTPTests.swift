@testable import CRMHTTP
import CRMDomain
import CRMEngine
import Foundation
import Testing

@Suite struct TokenReview5HTTPTests {
    @Test func theTokenListNamesItsIdsAsTheIssueAnswerDoes() async throws {
        try await LiveServer.with("token-r5-list") { s in
            let adminID = try #require(s.admin.employeeID).uuidString.lowercased()
            let issued = try await s.expect(.POST, "/v1/tokens", #"{"employeeId": "\#(adminID)", "name": "laptop"}"#, status: 201)
            let tokenID = try #require(text(issued.json["tokenId"]))
            let listed = try await s.expect(.GET, "/v1/tokens")
            let rows = try #require(try JSONSerialization.jsonObject(with: listed.body) as? [[String: Any]])
            let row = try #require(rows.first { text($0["tokenId"]) == tokenID }, "\(listed.text.prefix(400))")
            #expect(text(row["employeeId"]) == adminID && text(row["name"]) == "laptop")
            #expect(rows.allSatisfy { $0["tokenID"] == nil && $0["employeeID"] == nil })
        }
    }

    @Test func listingEmployeesOrRolesWithoutTheRightsIsForbiddenNotNotFound() async throws {
        try await LiveServer.with("token-r5-employees") { s in
            let (_, clerk) = try await s.hire("Clerk", branch: "north", permissions: [Permission(module: .customers, actions: [.query], scope: .all)])
            for path in ["/v1/employees", "/v1/roles"] {
                let answer = try await s.send(.GET, path, token: clerk)
                #expect(answer.status == 403, "\(path): \(answer.status) \(answer.text.prefix(300))")
                #expect(answer.text.contains("forbidden"), "\(path): \(answer.text.prefix(300))")
            }
            #expect(try await s.send(.GET, "/v1/employees").status == 200)
        }
    }

    @Test func aTokensIssueShowsInItsHistoryAndTheEventsStreamWithoutTheHash() async throws {
        try await LiveServer.with("token-r5-events") { s in
            let (clerk, _) = try await s.hire("Clerk", branch: "north", permissions: [Permission(module: .customers, actions: [.query], scope: .all)])
            let clerkID = try #require(clerk.employeeID).uuidString.lowercased()
            let from = try await s.engine.store.headPosition().rawValue + 1
            let issued = try await s.expect(.POST, "/v1/tokens", #"{"employeeId": "\#(clerkID)", "name": "tablet"}"#, status: 201)
            let tokenID = try #require(text(issued.json["tokenId"]))
            // A record's event after it, so that the stream has something to send either way.
            _ = try await s.created("/v1/customers", #"{"kind": "person", "name": "After", "group": "g", "branch": "north"}"#)
            let events = try await EventStreamTests.readEvents(s, path: "/v1/events?from=\(from)", count: 1)
            let event = try #require(events.first)
            #expect(text(event["type"]) == "ApiTokenIssued" && text(event["stream"]) == "apitoken-\(tokenID)", "\(event)")
            #expect(text(event["actor"]) == s.admin.id)
            let changes = try #require(event["changes"] as? [[String: Any]])
            #expect(changes.contains { text($0["field"]) == "employee" }, "\(changes)")

            let history = try await s.expect(.GET, "/v1/records/apitoken-\(tokenID)/history?consistentWith=\(from)")
            #expect(history.text.contains("ApiTokenIssued") && history.text.contains("tablet"), "\(history.text.prefix(400))")
            for answer in [history.text, String(describing: events)] {
                #expect(!answer.lowercased().contains("hash") && !answer.lowercased().contains("secret"), "\(answer.prefix(400))")
            }
        }
    }
}
