@testable import CRMHTTP
import CRMDomain
import CRMEngine
@testable import CRMProjections
import EventSourcing
import Foundation
import NIOHTTP1
import Testing

/// Over real HTTP: the customer 360 shows products held, installations and scheduled appointments, and an
/// opportunity names contact persons of its customer (R-CUS-3, R-CUS-4, R-CUS-5, R-CUS-7).
@Suite(.serialized) struct Customer360HoldingsHTTPTests {
    static func customer(_ s: LiveServer, _ name: String) async throws -> String {
        try await s.created("/v1/customers", #"{"kind": "organisation", "name": "\#(name)", "group": "residential", "branch": "head-office", "status": "active"}"#)
            .lowercased()
    }

    static func contact(_ s: LiveServer, _ name: String, of customer: String) async throws -> String {
        try await s.created("/v1/contacts", #"{"customerId": "\#(customer)", "name": "\#(name)"}"#).lowercased()
    }

    static func opportunity(contacts: [String], customer: String, owner: String) -> String {
        let list = contacts.map { "\"\($0)\"" }.joined(separator: ", ")
        return #"{"customerId": "\#(customer)", "owner": "\#(owner)", "title": "Heat pump", "source": "visit", "expectedRevenue": {"amount": 8000, "currency": "CNY"}, "closeDate": "2026-06-30", "contacts": [\#(list)]}"#
    }

    /// A contract in force for the customer, written to the log as its drafting and activation (the approval
    /// workflow that leads there is another suite's).
    static func activeContract(_ s: LiveServer, customer: UUID, product: UUID) async throws -> UUID {
        let id = UUID.derived("contract", customer.uuidString)
        let drafted = ContractDrafted(
            contractID: id, customerID: customer, owner: s.admin.id, title: "Heat supply", quoteID: UUID.derived("quote", id.uuidString), quoteNumber: "Q-7",
            lines: [Contract.Line(productID: product, name: "Heat pump", quantity: Decimal(string: "2.5") ?? 0, unitPrice: Money(1_000, .cny))],
            terms: Contract.Terms(effective: try #require(LocalDate("2026-01-01")), serviceStart: try #require(LocalDate("2026-01-01")),
                                  expiry: try #require(LocalDate("2027-12-31"))),
            draftedBy: s.admin.id, draftedAt: s.clock.now())
        let events = [ContractEvent.drafted(drafted), .activated(ContractActivated(contractID: id, by: s.admin.id, at: s.clock.now()))]
        _ = try await s.engine.store.append(try events.map { try $0.eventData(id: UUID(), metadata: .system) }, to: Contract.stream(id), expectedVersion: .noStream)
        return id
    }

    @Test func theCustomer360ShowsProductsHeldInstallationsAppointmentsAndTheContactsAnOpportunityNames() async throws {
        try await LiveServer.with("c360-holdings") { s in
            let customer = try await Self.customer(s, "Acme Heat")
            try await s.expect(.POST, "/v1/customers/\(customer)/installations", #"{"address": "1 Main St", "meterNumber": "M-1"}"#)
            try await s.expect(.POST, "/v1/customers/\(customer)/appointments", #"{"kind": "install", "at": "2026-02-01T09:00:00Z", "address": "1 Main St"}"#)
            let ann = try await Self.contact(s, "Ann", of: customer)
            let opportunity = try await s.created("/v1/opportunities", Self.opportunity(contacts: [ann], customer: customer, owner: s.admin.id)).lowercased()
            let record = try await s.expect(.GET, "/v1/opportunities/\(opportunity)")
            #expect((record.json["contacts"] as? [String])?.map { $0.lowercased() } == [ann], "\(record.text.prefix(400))")

            let product = UUID.derived("product", "heat-pump")
            let contract = try await Self.activeContract(s, customer: try #require(UUID(uuidString: customer)), product: product)
            let head = try await s.engine.store.headPosition()
            let view = try await s.expect(.GET, "/v1/customers/\(customer)?consistentWith=\(head.rawValue)").json
            let held = view["productsHeld"] as? [[String: Any]] ?? []
            #expect(held.count == 1 && text(held.first?["productID"]) == product.lowercasedString && text(held.first?["quantity"]) == "2.5"
                    && held.first?["name"] as? String == "Heat pump" && (held.first?["contracts"] as? [String]) == [contract.lowercasedString], "\(held)")
            let profile = view["profile"] as? [String: Any] ?? [:]
            let installations = profile["installations"] as? [[String: Any]] ?? []
            #expect(installations.map { $0["meterNumber"] as? String } == ["M-1"], "\(profile)")
            let appointments = profile["appointments"] as? [[String: Any]] ?? []
            #expect(appointments.map { $0["at"] as? String } == ["2026-02-01T09:00:00Z"] && appointments.first?["kind"] as? String == "install", "\(profile)")
            let opportunities = view["openOpportunities"] as? [[String: Any]] ?? []
            #expect((opportunities.first?["contacts"] as? [String])?.map { $0.lowercased() } == [ann], "\(opportunities)")
            let contracts = view["contracts"] as? [[String: Any]] ?? []
            #expect((contracts.first?["products"] as? [[String: Any]])?.first?["name"] as? String == "Heat pump", "\(contracts)")
        }
    }

    @Test func contactsAreAddedAndRemovedAndAnotherCustomersOrAnUnknownContactIsRefusedNamingTheField() async throws {
        try await LiveServer.with("opportunity-contacts") { s in
            let customer = try await Self.customer(s, "Acme")
            let other = try await Self.customer(s, "Other")
            let ann = try await Self.contact(s, "Ann", of: customer)
            let bob = try await Self.contact(s, "Bob", of: customer)
            let theirs = try await Self.contact(s, "Theirs", of: other)
            var head = try await s.engine.store.headPosition()
            let refused = try await s.send(.POST, "/v1/opportunities", json: Self.opportunity(contacts: [ann, theirs], customer: customer, owner: s.admin.id))
            #expect(refused.status == 400 && refused.json["field"] as? String == "contacts", "\(refused.text)")
            #expect(try await s.engine.store.headPosition() == head, "nothing written")

            let id = try await s.created("/v1/opportunities", Self.opportunity(contacts: [], customer: customer, owner: s.admin.id)).lowercased()
            head = try await s.engine.store.headPosition()
            for (body, status, field) in [
                (#"{"contacts": ["\#(theirs)"]}"#, 400, "contacts"),
                (#"{"contacts": ["0190a1b2-0000-7000-8000-00000000dead"]}"#, 400, "contacts"),
                (#"{"contacts": []}"#, 400, "contacts"),
                (#"{"contacts": ["not-an-id"]}"#, 400, "contacts[0]"),
                ("{}", 400, "contacts"),
            ] {
                let answer = try await s.send(.POST, "/v1/opportunities/\(id)/contacts", json: body)
                #expect(answer.status == status && answer.json["field"] as? String == field, "\(body): \(answer.text)")
            }
            let notNamed = try await s.send(.POST, "/v1/opportunities/\(id)/contacts/remove", json: #"{"contacts": ["\#(ann)"]}"#)
            #expect(notNamed.status == 404 && notNamed.json["field"] as? String == "contacts", "\(notNamed.text)")
            #expect(try await s.engine.store.headPosition() == head, "nothing written")

            try await s.expect(.POST, "/v1/opportunities/\(id)/contacts", #"{"contacts": ["\#(ann)", "\#(bob)"]}"#)
            try await s.expect(.POST, "/v1/opportunities/\(id)/contacts/remove", #"{"contacts": ["\#(ann)"]}"#)
            let record = try await s.expect(.GET, "/v1/opportunities/\(id)")
            #expect((record.json["contacts"] as? [String])?.map { $0.lowercased() } == [bob], "\(record.text.prefix(400))")
        }
    }

    /// The hand-written customer 360 JSON writes the new parts exactly as the encoder does.
    @Test func theNewPartsOfTheCustomer360AreWrittenAsTheEncoderWritesThem() throws {
        let id = UUID.derived("customer", "json")
        let at = Date(timeIntervalSince1970: 1_767_225_600.5)
        var profile = CustomerProfile(
            id: id, kind: .person, name: "Ann \"A\"", group: "residential", industry: nil, branch: "b", community: nil, owner: nil, status: .active,
            isArchived: false, birthday: nil, founded: nil, customFields: [], externalKeys: [], mergedInto: nil, absorbed: [])
        profile.installations = [Installation(id: id, address: "1 Main St / flat \\2", meterNumber: "M-1")]
        profile.appointments = [Appointment(id: id, kind: .onSiteService, at: at, address: "a", note: "gate\n42"),
                                Appointment(id: id, kind: .install, at: at, address: "b", note: nil)]
        let contract = RelatedRecord(kind: .contract, id: id, title: "C", status: "active", detail: nil, at: at, day: nil, amount: Money(5, .eur),
                                     owner: "e", scope: .global, contacts: nil,
                                     products: [RelatedRecord.Product(productID: id, name: "泵", quantity: Decimal(string: "0.125") ?? 0)])
        let opportunity = RelatedRecord(kind: .opportunity, id: id, title: "O", status: "open", detail: "found", at: nil, day: nil, amount: nil,
                                        owner: nil, scope: RecordScope(branch: "b", owners: ["e"]), contacts: [id, id], products: nil)
        let view = Customer360(
            profile: profile, contacts: [], openTasks: [], recentTasks: [], openTickets: [], recentTickets: [], recentActivity: [],
            openOpportunities: [opportunity], closedOpportunities: [], openQuotes: [], closedQuotes: [], contracts: [contract], endedContracts: [],
            productsHeld: [HeldProduct(productID: id, name: "泵", quantity: Decimal(string: "12000000.5") ?? 0, contracts: [id]),
                           HeldProduct(productID: id, name: "x", quantity: 3, contracts: [])],
            revenue: [], loyaltyBalance: nil)
        #expect(String(decoding: try Customer360JSON.encode(view), as: UTF8.self)
                == String(decoding: try JSONOutput.moneyAsText(try JSONOutput.encode(view)), as: UTF8.self))
    }
}
