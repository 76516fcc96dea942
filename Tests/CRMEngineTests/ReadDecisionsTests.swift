import CRMDomain
@testable import CRMEngine
import CRMProjections
import EventSourcing
import Foundation
import Testing

/// A reader's kept decisions (``CRMEngine/ReadDecisions``, the `/v1/events` stream's): each record judged
/// once, judged again after a later event that may change it (its own, its customer's), after their age, and
/// never more than their capacity kept.
@Suite struct ReadDecisionsTests {
    /// The positions of the events from `from` that `principal` sees, each read as the events stream reads
    /// it (its history entry, one per call), with `decisions`; and the position it read up to.
    static func seen(_ f: EngineFixture, from: GlobalPosition, as principal: Principal,
                     decisions: CRMEngine.ReadDecisions) async throws -> (positions: [GlobalPosition], head: GlobalPosition) {
        let events = try await f.engine.store.readAll(from: from, direction: .forward, limit: .max)
        var seen: [GlobalPosition] = []
        for event in events where !["idempotency", "reservation", "apitoken"].contains(String(event.stream.rawValue.prefix { $0 != "-" })) {
            let after = event.streamVersion.rawValue > 1 ? StreamVersion(event.streamVersion.rawValue - 1) : nil
            do {
                let page = try await f.engine.history(of: event.stream, as: principal, after: after, limit: 1,
                                                      consistentWith: event.position, decisions: decisions)
                if page.first?.version == event.streamVersion { seen.append(event.position) }
            } catch let error as EngineError where error.code == .notFound {
                continue
            }
        }
        return (seen, events.last?.position ?? from)
    }

    @Test func aRecordMovedOutOfTheReadersScopeMidStreamStopsAppearing() async throws {
        let f = try await EngineFixture.make("read-decisions-move")
        let alice = try await f.hire("Alice", branch: "A", permissions: ScopeTests.allRights)
        let bob = try await f.hire("Bob", branch: "A", permissions: ScopeTests.allRights)
        let customer = try await f.customer("Moving", branch: "A")
        let task = UUID.derived("task", "moving")
        try await f.engine.execute(WorkTask.self, id: task, .dispatch(taskID: task, details: WorkTask.Details(
            title: "Call", customerID: customer, kind: .followUp, dueAt: f.clock.now().addingTimeInterval(86_400)), assignee: bob.id), as: f.admin)
        try await f.engine.execute(WorkTask.self, id: task, .edit(title: "Call soon", note: nil), as: f.admin)

        // Caught up: the customer's and the task's events, each record judged once and kept.
        let decisions = CRMEngine.ReadDecisions()
        let first = try await Self.seen(f, from: GlobalPosition(1), as: alice, decisions: decisions)
        let records = [Customer.stream(customer), WorkTask.stream(task)]
        let theirs = try await f.engine.store.readAll(from: GlobalPosition(1), direction: .forward, limit: .max)
            .filter { records.contains($0.stream) }.map(\.position)
        #expect(first.positions.filter(theirs.contains) == theirs)
        #expect(decisions.count > 0)

        // Live: the customer moves to branch B; its task changes after; another customer of A is created.
        let moved = try await f.engine.execute(Customer.self, id: customer, .edit(CustomerEdit(branch: .set("B")), form: .empty(group: "residential")), as: f.admin)
        let edited = try await f.engine.execute(WorkTask.self, id: task, .edit(title: "Call later", note: nil), as: f.admin)
        let sentinel = try await f.customer("Staying", branch: "A")
        let second = try await Self.seen(f, from: first.head.next, as: alice, decisions: decisions)
        #expect(!second.positions.contains(moved.position) && !second.positions.contains(edited.position), "\(second.positions)")
        let created = try #require(try await f.engine.store.readStream(Customer.stream(sentinel)).first?.position)
        #expect(second.positions.contains(created))
        await f.close()
    }

