import EventSourcing
import Foundation

/// A customer's loyalty points (R-CUS-8): lots accrued by rules (spend, tenure, activities) or by hand,
/// redeemed first-in-first-out and never below zero, expiring lot by lot; a ledger of every movement with
/// its reason. Stream `loyalty-<customerID>`.
///
/// Days are local dates (the engine reads them in the customer's branch calendar). A lot is usable from
/// the day it is earned (`earnedOn`: points earned on a later day do not exist before it, so a redemption
/// dated earlier cannot draw on them) and, with `expiresOn`, on the days before that; on `expiresOn` it
/// can no longer be redeemed, and ``Command/expire(asOf:)`` records the loss.
public enum LoyaltyAccount: Aggregate {
    public static let category = "loyalty"

    /// Points earned together, and how many are left.
    public struct Lot: Hashable, Sendable {
        public let id: UUID
        public let points: Int
        public var remaining: Int
        public let source: AccrualSource
        public let earnedOn: LocalDate
        public let expiresOn: LocalDate?
        /// Why the points were given (what a repeated accrual of the same source is compared with).
        public let reason: String

        /// Whether the lot's points may be used on `day`: earned by then and not expired.
        public func isValid(on day: LocalDate) -> Bool { earnedOn <= day && !isExpired(on: day) }

        /// Whether the lot's points have lapsed by `day` (`expiresOn` is on or before it).
        public func isExpired(on day: LocalDate) -> Bool { expiresOn.map { $0 <= day } ?? false }
    }

    /// One movement of the ledger.
    public struct LedgerEntry: Hashable, Sendable {
        /// `clawback`: points taken back because what earned them was undone (``PointsClawedBack``).
        public enum Kind: String, Hashable, Sendable { case accrual, redemption, expiry, clawback }
        public let kind: Kind
        public let day: LocalDate
        /// Positive for accruals, negative for redemptions, expiries and clawbacks.
        public let points: Int
        public let reason: String
    }

    /// What a redemption asked for: its points, reason and day.
    public struct Redemption: Hashable, Sendable {
        public let points: Int
        public let reason: String
        public let day: LocalDate
    }

    public struct State: Sendable, Equatable {
        public var customerID: UUID?
        /// Lots in the order they were earned (earliest first): the FIFO order.
        public var lots: [Lot] = []
        public var ledger: [LedgerEntry] = []
        /// Source references already accrued (idempotency).
        public var accruedSources: Set<String> = []
        public var redemptions: Set<UUID> = []
        /// What each recorded redemption asked for, by its id (what a repeat of the id is compared with).
        public var redeemed: [UUID: Redemption] = [:]
        /// Clawbacks recorded (idempotency; one recorded as a redemption before ``PointsClawedBack`` existed is
        /// in ``redemptions``).
        public var clawbacks: Set<UUID> = []

        public init() {}

        /// Points usable on `day`: of the lots earned by then and not expired on it.
        public func balance(on day: LocalDate) -> Int {
            lots.filter { $0.isValid(on: day) }.reduce(0) { $0 + $1.remaining }
        }

        /// Points left in all lots, expired or not, until an expiry is recorded.
        public var recordedBalance: Int { lots.reduce(0) { $0 + $1.remaining } }
    }

