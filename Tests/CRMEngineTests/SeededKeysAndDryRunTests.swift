import CRMDataGenerator
import CRMDomain
import CRMEngine
import EventSourcing
import EventStoreLMDB
import Foundation
import Testing

/// A history appended straight to the log (the demo's seeding) holds its unique keys as the engine holds
/// them (``HistoryKeyReservations``), and ``CRMEngine/dryRun(_:id:_:as:)`` judges a command as `execute`
/// does without writing.
@Suite struct SeededKeysAndDryRunTests {
    @Test("a generated history seeded with its key reservations: a taken external key and a taken quote number are refused (keyTaken)")
    func seededKeysAreRefusedAfterwards() async throws {
        let slot = await EngineGate.shared.acquire()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crm-engine-tests-seeded-keys-\(UUID().uuidString)").path
        let generator = HistoryGenerator(.init(seed: 7, targetEvents: 4_000, start: Date(timeIntervalSince1970: 1_735_689_600)))
        try FileManager.default.createDirectory(atPath: directory + "/log", withIntermediateDirectories: true)
        let log = try LMDBEventStore(directory: directory + "/log", options: .init(durability: .noSync))
        let registry = try CRMEvents.registry()
        var keys = try HistoryKeyReservations()
        var keyed: (customer: UUID, key: ExternalKey)?
        var quote: QuoteCreated?
        try await generator.forEachBatch { batch in
            for event in batch.flatMap(\.events) {
                if keyed == nil, event.type == CustomerCreated.eventType {
                    let created = try event.payload.withUnsafeBytes { try registry.decode(CustomerCreated.self, schemaVersion: event.schemaVersion, from: $0) }
                    if let key = created.externalKeys.first { keyed = (created.customerID, key) }
                }
                if quote == nil, event.type == QuoteCreated.eventType {
                    quote = try event.payload.withUnsafeBytes { try registry.decode(QuoteCreated.self, schemaVersion: event.schemaVersion, from: $0) }
                }
            }
            _ = try await log.append(try keys.appending(batch))
        }
        await log.close()
        let clock = ManualClock(generator.world.end)
        let engine = try await CRMEngine.open(at: directory, configuration: .init(clock: clock, durability: .noSync))
        let adminID = try #require(generator.world.administrator?.id)
        let admin = try await engine.principal(employeeID: adminID)
        let f = EngineFixture(directory: directory, clock: clock, engine: engine, admin: admin,
                              adminToken: try await engine.issueToken(for: adminID, name: "tests", as: admin), holdsSlot: slot)

        // The demo customer's billing key is held by it (lookup finds it), and nobody else may take it.
        let (holder, key) = try #require(keyed)
        #expect(try await engine.holder(of: UniqueKey(namespace: "external-key:\(key.system)", key: key.key)) == Customer.stream(holder))
        let newcomer = UUID()
        let taken = await #expect(throws: EngineError.self) {
            try await engine.execute(Customer.self, id: newcomer, .create(customerID: newcomer, NewCustomer(
                kind: .person, name: "Copy Cat", group: "residential", branch: generator.world.branches[0].name,
                customFields: ["meterType": .option("gas")], externalKeys: [key]),
                form: .empty(group: "residential")), as: f.admin)
        }
        #expect(taken?.code == .keyTaken, "\(String(describing: taken))")
        #expect(try await engine.store.streamVersion(of: Customer.stream(newcomer)) == .noStream)

