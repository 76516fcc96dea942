@testable import CRMEngine
import CRMDomain
import CRMProjections
import EventSourcing
import Foundation
import Testing

/// Customer 360 reads go through a cache of decoded views checked against the customer's stamp row: it
/// must never answer a view older than the stored one, and it must leave nothing out that a caller may not
/// see, nor show what it may not.
@Suite struct CustomerCacheTests {
    /// The stored view read straight from the projection, bypassing every cache: the oracle.
    private static func stored(_ id: UUID, _ engine: CRMEngine) throws -> Customer360? {
        try engine.views.read("customer-360") { try Customer360Projection.customer(id, in: $0) }
    }

    private static func at(_ text: String) throws -> Date { try #require(ISO8601DateFormatter().date(from: text)) }

    @Test func everyReadAfterAChangeToTheCustomerOrItsRecordsEqualsTheStoredView() async throws {
        let f = try await EngineFixture.make("customer-cache")
        let engine = f.engine
        let id = try await f.customer("Li Wei", branch: "A")
        let other = try await f.customer("Other", branch: "A")

        var stamps: [GlobalPosition] = []
        func check(_ label: String) async throws {
            try await engine.views.waitUntil(try await engine.store.headPosition())
            // Twice: the first may fill the cache, the second is served from it.
            for _ in 0..<2 {
                let read = try await engine.customerRead(id, as: f.admin)
                #expect(read.view == (try Self.stored(id, engine)), "\(label)")
                #expect(read.isComplete, "\(label)")
                stamps.append(read.stamp)
            }
        }
        try await check("created")
        let task = UUID.derived("task", "cache")
        try await engine.execute(WorkTask.self, id: task, .dispatch(taskID: task, details: WorkTask.Details(
            title: "Call back", customerID: id, kind: .followUp, dueAt: try Self.at("2026-01-05T09:00:00Z"), branch: "A"), assignee: f.admin.id), as: f.admin)
        try await check("task dispatched")
        #expect(try await engine.customer(id, as: f.admin).openTasks.map(\.id) == [task])
        try await engine.execute(WorkTask.self, id: task, .complete(resultNote: "done"), as: f.admin)
        try await check("task completed")
        let done = try await engine.customer(id, as: f.admin)
        #expect(done.openTasks.isEmpty && done.recentTasks.map(\.id) == [task])
        try await engine.execute(Customer.self, id: id, .edit(CustomerEdit(name: "Li Wei Zhang"), form: .empty(group: "residential")), as: f.admin)
        try await check("renamed")
        #expect(try await engine.customer(id, as: f.admin).profile.name == "Li Wei Zhang")

        // A change to another customer leaves this one's stamp alone.
        let before = try await engine.customerRead(id, as: f.admin).stamp
        try await engine.execute(Customer.self, id: other, .edit(CustomerEdit(name: "Other Two"), form: .empty(group: "residential")), as: f.admin)
        try await check("other renamed")
        #expect(try await engine.customerRead(id, as: f.admin).stamp == before)

        // Each pair of reads saw one stamp; each change of this customer moved it forward.
        #expect(stride(from: 0, to: stamps.count, by: 2).allSatisfy { stamps[$0] == stamps[$0 + 1] })
        let distinct = stamps.reduce(into: [GlobalPosition]()) { if $0.last != $1 { $0.append($1) } }
        #expect(distinct.count == 4 && distinct == distinct.sorted())
        #expect(engine.customerViews.count == 1)
        await f.close()
    }

    @Test func aCallerWhoMayNotSeePartOfTheViewGetsItIncompleteAndWithoutThatPart() async throws {
        let f = try await EngineFixture.make("customer-cache-scope")
        let engine = f.engine
        let id = try await f.customer("Li Wei", branch: "A")
        let task = UUID.derived("task", "scope")
        try await engine.execute(WorkTask.self, id: task, .dispatch(taskID: task, details: WorkTask.Details(
            title: "Call back", customerID: id, kind: .followUp, dueAt: try Self.at("2026-01-05T09:00:00Z"), branch: "A"), assignee: f.admin.id), as: f.admin)
        try await engine.views.waitUntil(try await engine.store.headPosition())
        // Everything of branch A but tasks.
        let clerk = try await f.hire("Clerk", branch: "A", permissions: ScopeTests.allRights.filter { $0.module != .tasks })

        let full = try await engine.customerRead(id, as: f.admin)  // fills the cache with the whole view
        #expect(full.isComplete && full.view.openTasks.count == 1)
        let partial = try await engine.customerRead(id, as: clerk)
        #expect(!partial.isComplete)
        #expect(partial.view.openTasks.isEmpty)
        #expect(partial.stamp == full.stamp)
        // Branch-scoped rights on everything else: complete apart from tasks.
        var expected = full.view
        expected.openTasks = []
        #expect(partial.view == expected)
        // And the whole view again for the administrator afterwards.
        #expect(try await engine.customerRead(id, as: f.admin).view == full.view)
        await f.close()
    }
}
