import CRMDomain
import CRMEngine
import EventSourcing
import EventStoreLMDB
import Foundation
import Synchronization
import Testing

/// An appointment's reminders follow it through a move away and back, its completion, and a cancel that
/// races the scheduler's run.
@Suite struct AppointmentReminderReview5Tests {
    static func at(_ text: String) throws -> Date { try #require(ISO8601DateFormatter().date(from: text)) }

    /// The open reminder tasks on `owner`'s board.
    static func openReminders(_ f: EngineFixture, _ owner: Principal) async throws -> [Date] {
        let board = try await f.engine.taskBoard(for: owner.id, as: owner, consistentWith: try await f.engine.store.headPosition())
        return (board.overdue.map(\.task) + board.dueToday + board.upcoming).map(\.dueAt)
    }

    @Test func anAppointmentMovedToAnotherDayAndBackGetsOneOpenReminderAgain() async throws {
        let f = try await EngineFixture.make("appointment-reminder-move-back")
        try await f.engine.execute(Settings.self, id: UUID(), .setReminderLeadTime(kind: .appointment, days: 3), as: f.admin)
        let owner = try await f.hire("Keeper", branch: "north", permissions: ScopeTests.allRights(in: "north"))
        try await f.engine.execute(Diary.self, id: try #require(UUID(text: owner.id)), .subscribe(Diary.Subscription(kind: .appointment, leadDays: 3)), as: owner)
        let customer = try await f.customer("Appointed", branch: "north", owner: owner.id)
        let appointment = UUID.derived("appointment", "move-back")
        let first = try Self.at("2026-01-02T09:00:00Z"), other = try Self.at("2026-01-03T09:00:00Z")
        try await f.engine.execute(Customer.self, id: customer, .scheduleAppointment(id: appointment, kind: .install, at: first, address: "1 Road", note: nil), as: f.admin)
        #expect(try await f.engine.runScheduledWork().remindersDispatched == 2, "its own reminder and the owner's subscription one")

        try await f.engine.execute(Customer.self, id: customer, .rescheduleAppointment(id: appointment, at: other, address: nil), as: f.admin)
        _ = try await f.engine.runScheduledWork()
        let back = try await f.engine.execute(Customer.self, id: customer, .rescheduleAppointment(id: appointment, at: first, address: nil), as: f.admin)
        try await f.engine.reactionsSettled(upTo: back.position)
        #expect(try await Self.openReminders(f, owner) == [first, first], "one reminder of each, due at the appointment's time again")

        // Another run, and a replay of the reaction, add nothing.
        let run = try await f.engine.runScheduledWork()
        #expect(run.failures.isEmpty)
        #expect(run.remindersDispatched == 0)
        #expect(try await Self.openReminders(f, owner) == [first, first])

        // Moved away again, its fresh reminders go too; cancelled there, nothing stays open.
        let away = try await f.engine.execute(Customer.self, id: customer, .rescheduleAppointment(id: appointment, at: other, address: nil), as: f.admin)
        try await f.engine.reactionsSettled(upTo: away.position)
        _ = try await f.engine.runScheduledWork()
        #expect(try await Self.openReminders(f, owner) == [other, other])
        let cancelled = try await f.engine.execute(Customer.self, id: customer, .cancelAppointment(id: appointment, reason: nil), as: f.admin)
        try await f.engine.reactionsSettled(upTo: cancelled.position)
        #expect(try await Self.openReminders(f, owner).isEmpty)
        await f.close()
    }

    @Test func aCompletedAppointmentsOpenReminderIsClosed() async throws {
        let f = try await EngineFixture.make("appointment-reminder-completed")
        try await f.engine.execute(Settings.self, id: UUID(), .setReminderLeadTime(kind: .appointment, days: 1), as: f.admin)
        let owner = try await f.hire("Keeper", branch: "north", permissions: ScopeTests.allRights(in: "north"))
        let customer = try await f.customer("Appointed", branch: "north", owner: owner.id)
        let appointment = UUID.derived("appointment", "completed")
        try await f.engine.execute(Customer.self, id: customer, .scheduleAppointment(id: appointment, kind: .install, at: try Self.at("2026-01-02T09:00:00Z"),
                                                                                   address: "1 Road", note: nil), as: f.admin)
        #expect(try await f.engine.runScheduledWork().remindersDispatched == 1)
        let done = try await f.engine.execute(Customer.self, id: customer, .completeAppointment(id: appointment, note: nil), as: f.admin)
        try await f.engine.reactionsSettled(upTo: done.position)

        let id = Reminders.reminderID(kind: .appointment, sourceID: appointment.lowercasedString, occurrence: try EngineFixture.day("2026-01-02"))
        let task = try await f.engine.state(WorkTask.self, id: id, as: f.admin).state
        #expect(task.status == .cancelled)
        #expect(task.cancelReason == "the appointment was completed")
        #expect(try await Self.openReminders(f, owner).isEmpty)
        await f.close()
    }

    /// ``EngineFixture/make(_:)`` over a log that runs `hook` once, at the first append to a task stream
    /// (before it) or the first read of a diary stream.
    static func racing(_ label: String) async throws -> (EngineFixture, HookedStore) {
        let slot = await EngineGate.shared.acquire()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crm-engine-tests-\(label)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory + "/log", withIntermediateDirectories: true)
        let store = HookedStore(try LMDBEventStore(directory: directory + "/log", options: .init(durability: .noSync)))
        let clock = ManualClock(Date(timeIntervalSince1970: 1_767_225_600))  // 2026-01-01T00:00Z
        let engine = try await CRMEngine.open(store: store, views: directory, configuration: CRMEngine.Configuration(clock: clock, durability: .noSync))
        let (admin, token) = try await engine.bootstrap(administrator: NewEmployee(
            id: UUID.derived("employee", "admin"), name: "Ada Admin", position: "administrator", branch: "head-office",
            hiredOn: try EngineFixture.day("2020-01-01")))
        return (EngineFixture(directory: directory, clock: clock, engine: engine, admin: admin, adminToken: token, holdsSlot: slot), store)
    }

    /// The scheduler read its sources, then the appointment was cancelled (and the reaction found no reminder)
    /// before the reminder was dispatched: no reminder stays open for it.
    @Test(arguments: [HookedStore.Moment.beforeDispatch, .afterSourcesRead])
    func aSchedulerRunRacingACancelLeavesNoOpenReminder(_ moment: HookedStore.Moment) async throws {
        let (f, store) = try await Self.racing("appointment-reminder-race-\(moment)")
        try await f.engine.execute(Settings.self, id: UUID(), .setReminderLeadTime(kind: .appointment, days: 1), as: f.admin)
        let owner = try await f.hire("Keeper", branch: "north", permissions: ScopeTests.allRights(in: "north"))
        // A diary: the run reads it after the reminder sources.
        try await f.engine.execute(Diary.self, id: try #require(UUID(text: owner.id)), .subscribe(Diary.Subscription(kind: .birthday, leadDays: 0)), as: owner)
        let customer = try await f.customer("Appointed", branch: "north", owner: owner.id)
        let appointment = UUID.derived("appointment", "raced")
        try await f.engine.execute(Customer.self, id: customer, .scheduleAppointment(id: appointment, kind: .install, at: try Self.at("2026-01-02T09:00:00Z"),
                                                                                   address: "1 Road", note: nil), as: f.admin)
        let engine = f.engine, admin = f.admin
        store.hook(at: moment) {
            let cancelled = try? await engine.execute(Customer.self, id: customer, .cancelAppointment(id: appointment, reason: nil), as: admin)
            if let cancelled { try? await engine.reactionsSettled(upTo: cancelled.position) }
        }
        let run = try await f.engine.runScheduledWork()
        #expect(store.hooked, "the cancel came in the middle of the run")
        #expect(run.failures.isEmpty)
        #expect(try await Self.openReminders(f, owner).isEmpty)
        let id = Reminders.reminderID(kind: .appointment, sourceID: appointment.lowercasedString, occurrence: try EngineFixture.day("2026-01-02"))
        let task = try? await f.engine.state(WorkTask.self, id: id, as: f.admin).state
        if moment == .afterSourcesRead {
            #expect(task == nil, "re-checked before dispatching: none is dispatched")
        } else {
            #expect(task?.status == .cancelled, "dispatched, then cancelled as its appointment was")
        }
        #expect(try await f.engine.runScheduledWork().remindersDispatched == 0)
        await f.engine.close()
        await store.base.close()
        try? FileManager.default.removeItem(atPath: f.directory)
        if f.holdsSlot { await EngineGate.shared.release() }
    }
}

/// An LMDB log that runs a hook once at a given moment of a scheduler run, as a concurrent request would.
final class HookedStore: ForwardingEventStore {
    enum Moment: Sendable, CustomStringConvertible {
        /// Before the first append to a task stream.
        case beforeDispatch
        /// At the first read of a diary stream (after the reminder sources were read).
        case afterSourcesRead
        var description: String { self == .beforeDispatch ? "dispatch" : "sources" }
    }

    let base: LMDBEventStore
    private let pending = Mutex<(Moment, @Sendable () async -> Void)?>(nil)
    private let ran = Mutex(false)

    init(_ base: LMDBEventStore) { self.base = base }

    func hook(at moment: Moment, _ body: @escaping @Sendable () async -> Void) { pending.withLock { $0 = (moment, body) } }
    var hooked: Bool { ran.withLock { $0 } }

    private func fire(_ moment: Moment) async {
        let body = pending.withLock { p -> (@Sendable () async -> Void)? in
            guard let entry = p, entry.0 == moment else { return nil }
            p = nil
            return entry.1
        }
        guard let body else { return }
        await body()
        ran.withLock { $0 = true }
    }

    func append(_ appends: [StreamAppend]) async throws -> [AppendResult] {
        if appends.contains(where: { String($0.stream.category) == WorkTask.category }) { await fire(.beforeDispatch) }
        return try await base.append(appends)
    }

    func readStream(_ stream: StreamID, from version: StreamVersion, direction: ReadDirection, limit: Int) async throws -> [RecordedEvent] {
        if String(stream.category) == Diary.category { await fire(.afterSourcesRead) }
        return try await base.readStream(stream, from: version, direction: direction, limit: limit)
    }
}
