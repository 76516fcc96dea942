import CRMDataGenerator
import CRMDomain
import CRMEngine
import EventSourcing
import EventStoreLMDB
import Foundation
import Testing

/// An engine over a real LMDB store in a temporary directory, with a manual clock, an administrator and
/// helpers to hire employees with roles.
struct EngineFixture {
    let directory: String
    let clock: ManualClock
    let engine: CRMEngine
    let admin: Principal
    let adminToken: IssuedToken
    /// Whether this fixture holds one of ``EngineGate``'s slots, given back by ``close()``.
    var holdsSlot = false

    /// An engine over a history from the data generator (which bootstraps its own organisation); the
    /// fixture's administrator is the generated one.
    static func generated(_ label: String, events: Int, seed: UInt64 = 7, configuration: CRMEngine.Configuration? = nil) async throws -> (EngineFixture, HistoryGenerator) {
        let slot = await EngineGate.shared.acquire()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crm-engine-tests-\(label)-\(UUID().uuidString)").path
        let start = Date(timeIntervalSince1970: 1_735_689_600)  // 2025-01-01
        let generator = HistoryGenerator(.init(seed: seed, targetEvents: events, start: start))
        let clock = ManualClock(generator.world.end)
        let engine = try await CRMEngine.open(at: directory, configuration: configuration ?? .init(clock: clock, durability: .noSync))
        try await generator.forEachBatch { try await engine.store.append($0) }
        // The reactor's own writes over the history (workflows for quotes still waiting at its end) done, so
        // a test starts from a head that holds still.
        var head = try await engine.store.headPosition()
        while !(configuration?.reactions.isEmpty ?? false) {
            try await engine.reactionsSettled(upTo: head, timeout: .seconds(600))
            let now = try await engine.store.headPosition()
            if now == head { break }
            head = now
        }
        let adminID = try #require(generator.world.administrator?.id)
        let admin = try await engine.principal(employeeID: adminID)
        let token = try await engine.issueToken(for: adminID, name: "tests", as: admin)
        return (EngineFixture(directory: directory, clock: clock, engine: engine, admin: admin, adminToken: token, holdsSlot: slot), generator)
    }

    /// ``generated(_:events:seed:configuration:)`` with the history written into the log before the engine
    /// opens, as `crm demo` and `crm serve --demo` do: the reactor and the views meet it whole.
    static func generatedBeforeOpening(_ label: String, events: Int, seed: UInt64 = 7) async throws -> EngineFixture {
        let slot = await EngineGate.shared.acquire()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crm-engine-tests-\(label)-\(UUID().uuidString)").path
        let generator = HistoryGenerator(.init(seed: seed, targetEvents: events, start: Date(timeIntervalSince1970: 1_735_689_600)))
        try FileManager.default.createDirectory(atPath: directory + "/log", withIntermediateDirectories: true)
        let log = try LMDBEventStore(directory: directory + "/log", options: .init(durability: .noSync))
        try await generator.forEachBatch { _ = try await log.append($0) }
        await log.close()
        let clock = ManualClock(generator.world.end)
        let engine = try await CRMEngine.open(at: directory, configuration: .init(clock: clock, durability: .noSync))
        let adminID = try #require(generator.world.administrator?.id)
        let admin = try await engine.principal(employeeID: adminID)
        let token = try await engine.issueToken(for: adminID, name: "tests", as: admin)
        return EngineFixture(directory: directory, clock: clock, engine: engine, admin: admin, adminToken: token, holdsSlot: slot)
    }

    /// `start`: the clock when the organisation is bootstrapped. A test that records things earlier starts
    /// the fixture earlier: the stores never record a time before the last event's (a clock set back records
    /// just after it), so setting the clock back after the bootstrap does not backdate anything.
    static func make(_ label: String = "engine", start: Date = Date(timeIntervalSince1970: 1_767_225_600)) async throws -> EngineFixture {
        let slot = await EngineGate.shared.acquire()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crm-engine-tests-\(label)-\(UUID().uuidString)").path
        let clock = ManualClock(start)  // 2026-01-01T00:00Z by default
        let engine = try await CRMEngine.open(at: directory, configuration: .init(clock: clock, durability: .noSync))
        let adminID = UUID.derived("employee", "admin")
        let (admin, token) = try await engine.bootstrap(administrator: NewEmployee(
            id: adminID, name: "Ada Admin", position: "administrator", branch: "head-office", hiredOn: try day("2020-01-01")))
        return EngineFixture(directory: directory, clock: clock, engine: engine, admin: admin, adminToken: token, holdsSlot: slot)
    }