    public enum Command: Sendable {
        /// Adds a lot. `sourceReference` identifies what earned it: accruing the same reference again records
        /// nothing — by a rule (the occurrence earned once, as the rule then stood); by hand (`manual`) only when
        /// it is the same accrual (points, source, reason, days), another is refused (`alreadyExists`).
        case accrue(customerID: UUID, points: Int, source: AccrualSource, sourceReference: String, reason: String,
                    earnedOn: LocalDate, expiresOn: LocalDate?)
        /// Spends points on `day`, oldest valid lots first; refused beyond the balance. The same redemption again
        /// (id, points, reason, day) records nothing; its id with other content is refused (`alreadyExists`, field
        /// `redemptionID`).
        case redeem(redemptionID: UUID, points: Int, reason: String, on: LocalDate)
        /// Records the loss of every lot whose `expiresOn` is on or before `asOf`.
        case expire(asOf: LocalDate)
        /// Takes back what is left of the lot `sourceReference` earned, when what earned it is undone (a
        /// revenue entry reversed): recorded as ``PointsClawedBack`` (`day` its day) drawing on that lot alone,
        /// whatever its validity — not a redemption, which the customer makes. Points of the lot already
        /// redeemed or expired stay as they were (the customer keeps what was spent); nothing is recorded for an
        /// unknown lot, one with nothing left, or a `clawbackID` already recorded (as a clawback, or as a
        /// redemption the way clawbacks were recorded before).
        case clawBack(clawbackID: UUID, sourceReference: String, reason: String, on: LocalDate)
    }

    public typealias Event = LoyaltyEvent

    public static var initialState: State { State() }

    /// The id of the lot a source earns: the same source always gives the same lot.
    public static func lotID(customerID: UUID, sourceReference: String) -> UUID {
        UUID.derived("loyalty-lot", customerID.uuidString, sourceReference)
    }

    public static func decide(_ command: Command, state: State, context: CommandContext) throws(DomainError) -> [Event] {
        switch command {
        case .accrue(let customerID, let points, let source, let reference, let reason, let earnedOn, let expiresOn):
            if let existing = state.customerID, existing != customerID {
                throw .invalid("customerID", "the account belongs to another customer")
            }
            let reference = try Validate.text(reference, field: "sourceReference", max: 200)
            let reason = try Validate.multilineText(reason, field: "reason", max: 500)
            guard points > 0 else { throw .invalid("points", "must be positive") }
            if let expiresOn, expiresOn <= earnedOn { throw .invalid("expiresOn", "must be after the day the points are earned") }
            // The rules' references are theirs: a manual accrual taking one first would leave the rule's own
            // occurrence (an anniversary, a revenue entry, a survey answered) recorded as a repeat, never earned.
            if source == .manual, let prefix = LoyaltyRules.ruleReferencePrefixes.first(where: { reference.hasPrefix($0) }) {
                throw .invalid("sourceReference", "references starting with \(prefix) are the accrual rules' own")
            }
            let lotID = lotID(customerID: customerID, sourceReference: reference)
            if state.accruedSources.contains(reference) {
                // A person's repeat must be the accrual recorded: reusing a reference for other points is a
                // conflict, not a silent no-op. A rule's repeat (a reaction or the scheduler again, perhaps after
                // the rule changed) records nothing.
                if source == .manual, let lot = state.lots.first(where: { $0.id == lotID }),
                   (lot.points, lot.source, lot.reason, lot.earnedOn, lot.expiresOn) != (points, source, reason, earnedOn, expiresOn) {
                    throw DomainError(.alreadyExists, field: "sourceReference", "another accrual has this reference")
                }
                return []
            }
            return [.accrued(PointsAccrued(
                customerID: customerID, lotID: lotID, points: points,
                source: source, sourceReference: reference, reason: reason, earnedOn: earnedOn, expiresOn: expiresOn
            ))]

        case .redeem(let redemptionID, let points, let reason, let day):
            guard let customerID = state.customerID else { throw .notFound("the customer has no points") }
            let reason = try Validate.multilineText(reason, field: "reason", max: 500)
            if state.redemptions.contains(redemptionID) {
                // A repeat must be the redemption recorded: reusing its id for other points is a conflict, not a
                // silent success the caller would take for points spent.
                guard state.redeemed[redemptionID] == Redemption(points: points, reason: reason, day: day) else {
                    throw DomainError(.alreadyExists, field: "redemptionID", "another redemption has this id")
                }
                return []
            }
            guard points > 0 else { throw .invalid("points", "must be positive") }
            let available = state.balance(on: day)
            guard points <= available else {
                throw .invalid("points", "exceeds the \(available) points usable on \(day) (earned by then, not expired)")
            }
            var needed = points
            var draws: [LotDraw] = []
            for lot in fifo(state.lots) where lot.remaining > 0 && lot.isValid(on: day) && needed > 0 {
                let take = min(lot.remaining, needed)
                draws.append(LotDraw(lotID: lot.id, points: take))
                needed -= take
            }
            return [.redeemed(PointsRedeemed(customerID: customerID, redemptionID: redemptionID, points: points, reason: reason, redeemedOn: day, draws: draws))]

        case .clawBack(let clawbackID, let reference, let reason, let day):
            guard let customerID = state.customerID, !state.clawbacks.contains(clawbackID), !state.redemptions.contains(clawbackID) else { return [] }
            let reason = try Validate.multilineText(reason, field: "reason", max: 500)
            let lotID = lotID(customerID: customerID, sourceReference: reference)
            guard let lot = state.lots.first(where: { $0.id == lotID }), lot.remaining > 0 else { return [] }
            return [.clawedBack(PointsClawedBack(customerID: customerID, clawbackID: clawbackID, sourceReference: reference, points: lot.remaining,
                                                 reason: reason, clawedBackOn: day, draws: [LotDraw(lotID: lot.id, points: lot.remaining)]))]

        case .expire(let asOf):
            guard let customerID = state.customerID else { return [] }
            let draws = fifo(state.lots).filter { $0.remaining > 0 && $0.isExpired(on: asOf) }.map { LotDraw(lotID: $0.id, points: $0.remaining) }
            guard !draws.isEmpty else { return [] }
            return [.expired(PointsExpired(customerID: customerID, asOf: asOf, points: draws.reduce(0) { $0 + $1.points }, draws: draws))]
        }
    }

