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
    /// field `productID` — for a batch naming the entry by its position only — with nothing written. A
    /// batch already imported stays a repeat.
    public static func prepare(_ command: Command, state: State, principal: Principal, engine: CRMEngine) async throws -> Command {
        let entries: [Entry]
        switch command {
        case .record(let entry): entries = [entry]
        case .importBatch(let source, let batch, _):
            guard !state.importedBatches.contains(source) else { return command }
            entries = batch
        case .reverse, .recordUsage: return command
        }
        var known: Set<UUID> = []
        for (index, entry) in entries.enumerated() {
            guard let productID = entry.productID, !known.contains(productID) else { continue }
            guard try await engine.load(Product.self, stream: Product.stream(productID)).state.exists else {
                let which = entries.count == 1 ? "the entry" : "entry \(index + 1)"
                throw EngineError(.invalid, field: "productID", "\(which) names no product in the catalog")
            }
            known.insert(productID)
        }
        return command
    }
}
