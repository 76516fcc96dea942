import CRMDomain
import EventSourcing
import Foundation

/// Customer 360 (R-CUS-4): every customer's profile and its related records summarised, stored under the
/// customer's key prefix so ``customer(_:in:)`` is a handful of short prefix scans.
///
/// Tables: `customer-360` (customer id + section + sort key + record id → profile (with the current
/// installations and scheduled appointments), summary rows, revenue
/// per currency, loyalty balance, and the customer's stamp: the log position of the last event that changed
/// any of its rows), `customer-record-link` (record id → its customer and the key of its
/// summary row), `customers-by-name` (folded name + id → list item) and `customers-by-id` (id → list item).
///
/// ```swift
/// let view = try Customer360Projection.customer(id, in: views)?.visible(to: permissions)
/// ```
public struct Customer360Projection: Projection {
    public let name = "customer-360"
    /// 4: appointments and installations in the profile row, a contract's product lines and an
    /// opportunity's contacts in their summaries (products held are computed from them).
    /// 5: the account holder after a transfer, the suspension reason and the maintenance pairing in the profile.
    /// 6: a cancelled contract (`ContractCancelled`) is an ended contract with status `cancelled`.
    /// 7: a ticket's status follows the ticket's state: reopened without an assignee it is `open`, and a
    /// ticket in progress given to another employee stays `inProgress`.
    public let version: UInt32 = 7
    public init() {}

    static let parts = ViewTable("customer-360")
    static let links = ViewTable("customer-record-link")
    static let byName = ViewTable("customers-by-name")
    static let byID = ViewTable("customers-by-id")
    public var tables: [ViewTable] { [Self.parts, Self.links, Self.byName, Self.byID] }

    /// How many recent (closed) records of each kind the query returns.
    public static let recentLimit = 20

    /// Sections under a customer's prefix, in key order.
    enum Section: UInt8 {
        case profile = 0, revenue = 1, loyalty = 2, contact = 10
        case openTask = 20, recentTask = 21, openTicket = 30, recentTicket = 31, activity = 40
        case openOpportunity = 50, closedOpportunity = 51, openQuote = 60, closedQuote = 61
        case contract = 70, endedContract = 71
        /// The stamp: 8 bytes, the big-endian position of the last event that changed the customer's rows.
        case stamp = 255
    }

    /// Where a sort component goes in a summary row's key.
    enum Sort { case none, oldestFirst(Date), newestFirst(Date) }

    struct Link: Codable {
        var customerID: UUID
        /// The key of the record's summary row in `customer-360` (empty once removed).
        var key: [UInt8]
    }

    public var eventTypes: Set<String>? {
        let types: [any EventPayload.Type] = [
            CustomerCreated.self, CustomerEdited.self, CustomerActivated.self, CustomerArchived.self, CustomerRestored.self,
            CustomerMergedInto.self, CustomerAbsorbedDuplicate.self, CustomerExternalKeySet.self,
            CustomerExternalKeyRemoved.self, CustomerSuspended.self, CustomerResumed.self,
            CustomerAppointmentScheduled.self, CustomerAppointmentRescheduled.self, CustomerAppointmentCompleted.self,
            CustomerAppointmentCancelled.self, CustomerInstallationAdded.self, CustomerInstallationMoved.self,
            CustomerInstallationRemoved.self, CustomerOwnershipTransferred.self,
            MaintenancePaired.self, MaintenanceAgentChanged.self, MaintenanceManagerChanged.self, MaintenanceUnpaired.self,
            ContactCreated.self, ContactEdited.self, ContactMovedToCustomer.self, ContactArchived.self, ContactRestored.self,
            TaskDispatched.self, TaskAccepted.self, TaskCompleted.self, TaskCancelled.self, TaskReassigned.self,
            TaskRescheduled.self, TaskEdited.self,
            TicketOpened.self, TicketAssigned.self, TicketWorkStarted.self, TicketHandedOver.self, TicketResolved.self,
            TicketClosed.self, TicketReopened.self, TicketSeverityChanged.self, TicketUnassigned.self,
            VisitPlanned.self, VisitRescheduled.self, VisitRecorded.self, VisitCancelled.self,
            ContactLogged.self, ContactLogAmended.self, ContactLogRetracted.self,
            OpportunityOpened.self, OpportunityAssigned.self, OpportunityStageChanged.self, OpportunityEdited.self,
            OpportunityWon.self, OpportunityLost.self, OpportunityReopened.self, OpportunityContactsAdded.self,
            OpportunityContactsRemoved.self,
            QuoteCreated.self, QuoteRevised.self, QuoteApproved.self, QuoteSentBack.self, QuoteSent.self,
            QuoteAccepted.self, QuoteRejected.self,
            ContractDrafted.self, ContractLinesChanged.self, ContractTermsChanged.self, ContractNegotiationRecorded.self,
            ContractSubmittedForApproval.self, ContractApproved.self, ContractSentBack.self, ContractActivated.self,
            ContractRenewed.self, ContractExpired.self, ContractTerminated.self, ContractCancelled.self,
            RevenueEntryRecorded.self, RevenueEntryReversed.self, BillingBatchImported.self,
            PointsAccrued.self, PointsRedeemed.self, PointsExpired.self, PointsClawedBack.self,
        ]
        return Set(types.map { $0.eventType })
    }

