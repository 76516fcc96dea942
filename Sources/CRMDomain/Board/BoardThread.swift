import EventSourcing
import Foundation

/// A thread of the staff discussion board (R-ORG-6): real-name posts and replies; moderators hide and
/// restore posts and lock and unlock the thread, each with a reason; posts are checked against the
/// sensitive-word list (passed in by the engine from ``SensitiveWordList``): a block-listed word refuses
/// the post, a flag-listed one publishes it flagged. Stream `thread-<id>`.
public enum BoardThread: Aggregate {
    public static let category = "thread"

    public struct Post: Hashable, Sendable {
        public let id: UUID
        public let author: String
        public let authorName: String
        /// What the post says; nil in a copy withheld from a reader who may not moderate while the post is
        /// hidden (``State/withholdingHiddenPosts()``).
        public var body: String?
        public let postedAt: Date
        /// The sensitive words found in the post (emptied with its body when withheld: they quote it).
        public var flaggedWords: [String]
        public var isHidden: Bool
    }

    public struct State: Sendable, Equatable {
        public var threadID: UUID?
        public var title = ""
        public var posts: [Post] = []
        public var isLocked = false

        public init() {}

        /// Posts as readers see them (hidden ones left out).
        public var visiblePosts: [Post] { posts.filter { !$0.isHidden } }
        /// Posts waiting for a moderator's look.
        public var flaggedPosts: [Post] { posts.filter { !$0.flaggedWords.isEmpty && !$0.isHidden } }

        /// The thread as a reader who may not moderate it sees it (R-ORG-6 moderation): a hidden post stays in
        /// its place — its id, author and time, `isHidden` true — but its body is withheld (nil) and so are
        /// the sensitive words found in it. A thread is never hidden as a whole: its title is always shown.
        public func withholdingHiddenPosts() -> State {
            guard posts.contains(where: \.isHidden) else { return self }
            var s = self
            for i in s.posts.indices where s.posts[i].isHidden {
                s.posts[i].body = nil
                s.posts[i].flaggedWords = []
            }
            return s
        }
    }

    /// A post as written: who (real name) and what.
    public struct Draft: Hashable, Sendable {
        public var postID: UUID
        public var author: String
        public var authorName: String
        public var body: String

        public init(postID: UUID, author: String, authorName: String, body: String) {
            self.postID = postID
            self.author = author
            self.authorName = authorName
            self.body = body
        }
    }

    public enum Command: Sendable {
        case start(threadID: UUID, title: String, Draft, words: [SensitiveWord])
        case reply(Draft, words: [SensitiveWord])
        case hide(postID: UUID, reason: String)
        case restore(postID: UUID, reason: String)
        case lock(reason: String)
        case unlock(reason: String)
    }

    public typealias Event = BoardEvent
    public static var initialState: State { State() }

    public static func decide(_ command: Command, state: State, context: CommandContext) throws(DomainError) -> [Event] {
        switch command {
        case .start(let threadID, let title, let draft, let words):
            guard state.threadID == nil else { throw DomainError(.alreadyExists, "the thread already exists") }
            let title = try Validate.text(title, field: "title", max: 200)
            let (author, name, body, flagged) = try checked(draft, words: words, title: title)
            return [.started(ThreadStarted(threadID: threadID, postID: draft.postID, author: author, authorName: name, title: title,
                                           body: body, postedAt: context.now, flaggedWords: flagged))]

        case .reply(let draft, let words):
            let id = try thread(state)
            guard !state.isLocked else { throw .transition("the thread is locked") }
            guard !state.posts.contains(where: { $0.id == draft.postID }) else { return [] }
            let (author, name, body, flagged) = try checked(draft, words: words, title: nil)
            return [.replied(ReplyPosted(threadID: id, postID: draft.postID, author: author, authorName: name, body: body,
                                         postedAt: context.now, flaggedWords: flagged))]

        case .hide(let postID, let reason):
            let id = try thread(state)
            let reason = try Validate.multilineText(reason, field: "reason", max: 500)
            guard let post = state.posts.first(where: { $0.id == postID }) else { throw .notFound("no such post") }
            guard !post.isHidden else { return [] }
            return [.hidden(PostHidden(threadID: id, postID: postID, moderator: context.actor, reason: reason))]

        case .restore(let postID, let reason):
            let id = try thread(state)
            let reason = try Validate.multilineText(reason, field: "reason", max: 500)
            guard let post = state.posts.first(where: { $0.id == postID }) else { throw .notFound("no such post") }
            guard post.isHidden else { throw .transition("the post is not hidden") }
            return [.restored(PostRestored(threadID: id, postID: postID, moderator: context.actor, reason: reason))]

        case .lock(let reason):
            let id = try thread(state)
            let reason = try Validate.multilineText(reason, field: "reason", max: 500)
            guard !state.isLocked else { return [] }
            return [.locked(ThreadLocked(threadID: id, moderator: context.actor, reason: reason))]

        case .unlock(let reason):
            let id = try thread(state)
            let reason = try Validate.multilineText(reason, field: "reason", max: 500)
            guard state.isLocked else { throw .transition("the thread is not locked") }
            return [.unlocked(ThreadUnlocked(threadID: id, moderator: context.actor, reason: reason))]
        }
    }

    private static func thread(_ state: State) throws(DomainError) -> UUID {
        guard let id = state.threadID else { throw .notFound("no such thread") }
        return id
    }

    /// Validates a draft (real name required) and applies the word list to its text and the title, each on
    /// its own: a blocked word is refused naming the field it was found in (`title` first), and the words to
    /// flag are those found in either, in list order.
    private static func checked(_ draft: Draft, words: [SensitiveWord], title: String?) throws(DomainError) -> (String, String, String, [String]) {
        let author = try Validate.text(draft.author, field: "author", max: 100)
        let name = try Validate.text(draft.authorName, field: "authorName", max: 100)
        let body = try Validate.multilineText(draft.body, field: "body", max: 10_000)
        var found: [SensitiveWord] = []
        for (field, text) in [("title", title), ("body", body)] {
            guard let text else { continue }
            let matched = SensitiveWordFilter.matches(in: text, words: words)
            if matched.contains(where: { $0.action == .block }) {
                throw DomainError(.forbidden, field: field, "the post contains a blocked word")
            }
            found += matched
        }
        let flagged = words.filter { word in found.contains(word) }.map(\.word)
        return (author, name, body, flagged)
    }

    public static func evolve(_ state: State, _ event: Event) -> State {
        var s = state
        switch event {
        case .started(let e):
            s.threadID = e.threadID
            s.title = e.title
            s.posts.append(Post(id: e.postID, author: e.author, authorName: e.authorName, body: e.body, postedAt: e.postedAt, flaggedWords: e.flaggedWords, isHidden: false))
        case .replied(let e):
            s.posts.append(Post(id: e.postID, author: e.author, authorName: e.authorName, body: e.body, postedAt: e.postedAt, flaggedWords: e.flaggedWords, isHidden: false))
        case .hidden(let e):
            if let i = s.posts.firstIndex(where: { $0.id == e.postID }) { s.posts[i].isHidden = true }
        case .restored(let e):
            if let i = s.posts.firstIndex(where: { $0.id == e.postID }) { s.posts[i].isHidden = false }
        case .locked: s.isLocked = true
        case .unlocked: s.isLocked = false
        }
        return s
    }
}
