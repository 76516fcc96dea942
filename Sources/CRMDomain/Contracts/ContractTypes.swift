import Foundation

extension Contract {
    /// Where a contract is in its life (R-SAL-4). A renewal keeps (or makes) the contract active; the
    /// number of renewals is kept in ``State/renewals``.
    public enum Status: String, CaseIterable, Hashable, Sendable, Codable {
        case draft, negotiating, pendingApproval, approved, active, expired, terminated
        /// Cancelled before its approval (``Contract/Command/cancel(reason:)``): final.
        case cancelled

        /// Whether the terms and lines may still change (before approval is asked).
        public var isEditable: Bool { self == .draft || self == .negotiating }

        /// Whether the contract may still be cancelled: not yet approved (a draft, in negotiation, or waiting for approval).
        public var isCancellable: Bool { isEditable || self == .pendingApproval }
    }

    /// One product line of a contract: an exact quantity at an exact unit price.
    public struct Line: Hashable, Sendable, Codable {
        public var productID: UUID
        /// The product's name when the contract was drafted (a contract keeps what was agreed).
        public var name: String
        public var quantity: Decimal
        public var unitPrice: Money

        public init(productID: UUID, name: String, quantity: Decimal, unitPrice: Money) {
            self.productID = productID
            self.name = name
            self.quantity = quantity
            self.unitPrice = unitPrice
        }

        /// Quantity × unit price, exact.
        public var amount: Money { Money(quantity * unitPrice.amount, unitPrice.currency) }
    }

    /// The dates of a contract and its auto-renewal clause.
    public struct Terms: Hashable, Sendable, Codable {
        /// The day the contract takes effect.
        public var effective: LocalDate
        /// The day service starts (on or after `effective`).
        public var serviceStart: LocalDate
        /// The last day of the contract (after `effective`, not before `serviceStart`).
        public var expiry: LocalDate
        /// The auto-renewal clause: on renewal the contract runs this many more months from the day after its
        /// expiry (``Contract/expiry(renewing:byMonths:)``); nil = no auto-renewal.
        public var renewalTermMonths: Int?

        public init(effective: LocalDate, serviceStart: LocalDate, expiry: LocalDate, renewalTermMonths: Int? = nil) {
            self.effective = effective
            self.serviceStart = serviceStart
            self.expiry = expiry
            self.renewalTermMonths = renewalTermMonths
        }
    }

    /// One negotiation record: who noted what, when.
    public struct Negotiation: Hashable, Sendable, Codable {
        public var by: String
        public var at: Date
        public var note: String

        public init(by: String, at: Date, note: String) {
            self.by = by
            self.at = at
            self.note = note
        }
    }

    /// How a contract ended early.
    public struct Termination: Hashable, Sendable, Codable {
        public var reason: String
        /// The last day of service.
        public var date: LocalDate
        public var by: String

        public init(reason: String, date: LocalDate, by: String) {
            self.reason = reason
            self.date = date
            self.by = by
        }
    }

    /// Why, by whom and when a contract was cancelled before its approval.
    public struct Cancellation: Hashable, Sendable, Codable {
        public var reason: String
        public var by: String
        public var at: Date

        public init(reason: String, by: String, at: Date) {
            self.reason = reason
            self.by = by
            self.at = at
        }
    }

    /// The lines a contract drafted from an accepted quote takes when none are given: each line of `draft`
    /// (the accepted revision) with its product, name and quantity, at the unit price the quote agreed for that
    /// very line (``QuoteDraft/agreedUnitPrice(of:)-(QuoteLine)``).
    public static func lines(agreedIn draft: QuoteDraft) -> [Line] {
        draft.lines.map { line in
            Line(productID: line.productID, name: line.productName, quantity: line.quantity, unitPrice: draft.agreedUnitPrice(of: line))
        }
    }

    /// The longest renewal term the clause allows, in months.
    public static let maximumRenewalTermMonths = 120
    /// The most terms one ``Command/renewThrough(today:)`` renews (a hundred years of monthly terms); a
    /// contract further behind is caught up by the next one.
    public static let maximumRenewalsAtOnce = 1_200
}
