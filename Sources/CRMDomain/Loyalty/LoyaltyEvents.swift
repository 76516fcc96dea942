import EventSourcing
import Foundation

/// Where accrued points come from (R-CUS-8).
public enum AccrualSource: String, CaseIterable, Hashable, Sendable, Codable {
    case spend, tenure, activity, manual
}

/// Points taken from one lot (FIFO consumption or expiry).
public struct LotDraw: Hashable, Sendable, Codable {
    public var lotID: UUID
    public var points: Int

    public init(lotID: UUID, points: Int) {
        self.lotID = lotID
        self.points = points
    }
}

public struct PointsAccrued: EventPayload, Equatable {
    public static let eventType = "PointsAccrued"
    public static let schemaVersion: UInt32 = 1
    public var customerID: UUID
    /// The new lot: derived from the source, so one source never accrues twice.
    public var lotID: UUID
    public var points: Int
    public var source: AccrualSource
    /// What earned them (a revenue entry id, a survey response id, `tenure-2026`, …).
    public var sourceReference: String
    public var reason: String
    public var earnedOn: LocalDate
    /// The first day the points are no longer valid; nil: they never expire.
    public var expiresOn: LocalDate?

    public init(customerID: UUID, lotID: UUID, points: Int, source: AccrualSource, sourceReference: String, reason: String, earnedOn: LocalDate, expiresOn: LocalDate? = nil) {
        self.customerID = customerID
        self.lotID = lotID
        self.points = points
        self.source = source
        self.sourceReference = sourceReference
        self.reason = reason
        self.earnedOn = earnedOn
        self.expiresOn = expiresOn
    }
}

public struct PointsRedeemed: EventPayload, Equatable {
    public static let eventType = "PointsRedeemed"
    public static let schemaVersion: UInt32 = 1
    public var customerID: UUID
    public var redemptionID: UUID
    public var points: Int
    public var reason: String
    public var redeemedOn: LocalDate
    /// The lots it drew on, oldest first.
    public var draws: [LotDraw]

    public init(customerID: UUID, redemptionID: UUID, points: Int, reason: String, redeemedOn: LocalDate, draws: [LotDraw]) {
        self.customerID = customerID
        self.redemptionID = redemptionID
        self.points = points
        self.reason = reason
        self.redeemedOn = redeemedOn
        self.draws = draws
    }
}

/// What was left of one lot taken back because what earned it was undone (a revenue entry reversed): not a
/// redemption — the customer spent nothing. (Before this event existed a clawback was recorded as a
/// `PointsRedeemed` with reason `revenue entry reversed`; those events stay as they are.)
public struct PointsClawedBack: EventPayload, Equatable {
    public static let eventType = "PointsClawedBack"
    public static let schemaVersion: UInt32 = 1
    public var customerID: UUID
    /// Derived by the engine's reactor from the event that undid the source, so it is taken back once.
    public var clawbackID: UUID
    /// The lot's source reference (`revenue-<entry id>`).
    public var sourceReference: String
    public var points: Int
    public var reason: String
    public var clawedBackOn: LocalDate
    /// The lot it drew on (one).
    public var draws: [LotDraw]

    public init(customerID: UUID, clawbackID: UUID, sourceReference: String, points: Int, reason: String, clawedBackOn: LocalDate, draws: [LotDraw]) {
        self.customerID = customerID
        self.clawbackID = clawbackID
        self.sourceReference = sourceReference
        self.points = points
        self.reason = reason
        self.clawedBackOn = clawedBackOn
        self.draws = draws
    }
}

public struct PointsExpired: EventPayload, Equatable {
    public static let eventType = "PointsExpired"
    public static let schemaVersion: UInt32 = 1
    public var customerID: UUID
    public var asOf: LocalDate
    public var points: Int
    public var draws: [LotDraw]

    public init(customerID: UUID, asOf: LocalDate, points: Int, draws: [LotDraw]) {
        self.customerID = customerID
        self.asOf = asOf
        self.points = points
        self.draws = draws
    }
}

/// The events of a customer's loyalty account.
public enum LoyaltyEvent: DomainEvent {
    case accrued(PointsAccrued)
    case redeemed(PointsRedeemed)
    case expired(PointsExpired)
    case clawedBack(PointsClawedBack)

    public static let payloadTypes: [any EventPayload.Type] = [PointsAccrued.self, PointsRedeemed.self, PointsExpired.self, PointsClawedBack.self]

    public var payload: any EventPayload {
        switch self {
        case .accrued(let p): return p
        case .redeemed(let p): return p
        case .expired(let p): return p
        case .clawedBack(let p): return p
        }
    }

    public init?(payload: any EventPayload) {
        switch payload {
        case let p as PointsAccrued: self = .accrued(p)
        case let p as PointsRedeemed: self = .redeemed(p)
        case let p as PointsExpired: self = .expired(p)
        case let p as PointsClawedBack: self = .clawedBack(p)
        default: return nil
        }
    }
}
