import EventSourcing
import Foundation

/// A sales opportunity of a customer (R-SAL-1, R-SAL-2): source, owner (assigned by the routing rules or
/// by a manager), a stage in a configurable ``Pipeline`` (default: the sales-status ladder), a win
/// probability (suggested from history, overridable with a reason), expected revenue and close date, and
/// an outcome: won or lost with a reason. A customer may have several opportunities.
///
/// ```swift
/// let events = try Opportunity.decide(.open(opportunityID: id, details: details, pipeline: .default, stage: nil, owner: "emp-7"),
///                                     state: Opportunity.initialState, context: context)
/// ```
///
/// Won and lost are final for every command except ``Command/reopen(stage:reason:)``, which needs a reason
/// and a stage of the pipeline (a deliberate, audited step back to open rather than a silent edit).
public enum Opportunity: Aggregate {
    public static let category = "opportunity"

    /// The current state of one opportunity; `opportunityID == nil` until it is opened.
    public struct State: Sendable, Equatable {
        public var opportunityID: UUID?
        public var details: Details?
        public var pipeline: Pipeline = .default
        public var stage: String = ""
        public var owner: String = ""
        /// The product line (R-SAL-2), when one is set.
        public var productLine: String?
        /// The contact persons of the customer this opportunity names (R-CUS-3), in the order named.
        public var contacts: [UUID] = []
        public var assignment: Assignment = .opener
        public var status: Status = .open
        public var suggestedProbability: Decimal?
        public var overriddenProbability: Decimal?
        public var overrideReason: String?
        public var closeReason: String?
        public var closedAt: Date?
        /// The opening as first recorded, for idempotency.
        public var original: OpportunityOpened?

        public init() {}

        /// Whether the opportunity has been opened.
        public var exists: Bool { opportunityID != nil }

        /// The win probability in use: the manual override if any, else the suggestion.
        public var winProbability: Decimal? { overriddenProbability ?? suggestedProbability }

        /// The weighted forecast (R-SAL-2): expected revenue × win probability; the full amount once won,
        /// zero once lost, nil while no probability is known.
        public var weightedRevenue: Money? {
            guard let details else { return nil }
            switch status {
            case .won: return details.expectedRevenue
            case .lost: return Money(0, details.expectedRevenue.currency)
            case .open:
                guard let p = winProbability else { return nil }
                return Money(details.expectedRevenue.amount * p / 100, details.expectedRevenue.currency)
            }
        }
    }

    /// What can be asked of an opportunity. `open` carries the new id; the others act on the loaded one.
    public enum Command: Sendable {
        /// Open in `pipeline` at `stage` (nil: its first stage), with an optional product line (recorded as
        /// a `productLine` edit in the same decision) and contact persons of the customer (recorded as
        /// ``OpportunityContactsAdded``; the engine checks they are the customer's live contacts). Repeating
        /// it with identical content records nothing. `assignment` says who chose `owner`: the opener (the
        /// default) or the routing rules (`rules`: the engine routes an opening without an owner), recorded as
        /// an ``OpportunityAssigned`` (`rules`, from no owner) in the same decision; `manager` is refused.
        case open(opportunityID: UUID, details: Details, pipeline: Pipeline, stage: String?, owner: String, productLine: String? = nil,
                  contacts: [UUID] = [], assignment: Assignment = .opener)
        /// Give it to whoever `rules.route(input)` names; no matching rule → `notConfigured`.
        case assignByRules(input: RoutingInput, rules: [RoutingRule])
        /// A manager gives it to `owner` (the manager is the context's actor).
        case assignByManager(owner: String, reason: String?)
        /// Move to another stage of the pipeline; a stage outside it is refused.
        case moveToStage(String)
        /// Change title, source, expected revenue or close date; records exactly the changed fields.
        case edit(title: String, source: String, expectedRevenue: Money, closeDate: LocalDate)
        /// Sets (or, with nil, clears) the product line (R-SAL-2: win rates are told apart by it); recorded
        /// as an `OpportunityEdited` change of the field `productLine`.
        case setProductLine(String?)
        /// The probability the analysis suggests from history, in percent.
        case suggestWinProbability(Decimal)
        /// A manual probability, in percent; the reason is required.
        case overrideWinProbability(Decimal, reason: String)
        case win(reason: String)
        case lose(reason: String)
        /// Back to open at a pipeline stage; only a won or lost opportunity, reason required.
        case reopen(stage: String, reason: String)
        /// Names more contact persons of the customer (R-CUS-3); ones already named are skipped. The engine
        /// refuses a contact of another customer, an unknown or an archived one (field `contacts`).
        case addContacts([UUID])
        /// No longer names these contacts; each must be named now.
        case removeContacts([UUID])
    }

    public typealias Event = OpportunityEvent

    public static var initialState: State { State() }

