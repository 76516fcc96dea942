import CRMDomain
import CRMProjections
import EventSourcing
import Foundation

/// A message for the outside world (a letter from a template, a notification) that a reaction queued and
/// an adapter delivers: it stays pending until the adapter acknowledges delivery. Stream `outbox-<id>`.
public enum OutboxItem: Aggregate, EngineRecord {
    public static let category = "outbox"

    public struct State: Sendable, Equatable {
        public var queued: OutboxItemQueued?
        public var deliveredAt: Date?
        public var failures = 0
        public init() {}
    }

    public enum Command: Sendable {
        case queue(OutboxItemQueued)
        /// The adapter delivered it; `receipt` is its reference (a letter number, a message id).
        case acknowledge(receipt: String?)
        /// The adapter could not deliver it this time; it stays pending.
        case reportFailure(reason: String)
    }

    public enum Event: DomainEvent {
        case queued(OutboxItemQueued)
        case delivered(OutboxItemDelivered)
        case failed(OutboxDeliveryFailed)

        public static var payloadTypes: [any EventPayload.Type] { [OutboxItemQueued.self, OutboxItemDelivered.self, OutboxDeliveryFailed.self] }
        public var payload: any EventPayload {
            switch self {
            case .queued(let e): return e
            case .delivered(let e): return e
            case .failed(let e): return e
            }
        }
        public init?(payload: any EventPayload) {
            switch payload {
            case let e as OutboxItemQueued: self = .queued(e)
            case let e as OutboxItemDelivered: self = .delivered(e)
            case let e as OutboxDeliveryFailed: self = .failed(e)
            default: return nil
            }
        }
    }

    public static var initialState: State { State() }

    public static func decide(_ command: Command, state: State, context: CommandContext) throws(DomainError) -> [Event] {
        switch command {
        case .queue(let item):
            if state.queued == item { return [] }
            guard state.queued == nil else { throw DomainError(.alreadyExists, "the outbox item exists") }
            return [.queued(item)]
        case .acknowledge(let receipt):
            guard let item = state.queued else { throw .notFound("no such outbox item") }
            if state.deliveredAt != nil { return [] }
            return [.delivered(OutboxItemDelivered(itemID: item.itemID, deliveredAt: context.now, receipt: try Validate.optionalText(receipt, field: "receipt")))]
        case .reportFailure(let reason):
            guard let item = state.queued else { throw .notFound("no such outbox item") }
            guard state.deliveredAt == nil else { throw .transition("the item was delivered") }
            return [.failed(OutboxDeliveryFailed(itemID: item.itemID, failedAt: context.now, reason: try Validate.multilineText(reason, field: "reason")))]
        }
    }

    public static func evolve(_ state: State, _ event: Event) -> State {
        var s = state
        switch event {
        case .queued(let e): s.queued = e
        case .delivered(let e): s.deliveredAt = e.deliveredAt
        case .failed: s.failures += 1
        }
        return s
    }

    public static var module: Permission.Module { .customers }
    public static func action(for command: Command) -> Permission.Action {
        if case .queue = command { return .create }
        return .edit
    }
    /// Acknowledging delivery or reporting a failed attempt is the delivery adapter's, not staff's: an item
    /// acknowledged leaves the outbox unsent for good. Besides `edit` in customers over the item's customer
    /// (authorization's rule for the record), a person needs `edit` in settings — the system's configuration,
    /// global — else `forbidden`, nothing written. Judged only on an item that exists and that the principal may
    /// see (anyone else gets "not found", as for an unknown id); the system and the operator pass.
    public static func prepare(_ command: Command, state: State, principal: Principal, engine: CRMEngine) async throws -> Command {
        if case .queue = command { return command }
        guard state.queued != nil else { return command }
        guard principal.isSystem || principal.may(.edit, in: .settings, on: .global, at: engine.clock.now()) else {
            throw EngineError(.forbidden, "acknowledging or reporting delivery of an outbox item needs edit in settings")
        }
        return command
    }
    public static func scope(of command: Command?, state: State) -> ScopeSource {
        if case .queue(let item)? = command, state.queued == nil { return .customer(item.customerID, owners: []) }
        return .customer(state.queued?.customerID, owners: [])
    }
}

/// A message was queued for delivery.
public struct OutboxItemQueued: EventPayload, Equatable {
    public static let eventType = "OutboxItemQueued"
    public static let schemaVersion: UInt32 = 1
    public var itemID: UUID
    /// `letter`, `notification`, …
    public var channel: String
    public var template: String
    public var customerID: UUID?
    /// The record it is about (`ticket-…`).
    public var reference: String
    public var queuedAt: Date
    public init(itemID: UUID, channel: String, template: String, customerID: UUID?, reference: String, queuedAt: Date) {
        self.itemID = itemID
        self.channel = channel
        self.template = template
        self.customerID = customerID
        self.reference = reference
        self.queuedAt = queuedAt
    }
}

/// An adapter delivered the message.
public struct OutboxItemDelivered: EventPayload, Equatable {
    public static let eventType = "OutboxItemDelivered"
    public static let schemaVersion: UInt32 = 1
    public var itemID: UUID
    public var deliveredAt: Date
    public var receipt: String?
    public init(itemID: UUID, deliveredAt: Date, receipt: String?) {
        self.itemID = itemID
        self.deliveredAt = deliveredAt
        self.receipt = receipt
    }
}

