import EventSourcing
import Foundation

/// A customer contract (R-SAL-4): drafted from a customer, product lines and an accepted quote; negotiated
/// (records of who noted what, when); approved in a single step or sent back with a reason; in force from
/// its effective date to its expiry; renewed by its auto-renewal clause, expired or terminated; or cancelled
/// before it is approved.
///
/// Quote acceptance is checked by the engine before drafting: the command carries only the quote's id and
/// number (a rule never reads another aggregate).
///
/// ```swift
/// let events = try Contract.decide(.draft(id: id, customerID: customer, owner: "emp-7", branch: "sh",
///     title: "Gas supply 2026", quoteID: quote, quoteNumber: "C001-20260105-01", lines: lines, terms: terms),
///     state: Contract.initialState, context: context)
/// ```
///
/// Allowed transitions (anything else is `invalidTransition`):
///
/// | command | from | to |
/// |---|---|---|
/// | recordNegotiation | draft, negotiating | negotiating |
/// | changeLines, changeTerms | draft, negotiating | unchanged |
/// | submitForApproval | draft, negotiating | pendingApproval |
/// | approve | pendingApproval | approved |
/// | sendBack | pendingApproval | negotiating |
/// | activate | approved | active |
/// | renew | active, expired | active (expiry moved by the term: ``expiry(renewing:byMonths:)``) |
/// | renewThrough | active (with an auto-renewal clause) | active (expiry moved by as many terms as it takes to reach the day) |
/// | expire | active (without an auto-renewal clause) | expired |
/// | terminate | approved, active | terminated |
/// | cancel | draft, negotiating, pendingApproval | cancelled |
public enum Contract: Aggregate {
    public static let category = "contract"

    /// A contract as its events left it; `id == nil` until it is drafted.
    public struct State: Sendable, Equatable {
        public var id: UUID?
        public var status: Status = .draft
        public var customerID: UUID?
        public var owner: String = ""
        public var branch: String?
        public var title: String = ""
        public var quoteID: UUID?
        public var quoteNumber: String = ""
        public var lines: [Line] = []
        public var terms: Terms?
        public var negotiations: [Negotiation] = []
        /// Who submitted it for approval last (the request's author, who may not decide it: the engine's rule).
        public var submittedBy: String?
        /// The reason of the last send-back, cleared on approval.
        public var sentBackReason: String?
        public var approvedBy: String?
        public var approvedAt: Date?
        public var activatedAt: Date?
        /// How many times the contract was renewed.
        public var renewals: Int = 0
        public var termination: Termination?
        /// Why, by whom and when the contract was cancelled before it was approved.
        public var cancellation: Cancellation?

        public init() {}

        /// Whether the contract has been drafted.
        public var exists: Bool { id != nil }

        /// The sum of the lines (all lines share one currency); nil before drafting.
        public var total: Money? {
            guard let currency = lines.first?.unitPrice.currency else { return nil }
            return Money(lines.reduce(Decimal(0)) { $0 + $1.amount.amount }, currency)
        }
    }

    /// What can be asked of a contract.
    public enum Command: Sendable, Equatable {
        /// Drafts the contract (the first command of its stream) from an accepted quote; an expiry already past
        /// everywhere (``hasRunOut(_:at:)``) is refused (`invalid`, field `expiry`).
        case draft(id: UUID, customerID: UUID, owner: String, branch: String?, title: String, quoteID: UUID,
                   quoteNumber: String, lines: [Line], terms: Terms)
        /// Replaces the product lines while drafting or negotiating; the same lines → no events.
        case changeLines([Line])
        /// Changes the dates or the renewal clause while drafting or negotiating; records exactly the
        /// changed fields; nothing changed → no events.
        case changeTerms(Terms)
        /// Records a negotiation note by the acting person, now.
        case recordNegotiation(note: String)
        /// Asks for approval; the engine starts a workflow instance for it (see ``ApprovalRouting``). Refused
        /// once the expiry has passed everywhere (``hasRunOut(_:at:)``: `invalidTransition`, field `expiry`).
        case submitForApproval
        /// Records the approval; in the engine it is issued by ``ApprovalRouting/contractCommand(after:instance:)``
        /// when the contract's workflow instance completes, as its last approver, with that approval's comment.
        case approve(note: String?)
        /// Back to negotiation, with a reason (required); in the engine it is issued by ``ApprovalRouting``
        /// when the workflow instance is sent back at its first step or rejected.
        case sendBack(reason: String)
        case activate
        /// Renews by `termMonths`, or by the clause's renewal term when nil.
        case renew(termMonths: Int? = nil)
        /// Renews by the auto-renewal clause as many terms as it takes for the expiry to reach `today` (the
        /// branch's local day): one ``ContractRenewed`` a term, each from the expiry the one before left, at most
        /// ``maximumRenewalsAtOnce`` at a time; an expiry not before `today` → no events. Decided on the
        /// contract's own expiry, so a repeat (another node, a person's renewal meanwhile) never renews twice.
        /// It is how the scheduler catches up a contract several terms behind. In the engine a person's
        /// `today` is the engine clock's day in the contract's branch calendar, whatever the command names.
        case renewThrough(today: LocalDate)
        /// Records that the contract ran out: `today` (the branch's local day) must be after the expiry. A
        /// contract with an auto-renewal clause does not run out — it is renewed at its end (terminate it to end
        /// it). In the engine a person's `today` is the engine clock's day in the contract's branch calendar.
        case expire(today: LocalDate)
        /// Ends the contract early: `lastDay` between the effective date and the expiry.
        case terminate(reason: String, lastDay: LocalDate)
        /// Cancels a contract before it is approved — a draft, one in negotiation, or one waiting for approval
        /// (its request withdrawn) — with a reason (required). A cancelled contract is final: it is never
        /// approved, activated, renewed or terminated. In the engine the workflow instance of its request, if one
        /// still waits, is closed (decision `cancelled`).
        case cancel(reason: String)
    }

