import EventSourcing
import Foundation

/// A quote to a customer (R-SAL-3): lines from catalog products at the standard price, line and overall
/// discounts, exact decimal totals. A discount over the author's role limit (from the settings' discount
/// limits, passed in the command) waits for one approval step by a role whose limit covers it, which
/// approves or sends it back with a reason. That step runs as a ``WorkflowInstance``
/// (``WorkflowDefinition/defaultQuoteApproval(deadlineHours:reminderLeadHours:escalateTo:)`` reproduces the rule);
/// ``ApprovalRouting`` starts it and records its outcome here with `approve` / `sendBack`. Numbers are `Q-<CUSTCODE>-<YYYYMMDD>-<NNN>` (see
/// ``Quote/number(customerCode:date:sequence:)`` and ``Quote/claims(_:state:)``); every revision is kept.
///
/// ```swift
/// let events = try Quote.decide(.create(quoteID: id, customerID: customer, customerCode: "ACME", date: today,
///                                       sequence: 1, draft: draft, authorRole: "salesManager", limits: DiscountLimit.defaults),
///                               state: Quote.initialState, context: context)
/// ```
///
/// A discount no role's limit covers is refused outright (`invalid`, field `discountPercent`): it could
/// never be approved. An author whose role has no limit may grant no discount without approval.
public enum Quote: Aggregate {
    public static let category = "quote"

    /// The current state of one quote; `quoteID == nil` until it is created.
    public struct State: Sendable, Equatable {
        public var quoteID: UUID?
        public var customerID: UUID?
        public var customerCode: String = ""
        public var number: String = ""
        /// Every revision, oldest first; the last is current.
        public var revisions: [QuoteRevision] = []
        public var status: Status = .pendingApproval
        /// The approval of the current revision, if it needed and got one.
        public var approval: QuoteApproved?
        /// Why the current revision was sent back or rejected.
        public var reason: String?

        public init() {}

        /// Whether the quote has been created.
        public var exists: Bool { quoteID != nil }
        /// The current revision.
        public var current: QuoteRevision? { revisions.last }
        /// The current total, exact.
        public var total: Money? {
            guard let draft = current?.draft, let currency = draft.currency else { return nil }
            return Money(draft.total, currency)
        }
    }

    /// What can be asked of a quote. `create` carries the new id; the others act on the loaded quote.
    public enum Command: Sendable, Equatable {
        /// A new quote, number from `customerCode`, the local `date` and the `sequence` the engine allocated.
        /// Repeating it with identical content records nothing.
        case create(quoteID: UUID, customerID: UUID, customerCode: String, date: LocalDate, sequence: Int,
                    draft: QuoteDraft, authorRole: String, limits: [DiscountLimit])
        /// Revision n + 1 with new content; the author is the context's actor.
        case revise(draft: QuoteDraft, authorRole: String, limits: [DiscountLimit])
        /// Approve a quote waiting for approval; refused (field `approverRole`) when the role's limit doesn't cover it.
        /// In the engine it is issued by ``ApprovalRouting/quoteCommand(after:instance:currentRevision:approverRole:limits:)``
        /// when the quote's workflow instance completes, as its last approver; the engine refuses a person's
        /// direct approval of a revision they wrote (no one decides their own request).
        case approve(approverRole: String, limits: [DiscountLimit])
        /// Send a quote waiting for approval back to its author; the reason is required. In the engine it is
        /// issued by ``ApprovalRouting`` when the quote's workflow instance is sent back at its first step or rejected
        /// (a person's direct send-back of a revision they wrote is refused by the engine, as an approval is).
        /// Once sent back, the quote asks for approval again by `revise`, which starts a new workflow instance.
        case sendBack(reason: String)
        /// Send the approved revision to the customer.
        case send
        /// The customer accepts (an approved or sent quote).
        case accept
        /// The customer rejects (an approved or sent quote); the reason is required.
        case reject(reason: String)
    }

    public typealias Event = QuoteEvent

    public static var initialState: State { State() }

