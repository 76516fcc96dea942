import EventSourcing
import Foundation

/// A customer visit (R-SRV-4): the plan (time, contacts, agenda, place) and what actually happened (date,
/// place, contacts, topics, summary) under one visit id, with its cost lines.
/// planned → done (actual recorded) | cancelled.
///
/// ```swift
/// let events = try Visit.decide(.plan(id: id, customerID: customer, visitor: "emp-7", scheduledAt: when,
///     contacts: [contact], agenda: "Renewal", place: "Head office"), state: Visit.initialState, context: context)
/// ```
public enum Visit: Aggregate {
    public static let category = "visit"

    /// Where a visit is in its life.
    public enum Status: String, CaseIterable, Hashable, Sendable, Codable {
        case planned, done, cancelled
    }

    /// What a cost line is for.
    public enum CostKind: String, CaseIterable, Hashable, Sendable, Codable {
        case transport, lodging, entertainment, other
    }

    /// One cost of a visit: an exact amount in one currency.
    public struct CostLine: Hashable, Sendable, Codable {
        public var id: UUID
        public var kind: CostKind
        public var amount: Money
        public var note: String?

        public init(id: UUID, kind: CostKind, amount: Money, note: String? = nil) {
            self.id = id
            self.kind = kind
            self.amount = amount
            self.note = note
        }
    }

    /// What actually happened on the visit.
    public struct Actual: Hashable, Sendable, Codable {
        public var date: LocalDate
        public var place: String
        public var contacts: [UUID]
        public var topics: [String]
        public var summary: String

        public init(date: LocalDate, place: String, contacts: [UUID] = [], topics: [String] = [], summary: String) {
            self.date = date
            self.place = place
            self.contacts = contacts
            self.topics = topics
            self.summary = summary
        }
    }

    /// A visit as its events left it.
    public struct State: Sendable, Equatable {
        /// Nil until the visit is planned.
        public var id: UUID?
        public var status: Status = .planned
        public var customerID: UUID?
        public var visitor: String = ""
        public var scheduledAt = Date(timeIntervalSince1970: 0)
        public var contacts: [UUID] = []
        public var agenda: String = ""
        public var place: String = ""
        public var actual: Actual?
        public var cancelReason: String?
        public var costLines: [CostLine] = []

        public init() {}

        /// Whether the visit has been planned.
        public var exists: Bool { id != nil }
    }

    /// What can be asked of a visit.
    public enum Command: Sendable {
        /// Plans a visit (the first command of its stream).
        case plan(id: UUID, customerID: UUID, visitor: String, scheduledAt: Date, contacts: [UUID], agenda: String, place: String)
        /// Moves a planned visit; a nil `place` keeps the place. Nothing changed → no events.
        case reschedule(to: Date, place: String?, reason: String?)
        /// Records what happened: planned → done.
        case recordActual(Actual)
        /// planned → cancelled.
        case cancel(reason: String)
        /// Adds a cost line (also to a cancelled visit: a booking may not be refundable).
        case addCostLine(CostLine)
        /// Removes a cost line; the removed line stays in the event.
        case removeCostLine(id: UUID)
    }

    public typealias Event = VisitEvent

    public static var initialState: State { State() }

    public static func decide(_ command: Command, state: State, context: CommandContext) throws(DomainError) -> [Event] {
        guard case let .plan(id, customerID, visitor, scheduledAt, contacts, agenda, place) = command else {
            guard let id = state.id else { throw .notFound("no such visit") }
            return try decideExisting(command, id: id, state: state, context: context)
        }
        guard !state.exists else { throw DomainError(.alreadyExists, "the visit is already planned") }
        let visitorName = try Validate.text(visitor, field: "visitor", max: 100)
        let agendaText = try Validate.multilineText(agenda, field: "agenda", max: 2000)
        let placeText = try Validate.text(place, field: "place")
        try unique(contacts, field: "contacts")
        return [.planned(VisitPlanned(visitID: id, customerID: customerID, visitor: visitorName, scheduledAt: scheduledAt,
                                      contacts: contacts, agenda: agendaText, place: placeText))]
    }