    public typealias Event = ContractEvent

    public static var initialState: State { State() }

    public static func decide(_ command: Command, state: State, context: CommandContext) throws(DomainError) -> [Event] {
        guard case let .draft(id, customerID, owner, branch, title, quoteID, quoteNumber, lines, terms) = command else {
            guard let id = state.id, let terms = state.terms else { throw .notFound("no such contract") }
            return try decideExisting(command, id: id, terms: terms, state: state, context: context)
        }
        guard !state.exists else { throw DomainError(.alreadyExists, "the contract is already drafted") }
        let ownerName = try Validate.text(owner, field: "owner", max: 100)
        let branchName = try Validate.optionalText(branch, field: "branch", max: 100)
        let titleText = try Validate.text(title, field: "title")
        let number = try Validate.text(quoteNumber, field: "quoteNumber", max: 100)
        let checkedLines = try validated(lines)
        let checkedTerms = try validated(terms)
        guard !hasRunOut(checkedTerms, at: context.now) else { throw .invalid("expiry", "the expiry has passed") }
        return [.drafted(ContractDrafted(
            contractID: id, customerID: customerID, owner: ownerName, branch: branchName, title: titleText,
            quoteID: quoteID, quoteNumber: number, lines: checkedLines, terms: checkedTerms,
            draftedBy: context.actor, draftedAt: context.now))]
    }

