import CRMDomain
@testable import CRMEngine
import CRMProjections
import EventSourcing
import Foundation
import Testing

@Suite struct CommandTests {
    @Test func aCommandRecordsItsEventsWithTheActorAndReturnsThem() async throws {
        let f = try await EngineFixture.make()
        let id = try await f.customer("Li Wei", branch: "north")
        let (state, version) = try await f.engine.state(Customer.self, id: id, as: f.admin)
        #expect(state.name == "Li Wei" && state.branch == "north")
        #expect(version == StreamVersion(1))
        let result = try await f.engine.execute(Customer.self, id: id, .activate, as: f.admin)
        #expect(result.events.map(\.type) == ["CustomerActivated"])
        #expect(result.events.first?.metadata.actor == f.admin.id)
        #expect(result.version == StreamVersion(2))
        await f.close()
    }

    @Test func aStaleExpectedVersionIsAConflictAndWritesNothing() async throws {
        let f = try await EngineFixture.make()
        let id = try await f.customer("Li Wei", branch: "north")
        let error = await #expect(throws: EngineError.self) {
            try await f.engine.execute(Customer.self, id: id, .activate, as: f.admin, expectedVersion: StreamVersion(7))
        }
        #expect(error?.code == .conflict)
        #expect(error?.currentVersion == StreamVersion(1))
        #expect(try await f.engine.store.streamVersion(of: Customer.stream(id)) == StreamVersion(1))
        try await f.engine.execute(Customer.self, id: id, .activate, as: f.admin, expectedVersion: StreamVersion(1))
        await f.close()
    }

    @Test func anExpectedVersionTellsNothingOfARecordThePrincipalMayNotSeeOrThatDoesNotExist() async throws {
        let f = try await EngineFixture.make("expected-version-scope")
        let south = try await f.customer("Sun Li", branch: "south")
        let clerk = try await f.hire("Clerk", branch: "north", permissions: [Permission(module: .customers, actions: Permission.Action.allCases, scope: .branch("north"))])
        for version in [StreamVersion(1), StreamVersion(7)] {
            let error = await #expect(throws: EngineError.self) {
                try await f.engine.execute(Customer.self, id: south, .edit(CustomerEdit(name: "x"), form: .empty(group: "residential")),
                                           as: clerk, expectedVersion: version)
            }
            #expect(error?.code == .notFound && error?.currentVersion == nil, "\(version): \(String(describing: error))")
        }
        let missing = await #expect(throws: EngineError.self) {
            try await f.engine.execute(Customer.self, id: UUID.derived("customer", "nobody"), .activate, as: f.admin, expectedVersion: StreamVersion(1))
        }
        #expect(missing?.code == .notFound && missing?.currentVersion == nil)
        await f.close()
    }

    @Test func aRepeatedIdempotencyKeyReturnsTheFirstResultAndWritesNothingNew() async throws {
        let f = try await EngineFixture.make()
        let id = try await f.customer("Li Wei", branch: "north")
        let first = try await f.engine.execute(Customer.self, id: id, .activate, as: f.admin, idempotencyKey: "req-1")
        let head = try await f.engine.store.headPosition()
        let again = try await f.engine.execute(Customer.self, id: id, .activate, as: f.admin, idempotencyKey: "req-1")
        #expect(again.repeated)
        #expect(again.events == first.events)
        #expect(try await f.engine.store.headPosition() == head)
        // Another key is a new command: activating twice is refused by the domain.
        let refused = await #expect(throws: EngineError.self) {
            try await f.engine.execute(Customer.self, id: id, .activate, as: f.admin, idempotencyKey: "req-2")
        }
        #expect(refused?.code == .rejected)
        await f.close()
    }

    @Test func aKeySentAgainWithAnotherRequestIsRefusedAndWritesNothing() async throws {
        let f = try await EngineFixture.make()
        let id = try await f.customer("Li Wei", branch: "north")
        let first = try await f.engine.execute(Customer.self, id: id, .activate, as: f.admin, idempotencyKey: "req-1", requestDigest: "digest-a")
        let head = try await f.engine.store.headPosition()
        // The same request again gets the first answer; so does a caller that gives no digest.
        #expect(try await f.engine.execute(Customer.self, id: id, .activate, as: f.admin, idempotencyKey: "req-1", requestDigest: "digest-a").events == first.events)
        #expect(try await f.engine.execute(Customer.self, id: id, .activate, as: f.admin, idempotencyKey: "req-1").repeated)
        // Another request under the same key is refused, even one that would have succeeded.
        let error = await #expect(throws: EngineError.self) {
            try await f.engine.execute(Customer.self, id: id, .archive(reason: "moved"), as: f.admin, idempotencyKey: "req-1", requestDigest: "digest-b")
        }
        #expect(error?.code == .keyReused && error?.field == "idempotencyKey")
        #expect(try await f.engine.store.headPosition() == head)
        await f.close()
    }

    @Test func withoutARequestDigestTheSameKeyWithAnotherCommandIsRefusedAndTheSameCommandRepeats() async throws {
        let f = try await EngineFixture.make()
        let id = try await f.customer("Li Wei", branch: "north")
        let edit = CustomerEdit(name: "Li Wei Ltd")
        let form = FormDefinition.empty(group: "residential")
        let first = try await f.engine.execute(Customer.self, id: id, .edit(edit, form: form), as: f.admin, idempotencyKey: "edit-1")
        let head = try await f.engine.store.headPosition()
        // The same command again (a retry built anew) gets the first answer.
        let again = try await f.engine.execute(Customer.self, id: id, .edit(CustomerEdit(name: "Li Wei Ltd"), form: form), as: f.admin, idempotencyKey: "edit-1")
        #expect(again.repeated && again.events == first.events)
        // Another command under the same key, on the same record, is refused and writes nothing.
        for command: Customer.Command in [.edit(CustomerEdit(name: "Someone Else"), form: form), .archive(reason: "moved")] {
            let error = await #expect(throws: EngineError.self) {
                try await f.engine.execute(Customer.self, id: id, command, as: f.admin, idempotencyKey: "edit-1")
            }
            #expect(error?.code == .keyReused && error?.field == "idempotencyKey", "\(String(describing: error))")
        }
        #expect(try await f.engine.store.headPosition() == head)
        await f.close()
    }

    @Test func aCommandsDigestIgnoresTheOrderOfItsDictionariesAndSets() {
        var a: [String: Int] = [:]
        var b: [String: Int] = [:]
        b.reserveCapacity(256)
        let keys = (0..<40).map { "k\($0)" }
        for (n, key) in keys.enumerated() { a[key] = n }
        for (n, key) in keys.enumerated().reversed() { b[key] = n }
        #expect(Array(a.keys) != Array(b.keys), "the two dictionaries iterate in different orders")
        #expect(CRMEngine.commandDigest(a) == CRMEngine.commandDigest(b))
        #expect(CRMEngine.commandDigest(Set(keys)) == CRMEngine.commandDigest(Set(keys.reversed()).union(["k0"])))
        b["k0"] = 99
        #expect(CRMEngine.commandDigest(a) != CRMEngine.commandDigest(b))
        #expect(CRMEngine.commandDigest(Customer.Command.activate) != CRMEngine.commandDigest(Customer.Command.archive(reason: "")))
        #expect(CRMEngine.isCommandDigest(CRMEngine.commandDigest(a)))
    }

    @Test func aFirstResultStoredBeforeRequestDigestsStillAnswersItsRepeats() async throws {
        // Schema version 1 of CommandOutcomeRecorded had no digest: it reads as one without.
        struct Version1: Encodable { var stream: String; var versionBefore: UInt64; var versionAfter: UInt64 }
        let registry = try EngineEvents.registry()
        let bytes = try BinaryPayloadEncoder.encode(Version1(stream: "customer-x", versionBefore: 1, versionAfter: 2))
        let decoded = try bytes.withUnsafeBytes { try registry.decode(CommandOutcomeRecorded.self, schemaVersion: 1, from: $0) }
        #expect(decoded == CommandOutcomeRecorded(stream: "customer-x", versionBefore: 1, versionAfter: 2, requestDigest: nil))
    }

    /// The results of `command` sent 32 times at once.
    static func together(_ command: @escaping @Sendable () async throws -> CRMEngine.CommandResult) async throws -> [CRMEngine.CommandResult] {
        try await withThrowingTaskGroup(of: CRMEngine.CommandResult.self) { group in
            for _ in 0..<32 { group.addTask { try await command() } }
            return try await group.reduce(into: [CRMEngine.CommandResult]()) { $0.append($1) }
        }
    }

    @Test func retriesSentTogetherWithOneIdempotencyKeyAllGetTheFirstAnswer() async throws {
        let f = try await EngineFixture.make()
        let engine = f.engine
        let admin = f.admin
        // Several rounds: a retry is refused ("already exists") only when it lands while the first try is
        // being written, so one round may miss that moment.
        for round in 0..<10 {
            let id = UUID.derived("customer", "race-\(round)")
            let results = try await Self.together {
                try await engine.execute(Customer.self, id: id, .create(customerID: id, NewCustomer(
                    kind: .person, name: "Race", group: "residential", branch: "north"), form: .empty(group: "residential")),
                    as: admin, idempotencyKey: "create-race-\(round)")
            }
            #expect(results.filter { !$0.repeated }.count == 1)
            #expect(Set(results.map { $0.events.map(\.id) }).count == 1, "every answer is the first one's events")
            #expect(try await f.engine.store.readStream(Customer.stream(id)).count == 1)
        }
        await f.close()
    }

    @Test func retriesWithAnExpectedVersionSentTogetherAllGetTheFirstAnswer() async throws {
        let f = try await EngineFixture.make()
        let engine = f.engine
        let admin = f.admin
        for round in 0..<10 {
            let id = try await f.customer("Edit \(round)", branch: "north")
            let (_, version) = try await engine.state(Customer.self, id: id, as: admin)
            let results = try await Self.together {
                try await engine.execute(Customer.self, id: id, .edit(CustomerEdit(industry: .set("gas")), form: .empty(group: "residential")),
                                         as: admin, expectedVersion: version, idempotencyKey: "edit-race-\(round)")
            }
            #expect(results.filter { !$0.repeated }.count == 1)
            #expect(Set(results.map { $0.events.map(\.id) }).count == 1)
        }
        await f.close()
    }

    @Test func aReadConsistentWithAPositionBeyondTheHeadIsRefusedAtOnce() async throws {
        let f = try await EngineFixture.make()
        let id = try await f.customer("Li Wei", branch: "north")
        let head = try await f.engine.store.headPosition()
        #expect(try await f.engine.customer(id, as: f.admin, consistentWith: head).profile.name == "Li Wei")
        let beyond = GlobalPosition(head.rawValue + 1_000)
        // Refused as invalid, not timed out after the views' wait for a position that never comes.
        let refused = await #expect(throws: EngineError.self) { try await f.engine.customer(id, as: f.admin, consistentWith: beyond) }
        #expect(refused?.code == .invalid && refused?.field == "consistentWith", "\(String(describing: refused))")
        await f.close()
    }

    @Test func theIdempotencyKeySurvivesARestart() async throws {
        let f = try await EngineFixture.make()
        let id = try await f.customer("Li Wei", branch: "north")
        let first = try await f.engine.execute(Customer.self, id: id, .activate, as: f.admin, idempotencyKey: "req-1")
        await f.closeEngine()
        let reopened = try await CRMEngine.open(at: f.directory, configuration: .init(clock: f.clock))
        let again = try await reopened.execute(Customer.self, id: id, .activate, as: f.admin, idempotencyKey: "req-1")
        #expect(again.repeated && again.events == first.events)
        await reopened.close()
        try? FileManager.default.removeItem(atPath: f.directory)
    }

    @Test func concurrentCommandsOnOneRecordAreDecidedAgainOnFreshState() async throws {
        let f = try await EngineFixture.make()
        let id = try await f.customer("Li Wei", branch: "north")
        let engine = f.engine
        let admin = f.admin
        try await withThrowingTaskGroup(of: Void.self) { group in
            // Four writers: each round at least one wins, so none needs more than four of its five attempts.
            for n in 0..<4 {
                group.addTask {
                    try await engine.execute(Customer.self, id: id, .scheduleAppointment(
                        id: UUID.derived("appointment", "\(n)"), kind: .onSiteService, at: Date(timeIntervalSince1970: 1_767_300_000 + Double(n) * 3600),
                        address: "1 Main St", note: nil), as: admin)
                }
            }
            try await group.waitForAll()
        }
        let (state, version) = try await f.engine.state(Customer.self, id: id, as: f.admin)
        #expect(state.appointments.count == 4)
        #expect(version == StreamVersion(5))
        await f.close()
    }

    @Test func anExternalKeyHeldByOneCustomerCannotBeClaimedByAnotherUntilReleased() async throws {
        let f = try await EngineFixture.make()
        let key = ExternalKey(system: "billing", key: "A-1")
        let first = try await f.customer("First", branch: "north", keys: [key])
        #expect(try await f.engine.holder(of: UniqueKey(namespace: "external-key:billing", key: "A-1")) == Customer.stream(first))
        let secondID = UUID.derived("customer", "Second")
        let before = try await f.engine.store.headPosition()
        let taken = await #expect(throws: EngineError.self) {
            try await f.engine.execute(Customer.self, id: secondID, .create(customerID: secondID, NewCustomer(
                kind: .person, name: "Second", group: "residential", branch: "north", externalKeys: [key]), form: .empty(group: "residential")), as: f.admin)
        }
        #expect(taken?.code == .keyTaken)
        #expect(try await f.engine.store.headPosition() == before)
        // Removing the key from the first customer releases it (an event too), and the second may take it.
        try await f.engine.execute(Customer.self, id: first, .removeExternalKey(system: "billing"), as: f.admin)
        try await f.engine.execute(Customer.self, id: secondID, .create(customerID: secondID, NewCustomer(
            kind: .person, name: "Second", group: "residential", branch: "north", externalKeys: [key]), form: .empty(group: "residential")), as: f.admin)
        #expect(try await f.engine.holder(of: UniqueKey(namespace: "external-key:billing", key: "A-1")) == Customer.stream(secondID))
        await f.close()
    }

    @Test func aCustomerIsValidatedAgainstItsGroupsRecordedFormNotOneTheCallerSends() async throws {
        let f = try await EngineFixture.make()
        try await f.engine.execute(CustomerForm.self, id: CustomerForm.id(group: "business"), .define(group: "business", fields: [
            FieldDefinition(name: "taxNumber", label: "Tax number", type: .text, required: true),
        ]), as: f.admin)
        let id = UUID.derived("customer", "Acme")
        let refused = await #expect(throws: EngineError.self) {
            try await f.engine.execute(Customer.self, id: id, .create(customerID: id, NewCustomer(
                kind: .organisation, name: "Acme", group: "business", branch: "north"), form: .empty(group: "business")), as: f.admin)
        }
        #expect(refused?.code == .rejected)
        #expect(refused?.field == "taxNumber")
        await f.close()
    }
}
