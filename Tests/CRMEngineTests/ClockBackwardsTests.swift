import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// A clock set back (NTP stepping, an operator) does not make recorded times decrease along positions: the
/// store records a commit 1 µs after the last event while the clock reads earlier, so as-of by time and
/// `position(at:)` (a binary search over recorded times) keep answering what was recorded by then.
@Suite struct ClockBackwardsTests {
    @Test func anEditWhileTheClockReadsThreeDaysEarlierIsRecordedAfterTheCreateAndAsOfTheCreatesTimeShowsIt() async throws {
        let f = try await EngineFixture.make("clock-backwards")
        let id = try await f.customer("Back One", branch: "north")
        let created = try await f.engine.store.headPosition()
        let t1 = f.clock.now()
        f.clock.advance(by: -3 * 86_400)
        let edited = try await f.engine.execute(Customer.self, id: id, .edit(CustomerEdit(name: "Back Two"), form: .empty(group: "residential")), as: f.admin)
        #expect(edited.position > created)

        let log = try await f.engine.store.readAll(from: .start, direction: .forward, limit: 10_000)
        for (earlier, later) in zip(log, log.dropFirst()) {
            #expect(later.recordedAt >= earlier.recordedAt, "position \(later.position.rawValue) recorded before position \(earlier.position.rawValue)")
        }
        let edit = try #require(edited.events.last)
        #expect(edit.recordedAt > t1 && edit.recordedAt.timeIntervalSince(t1) < 0.001, "\(edit.recordedAt) just after \(t1)")

        #expect(try await f.engine.state(Customer.self, id: id, asOf: .time(t1), as: f.admin).state.name == "Back One")
        #expect(try await f.engine.state(Customer.self, id: id, asOf: .time(edit.recordedAt), as: f.admin).state.name == "Back Two")
        #expect(try await f.engine.position(at: t1) == created)
        #expect(try await f.engine.position(at: edit.recordedAt) == edited.position)
        await f.close()
    }
}
