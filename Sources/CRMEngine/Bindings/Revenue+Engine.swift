import CRMDomain
import CRMProjections
import EventSourcing
import Foundation

/// Revenue ledgers: module `revenue`; a record of its customer. The record id is the ledger id,
/// ``CRMDomain/RevenueLedger/id(customerID:)``. Recording entries, readings and batches → create;
/// `reverse` (a correction, never an edit of the entry) → edit. An entry's product, when it names one, must be
/// in the catalog: see ``prepare(_:state:principal:engine:)``.
extension RevenueLedger: EngineRecord {
    public static var module: Permission.Module { .revenue }
    public static func action(for command: Command) -> Permission.Action {
        switch command {
        case .record, .recordUsage, .importBatch: return .create
        case .reverse: return .edit
        }
    }
    public static func scope(of command: Command?, state: State) -> ScopeSource {
        if let customerID = state.customerID { return .customer(customerID, owners: []) }
        switch command {
        case .record(let entry)?: return .customer(entry.customerID, owners: [])
        case .recordUsage(let reading)?: return .customer(reading.customerID, owners: [])
        case .importBatch(_, let entries, let readings)?:
            return .customer(entries.first?.customerID ?? readings.first?.customerID, owners: [])
        case .reverse?, nil: return .customer(nil, owners: [])
        }
    }
    /// A ledger holds one customer's entries: every entry and reading must name the ledger's customer.
    public static func check(_ command: Command, id: UUID) throws(EngineError) {
        let customers: [UUID]
        switch command {
        case .record(let entry): customers = [entry.customerID]
        case .recordUsage(let reading): customers = [reading.customerID]
        case .importBatch(_, let entries, let readings): customers = entries.map(\.customerID) + readings.map(\.customerID)
        case .reverse: customers = []
        }
        guard customers.allSatisfy({ RevenueLedger.id(customerID: $0) == id }) else {
            throw EngineError(.invalid, field: "customerID", "a ledger holds the entries of its own customer only")
        }
    }

    /// An entry that names a product (`productID`) must name one of the catalog (retired or not: revenue
    /// of a product no longer sold still comes in), as a quote or contract line must; else `invalid`,
    /// field `productID` — for a batch naming the entry by its position only — with nothing written.
    ///
    /// An entry's currency must convert as the reports convert it (``unconvertibleInto(_:rates:)``): one
    /// entry the reports cannot convert would refuse the revenue, RFM and churn reports to everyone until an
    /// administrator set a rate (they never count money as 0); else `rejected` (reason `invalid`), field
    /// `amount`, naming the currency it does not convert into, with nothing written. A batch already
    /// imported, an entry already recorded (its repeat, or its id reused, which
    /// ``RevenueLedger/decide(_:state:context:)`` judges) and a reversal (it only cancels) are not judged.
    public static func prepare(_ command: Command, state: State, principal: Principal, engine: CRMEngine) async throws -> Command {
        let entries: [Entry]
        switch command {
        case .record(let entry):
            guard !state.entries.contains(where: { $0.id == entry.id }) else { return command }
            entries = [entry]
        case .importBatch(let source, let batch, _):
            guard !state.importedBatches.contains(source) else { return command }
            entries = batch
        case .reverse, .recordUsage: return command
        }
        var known: Set<UUID> = []
        let rates = try await engine.settings().exchangeRates
        for (index, entry) in entries.enumerated() {
            let which = entries.count == 1 ? "the entry" : "entry \(index + 1)"
            if let target = unconvertibleInto(entry, rates: rates) {
                throw EngineError(DomainError(.invalid, field: "amount", "no exchange rate valid on the date of \(which) converts its "
                                              + "currency into \(target) (an administrator sets one first)"))
            }
            guard let productID = entry.productID, !known.contains(productID) else { continue }
            guard try await engine.load(Product.self, stream: Product.stream(productID)).state.exists else {
                throw EngineError(.invalid, field: "productID", "\(which) names no product in the catalog")
            }
            known.insert(productID)
        }
        return command
    }

    /// Whether the reports can convert an entry's amount: with no exchange rate in the settings (a
    /// single-currency installation) every currency passes; with rates, the entry's currency must convert, at
    /// the rate valid on the entry's date (direct, inverse or across a third currency:
    /// ``Swift/Array/rate(from:to:on:)``, as every report converts), into each currency the rates convert into
    /// (their `to` side: the currencies the installation reports in) — and at the rate valid on the first day
    /// of the entry's month too, at which RFM and churn convert a customer's month. Returns the first (by code)
    /// it cannot be converted into; nil when it converts, or when its currency is not an ISO 4217 code
    /// (validation refuses that, naming it so).
    static func unconvertibleInto(_ entry: Entry, rates: [ExchangeRate]) -> Currency? {
        let currency = entry.amount.currency
        guard !rates.isEmpty, currency.isISO4217 else { return nil }
        let targets = Set(rates.map(\.to)).sorted { $0.rawValue < $1.rawValue }
        return targets.first { target in
            [entry.date, entry.date.firstOfMonth].contains { rates.rate(from: currency, to: target, on: $0) == nil }
        }
    }
}
