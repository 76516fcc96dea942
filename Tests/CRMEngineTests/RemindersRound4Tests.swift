import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import Foundation
import Testing

/// Reminder tasks follow their appointment, and a whole day's reminder is due today on its day.
@Suite struct RemindersRound4Tests {
    static func at(_ text: String) throws -> Date { try #require(ISO8601DateFormatter().date(from: text)) }

    @Test func aCancelledOrRescheduledAppointmentsOpenReminderIsCancelledOrMovedWithIt() async throws {
        let f = try await EngineFixture.make("reminders-appointments")
        try await f.engine.execute(Settings.self, id: UUID(), .setReminderLeadTime(kind: .appointment, days: 1), as: f.admin)
        let owner = try await f.hire("Keeper", branch: "north", permissions: ScopeTests.allRights(in: "north"))
        let customer = try await f.customer("Appointed", branch: "north", owner: owner.id)
        let cancelled = UUID.derived("appointment", "cancelled"), moved = UUID.derived("appointment", "moved"), sameDay = UUID.derived("appointment", "same-day")
        for (id, time) in [(cancelled, "2026-01-02T09:00:00Z"), (moved, "2026-01-02T12:00:00Z"), (sameDay, "2026-01-02T15:00:00Z")] {
            try await f.engine.execute(Customer.self, id: customer, .scheduleAppointment(id: id, kind: .install, at: try Self.at(time), address: "1 Road", note: nil), as: f.admin)
        }
        #expect(try await f.engine.runScheduledWork().remindersDispatched == 3)
        let day = try EngineFixture.day("2026-01-02")
        func reminder(_ id: UUID) async throws -> WorkTask.State {
            try await f.engine.state(WorkTask.self, id: Reminders.reminderID(kind: .appointment, sourceID: id.lowercasedString, occurrence: day), as: f.admin).state
        }

        try await f.engine.execute(Customer.self, id: customer, .cancelAppointment(id: cancelled, reason: nil), as: f.admin)
        try await f.engine.execute(Customer.self, id: customer, .rescheduleAppointment(id: moved, at: try Self.at("2026-01-10T09:00:00Z"), address: nil), as: f.admin)
        let last = try await f.engine.execute(Customer.self, id: customer, .rescheduleAppointment(id: sameDay, at: try Self.at("2026-01-02T17:00:00Z"), address: nil), as: f.admin)
        try await f.engine.reactionsSettled(upTo: last.position)

        #expect(try await reminder(cancelled).status == .cancelled)
        #expect(try await reminder(moved).status == .cancelled, "the old day's reminder goes; the new day's comes when it is due")
        let kept = try await reminder(sameDay)
        #expect(kept.status == .dispatched)
        #expect(kept.details?.dueAt == (try Self.at("2026-01-02T17:00:00Z")), "moved within its day: the same reminder, due at the new time")

        // The next run leaves them as they are, and fails nothing.
        let again = try await f.engine.runScheduledWork()
        #expect(again.failures.isEmpty)
        #expect(again.remindersDispatched == 0)
        let board = try await f.engine.taskBoard(for: owner.id, as: owner, consistentWith: try await f.engine.store.headPosition())
        #expect((board.overdue.map(\.task) + board.dueToday + board.upcoming).map(\.dueAt) == [try Self.at("2026-01-02T17:00:00Z")])
        await f.close()
    }

    @Test func aBirthdayReminderIsDueTodayOnTheBirthdayNotOverdue() async throws {
        let f = try await EngineFixture.make("reminders-birthday-due")
        try await f.engine.execute(Settings.self, id: UUID(), .setBranchTimeZone(branch: "north", timeZoneID: "Asia/Shanghai"), as: f.admin)
        let owner = try await f.hire("Keeper", branch: "north", permissions: ScopeTests.allRights(in: "north"))
        let customer = UUID.derived("customer", "born today")
        try await f.engine.execute(Customer.self, id: customer, .create(customerID: customer, NewCustomer(
            kind: .person, name: "Born Today", group: "residential", branch: "north", owner: owner.id,
            birthday: try EngineFixture.day("1990-01-02")), form: .empty(group: "residential")), as: f.admin)
        // 2 January, 10:00 in Shanghai.
        f.clock.set(try Self.at("2026-01-02T02:00:00Z"))
        #expect(try await f.engine.runScheduledWork().remindersDispatched == 1)
        let board = try await f.engine.taskBoard(for: owner.id, as: owner, consistentWith: try await f.engine.store.headPosition())
        #expect(board.overdue.isEmpty)
        #expect(board.dueToday.map(\.title) == ["Birthday on 2026-01-02"])
        #expect(board.dueToday.first?.dueAt == (try Self.at("2026-01-02T15:59:59Z")), "the last second of the day in Shanghai")
        await f.close()
    }
}
