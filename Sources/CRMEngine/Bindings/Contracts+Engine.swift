import CRMDomain
import CRMProjections
import EventSourcing
import Foundation

/// Contracts: module `contracts`; a record of its customer, owned by its owner.
/// `draft` → create; `approve`, `sendBack` → approve — never by the person who submitted it for approval
/// (`forbidden`, field `employee`; nothing written); `terminate` → delete; the others (`cancel` too) → edit,
/// except that cancelling a contract waiting for approval (withdrawing the request) is its submitter's, or needs
/// `delete` as terminating does (`forbidden`, field `employee`).
/// A draft names an accepted quote of the same customer (R-SAL-4), and its quote number is that quote's
/// recorded one. Its lines are what the quote agreed: without lines the contract takes the quote's (each at
/// the unit price the quote agreed, ``Contract/lines(agreedIn:)``); lines given, and the lines of a later
/// `changeLines`, must each name a catalog product the quote has a line of, at no less than the unit price the
/// quote agreed for it — its lines' cost after discounts over their quantity (`QuoteDraft.agreedUnitPrice(of: productID)`) — so a contract cannot grant a discount no one
/// approved. A changed line the contract already has at that price is not judged again. A person's `expire`
/// (and `renewThrough`) is judged on the engine clock's day in the contract's branch calendar (the day the
/// scheduler expires or renews it on), whatever day the command names; a person's `activate` on that day must not be after the expiry.
/// A person drafts a contract only for an owner who may work on it: `edit` in contracts over its customer's
/// scope, not counting the ownership the draft gives, or a role over one's `own` contracts — else `invalid`,
/// field `owner`, nothing written (``EngineRecord/requireNamedMayWorkOn(_:customer:state:principal:engine:)``).
extension Contract: EngineRecord {
    public static var module: Permission.Module { .contracts }
    public static func action(for command: Command) -> Permission.Action {
        switch command {
        case .draft: return .create
        case .approve, .sendBack: return .approve
        case .terminate: return .delete
        case .changeLines, .changeTerms, .recordNegotiation, .submitForApproval, .activate, .renew, .renewThrough, .expire, .cancel: return .edit
        }
    }
    public static func scope(of command: Command?, state: State) -> ScopeSource {
        if case .draft(_, let customerID, let owner, _, _, _, _, _, _)? = command, !state.exists {
            return .customer(customerID, owners: [owner])
        }
        return .customer(state.customerID, owners: state.owner.isEmpty ? [] : [state.owner])
    }
    public static func prepare(_ command: Command, state: State, principal: Principal, engine: CRMEngine) async throws -> Command {
        switch command {
        case .expire, .renewThrough:
            // The system (the scheduler) passes the day it judged on; a person's is the engine's, never the caller's.
            guard !principal.isSystem else { return command }
            let today = try await engine.calendar(forBranch: state.branch).localDate(of: engine.clock.now())
            if case .expire = command { return .expire(today: today) }
            return .renewThrough(today: today)
        default:
            break
        }
        switch command {
        case .draft(let id, let customerID, let owner, let branch, let title, let quoteID, _, let lines, let terms):
            let quote = try await engine.load(Quote.self, stream: Quote.stream(quoteID)).state
            guard quote.exists, quote.customerID == customerID, let accepted = quote.current?.draft else {
                throw EngineError(.invalid, field: "quoteID", "no quote of this customer has this id")
            }
            guard quote.status == .accepted else {
                throw EngineError(.invalid, field: "quoteID", "a contract is drafted from a quote the customer accepted")
            }
            let agreed = lines.isEmpty ? Contract.lines(agreedIn: accepted) : lines
            try await engine.requireAgreed(agreed, in: accepted, keeping: [])
            let prepared = Command.draft(id: id, customerID: customerID, owner: owner, branch: branch, title: title, quoteID: quoteID,
                                         quoteNumber: quote.number, lines: agreed, terms: terms)
            try await requireNamedMayWorkOn(prepared, customer: customerID, state: state, principal: principal, engine: engine)
            return prepared
        case .changeLines(let lines):
            // Judged only for whoever may change them (else authorization refuses it next): the answer tells of the quote.
            guard let quoteID = state.quoteID, state.status.isEditable,
                  try await mayDo(command, state: state, principal: principal, engine: engine, at: engine.clock.now()) else { return command }
            let quote = try await engine.load(Quote.self, stream: Quote.stream(quoteID)).state
            try await engine.requireAgreed(lines, in: quote.current?.draft ?? QuoteDraft(lines: []), keeping: state.lines)
            return command
        case .approve, .sendBack:
            try principal.requireNotRequester(state.status == .pendingApproval ? state.submittedBy : nil,
                                              "the submitter of a contract for approval may not approve it or send it back")
            return command
        case .cancel:
            // Withdrawing a request waiting for approval is its submitter's (as on the workflow path); anyone else
            // needs what ending the contract needs, `delete` in contracts over it (authorization judges `edit` next).
            guard !principal.isSystem, state.status == .pendingApproval,
                  !(state.submittedBy.map { Employee.sameID($0, principal.id) } ?? false) else { return command }
            let scope = try await engine.resolve(Self.scope(of: command, state: state))
            guard principal.may(.delete, in: module, on: scope, at: engine.clock.now()) else {
                throw EngineError(.forbidden, field: "employee",
                                  "a contract waiting for approval is cancelled by its submitter or by whoever may terminate contracts")
            }
            return command
        case .activate:
            guard !principal.isSystem, state.status == .approved, let terms = state.terms else { return command }
            let today = try await engine.calendar(forBranch: state.branch).localDate(of: engine.clock.now())
            guard terms.expiry >= today else {
                throw EngineError(DomainError(.invalidTransition, field: "expiry",
                                              "the contract's expiry has passed; it can no longer be activated"))
            }
            return command
        default:
            return command
        }
    }
}

extension CRMEngine {
    /// Refuses contract `lines` that `quote` (the revision the customer accepted) did not agree: a product not in
    /// the catalog, one the quote has no line of, or a unit price below (or in another currency than) what the
    /// quote agreed for it — `invalid`, field `lines.productID` or `lines.unitPrice`, nothing written. A line of
    /// `kept` (the contract's current lines) with the same product and unit price is not judged again.
    func requireAgreed(_ lines: [Contract.Line], in quote: QuoteDraft, keeping kept: [Contract.Line]) async throws {
        for line in lines where !kept.contains(where: { $0.productID == line.productID && $0.unitPrice == line.unitPrice }) {
            let product = try await load(Product.self, stream: Product.stream(line.productID)).state
            guard product.exists else { throw EngineError(.invalid, field: "lines.productID", "no product in the catalog has this id") }
            guard let agreed = quote.agreedUnitPrice(of: line.productID) else {
                throw EngineError(.invalid, field: "lines.productID", "the contract's quote has no line of this product")
            }
            guard line.unitPrice.currency == agreed.currency, line.unitPrice.amount >= agreed.amount else {
                throw EngineError(.invalid, field: "lines.unitPrice",
                                  "a line is priced at no less than the unit price the quote agreed for its product")
            }
        }
    }
}
