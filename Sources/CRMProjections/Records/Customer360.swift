import CRMDomain
import EventSourcing
import Foundation

/// One customer with its related records summarised (R-CUS-4): what ``Customer360Projection`` answers.
public struct Customer360: Codable, Hashable, Sendable {
    public var profile: CustomerProfile
    /// Every contact of the customer, primary first, then by name.
    public var contacts: [RelatedRecord]
    /// Open tasks by due instant, then the most recently closed ones (newest first).
    public var openTasks: [RelatedRecord]
    public var recentTasks: [RelatedRecord]
    /// Tickets not yet resolved, oldest first, then the most recently resolved or closed ones.
    public var openTickets: [RelatedRecord]
    public var recentTickets: [RelatedRecord]
    /// The latest visits and contact log entries together, newest first.
    public var recentActivity: [RelatedRecord]
    /// Open opportunities, then the latest won or lost ones.
    public var openOpportunities: [RelatedRecord]
    public var closedOpportunities: [RelatedRecord]
    /// Quotes not accepted or rejected yet, then the latest final ones.
    public var openQuotes: [RelatedRecord]
    public var closedQuotes: [RelatedRecord]
    /// Contracts not ended, then the latest expired or terminated ones.
    public var contracts: [RelatedRecord]
    public var endedContracts: [RelatedRecord]
    /// The products the customer holds: the product lines of its contracts in force (``Contract/Status/active``,
    /// renewed ones included), one entry per product, by name. Computed from ``contracts`` by the query
    /// (``HeldProduct/held(in:)``), never stored apart.
    public var productsHeld: [HeldProduct]
    /// Net revenue per currency (reversals included), in currency order.
    public var revenue: [Money]
    /// The loyalty points balance as recorded (accrued − redeemed − expired); nil when the customer has no loyalty
    /// events. Points past their expiry count here until the scheduler records their expiry (``PointsExpired``,
    /// each run); the points usable on a day — which leave those out at once — are the loyalty account's
    /// (`LoyaltyBalances.balance(of:on:in:)`, `GET /v1/loyalty/{customerId}`). Not computed here: the view does
    /// not change with the clock (it is cached under its stamp).
    public var loyaltyBalance: Int?

    /// The data scope the engine filters by: the customer's branch, community, group and owner.
    public var scope: RecordScope { profile.scope }

    /// The same view without the custom fields `canSee` refuses, e.g.
    /// `view.hidingFields { seen.canSee(formGroup: $0.formGroup, field: $0.field) }` with `seen` the
    /// viewer's ``FieldVisibility`` on this customer (asked once).
    public func hidingFields(unless canSee: (CustomField) -> Bool) -> Customer360 {
        var v = self
        v.profile.customFields = profile.customFields.filter(canSee)
        return v
    }

    /// The same view without the custom fields the holder of `permissions` (employee id `viewer`, whose own
    /// customers count as such) may not see on this customer: judged by its scope (``EffectivePermissions/fieldVisibility(in:)``).
    public func visible(to permissions: EffectivePermissions, viewer: String? = nil) -> Customer360 {
        let seen = permissions.fieldVisibility(in: scope.dataScopes(viewer: viewer))
        return hidingFields { seen.canSee(formGroup: $0.formGroup, field: $0.field) }
    }

    /// Open tasks already due at `now` (computed here, never stored: R-TSK-3).
    public func overdueTasks(at now: Date) -> [RelatedRecord] { openTasks.filter { ($0.at ?? .distantFuture) <= now } }

    /// The scheduled appointments not yet due at `now`, soonest first (``CustomerProfile/appointments`` also
    /// keeps those whose time has passed without being completed or cancelled).
    public func upcomingAppointments(at now: Date) -> [Appointment] { profile.appointments.filter { $0.at >= now } }
}

/// A product the customer holds (R-CUS-4): the lines of its contracts in force for one product, summed.
public struct HeldProduct: Codable, Hashable, Sendable {
    public var productID: UUID
    /// The product's name as the (most recently drafted) contract agreed it.
    public var name: String
    /// The quantity over all those contracts.
    public var quantity: Decimal
    /// The contracts in force that hold it, oldest first.
    public var contracts: [UUID]

    public init(productID: UUID, name: String, quantity: Decimal, contracts: [UUID]) {
        self.productID = productID
        self.name = name
        self.quantity = quantity
        self.contracts = contracts
    }

    /// The products held through the active contracts among `contracts` (summaries in drafting order, as
    /// ``Customer360/contracts`` lists them): one per product, by folded name, then id.
    public static func held(in contracts: [RelatedRecord]) -> [HeldProduct] {
        var held: [HeldProduct] = []
        for contract in contracts where contract.kind == .contract && contract.status == Contract.Status.active.rawValue {
            for line in contract.products ?? [] {
                if let i = held.firstIndex(where: { $0.productID == line.productID }) {
                    held[i].name = line.name
                    held[i].quantity += line.quantity
                    if !held[i].contracts.contains(contract.id) { held[i].contracts.append(contract.id) }
                } else {
                    held.append(HeldProduct(productID: line.productID, name: line.name, quantity: line.quantity, contracts: [contract.id]))
                }
            }
        }
        return held.sorted { (Keywords.fold($0.name), $0.productID.uuidString) < (Keywords.fold($1.name), $1.productID.uuidString) }
    }
}

