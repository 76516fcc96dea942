import CRMDomain
import CRMEngine
import CRMProjections
import EventSourcing
import Foundation
import Testing

/// A board post hidden now keeps its body — and the sensitive words flagged in it, which quote it — from
/// whoever may not moderate the board on every read of the thread's history too: the whole history, and one
/// event at a time as the `/v1/events` stream reads it (``CRMEngine/history(of:as:after:limit:consistentWith:decisions:)``).
/// A moderator still sees it.
@Suite struct HiddenPostHistoryTests {
    @Test func aHiddenPostsBodyAndFlaggedWordsAreWithheldFromTheThreadsHistoryForWhoeverMayNotModerate() async throws {
        let f = try await EngineFixture.make("hidden-post-history")
        try await f.engine.execute(SensitiveWordList.self, id: UUID(), .add(SensitiveWord(word: "scam", action: .flag)), as: f.admin)
        let poster = try await f.hire("Gus", branch: "berlin", permissions: [
            Permission(module: .organisation, actions: [.query, .create, .edit], scope: .all)])
        let thread = UUID.derived("thread", "hidden post history")
        let post = UUID.derived("post", "hidden post history")
        let reply = UUID.derived("post", "hidden post history reply")
        try await f.engine.execute(BoardThread.self, id: thread, .start(threadID: thread, title: "Canteen",
            BoardThread.Draft(postID: post, author: "", authorName: "", body: "SECRET-ADMIN-POST is a scam"), words: []), as: f.admin)
        try await f.engine.execute(BoardThread.self, id: thread, .reply(
            BoardThread.Draft(postID: reply, author: "", authorName: "", body: "Lunch at noon"), words: []), as: poster)
        let hidden = try await f.engine.execute(BoardThread.self, id: thread, .hide(postID: post, reason: "leak"), as: f.admin)

        let stream = BoardThread.stream(thread)
        let whole = try await f.engine.history(of: stream, as: poster, consistentWith: hidden.position)
        #expect(whole.count == 3)
        let changes = whole.flatMap(\.changes)
        #expect(!String(describing: changes).contains("SECRET-ADMIN-POST"), "\(changes)")
        #expect(!changes.contains { $0.field == "posts.\(post.lowercasedString).flaggedWords" })
        #expect(changes.contains { $0.field == "posts.\(reply.lowercasedString).body" && $0.new == .text("Lunch at noon") }, "the visible reply as recorded")
        // One event at a time, as the events stream reads each one.
        for version in 1...3 {
            let page = try await f.engine.history(of: stream, as: poster, after: version == 1 ? nil : StreamVersion(UInt64(version - 1)), limit: 1)
            #expect(page.count == 1 && !String(describing: page).contains("SECRET-ADMIN-POST"), "\(page)")
        }
        // The moderator sees the body and its flagged words, to judge whether to restore it.
        let moderated = try await f.engine.history(of: stream, as: f.admin).flatMap(\.changes)
        #expect(moderated.contains { $0.field == "posts.\(post.lowercasedString).body" && $0.new == .text("SECRET-ADMIN-POST is a scam") })
        #expect(moderated.contains { $0.field == "posts.\(post.lowercasedString).flaggedWords" })
        // Restored, it is shown to everyone again.
        let restored = try await f.engine.execute(BoardThread.self, id: thread, .restore(postID: post, reason: "fine"), as: f.admin)
        let again = try await f.engine.history(of: stream, as: poster, consistentWith: restored.position)
        #expect(String(describing: again).contains("SECRET-ADMIN-POST"))
        await f.close()
    }
}
