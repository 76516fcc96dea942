import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import Foundation
import Testing

/// A visit names contact persons of its own customer (R-SRV-4, R-CUS-3), planned and met: as an opportunity's,
/// the engine reads each contact from the log and refuses one of another customer, an unknown or an archived
/// one, naming `contacts`, with nothing written.
@Suite struct VisitContactsTests {
    static let scheduledAt = Date(timeIntervalSince1970: 1_767_500_000)  // 2026-01-04

    static func plan(_ id: UUID, customer: UUID, visitor: String, contacts: [UUID]) -> Visit.Command {
        .plan(id: id, customerID: customer, visitor: visitor, scheduledAt: scheduledAt, contacts: contacts, agenda: "Boiler service", place: "On site")
    }

    static func met(_ contacts: [UUID]) throws -> Visit.Command {
        .recordActual(Visit.Actual(date: try EngineFixture.day("2026-01-04"), place: "On site", contacts: contacts, summary: "Serviced"))
    }

    struct World {
        let f: EngineFixture
        let customer: UUID, ann: UUID, gone: UUID, theirs: UUID, unknown: UUID
    }

    func world(_ label: String) async throws -> World {
        let f = try await EngineFixture.make(label)
        let customer = try await f.customer("Acme", branch: "A")
        let other = try await f.customer("Other", branch: "A")
        return World(f: f, customer: customer,
                     ann: try await OpportunityContactsEngineTests.contact(f, "Ann", of: customer),
                     gone: try await OpportunityContactsEngineTests.contact(f, "Gone", of: customer, archived: true),
                     theirs: try await OpportunityContactsEngineTests.contact(f, "Theirs", of: other),
                     unknown: UUID.derived("contact", "nobody"))
    }

    /// Also: who may not plan visits for the customer learns nothing of contacts — any contact named answers
    /// the same "forbidden", before a contact is read.
    @Test func planningWithAnotherCustomersAnUnknownOrAnArchivedContactIsRefusedNamingContactsAndWritesNothing() async throws {
        let w = try await world("visit-contacts-plan")
        let outsider = try await w.f.hire("Otto", branch: "B", permissions: ScopeTests.allRightsB)
        let id = UUID.derived("visit", "refused")
        let head = try await w.f.engine.store.headPosition()
        for (label, contacts) in [("other customer's", [w.ann, w.theirs]), ("unknown", [w.unknown]), ("archived", [w.gone])] {
            let error = await #expect(throws: EngineError.self, "\(label)") {
                try await w.f.engine.execute(Visit.self, id: id, Self.plan(id, customer: w.customer, visitor: w.f.admin.id, contacts: contacts), as: w.f.admin)
            }
            #expect(error?.code == .invalid && error?.field == "contacts", "\(label): \(String(describing: error))")
        }
        var codes: [EngineError.Code?] = []
        for contacts in [[w.ann], [w.theirs], [w.unknown]] {
            let error = await #expect(throws: EngineError.self) {
                try await w.f.engine.execute(Visit.self, id: id, Self.plan(id, customer: w.customer, visitor: outsider.id, contacts: contacts), as: outsider)
            }
            codes.append(error?.code)
        }
        #expect(codes == [.forbidden, .forbidden, .forbidden], "\(codes)")
        #expect(try await w.f.engine.store.headPosition() == head, "nothing written")
        // The customer's own live contact is named.
        try await w.f.engine.execute(Visit.self, id: id, Self.plan(id, customer: w.customer, visitor: w.f.admin.id, contacts: [w.ann]), as: w.f.admin)
        #expect(try await w.f.engine.state(Visit.self, id: id, as: w.f.admin).state.contacts == [w.ann])
        await w.f.close()
    }

    /// Also: someone who may only read the visit gets "forbidden" whatever contact they name; and a contact the
    /// plan named that was archived since still met the visitor, so recording it is not refused.
    @Test func recordingTheVisitWithAnotherCustomersAnUnknownOrAnArchivedContactIsRefusedNamingContacts() async throws {
        let w = try await world("visit-contacts-actual")
        let reader = try await w.f.hire("Rae", branch: "A", permissions: [.customers, .visits, .contacts].map {
            Permission(module: $0, actions: [.query], scope: .branch("A"))
        })
        let planned = try await OpportunityContactsEngineTests.contact(w.f, "Pia", of: w.customer)
        let id = UUID.derived("visit", "met")
        try await w.f.engine.execute(Visit.self, id: id, Self.plan(id, customer: w.customer, visitor: w.f.admin.id, contacts: [planned]), as: w.f.admin)
        try await w.f.engine.execute(Contact.self, id: planned, .archive(reason: "left"), as: w.f.admin)
        w.f.clock.set(Self.scheduledAt + 3600)
        let head = try await w.f.engine.store.headPosition()
        for (label, contacts) in [("other customer's", [w.ann, w.theirs]), ("unknown", [w.unknown]), ("archived", [w.gone])] {
            let error = await #expect(throws: EngineError.self, "\(label)") {
                try await w.f.engine.execute(Visit.self, id: id, try Self.met(contacts), as: w.f.admin)
            }
            #expect(error?.code == .invalid && error?.field == "contacts", "\(label): \(String(describing: error))")
        }
        var codes: [EngineError.Code?] = []
        for contacts in [[w.ann], [w.theirs], [w.unknown]] {
            let error = await #expect(throws: EngineError.self) {
                try await w.f.engine.execute(Visit.self, id: id, try Self.met(contacts), as: reader)
            }
            codes.append(error?.code)
        }
        #expect(codes == [.forbidden, .forbidden, .forbidden], "\(codes)")
        #expect(try await w.f.engine.store.headPosition() == head, "nothing written")
        try await w.f.engine.execute(Visit.self, id: id, try Self.met([planned, w.ann]), as: w.f.admin)
        #expect(try await w.f.engine.state(Visit.self, id: id, as: w.f.admin).state.actual?.contacts == [planned, w.ann])
        await w.f.close()
    }
}
