import EventSourcing
import Foundation

/// A quote was created for a customer with its number and first revision.
public struct QuoteCreated: EventPayload, Equatable {
    public static let eventType = "QuoteCreated"
    public static let schemaVersion: UInt32 = 1
    public var quoteID: UUID
    public var customerID: UUID
    public var customerCode: String
    /// `Q-<CUSTCODE>-<YYYYMMDD>-<NNN>`, unique (claimed by the engine).
    public var number: String
    public var revision: QuoteRevision

    public init(quoteID: UUID, customerID: UUID, customerCode: String, number: String, revision: QuoteRevision) {
        self.quoteID = quoteID
        self.customerID = customerID
        self.customerCode = customerCode
        self.number = number
        self.revision = revision
    }
}

/// A new revision replaced the current one; earlier revisions stay in the history.
public struct QuoteRevised: EventPayload, Equatable {
    public static let eventType = "QuoteRevised"
    public static let schemaVersion: UInt32 = 1
    public var quoteID: UUID
    public var revision: QuoteRevision

    public init(quoteID: UUID, revision: QuoteRevision) {
        self.quoteID = quoteID
        self.revision = revision
    }
}

/// A role whose discount limit covers the revision approved it.
public struct QuoteApproved: EventPayload, Equatable {
    public static let eventType = "QuoteApproved"
    public static let schemaVersion: UInt32 = 1
    public var quoteID: UUID
    public var revision: Int
    public var approver: String
    public var approverRole: String
    public var approverLimit: Decimal
    /// The discount approved: the largest line discount or the overall discount, in percent.
    public var discountPercent: Decimal

    public init(quoteID: UUID, revision: Int, approver: String, approverRole: String, approverLimit: Decimal, discountPercent: Decimal) {
        self.quoteID = quoteID
        self.revision = revision
        self.approver = approver
        self.approverRole = approverRole
        self.approverLimit = approverLimit
        self.discountPercent = discountPercent
    }
}

/// The approver sent the revision back to its author, with a reason.
public struct QuoteSentBack: EventPayload, Equatable {
    public static let eventType = "QuoteSentBack"
    public static let schemaVersion: UInt32 = 1
    public var quoteID: UUID
    public var revision: Int
    public var approver: String
    public var reason: String

    public init(quoteID: UUID, revision: Int, approver: String, reason: String) {
        self.quoteID = quoteID
        self.revision = revision
        self.approver = approver
        self.reason = reason
    }
}

/// The approved revision went to the customer.
public struct QuoteSent: EventPayload, Equatable {
    public static let eventType = "QuoteSent"
    public static let schemaVersion: UInt32 = 1
    public var quoteID: UUID
    public var revision: Int
    public var sentAt: Date

    public init(quoteID: UUID, revision: Int, sentAt: Date) {
        self.quoteID = quoteID
        self.revision = revision
        self.sentAt = sentAt
    }
}

/// The customer accepted the revision at this total.
public struct QuoteAccepted: EventPayload, Equatable {
    public static let eventType = "QuoteAccepted"
    public static let schemaVersion: UInt32 = 1
    public var quoteID: UUID
    public var revision: Int
    public var total: Money
    public var acceptedAt: Date

    public init(quoteID: UUID, revision: Int, total: Money, acceptedAt: Date) {
        self.quoteID = quoteID
        self.revision = revision
        self.total = total
        self.acceptedAt = acceptedAt
    }
}

/// The customer rejected the revision, with a reason.
public struct QuoteRejected: EventPayload, Equatable {
    public static let eventType = "QuoteRejected"
    public static let schemaVersion: UInt32 = 1
    public var quoteID: UUID
    public var revision: Int
    public var reason: String
    public var rejectedAt: Date

    public init(quoteID: UUID, revision: Int, reason: String, rejectedAt: Date) {
        self.quoteID = quoteID
        self.revision = revision
        self.reason = reason
        self.rejectedAt = rejectedAt
    }
}

/// The events of the quote aggregate.
public enum QuoteEvent: DomainEvent {
    case created(QuoteCreated)
    case revised(QuoteRevised)
    case approved(QuoteApproved)
    case sentBack(QuoteSentBack)
    case sent(QuoteSent)
    case accepted(QuoteAccepted)
    case rejected(QuoteRejected)

    public static let payloadTypes: [any EventPayload.Type] = [
        QuoteCreated.self, QuoteRevised.self, QuoteApproved.self, QuoteSentBack.self, QuoteSent.self,
        QuoteAccepted.self, QuoteRejected.self,
    ]

    public var payload: any EventPayload {
        switch self {
        case .created(let p): return p
        case .revised(let p): return p
        case .approved(let p): return p
        case .sentBack(let p): return p
        case .sent(let p): return p
        case .accepted(let p): return p
        case .rejected(let p): return p
        }
    }

    public init?(payload: any EventPayload) {
        switch payload {
        case let p as QuoteCreated: self = .created(p)
        case let p as QuoteRevised: self = .revised(p)
        case let p as QuoteApproved: self = .approved(p)
        case let p as QuoteSentBack: self = .sentBack(p)
        case let p as QuoteSent: self = .sent(p)
        case let p as QuoteAccepted: self = .accepted(p)
        case let p as QuoteRejected: self = .rejected(p)
        default: return nil
        }
    }
}