    private static func decideExisting(_ command: Command, id: UUID, terms: Terms, state: State,
                                       context: CommandContext) throws(DomainError) -> [Event] {
        switch command {
        case .draft:
            throw DomainError(.alreadyExists, "the contract is already drafted")

        case .changeLines(let lines):
            let lines = try validated(lines, unlessUnchangedFrom: state.lines)
            try require(state.status.isEditable, "lines can change only while drafting or negotiating")
            guard lines != state.lines else { return [] }
            return [.linesChanged(ContractLinesChanged(contractID: id, previousLines: state.lines, lines: lines))]

        case .changeTerms(let new):
            let new = try validated(new)
            try require(state.status.isEditable, "terms can change only while drafting or negotiating")
            var changes: [FieldChange] = []
            changes.record("effective", .date(terms.effective), .date(new.effective))
            changes.record("serviceStart", .date(terms.serviceStart), .date(new.serviceStart))
            changes.record("expiry", .date(terms.expiry), .date(new.expiry))
            changes.record("renewalTermMonths", terms.renewalTermMonths.map { .number(Decimal($0)) },
                           new.renewalTermMonths.map { .number(Decimal($0)) })
            guard !changes.isEmpty else { return [] }
            return [.termsChanged(ContractTermsChanged(contractID: id, terms: new, changes: changes))]

        case .recordNegotiation(let note):
            let text = try Validate.multilineText(note, field: "note", max: 10_000)
            try require(state.status.isEditable, "negotiation is recorded only while drafting or negotiating")
            return [.negotiationRecorded(ContractNegotiationRecorded(
                contractID: id, negotiation: Negotiation(by: context.actor, at: context.now, note: text)))]

        case .submitForApproval:
            try require(state.status.isEditable, "only a draft or a contract in negotiation can be submitted")
            guard !hasRunOut(terms, at: context.now) else {
                throw DomainError(.invalidTransition, field: "expiry", "the contract's expiry has passed; change its terms first")
            }
            return [.submittedForApproval(ContractSubmittedForApproval(contractID: id, by: context.actor, at: context.now))]

        case .approve(let note):
            let note = try Validate.optionalMultilineText(note, field: "note")
            try require(state.status == .pendingApproval, "only a contract pending approval can be approved")
            return [.approved(ContractApproved(contractID: id, by: context.actor, at: context.now, note: note))]

        case .sendBack(let reason):
            let reason = try Validate.multilineText(reason, field: "reason", max: 2000)
            try require(state.status == .pendingApproval, "only a contract pending approval can be sent back")
            return [.sentBack(ContractSentBack(contractID: id, by: context.actor, at: context.now, reason: reason))]

        case .activate:
            try require(state.status == .approved, "only an approved contract can be activated")
            return [.activated(ContractActivated(contractID: id, by: context.actor, at: context.now))]

        case .renew(let override):
            try require(state.status == .active || state.status == .expired, "only an active or expired contract can be renewed")
            guard let months = override ?? terms.renewalTermMonths else {
                throw .invalid("termMonths", "the contract has no auto-renewal clause: give a renewal term")
            }
            try validRenewalTerm(months, field: "termMonths")
            return [.renewed(ContractRenewed(contractID: id, previousExpiry: terms.expiry,
                                             expiry: expiry(renewing: terms.expiry, byMonths: months),
                                             termMonths: months, by: context.actor, at: context.now))]

        case .renewThrough(let today):
            try require(state.status == .active, "only an active contract is renewed by its clause")
            guard let months = terms.renewalTermMonths else {
                throw .invalid("termMonths", "the contract has no auto-renewal clause: give a renewal term")
            }
            try validRenewalTerm(months, field: "renewalTermMonths")
            var events: [Event] = []
            var expiry = terms.expiry
            while expiry < today, events.count < maximumRenewalsAtOnce {
                let next = Self.expiry(renewing: expiry, byMonths: months)
                guard next > expiry else { break }  // the last representable day: no further term
                events.append(.renewed(ContractRenewed(contractID: id, previousExpiry: expiry, expiry: next,
                                                       termMonths: months, by: context.actor, at: context.now)))
                expiry = next
            }
            return events

        case .expire(let today):
            try require(state.status == .active, "only an active contract can expire")
            try require(terms.renewalTermMonths == nil, "a contract with an auto-renewal clause is renewed at its end, not expired; terminate it to end it")
            guard today > terms.expiry else { throw .invalid("today", "the contract runs until its expiry day") }
            return [.expired(ContractExpired(contractID: id, expiry: terms.expiry, recordedAt: context.now))]

        case .terminate(let reason, let lastDay):
            let reason = try Validate.multilineText(reason, field: "reason", max: 2000)
            try require(state.status == .approved || state.status == .active, "only an approved or active contract can be terminated")
            guard terms.effective <= lastDay, lastDay <= terms.expiry else {
                throw .invalid("lastDay", "must fall between the effective date and the expiry")
            }
            return [.terminated(ContractTerminated(
                contractID: id, termination: Termination(reason: reason, date: lastDay, by: context.actor), at: context.now))]

        case .cancel(let reason):
            let reason = try Validate.multilineText(reason, field: "reason", max: 2000)
            try require(state.status.isCancellable, "only a contract not yet approved can be cancelled")
            return [.cancelled(ContractCancelled(contractID: id, reason: reason, by: context.actor, at: context.now))]
        }
    }

    /// The last day of a renewal term of `months` months after a contract whose last day is `expiry` (the
    /// expiry is the contract's last day, so the term starts the day after it): the day before the day of
    /// the month the term started on, `months` later — or, when that month has no such day, its last day.
    /// A contract ending on a month's last day therefore renews to a month's last day (30 June + 6 months =
    /// 31 December; 31 January + 1 month = 28th/29th February, + 1 = 31 March, + 1 = 30 April), and one ending
    /// mid-month keeps its day (15 January + 1 month = 15 February). `renew` and `renewThrough` both use it, so a
    /// catch-up over several terms lands on the days repeated renewals would. 9999-12-31, after which no day
    /// is, renews to itself; a term reaching past 9999 ends on 9999-12-31. No months (or fewer) → `expiry`.
    public static func expiry(renewing expiry: LocalDate, byMonths months: Int) -> LocalDate {
        let start = expiry.adding(days: 1)
        guard months > 0, start > expiry else { return expiry }
        let corresponding = start.adding(months: months)
        // The month `months` later has the start's day (and lies within the years there are): the day before it;
        // else `adding(months:)` gave that month's last day (or 9999-12-31), which ends the term.
        return corresponding.adding(months: -months) == start ? corresponding.adding(days: -1) : corresponding
    }

