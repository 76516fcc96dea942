import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// `POST /v1/approvals/{id}/cancel` over real HTTP: the submitter withdraws their own request without rights
/// in organisation; another employee, whatever their rights there, may not.
@Suite struct ApprovalWithdrawHTTPTests {
    @Test func theSubmitterWithdrawsTheirOwnRequestWithoutRightsInOrganisation() async throws {
        try await LiveServer.with("approval-withdraw") { s in
            let (sam, samToken) = try await s.hire("Sam", branch: "head-office", permissions: [
                Permission(module: .quotes, actions: [.query, .create, .edit], scope: .branch("head-office")),
                Permission(module: .customers, actions: [.query], scope: .branch("head-office")),
            ])
            let (_, carolToken) = try await s.hire("Carol", branch: "head-office", permissions: [
                Permission(module: .organisation, actions: Permission.Action.allCases, scope: .all),
                Permission(module: .quotes, actions: [.query], scope: .all),
            ])
            _ = try await s.created("/v1/products", #"{"id": "0190a1b2-0000-7000-8000-0000000000aa", "productLine": "gas", "name": "Meter", "standardPrice": {"amount": 100, "currency": "CNY"}}"#)
            let customer = try #require(text(try await s.send(.POST, "/v1/customers", json: #"{"kind": "organisation", "name": "Acme Gas", "group": "business", "branch": "head-office"}"#).json["id"]))
            // Sam's role has no discount limit: his 20 % quote waits for approval.
            let quote = try await s.send(.POST, "/v1/quotes", token: samToken, json: """
                {"customerId": "\(customer)", "customerCode": "ACME", "sequence": 1, "authorRole": "role of Sam",
                 "draft": {"lines": [{"productID": "0190a1b2-0000-7000-8000-0000000000aa", "productName": "Meter", "quantity": 10,
                                      "unitPrice": {"amount": 100, "currency": "CNY"}, "discountPercent": 0}], "discountPercent": 20}}
                """)
            #expect(quote.status == 201, "\(quote.text)")
            let quoteID = try #require(UUID(uuidString: text(quote.json["id"]) ?? ""))
            try await s.engine.reactionsSettled(upTo: try await s.engine.store.headPosition())
            let instance = ApprovalRouting.instanceID(for: .quote, recordID: quoteID, revision: 1).lowercasedString
            #expect(try await s.engine.state(WorkflowInstance.self, id: UUID(uuidString: instance) ?? UUID(), as: s.admin).state.submitter == sam.id)

            let head = try await s.engine.store.headPosition()
            let others = try await s.send(.POST, "/v1/approvals/\(instance)/cancel", token: carolToken, json: #"{"reason": "not yours"}"#)
            #expect(others.status == 422, "\(others.status) \(others.text)")
            #expect(try await s.engine.store.headPosition() == head, "nothing written")

            let withdrawn = try await s.send(.POST, "/v1/approvals/\(instance)/cancel", token: samToken, json: #"{"reason": "asked by mistake"}"#)
            #expect(withdrawn.status == 200, "\(withdrawn.status) \(withdrawn.text)")
            let read = try await s.send(.GET, "/v1/approvals/\(instance)")
            #expect(read.status == 200 && text(read.json["status"]) == "cancelled", "\(read.status) \(read.text)")
        }
    }
}
