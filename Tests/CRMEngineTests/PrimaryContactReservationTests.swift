import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// One live primary contact per customer (R-CUS-3), kept by a reservation claimed in the same append as the
/// contact's events: two creates racing for one customer cannot both win, demoting, archiving or moving the
/// primary contact frees it, restoring one claims it again; a store whose primary contacts predate the
/// reservation falls back to the customer's contacts.
@Suite struct PrimaryContactReservationTests {
    static func key(_ customer: UUID) -> UniqueKey { UniqueKey(namespace: "primary-contact", key: customer.lowercasedString) }

    static func create(_ f: EngineFixture, _ id: UUID, of customer: UUID, role: ContactRole = .primary,
                       as principal: Principal? = nil) async throws {
        try await f.engine.execute(Contact.self, id: id, .create(contactID: id, NewContact(customerID: customer, name: "Contact", role: role)),
                                   as: principal ?? f.admin)
    }

    static func refusal(_ body: () async throws -> Void) async -> EngineError? {
        await #expect(throws: EngineError.self) { try await body() }
    }

    @Test func concurrentPrimaryCreatesForOneCustomerLetExactlyOneWin() async throws {
        let f = try await EngineFixture.make("primary-race")
        for round in 0..<3 {
            let customer = try await f.customer("Acme \(round)", branch: "A")
            let ids = (0..<6).map { _ in UUID() }
            let outcomes = await withTaskGroup(of: (UUID, EngineError?).self) { group in
                for id in ids {
                    group.addTask {
                        do {
                            try await Self.create(f, id, of: customer)
                            return (id, nil)
                        } catch let error as EngineError {
                            return (id, error)
                        } catch {
                            return (id, EngineError(.invalid, "unexpected: \(error)"))
                        }
                    }
                }
                var all: [(UUID, EngineError?)] = []
                for await outcome in group { all.append(outcome) }
                return all
            }
            let winners = outcomes.filter { $0.1 == nil }.map(\.0)
            #expect(winners.count == 1, "round \(round): \(winners.count) primary contacts created")
            for (_, error) in outcomes {
                guard let error else { continue }
                #expect(error.code == .invalid && error.field == "role", "\(error)")
            }
            // Only the winner was written, and it holds the customer's key.
            for id in ids where !winners.contains(id) {
                #expect(try await f.engine.store.streamVersion(of: Contact.stream(id)) == .noStream)
            }
            if let winner = winners.first {
                #expect(try await f.engine.holder(of: Self.key(customer)) == Contact.stream(winner))
            }
        }
        await f.close()
    }

    @Test func demotingArchivingOrMovingThePrimaryContactFreesItsCustomerAndRestoringClaimsItAgain() async throws {
        let f = try await EngineFixture.make("primary-release")
        let customer = try await f.customer("Acme", branch: "A")
        let survivor = try await f.customer("Survivor", branch: "A")
        let a = UUID(), b = UUID(), c = UUID(), d = UUID(), e = UUID()
        try await Self.create(f, a, of: customer)
        #expect(try await f.engine.holder(of: Self.key(customer)) == Contact.stream(a))
        // Demoted: freed, and another may be primary.
        try await f.engine.execute(Contact.self, id: a, .edit(ContactEdit(role: .backup)), as: f.admin)
        #expect(try await f.engine.holder(of: Self.key(customer)) == nil)
        try await Self.create(f, b, of: customer)
        #expect(try await f.engine.holder(of: Self.key(customer)) == Contact.stream(b))
        // Archived: freed; restored while another is primary: refused, nothing written.
        try await f.engine.execute(Contact.self, id: b, .archive(reason: "left"), as: f.admin)
        #expect(try await f.engine.holder(of: Self.key(customer)) == nil)
        try await Self.create(f, c, of: customer)
        let head = try await f.engine.store.headPosition()
        let restored = await Self.refusal { try await f.engine.execute(Contact.self, id: b, .restore, as: f.admin) }
        #expect(restored?.code == .invalid && restored?.field == "role", "\(String(describing: restored))")
        #expect(try await f.engine.store.headPosition() == head, "nothing written")
        // Once the other one is archived, the restored primary claims the key again.
        try await f.engine.execute(Contact.self, id: c, .archive(reason: nil), as: f.admin)
        try await f.engine.execute(Contact.self, id: b, .restore, as: f.admin)
        #expect(try await f.engine.holder(of: Self.key(customer)) == Contact.stream(b))
        // Moved to a merge's survivor (which has its own primary): freed here, the survivor's key left alone.
        try await Self.create(f, d, of: survivor)
        try await f.engine.execute(Contact.self, id: b, .moveToCustomer(survivor), as: .system)
        #expect(try await f.engine.holder(of: Self.key(customer)) == nil)
        #expect(try await f.engine.holder(of: Self.key(survivor)) == Contact.stream(d))
        try await Self.create(f, e, of: customer)
        #expect(try await f.engine.holder(of: Self.key(customer)) == Contact.stream(e))
        await f.close()
    }

