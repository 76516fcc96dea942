import EventSourcing
import Foundation

/// A contract was drafted from a customer, products and an accepted quote (R-SAL-4).
public struct ContractDrafted: EventPayload, Equatable {
    public static let eventType = "ContractDrafted"
    public static let schemaVersion: UInt32 = 1
    public var contractID: UUID
    public var customerID: UUID
    /// The account manager responsible (reminded of the expiry).
    public var owner: String
    public var branch: String?
    public var title: String
    /// The accepted quote the contract comes from, and its number.
    public var quoteID: UUID
    public var quoteNumber: String
    public var lines: [Contract.Line]
    public var terms: Contract.Terms
    public var draftedBy: String
    public var draftedAt: Date

    public init(contractID: UUID, customerID: UUID, owner: String, branch: String? = nil, title: String, quoteID: UUID, quoteNumber: String, lines: [Contract.Line], terms: Contract.Terms, draftedBy: String, draftedAt: Date) {
        self.contractID = contractID
        self.customerID = customerID
        self.owner = owner
        self.branch = branch
        self.title = title
        self.quoteID = quoteID
        self.quoteNumber = quoteNumber
        self.lines = lines
        self.terms = terms
        self.draftedBy = draftedBy
        self.draftedAt = draftedAt
    }
}

/// The product lines changed while drafting or negotiating; both sides are kept for the trail.
public struct ContractLinesChanged: EventPayload, Equatable {
    public static let eventType = "ContractLinesChanged"
    public static let schemaVersion: UInt32 = 1
    public var contractID: UUID
    public var previousLines: [Contract.Line]
    public var lines: [Contract.Line]

    public init(contractID: UUID, previousLines: [Contract.Line], lines: [Contract.Line]) {
        self.contractID = contractID
        self.previousLines = previousLines
        self.lines = lines
    }
}

/// The dates or the renewal clause changed while drafting or negotiating: exactly the changed fields.
public struct ContractTermsChanged: EventPayload, Equatable {
    public static let eventType = "ContractTermsChanged"
    public static let schemaVersion: UInt32 = 1
    public var contractID: UUID
    public var terms: Contract.Terms
    public var changes: [FieldChange]

    public init(contractID: UUID, terms: Contract.Terms, changes: [FieldChange]) {
        self.contractID = contractID
        self.terms = terms
        self.changes = changes
    }
}

/// A negotiation record (who, when, note); the first one moves a draft into negotiation.
public struct ContractNegotiationRecorded: EventPayload, Equatable {
    public static let eventType = "ContractNegotiationRecorded"
    public static let schemaVersion: UInt32 = 1
    public var contractID: UUID
    public var negotiation: Contract.Negotiation

    public init(contractID: UUID, negotiation: Contract.Negotiation) {
        self.contractID = contractID
        self.negotiation = negotiation
    }
}

/// The contract was submitted for its single approval step.
public struct ContractSubmittedForApproval: EventPayload, Equatable {
    public static let eventType = "ContractSubmittedForApproval"
    public static let schemaVersion: UInt32 = 1
    public var contractID: UUID
    public var by: String
    public var at: Date

    public init(contractID: UUID, by: String, at: Date) {
        self.contractID = contractID
        self.by = by
        self.at = at
    }
}

/// The approver approved the contract.
public struct ContractApproved: EventPayload, Equatable {
    public static let eventType = "ContractApproved"
    public static let schemaVersion: UInt32 = 1
    public var contractID: UUID
    public var by: String
    public var at: Date
    public var note: String?

    public init(contractID: UUID, by: String, at: Date, note: String? = nil) {
        self.contractID = contractID
        self.by = by
        self.at = at
        self.note = note
    }
}

/// The approver sent the contract back to negotiation, with a reason.
public struct ContractSentBack: EventPayload, Equatable {
    public static let eventType = "ContractSentBack"
    public static let schemaVersion: UInt32 = 1
    public var contractID: UUID
    public var by: String
    public var at: Date
    public var reason: String

    public init(contractID: UUID, by: String, at: Date, reason: String) {
        self.contractID = contractID
        self.by = by
        self.at = at
        self.reason = reason
    }
}

/// The approved contract came into force.
public struct ContractActivated: EventPayload, Equatable {
    public static let eventType = "ContractActivated"
    public static let schemaVersion: UInt32 = 1
    public var contractID: UUID
    public var by: String
    public var at: Date

    public init(contractID: UUID, by: String, at: Date) {
        self.contractID = contractID
        self.by = by
        self.at = at
    }
}

