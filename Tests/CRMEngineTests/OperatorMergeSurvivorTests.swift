import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// Marking a duplicate merged makes it final and frees its external keys: the survivor must be a live
/// customer — one that exists, neither merged nor archived — for an operator at the command line
/// (`Principal.operator`, the system's rights) as for anyone, else `invalid` naming `survivorId` with
/// nothing written.
@Suite struct OperatorMergeSurvivorTests {
    static let cli = Principal.operator(sourceSystem: "crm-cli")

    @Test func anOperatorsMergeIntoAnUnknownMergedOrArchivedSurvivorIsRefusedAndWritesNothing() async throws {
        let f = try await EngineFixture.make("operator-merge-survivor")
        let duplicate = try await f.customer("Li Wei (duplicate)", branch: "north", keys: [ExternalKey(system: "billing", key: "B100000")])
        let survivor = try await f.customer("Li Wei", branch: "north")
        let merged = try await f.customer("Merged", branch: "north")
        try await f.engine.execute(Customer.self, id: merged, .markMerged(into: survivor), as: f.admin)
        let archived = try await f.customer("Archived", branch: "north")
        try await f.engine.execute(Customer.self, id: archived, .archive(reason: "moved away"), as: f.admin)
        let head = try await f.engine.store.headPosition()
        for (label, into) in [("unknown", UUID.derived("customer", "nobody")), ("merged", merged), ("archived", archived)] {
            let error = await #expect(throws: EngineError.self, "\(label)") {
                try await f.engine.execute(Customer.self, id: duplicate, .markMerged(into: into), as: Self.cli)
            }
            #expect(error?.code == .invalid && error?.field == "survivorId", "\(label): \(String(describing: error))")
        }
        #expect(try await f.engine.store.headPosition() == head, "nothing written")
        #expect(try await f.engine.state(Customer.self, id: duplicate, as: f.admin).state.status != .merged)
        // A live survivor: merged.
        try await f.engine.execute(Customer.self, id: duplicate, .markMerged(into: survivor), as: Self.cli)
        #expect(try await f.engine.state(Customer.self, id: duplicate, as: f.admin).state.mergedInto == survivor)
        await f.close()
    }
}
