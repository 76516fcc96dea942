import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import Foundation
import Testing

/// The activity list (contact and visit log) judges each entry as the engine's read of that entry does, and so
/// as the combined search does: a contact log entry by its customer's scope alone (its author is not an owner),
/// a visit by its customer's scope owned by its visitor. The customer's owner counts as an owner of both.
@Suite struct ActivityOwnRecordsTests {
    /// Querying one's own contact log entries and visits (and editing one's own visits: a visit is planned only
    /// for a visitor who may work on it), and creating them in branch A.
    static let ownRights = [Permission.Module.contacts, .visits].flatMap { module in
        [Permission(module: module, actions: module == .visits ? [.query, .edit] : [.query], scope: .own),
         Permission(module: module, actions: [.create], scope: .branch("A"))]
    }

    /// `employee` logs a call about `customer` ("Radiator noise") and plans a visit to it ("Radiator check"),
    /// ids derived from `tag`; returns once the views have both.
    static func callAndVisit(_ f: EngineFixture, _ customer: UUID, by employee: Principal, tag: String) async throws -> (entry: UUID, visit: UUID) {
        let entry = UUID.derived("log", tag), visit = UUID.derived("visit", tag)
        try await f.engine.execute(ContactLogEntry.self, id: entry, .log(id: entry, customerID: customer, details: ContactLogEntry.Details(
            channel: .phone, subject: "Radiator noise", occurredAt: Date(timeIntervalSince1970: 1_767_220_000))), as: employee)
        try await f.engine.execute(Visit.self, id: visit, .plan(id: visit, customerID: customer, visitor: employee.id, scheduledAt: Date(timeIntervalSince1970: 1_767_500_000),
                                                               contacts: [], agenda: "Radiator check", place: "On site"), as: employee)
        try await f.engine.views.waitUntil(try await f.engine.store.headPosition())
        return (entry, visit)
    }

    @Test func aContactLogEntryIsListedFoundAndReadOnlyByWhoMayReadIt() async throws {
        let f = try await EngineFixture.make("activity-own-contact-log")
        // She may query branch A's customers: a record is created only about a customer one may see.
        let lena = try await f.hire("Lena", branch: "A", permissions: Self.ownRights + [Permission(module: .customers, actions: [.query], scope: .branch("A"))])
        let omar = try await f.hire("Omar", branch: "A", permissions: Self.ownRights)
        // Omar owns the customer; Lena, who does not, logs a call with it and plans a visit to it.
        let customer = try await f.customer("Acme Heating", branch: "A", owner: omar.id)
        let (entry, visit) = try await Self.callAndVisit(f, customer, by: lena, tag: "lena")

        // Lena, the entry's author: the engine's read refuses the entry, so neither list shows it; her visit
        // she reads, lists and finds.
        let read = await #expect(throws: EngineError.self) { try await f.engine.state(ContactLogEntry.self, id: entry, as: lena) }
        #expect(read?.code == .notFound)
        #expect(try await f.engine.state(Visit.self, id: visit, as: lena).state.agenda == "Radiator check")
        #expect(try await f.engine.search("radiator", as: lena).map(\.id) == [visit])
        #expect(try await f.engine.activity(as: lena, filter: .init(customerID: customer)).map(\.id) == [visit])
        #expect(try await f.engine.activity(as: lena, filter: .init(employee: lena.id)).map(\.id) == [visit])
        #expect(try await f.engine.activity(as: lena, text: "radiator").map(\.id) == [visit])

        // Omar, the customer's owner: both records of his customer are his own, the entry too, to read, list
        // and find.
        #expect(try await f.engine.state(ContactLogEntry.self, id: entry, as: omar).state.details?.subject == "Radiator noise")
        #expect(try await f.engine.state(Visit.self, id: visit, as: omar).state.agenda == "Radiator check")
        #expect(Set(try await f.engine.search("radiator", as: omar).map(\.id)) == [entry, visit])
        #expect(Set(try await f.engine.activity(as: omar, filter: .init(customerID: customer)).map(\.id)) == [entry, visit])
        #expect(Set(try await f.engine.activity(as: omar, filter: .init(employee: lena.id)).map(\.id)) == [entry, visit])
        #expect(Set(try await f.engine.activity(as: omar, text: "radiator").map(\.id)) == [entry, visit])

        // The administrator sees both everywhere.
        #expect(Set(try await f.engine.activity(as: f.admin, filter: .init(customerID: customer)).map(\.id)) == [entry, visit])
        #expect(Set(try await f.engine.search("radiator", as: f.admin).map(\.id)) == [entry, visit])
        await f.close()
    }

    /// The customer 360's recent activity judges its entries the same way: someone who may query the customer
    /// but only their own contact log entries does not see an entry they wrote about a customer they do not
    /// own (they could not read it), and does see their visit.
    @Test func theCustomer360ShowsAContactLogEntryOnlyToWhoMayReadIt() async throws {
        let f = try await EngineFixture.make("activity-own-customer-360")
        let rights = Self.ownRights + [Permission(module: .customers, actions: [.query], scope: .branch("A"))]
        let lena = try await f.hire("Lena", branch: "A", permissions: rights)
        let omar = try await f.hire("Omar", branch: "A", permissions: Self.ownRights)
        let customer = try await f.customer("Acme Heating", branch: "A", owner: omar.id)
        let (entry, visit) = try await Self.callAndVisit(f, customer, by: lena, tag: "lena-360")

        let all = try await f.engine.customer(customer, as: f.admin).recentActivity
        #expect(Set(all.map(\.id)) == [entry, visit])
        #expect(all.first { $0.id == entry }?.scope.owners == [omar.id])
        let lenas = try await f.engine.customerRead(customer, as: lena)
        #expect(lenas.view.recentActivity.map(\.id) == [visit])
        #expect(!lenas.isComplete)
        await f.close()
    }
}
