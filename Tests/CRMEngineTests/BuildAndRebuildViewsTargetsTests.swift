import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import EventStoreLMDB
import Foundation
import Testing

/// `buildViews(asOf:into:)` builds into a new or empty directory only, never into one an engine of this
/// process holds; `rebuildViews` refuses a name no view has before it audits or rebuilds anything.
@Suite struct BuildAndRebuildViewsTargetsTests {
    @Test func buildViewsIntoADirectoryThatHoldsAnythingIsRefusedNamingDirectoryAndLeavesItAsItWas() async throws {
        let f = try await EngineFixture.make("build-views-nonempty")
        defer { Task { await f.close() } }
        let id = try await f.customer("Li Wei", branch: "north")
        let early = try await f.engine.store.headPosition()
        try await f.engine.execute(Customer.self, id: id, .edit(CustomerEdit(name: "Li Wei Renamed"), form: .empty(group: "residential")), as: f.admin)
        let late = try await f.engine.store.headPosition()
        let out = f.directory + "/replay"
        #expect(try await f.engine.buildViews(asOf: .position(late), into: out, as: f.admin) == late)

        // Built again into it, as of an earlier point: the two builds would mix (the later name kept).
        let again = await #expect(throws: EngineError.self) {
            try await f.engine.buildViews(asOf: .position(early), into: out, as: f.admin)
        }
        #expect(again?.code == .invalid && again?.field == "directory", "\(String(describing: again))")
        #expect(again.map { "\($0)".contains(out) } == false, "the path is not repeated")
        let past = try ProjectionRunner(store: f.engine.store, registry: f.engine.registry, projections: CRMViews.all, directory: out)
        #expect(try past.checkpoint(of: "customer-360") == late)
        #expect(try past.read("customer-360") { try Customer360Projection.customer(id, in: $0) }?.profile.name == "Li Wei Renamed")
        await past.close()

        // Any file makes it non-empty; a file is no directory; an empty one is fine.
        let stray = f.directory + "/stray"
        try FileManager.default.createDirectory(atPath: stray, withIntermediateDirectories: true)
        try Data("notes".utf8).write(to: URL(fileURLWithPath: stray + "/notes.txt"))
        let nonEmpty = await #expect(throws: EngineError.self) { try await f.engine.buildViews(asOf: .position(early), into: stray, as: f.admin) }
        #expect(nonEmpty?.field == "directory")
        #expect(try FileManager.default.contentsOfDirectory(atPath: stray) == ["notes.txt"], "nothing written")
        let file = await #expect(throws: EngineError.self) { try await f.engine.buildViews(asOf: .position(early), into: stray + "/notes.txt", as: f.admin) }
        #expect(file?.code == .invalid && file?.field == "directory")
        let empty = f.directory + "/empty"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        #expect(try await f.engine.buildViews(asOf: .position(early), into: empty, as: f.admin) == early)
    }

    @Test func buildViewsIntoTheEnginesOwnDirectoriesIsRefusedAsAlreadyOpenInThisProcess() async throws {
        let f = try await EngineFixture.make("build-views-own")
        defer { Task { await f.close() } }
        let head = try await f.engine.store.headPosition()
        for target in [f.directory + "/views", f.directory + "/views/customer-360", f.directory, f.directory + "/./log"] {
            let error = await #expect(throws: EventStoreError.self) {
                try await f.engine.buildViews(asOf: .position(head), into: target, as: f.admin)
            }
            #expect(error?.code == .storeInUse, "\(target): \(String(describing: error))")
            #expect(error?.detail.contains("already open in this process") == true, "\(target): \(String(describing: error))")
            #expect(error?.ownerPID == nil, "no other process named: \(String(describing: error))")
        }
        // The engine's views are untouched and it goes on answering.
        let id = try await f.customer("Zhang San", branch: "north")
        let written = try await f.engine.store.headPosition()
        #expect(try await f.engine.customer(id, as: f.admin, consistentWith: written).profile.name == "Zhang San")
    }

    @Test func rebuildingAViewNoViewIsNamedIsRefusedNamingViewsAndRecordsNothing() async throws {
        let f = try await EngineFixture.make("rebuild-unknown-view")
        defer { Task { await f.close() } }
        let since = f.clock.now()
        let error = await #expect(throws: EngineError.self) {
            try await f.engine.rebuildViews(["customer-360", "no-such-view"], as: f.admin)
        }
        #expect(error?.code == .invalid && error?.field == "views", "\(String(describing: error))")
        // A name given twice is rebuilt and recorded once.
        try await f.engine.rebuildViews(["customer-360", "keyword-index", "customer-360"], as: f.admin)
        f.clock.advance(by: 1)
        let entries = try f.engine.readAudit(from: since, to: f.clock.now(), as: f.admin).filter { $0.record.hasPrefix("views:") }
        #expect(entries.map(\.record) == ["views:rebuild customer-360, keyword-index"])
    }
}
