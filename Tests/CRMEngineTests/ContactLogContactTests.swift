import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import Foundation
import Testing

/// The contact person a contact log entry names (R-SRV-3, R-CUS-3) is a live contact of the entry's own customer,
/// as a visit's and an opportunity's are: the engine reads it from the log and refuses one of another customer, an
/// unknown or an archived one, naming `contactID`, with nothing written — on logging and on amending alike.
@Suite struct ContactLogContactTests {
    struct World {
        let f: EngineFixture
        let customer: UUID, ann: UUID, gone: UUID, theirs: UUID, unknown: UUID
    }

    func world(_ label: String) async throws -> World {
        let f = try await EngineFixture.make(label)
        let customer = try await f.customer("Acme", branch: "A")
        let other = try await f.customer("Other", branch: "B")
        return World(f: f, customer: customer,
                     ann: try await OpportunityContactsEngineTests.contact(f, "Ann", of: customer),
                     gone: try await OpportunityContactsEngineTests.contact(f, "Gone", of: customer, archived: true),
                     theirs: try await OpportunityContactsEngineTests.contact(f, "Theirs", of: other),
                     unknown: UUID.derived("contact", "nobody"))
    }

    static func details(_ f: EngineFixture, contact: UUID?, subject: String = "Meter reading") -> ContactLogEntry.Details {
        ContactLogEntry.Details(contactID: contact, channel: .phone, subject: subject, occurredAt: f.clock.now().addingTimeInterval(-3600),
                                durationSeconds: 120)
    }

    /// Also: who may not create contact log entries for the customer gets "forbidden", and who may create them but
    /// not query the customer gets the customer's answer (`customerID`), whatever contact they name — before a
    /// contact is read, so neither learns whose contact an id is.
    @Test func loggingWithAnotherCustomersAnUnknownOrAnArchivedContactIsRefusedNamingContactIDAndWritesNothing() async throws {
        let w = try await world("contact-log-contact-log")
        let outsider = try await w.f.hire("Otto", branch: "B", permissions: ScopeTests.allRightsB)
        let blind = try await w.f.hire("Bea", branch: "A", permissions: [Permission(module: .contacts, actions: Permission.Action.allCases, scope: .branch("A"))])
        let id = UUID.derived("contact-log", "refused")
        let head = try await w.f.engine.store.headPosition()
        for (label, contact) in [("other customer's", w.theirs), ("unknown", w.unknown), ("archived", w.gone)] {
            let error = await #expect(throws: EngineError.self, "\(label)") {
                try await w.f.engine.execute(ContactLogEntry.self, id: id, .log(id: id, customerID: w.customer, details: Self.details(w.f, contact: contact)), as: w.f.admin)
            }
            #expect(error?.code == .invalid && error?.field == "contactID", "\(label): \(String(describing: error))")
        }
        for (principal, code, field) in [(outsider, EngineError.Code.forbidden, nil as String?), (blind, .invalid, "customerID")] {
            var answers: [String] = []
            for contact in [w.ann, w.theirs, w.unknown] {
                let error = await #expect(throws: EngineError.self) {
                    try await w.f.engine.execute(ContactLogEntry.self, id: id, .log(id: id, customerID: w.customer, details: Self.details(w.f, contact: contact)), as: principal)
                }
                answers.append("\(error?.code.rawValue ?? "-") \(error?.field ?? "-") \(error?.message ?? "")")
            }
            #expect(Set(answers).count == 1 && answers.first?.hasPrefix("\(code.rawValue) \(field ?? "-") ") == true, "\(answers)")
        }
        #expect(try await w.f.engine.store.headPosition() == head, "nothing written")
        // The customer's own live contact, or none, is named.
        try await w.f.engine.execute(ContactLogEntry.self, id: id, .log(id: id, customerID: w.customer, details: Self.details(w.f, contact: w.ann)), as: w.f.admin)
        #expect(try await w.f.engine.state(ContactLogEntry.self, id: id, as: w.f.admin).state.details?.contactID == w.ann)
        let none = UUID.derived("contact-log", "no contact")
        try await w.f.engine.execute(ContactLogEntry.self, id: none, .log(id: none, customerID: w.customer, details: Self.details(w.f, contact: nil)), as: w.f.admin)
        await w.f.close()
    }

    /// Also: someone who may only read the entry gets "forbidden" whatever contact they name; and the contact the
    /// entry already names, archived since, does not stop another field's amendment.
    @Test func amendingToAnotherCustomersAnUnknownOrAnArchivedContactIsRefusedNamingContactIDAndWritesNothing() async throws {
        let w = try await world("contact-log-contact-amend")
        let reader = try await w.f.hire("Rae", branch: "A", permissions: [.customers, .contacts].map {
            Permission(module: $0, actions: [.query], scope: .branch("A"))
        })
        let spoken = try await OpportunityContactsEngineTests.contact(w.f, "Pia", of: w.customer)
        let id = UUID.derived("contact-log", "amended")
        try await w.f.engine.execute(ContactLogEntry.self, id: id, .log(id: id, customerID: w.customer, details: Self.details(w.f, contact: spoken)), as: w.f.admin)
        try await w.f.engine.execute(Contact.self, id: spoken, .archive(reason: "left"), as: w.f.admin)
        let head = try await w.f.engine.store.headPosition()
        for (label, contact) in [("other customer's", w.theirs), ("unknown", w.unknown), ("archived", w.gone)] {
            let error = await #expect(throws: EngineError.self, "\(label)") {
                try await w.f.engine.execute(ContactLogEntry.self, id: id, .amend(Self.details(w.f, contact: contact)), as: w.f.admin)
            }
            #expect(error?.code == .invalid && error?.field == "contactID", "\(label): \(String(describing: error))")
        }
        var codes: [EngineError.Code?] = []
        for contact in [w.ann, w.theirs, w.unknown] {
            let error = await #expect(throws: EngineError.self) {
                try await w.f.engine.execute(ContactLogEntry.self, id: id, .amend(Self.details(w.f, contact: contact)), as: reader)
            }
            codes.append(error?.code)
        }
        #expect(codes == [.forbidden, .forbidden, .forbidden], "\(codes)")
        #expect(try await w.f.engine.store.headPosition() == head, "nothing written")
        // The archived contact the entry names stays; another of the customer's live contacts may replace it.
        try await w.f.engine.execute(ContactLogEntry.self, id: id, .amend(Self.details(w.f, contact: spoken, subject: "Meter reading, corrected")), as: w.f.admin)
        try await w.f.engine.execute(ContactLogEntry.self, id: id, .amend(Self.details(w.f, contact: w.ann, subject: "Meter reading, corrected")), as: w.f.admin)
        #expect(try await w.f.engine.state(ContactLogEntry.self, id: id, as: w.f.admin).state.details?.contactID == w.ann)
        await w.f.close()
    }
}
