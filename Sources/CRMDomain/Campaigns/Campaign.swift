import EventSourcing
import Foundation

/// A marketing campaign (R-MKT-1 to R-MKT-3): planned, reviewed for feasibility, approved or sent back,
/// executed with progress reports per work item, closed with a summary; split into work items down to a
/// department, team and person; a budget against actual cost lines; materials requested → approved →
/// purchased → consumed; target lists selected by segment or criteria, and each message sent.
///
/// ```swift
/// let events = try Campaign.decide(.plan(id: id, name: "Spring promotion", objective: "New gas customers",
///     owner: "emp-3", budget: Money(50_000, .cny), start: spring, end: summer), state: Campaign.initialState, context: context)
/// ```
///
/// Allowed transitions (anything else is `invalidTransition`):
///
/// | command | from | to |
/// |---|---|---|
/// | changePlan | planned | planned |
/// | submitFeasibility | planned | feasibility |
/// | approve | feasibility | approved |
/// | sendBack | feasibility | planned |
/// | start | approved | executing |
/// | reportProgress, recordMessage | executing | executing |
/// | addCost | approved, executing | unchanged |
/// | assignWorkItem, requestMaterial, advanceMaterial, declineMaterial, selectTargets | any but closed | unchanged |
/// | close | executing | closed |
public enum Campaign: Aggregate {
    public static let category = "campaign"

    /// A campaign as its events left it; `id == nil` until it is planned.
    public struct State: Sendable, Equatable {
        public var id: UUID?
        public var status: Status = .planned
        public var name: String = ""
        public var objective: String = ""
        public var owner: String = ""
        public var budget = Money(0, .cny)
        public var start: LocalDate = .epoch
        public var end: LocalDate = .epoch
        public var feasibilityStudy: String?
        /// Who submitted the feasibility study last (the request's author, who may not decide it: the engine's rule).
        public var feasibilitySubmittedBy: String?
        public var sentBackReason: String?
        public var approvedBy: String?
        public var workItems: [WorkItem] = []
        /// Every progress report, in order; the latest per work item is its current percent.
        public var progress: [ProgressReport] = []
        public var costLines: [CostLine] = []
        public var materials: [Material] = []
        public var targetLists: [TargetList] = []
        public var messages: [SentMessage] = []
        public var summary: Summary?

        public init() {}

        /// Whether the campaign has been planned.
        public var exists: Bool { id != nil }

        /// The sum of the cost lines, in the budget's currency.
        public var actualCost: Money { Money(costLines.reduce(Decimal(0)) { $0 + $1.amount.amount }, budget.currency) }

        /// Budget minus actual cost (negative when over budget).
        public var budgetRemaining: Money { Money(budget.amount - actualCost.amount, budget.currency) }

        /// The latest reported percent of a work item (0 before any report).
        public func percentComplete(_ workItemID: UUID) -> Int {
            progress.last { $0.workItemID == workItemID }?.percent ?? 0
        }

        /// The sales effect minus the actual cost, once closed.
        public var netReturn: Money? {
            summary.map { Money($0.salesEffect.amount - actualCost.amount, budget.currency) }
        }
    }

