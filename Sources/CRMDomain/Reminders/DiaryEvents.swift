import EventSourcing
import Foundation

/// A personal diary item was added (R-TSK-7).
public struct DiaryItemAdded: EventPayload, Equatable {
    public static let eventType = "DiaryItemAdded"
    public static let schemaVersion: UInt32 = 1
    public var item: Diary.Item

    public init(item: Diary.Item) {
        self.item = item
    }
}

/// A diary item changed: exactly the changed fields (`date`, `time`, `note`, `customerID`), old → new.
public struct DiaryItemChanged: EventPayload, Equatable {
    public static let eventType = "DiaryItemChanged"
    public static let schemaVersion: UInt32 = 1
    public var itemID: UUID
    public var changes: [FieldChange]

    public init(itemID: UUID, changes: [FieldChange]) {
        self.itemID = itemID
        self.changes = changes
    }
}

/// A diary item was removed.
public struct DiaryItemRemoved: EventPayload, Equatable {
    public static let eventType = "DiaryItemRemoved"
    public static let schemaVersion: UInt32 = 1
    public var itemID: UUID

    public init(itemID: UUID) {
        self.itemID = itemID
    }
}

/// The employee subscribed to reminders of a kind, or changed the lead time of a subscription.
public struct DiarySubscriptionSet: EventPayload, Equatable {
    public static let eventType = "DiarySubscriptionSet"
    public static let schemaVersion: UInt32 = 1
    public var subscription: Diary.Subscription
    /// The subscription it replaced, for the modification trail.
    public var previous: Diary.Subscription?

    public init(subscription: Diary.Subscription, previous: Diary.Subscription? = nil) {
        self.subscription = subscription
        self.previous = previous
    }
}

/// The employee unsubscribed from reminders of a kind.
public struct DiaryUnsubscribed: EventPayload, Equatable {
    public static let eventType = "DiaryUnsubscribed"
    public static let schemaVersion: UInt32 = 1
    public var kind: ReminderKind

    public init(kind: ReminderKind) {
        self.kind = kind
    }
}

/// The events of the diary aggregate.
public enum DiaryEvent: DomainEvent {
    case itemAdded(DiaryItemAdded)
    case itemChanged(DiaryItemChanged)
    case itemRemoved(DiaryItemRemoved)
    case subscriptionSet(DiarySubscriptionSet)
    case unsubscribed(DiaryUnsubscribed)

    public static let payloadTypes: [any EventPayload.Type] = [
        DiaryItemAdded.self, DiaryItemChanged.self, DiaryItemRemoved.self, DiarySubscriptionSet.self, DiaryUnsubscribed.self,
    ]

    public var payload: any EventPayload {
        switch self {
        case .itemAdded(let p): return p
        case .itemChanged(let p): return p
        case .itemRemoved(let p): return p
        case .subscriptionSet(let p): return p
        case .unsubscribed(let p): return p
        }
    }

    public init?(payload: any EventPayload) {
        switch payload {
        case let p as DiaryItemAdded: self = .itemAdded(p)
        case let p as DiaryItemChanged: self = .itemChanged(p)
        case let p as DiaryItemRemoved: self = .itemRemoved(p)
        case let p as DiarySubscriptionSet: self = .subscriptionSet(p)
        case let p as DiaryUnsubscribed: self = .unsubscribed(p)
        default: return nil
        }
    }
}
