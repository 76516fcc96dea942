import Foundation

/// One line of a quote: a catalog product at its standard unit price, a quantity and a line discount.
public struct QuoteLine: Hashable, Sendable, Codable {
    public var productID: UUID
    public var productName: String
    /// The product's standard price from the catalog, per unit.
    public var unitPrice: Money
    public var quantity: Decimal
    /// Discount on this line, in percent (0–100).
    public var discountPercent: Decimal

    public init(productID: UUID, productName: String, unitPrice: Money, quantity: Decimal, discountPercent: Decimal = 0) {
        self.productID = productID
        self.productName = productName
        self.unitPrice = unitPrice
        self.quantity = quantity
        self.discountPercent = discountPercent
    }

    /// A line whose name and unit price its author leaves to the catalog: the engine fills them in from the
    /// product (``isUnpriced``); the domain refuses a line still unpriced (field `unitPrice`).
    public static func unpriced(productID: UUID, quantity: Decimal, discountPercent: Decimal = 0) -> QuoteLine {
        QuoteLine(productID: productID, productName: "", unitPrice: Money(.nan, .cny), quantity: quantity, discountPercent: discountPercent)
    }

    /// Whether the line's unit price is still to be taken from the catalog (``unpriced(productID:quantity:discountPercent:)``).
    public var isUnpriced: Bool { unitPrice.amount.isNaN }

    /// Unit price × quantity, before discount (exact decimal).
    public var gross: Decimal { unitPrice.amount * quantity }
    /// The line after its discount (exact decimal).
    public var net: Decimal { gross - gross * discountPercent / 100 }
}

/// The content of one revision of a quote, as its author gives it.
public struct QuoteDraft: Hashable, Sendable, Codable {
    public var lines: [QuoteLine]
    /// An extra discount on the whole quote after the line discounts, in percent.
    public var discountPercent: Decimal
    public var validUntil: LocalDate?
    public var note: String?

    public init(lines: [QuoteLine], discountPercent: Decimal = 0, validUntil: LocalDate? = nil, note: String? = nil) {
        self.lines = lines
        self.discountPercent = discountPercent
        self.validUntil = validUntil
        self.note = note
    }

    /// The currency of the lines (all lines share one).
    public var currency: Currency? { lines.first?.unitPrice.currency }
    /// Sum of the lines before any discount.
    public var gross: Decimal { lines.reduce(0) { $0 + $1.gross } }
    /// Sum of the discounted lines, before the quote discount.
    public var subtotal: Decimal { lines.reduce(0) { $0 + $1.net } }
    /// What the customer pays: the subtotal less the quote discount (exact decimal, not rounded).
    public var total: Decimal { subtotal - subtotal * discountPercent / 100 }

    /// Whether the discount that needs covering (the largest line discount, or the overall discount of the
    /// total against the gross, whichever is larger) is at most `limit` percent. Compared without dividing,
    /// so the check is exact.
    public func discountWithin(_ limit: Decimal) -> Bool {
        guard lines.allSatisfy({ $0.discountPercent <= limit }) else { return false }
        return (gross - total) * 100 <= limit * gross
    }

    /// The overall discount in percent (gross against total), rounded to 2 places for display.
    public var overallDiscountPercent: Decimal {
        guard gross != 0 else { return 0 }
        var value = (gross - total) * 100 / gross
        var rounded = Decimal()
        NSDecimalRound(&rounded, &value, 2, .plain)
        return rounded
    }

    /// The discount an approver must cover: the largest line discount or the overall discount.
    public var largestDiscountPercent: Decimal {
        max(lines.map(\.discountPercent).max() ?? 0, overallDiscountPercent)
    }

    /// The unit price the customer pays for `line` under this draft: its standard price less the line's
    /// discount, then less the quote's discount (exact decimal, not rounded).
    ///
    /// ```swift
    /// let meter = QuoteLine(productID: p, productName: "Meter", unitPrice: Money(100, .cny), quantity: 2, discountPercent: 10)
    /// QuoteDraft(lines: [meter], discountPercent: 5).agreedUnitPrice(of: meter)  // 85.5 CNY
    /// ```
    public func agreedUnitPrice(of line: QuoteLine) -> Money {
        let afterLine = line.unitPrice.amount - line.unitPrice.amount * line.discountPercent / 100
        return Money(afterLine - afterLine * discountPercent / 100, line.unitPrice.currency)
    }

    /// The unit price the customer pays for `productID` under this draft, over all its lines: what they cost
    /// together after discounts (``agreedUnitPrice(of:)-(QuoteLine)``) divided by their quantity — a product
    /// quoted as 10 at 100 and 2 more at half price is agreed at 91.67 a unit, never at 50 for all 12; nil when
    /// it has no line (or only lines of no quantity). What a contract drafted from the accepted quote may not go
    /// below.
    public func agreedUnitPrice(of productID: UUID) -> Money? {
        let quoted = lines.filter { $0.productID == productID }
        let quantity = quoted.reduce(Decimal(0)) { $0 + $1.quantity }
        guard let currency = quoted.first?.unitPrice.currency, quantity > 0 else { return nil }
        let total = quoted.reduce(Decimal(0)) { $0 + agreedUnitPrice(of: $1).amount * $1.quantity }
        return Money(total / quantity, currency)
    }
}

/// One revision of a quote, kept in the history when a later one replaces it.
public struct QuoteRevision: Hashable, Sendable, Codable {
    /// 1 for the first, n + 1 for each revision.
    public var number: Int
    public var draft: QuoteDraft
    public var author: String
    public var authorRole: String
    /// The author's discount limit in percent when the revision was made (nil: the role has none).
    public var authorLimit: Decimal?
    /// Over the author's limit: it waits for approval before it can go to the customer.
    public var needsApproval: Bool
    public var createdAt: Date

    public init(number: Int, draft: QuoteDraft, author: String, authorRole: String, authorLimit: Decimal?, needsApproval: Bool, createdAt: Date) {
        self.number = number
        self.draft = draft
        self.author = author
        self.authorRole = authorRole
        self.authorLimit = authorLimit
        self.needsApproval = needsApproval
        self.createdAt = createdAt
    }
}

extension Quote {
    /// Where a quote stands.
    ///
    /// | status | reached by | next |
    /// |---|---|---|
    /// | approved | create / revise within the author's limit, or approve | send, accept, reject, revise |
    /// | pendingApproval | create / revise over the author's limit | approve, sendBack, revise |
    /// | sentBack | sendBack (reason) | revise |
    /// | sent | send | accept, reject, revise |
    /// | accepted, rejected | the customer's answer | final |
    public enum Status: String, CaseIterable, Hashable, Sendable, Codable {
        case pendingApproval, approved, sentBack, sent, accepted, rejected

        /// Accepted or rejected: nothing more can change.
        public var isFinal: Bool { self == .accepted || self == .rejected }
    }
}

extension Array where Element == DiscountLimit {
    /// The discount limit of `role` in percent, or nil when the settings give that role none.
    public func limit(for role: String) -> Decimal? {
        first { $0.role == role }?.maxPercent
    }
}