    /// What can be asked of a campaign.
    public enum Command: Sendable, Equatable {
        /// Plans the campaign (the first command of its stream).
        case plan(id: UUID, name: String, objective: String, owner: String, budget: Money, start: LocalDate, end: LocalDate)
        /// Changes the plan while planned; records exactly the changed fields; nothing changed → no events.
        case changePlan(name: String, objective: String, budget: Money, start: LocalDate, end: LocalDate)
        /// Sends the plan to feasibility review with the study (required).
        /// The engine starts a workflow instance for the review (see ``ApprovalRouting``).
        case submitFeasibility(study: String)
        /// Records the approval; in the engine it is issued by ``ApprovalRouting/campaignCommand(after:instance:)``
        /// when the campaign's workflow instance completes, as its last approver, with that approval's comment.
        case approve(note: String?)
        /// Back to planning, with a reason (required); in the engine it is issued by ``ApprovalRouting``
        /// when the workflow instance is sent back at its first step or rejected.
        case sendBack(reason: String)
        case start
        /// Assigns (or reassigns) a work item; the same assignment again records nothing.
        case assignWorkItem(WorkItem)
        /// Reports a work item's percent complete (0…100); the acting person is its owner.
        case reportProgress(workItemID: UUID, percent: Int, note: String?)
        /// Records a cost line: positive, in the budget's currency, dated within the plan (start…end).
        case addCost(CostLine)
        /// Requests a marketing material. The engine starts a workflow instance for its approval (see
        /// ``ApprovalRouting/materialStart(after:definition:)``).
        case requestMaterial(id: UUID, name: String, unit: String, quantity: Decimal)
        /// Approves, purchases or consumes a quantity; the running total never exceeds the stage before.
        /// An approval is issued by ``ApprovalRouting/materialCommand(after:instance:campaign:)`` when the
        /// request's workflow instance completes (or given directly by someone allowed to approve).
        case advanceMaterial(id: UUID, stage: MaterialStage, quantity: Decimal)
        /// Declines a material request with a reason (required) while nothing of it is approved; in the
        /// engine it is issued by ``ApprovalRouting`` when the request's workflow instance is sent back to
        /// the requester or rejected.
        case declineMaterial(id: UUID, reason: String)
        case selectTargets(TargetList)
        /// Records one message sent to a customer of a target list; the same message again (id, list, customer,
        /// kind, channel) records nothing, its id with other content is refused (`alreadyExists`, field `id`).
        case recordMessage(id: UUID, listID: UUID, customerID: UUID, kind: MessageKind, channel: String)
        case close(Summary)
    }

    public typealias Event = CampaignEvent

    public static var initialState: State { State() }

    public static func decide(_ command: Command, state: State, context: CommandContext) throws(DomainError) -> [Event] {
        guard case let .plan(id, name, objective, owner, budget, start, end) = command else {
            guard let id = state.id else { throw .notFound("no such campaign") }
            return try decideExisting(command, id: id, state: state, context: context)
        }
        guard !state.exists else { throw DomainError(.alreadyExists, "the campaign is already planned") }
        let plan = try validatedPlan(name: name, objective: objective, budget: budget, start: start, end: end)
        let ownerName = try Validate.text(owner, field: "owner", max: 100)
        return [.planned(CampaignPlanned(campaignID: id, name: plan.name, objective: plan.objective, owner: ownerName,
                                         budget: budget, start: start, end: end, plannedAt: context.now))]
    }

