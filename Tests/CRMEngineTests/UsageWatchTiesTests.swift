import CRMAnalytics
import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// Readings of one meter whose periods share days (recorded before a meter kept one reading per day): the
/// usage watch takes the one recorded last (the ledger's order, not the reading ids') as the meter's reading
/// for those days and drops the others, so a repeated period is neither the latest twice nor its own history.
/// A new reading sharing days with a recorded one is refused, with nothing written.
@Suite struct UsageWatchTiesTests {
    static func reading(_ f: EngineFixture, _ customer: UUID, id: UUID, month: Int, _ quantity: Decimal) throws -> RevenueLedger.UsageReading {
        let start = try EngineFixture.day(String(format: "2025-%02d-01", month))
        return RevenueLedger.UsageReading(id: id, customerID: customer, meter: "m-1", periodStart: start,
                                          periodEnd: start.adding(months: 1).adding(days: -1), quantity: quantity, unit: "m3")
    }

    static func record(_ f: EngineFixture, _ reading: RevenueLedger.UsageReading) async throws {
        try await f.engine.execute(RevenueLedger.self, id: RevenueLedger.id(customerID: reading.customerID), .recordUsage(reading), as: f.admin)
    }

    /// Appends a reading as a log from before the rule holds it, unchecked.
    static func recordUnchecked(_ f: EngineFixture, _ reading: RevenueLedger.UsageReading) async throws {
        let event = RevenueLedger.Event.usageRecorded(UsageReadingRecorded(reading: reading, recordedBy: "legacy", recordedAt: Date(timeIntervalSince1970: 1_750_000_000)))
        _ = try await f.engine.store.append([try event.eventData(id: UUID(), metadata: .system)],
                                            to: RevenueLedger.stream(RevenueLedger.id(customerID: reading.customerID)), expectedVersion: .any)
    }

    static func run(_ f: EngineFixture) async throws -> Int {
        try await f.engine.views.waitUntil(try await f.engine.store.headPosition())
        f.clock.advance(by: 86_400)
        return try await f.engine.runScheduledWork().usageAnomalyTasksDispatched
    }

    /// The owner's tasks, and their own customers (so the customer may be handed to them).
    static let ownerRights = [Permission(module: .tasks, actions: [.query, .edit], scope: .own),
                              Permission(module: .customers, actions: [.query, .edit], scope: .own)]

    static let low = UUID(uuidString: "00000000-0000-0000-0000-000000000001")!
    static let high = UUID(uuidString: "ffffffff-ffff-7fff-bfff-ffffffffffff")!

    /// History 100, 100, 100; April read 100 (id sorting last), then corrected to 20 (id sorting first): the
    /// correction, recorded last, is the latest reading (80 % below) and the first April reading is no history.
    @Test func theReadingRecordedLastForAPeriodIsTheOneJudged() async throws {
        let f = try await EngineFixture.make("usage-ties-last")
        let owner = try await f.hire("Tie Keeper", branch: "north", permissions: Self.ownerRights)
        let customer = try await f.customer("Tied Reader", branch: "north", owner: owner.id)
        for month in 1...3 { try await Self.record(f, try Self.reading(f, customer, id: UUID.derived("reading", "\(month)"), month: month, 100)) }
        try await Self.record(f, try Self.reading(f, customer, id: Self.high, month: 4, 100))
        try await Self.recordUnchecked(f, try Self.reading(f, customer, id: Self.low, month: 4, 20))
        #expect(try await Self.run(f) == 1)
        let taskID = UsageAnomaly.taskID(customerID: customer, meter: "m-1", readingID: Self.low)
        #expect(try await f.engine.state(WorkTask.self, id: taskID, as: f.admin).state.assignee == owner.id)
        await f.close()
    }

    /// History 100, 100; March read 30, then corrected to 35: two readings of history, fewer than the three
    /// the check needs, so nothing is flagged (counting the tie, 30, as history flagged 35). April's 20 then
    /// has the history 100, 100, 35 and is flagged.
    @Test func aTiedReadingIsNotCountedAsHistory() async throws {
        let f = try await EngineFixture.make("usage-ties-history")
        let owner = try await f.hire("Tie Counter", branch: "north", permissions: Self.ownerRights)
        let customer = try await f.customer("Twice Reader", branch: "north", owner: owner.id)
        for month in 1...2 { try await Self.record(f, try Self.reading(f, customer, id: UUID.derived("reading", "\(month)"), month: month, 100)) }
        try await Self.record(f, try Self.reading(f, customer, id: Self.low, month: 3, 30))
        try await Self.recordUnchecked(f, try Self.reading(f, customer, id: Self.high, month: 3, 35))
        #expect(try await Self.run(f) == 0, "two readings of history are too few")
        try await Self.record(f, try Self.reading(f, customer, id: UUID.derived("reading", "4"), month: 4, 20))
        #expect(try await Self.run(f) == 1)
        await f.close()
    }

    @Test func aSecondReadingOfAPeriodIsRefusedAndNothingIsWritten() async throws {
        let f = try await EngineFixture.make("usage-ties-refused")
        let customer = try await f.customer("Careful Reader", branch: "north")
        try await Self.record(f, try Self.reading(f, customer, id: Self.low, month: 1, 100))
        let head = try await f.engine.store.headPosition()
        for (reading, code, field) in [(try Self.reading(f, customer, id: Self.high, month: 1, 500), DomainError.Code.alreadyExists, "periodStart"),
                                       (RevenueLedger.UsageReading(id: UUID.derived("reading", "kWh"), customerID: customer, meter: "m-1",
                                                                   periodStart: try EngineFixture.day("2025-02-01"),
                                                                   periodEnd: try EngineFixture.day("2025-02-28"), quantity: 100, unit: "kWh"),
                                        .invalid, "unit")] {
            do {
                try await Self.record(f, reading)
                Issue.record("the reading was recorded")
            } catch let error as EngineError {
                #expect(error.code == .rejected && error.domain?.code == code && error.field == field, "\(error)")
            }
        }
        #expect(try await f.engine.store.headPosition() == head, "nothing written")
        await f.close()
    }
}
