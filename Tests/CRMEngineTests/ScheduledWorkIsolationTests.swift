import CRMAnalytics
import CRMDomain
import CRMEngine
import EventSourcing
import EventStoreLMDB
import Foundation
import Synchronization
import Testing

/// One job of the scheduled work that fails does not hold up the others: each runs on its own, the failure
/// is logged with the job's name and the error's code only, the run's report names the job, and the next
/// run tries it again. (An exploratory tester once made the churn watch throw, and every run stopped there,
/// every day: no contract expired, no points lapsed.)
@Suite struct ScheduledWorkIsolationTests {
    /// ``EngineFixture/make(_:)`` over `store` (its log in the fixture's directory), with the engine's log kept in `log`.
    static func fixture(_ label: String, log: CapturedLog) async throws -> (EngineFixture, UnreadableStreams) {
        let slot = await EngineGate.shared.acquire()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crm-engine-tests-\(label)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory + "/log", withIntermediateDirectories: true)
        // The store records with the engine's clock, as `CRMEngine.open(at:)` gives it (customers are "created"
        // when their event is recorded: the churn watch judges only those created by their day).
        let clock = ManualClock(Date(timeIntervalSince1970: 1_767_225_600))  // 2026-01-01T00:00Z
        let store = UnreadableStreams(try LMDBEventStore(directory: directory + "/log", options: .init(durability: .noSync), clock: clock))
        var configuration = CRMEngine.Configuration(clock: clock, durability: .noSync)
        configuration.logger = log.logger
        let engine = try await CRMEngine.open(store: store, views: directory, configuration: configuration)
        let (admin, token) = try await engine.bootstrap(administrator: NewEmployee(
            id: UUID.derived("employee", "admin"), name: "Ada Admin", position: "administrator", branch: "head-office",
            hiredOn: try EngineFixture.day("2020-01-01")))
        return (EngineFixture(directory: directory, clock: clock, engine: engine, admin: admin, adminToken: token, holdsSlot: slot), store)
    }

    @Test func aFailingJobIsReportedAndLoggedWhileTheJobsAfterItStillDoTheirWork() async throws {
        let log = CapturedLog()
        let (f, store) = try await Self.fixture("scheduled-work-isolation", log: log)
        let owner = try await f.hire("Keeper", branch: "north", permissions: ScopeTests.allRights(in: "north"))
        try await f.engine.execute(Settings.self, id: UUID(), .setReminderLeadTime(kind: .birthday, days: 0), as: f.admin)

        // Reminders (before the churn watch): a customer born on 1 January.
        let born = UUID.derived("customer", "born")
        try await f.engine.execute(Customer.self, id: born, .create(customerID: born, NewCustomer(
            kind: .person, name: "Born Today", group: "residential", branch: "north", owner: owner.id,
            birthday: try EngineFixture.day("1990-01-01")), form: .empty(group: "residential")), as: f.admin)

        // The churn watch fails: the storage fails to read churn watch streams (a customer whose purchases
        // stopped has one to read).
        let fading = try await f.customer("Fading Buyer", branch: "north", owner: owner.id)
        for month in 4...9 {
            let entry = RevenueLedger.Entry(id: UUID.derived("entry", "\(month)"), customerID: fading, chargeItem: "gas", businessLine: "gas",
                                            date: try EngineFixture.day(String(format: "2025-%02d-10", month)), amount: Money(100, .cny))
            try await f.engine.execute(RevenueLedger.self, id: RevenueLedger.id(customerID: fading), .record(entry), as: f.admin)
        }
        store.failing(category: ChurnWatch.category)

        // Contracts (after it): one whose last day was 31 December 2025, without a renewal clause.
        try await f.meterProduct()
        let quote = UUID.derived("quote", "isolation")
        try await f.engine.execute(Quote.self, id: quote, .create(quoteID: quote, customerID: fading, customerCode: "ISO", date: try EngineFixture.day("2025-01-02"),
                                                                  sequence: 1, draft: ScopeTestsPart2.draft, authorRole: "Administrator", limits: []), as: f.admin)
        try await f.engine.execute(Quote.self, id: quote, .accept, as: f.admin)
        let contract = UUID.derived("contract", "isolation")
        try await f.engine.execute(Contract.self, id: contract, .draft(id: contract, customerID: fading, owner: owner.id, branch: nil, title: "Supply",
                                                                       quoteID: quote, quoteNumber: "", lines: ScopeTestsPart2.lines,
                                                                       terms: Contract.Terms(effective: try EngineFixture.day("2025-01-01"), serviceStart: try EngineFixture.day("2025-01-01"),
                                                                                             expiry: try EngineFixture.day("2025-12-31"), renewalTermMonths: nil)), as: f.admin)
        // Activated on its last day (a contract whose expiry has passed is not activated), then the clock is back.
        f.clock.set(Date(timeIntervalSince1970: 1_767_225_600 - 43_200))
        for command: Contract.Command in [.submitForApproval, .approve(note: nil), .activate] {
            try await f.engine.execute(Contract.self, id: contract, command, as: command == .approve(note: nil) ? .system : f.admin)
        }
        f.clock.set(Date(timeIntervalSince1970: 1_767_225_600))

        // Points expiry (the last job): a lot that lapses on 1 January 2026.
        try await f.engine.execute(LoyaltyAccount.self, id: born, .accrue(
            customerID: born, points: 100, source: .manual, sourceReference: "welcome", reason: "welcome",
            earnedOn: try EngineFixture.day("2025-06-01"), expiresOn: try EngineFixture.day("2026-01-01")), as: f.admin)

        let run = try await f.engine.runScheduledWork()
        #expect(run.failedJobs == [.churnWatch])
        #expect(run.failures == [ScheduledWorkReport.Failure(job: .churnWatch, error: "store.storage", failedItems: 1)])
        #expect(run.remindersDispatched == 1, "the birthday reminder, before the failing job")
        #expect(run.contractsExpired == 1, "after the failing job")
        #expect(run.pointsExpired == 1, "the last job")
        #expect(try await f.engine.state(Contract.self, id: contract, as: f.admin).state.status == .expired)

        // The log names the job and the error's code, and nothing of the customer.
        #expect(log.metadata(of: "scheduled job failed") == ["job": "churnWatch", "error": "store.storage", "failedItems": "1"])
        #expect(log.metadata(of: "scheduled item failed") == ["job": "churnWatch", "item": "\(fading.lowercasedString)", "error": "store.storage"])
        let ran = try #require(log.metadata(of: "scheduled work ran"))
        #expect(ran["failed"] == "churnWatch")
        #expect(!ran.values.contains { "\($0)".contains(fading.lowercasedString) })

        // The next run tries the churn watch again (it still fails); the others' work is done and not repeated.
        let again = try await f.engine.runScheduledWork()
        #expect(again.failedJobs == [.churnWatch])
        #expect(again.remindersDispatched == 0 && again.remindersAlreadyThere == 1)
        #expect(again.contractsExpired == 0 && again.pointsExpired == 0)
        // The storage mended, the next run's churn watch does its work.
        store.failing(category: nil)
        let mended = try await f.engine.runScheduledWork()
        #expect(mended.failures.isEmpty)
        #expect(mended.retentionTasksDispatched == 1)
        await Self.close(f, store)
    }

    /// One item of a job that always fails (its stream unreadable) no longer stops the job's other items: they
    /// are done, the report counts the failed item, the log names its id, and the next run tries it again.
    @Test func anItemThatFailsIsCountedWhileItsJobGoesOnWithTheOthers() async throws {
        let log = CapturedLog()
        let (f, store) = try await Self.fixture("scheduled-item-isolation", log: log)
        let owner = try await f.hire("Keeper", branch: "north", permissions: ScopeTests.allRights(in: "north"))
        var buyers: [UUID] = []
        for name in ["First Fading", "Second Fading"] {
            let customer = try await f.customer(name, branch: "north", owner: owner.id)
            for month in 4...9 {
                let entry = RevenueLedger.Entry(id: UUID.derived("entry", name, "\(month)"), customerID: customer, chargeItem: "gas", businessLine: "gas",
                                                date: try EngineFixture.day(String(format: "2025-%02d-10", month)), amount: Money(100, .cny))
                try await f.engine.execute(RevenueLedger.self, id: RevenueLedger.id(customerID: customer), .record(entry), as: f.admin)
            }
            buyers.append(customer)
        }
        // One buyer's churn watch cannot be read: the other still gets its task, before or after it.
        let broken = buyers[0]
        store.failing(stream: ChurnWatch.stream(broken))

        let run = try await f.engine.runScheduledWork()
        #expect(run.failures == [ScheduledWorkReport.Failure(job: .churnWatch, error: "store.storage", failedItems: 1)])
        #expect(run.retentionTasksDispatched == 1, "the other buyer's retention task")
        #expect(log.metadata(of: "scheduled item failed") == ["job": "churnWatch", "item": "\(broken.lowercasedString)", "error": "store.storage"])
        let watched = try await f.engine.store.readStream(ChurnWatch.stream(buyers.first { $0 != broken } ?? broken))
        #expect(watched.map(\.type) == [ChurnEpisodeOpened.eventType])

        store.failing(stream: nil)
        let mended = try await f.engine.runScheduledWork()
        #expect(mended.failures.isEmpty)
        #expect(mended.retentionTasksDispatched == 1, "the broken buyer's, tried again; the other's is not repeated")
        await Self.close(f, store)
    }

    static func close(_ f: EngineFixture, _ store: UnreadableStreams) async {
        await f.engine.close()
        await store.base.close()
        try? FileManager.default.removeItem(atPath: f.directory)
        if f.holdsSlot { await EngineGate.shared.release() }
    }

    @Test func aRunWithoutFailuresReportsNone() async throws {
        let log = CapturedLog()
        let (f, store) = try await Self.fixture("scheduled-work-no-failure", log: log)
        let run = try await f.engine.runScheduledWork()
        #expect(run.failures.isEmpty && run.failedJobs.isEmpty)
        #expect(log.metadata(of: "scheduled job failed") == nil)
        #expect(log.metadata(of: "scheduled work ran")?["failed"] == nil)
        await Self.close(f, store)
    }

    @Test func anErrorsCodeNamesItsKindAndCodeOnly() {
        let refused = EngineError(.rejected, field: "threshold", "Li Wei's threshold", domain: .invalid("threshold", "Li Wei's threshold"))
        #expect(ScheduledWorkReport.errorCode(of: refused) == "engine.rejected.invalid")
        #expect(ScheduledWorkReport.errorCode(of: EngineError(.unavailable, "closed")) == "engine.unavailable")
        #expect(ScheduledWorkReport.errorCode(of: EventStoreError(.storage, detail: "disk full")) == "store.storage")
        #expect(ScheduledWorkReport.errorCode(of: DomainError(.notConfigured, "no SLA")) == "domain.notConfigured")
        #expect(ScheduledWorkReport.errorCode(of: ViewError.projectionFailed(name: "history", position: GlobalPosition(7), eventType: "X", reason: "Li Wei"))
                == "view.projectionFailed")
    }
}

/// An LMDB log whose reads of one category's streams fail, as a storage fault would: what the scheduled work
/// meets when one job's records cannot be read.
final class UnreadableStreams: ForwardingEventStore {
    let base: LMDBEventStore
    private let category = Mutex<String?>(nil)
    private let stream = Mutex<StreamID?>(nil)

    init(_ base: LMDBEventStore) { self.base = base }

    /// From now on, reads of `category`'s streams fail (none when nil).
    func failing(category name: String?) { category.withLock { $0 = name } }

    /// From now on, reads of `failing` fail (none when nil).
    func failing(stream failing: StreamID?) { stream.withLock { $0 = failing } }

    func readStream(_ stream: StreamID, from version: StreamVersion, direction: ReadDirection, limit: Int) async throws -> [RecordedEvent] {
        if let failing = category.withLock({ $0 }), String(stream.category) == failing {
            throw EventStoreError(.storage, detail: "read failed", stream: stream)
        }
        if let failing = self.stream.withLock({ $0 }), stream == failing {
            throw EventStoreError(.storage, detail: "read failed", stream: stream)
        }
        return try await base.readStream(stream, from: version, direction: direction, limit: limit)
    }
}