    /// Lots in first-in-first-out order: earliest earned first, then the earliest to expire.
    static func fifo(_ lots: [Lot]) -> [Lot] {
        lots.enumerated().sorted { a, b in
            if a.element.earnedOn != b.element.earnedOn { return a.element.earnedOn < b.element.earnedOn }
            return a.offset < b.offset
        }.map(\.element)
    }

    public static func evolve(_ state: State, _ event: Event) -> State {
        var s = state
        switch event {
        case .accrued(let e):
            s.customerID = e.customerID
            s.accruedSources.insert(e.sourceReference)
            s.lots.append(Lot(id: e.lotID, points: e.points, remaining: e.points, source: e.source, earnedOn: e.earnedOn,
                          expiresOn: e.expiresOn, reason: e.reason))
            s.ledger.append(LedgerEntry(kind: .accrual, day: e.earnedOn, points: e.points, reason: e.reason))
        case .redeemed(let e):
            s.redemptions.insert(e.redemptionID)
            s.redeemed[e.redemptionID] = Redemption(points: e.points, reason: e.reason, day: e.redeemedOn)
            s.lots = draw(e.draws, from: s.lots)
            s.ledger.append(LedgerEntry(kind: .redemption, day: e.redeemedOn, points: -e.points, reason: e.reason))
        case .expired(let e):
            s.lots = draw(e.draws, from: s.lots)
            s.ledger.append(LedgerEntry(kind: .expiry, day: e.asOf, points: -e.points, reason: "expired"))
        case .clawedBack(let e):
            s.clawbacks.insert(e.clawbackID)
            s.lots = draw(e.draws, from: s.lots)
            s.ledger.append(LedgerEntry(kind: .clawback, day: e.clawedBackOn, points: -e.points, reason: e.reason))
        }
        return s
    }

    private static func draw(_ draws: [LotDraw], from lots: [Lot]) -> [Lot] {
        var lots = lots
        for d in draws {
            if let index = lots.firstIndex(where: { $0.id == d.lotID }) {
                lots[index].remaining = max(0, lots[index].remaining - d.points)
            }
        }
        return lots
    }
}
