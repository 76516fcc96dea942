import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import NIOHTTP1
import Testing

/// What an exploratory tester got the server to record on the caller's word: pairing feedback in another
/// employee's name, a contract expired on a day the client made up, a quote valid until a day long past.
@Suite(.serialized) struct CallerClaimsHTTPTests {
    static let branchA = Permission.Module.allCases.map { Permission(module: $0, actions: Permission.Action.allCases, scope: .branch("A")) }
    static let meter = "0190a1b2-0000-7000-8000-0000000000cc"

    static func day(_ text: String) throws -> LocalDate { try #require(LocalDate(text)) }

    @Test func pairingFeedbackIsRecordedInTheCallersNameOnly() async throws {
        try await LiveServer.with("claims-feedback") { s in
            let (agent, agentToken) = try await s.hire("Agent", branch: "A", permissions: Self.branchA)
            let (manager, _) = try await s.hire("Manager", branch: "A", permissions: Self.branchA)
            let customer = try await s.created("/v1/customers", #"{"kind": "person", "name": "Wang Fang", "group": "residential", "branch": "A"}"#)
            let pairing = try await s.send(.POST, "/v1/pairings", token: agentToken,
                                           json: #"{"customerId": "\#(customer)", "agent": "\#(agent.id)", "manager": "\#(manager.id)"}"#)
            #expect(pairing.status == 201, "\(pairing.text.prefix(300))")
            let id = try #require(text(pairing.json["id"]))
            // The tester's request: the agent records the manager rating the agent 5.
            let forged = try await s.send(.POST, "/v1/pairings/\(id)/feedback", token: agentToken,
                                          json: #"{"direction": "managerRatesAgent", "giver": "\#(manager.id)", "rating": 5, "comment": "excellent"}"#)
            #expect(forged.status == 403 && text(forged.json["field"]) == "giver", "\(forged.status) \(forged.text.prefix(300))")
            // Without a giver the caller is the giver: the agent may not rate the agent.
            let wrongWay = try await s.send(.POST, "/v1/pairings/\(id)/feedback", token: agentToken, json: #"{"direction": "managerRatesAgent", "rating": 5}"#)
            #expect(wrongWay.status == 422 && text(wrongWay.json["field"]) == "giver", "\(wrongWay.status) \(wrongWay.text.prefix(300))")
            let own = try await s.send(.POST, "/v1/pairings/\(id)/feedback", token: agentToken, json: #"{"direction": "agentRatesManager", "rating": 3}"#)
            #expect(own.status == 200, "\(own.status) \(own.text.prefix(300))")
            let state = try await s.engine.state(MaintenancePairing.self, id: try #require(UUID(uuidString: id)), as: s.admin).state
            #expect(state.feedback.map(\.giver) == [agent.id] && state.feedback.map(\.rating) == [3])
        }
    }

    @Test func aContractIsExpiredOnTheServersDayNotTheClients() async throws {
        try await LiveServer.with("claims-expire") { s in
            let customer = try #require(UUID(uuidString: try await s.created("/v1/customers", #"{"kind": "person", "name": "Li Wei", "group": "residential", "branch": "A"}"#)))
            let product = try #require(UUID(uuidString: Self.meter))
            try await s.engine.execute(Product.self, id: product, .create(productID: product, productLine: "meters", name: "Meter", standardPrice: Money(100, .cny)), as: s.admin)
            let quote = UUID.derived("quote", "claims-http")
            try await s.engine.execute(Quote.self, id: quote, .create(quoteID: quote, customerID: customer, customerCode: "CLM", date: try Self.day("2026-01-01"), sequence: 1,
                                                                      draft: QuoteDraft(lines: [QuoteLine(productID: product, productName: "Meter", unitPrice: Money(100, .cny), quantity: 1)]),
                                                                      authorRole: "Administrator", limits: []), as: s.admin)
            try await s.engine.execute(Quote.self, id: quote, .accept, as: s.admin)
            func contract(_ label: String, renewal: Int?) async throws -> UUID {
                let id = UUID.derived("contract", label)
                try await s.engine.execute(Contract.self, id: id, .draft(id: id, customerID: customer, owner: s.admin.id, branch: "A", title: label, quoteID: quote, quoteNumber: "",
                                                                         lines: [Contract.Line(productID: product, name: "Meter", quantity: 1, unitPrice: Money(100, .cny))],
                                                                         terms: Contract.Terms(effective: try Self.day("2026-01-01"), serviceStart: try Self.day("2026-01-01"),
                                                                                               expiry: try Self.day("2026-12-31"), renewalTermMonths: renewal)), as: s.admin)
                for command: Contract.Command in [.submitForApproval, .approve(note: nil), .activate] {
                    try await s.engine.execute(Contract.self, id: id, command, as: command == .approve(note: nil) ? .system : s.admin)
                }
                return id
            }
            let ending = try await contract("ending", renewal: nil)
            let renewing = try await contract("renewing", renewal: 12)
            // The server's day is 1 January 2026: a made-up day does not end either contract.
            let early = try await s.send(.POST, "/v1/contracts/\(ending.lowercasedString)/expire", json: #"{"today": "2027-06-01"}"#)
            #expect(early.status == 422 && text(early.json["field"]) == "today", "\(early.status) \(early.text.prefix(300))")
            let auto = try await s.send(.POST, "/v1/contracts/\(renewing.lowercasedString)/expire", json: #"{"today": "2027-06-01"}"#)
            #expect(auto.status == 422 && text(auto.json["reason"]) == "invalidTransition", "\(auto.status) \(auto.text.prefix(300))")
            #expect(try await s.engine.state(Contract.self, id: ending, as: s.admin).state.status == .active)
            // Once the server's day is past the expiry, it expires — without a day in the body.
            s.clock.set(Date(timeIntervalSince1970: 1_767_225_600 + 366 * 86_400))  // 2 January 2027
            try await s.expect(.POST, "/v1/contracts/\(ending.lowercasedString)/expire")
            #expect(try await s.engine.state(Contract.self, id: ending, as: s.admin).state.status == .expired)
        }
    }

    @Test func aQuoteValidUntilAPastDayIsRefused() async throws {
        try await LiveServer.with("claims-quote") { s in
            _ = try await s.created("/v1/products", #"{"id": "\#(Self.meter)", "productLine": "gas", "name": "Meter", "standardPrice": {"amount": 100, "currency": "CNY"}}"#)
            let customer = try await s.created("/v1/customers", #"{"kind": "person", "name": "Zhao Lei", "group": "residential", "branch": "A"}"#)
            func create(_ validUntil: String) async throws -> LiveServer.Answer {
                try await s.send(.POST, "/v1/quotes", json: """
                    {"customerId": "\(customer)", "authorRole": "Administrator",
                     "draft": {"lines": [{"productID": "\(Self.meter)", "productName": "Meter", "quantity": 1,
                                          "unitPrice": {"amount": 100, "currency": "CNY"}, "discountPercent": 0}], "discountPercent": 0, "validUntil": "\(validUntil)"}}
                    """)
            }
            let stale = try await create("2020-12-31")
            #expect(stale.status == 422 && text(stale.json["field"]) == "validUntil", "\(stale.status) \(stale.text.prefix(300))")
            let fresh = try await create("2026-01-10")
            #expect(fresh.status == 201, "\(fresh.text.prefix(300))")
            let id = try #require(text(fresh.json["id"]))
            s.clock.set(Date(timeIntervalSince1970: 1_767_225_600 + 12 * 86_400))  // 13 January 2026
            for verb in ["send", "accept"] {
                let late = try await s.send(.POST, "/v1/quotes/\(id)/\(verb)")
                #expect(late.status == 422 && text(late.json["reason"]) == "invalidTransition" && text(late.json["field"]) == "validUntil",
                        "\(verb): \(late.status) \(late.text.prefix(300))")
            }
        }
    }
}
