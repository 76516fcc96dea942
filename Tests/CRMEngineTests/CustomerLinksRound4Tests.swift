import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// Contacts, maintenance pairings and a person's loyalty points name a customer that exists and was not merged;
/// one primary contact per customer; a relationship names a contact of the same customer; a reversed revenue
/// entry takes back the points it earned.
@Suite struct CustomerLinksRound4Tests {
    static func refusal(_ body: () async throws -> Void) async -> EngineError? {
        await #expect(throws: EngineError.self) { try await body() }
    }

    static func createContact(_ f: EngineFixture, _ name: String, of customer: UUID, role: ContactRole = .other,
                              as principal: Principal? = nil) async throws -> UUID {
        let id = UUID.derived("contact", name)
        try await f.engine.execute(Contact.self, id: id, .create(contactID: id, NewContact(customerID: customer, name: name, role: role)),
                                   as: principal ?? f.admin)
        return id
    }

    static func pair(_ f: EngineFixture, _ customer: UUID, as principal: Principal, manager: String = "manager-1") async throws {
        try await f.engine.execute(MaintenancePairing.self, id: MaintenancePairing.id(customerID: customer),
                                   .pair(customerID: customer, agent: f.admin.id, manager: manager), as: principal)
    }

    static func accrue(_ f: EngineFixture, _ customer: UUID, points: Int = 5, reference: String = "manual-1") async throws {
        try await f.engine.execute(LoyaltyAccount.self, id: customer, .accrue(
            customerID: customer, points: points, source: .manual, sourceReference: reference, reason: "x",
            earnedOn: try EngineFixture.day("2026-01-01"), expiresOn: nil), as: f.admin)
    }

    @Test func aContactPairingOrLoyaltyAccrualForAnUnknownOrMergedCustomerIsRefusedWithNothingWritten() async throws {
        let f = try await EngineFixture.make("round4-links")
        let survivor = try await f.customer("Li Wei", branch: "north")
        let duplicate = try await f.customer("Li Wei (duplicate)", branch: "north")
        try await f.engine.execute(Customer.self, id: duplicate, .markMerged(into: survivor), as: f.admin)
        let head = try await f.engine.store.headPosition()
        for customer in [UUID(uuidString: "00000000-0000-4000-8000-000000000000") ?? UUID(), duplicate] {
            let contact = await Self.refusal { _ = try await Self.createContact(f, "X-\(customer)", of: customer) }
            #expect(contact?.code == .invalid && contact?.field == "customerID", "\(String(describing: contact))")
            let pairing = await Self.refusal { try await Self.pair(f, customer, as: f.admin) }
            #expect(pairing?.code == .invalid && pairing?.field == "customerID", "\(String(describing: pairing))")
            let points = await Self.refusal { try await Self.accrue(f, customer) }
            #expect(points?.code == .invalid && points?.field == "customerID", "\(String(describing: points))")
            // A redemption or expiry opens no account either.
            _ = await Self.refusal {
                try await f.engine.execute(LoyaltyAccount.self, id: customer, .redeem(redemptionID: UUID(), points: 1, reason: "x",
                                                                                   on: try EngineFixture.day("2026-01-01")), as: f.admin)
            }
            #expect(try await f.engine.execute(LoyaltyAccount.self, id: customer, .expire(asOf: try EngineFixture.day("2026-01-01")), as: f.admin).events.isEmpty)
        }
        #expect(try await f.engine.store.headPosition() == head, "nothing written")
        // The surviving customer gets all three.
        // A pairing's manager may work on the customer (`query` in customers over its scope).
        let manager = try await f.hire("Manager", branch: "north", permissions: [Permission(module: .customers, actions: [.query], scope: .branch("north"))])
        _ = try await Self.createContact(f, "Zhang Min", of: survivor)
        try await Self.pair(f, survivor, as: f.admin, manager: manager.id)
        try await Self.accrue(f, survivor)
        await f.close()
    }

    /// Someone who may create contacts and pairings everywhere but query customers of Berlin alone gets the
    /// same answer for a Shanghai customer as for none; the system (a replay) is not judged on the customer.
    @Test func aCustomerTheCallerMayNotSeeIsAnsweredAsNoneAndTheSystemIsNotJudged() async throws {
        let f = try await EngineFixture.make("round4-links-hidden")
        let tess = try await f.hire("Tess", branch: "berlin", permissions: [
            Permission(module: .contacts, actions: Permission.Action.allCases, scope: .all),
            Permission(module: .customers, actions: [.create], scope: .all),
            Permission(module: .customers, actions: [.query], scope: .branch("berlin"))])
        let shanghai = try await f.customer("上海瑞丰科技有限公司", branch: "shanghai")
        let head = try await f.engine.store.headPosition()
        var answers: [String] = []
        for customer in [shanghai, UUID.derived("customer", "nobody")] {
            let contact = await Self.refusal { _ = try await Self.createContact(f, "C-\(customer)", of: customer, as: tess) }
            let pairing = await Self.refusal { try await Self.pair(f, customer, as: tess) }
            #expect(contact?.field == "customerID" && pairing?.field == "customerID")
            answers += [contact?.message ?? "", pairing?.message ?? ""]
        }
        #expect(Set(answers).count == 1, "\(answers)")
        #expect(try await f.engine.store.headPosition() == head)
        _ = try await Self.createContact(f, "Replayed", of: UUID.derived("customer", "nobody"), as: .system)
        await f.close()
    }