    /// Whether the contract's last day is past at `now` in every zone: before the earliest date in effect
    /// anywhere on earth (``LocalCalendar/earliestDate(at:)``), so no zone is needed. Such a contract is
    /// neither drafted nor submitted for approval: approved, it could never be activated.
    static func hasRunOut(_ terms: Terms, at now: Date) -> Bool {
        terms.expiry < LocalCalendar.earliestDate(at: now)
    }

    private static func require(_ condition: Bool, _ detail: String) throws(DomainError) {
        guard condition else { throw .transition(detail) }
    }

    /// At least one line; positive quantities, non-negative prices in one currency, each product once. In a
    /// change (`current` given) the currency and the product names (per product) the contract already has are
    /// not judged again.
    static func validated(_ lines: [Line], unlessUnchangedFrom current: [Line] = []) throws(DomainError) -> [Line] {
        guard let currency = lines.first?.unitPrice.currency else { throw .invalid("lines", "a contract needs at least one product") }
        try Validate.currency(currency, field: "unitPrice", unlessUnchangedFrom: current.first?.unitPrice.currency)
        var result: [Line] = []
        for var line in lines {
            line.name = try Validate.text(line.name, field: "name", unlessUnchangedFrom: current.first { $0.productID == line.productID }?.name)
            guard line.quantity > 0 else { throw .invalid("quantity", "must be positive") }
            guard line.unitPrice.amount >= 0 else { throw .invalid("unitPrice", "must not be negative") }
            let recorded = current.first { $0.productID == line.productID }
            try Validate.amount(line.quantity, field: "quantity", unlessUnchangedFrom: recorded?.quantity)
            try Validate.amount(line.unitPrice.amount, field: "unitPrice", unlessUnchangedFrom: recorded?.unitPrice.amount)
            guard line.unitPrice.currency == currency else { throw .invalid("unitPrice", "all lines must be in one currency") }
            guard !result.contains(where: { $0.productID == line.productID }) else {
                throw .invalid("lines", "each product appears once")
            }
            result.append(line)
        }
        return result
    }

    /// effective ≤ serviceStart ≤ expiry, effective < expiry, a renewal term of 1…120 months if any.
    static func validated(_ terms: Terms) throws(DomainError) -> Terms {
        guard terms.serviceStart >= terms.effective else { throw .invalid("serviceStart", "must not be before the effective date") }
        guard terms.expiry > terms.effective else { throw .invalid("expiry", "must be after the effective date") }
        guard terms.expiry >= terms.serviceStart else { throw .invalid("expiry", "must not be before the service start") }
        if let months = terms.renewalTermMonths { try validRenewalTerm(months, field: "renewalTermMonths") }
        return terms
    }

    private static func validRenewalTerm(_ months: Int, field: String) throws(DomainError) {
        guard (1...maximumRenewalTermMonths).contains(months) else {
            throw .invalid(field, "must be 1 to \(maximumRenewalTermMonths) months")
        }
    }

    public static func evolve(_ state: State, _ event: Event) -> State {
        var s = state
        switch event {
        case .drafted(let e):
            s.id = e.contractID
            s.status = .draft
            s.customerID = e.customerID
            s.owner = e.owner
            s.branch = e.branch
            s.title = e.title
            s.quoteID = e.quoteID
            s.quoteNumber = e.quoteNumber
            s.lines = e.lines
            s.terms = e.terms
        case .linesChanged(let e):
            s.lines = e.lines
        case .termsChanged(let e):
            s.terms = e.terms
        case .negotiationRecorded(let e):
            s.status = .negotiating
            s.negotiations.append(e.negotiation)
        case .submittedForApproval(let e):
            s.status = .pendingApproval
            s.submittedBy = e.by
        case .approved(let e):
            s.status = .approved
            s.approvedBy = e.by
            s.approvedAt = e.at
            s.sentBackReason = nil
        case .sentBack(let e):
            s.status = .negotiating
            s.sentBackReason = e.reason
        case .activated(let e):
            s.status = .active
            s.activatedAt = e.at
        case .renewed(let e):
            s.status = .active
            s.terms?.expiry = e.expiry
            s.renewals += 1
        case .expired:
            s.status = .expired
        case .terminated(let e):
            s.status = .terminated
            s.termination = e.termination
        case .cancelled(let e):
            s.status = .cancelled
            s.cancellation = Cancellation(reason: e.reason, by: e.by, at: e.at)
        }
        return s
    }
}
