import CRMDomain
import CRMProjections
import EventSourcing
import Foundation

/// Quotes: module `quotes`; a record of its customer (the first revision's author owns it).
/// `create` → create; `revise`, `send`, `accept`, `reject` → edit; `approve`, `sendBack` → approve — never by
/// the person who wrote the current revision (`forbidden`, field `employee`).
/// Claims the quote number (namespace `quote-number`). The discount limits always come from the settings,
/// and the author's or approver's role must be one the principal holds, so a caller can neither bring its
/// own limits nor borrow a larger role's. Each line is priced from the catalog (R-SAL-3): its product must
/// exist and be active, its unit price is the product's standard price and its name the product's — a
/// lower price would be a discount no limit judged; a revision may keep the price and name a line of the
/// same product already has (a price agreed before the catalog changed). A line given without a price
/// (``QuoteLine/unpriced(productID:quantity:discountPercent:)``) is priced so.
extension Quote: EngineRecord {
    public static var module: Permission.Module { .quotes }
    public static func action(for command: Command) -> Permission.Action {
        switch command {
        case .create: return .create
        case .approve, .sendBack: return .approve
        case .revise, .send, .accept, .reject: return .edit
        }
    }
    public static func scope(of command: Command?, state: State) -> ScopeSource {
        if case .create(_, let customerID, _, _, _, _, _, _)? = command, !state.exists { return .customer(customerID, owners: []) }
        return .customer(state.customerID, owners: state.revisions.first.map { [$0.author] } ?? [])
    }
    public static func claims(_ command: Command, state: State) -> KeyClaims {
        KeyClaims(claimed: claims(command, state: state).map { UniqueKey(namespace: "quote-number", key: $0) })
    }
    public static func prepare(_ command: Command, state: State, principal: Principal, engine: CRMEngine) async throws -> Command {
        switch command {
        case .create(let id, let customerID, let givenCode, let date, let givenSequence, let draft, let role, _):
            try await engine.requireHeld(role: role, by: principal, field: "authorRole")
            let limits = try await engine.settings().effectiveDiscountLimits
            // The number (R-SAL-3): the code given, else one made from the customer's id; the day's next free sequence
            // unless one is given. (Two quotes created at once may pick the same: the later is `keyTaken`.)
            let code = givenCode.trimmingCharacters(in: .whitespaces).isEmpty ? Quote.code(of: customerID) : givenCode
            // A code of the form made from a customer's id is that customer's own: another's is refused.
            guard !Quote.isIDCode(code) || code.trimmingCharacters(in: .whitespaces).uppercased() == Quote.code(of: customerID) else {
                throw EngineError(.invalid, field: "customerCode", "a code made from a customer's id numbers only that customer's quotes")
            }
            var sequence = givenSequence
            if sequence == 0, state.quoteID == nil {
                sequence = try await engine.nextFreeQuoteSequence(customerCode: code, date: date)
            }
            return .create(quoteID: id, customerID: customerID, customerCode: code, date: date, sequence: sequence,
                           draft: try await engine.pricedFromCatalog(draft, keeping: nil), authorRole: role, limits: limits)
        case .revise(let draft, let role, _):
            try await engine.requireHeld(role: role, by: principal, field: "authorRole")
            return .revise(draft: try await engine.pricedFromCatalog(draft, keeping: state.current?.draft),
                           authorRole: role, limits: try await engine.settings().effectiveDiscountLimits)
        case .approve(let role, _):
            try principal.requireNotRequester(state.current?.author, Self.ownDecision)
            try await engine.requireHeld(role: role, by: principal, field: "approverRole")
            return .approve(approverRole: role, limits: try await engine.settings().effectiveDiscountLimits)
        case .sendBack:
            try principal.requireNotRequester(state.current?.author, Self.ownDecision)
            return command
        case .send, .accept, .reject:
            return command
        }
    }

    /// No one decides their own request (``Principal/requireNotRequester(_:_:)``): the person who wrote the current
    /// revision may neither approve it nor send it back directly.
    private static let ownDecision = "the author of a quote's revision may not approve it or send it back"
}

extension CRMEngine {
    /// `draft` with each line's unit price and name from its product in the catalog; a line whose price is
    /// not the product's standard price is refused, unless `kept` (the current revision) has a line of the
    /// same product at that price, whose name it then keeps too. An unpriced line (``QuoteLine/isUnpriced``:
    /// its author gave no price) takes the price and name of `kept`'s line of its product if there is one, else
    /// its product's standard price and name.
    func pricedFromCatalog(_ draft: QuoteDraft, keeping kept: QuoteDraft?) async throws -> QuoteDraft {
        var priced = draft
        for (index, line) in draft.lines.enumerated() {
            if let agreed = kept?.lines.first(where: { $0.productID == line.productID && (line.isUnpriced || $0.unitPrice == line.unitPrice) }) {
                priced.lines[index].productName = agreed.productName
                priced.lines[index].unitPrice = agreed.unitPrice
                continue
            }
            let product = try await load(Product.self, stream: Product.stream(line.productID)).state
            guard product.exists else { throw EngineError(.invalid, field: "lines.productID", "no product in the catalog has this id") }
            guard product.status == .active else { throw EngineError(.invalid, field: "lines.productID", "the product is retired") }
            if line.isUnpriced, let standard = product.standardPrice { priced.lines[index].unitPrice = standard }
            guard let standard = product.standardPrice, priced.lines[index].unitPrice == standard else {
                throw EngineError(.invalid, field: "lines.unitPrice",
                                  "a line is priced at its product's standard price; a lower price is given as a discount")
            }
            priced.lines[index].productName = product.name
        }
        return priced
    }
}

extension CRMEngine {
    /// The first sequence of 1…999 whose quote number for `customerCode` on `date` no quote holds (1000 —
    /// refused by the domain — when all are taken).
    func nextFreeQuoteSequence(customerCode: String, date: LocalDate) async throws -> Int {
        for sequence in 1...999 {
            guard let number = try? Quote.number(customerCode: customerCode, date: date, sequence: sequence) else { return sequence }
            if try await holder(of: UniqueKey(namespace: "quote-number", key: number)) == nil { return sequence }
        }
        return 1000
    }
}