    /// Tailing a record's events past the head the decisions were started at judges that record again, once
    /// per event, and nothing else: another record's decision stays kept, the decisions are not started again.
    @Test func tailingOneRecordJudgesOnlyThatRecordAgain() async throws {
        let f = try await EngineFixture.make("read-decisions-tail")
        let alice = try await f.hire("Alice", branch: "A", permissions: ScopeTests.allRights)
        let customer = try await f.customer("Busy", branch: "A")
        let other = try await f.customer("Quiet", branch: "A")
        let task = UUID.derived("task", "busy")
        try await f.engine.execute(WorkTask.self, id: task, .dispatch(taskID: task, details: WorkTask.Details(
            title: "Call", customerID: customer, kind: .followUp, dueAt: f.clock.now().addingTimeInterval(86_400)), assignee: alice.id), as: f.admin)

        let decisions = CRMEngine.ReadDecisions()
        var head = try await Self.seen(f, from: GlobalPosition(1), as: alice, decisions: decisions).head
        #expect(decisions.decisions[Customer.stream(other)] == true)
        let started = decisions.startedAt
        for n in 1...5 {
            let judged = decisions.judgements
            let edit = try await f.engine.execute(WorkTask.self, id: task, .edit(title: "Call \(n)", note: nil), as: f.admin)
            let tail = try await Self.seen(f, from: head.next, as: alice, decisions: decisions)
            #expect(tail.positions.contains(edit.position))
            #expect(decisions.judgements == judged + 1, "only the task is judged again")
            #expect(decisions.decisions[Customer.stream(other)] == true && decisions.decisions[Customer.stream(customer)] == true)
            #expect(decisions.startedAt == started && decisions.through >= edit.position)
            head = tail.head
        }
        await f.close()
    }

    /// An event at or before the head the decisions were started at is judged on them (the staleness bound),
    /// until they are older than their age; a kept decision never outnumbers the capacity.
    @Test func decisionsAreUsedUntilTheirAgeAndKeptUpToTheirCapacity() async throws {
        let f = try await EngineFixture.make("read-decisions-age")
        let alice = try await f.hire("Alice", branch: "A", permissions: ScopeTests.allRights)
        let customer = try await f.customer("Aging", branch: "A")
        let stream = Customer.stream(customer)
        try await f.engine.views.waitUntil(try await f.engine.store.headPosition(), projections: ["modification-history"])
        let decisions = CRMEngine.ReadDecisions(capacity: 2, maxAge: 10)
        #expect(try await f.engine.history(of: stream, as: alice, limit: 1, decisions: decisions).count == 1)
        // Moved away after the decision: an event from before it is still judged on the decision …
        try await f.engine.execute(Customer.self, id: customer, .edit(CustomerEdit(branch: .set("B")), form: .empty(group: "residential")), as: f.admin)
        #expect(try await f.engine.history(of: stream, as: alice, limit: 1, decisions: decisions).count == 1)
        // … without decisions, and once they are older than their age, it is not found.
        await #expect(throws: EngineError.self) { try await f.engine.history(of: stream, as: alice, limit: 1) }
        f.clock.advance(by: 11)
        let aged = await #expect(throws: EngineError.self) { try await f.engine.history(of: stream, as: alice, limit: 1, decisions: decisions) }
        #expect(aged?.code == .notFound)
        // Another principal's decisions are not used: the administrator is judged anew.
        #expect(try await f.engine.history(of: stream, as: f.admin, limit: 1, decisions: decisions).count == 1)

        // Three records through decisions for two: never more than two kept.
        var streams: [StreamID] = []
        for name in ["One", "Two", "Three"] { streams.append(Customer.stream(try await f.customer(name, branch: "A"))) }
        let head = try await f.engine.store.headPosition()
        let small = CRMEngine.ReadDecisions(capacity: 2)
        for stream in streams {
            #expect(try await f.engine.history(of: stream, as: alice, consistentWith: head, decisions: small).count == 1)
            #expect(small.count <= 2 && small.count > 0)
        }
        await f.close()
    }
}