    public static func decide(_ command: Command, state: State, context: CommandContext) throws(DomainError) -> [Event] {
        switch command {
        case .open(let id, let details, let pipeline, let stage, let owner, let productLine, let contacts, let assignment):
            guard assignment != .manager else { throw .invalid("assignment", "an opportunity is opened by its opener or the routing rules") }
            let details = try validated(details)
            let line = try Validate.optionalText(productLine, field: "productLine", max: 100)
            let pipeline = try validated(pipeline)
            let stage = stage ?? pipeline.stages.first ?? ""
            guard pipeline.contains(stage) else { throw .invalid("stage", "not a stage of the pipeline") }
            let owner = try Validate.text(owner, field: "owner", max: 100)
            let opened = OpportunityOpened(opportunityID: id, details: details, pipeline: pipeline, stage: stage, owner: owner)
            if state.exists {
                // An owner the log recorded in upper case (before ids were recorded in lower case) is the same one.
                var recorded = state.original, repeated = opened
                if let owner = state.original?.owner { recorded?.owner = Employee.canonicalID(owner) }
                repeated.owner = Employee.canonicalID(opened.owner)
                guard recorded == repeated else { throw DomainError(.alreadyExists, field: "opportunityID", "an opportunity with this id exists") }
                return []
            }
            let named = try checkedContacts(contacts, adding: [])
            var events: [Event] = [.opened(opened)]
            if assignment == .rules {
                // The rules chose the owner, not the opener: said as a rules assignment from no owner.
                events.append(.assigned(OpportunityAssigned(opportunityID: id, previousOwner: "", owner: owner, assignment: .rules, reason: nil)))
            }
            if let line {
                events.append(.edited(OpportunityEdited(opportunityID: id, changes: [FieldChange(field: "productLine", old: nil, new: .option(line))])))
            }
            if !named.isEmpty { events.append(.contactsAdded(OpportunityContactsAdded(opportunityID: id, contactIDs: named))) }
            return events

        case .assignByRules(let input, let rules):
            let id = try open(state)
            guard let routed = rules.route(input), let owner = try? Validate.text(routed, field: "owner", max: 100) else {
                throw DomainError(.notConfigured, field: "owner", "no routing rule gives an owner for this opportunity")
            }
            guard !Employee.sameID(owner, state.owner) else { return [] }
            return [.assigned(OpportunityAssigned(opportunityID: id, previousOwner: state.owner, owner: owner, assignment: .rules, reason: nil))]

        case .assignByManager(let owner, let reason):
            let id = try open(state)
            let owner = try Validate.text(owner, field: "owner", max: 100)
            let reason = try Validate.optionalMultilineText(reason, field: "reason")
            guard !Employee.sameID(owner, state.owner) else { return [] }
            return [.assigned(OpportunityAssigned(opportunityID: id, previousOwner: state.owner, owner: owner, assignment: .manager, reason: reason))]

        case .moveToStage(let stage):
            let id = try open(state)
            guard state.pipeline.contains(stage) else { throw .invalid("stage", "not a stage of the pipeline") }
            guard stage != state.stage else { return [] }
            return [.stageChanged(OpportunityStageChanged(opportunityID: id, change: FieldChange(field: "stage", old: .option(state.stage), new: .option(stage))))]

        case .edit(let title, let source, let revenue, let closeDate):
            let id = try open(state)
            guard let current = state.details else { throw .notFound("no such opportunity") }
            let new = try validated(Details(customerID: current.customerID, title: title, source: source, expectedRevenue: revenue, closeDate: closeDate),
                                    unlessUnchangedFrom: current)
            var changes: [FieldChange] = []
            changes.record("title", .text(current.title), .text(new.title))
            changes.record("source", .option(current.source), .option(new.source))
            changes.record("expectedRevenue", .money(current.expectedRevenue), .money(new.expectedRevenue))
            changes.record("closeDate", .date(current.closeDate), .date(new.closeDate))
            guard !changes.isEmpty else { return [] }
            return [.edited(OpportunityEdited(opportunityID: id, changes: changes))]

        case .setProductLine(let line):
            let id = try open(state)
            let line = try Validate.optionalText(line, field: "productLine", max: 100)
            guard line != state.productLine else { return [] }
            return [.edited(OpportunityEdited(opportunityID: id, changes: [
                FieldChange(field: "productLine", old: state.productLine.map(FieldValue.option), new: line.map(FieldValue.option)),
            ]))]

        case .suggestWinProbability(let percent):
            let id = try open(state)
            let percent = try Percent.check(percent, field: "percent")
            guard percent != state.suggestedProbability else { return [] }
            return [.probabilitySuggested(WinProbabilitySuggested(opportunityID: id, previous: state.suggestedProbability, percent: percent))]

        case .overrideWinProbability(let percent, let reason):
            let id = try open(state)
            let percent = try Percent.check(percent, field: "percent")
            let reason = try Validate.multilineText(reason, field: "reason", max: 2000)
            guard percent != state.overriddenProbability else { return [] }
            return [.probabilityOverridden(WinProbabilityOverridden(opportunityID: id, previous: state.winProbability, percent: percent, reason: reason))]

        case .win(let reason):
            let id = try open(state)
            let reason = try Validate.multilineText(reason, field: "reason", max: 2000)
            guard let details = state.details else { throw .notFound("no such opportunity") }
            return [.won(OpportunityWon(opportunityID: id, reason: reason, stage: state.stage, expectedRevenue: details.expectedRevenue, closedAt: context.now))]

        case .lose(let reason):
            let id = try open(state)
            let reason = try Validate.multilineText(reason, field: "reason", max: 2000)
            return [.lost(OpportunityLost(opportunityID: id, reason: reason, stage: state.stage, closedAt: context.now))]

        case .reopen(let stage, let reason):
            guard let id = state.opportunityID else { throw .notFound("no such opportunity") }
            guard state.status.isClosed else { throw .transition("only a won or lost opportunity can be reopened") }
            guard state.pipeline.contains(stage) else { throw .invalid("stage", "not a stage of the pipeline") }
            let reason = try Validate.multilineText(reason, field: "reason", max: 2000)
            return [.reopened(OpportunityReopened(opportunityID: id, previousStatus: state.status, stage: stage, reason: reason))]

        case .addContacts(let contacts):
            let id = try open(state)
            guard !contacts.isEmpty else { throw .invalid("contacts", "name at least one contact") }
            let added = try checkedContacts(contacts, adding: state.contacts)
            return added.isEmpty ? [] : [.contactsAdded(OpportunityContactsAdded(opportunityID: id, contactIDs: added))]

        case .removeContacts(let contacts):
            let id = try open(state)
            return [.contactsRemoved(OpportunityContactsRemoved(opportunityID: id, contactIDs: try removedContacts(contacts, from: state)))]
        }
    }

