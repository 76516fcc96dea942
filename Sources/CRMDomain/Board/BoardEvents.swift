import EventSourcing
import Foundation

public struct ThreadStarted: EventPayload, Equatable {
    public static let eventType = "ThreadStarted"
    public static let schemaVersion: UInt32 = 1
    public var threadID: UUID
    /// The opening post.
    public var postID: UUID
    public var author: String
    /// The author's real name (the board is real-name).
    public var authorName: String
    public var title: String
    public var body: String
    public var postedAt: Date
    /// Flag-listed words the post contains: it is published and flagged for the moderators.
    public var flaggedWords: [String]

    public init(threadID: UUID, postID: UUID, author: String, authorName: String, title: String, body: String, postedAt: Date, flaggedWords: [String]) {
        self.threadID = threadID
        self.postID = postID
        self.author = author
        self.authorName = authorName
        self.title = title
        self.body = body
        self.postedAt = postedAt
        self.flaggedWords = flaggedWords
    }
}

public struct ReplyPosted: EventPayload, Equatable {
    public static let eventType = "ReplyPosted"
    public static let schemaVersion: UInt32 = 1
    public var threadID: UUID
    public var postID: UUID
    public var author: String
    public var authorName: String
    public var body: String
    public var postedAt: Date
    public var flaggedWords: [String]

    public init(threadID: UUID, postID: UUID, author: String, authorName: String, body: String, postedAt: Date, flaggedWords: [String]) {
        self.threadID = threadID
        self.postID = postID
        self.author = author
        self.authorName = authorName
        self.body = body
        self.postedAt = postedAt
        self.flaggedWords = flaggedWords
    }
}

public struct PostHidden: EventPayload, Equatable {
    public static let eventType = "PostHidden"
    public static let schemaVersion: UInt32 = 1
    public var threadID: UUID
    public var postID: UUID
    public var moderator: String
    public var reason: String

    public init(threadID: UUID, postID: UUID, moderator: String, reason: String) {
        self.threadID = threadID
        self.postID = postID
        self.moderator = moderator
        self.reason = reason
    }
}

public struct PostRestored: EventPayload, Equatable {
    public static let eventType = "PostRestored"
    public static let schemaVersion: UInt32 = 1
    public var threadID: UUID
    public var postID: UUID
    public var moderator: String
    public var reason: String

    public init(threadID: UUID, postID: UUID, moderator: String, reason: String) {
        self.threadID = threadID
        self.postID = postID
        self.moderator = moderator
        self.reason = reason
    }
}

public struct ThreadLocked: EventPayload, Equatable {
    public static let eventType = "ThreadLocked"
    public static let schemaVersion: UInt32 = 1
    public var threadID: UUID
    public var moderator: String
    public var reason: String

    public init(threadID: UUID, moderator: String, reason: String) {
        self.threadID = threadID
        self.moderator = moderator
        self.reason = reason
    }
}

public struct ThreadUnlocked: EventPayload, Equatable {
    public static let eventType = "ThreadUnlocked"
    public static let schemaVersion: UInt32 = 1
    public var threadID: UUID
    public var moderator: String
    public var reason: String

    public init(threadID: UUID, moderator: String, reason: String) {
        self.threadID = threadID
        self.moderator = moderator
        self.reason = reason
    }
}

public enum BoardEvent: DomainEvent {
    case started(ThreadStarted)
    case replied(ReplyPosted)
    case hidden(PostHidden)
    case restored(PostRestored)
    case locked(ThreadLocked)
    case unlocked(ThreadUnlocked)

    public static let payloadTypes: [any EventPayload.Type] = [
        ThreadStarted.self, ReplyPosted.self, PostHidden.self, PostRestored.self, ThreadLocked.self, ThreadUnlocked.self,
    ]

    public var payload: any EventPayload {
        switch self {
        case .started(let p): return p
        case .replied(let p): return p
        case .hidden(let p): return p
        case .restored(let p): return p
        case .locked(let p): return p
        case .unlocked(let p): return p
        }
    }

    public init?(payload: any EventPayload) {
        switch payload {
        case let p as ThreadStarted: self = .started(p)
        case let p as ReplyPosted: self = .replied(p)
        case let p as PostHidden: self = .hidden(p)
        case let p as PostRestored: self = .restored(p)
        case let p as ThreadLocked: self = .locked(p)
        case let p as ThreadUnlocked: self = .unlocked(p)
        default: return nil
        }
    }
}