    public func apply(_ event: ProjectionEvent, to views: any ViewWriter) throws {
        let stamping = StampingWriter(views)
        try applyUnstamped(event, to: stamping)
        for customer in stamping.touched {
            try views.put(ViewKey().uint64(event.position.rawValue).bytes, forKey: Self.key(customer, .stamp), in: Self.parts)
        }
    }

    /// The part that handles each payload type, learnt from the first event of the type: the other parts'
    /// switches are skipped (one failed dynamic cast per case).
    private enum Part { case customer, service, sales }
    private static let handlers = PayloadTypeMemo<Part>()

    private func applyUnstamped(_ event: ProjectionEvent, to views: any ViewWriter) throws {
        switch Self.handlers.remembered(for: event.payload) {
        case .customer: _ = try applyCustomer(event, to: views)
        case .service: _ = try applyService(event, to: views)
        case .sales: try applySales(event, to: views)
        case nil:
            let part: Part
            if try applyCustomer(event, to: views) {
                part = .customer
            } else if try applyService(event, to: views) {
                part = .service
            } else {
                try applySales(event, to: views)
                part = .sales
            }
            Self.handlers.remember(part, for: event.payload)
        }
    }

    /// The customer's stamp — the position of the last event that changed its view — or nil for a customer
    /// without rows. Two reads with the same stamp return the same view, so a cache can keep a decoded view
    /// and check only this one row.
    public static func stamp(_ id: UUID, in views: any ViewReader) throws -> GlobalPosition? {
        guard let bytes = try views.value(forKey: key(id, .stamp), in: parts), bytes.count == 8 else { return nil }
        return GlobalPosition(bytes.reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
    }

    /// Passes writes through and notes the customers whose `customer-360` rows they change (the first 16
    /// bytes of every key there are the customer id).
    private final class StampingWriter: ViewWriter {
        let base: any ViewWriter
        var touched: [UUID] = []
        init(_ base: any ViewWriter) { self.base = base }

        private func note(_ key: [UInt8], _ table: ViewTable) {
            guard table == Customer360Projection.parts, key.count >= 16 else { return }
            let id = key.withUnsafeBytes { $0.loadUnaligned(as: uuid_t.self) }
            let customer = UUID(uuid: id)
            if !touched.contains(customer) { touched.append(customer) }
        }

        func value(forKey key: [UInt8], in table: ViewTable) throws -> [UInt8]? { try base.value(forKey: key, in: table) }
        /// Lent from the storage as it is (the protocol's default would copy each row read first).
        func withValue<R>(forKey key: [UInt8], in table: ViewTable, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R? {
            try base.withValue(forKey: key, in: table, body)
        }
        func scan(
            _ table: ViewTable, prefix: [UInt8], after: [UInt8]?,
            _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Bool
        ) throws {
            try base.scan(table, prefix: prefix, after: after, body)
        }
        func scanBackward(
            _ table: ViewTable, prefix: [UInt8], before: [UInt8]?,
            _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Bool
        ) throws {
            try base.scanBackward(table, prefix: prefix, before: before, body)
        }
        func put(_ value: [UInt8], forKey key: [UInt8], in table: ViewTable) throws {
            note(key, table)
            try base.put(value, forKey: key, in: table)
        }
        func append(_ value: [UInt8], forKey key: [UInt8], in table: ViewTable) throws {
            note(key, table)
            try base.append(value, forKey: key, in: table)
        }
        func delete(key: [UInt8], in table: ViewTable) throws {
            note(key, table)
            try base.delete(key: key, in: table)
        }
    }

    // MARK: - Keys and row moves

    static func key(_ customer: UUID, _ section: Section, _ sort: Sort = .none, _ record: UUID? = nil) -> [UInt8] {
        var k = ViewKey().uuid(customer).byte(section.rawValue)
        switch sort {
        case .none: break
        case .oldestFirst(let d): k = k.date(d)
        case .newestFirst(let d): k = k.newestFirst(d)
        }
        if let record { k = k.uuid(record) }
        return k.bytes
    }

    /// Stores a new summary row for a record of `customer` and remembers where it is.
    func insert(_ record: RelatedRecord, customer: UUID, _ section: Section, _ sort: Sort, views: any ViewWriter) throws {
        let key = Self.key(customer, section, sort, record.id)
        try views.put(row: record, forKey: key, in: Self.parts)
        try views.put(row: Link(customerID: customer, key: key), forKey: ViewKey().uuid(record.id).bytes, in: Self.links)
    }

    /// Changes a record's summary row; `body` returns the section and sort it belongs in now (nil: unchanged),
    /// and the row moves when its key changes. Unknown records (not linked to a customer) are ignored.
    func modify(
        _ id: UUID, views: any ViewWriter, _ body: (inout RelatedRecord) -> (Section, Sort)?
    ) throws {
        let linkKey = ViewKey().uuid(id).bytes
        guard var link = try views.row(Link.self, forKey: linkKey, in: Self.links), !link.key.isEmpty,
              var record = try views.row(RelatedRecord.self, forKey: link.key, in: Self.parts) else { return }
        if let (section, sort) = body(&record) {
            let newKey = Self.key(link.customerID, section, sort, id)
            if newKey != link.key {
                try views.delete(key: link.key, in: Self.parts)
                link.key = newKey
                try views.put(row: link, forKey: linkKey, in: Self.links)
            }
        }
        try views.put(row: record, forKey: link.key, in: Self.parts)
    }

    /// Removes a record's summary row (a retracted log entry, a contact moved away).
    func remove(_ id: UUID, views: any ViewWriter) throws -> (customer: UUID, record: RelatedRecord)? {
        let linkKey = ViewKey().uuid(id).bytes
        guard let link = try views.row(Link.self, forKey: linkKey, in: Self.links), !link.key.isEmpty else { return nil }
        let record = try views.row(RelatedRecord.self, forKey: link.key, in: Self.parts)
        try views.delete(key: link.key, in: Self.parts)
        try views.put(row: Link(customerID: link.customerID, key: []), forKey: linkKey, in: Self.links)
        return record.map { (link.customerID, $0) }
    }

    static func record(
        _ kind: RecordKind, _ id: UUID, title: String, status: String, detail: String? = nil, at: Date? = nil,
        day: LocalDate? = nil, amount: Money? = nil, owner: String? = nil
    ) -> RelatedRecord {
        RelatedRecord(kind: kind, id: id, title: title, status: status, detail: detail, at: at, day: day, amount: amount, owner: owner, scope: .global)
    }
}
