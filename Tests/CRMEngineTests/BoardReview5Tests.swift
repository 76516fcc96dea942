import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import Foundation
import Testing

/// Review 5 of the task board view and the staff board.
@Suite struct BoardReview5Tests {
    static let t0 = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00Z, the fixture's start

    /// The board agrees with the engine's task read (R-TSK-7): a task of no customer sits in its branch, so a
    /// colleague who may query that branch's tasks sees it on its assignee's board and in the overdue list,
    /// and one of another branch sees it nowhere.
    @Test func aTaskOfNoCustomerIsOnTheBoardsOfWhoeverMayQueryItsBranchsTasks() async throws {
        let f = try await EngineFixture.make("task-board-own-branch")
        let berta = try await f.hire("Berta", branch: "berlin", permissions: [Permission(module: .tasks, actions: [.create, .query], scope: .branch("berlin"))])
        let colleague = try await f.hire("Colleague", branch: "berlin", permissions: [Permission(module: .tasks, actions: [.query], scope: .branch("berlin"))])
        let stranger = try await f.hire("Stranger", branch: "hamburg", permissions: [Permission(module: .tasks, actions: [.query], scope: .branch("hamburg"))])
        let id = UUID.derived("task", "own berlin")
        try await f.engine.execute(WorkTask.self, id: id, .dispatch(taskID: id, details: WorkTask.Details(
            title: "own berlin", customerID: nil, kind: .other, dueAt: Self.t0 + 3600, branch: " berlin "), assignee: berta.id), as: berta)
        try await f.engine.views.waitUntil(try await f.engine.store.headPosition())
        #expect(try await f.engine.state(WorkTask.self, id: id, as: colleague).state.details?.title == "own berlin")
        #expect(try await f.engine.taskBoard(for: berta.id, as: colleague).dueToday.map(\.title) == ["own berlin"])
        #expect(try await f.engine.taskBoard(for: berta.id, as: stranger).dueToday.isEmpty)
        f.clock.set(Self.t0 + 7200)
        #expect(try await f.engine.overdueTasks(as: colleague).items.map(\.task.title) == ["own berlin"])
        #expect(try await f.engine.overdueTasks(as: stranger).items.isEmpty)
        await f.close()
    }

    /// The body of the post a thread's raw event posted (`ThreadStarted` or `ReplyPosted`), by post id.
    func bodies(_ events: [RecordedEvent]) throws -> [UUID: String] {
        var out: [UUID: String] = [:]
        for event in events {
            if event.type == ThreadStarted.eventType {
                let e = try BinaryPayloadDecoder.decode(ThreadStarted.self, from: event.payload)
                out[e.postID] = e.body
            } else if event.type == ReplyPosted.eventType {
                let e = try BinaryPayloadDecoder.decode(ReplyPosted.self, from: event.payload)
                out[e.postID] = e.body
            }
        }
        return out
    }

    @Test func aHiddenPostsBodyIsWithheldFromTheRawEventsOfReadersWhoMayNotModerateNow() async throws {
        let f = try await EngineFixture.make("board-raw-events")
        let reader = try await f.hire("Reader", branch: "berlin", permissions: [Permission(module: .organisation, actions: [.query, .create, .edit], scope: .all)])
        // A moderator until one hour after the start: the same principal object outlives the grant.
        let deputy = try await f.hire("Deputy", branch: "berlin", permissions: [
            Permission(module: .organisation, actions: [.query], scope: .all),
            Permission(module: .organisation, actions: [.delete], scope: .all, validity: ValidityPeriod(until: Self.t0 + 3600)),
        ])
        let thread = UUID.derived("thread", "canteen")
        let soup = UUID.derived("post", "soup"), scam = UUID.derived("post", "scam")
        try await f.engine.execute(BoardThread.self, id: thread, .start(threadID: thread, title: "Canteen",
            BoardThread.Draft(postID: soup, author: "", authorName: "", body: "Soup?"), words: []), as: reader)
        try await f.engine.execute(BoardThread.self, id: thread, .reply(BoardThread.Draft(postID: scam, author: "", authorName: "", body: "This is a SCAM"), words: []), as: reader)
        try await f.engine.execute(BoardThread.self, id: thread, .hide(postID: scam, reason: "rude"), as: deputy)
        let stream = BoardThread.stream(thread)

        let readers = try await f.engine.events(of: stream, as: reader)
        #expect(try bodies(readers) == [soup: "Soup?", scam: ""])
        #expect(readers.map(\.position) == (try await f.engine.store.readStream(stream)).map(\.position))
        #expect(try bodies(try await f.engine.events(of: stream, as: f.admin)) == [soup: "Soup?", scam: "This is a SCAM"])
        #expect(try bodies(try await f.engine.events(of: stream, as: deputy)) == [soup: "Soup?", scam: "This is a SCAM"])
        // Past the end of the deputy's moderation permission, the same principal no longer sees it.
        f.clock.set(Self.t0 + 7200)
        #expect(try bodies(try await f.engine.events(of: stream, as: deputy)) == [soup: "Soup?", scam: ""])
        // Restored, it is everyone's again.
        try await f.engine.execute(BoardThread.self, id: thread, .restore(postID: scam, reason: "on reflection"), as: f.admin)
        #expect(try bodies(try await f.engine.events(of: stream, as: reader)) == [soup: "Soup?", scam: "This is a SCAM"])
        await f.close()
    }
}