/// A customer's profile as the latest events left it.
public struct CustomerProfile: Codable, Hashable, Sendable {
    public var id: UUID
    public var kind: CustomerKind
    public var name: String
    public var group: String
    public var industry: String?
    public var branch: String?
    public var community: String?
    public var owner: String?
    public var status: CustomerStatus
    public var isArchived: Bool
    public var birthday: LocalDate?
    public var founded: LocalDate?
    /// Custom values, sorted by field key; each carries its form group for hidden-field checks.
    public var customFields: [CustomField]
    /// Keys in other systems, in system order.
    public var externalKeys: [ExternalKey]
    /// The survivor this customer was merged into (its status is then `merged`).
    public var mergedInto: UUID?
    /// Duplicates merged into this customer.
    public var absorbed: [UUID]
    /// The customer's current installations (R-CUS-7; removed ones leave), in the order added.
    public var installations: [Installation] = []
    /// The customer's appointments still scheduled (R-CUS-5; completed and cancelled ones leave), soonest
    /// first; ``Customer360/upcomingAppointments(at:)`` leaves out those already due.
    public var appointments: [Appointment] = []
    /// The account holder after a transfer of ownership (R-CUS-7); nil while it is the customer itself.
    public var transferredTo: String? = nil
    /// Why the customer is suspended, while it is (R-CUS-7).
    public var suspensionReason: String? = nil
    /// The customer's maintenance pairing (agent and manager), while it is paired (R-CUS-9).
    public var maintenancePairing: MaintenancePairSummary? = nil

    /// Branch, community, group and owner: what the engine filters by.
    public var scope: RecordScope {
        RecordScope(branch: branch, community: community, group: group, owners: owner.map { [$0] } ?? [])
    }
}

/// A customer's maintenance pairing as the customer 360 shows it: the agent and the manager.
public struct MaintenancePairSummary: Codable, Hashable, Sendable {
    public var agent: String
    public var manager: String

    public init(agent: String, manager: String) {
        self.agent = agent
        self.manager = manager
    }
}

/// One custom form field's value, with the form group it belongs to (the customer's group).
public struct CustomField: Codable, Hashable, Sendable {
    public var formGroup: String
    public var field: String
    public var value: FieldValue

    public init(formGroup: String, field: String, value: FieldValue) {
        self.formGroup = formGroup
        self.field = field
        self.value = value
    }
}

/// A short summary of a record related to a customer.
///
/// `title` is the contact's name, the task's title, the ticket's subject, the visit's agenda (its summary once
/// recorded), the contact log entry's subject, the opportunity's title, the quote's number or the contract's
/// title. `status` is the record's status (for a contact: `active` or `archived`); `detail` the contact's role,
/// the ticket's severity, the opportunity's stage, the contact log's channel or the visit's place. An
/// opportunity also lists the contacts it names, a contract its product lines.
public struct RelatedRecord: Codable, Hashable, Sendable {
    public var kind: RecordKind
    public var id: UUID
    public var title: String
    public var status: String
    public var detail: String?
    /// The instant that orders the record: a task's due, a ticket's opening, a visit's schedule, a log's
    /// occurrence, an opportunity's or quote's creation event, a contract's drafting.
    public var at: Date?
    /// A day the record names: a visit's actual date, an opportunity's close date, a contract's expiry.
    public var day: LocalDate?
    /// The opportunity's expected revenue, the quote's total, the contract's total.
    public var amount: Money?
    /// The employee it belongs to: assignee, owner, visitor, author.
    public var owner: String?
    /// The scope of the record (its customer's, owned by ``owner`` — except a contact log entry's author, who
    /// owns nothing of it), filled in by the query.
    public var scope: RecordScope
    /// The contacts an opportunity names (R-CUS-3), in the order named; nil for none and other kinds.
    public var contacts: [UUID]?
    /// A contract's product lines; nil for other kinds.
    public var products: [Product]?

    /// One product line of a contract: the product, its name as agreed, the quantity.
    public struct Product: Codable, Hashable, Sendable {
        public var productID: UUID
        public var name: String
        public var quantity: Decimal

        public init(productID: UUID, name: String, quantity: Decimal) {
            self.productID = productID
            self.name = name
            self.quantity = quantity
        }
    }

    /// Whether a contact is the customer's primary contact.
    public var isPrimary: Bool { kind == .contact && detail == ContactRole.primary.rawValue }
}
