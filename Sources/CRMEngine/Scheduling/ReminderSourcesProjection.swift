import CRMDomain
import CRMProjections
import EventSourcing
import Foundation

/// What the daily reminder run needs of each customer: its key date, owner, branch and open appointments.
/// One row per customer (`customer id → Row`); an archived or merged customer's row is removed. And every
/// contract's expiry, owner, branch and whether it renews by itself (`contract id → ContractRow`), active
/// from its activation until it expires or is terminated, with each change of those facts stamped with
/// the instant it was recorded (churn judges a past day from the contracts as they stood at its end).
struct ReminderSourcesProjection: Projection {
    let name = "reminder-sources"
    /// 4: contract rows stay once ended (inactive) and keep their stamped changes (`ContractRow.changes`).
    let version: UInt32 = 4
    static let customers = ViewTable("customers")
    static let contracts = ViewTable("contracts")
    var tables: [ViewTable] { [Self.customers, Self.contracts] }
    var eventTypes: Set<String>? {
        [CustomerCreated.eventType, CustomerEdited.eventType, CustomerArchived.eventType, CustomerRestored.eventType,
         CustomerMergedInto.eventType, CustomerAppointmentScheduled.eventType, CustomerAppointmentRescheduled.eventType,
         CustomerAppointmentCompleted.eventType, CustomerAppointmentCancelled.eventType,
         ContractDrafted.eventType, ContractTermsChanged.eventType, ContractActivated.eventType, ContractRenewed.eventType,
         ContractExpired.eventType, ContractTerminated.eventType]
    }

    /// A contract as the expiry reminders need it: active from its activation on.
    struct ContractRow: Codable, Equatable {
        var contractID: UUID
        var customerID: UUID
        var owner: String
        var branch: String?
        var expiry: LocalDate
        var active: Bool
        /// The terms have an auto-renewal clause: the scheduler renews it on its expiry (churn's
        /// contract-expiring signal leaves it out).
        var renews: Bool
        /// Each change of `active`, `expiry` or `renews` from the first activation on, oldest first, with
        /// the instant its event was recorded: what churn reads for a past day (before any, not active).
        var changes: [Change] = []

        /// The contract's churn facts from `at` on.
        struct Change: Codable, Equatable {
            var at: Date
            var active: Bool
            var expiry: LocalDate
            var renews: Bool
        }

        /// Records the row's facts as a change at `at` when they differ from the last one recorded (a draft,
        /// never active, records none).
        mutating func stamp(at: Date) {
            if let last = changes.last {
                guard (last.active, last.expiry, last.renews) != (active, expiry, renews) else { return }
            } else {
                guard active else { return }
            }
            changes.append(Change(at: at, active: active, expiry: expiry, renews: renews))
        }
    }

    struct Row: Codable, Equatable {
        var customerID: UUID
        var kind: CustomerKind
        var owner: String?
        var branch: String?
        var birthday: LocalDate?
        var founded: LocalDate?
        var archived: Bool
        var appointments: [AppointmentRow]
    }

    struct AppointmentRow: Codable, Equatable {
        var id: UUID
        var kind: String
        var start: Date
    }

    func apply(_ event: ProjectionEvent, to views: any ViewWriter) throws {
        try apply(event.payload, event, to: views)
    }

