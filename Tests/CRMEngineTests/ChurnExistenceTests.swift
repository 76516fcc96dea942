import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// Churn on a day judges only the customers that existed by then (created on or before it in their branch's
/// zone), as RFM scores them: neither the churn report nor the daily watch counts a customer not created yet.
@Suite struct ChurnExistenceTests {
    static func at(_ text: String) throws -> Date { try #require(ISO8601DateFormatter().date(from: text)) }

    /// Monthly purchases June to November 2025 (dated before the customers were recorded, as a billing history
    /// is): on 9 and 10 March 2026 the purchase gap, the revenue drop and the activity drop fire (risk 70).
    func buysUntilNovember(_ f: EngineFixture, _ customer: UUID, _ label: String) async throws {
        for month in 6...11 {
            try await f.engine.execute(RevenueLedger.self, id: RevenueLedger.id(customerID: customer), .record(RevenueLedger.Entry(
                id: UUID.derived("entry", "\(label)-\(month)"), customerID: customer, chargeItem: "gas", businessLine: "gas",
                date: try EngineFixture.day(String(format: "2025-%02d-10", month)), amount: Money(100, .cny))), as: f.admin)
        }
    }

    func setUp(_ label: String) async throws -> (EngineFixture, old: UUID, late: UUID) {
        let f = try await EngineFixture.make(label)
        try await f.engine.execute(Settings.self, id: UUID(), .setBranchTimeZone(branch: "east", timeZoneID: "Asia/Shanghai"), as: f.admin)
        let owner = try await f.hire("Keeper", branch: "west", permissions: [Permission(module: .tasks, actions: [.query, .edit], scope: .own)])
        f.clock.set(try Self.at("2026-01-05T10:00:00Z"))
        let old = try await f.customer("Old", branch: "west", owner: owner.id)
        f.clock.set(try Self.at("2026-03-09T20:00:00Z"))  // 2026-03-10 04:00 in Shanghai
        let late = try await f.customer("Late", branch: "east", owner: owner.id)
        try await buysUntilNovember(f, old, "old")
        try await buysUntilNovember(f, late, "late")
        f.clock.set(try Self.at("2026-03-20T10:00:00Z"))
        try await f.engine.views.waitUntil(try await f.engine.store.headPosition(), timeout: .seconds(60))
        return (f, old, late)
    }

    @Test func theChurnReportLeavesOutCustomersCreatedAfterTheDayReadInTheirBranchsZone() async throws {
        let (f, old, late) = try await setUp("churn-existence-report")
        func judged(_ day: String) async throws -> Set<UUID> {
            Set(try await f.engine.churnRisks(on: try EngineFixture.day(day), currency: .cny, as: f.admin).map(\.customerID))
        }
        #expect(try await judged("2026-01-04").isEmpty)
        #expect(try await judged("2026-03-09") == [old], "created on 2026-03-10 in its branch's zone")
        #expect(try await judged("2026-03-10") == [old, late])
        await f.close()
    }

    @Test func theChurnWatchDoesNotJudgeACustomerNotCreatedYetOnItsDay() async throws {
        let (f, old, late) = try await setUp("churn-existence-watch")
        // A run whose clock reads 9 March (a node behind the one that recorded the customer): the late customer's
        // day, 9 March 20:00 in Shanghai, is before its creation.
        f.clock.set(try Self.at("2026-03-09T12:00:00Z"))
        #expect(try await f.engine.runScheduledWork().retentionTasksDispatched == 1)
        #expect(try await f.engine.store.streamVersion(of: ChurnWatch.stream(old)) != .noStream)
        #expect(try await f.engine.store.streamVersion(of: ChurnWatch.stream(late)) == .noStream, "not a customer yet on its day")
        f.clock.set(try Self.at("2026-03-10T12:00:00Z"))
        #expect(try await f.engine.runScheduledWork().retentionTasksDispatched == 1)
        #expect(try await f.engine.store.streamVersion(of: ChurnWatch.stream(late)) != .noStream)
        await f.close()
    }
}