        // The demo quote's number is held by it; a new quote with the same code, date and sequence is refused.
        let demo = try #require(quote)
        #expect(try await engine.holder(of: UniqueKey(namespace: "quote-number", key: demo.number)) == Quote.stream(demo.quoteID))
        let parts = demo.number.split(separator: "-")
        let date = try #require(parts.dropLast().last.flatMap { text -> LocalDate? in
            LocalDate("\(text.prefix(4))-\(text.dropFirst(4).prefix(2))-\(text.suffix(2))")
        })
        let sequence = try #require(parts.last.flatMap { Int($0) })
        let copy = UUID()
        var draft = demo.revision.draft
        draft.validUntil = nil  // the demo's may have passed by the end of the history
        let duplicate = await #expect(throws: EngineError.self) {
            try await engine.execute(Quote.self, id: copy, .create(quoteID: copy, customerID: demo.customerID, customerCode: demo.customerCode, date: date,
                                                                   sequence: sequence, draft: draft, authorRole: "Administrator", limits: []),
                                     as: f.admin)
        }
        #expect(duplicate?.code == .keyTaken, "\(String(describing: duplicate))")
        // The day's next free sequence is picked when none is given: a number the demo did not use.
        try await engine.execute(Quote.self, id: copy, .create(quoteID: copy, customerID: demo.customerID, customerCode: demo.customerCode, date: date,
                                                               sequence: 0, draft: draft, authorRole: "Administrator", limits: []), as: f.admin)
        #expect(try await engine.state(Quote.self, id: copy, as: f.admin).state.number != demo.number)
        await f.close()
    }

    @Test("seeded reservations follow the events: a replaced key is freed for another customer, a held one is refused while seeding")
    func seededReservationsFollowReplacedKeys() throws {
        let ids = SequentialIDGenerator()
        var keys = try HistoryKeyReservations(ids: ids)
        let context = CommandContext(now: Date(timeIntervalSince1970: 1_767_225_600), actor: "system")
        func batch(_ id: UUID, _ command: Customer.Command, state: Customer.State = Customer.initialState, version: StreamVersion = .noStream) throws -> [StreamAppend] {
            let events = try Customer.decide(command, state: state, context: context)
            return [StreamAppend(stream: Customer.stream(id), expectedVersion: version == .noStream ? .noStream : .exact(version),
                                 events: try events.map { try $0.eventData(id: ids.next(), metadata: EventMetadata(actor: "system")) })]
        }
        func create(_ id: UUID, _ key: String) throws -> [StreamAppend] {
            try batch(id, .create(customerID: id, NewCustomer(kind: .person, name: "C", group: "g", externalKeys: [ExternalKey(system: "billing", key: key)]),
                                  form: .empty(group: "g")))
        }
        let a = UUID(), b = UUID(), c = UUID()
        let first = try keys.appending(try create(a, "K1"))
        #expect(first.count == 2 && first[1].events.map(\.type) == [KeyReserved.eventType] && first[1].expectedVersion == .noStream)
        // A's key replaced: K1 freed (KeyReleased), K2 reserved.
        var state = Customer.initialState
        for event in try Customer.decide(.create(customerID: a, NewCustomer(kind: .person, name: "C", group: "g", externalKeys: [ExternalKey(system: "billing", key: "K1")]),
                                                 form: .empty(group: "g")), state: state, context: context) { state = Customer.evolve(state, event) }
        let replaced = try keys.reservations(for: try batch(a, .setExternalKey(ExternalKey(system: "billing", key: "K2")), state: state, version: 1))
        #expect(replaced.map { $0.events.map(\.type) } == [[KeyReserved.eventType], [KeyReleased.eventType]])
        // K1 is free again: B takes it (after its stream's reservation and release); K2 is A's: C is refused.
        let taken = try keys.reservations(for: try create(b, "K1"))
        #expect(taken.count == 1 && taken[0].expectedVersion == .exact(2))
        #expect(throws: EngineError.self) { _ = try keys.reservations(for: try create(c, "K2")) }
    }

    @Test("dryRun judges permission, domain and keys as execute does and writes nothing")
    func dryRunJudgesWithoutWriting() async throws {
        let f = try await EngineFixture.make("dry-run")
        let clerk = try await f.hire("Nora", branch: "north", permissions: [Permission(module: .customers, actions: [.query, .create], scope: .branch("north"))])
        try await f.customer("Held", branch: "north", keys: [ExternalKey(system: "billing", key: "B1")])
        let head = try await f.engine.store.headPosition()
        func new(_ branch: String, keys: [ExternalKey] = [], name: String = "Li Wei") -> (UUID, Customer.Command) {
            let id = UUID()
            return (id, .create(customerID: id, NewCustomer(kind: .person, name: name, group: "residential", branch: branch, externalKeys: keys),
                                form: .empty(group: "residential")))
        }
        let (north, create) = new("north")
        #expect(try await f.engine.dryRun(Customer.self, id: north, create, as: clerk).count == 1)
        let (south, elsewhere) = new("south")
        let forbidden = await #expect(throws: EngineError.self) { try await f.engine.dryRun(Customer.self, id: south, elsewhere, as: clerk) }
        #expect(forbidden?.code == .forbidden)
        let (keyed, withKey) = new("north", keys: [ExternalKey(system: "billing", key: "B1")])
        let taken = await #expect(throws: EngineError.self) { try await f.engine.dryRun(Customer.self, id: keyed, withKey, as: clerk) }
        #expect(taken?.code == .keyTaken)
        let (unnamed, blank) = new("north", name: " ")
        let rejected = await #expect(throws: EngineError.self) { try await f.engine.dryRun(Customer.self, id: unnamed, blank, as: clerk) }
        #expect(rejected?.code == .rejected)
        #expect(try await f.engine.store.headPosition() == head, "a dry run writes nothing")
        // What the dry run let through, execute does too; what it refused, execute refuses alike.
        try await f.engine.execute(Customer.self, id: north, create, as: clerk)
        let executed = await #expect(throws: EngineError.self) { try await f.engine.execute(Customer.self, id: south, elsewhere, as: clerk) }
        #expect(executed?.code == .forbidden)
        await f.close()
    }
}