    public static func decide(_ command: Command, state: State, context: CommandContext) throws(DomainError) -> [Event] {
        switch command {
        case .create(let id, let customerID, let code, let date, let sequence, let draft, let role, let limits):
            let number = try number(customerCode: code, date: date, sequence: sequence)
            let revision = try revision(1, draft: draft, role: role, limits: limits, context: context)
            if let original = state.revisions.first, state.exists {
                guard state.quoteID == id, state.customerID == customerID, state.number == number,
                      original.draft == revision.draft, original.authorRole == revision.authorRole else {
                    throw DomainError(.alreadyExists, field: "quoteID", "a quote with this id exists")
                }
                return []
            }
            try requireValidity(of: revision.draft, context: context, quoteDate: date)
            return [.created(QuoteCreated(quoteID: id, customerID: customerID, customerCode: try customerCode(code),
                                          number: number, revision: revision))]

        case .revise(let draft, let role, let limits):
            let (id, current) = try loaded(state)
            guard !state.status.isFinal else { throw .transition("the customer has answered; the quote is final") }
            let revision = try revision(current.number + 1, draft: draft, role: role, limits: limits, context: context,
                                        unlessUnchangedFrom: current.draft)
            guard revision.draft != current.draft || state.status == .sentBack else { return [] }
            try requireValidity(of: revision.draft, context: context, quoteDate: state.date)
            return [.revised(QuoteRevised(quoteID: id, revision: revision))]

        case .approve(let role, let limits):
            let (id, current) = try loaded(state)
            guard state.status == .pendingApproval else { throw .transition("the quote is not waiting for approval") }
            let role = try Validate.text(role, field: "approverRole", max: 100)
            guard let limit = limits.limit(for: role), current.draft.discountWithin(limit) else {
                throw .invalid("approverRole", "the approver's discount limit does not cover this quote")
            }
            return [.approved(QuoteApproved(quoteID: id, revision: current.number, approver: context.actor, approverRole: role,
                                            approverLimit: limit, discountPercent: current.draft.largestDiscountPercent))]

        case .sendBack(let reason):
            let (id, current) = try loaded(state)
            guard state.status == .pendingApproval else { throw .transition("the quote is not waiting for approval") }
            let reason = try Validate.multilineText(reason, field: "reason", max: 2000)
            return [.sentBack(QuoteSentBack(quoteID: id, revision: current.number, approver: context.actor, reason: reason))]

        case .send:
            let (id, current) = try loaded(state)
            if state.status == .sent { return [] }
            guard state.status == .approved else { throw .transition("only an approved quote can be sent") }
            try requireStillValid(current, context: context)
            return [.sent(QuoteSent(quoteID: id, revision: current.number, sentAt: context.now))]

        case .accept:
            let (id, current) = try loaded(state)
            if state.status == .accepted { return [] }
            guard state.status == .approved || state.status == .sent else { throw .transition("only an approved or sent quote can be accepted") }
            try requireStillValid(current, context: context)
            guard let total = state.total else { throw .notFound("no such quote") }
            return [.accepted(QuoteAccepted(quoteID: id, revision: current.number, total: total, acceptedAt: context.now))]

        case .reject(let reason):
            let (id, current) = try loaded(state)
            guard state.status == .approved || state.status == .sent else { throw .transition("only an approved or sent quote can be rejected") }
            let reason = try Validate.multilineText(reason, field: "reason", max: 2000)
            return [.rejected(QuoteRejected(quoteID: id, revision: current.number, reason: reason, rejectedAt: context.now))]
        }
    }

    public static func evolve(_ state: State, _ event: Event) -> State {
        var s = state
        switch event {
        case .created(let e):
            s.quoteID = e.quoteID
            s.customerID = e.customerID
            s.customerCode = e.customerCode
            s.number = e.number
            s.revisions = [e.revision]
            s.status = e.revision.needsApproval ? .pendingApproval : .approved
        case .revised(let e):
            s.revisions.append(e.revision)
            s.status = e.revision.needsApproval ? .pendingApproval : .approved
            s.approval = nil
            s.reason = nil
        case .approved(let e):
            s.status = .approved
            s.approval = e
        case .sentBack(let e):
            s.status = .sentBack
            s.reason = e.reason
        case .sent:
            s.status = .sent
        case .accepted:
            s.status = .accepted
        case .rejected(let e):
            s.status = .rejected
            s.reason = e.reason
        }
        return s
    }