    /// A primary contact moved in by a merge claims nothing at the survivor: once the survivor's own primary
    /// is demoted (freeing the key), the moved one still blocks a new primary (the key not held now falls back
    /// to the customer's contacts).
    @Test func aPrimaryContactMovedInByAMergeStillBlocksANewOneAfterTheSurvivorsOwnIsDemoted() async throws {
        let f = try await EngineFixture.make("primary-merged-in")
        let duplicate = try await f.customer("Acme (duplicate)", branch: "A")
        let survivor = try await f.customer("Acme", branch: "A")
        let own = UUID(), moved = UUID(), late = UUID()
        try await Self.create(f, own, of: survivor)
        try await Self.create(f, moved, of: duplicate)
        try await f.engine.execute(Contact.self, id: moved, .moveToCustomer(survivor), as: .system)
        try await f.engine.execute(Contact.self, id: own, .edit(ContactEdit(role: .backup)), as: f.admin)
        #expect(try await f.engine.holder(of: Self.key(survivor)) == nil)
        let refused = await Self.refusal { try await Self.create(f, late, of: survivor) }
        #expect(refused?.code == .invalid && refused?.field == "role", "\(String(describing: refused))")
        #expect(try await f.engine.store.streamVersion(of: Contact.stream(late)) == .noStream)
        await f.close()
    }

    @Test func theSystemsCreateOfASecondPrimaryContactIsRefusedByTheReservation() async throws {
        let f = try await EngineFixture.make("primary-system")
        let customer = try await f.customer("Acme", branch: "A")
        try await Self.create(f, UUID(), of: customer)
        let second = UUID()
        let refused = await Self.refusal { try await Self.create(f, second, of: customer, as: .system) }
        #expect(refused?.code == .invalid && refused?.field == "role", "\(String(describing: refused))")
        #expect(try await f.engine.store.streamVersion(of: Contact.stream(second)) == .noStream)
        // A dry run answers the same.
        let dry = await Self.refusal {
            try await f.engine.dryRun(Contact.self, id: second, .create(contactID: second, NewContact(customerID: customer, name: "X", role: .primary)),
                                      as: .system)
        }
        #expect(dry?.code == .invalid && dry?.field == "role", "\(String(describing: dry))")
        await f.close()
    }

    @Test func aPrimaryContactFromBeforeTheReservationStillBlocksASecondOne() async throws {
        let f = try await EngineFixture.make("primary-legacy")
        let customer = try await f.customer("Acme", branch: "A")
        // Written straight to the log, as a store from before the reservation holds it: no key reserved.
        let legacy = UUID()
        try await f.engine.store.append([StreamAppend(stream: Contact.stream(legacy), expectedVersion: .noStream, events: [
            try EventData(id: UUID(), payload: ContactCreated(contactID: legacy, customerID: customer, name: "Old Primary", role: .primary),
                          metadata: EventMetadata(actor: "system"))])])
        #expect(try await f.engine.holder(of: Self.key(customer)) == nil)
        let refused = await Self.refusal { try await Self.create(f, UUID(), of: customer) }
        #expect(refused?.code == .invalid && refused?.field == "role", "\(String(describing: refused))")
        // Demoted, it frees the customer for a new primary, which then holds the key.
        try await f.engine.execute(Contact.self, id: legacy, .edit(ContactEdit(role: .backup)), as: f.admin)
        let fresh = UUID()
        try await Self.create(f, fresh, of: customer)
        #expect(try await f.engine.holder(of: Self.key(customer)) == Contact.stream(fresh))
        // Made primary again, the old one meets the reservation.
        let again = await Self.refusal { try await f.engine.execute(Contact.self, id: legacy, .edit(ContactEdit(role: .primary)), as: f.admin) }
        #expect(again?.code == .invalid && again?.field == "role", "\(String(describing: again))")
        await f.close()
    }

    @Test func aSeededHistoryReservesItsPrimaryContactsAsTheEngineDoes() throws {
        let ids = SequentialIDGenerator()
        var keys = try HistoryKeyReservations(ids: ids)
        let context = CommandContext(now: Date(timeIntervalSince1970: 1_767_225_600), actor: "system")
        let customer = UUID()
        var states: [UUID: Contact.State] = [:]
        func batch(_ id: UUID, _ command: Contact.Command) throws -> [StreamAppend] {
            let state = states[id] ?? Contact.initialState
            let events = try Contact.decide(command, state: state, context: context)
            states[id] = events.reduce(state, Contact.evolve)
            return [StreamAppend(stream: Contact.stream(id), expectedVersion: .any,
                                 events: try events.map { try $0.eventData(id: ids.next(), metadata: EventMetadata(actor: "system")) })]
        }
        let a = UUID(), b = UUID()
        let first = try keys.reservations(for: try batch(a, .create(contactID: a, NewContact(customerID: customer, name: "A", role: .primary))))
        #expect(first.map { $0.events.map(\.type) } == [[KeyReserved.eventType]])
        #expect(throws: EngineError.self) {
            _ = try keys.reservations(for: try batch(b, .create(contactID: b, NewContact(customerID: customer, name: "B", role: .primary))))
        }
        let archived = try keys.reservations(for: try batch(a, .archive(reason: nil)))
        #expect(archived.map { $0.events.map(\.type) } == [[KeyReleased.eventType]])
        let restored = try keys.reservations(for: try batch(a, .restore))
        #expect(restored.map { $0.events.map(\.type) } == [[KeyReserved.eventType]])
    }
}
