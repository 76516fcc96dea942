import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// Rebuilding views (an administrator's operation, R-LOG-8) is recorded in the read audit, as reads of the
/// whole log are: `views:rebuild all` or `views:rebuild <name>`, under the principal and their address —
/// by the engine's entry point, so the CLI and the HTTP route record it alike.
@Suite struct RebuildAuditedTests {
    @Test func aRebuildOfAllViewsOrOfOneIsRecordedWithItsPrincipal() async throws {
        let f = try await EngineFixture.make("rebuild-audited")
        defer { Task { await f.close() } }
        let since = f.clock.now()
        try await f.engine.rebuildViews(as: f.admin.from(ip: "198.51.100.9"))
        try await f.engine.rebuildViews(["customer-360"], as: f.admin)
        // Every view named is "all" as well.
        try await f.engine.rebuildViews(f.engine.views.projections.map(\.name).reversed(), as: f.admin)
        // Nothing named rebuilds nothing and records nothing.
        try await f.engine.rebuildViews([], as: f.admin)
        f.clock.advance(by: 1)
        let entries = try f.engine.readAudit(from: since, to: f.clock.now(), as: f.admin).filter { $0.record.hasPrefix("views:") }
        #expect(entries.map(\.record) == ["views:rebuild all", "views:rebuild customer-360", "views:rebuild all"])
        #expect(entries.allSatisfy { $0.principal == f.admin.id })
        #expect(entries.first?.clientIP == "198.51.100.9")
    }

    @Test func aRefusedRebuildIsNotRecorded() async throws {
        let f = try await EngineFixture.make("rebuild-audited-refused")
        defer { Task { await f.close() } }
        let clerk = try await f.hire("Clerk", branch: "north", permissions: [Permission(module: .settings, actions: [.query, .edit], scope: .branch("north"))])
        let since = f.clock.now()
        await #expect(throws: EngineError.self) { try await f.engine.rebuildViews(as: clerk) }
        f.clock.advance(by: 1)
        #expect(try f.engine.readAudit(from: since, to: f.clock.now(), as: f.admin).filter { $0.record.hasPrefix("views:") }.isEmpty)
    }
}
