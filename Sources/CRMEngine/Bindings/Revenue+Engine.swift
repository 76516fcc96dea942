import CRMDomain
import CRMProjections
import EventSourcing
import Foundation

/// Revenue ledgers: module `revenue`; a record of its customer. The record id is the ledger id,
/// ``CRMDomain/RevenueLedger/id(customerID:)``. Recording entries, readings and batches → create;
/// `reverse` (a correction, never an edit of the entry) → edit.
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
}
