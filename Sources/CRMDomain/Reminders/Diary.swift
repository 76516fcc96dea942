import EventSourcing
import Foundation

/// An employee's personal work diary (R-TSK-7): their own dated items, and subscriptions to reminder
/// kinds with a personal lead time. One stream per employee, ``Diary/stream(employee:)``.
///
/// Subscriptions name ``ReminderKind`` values (birthday, anniversary, holiday, appointment,
/// contractExpiry): a subscriber gets an extra reminder task (reminder kind `subscription`) `leadDays`
/// ahead of every occurrence of that kind that concerns them — their customers' key dates, appointments
/// and contract expiries, their branch's holidays — besides the standard reminder. See ``Reminders``.
///
/// ```swift
/// let events = try Diary.decide(.addItem(Diary.Item(id: id, date: day, note: "Call the notary")),
///                               state: diary, context: context)
/// ```
public enum Diary: Aggregate {
    public static let category = "diary"

    /// The kinds a subscription may name: those with occurrences in the reminder sources.
    public static let subscribableKinds: Set<ReminderKind> = [.birthday, .anniversary, .holiday, .appointment, .contractExpiry]

    /// The diary stream of an employee.
    public static func stream(employee: String) -> StreamID { StreamID(category: category, id: employee) }

    /// One personal diary entry.
    public struct Item: Hashable, Sendable, Codable {
        public var id: UUID
        /// The local day of the entry, in the employee's branch calendar.
        public var date: LocalDate
        /// The time of day, if the entry has one; the reminder is then due at that time.
        public var time: TimeOfDay?
        public var note: String
        /// The customer the entry concerns, if any.
        public var customerID: UUID?

        public init(id: UUID, date: LocalDate, time: TimeOfDay? = nil, note: String, customerID: UUID? = nil) {
            self.id = id
            self.date = date
            self.time = time
            self.note = note
            self.customerID = customerID
        }
    }

    /// A subscription to reminders of one kind.
    public struct Subscription: Hashable, Sendable, Codable {
        public var kind: ReminderKind
        /// Days ahead of the occurrence; nil uses the setting for `subscription` reminders.
        public var leadDays: Int?

        public init(kind: ReminderKind, leadDays: Int? = nil) {
            self.kind = kind
            self.leadDays = leadDays
        }
    }

    /// One employee's diary: items by id and subscriptions by kind.
    public struct State: Sendable, Equatable {
        public var items: [UUID: Item] = [:]
        public var subscriptions: [ReminderKind: Subscription] = [:]

        public init() {}

        /// The items in date and time order (untimed items first within a day).
        public var sortedItems: [Item] {
            items.values.sorted {
                ($0.date, $0.time.map { $0.hour * 60 + $0.minute } ?? -1, $0.id.uuidString)
                    < ($1.date, $1.time.map { $0.hour * 60 + $0.minute } ?? -1, $1.id.uuidString)
            }
        }
    }

    /// What an employee can do with their diary.
    public enum Command: Sendable {
        /// Adds an item; adding the same item again records nothing, a different one with its id is refused.
        case addItem(Item)
        /// Replaces an item's date, time, note and customer; records exactly the changed fields.
        case changeItem(Item)
        case removeItem(id: UUID)
        /// Subscribes to a kind, or changes the lead time of the subscription.
        case subscribe(Subscription)
        case unsubscribe(kind: ReminderKind)
    }

    public typealias Event = DiaryEvent

    public static var initialState: State { State() }

    public static func decide(_ command: Command, state: State, context: CommandContext) throws(DomainError) -> [Event] {
        switch command {
        case .addItem(var item):
            item.note = try Validate.multilineText(item.note, field: "note", max: 2000)
            if let existing = state.items[item.id] {
                guard existing == item else { throw DomainError(.alreadyExists, field: "id", "another diary item has this id") }
                return []
            }
            return [.itemAdded(DiaryItemAdded(item: item))]

        case .changeItem(var item):
            guard let existing = state.items[item.id] else { throw .notFound("no such diary item") }
            item.note = try Validate.multilineText(item.note, field: "note", max: 2000)
            var changes: [FieldChange] = []
            changes.record("date", .date(existing.date), .date(item.date))
            changes.record("time", existing.time.map { .text($0.description) }, item.time.map { .text($0.description) })
            changes.record("note", .text(existing.note), .text(item.note))
            changes.record("customerID", existing.customerID.map(FieldValue.id), item.customerID.map(FieldValue.id))
            guard !changes.isEmpty else { return [] }
            return [.itemChanged(DiaryItemChanged(itemID: item.id, changes: changes))]

        case .removeItem(let id):
            guard state.items[id] != nil else { throw .notFound("no such diary item") }
            return [.itemRemoved(DiaryItemRemoved(itemID: id))]

        case .subscribe(let subscription):
            guard subscribableKinds.contains(subscription.kind) else {
                throw .invalid("kind", "only birthday, anniversary, holiday, appointment and contractExpiry can be subscribed to")
            }
            if let days = subscription.leadDays, !(0...366).contains(days) {
                throw .invalid("leadDays", "must be between 0 and 366")
            }
            let previous = state.subscriptions[subscription.kind]
            guard previous != subscription else { return [] }
            return [.subscriptionSet(DiarySubscriptionSet(subscription: subscription, previous: previous))]

        case .unsubscribe(let kind):
            guard state.subscriptions[kind] != nil else { throw .notFound("no subscription to that kind") }
            return [.unsubscribed(DiaryUnsubscribed(kind: kind))]
        }
    }

    public static func evolve(_ state: State, _ event: Event) -> State {
        var s = state
        switch event {
        case .itemAdded(let e):
            s.items[e.item.id] = e.item
        case .itemChanged(let e):
            guard var item = s.items[e.itemID] else { return s }
            for change in e.changes {
                switch (change.field, change.new) {
                case ("date", .date(let date)?): item.date = date
                case ("time", .text(let text)?): item.time = TimeOfDay(text)
                case ("time", nil): item.time = nil
                case ("note", .text(let note)?): item.note = note
                case ("customerID", .id(let id)?): item.customerID = id
                case ("customerID", nil): item.customerID = nil
                default: break
                }
            }
            s.items[e.itemID] = item
        case .itemRemoved(let e):
            s.items[e.itemID] = nil
        case .subscriptionSet(let e):
            s.subscriptions[e.subscription.kind] = e.subscription
        case .unsubscribed(let e):
            s.subscriptions[e.kind] = nil
        }
        return s
    }
}