    private static func decideExisting(_ command: Command, id: UUID, state: State, context: CommandContext) throws(DomainError) -> [Event] {
        switch command {
        case .plan:
            throw DomainError(.alreadyExists, "the visit is already planned")

        case .reschedule(let when, let place, let reason):
            var newPlace = state.place
            if let place { newPlace = try Validate.text(place, field: "place", unlessUnchangedFrom: state.place) }
            let reasonText = try Validate.optionalMultilineText(reason, field: "reason")
            guard state.status == .planned else { throw .transition("only a planned visit can be rescheduled") }
            guard when != state.scheduledAt || newPlace != state.place else { return [] }
            return [.rescheduled(VisitRescheduled(visitID: id, oldScheduledAt: state.scheduledAt, newScheduledAt: when,
                                                  oldPlace: state.place, newPlace: newPlace, reason: reasonText))]

        case .recordActual(var actual):
            actual.place = try Validate.text(actual.place, field: "place")
            actual.summary = try Validate.multilineText(actual.summary, field: "summary", max: 10_000)
            var topics: [String] = []
            for topic in actual.topics { topics.append(try Validate.text(topic, field: "topics")) }
            actual.topics = topics
            try unique(actual.contacts, field: "contacts")
            guard state.status == .planned else {
                throw .transition("the actual visit can be recorded only on a planned visit, not \(withArticle(state.status.rawValue)) one")
            }
            guard actual.date <= LocalCalendar.latestDate(at: context.now) else { throw .invalid("date", "a visit done must not be in the future") }
            return [.recorded(VisitRecorded(visitID: id, actual: actual, recordedAt: context.now))]

        case .cancel(let reason):
            let text = try Validate.multilineText(reason, field: "reason", max: 2000)
            guard state.status == .planned else { throw .transition("only a planned visit can be cancelled") }
            return [.cancelled(VisitCancelled(visitID: id, reason: text, cancelledAt: context.now))]

        case .addCostLine(var line):
            guard line.amount.amount > 0 else { throw .invalid("amount", "must be positive") }
            try Validate.amount(line.amount.amount, field: "amount")
            try Validate.currency(line.amount.currency, field: "amount")
            line.note = try Validate.optionalMultilineText(line.note, field: "note")
            guard !state.costLines.contains(where: { $0.id == line.id }) else {
                throw DomainError(.alreadyExists, field: "id", "the visit already has that cost line")
            }
            return [.costAdded(VisitCostAdded(visitID: id, line: line))]

        case .removeCostLine(let lineID):
            guard let line = state.costLines.first(where: { $0.id == lineID }) else { throw .notFound("no such cost line") }
            return [.costRemoved(VisitCostRemoved(visitID: id, line: line))]
        }
    }

    private static func unique(_ ids: [UUID], field: String) throws(DomainError) {
        guard Set(ids).count == ids.count else { throw .invalid(field, "must not repeat an id") }
    }

    public static func evolve(_ state: State, _ event: Event) -> State {
        var s = state
        switch event {
        case .planned(let e):
            s.id = e.visitID
            s.status = .planned
            s.customerID = e.customerID
            s.visitor = e.visitor
            s.scheduledAt = e.scheduledAt
            s.contacts = e.contacts
            s.agenda = e.agenda
            s.place = e.place
        case .rescheduled(let e):
            s.scheduledAt = e.newScheduledAt
            s.place = e.newPlace
        case .recorded(let e):
            s.status = .done
            s.actual = e.actual
        case .cancelled(let e):
            s.status = .cancelled
            s.cancelReason = e.reason
        case .costAdded(let e):
            s.costLines.append(e.line)
        case .costRemoved(let e):
            s.costLines.removeAll { $0.id == e.line.id }
        }
        return s
    }
}
