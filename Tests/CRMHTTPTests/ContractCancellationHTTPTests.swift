import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import Foundation
import Testing

/// `POST /v1/contracts/{id}/cancel` cancels a contract not yet approved, with a reason: the contract reads
/// `cancelled`, the customer's contract list shows it so, and it is final (cancelling again is 422).
@Suite struct ContractCancellationHTTPTests {
    @Test func aDraftContractIsCancelledOverHTTP() async throws {
        try await LiveServer.with("contract-cancel-http") { s in
            let customer = try await SalesRound4HTTPTests.setUp(s)
            let quote = try #require(text(try await s.send(.POST, "/v1/quotes", json: """
                {"customerId": "\(customer)", "authorRole": "Administrator", "draft": {"lines": [{"productID": "\(SalesRound4HTTPTests.meter)", "quantity": 10}]}}
                """).json["id"]))
            try await s.expect(.POST, "/v1/quotes/\(quote)/accept")
            let contract = try await s.created("/v1/contracts", SalesRound4HTTPTests.contractBody(customer, s.admin.id, quote: quote, lines: nil))

            let noReason = try await s.send(.POST, "/v1/contracts/\(contract)/cancel", json: "{}")
            #expect(noReason.status == 400 && text(noReason.json["field"]) == "reason", "\(noReason.text)")

            let cancelled = try await s.expect(.POST, "/v1/contracts/\(contract)/cancel", #"{"reason": "drafted by mistake"}"#)
            let position = try #require(text(cancelled.json["position"]))
            let state = try await s.engine.state(Contract.self, id: try #require(UUID(uuidString: contract)), as: s.admin).state
            #expect(state.status == .cancelled && state.cancellation?.reason == "drafted by mistake")
            let read = try await s.expect(.GET, "/v1/contracts/\(contract)")
            #expect(text(read.json["status"]) == "cancelled", "\(read.text)")
            let list = try await s.expect(.GET, "/v1/contracts?customerId=\(customer)&consistentWith=\(position)")
            #expect(list.text.contains(#""status":"cancelled""#), "\(list.text)")

            let again = try await s.send(.POST, "/v1/contracts/\(contract)/cancel", json: #"{"reason": "twice"}"#)
            #expect(again.status == 422, "\(again.text)")
            let activate = try await s.send(.POST, "/v1/contracts/\(contract)/activate", json: "{}")
            #expect(activate.status == 422, "\(activate.text)")
        }
    }
}