    /// The `switch` over the payload opened to its type (why: ``Projection``).
    private func apply<Payload: EventPayload>(_ payload: Payload, _ event: ProjectionEvent, to views: any ViewWriter) throws {
        switch payload {
        case let e as CustomerCreated:
            try views.put(row: Row(customerID: e.customerID, kind: e.kind, owner: e.owner, branch: e.branch, birthday: e.birthday,
                                   founded: e.founded, archived: false, appointments: []), forKey: key(e.customerID), in: Self.customers)
        case let e as CustomerEdited:
            try update(e.customerID, views) { row in
                for change in e.changes {
                    switch change.field {
                    case "owner": row.owner = change.new?.textValue
                    case "branch": row.branch = change.new?.textValue
                    case "birthday": row.birthday = change.new.flatMap(Self.date)
                    case "founded": row.founded = change.new.flatMap(Self.date)
                    default: break
                    }
                }
            }
        case let e as CustomerArchived: try update(e.customerID, views) { $0.archived = true }
        case let e as CustomerRestored: try update(e.customerID, views) { $0.archived = false }
        case let e as CustomerMergedInto: try views.delete(key: key(e.customerID), in: Self.customers)
        case let e as CustomerAppointmentScheduled:
            try update(e.customerID, views) {
                $0.appointments.append(AppointmentRow(id: e.appointment.id, kind: e.appointment.kind.rawValue, start: e.appointment.at))
            }
        case let e as CustomerAppointmentRescheduled:
            try update(e.customerID, views) { row in
                if let i = row.appointments.firstIndex(where: { $0.id == e.appointmentID }) { row.appointments[i].start = e.at }
            }
        case let e as CustomerAppointmentCompleted:
            try update(e.customerID, views) { $0.appointments.removeAll { $0.id == e.appointmentID } }
        case let e as CustomerAppointmentCancelled:
            try update(e.customerID, views) { $0.appointments.removeAll { $0.id == e.appointmentID } }
        case let e as ContractDrafted:
            try views.put(row: ContractRow(contractID: e.contractID, customerID: e.customerID, owner: e.owner, branch: e.branch,
                                           expiry: e.terms.expiry, active: false, renews: e.terms.renewalTermMonths != nil),
                          forKey: key(e.contractID), in: Self.contracts)
        case let e as ContractTermsChanged:
            try updateContract(e.contractID, at: event.recordedAt, views) {
                $0.expiry = e.terms.expiry
                $0.renews = e.terms.renewalTermMonths != nil
            }
        case let e as ContractActivated: try updateContract(e.contractID, at: event.recordedAt, views) { $0.active = true }
        // A renewal makes an expired contract active again, as it does in the domain.
        case let e as ContractRenewed:
            try updateContract(e.contractID, at: event.recordedAt, views) {
                $0.expiry = e.expiry
                $0.active = true
            }
        // An ended contract stays, inactive, for churn's past days.
        case let e as ContractExpired: try updateContract(e.contractID, at: event.recordedAt, views) { $0.active = false }
        case let e as ContractTerminated: try updateContract(e.contractID, at: event.recordedAt, views) { $0.active = false }
        default:
            return
        }
    }

    private func update(_ id: UUID, _ views: any ViewWriter, _ body: (inout Row) -> Void) throws {
        try views.update(Row.self, forKey: key(id), in: Self.customers) { old in
            guard var row = old else { return nil }
            body(&row)
            return row
        }
    }

    /// Changes a contract's row and stamps the change with `at` (``ContractRow/stamp(at:)``).
    private func updateContract(_ id: UUID, at: Date, _ views: any ViewWriter, _ body: (inout ContractRow) -> Void) throws {
        try views.update(ContractRow.self, forKey: key(id), in: Self.contracts) { old in
            guard var row = old else { return nil }
            body(&row)
            row.stamp(at: at)
            return row
        }
    }

    private func key(_ id: UUID) -> [UInt8] { ViewKey().uuid(id).bytes }

    /// Every active contract's expiry, for its owner; the branch is the contract's, else its customer's.
    static func contractExpiries(in views: any ViewReader) throws -> [ReminderSources.ContractExpiry] {
        var out: [ReminderSources.ContractExpiry] = []
        try views.scan(contracts) { _, value in
            let row = try BinaryPayloadDecoder.decode(ContractRow.self, from: value)
            guard row.active else { return true }
            let branch = try row.branch ?? views.row(Row.self, forKey: ViewKey().uuid(row.customerID).bytes, in: customers)?.branch
            out.append(.init(contractID: row.contractID, customerID: row.customerID, owner: row.owner, branch: branch, expiry: row.expiry,
                             renewsAutomatically: row.renews))
            return true
        }
        return out
    }

    /// Every contract ever active, with its customer and its stamped changes (churn's contracts as of a day).
    static func contractChanges(in views: any ViewReader) throws -> [(customerID: UUID, changes: [ContractRow.Change])] {
        try views.rows(ContractRow.self, in: contracts) { !$0.changes.isEmpty }.map { ($0.row.customerID, $0.row.changes) }
    }

    private static func date(_ value: FieldValue) -> LocalDate? {
        if case .date(let d) = value { return d }
        return nil
    }

    /// The reminder sources of every active customer with an owner.
    static func sources(in views: any ViewReader) throws -> (keyDates: [ReminderSources.KeyDate], appointments: [ReminderSources.Appointment]) {
        var keyDates: [ReminderSources.KeyDate] = []
        var appointments: [ReminderSources.Appointment] = []
        try views.scan(customers) { _, value in
            let row = try BinaryPayloadDecoder.decode(Row.self, from: value)
            guard !row.archived, let owner = row.owner else { return true }
            if row.kind == .person, let birthday = row.birthday {
                keyDates.append(.init(customerID: row.customerID, owner: owner, branch: row.branch, kind: .birthday, date: birthday))
            }
            if row.kind == .organisation, let founded = row.founded {
                keyDates.append(.init(customerID: row.customerID, owner: owner, branch: row.branch, kind: .foundingAnniversary, date: founded))
            }
            for a in row.appointments {
                appointments.append(.init(id: a.id, customerID: row.customerID, owner: owner, branch: row.branch, purpose: a.kind, start: a.start))
            }
            return true
        }
        return (keyDates, appointments)
    }
}
