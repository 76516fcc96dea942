import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// Board moderation is judged at the engine's clock now on every read of a hidden post's body: a principal
/// held past the end of its moderator grant sees the body withheld. (A grant not yet begun is not among a
/// principal's permissions at all: a principal holds those in force when it was made.)
@Suite struct BoardModerationTimeTests {
    static let t0 = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00Z, the fixture's start

    /// The hidden post's body on each read of the thread: its state, the scan of every thread, a page of
    /// threads and an as-of read (by time and by position).
    func bodies(of thread: UUID, post: UUID, as principal: Principal, _ f: EngineFixture) async throws -> [String?] {
        func body(_ state: BoardThread.State) -> String? { state.posts.first { $0.id == post }?.body }
        let head = try await f.engine.store.headPosition()
        let state = try await f.engine.state(BoardThread.self, id: thread, as: principal).state
        let scanned = try await f.engine.records(BoardThread.self, as: principal).filter { $0.id == thread }.map(\.state)
        let paged = try await f.engine.records(BoardThread.self, as: principal, consistentWith: head).filter { $0.id == thread }.map(\.state)
        let asOfTime = try await f.engine.state(BoardThread.self, id: thread, asOf: .time(f.clock.now()), as: principal).state
        let asOfPosition = try await f.engine.state(BoardThread.self, id: thread, asOf: .position(head), as: principal).state
        return [body(state)] + scanned.map(body) + paged.map(body) + [body(asOfTime), body(asOfPosition)]
    }

    @Test func aHiddenPostsBodyIsWithheldOnEveryReadOnceTheReadersModeratorGrantHasEnded() async throws {
        let f = try await EngineFixture.make("board-moderation-ends")
        // A moderator until one hour after the start: the same principal object outlives the grant.
        let deputy = try await f.hire("Deputy", branch: "berlin", permissions: [
            Permission(module: .organisation, actions: [.query, .create, .edit], scope: .all),
            Permission(module: .organisation, actions: [.delete], scope: .all, validity: ValidityPeriod(until: Self.t0 + 3600)),
        ])
        let thread = UUID.derived("thread", "moderation ends")
        let post = UUID.derived("post", "moderation ends")
        try await f.engine.execute(BoardThread.self, id: thread, .start(threadID: thread, title: "Canteen",
            BoardThread.Draft(postID: post, author: "", authorName: "", body: "This is a SCAM"), words: []), as: deputy)
        try await f.engine.execute(BoardThread.self, id: thread, .hide(postID: post, reason: "rude"), as: deputy)

        #expect(try await bodies(of: thread, post: post, as: deputy, f) == Array(repeating: "This is a SCAM", count: 5))
        f.clock.set(Self.t0 + 7200)
        #expect(try await bodies(of: thread, post: post, as: deputy, f) == Array(repeating: nil, count: 5))
        #expect(try await bodies(of: thread, post: post, as: f.admin, f) == Array(repeating: "This is a SCAM", count: 5))
        await f.close()
    }
}