/// An adapter failed to deliver the message this time; it stays pending.
public struct OutboxDeliveryFailed: EventPayload, Equatable {
    public static let eventType = "OutboxDeliveryFailed"
    public static let schemaVersion: UInt32 = 1
    public var itemID: UUID
    public var failedAt: Date
    public var reason: String
    public init(itemID: UUID, failedAt: Date, reason: String) {
        self.itemID = itemID
        self.failedAt = failedAt
        self.reason = reason
    }
}

// The item's history (R-LOG-5): what was queued, its delivery and failed attempts, old → new.

/// A queued message: its channel, template, customer and the record it is about (∅ → value).
extension OutboxItemQueued: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        var c: [FieldChange] = []
        c.record("channel", nil, .text(channel))
        c.record("template", nil, .text(template))
        c.record("customer", nil, customerID.map(FieldValue.id))
        c.record("reference", nil, .text(reference))
        return c
    }
}
/// Delivered (`delivered` false → true), with the adapter's receipt when it gave one.
extension OutboxItemDelivered: HasFieldChanges {
    public var fieldChanges: [FieldChange] {
        var c = [FieldChange(field: "delivered", old: .bool(false), new: .bool(true))]
        c.record("receipt", nil, receipt.map(FieldValue.text))
        return c
    }
}
/// A failed attempt: its reason (the item stays pending).
extension OutboxDeliveryFailed: HasFieldChanges {
    public var fieldChanges: [FieldChange] { [FieldChange(field: "failureReason", old: nil, new: .text(reason))] }
}

/// The messages waiting for delivery, oldest first: `queued at + item id → OutboxItemQueued`.
struct PendingOutboxProjection: Projection {
    let name = "outbox"
    let version: UInt32 = 1
    static let pending = ViewTable("pending")
    static let keys = ViewTable("pending-keys")
    var tables: [ViewTable] { [Self.pending, Self.keys] }
    var eventTypes: Set<String>? { [OutboxItemQueued.eventType, OutboxItemDelivered.eventType] }

    func apply(_ event: ProjectionEvent, to views: any ViewWriter) throws {
        try apply(event.payload, event, to: views)
    }

    /// The `switch` over the payload opened to its type (why: ``Projection``).
    private func apply<Payload: EventPayload>(_ payload: Payload, _ event: ProjectionEvent, to views: any ViewWriter) throws {
        switch payload {
        case let e as OutboxItemQueued:
            let key = ViewKey().date(e.queuedAt).uuid(e.itemID).bytes
            try views.put(row: e, forKey: key, in: Self.pending)
            try views.put(key, forKey: ViewKey().uuid(e.itemID).bytes, in: Self.keys)
        case let e as OutboxItemDelivered:
            let id = ViewKey().uuid(e.itemID).bytes
            guard let key = try views.value(forKey: id, in: Self.keys) else { return }
            try views.delete(key: key, in: Self.pending)
            try views.delete(key: id, in: Self.keys)
        default:
            return
        }
    }
}

extension CRMEngine {
    /// Messages waiting for delivery, oldest first, that `principal` may see: the first `limit` of
    /// ``pendingOutbox(as:after:limit:)``.
    public func pendingOutbox(as principal: Principal, limit: Int = 100) async throws -> [OutboxItemQueued] {
        try requireOpen()
        return try await pendingOutbox(as: principal, after: nil, limit: limit).items
    }

    /// A page of the messages waiting for delivery that `principal` may see, oldest first (queued at, then
    /// id), after `after` — nil for the first page, else the `next` of the page before. `next` is set when
    /// more follow. The cursor is a place in that order, so items acknowledged meanwhile (which leave the
    /// outbox) shift no page.
    public func pendingOutbox(as principal: Principal, after: [UInt8]?, limit: Int = 100) async throws -> WorkProjections.Page<OutboxItemQueued> {
        try requireOpen()
        guard limit > 0 else { return WorkProjections.Page(items: [], next: nil) }
        let now = clock.now()
        var visible: [(key: [UInt8], item: OutboxItemQueued)] = []
        var cursor = after
        // Rows are read a batch at a time: a customer's scope is resolved from its stream (async), which a
        // view's read transaction cannot wait for.
        let batch = limit + 1
        while true {
            let rows = try views.read("outbox") { try $0.rows(OutboxItemQueued.self, in: PendingOutboxProjection.pending, after: cursor, limit: batch) }
            for (key, item) in rows {
                let scope = try await resolve(.customer(item.customerID, owners: []))
                guard principal.may(.query, in: .customers, on: scope, at: now) else { continue }
                // One more visible item than the page holds: the page is not the last.
                if visible.count == limit { return WorkProjections.Page(items: visible.map(\.item), next: visible.last?.key) }
                visible.append((key, item))
            }
            guard rows.count == batch, let last = rows.last else { break }
            cursor = last.key
        }
        return WorkProjections.Page(items: visible.map(\.item), next: nil)
    }

    /// An adapter acknowledges delivery of an outbox item: `edit` in customers over the item's customer and
    /// `edit` in settings (``OutboxItem/prepare(_:state:principal:engine:)``).
    @discardableResult
    public func acknowledgeDelivery(of itemID: UUID, receipt: String?, as principal: Principal) async throws -> CommandResult {
        try requireOpen()
        return try await execute(OutboxItem.self, id: itemID, .acknowledge(receipt: receipt), as: principal)
    }
}