    private static func loaded(_ state: State) throws(DomainError) -> (UUID, QuoteRevision) {
        guard let id = state.quoteID, let current = state.current else { throw .notFound("no such quote") }
        return (id, current)
    }

    /// A new revision's `validUntil`, if any, must not be past: before today everywhere on earth at the
    /// decision's instant (``LocalCalendar/earliestDate(at:)``), so no zone is needed; nor before the quote's
    /// date (its number's), when known.
    private static func requireValidity(of draft: QuoteDraft, context: CommandContext, quoteDate: LocalDate?) throws(DomainError) {
        guard let validUntil = draft.validUntil else { return }
        if let quoteDate, validUntil < quoteDate { throw .invalid("validUntil", "must not be before the quote's date") }
        guard validUntil < LocalCalendar.earliestDate(at: context.now) else { return }
        throw .invalid("validUntil", "must not be in the past")
    }

    /// A quote is sent or accepted only while valid: through its `validUntil` day (none: no limit).
    private static func requireStillValid(_ revision: QuoteRevision, context: CommandContext) throws(DomainError) {
        guard let validUntil = revision.draft.validUntil, validUntil < LocalCalendar.earliestDate(at: context.now) else { return }
        throw DomainError(.invalidTransition, field: "validUntil", "the quote was valid until \(validUntil); revise it with a new validity")
    }

    /// A validated revision, with whether it needs approval under the author's limit.
    private static func revision(_ number: Int, draft: QuoteDraft, role: String, limits: [DiscountLimit], context: CommandContext,
                                 unlessUnchangedFrom current: QuoteDraft? = nil) throws(DomainError) -> QuoteRevision {
        let draft = try validated(draft, unlessUnchangedFrom: current)
        let role = try Validate.text(role, field: "authorRole", max: 100)
        guard limits.contains(where: { draft.discountWithin($0.maxPercent) }) || draft.discountWithin(0) else {
            throw .invalid("discountPercent", "no role's discount limit covers this discount")
        }
        let limit = limits.limit(for: role)
        return QuoteRevision(number: number, draft: draft, author: context.actor, authorRole: role, authorLimit: limit,
                             needsApproval: !draft.discountWithin(limit ?? 0), createdAt: context.now)
    }

    /// The draft checked; in a revision (`current` given) the currency and the product names (per product)
    /// the current revision already has are not judged again.
    private static func validated(_ draft: QuoteDraft, unlessUnchangedFrom current: QuoteDraft? = nil) throws(DomainError) -> QuoteDraft {
        var d = draft
        guard let currency = draft.currency else { throw .invalid("lines", "a quote needs at least one line") }
        try Validate.currency(currency, field: "unitPrice", unlessUnchangedFrom: current?.currency)
        d.lines = []
        for line in draft.lines {
            var l = line
            let recordedNames = current?.lines.filter { $0.productID == line.productID }.map(\.productName) ?? []
            l.productName = try Validate.text(line.productName, field: "productName", unlessAmong: recordedNames)
            guard line.unitPrice.currency == currency else { throw .invalid("unitPrice", "all lines must be in one currency") }
            guard !line.unitPrice.amount.isNaN else { throw .invalid("unitPrice", "required") }
            guard line.unitPrice.amount >= 0 else { throw .invalid("unitPrice", "must not be negative") }
            guard !line.quantity.isNaN, line.quantity > 0 else { throw .invalid("quantity", "must be positive") }
            let recorded = current?.lines.filter { $0.productID == line.productID } ?? []
            try Validate.amount(line.unitPrice.amount, field: "unitPrice", unlessUnchangedFrom: recorded.first { $0.unitPrice.amount == line.unitPrice.amount }?.unitPrice.amount)
            try Validate.amount(line.quantity, field: "quantity", unlessUnchangedFrom: recorded.first { $0.quantity == line.quantity }?.quantity)
            l.discountPercent = try Percent.check(line.discountPercent, field: "lineDiscountPercent")
            d.lines.append(l)
        }
        d.discountPercent = try Percent.check(draft.discountPercent, field: "discountPercent")
        d.note = try Validate.optionalMultilineText(draft.note, field: "note")
        return d
    }
}
