import EventSourcing
import Foundation

/// The business rules of one record type, as two pure functions (ARCHITECTURE decision 6):
/// `decide` turns a command and the record's current state into events, or refuses with a ``DomainError``;
/// `evolve` folds one event into the state and never fails. No I/O, no clock, no random: time and new ids
/// arrive in the ``CommandContext`` and in the commands themselves.
///
/// ```swift
/// let events = try Customer.decide(.create(...), state: Customer.initialState, context: context)
/// let state = Customer.replay(events)
/// ```
public protocol Aggregate {
    associatedtype State: Sendable, Equatable
    associatedtype Command: Sendable
    associatedtype Event: DomainEvent

    /// The stream category, e.g. `customer` for streams `customer-<id>`.
    static var category: String { get }
    /// The state of a record that has no event yet.
    static var initialState: State { get }
    static func decide(_ command: Command, state: State, context: CommandContext) throws(DomainError) -> [Event]
    static func evolve(_ state: State, _ event: Event) -> State
}

extension Aggregate {
    /// The state after `events`, from the initial state.
    public static func replay<S: Sequence>(_ events: S) -> State where S.Element == Event {
        events.reduce(initialState, evolve)
    }

    /// Decides, then folds the new events into the state: the pair a caller usually needs.
    public static func execute(_ command: Command, state: State, context: CommandContext) throws(DomainError) -> (events: [Event], state: State) {
        let events = try decide(command, state: state, context: context)
        return (events, events.reduce(state, evolve))
    }

    /// The stream of the record with `id`.
    public static func stream(_ id: UUID) -> StreamID { StreamID(category: category, id: id.lowercasedString) }
}

/// The inputs of a decision besides the command and the state: when it happens and who acts.
public struct CommandContext: Sendable, Hashable {
    /// The instant of the decision (UTC), from the engine's injected clock.
    public var now: Date
    /// The acting principal (an employee id, an API client, or `system`).
    public var actor: String

    public init(now: Date, actor: String) {
        self.now = now
        self.actor = actor
    }
}

/// The events of one aggregate: an enum whose cases each carry one ``EventPayload`` struct, so every event
/// is stored with its own type name and schema version.
public protocol DomainEvent: Sendable, Equatable {
    /// Every payload type of this aggregate, for the ``PayloadRegistry``.
    static var payloadTypes: [any EventPayload.Type] { get }
    /// The payload to store.
    var payload: any EventPayload { get }
    /// The event for a decoded payload; nil when the payload belongs to another aggregate.
    init?(payload: any EventPayload)
}

extension DomainEvent {
    /// The stored form of this event.
    public func eventData(id: UUID, metadata: EventMetadata) throws -> EventData {
        try payload.eventData(id: id, metadata: metadata)
    }
}

extension EventPayload {
    fileprivate func eventData(id: UUID, metadata: EventMetadata) throws -> EventData {
        try EventData(id: id, payload: self, metadata: metadata)
    }
}

extension PayloadRegistry {
    /// Registers the current version of every payload type of an aggregate's events.
    public mutating func register<E: DomainEvent>(events: E.Type) {
        for type in E.payloadTypes { registerOpened(type) }
    }

    private mutating func registerOpened<P: EventPayload>(_ type: P.Type) { register(type) }
}
