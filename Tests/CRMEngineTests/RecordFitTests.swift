import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// Commands must fit the record they are sent to, and records whose id names their owner are that
/// owner's own.
@Suite struct RecordFitTests {
    @Test func pointsForOneCustomerCannotBeBookedToAnotherCustomersAccount() async throws {
        let f = try await EngineFixture.make("fit-loyalty")
        let a = try await f.customer("First", branch: "north")
        let b = try await f.customer("Second", branch: "north")
        let head = try await f.engine.store.headPosition()
        let error = await #expect(throws: EngineError.self) {
            try await f.engine.execute(LoyaltyAccount.self, id: a, .accrue(
                customerID: b, points: 10, source: .manual, sourceReference: "gift-1", reason: "gift",
                earnedOn: try EngineFixture.day("2026-01-01"), expiresOn: nil), as: f.admin)
        }
        #expect(error?.code == .invalid && error?.field == "customerID")
        #expect(try await f.engine.store.headPosition() == head)
        try await f.engine.execute(LoyaltyAccount.self, id: a, .accrue(
            customerID: a, points: 10, source: .manual, sourceReference: "gift-1", reason: "gift",
            earnedOn: try EngineFixture.day("2026-01-01"), expiresOn: nil), as: f.admin)
        await f.close()
    }

    @Test func anEmployeesDiaryIsTheirOwnAndNoOneElses() async throws {
        let f = try await EngineFixture.make("fit-diary")
        let own = [Permission(module: .tasks, actions: [.query, .create, .edit], scope: .own)]
        let alice = try await f.hire("Alice", branch: "north", permissions: own)
        let bob = try await f.hire("Bob", branch: "north", permissions: own)
        let item = Diary.Item(id: UUID.derived("diary", "1"), date: try EngineFixture.day("2026-01-05"), note: "Dentist")
        let aliceID = try #require(alice.employeeID)
        try await f.engine.execute(Diary.self, id: aliceID, .addItem(item), as: alice)
        let refused = await #expect(throws: EngineError.self) {
            try await f.engine.execute(Diary.self, id: aliceID, .addItem(Diary.Item(id: UUID.derived("diary", "2"), date: try EngineFixture.day("2026-01-06"), note: "x")), as: bob)
        }
        #expect(refused?.code == .notFound || refused?.code == .forbidden)
        await f.close()
    }
}

@Suite struct MoveAndKeyReuseTests {
    @Test func movingACustomerToABranchBeyondOnesReachIsRefused() async throws {
        let f = try await EngineFixture.make("move")
        let a = try await f.hire("Mover", branch: "A", permissions: [Permission(module: .customers, actions: [.query, .edit], scope: .branch("A"))])
        let id = try await f.customer("Moving Customer", branch: "A")
        let head = try await f.engine.store.headPosition()
        let refused = await #expect(throws: EngineError.self) {
            try await f.engine.execute(Customer.self, id: id, .edit(CustomerEdit(branch: .set("B")), form: .empty(group: "residential")), as: a)
        }
        #expect(refused?.code == .forbidden)
        #expect(try await f.engine.store.headPosition() == head)
        // Naming oneself owner does not make the move one's own either.
        await #expect(throws: EngineError.self) {
            try await f.engine.execute(Customer.self, id: id, .edit(CustomerEdit(branch: .set("B"), owner: .set(a.id)), form: .empty(group: "residential")), as: a)
        }
        // Within the branch, edits go through.
        try await f.engine.execute(Customer.self, id: id, .edit(CustomerEdit(name: "Renamed"), form: .empty(group: "residential")), as: a)
        await f.close()
    }

    @Test func anIdempotencyKeyReusedForAnotherRecordIsAConflict() async throws {
        let f = try await EngineFixture.make("key-reuse")
        let first = try await f.customer("First", branch: "A")
        let second = try await f.customer("Second", branch: "A")
        try await f.engine.execute(Customer.self, id: first, .activate, as: f.admin, idempotencyKey: "k-1")
        let error = await #expect(throws: EngineError.self) {
            try await f.engine.execute(Customer.self, id: second, .activate, as: f.admin, idempotencyKey: "k-1")
        }
        #expect(error?.code == .conflict && error?.field == "idempotencyKey")
        await f.close()
    }
}