    @Test func aSecondPrimaryContactIsRefusedOnCreateAndEdit() async throws {
        let f = try await EngineFixture.make("round4-primary")
        let customer = try await f.customer("Acme", branch: "A")
        let other = try await f.customer("Other", branch: "A")
        let first = try await Self.createContact(f, "First", of: customer, role: .primary)
        let backup = try await Self.createContact(f, "Backup", of: customer, role: .backup)
        _ = try await Self.createContact(f, "Theirs", of: other, role: .primary)  // another customer's primary does not count
        let head = try await f.engine.store.headPosition()
        let created = await Self.refusal { _ = try await Self.createContact(f, "Second", of: customer, role: .primary) }
        #expect(created?.code == .invalid && created?.field == "role", "\(String(describing: created))")
        let edited = await Self.refusal { try await f.engine.execute(Contact.self, id: backup, .edit(ContactEdit(role: .primary)), as: f.admin) }
        #expect(edited?.code == .invalid && edited?.field == "role", "\(String(describing: edited))")
        #expect(try await f.engine.store.headPosition() == head, "nothing written")
        // The primary itself may be edited; once it is a backup (or archived), another may become primary.
        try await f.engine.execute(Contact.self, id: first, .edit(ContactEdit(name: "First Person", role: .primary)), as: f.admin)
        try await f.engine.execute(Contact.self, id: first, .edit(ContactEdit(role: .backup)), as: f.admin)
        try await f.engine.execute(Contact.self, id: backup, .edit(ContactEdit(role: .primary)), as: f.admin)
        try await f.engine.execute(Contact.self, id: backup, .archive(reason: "left"), as: f.admin)
        _ = try await Self.createContact(f, "New Primary", of: customer, role: .primary)
        // The archived primary comes back only once the new one is not primary.
        let beforeRestore = try await f.engine.store.headPosition()
        let restored = await Self.refusal { try await f.engine.execute(Contact.self, id: backup, .restore, as: f.admin) }
        #expect(restored?.code == .invalid && restored?.field == "role", "\(String(describing: restored))")
        #expect(try await f.engine.store.headPosition() == beforeRestore, "nothing written")
        await f.close()
    }

    @Test func aRelationshipToAContactOfAnotherCustomerOrToNoContactIsRefused() async throws {
        let f = try await EngineFixture.make("round4-relationships")
        let customer = try await f.customer("Acme", branch: "A")
        let other = try await f.customer("Other", branch: "A")
        let ann = try await Self.createContact(f, "Ann", of: customer)
        let bob = try await Self.createContact(f, "Bob", of: customer)
        let theirs = try await Self.createContact(f, "Theirs", of: other)
        let head = try await f.engine.store.headPosition()
        for target in [UUID(uuidString: "22222222-2222-4222-8222-222222222222") ?? UUID(), theirs] {
            let error = await Self.refusal {
                try await f.engine.execute(Contact.self, id: ann, .addRelationship(ContactRelationship(contactID: target, kind: .familyOf)), as: f.admin)
            }
            #expect(error?.code == .invalid && error?.field == "contactID", "\(String(describing: error))")
        }
        #expect(try await f.engine.store.headPosition() == head, "nothing written")
        try await f.engine.execute(Contact.self, id: ann, .addRelationship(ContactRelationship(contactID: bob, kind: .colleagueOf)), as: f.admin)
        await f.close()
    }

    /// 1 point per CNY: the entry earns 250, 200 are redeemed from its lot, the reversal takes back the 50 left.
    @Test func aReversedRevenueEntryTakesBackWhatIsLeftOfThePointsItEarned() async throws {
        let f = try await EngineFixture.make("round4-clawback")
        try await f.engine.execute(Settings.self, id: UUID(), .replaceLoyaltyAccrualRules([
            LoyaltyAccrualRule(source: .spend, points: 1, currency: .cny)]), as: f.admin)
        let customer = try await f.customer("Li Wei", branch: "north")
        let ledger = RevenueLedger.id(customerID: customer)
        let entry = RevenueLedger.Entry(id: UUID.derived("entry", "round4"), customerID: customer, chargeItem: "water", businessLine: "utility",
                                        date: try EngineFixture.day("2025-12-30"), amount: Money(Decimal(string: "250.75") ?? 0, .cny))
        let recorded = try await f.engine.execute(RevenueLedger.self, id: ledger, .record(entry), as: f.admin)
        try await f.engine.reactionsSettled(upTo: recorded.position)
        try await Self.accrue(f, customer, points: 100)
        try await f.engine.execute(LoyaltyAccount.self, id: customer, .redeem(redemptionID: UUID.derived("redemption", "round4"), points: 200,
                                                                           reason: "gift", on: try EngineFixture.day("2026-01-01")), as: f.admin)
        let reversed = try await f.engine.execute(RevenueLedger.self, id: ledger, .reverse(entryID: entry.id, reversalID: UUID.derived("entry", "round4-reversal"),
                                                                                           reason: "billed twice"), as: f.admin)
        try await f.engine.reactionsSettled(upTo: reversed.position)
        let account = try await f.engine.state(LoyaltyAccount.self, id: customer, as: f.admin).state
        #expect(account.recordedBalance == 100, "the manual 100 stay; the 50 left of the entry's lot are taken back")
        #expect(account.ledger.map(\.points) == [250, 100, -200, -50])
        #expect(try await f.engine.loyalty(of: customer, as: f.admin, consistentWith: try await f.engine.store.headPosition()).usable == 100)
        // A person may not take points back by hand.
        let byHand = await Self.refusal {
            try await f.engine.execute(LoyaltyAccount.self, id: customer, .clawBack(clawbackID: UUID(), sourceReference: "manual-1", reason: "x",
                                                                                 on: try EngineFixture.day("2026-01-01")), as: f.admin)
        }
        #expect(byHand?.code == .forbidden)
        await f.close()
    }
}