    func close() async {
        await engine.close()
        try? FileManager.default.removeItem(atPath: directory)
        if holdsSlot { await EngineGate.shared.release() }
    }

    /// Closes the engine but keeps its directory, for a test that opens it again itself.
    func closeEngine() async {
        await engine.close()
        if holdsSlot { await EngineGate.shared.release() }
    }

    /// Hires an employee of `branch` holding one role with `permissions`; returns them as a principal.
    func hire(_ name: String, branch: String, permissions: [Permission], hidden: [HiddenField] = []) async throws -> Principal {
        let id = UUID.derived("employee", name)
        try await engine.execute(Organisation.self, id: id, .hire(NewEmployee(id: id, name: name, position: "staff", branch: branch, hiredOn: try Self.day("2024-01-01"))), as: admin)
        let roleID = UUID.derived("role", name)
        try await engine.execute(Organisation.self, id: roleID, .defineRole(roleID: roleID, RoleDefinition(name: "role of \(name)", permissions: permissions, hiddenFields: hidden), grantor: .none), as: admin)
        try await engine.execute(Organisation.self, id: roleID, .grantRole(grantID: UUID.derived("grant", name), employeeID: id, roleID: roleID, validity: .always, grantor: .none), as: admin)
        return try await engine.principal(employeeID: id)
    }

    /// The catalog product the tests' quote drafts (`ScopeTestsPart2.draft`) are priced from: "Meter" at
    /// 100 CNY (a quote line is at its product's standard price).
    func meterProduct() async throws {
        let id = UUID.derived("product", "meter")
        try await engine.execute(Product.self, id: id, .create(productID: id, productLine: "meters", name: "Meter", standardPrice: Money(100, .cny)), as: admin)
    }

    /// Creates a customer of `branch` as the administrator.
    @discardableResult
    func customer(_ name: String, branch: String, group: String = "residential", owner: String? = nil, keys: [ExternalKey] = []) async throws -> UUID {
        let id = UUID.derived("customer", name)
        try await engine.execute(Customer.self, id: id, .create(customerID: id, NewCustomer(
            kind: .person, name: name, group: group, branch: branch, owner: owner, externalKeys: keys), form: .empty(group: group)), as: admin)
        return id
    }

    /// A new data directory whose log holds every event of `source` but those of workflow definitions and
    /// instances, in log order: a store from before its approvals had workflows. Returns the directory.
    static func logWithoutWorkflows(of source: CRMEngine, _ label: String) async throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crm-engine-tests-\(label)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory + "/log", withIntermediateDirectories: true)
        let copy = try LMDBEventStore(directory: directory + "/log", options: .init(durability: .noSync))
        let skipped: Set<String> = [WorkflowDefinition.category, WorkflowInstance.category]
        var next = GlobalPosition.start.next
        while true {
            let batch = try await source.store.readAll(from: next, direction: .forward, limit: 1024)
            for event in batch where !skipped.contains(String(event.stream.category)) {
                _ = try await copy.append([event.data], to: event.stream, expectedVersion: .any)
            }
            guard let last = batch.last, batch.count == 1024 else { break }
            next = last.position.next
        }
        await copy.close()
        return directory
    }

    static func day(_ text: String) throws -> LocalDate { try #require(LocalDate(text)) }
}

/// How many fixtures' engines may be open at once. swift-testing starts every test (and every argument of a
/// parameterised one) of a run together, and an engine holds ~60 open files (an LMDB environment per view,
/// the log, the audit …): unbounded, the engine tests reach the machine's limit of open files (20,000 here)
/// and tests fail with "Too many open files". A fixture waits for a slot; after 60 s without one it goes
/// on without (so a test holding two fixtures at once can never wait for ever).
actor EngineGate {
    static let shared = EngineGate(slots: 48)
    private var free: Int

    init(slots: Int) { free = slots }

    /// Takes a slot, waiting up to 60 s; false when it went on without one.
    func acquire() async -> Bool {
        for _ in 0..<1_200 {
            if free > 0 {
                free -= 1
                return true
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    func release() { free += 1 }
}
