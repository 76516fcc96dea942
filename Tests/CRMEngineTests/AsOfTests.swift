import CRMDataGenerator
import CRMDomain
import CRMProjections
import EventStoreLMDB
import CRMEngine
import EventSourcing
import Foundation
import Testing

@Suite struct AsOfTests {
    /// The oracle: a naive fold, written here, of a customer's events up to a position.
    func oracle(_ events: [RecordedEvent], upTo position: GlobalPosition, registry: PayloadRegistry) throws -> Customer.State {
        var state = Customer.initialState
        for event in events where event.position <= position {
            let payload = try event.payload.withUnsafeBytes { try registry.decode(event.type, schemaVersion: event.schemaVersion, from: $0) }
            guard let e = CustomerEvent(payload: payload) else { continue }
            state = Customer.evolve(state, e)
        }
        return state
    }

    @Test func aRecordsStateAsOfAPositionMatchesANaiveFoldAtRandomPoints() async throws {
        let (f, generator) = try await EngineFixture.generated("asof", events: 3_000)
        let head = try await f.engine.store.headPosition()
        var rng = SystemRandomNumberGenerator()
        let customers = generator.world.customers.map(\.id)
        var checked = 0
        for _ in 0..<40 {
            guard let id = customers.randomElement(using: &rng) else { break }
            let events = try await f.engine.store.readStream(Customer.stream(id))
            guard let first = events.first else { continue }
            let point = GlobalPosition(UInt64.random(in: first.position.rawValue...head.rawValue, using: &rng))
            let expected = try oracle(events, upTo: point, registry: f.engine.registry)
            let (state, version) = try await f.engine.state(Customer.self, id: id, asOf: .position(point), as: f.admin)
            #expect(state == expected, "customer \(id) at \(point.rawValue)")
            #expect(version.rawValue == UInt64(events.filter { $0.position <= point }.count))
            checked += 1
        }
        #expect(checked > 20)
        await f.close()
    }

    @Test func aRecordsStateAsOfATimeHoldsOnlyWhatWasRecordedByThen() async throws {
        let f = try await EngineFixture.make("asof-time")
        let id = try await f.customer("Li Wei", branch: "north")
        let created = f.clock.now()
        f.clock.advance(by: 3600)
        try await f.engine.execute(Customer.self, id: id, .edit(CustomerEdit(name: "Li Wei Jr"), form: .empty(group: "residential")), as: f.admin)
        #expect(try await f.engine.state(Customer.self, id: id, asOf: .time(created), as: f.admin).state.name == "Li Wei")
        #expect(try await f.engine.state(Customer.self, id: id, asOf: .time(f.clock.now()), as: f.admin).state.name == "Li Wei Jr")
        await #expect(throws: EngineError.self) {
            try await f.engine.state(Customer.self, id: id, asOf: .time(created.addingTimeInterval(-86_400)), as: f.admin)
        }
        await f.close()
    }

    @Test func allViewsAsOfAPositionAreBuiltIntoASeparateDirectory() async throws {
        let f = try await EngineFixture.make("asof-views")
        let id = try await f.customer("Li Wei", branch: "north")
        let before = try await f.engine.store.headPosition()
        let edit = try await f.engine.execute(Customer.self, id: id, .edit(CustomerEdit(name: "Renamed"), form: .empty(group: "residential")), as: f.admin)
        let out = f.directory + "/replay"
        let reached = try await f.engine.buildViews(asOf: .position(before), into: out, as: f.admin)
        #expect(reached == before)
        // Every read model, and none of the engine's bookkeeping: no token hash is copied out.
        let built = Set(try FileManager.default.contentsOfDirectory(atPath: out))
        #expect(Set(CRMViews.all.map(\.name)).isSubset(of: built))
        #expect(built.isDisjoint(with: ["credentials", "outbox", "reminder-sources"]), "\(built.sorted())")
        let past = try ProjectionRunner(store: f.engine.store, registry: f.engine.registry, projections: CRMViews.all, directory: out)
        #expect(try past.read("customer-360") { try Customer360Projection.customer(id, in: $0) }?.profile.name == "Li Wei")
        await past.close()
        #expect(try await f.engine.customer(id, as: f.admin, consistentWith: edit.position).profile.name == "Renamed")
        await f.close()
    }
}