    public static func evolve(_ state: State, _ event: Event) -> State {
        var s = state
        switch event {
        case .opened(let e):
            s.opportunityID = e.opportunityID
            s.details = e.details
            s.pipeline = e.pipeline
            s.stage = e.stage
            s.owner = e.owner
            s.assignment = .opener
            s.status = .open
            s.original = e
        case .assigned(let e):
            s.owner = e.owner
            s.assignment = e.assignment
        case .stageChanged(let e):
            if case .option(let stage)? = e.change.new { s.stage = stage }
        case .edited(let e):
            for change in e.changes {
                switch (change.field, change.new) {
                case ("title", .text(let v)?): s.details?.title = v
                case ("source", .option(let v)?): s.details?.source = v
                case ("expectedRevenue", .money(let v)?): s.details?.expectedRevenue = v
                case ("closeDate", .date(let v)?): s.details?.closeDate = v
                case ("productLine", .option(let v)?): s.productLine = v
                case ("productLine", nil): s.productLine = nil
                default: break
                }
            }
        case .probabilitySuggested(let e):
            s.suggestedProbability = e.percent
        case .probabilityOverridden(let e):
            s.overriddenProbability = e.percent
            s.overrideReason = e.reason
        case .won(let e):
            s.status = .won
            s.closeReason = e.reason
            s.closedAt = e.closedAt
        case .lost(let e):
            s.status = .lost
            s.closeReason = e.reason
            s.closedAt = e.closedAt
        case .reopened(let e):
            s.status = .open
            s.stage = e.stage
            s.closeReason = nil
            s.closedAt = nil
        case .contactsAdded(let e):
            s.contacts += e.contactIDs.filter { !s.contacts.contains($0) }
        case .contactsRemoved(let e):
            s.contacts.removeAll { e.contactIDs.contains($0) }
        }
        return s
    }

    /// The id of an existing, open opportunity; refuses a missing or closed one.
    static func open(_ state: State) throws(DomainError) -> UUID {
        guard let id = state.opportunityID else { throw .notFound("no such opportunity") }
        guard state.status == .open else { throw .transition("the opportunity is \(state.status.rawValue); reopen it first") }
        return id
    }

    /// The details checked; in an edit (`current` given) a title, source or currency the opportunity
    /// already has is not judged again.
    private static func validated(_ details: Details, unlessUnchangedFrom current: Details? = nil) throws(DomainError) -> Details {
        var d = details
        d.title = try Validate.text(details.title, field: "title", unlessUnchangedFrom: current?.title)
        d.source = try Validate.text(details.source, field: "source", max: 100, unlessUnchangedFrom: current?.source)
        guard !d.expectedRevenue.amount.isNaN, d.expectedRevenue.amount >= 0 else {
            throw .invalid("expectedRevenue", "must not be negative")
        }
        try Validate.amount(d.expectedRevenue.amount, field: "expectedRevenue", unlessUnchangedFrom: current?.expectedRevenue.amount)
        try Validate.currency(d.expectedRevenue.currency, field: "expectedRevenue", unlessUnchangedFrom: current?.expectedRevenue.currency)
        return d
    }

    private static func validated(_ pipeline: Pipeline) throws(DomainError) -> Pipeline {
        var p = pipeline
        p.name = try Validate.text(pipeline.name, field: "pipeline", max: 100)
        guard !pipeline.stages.isEmpty else { throw .invalid("pipeline", "a pipeline needs at least one stage") }
        p.stages = []
        for stage in pipeline.stages {
            let stage = try Validate.text(stage, field: "pipeline", max: 100)
            guard !p.stages.contains(stage) else { throw .invalid("pipeline", "stage names must be unique") }
            p.stages.append(stage)
        }
        return p
    }
}