    private static func decideExisting(_ command: Command, id: UUID, state: State, context: CommandContext) throws(DomainError) -> [Event] {
        switch command {
        case .plan:
            throw DomainError(.alreadyExists, "the campaign is already planned")

        case .changePlan(let name, let objective, let budget, let start, let end):
            let plan = try validatedPlan(name: name, objective: objective, budget: budget, start: start, end: end, unlessUnchangedFrom: state)
            try require(state.status == .planned, "the plan can change only while planned")
            var changes: [FieldChange] = []
            changes.record("name", .text(state.name), .text(plan.name))
            changes.record("objective", .text(state.objective), .text(plan.objective))
            changes.record("budget", .money(state.budget), .money(budget))
            changes.record("start", .date(state.start), .date(start))
            changes.record("end", .date(state.end), .date(end))
            guard !changes.isEmpty else { return [] }
            return [.planChanged(CampaignPlanChanged(campaignID: id, changes: changes))]

        case .submitFeasibility(let study):
            let study = try Validate.multilineText(study, field: "study", max: 10_000)
            try require(state.status == .planned, "only a planned campaign goes to feasibility review")
            return [.feasibilitySubmitted(CampaignFeasibilitySubmitted(campaignID: id, study: study, by: context.actor, at: context.now))]

        case .approve(let note):
            let note = try Validate.optionalMultilineText(note, field: "note")
            try require(state.status == .feasibility, "only a campaign in feasibility review can be approved")
            return [.approved(CampaignApproved(campaignID: id, by: context.actor, at: context.now, note: note))]

        case .sendBack(let reason):
            let reason = try Validate.multilineText(reason, field: "reason", max: 2000)
            try require(state.status == .feasibility, "only a campaign in feasibility review can be sent back")
            return [.sentBack(CampaignSentBack(campaignID: id, by: context.actor, at: context.now, reason: reason))]

        case .start:
            try require(state.status == .approved, "only an approved campaign can start")
            return [.started(CampaignStarted(campaignID: id, by: context.actor, at: context.now))]

        case .close(let summary):
            var summary = summary
            summary.note = try Validate.multilineText(summary.note, field: "note", max: 10_000)
            guard summary.responses >= 0 else { throw .invalid("responses", "must not be negative") }
            guard summary.salesEffect.currency == state.budget.currency else { throw .invalid("salesEffect", "must be in the budget's currency") }
            try require(state.status == .executing, "only an executing campaign can be closed")
            return [.closed(CampaignClosed(campaignID: id, summary: summary, actualCost: state.actualCost, by: context.actor, at: context.now))]

        case .assignWorkItem, .reportProgress, .addCost, .requestMaterial, .advanceMaterial, .declineMaterial, .selectTargets, .recordMessage:
            return try decideExecution(command, id: id, state: state, context: context)
        }
    }

    static func require(_ condition: Bool, _ detail: String) throws(DomainError) {
        guard condition else { throw .transition(detail) }
    }

    /// The plan checked; in a change (`current` given) a name or budget currency the campaign already has
    /// is not judged again.
    private static func validatedPlan(name: String, objective: String, budget: Money, start: LocalDate, end: LocalDate,
                                      unlessUnchangedFrom current: State? = nil) throws(DomainError) -> (name: String, objective: String) {
        let name = try Validate.text(name, field: "name", unlessUnchangedFrom: current?.name)
        let objective = try Validate.multilineText(objective, field: "objective", max: 10_000)
        guard budget.amount > 0 else { throw .invalid("budget", "must be positive") }
        try Validate.amount(budget.amount, field: "budget", unlessUnchangedFrom: current?.budget.amount)
        try Validate.currency(budget.currency, field: "budget", unlessUnchangedFrom: current?.budget.currency)
        guard start <= end else { throw .invalid("end", "must not be before the start") }
        return (name, objective)
    }

    public static func evolve(_ state: State, _ event: Event) -> State {
        var s = state
        switch event {
        case .planned(let e):
            s.id = e.campaignID
            s.status = .planned
            s.name = e.name
            s.objective = e.objective
            s.owner = e.owner
            s.budget = e.budget
            s.start = e.start
            s.end = e.end
        case .planChanged(let e):
            for change in e.changes {
                switch (change.field, change.new) {
                case ("name", .text(let v)?): s.name = v
                case ("objective", .text(let v)?): s.objective = v
                case ("budget", .money(let v)?): s.budget = v
                case ("start", .date(let v)?): s.start = v
                case ("end", .date(let v)?): s.end = v
                default: break
                }
            }
        case .feasibilitySubmitted(let e):
            s.status = .feasibility
            s.feasibilityStudy = e.study
            s.feasibilitySubmittedBy = e.by
        case .approved(let e):
            s.status = .approved
            s.approvedBy = e.by
            s.sentBackReason = nil
        case .sentBack(let e):
            s.status = .planned
            s.sentBackReason = e.reason
        case .started:
            s.status = .executing
        case .closed(let e):
            s.status = .closed
            s.summary = e.summary
        case .workItemAssigned, .progressReported, .costAdded, .materialRequested, .materialAdvanced, .materialDeclined, .targetsSelected, .messageSent:
            s = evolveExecution(s, event)
        }
        return s
    }
}

