import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// A survivor absorbs a duplicate "with the contacts and open work that move to it": a person's absorb names
/// only the duplicate's own contacts (or ones already moved from it to the survivor) and its open tasks,
/// tickets and opportunities, each one the caller may see; anything else is `invalid` naming `contactIds` /
/// `openWorkIds`, in the same words for an unknown id and another branch's record, with nothing written.
@Suite struct AbsorbNamesDuplicatesRecordsTests {
    struct World {
        let f: EngineFixture
        let hana: Principal
        let survivor: UUID, duplicate: UUID
        let duplicatesContact: UUID, othersContact: UUID, munichContact: UUID
        let duplicatesTask: UUID, closedTask: UUID, duplicatesTicket: UUID, duplicatesOpportunity: UUID, othersOpportunity: UUID
    }

    static func world(_ label: String) async throws -> World {
        let f = try await EngineFixture.make(label)
        let hana = try await f.hire("Hana", branch: "B", permissions: ScopeTests.allRightsB)
        let survivor = try await f.customer("Survivor", branch: "B")
        let duplicate = try await f.customer("Duplicate", branch: "B")
        let other = try await f.customer("Other", branch: "B")
        let munich = try await f.customer("Munich", branch: "M")
        func contact(_ name: String, of customer: UUID) async throws -> UUID {
            try await OpportunityContactsEngineTests.contact(f, name, of: customer)
        }
        func task(_ label: String, closed: Bool = false) async throws -> UUID {
            let id = UUID.derived("task", label)
            try await f.engine.execute(WorkTask.self, id: id, .dispatch(taskID: id, details: WorkTask.Details(
                title: "Call \(label)", customerID: duplicate, kind: .followUp, dueAt: f.clock.now().addingTimeInterval(86_400)),
                assignee: f.admin.id), as: f.admin)
            if closed { try await f.engine.execute(WorkTask.self, id: id, .cancel(reason: "not needed"), as: f.admin) }
            return id
        }
        func opportunity(_ label: String, of customer: UUID) async throws -> UUID {
            let id = UUID.derived("opportunity", label)
            try await f.engine.execute(Opportunity.self, id: id, OpportunityContactsEngineTests.open(id, customer: customer, owner: f.admin.id, contacts: []), as: f.admin)
            return id
        }
        try await f.engine.execute(Settings.self, id: UUID(), .setSLADeadline(SLADeadline(kind: .faultRepair, severity: .high, responseMinutes: 60, resolutionMinutes: 480)), as: f.admin)
        let ticket = UUID.derived("ticket", "duplicate's")
        try await f.engine.execute(Ticket.self, id: ticket, .open(id: ticket, channel: .phone, kind: .faultRepair, severity: .high, customerID: duplicate,
                                                                  subject: "No water", description: nil, department: "service", sla: nil), as: f.admin)
        let world = World(
            f: f, hana: hana, survivor: survivor, duplicate: duplicate,
            duplicatesContact: try await contact("Dora", of: duplicate), othersContact: try await contact("Otto", of: other),
            munichContact: try await contact("Max", of: munich),
            duplicatesTask: try await task("open"), closedTask: try await task("closed", closed: true), duplicatesTicket: ticket,
            duplicatesOpportunity: try await opportunity("duplicate's", of: duplicate), othersOpportunity: try await opportunity("munich's", of: munich))
        try await f.engine.execute(Customer.self, id: duplicate, .markMerged(into: survivor), as: hana)
        return world
    }

    static func absorb(_ w: World, contacts: [UUID] = [], work: [UUID] = []) async throws -> CRMEngine.CommandResult {
        try await w.f.engine.execute(Customer.self, id: w.survivor, .absorbDuplicate(duplicateID: w.duplicate, contactIDs: contacts, openWorkIDs: work), as: w.hana)
    }

    @Test func contactsAndWorkOfAnotherCustomerAnotherBranchUnknownOrClosedAreRefusedAlikeWithNothingWritten() async throws {
        let w = try await Self.world("absorb-refused")
        let head = try await w.f.engine.store.headPosition()
        let unknown = UUID.derived("contact", "nobody")
        var messages: Set<String> = []
        for (label, contacts) in [("another customer's", [w.duplicatesContact, w.othersContact]), ("another branch's", [w.munichContact]),
                                  ("unknown", [unknown]), ("a task id", [w.duplicatesTask])] {
            let error = await #expect(throws: EngineError.self, "\(label)") { try await Self.absorb(w, contacts: contacts) }
            #expect(error?.code == .invalid && error?.field == "contactIds", "\(label): \(String(describing: error))")
            if let error, label != "another customer's" { messages.insert(error.message) }
        }
        for (label, work) in [("another branch's opportunity", [w.othersOpportunity]), ("a closed task", [w.closedTask]),
                              ("unknown", [unknown]), ("a contact id", [w.duplicatesContact]), ("the duplicate itself", [w.duplicate])] {
            let error = await #expect(throws: EngineError.self, "\(label)") { try await Self.absorb(w, work: [w.duplicatesTask, work[0]]) }
            #expect(error?.code == .invalid && error?.field == "openWorkIds", "\(label): \(String(describing: error))")
        }
        #expect(messages.count == 1, "an id beyond the caller's scope is refused in the words of an unknown one: \(messages)")
        #expect(try await w.f.engine.store.headPosition() == head, "nothing written")
        await w.f.close()
    }

    @Test func theDuplicatesContactsAndOpenTasksTicketsAndOpportunitiesAreRecorded() async throws {
        let w = try await Self.world("absorb-recorded")
        let work = [w.duplicatesTask, w.duplicatesTicket, w.duplicatesOpportunity]
        let result = try await Self.absorb(w, contacts: [w.duplicatesContact], work: work)
        #expect(result.events.map(\.type) == [CustomerAbsorbedDuplicate.eventType])
        let state = try await w.f.engine.state(Customer.self, id: w.survivor, as: w.hana).state
        #expect(state.absorbed == [w.duplicate])
        // A repeat records nothing and is not judged again (the task closed since).
        try await w.f.engine.execute(WorkTask.self, id: w.duplicatesTask, .cancel(reason: "done elsewhere"), as: w.f.admin)
        #expect(try await Self.absorb(w, contacts: [w.duplicatesContact], work: work).events.isEmpty)
        await w.f.close()
    }

    @Test func aContactAlreadyMovedFromTheDuplicateToTheSurvivorMayBeNamedButNotTheSurvivorsOwn() async throws {
        let w = try await Self.world("absorb-moved")
        try await w.f.engine.execute(Contact.self, id: w.duplicatesContact, .moveToCustomer(w.survivor), as: w.hana)
        let own = try await OpportunityContactsEngineTests.contact(w.f, "Sven", of: w.survivor)
        let error = await #expect(throws: EngineError.self) { try await Self.absorb(w, contacts: [w.duplicatesContact, own]) }
        #expect(error?.field == "contactIds")
        let result = try await Self.absorb(w, contacts: [w.duplicatesContact])
        #expect(result.events.count == 1)
        await w.f.close()
    }
}