/// The contract was renewed: its expiry moved by the renewal term (``Contract/expiry(renewing:byMonths:)``).
/// The new expiry is recorded, so a renewal folds to the day it was decided on whatever the rule later is.
public struct ContractRenewed: EventPayload, Equatable {
    public static let eventType = "ContractRenewed"
    public static let schemaVersion: UInt32 = 1
    public var contractID: UUID
    public var previousExpiry: LocalDate
    public var expiry: LocalDate
    public var termMonths: Int
    public var by: String
    public var at: Date

    public init(contractID: UUID, previousExpiry: LocalDate, expiry: LocalDate, termMonths: Int, by: String, at: Date) {
        self.contractID = contractID
        self.previousExpiry = previousExpiry
        self.expiry = expiry
        self.termMonths = termMonths
        self.by = by
        self.at = at
    }
}

/// The contract ran out (the day after its expiry had come).
public struct ContractExpired: EventPayload, Equatable {
    public static let eventType = "ContractExpired"
    public static let schemaVersion: UInt32 = 1
    public var contractID: UUID
    public var expiry: LocalDate
    public var recordedAt: Date

    public init(contractID: UUID, expiry: LocalDate, recordedAt: Date) {
        self.contractID = contractID
        self.expiry = expiry
        self.recordedAt = recordedAt
    }
}

/// The contract was terminated early, with a reason and a last day.
public struct ContractTerminated: EventPayload, Equatable {
    public static let eventType = "ContractTerminated"
    public static let schemaVersion: UInt32 = 1
    public var contractID: UUID
    public var termination: Contract.Termination
    public var at: Date

    public init(contractID: UUID, termination: Contract.Termination, at: Date) {
        self.contractID = contractID
        self.termination = termination
        self.at = at
    }
}

/// The contract was cancelled before its approval (a draft, in negotiation or waiting for approval), with a reason.
public struct ContractCancelled: EventPayload, Equatable {
    public static let eventType = "ContractCancelled"
    public static let schemaVersion: UInt32 = 1
    public var contractID: UUID
    public var reason: String
    public var by: String
    public var at: Date

    public init(contractID: UUID, reason: String, by: String, at: Date) {
        self.contractID = contractID
        self.reason = reason
        self.by = by
        self.at = at
    }
}

/// The events of the contract aggregate.
public enum ContractEvent: DomainEvent {
    case drafted(ContractDrafted)
    case linesChanged(ContractLinesChanged)
    case termsChanged(ContractTermsChanged)
    case negotiationRecorded(ContractNegotiationRecorded)
    case submittedForApproval(ContractSubmittedForApproval)
    case approved(ContractApproved)
    case sentBack(ContractSentBack)
    case activated(ContractActivated)
    case renewed(ContractRenewed)
    case expired(ContractExpired)
    case terminated(ContractTerminated)
    case cancelled(ContractCancelled)

    public static let payloadTypes: [any EventPayload.Type] = [
        ContractDrafted.self, ContractLinesChanged.self, ContractTermsChanged.self, ContractNegotiationRecorded.self,
        ContractSubmittedForApproval.self, ContractApproved.self, ContractSentBack.self, ContractActivated.self,
        ContractRenewed.self, ContractExpired.self, ContractTerminated.self, ContractCancelled.self,
    ]

    public var payload: any EventPayload {
        switch self {
        case .drafted(let p): return p
        case .linesChanged(let p): return p
        case .termsChanged(let p): return p
        case .negotiationRecorded(let p): return p
        case .submittedForApproval(let p): return p
        case .approved(let p): return p
        case .sentBack(let p): return p
        case .activated(let p): return p
        case .renewed(let p): return p
        case .expired(let p): return p
        case .terminated(let p): return p
        case .cancelled(let p): return p
        }
    }

    public init?(payload: any EventPayload) {
        switch payload {
        case let p as ContractDrafted: self = .drafted(p)
        case let p as ContractLinesChanged: self = .linesChanged(p)
        case let p as ContractTermsChanged: self = .termsChanged(p)
        case let p as ContractNegotiationRecorded: self = .negotiationRecorded(p)
        case let p as ContractSubmittedForApproval: self = .submittedForApproval(p)
        case let p as ContractApproved: self = .approved(p)
        case let p as ContractSentBack: self = .sentBack(p)
        case let p as ContractActivated: self = .activated(p)
        case let p as ContractRenewed: self = .renewed(p)
        case let p as ContractExpired: self = .expired(p)
        case let p as ContractTerminated: self = .terminated(p)
        case let p as ContractCancelled: self = .cancelled(p)
        default: return nil
        }
    }
}
