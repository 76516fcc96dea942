import CRMDomain
import EventSourcing
import Foundation

/// The kinds of record the customer 360, the history and the keyword index talk about.
public enum RecordKind: String, Codable, Hashable, Sendable, CaseIterable {
    case customer, contact, task, ticket, visit, contactLog, opportunity, quote, contract, campaign
    case revenue, loyalty, connection, maintenance, other
    /// A survey (R-MKT-4) and one recipient's response to it: research data, in the keyword index only.
    case survey, surveyResponse

    /// One byte for keys (stable: never reorder, only append).
    var code: UInt8 {
        switch self {
        case .customer: 1
        case .contact: 2
        case .task: 3
        case .ticket: 4
        case .visit: 5
        case .contactLog: 6
        case .opportunity: 7
        case .quote: 8
        case .contract: 9
        case .campaign: 10
        case .revenue: 11
        case .loyalty: 12
        case .connection: 13
        case .maintenance: 14
        case .other: 15
        case .survey: 16
        case .surveyResponse: 17
        }
    }
}

extension ViewKey {
    /// An instant sorting newest first (clamped like ``ViewKey/date(_:)``, so an absurd instant never traps).
    consuming func newestFirst(_ d: Date) -> ViewKey {
        uint64(~(UInt64(bitPattern: ViewKey.microseconds(of: d)) ^ (1 << 63)))
    }
}

/// A payload that names the customer its record belongs to: the first event of a customer-linked record
/// (a contact, a task for a customer, a ticket, …), or any event of the customer's own stream.
/// The list of conformances below is the one place that says which records are customer-linked.
protocol NamesCustomer {
    /// The customer the record belongs to (after this event), with the kind of the record.
    var linkedCustomer: (customerID: UUID, kind: RecordKind)? { get }
}

extension CustomerCreated: NamesCustomer { var linkedCustomer: (customerID: UUID, kind: RecordKind)? { (customerID, .customer) } }
extension ContactCreated: NamesCustomer { var linkedCustomer: (customerID: UUID, kind: RecordKind)? { (customerID, .contact) } }
extension ContactMovedToCustomer: NamesCustomer { var linkedCustomer: (customerID: UUID, kind: RecordKind)? { (toCustomerID, .contact) } }
extension TaskDispatched: NamesCustomer {
    var linkedCustomer: (customerID: UUID, kind: RecordKind)? { details.customerID.map { ($0, .task) } }
}
extension TicketOpened: NamesCustomer { var linkedCustomer: (customerID: UUID, kind: RecordKind)? { (customerID, .ticket) } }
extension VisitPlanned: NamesCustomer { var linkedCustomer: (customerID: UUID, kind: RecordKind)? { (customerID, .visit) } }
extension ContactLogged: NamesCustomer { var linkedCustomer: (customerID: UUID, kind: RecordKind)? { (customerID, .contactLog) } }
extension OpportunityOpened: NamesCustomer {
    var linkedCustomer: (customerID: UUID, kind: RecordKind)? { (details.customerID, .opportunity) }
}
extension QuoteCreated: NamesCustomer { var linkedCustomer: (customerID: UUID, kind: RecordKind)? { (customerID, .quote) } }
extension ContractDrafted: NamesCustomer { var linkedCustomer: (customerID: UUID, kind: RecordKind)? { (customerID, .contract) } }
extension RevenueEntryRecorded: NamesCustomer { var linkedCustomer: (customerID: UUID, kind: RecordKind)? { (entry.customerID, .revenue) } }
extension RevenueEntryReversed: NamesCustomer { var linkedCustomer: (customerID: UUID, kind: RecordKind)? { (reversal.customerID, .revenue) } }
extension UsageReadingRecorded: NamesCustomer { var linkedCustomer: (customerID: UUID, kind: RecordKind)? { (reading.customerID, .revenue) } }
extension BillingBatchImported: NamesCustomer {
    var linkedCustomer: (customerID: UUID, kind: RecordKind)? {
        (entries.first?.customerID ?? readings.first?.customerID).map { ($0, .revenue) }
    }
}
extension PointsAccrued: NamesCustomer { var linkedCustomer: (customerID: UUID, kind: RecordKind)? { (customerID, .loyalty) } }
extension PointsRedeemed: NamesCustomer { var linkedCustomer: (customerID: UUID, kind: RecordKind)? { (customerID, .loyalty) } }
extension PointsExpired: NamesCustomer { var linkedCustomer: (customerID: UUID, kind: RecordKind)? { (customerID, .loyalty) } }
extension PointsClawedBack: NamesCustomer { var linkedCustomer: (customerID: UUID, kind: RecordKind)? { (customerID, .loyalty) } }
extension ConnectionOpened: NamesCustomer { var linkedCustomer: (customerID: UUID, kind: RecordKind)? { (customerID, .connection) } }
extension MaintenancePaired: NamesCustomer { var linkedCustomer: (customerID: UUID, kind: RecordKind)? { (customerID, .maintenance) } }
