import CRMDomain
import EventSourcing
import Foundation

/// One row of the customer list: enough to show and filter a page of customers.
public struct CustomerListItem: Codable, Hashable, Sendable {
    public var id: UUID
    public var name: String
    public var kind: CustomerKind
    public var group: String
    public var status: CustomerStatus
    public var isArchived: Bool
    public var mergedInto: UUID?
    public var scope: RecordScope
}

extension Customer360Projection {
    /// Applies the customer's own events to its profile and list rows; false for other events.
    func applyCustomer(_ event: ProjectionEvent, to views: any ViewWriter) throws -> Bool {
        try applyCustomer(event.payload, event, to: views)
    }

    /// The `switch` over the payload opened to its type (why: ``Projection``).
    private func applyCustomer<Payload: EventPayload>(_ payload: Payload, _ event: ProjectionEvent, to views: any ViewWriter) throws -> Bool {
        switch payload {
        case let e as CustomerCreated:
            let fields = e.customFields.keys.sorted().compactMap { key in
                e.customFields[key].map { CustomField(formGroup: e.group, field: key, value: $0) }
            }
            let profile = CustomerProfile(
                id: e.customerID, kind: e.kind, name: e.name, group: e.group, industry: e.industry, branch: e.branch,
                community: e.community, owner: e.owner, status: e.status, isArchived: false, birthday: e.birthday,
                founded: e.founded, customFields: fields, externalKeys: e.externalKeys.sorted { $0.system < $1.system },
                mergedInto: nil, absorbed: [])
            try store(profile, replacing: nil, views: views)
        case let e as CustomerEdited:
            try editProfile(e.customerID, views: views) { p in for change in e.changes { p.apply(change) } }
        case let e as CustomerActivated: try editProfile(e.customerID, views: views) { $0.status = .active }
        case let e as CustomerSuspended:
            try editProfile(e.customerID, views: views) { p in
                p.status = .suspended
                p.suspensionReason = e.reason
            }
        case let e as CustomerResumed:
            try editProfile(e.customerID, views: views) { p in
                p.status = .active
                p.suspensionReason = nil
            }
        case let e as CustomerOwnershipTransferred: try editProfile(e.customerID, views: views) { $0.transferredTo = e.newHolder }
        // The maintenance pairing (R-CUS-9): its agent and manager while paired.
        case let e as MaintenancePaired:
            try editProfile(e.customerID, views: views) { $0.maintenancePairing = MaintenancePairSummary(agent: e.agent, manager: e.manager) }
        case let e as MaintenanceAgentChanged: try editProfile(e.customerID, views: views) { $0.maintenancePairing?.agent = e.newAgent }
        case let e as MaintenanceManagerChanged: try editProfile(e.customerID, views: views) { $0.maintenancePairing?.manager = e.newManager }
        case let e as MaintenanceUnpaired: try editProfile(e.customerID, views: views) { $0.maintenancePairing = nil }
        case let e as CustomerArchived: try editProfile(e.customerID, views: views) { $0.isArchived = true }
        case let e as CustomerRestored: try editProfile(e.customerID, views: views) { $0.isArchived = false }
        case let e as CustomerMergedInto:
            try editProfile(e.customerID, views: views) { p in
                p.status = .merged
                p.mergedInto = e.survivorID
                p.externalKeys = []
            }
        case let e as CustomerAbsorbedDuplicate:
            try editProfile(e.customerID, views: views) { p in
                if !p.absorbed.contains(e.duplicateID) { p.absorbed.append(e.duplicateID) }
            }
        case let e as CustomerExternalKeySet:
            try editProfile(e.customerID, views: views) { p in
                p.externalKeys.removeAll { $0.system == e.key.system }
                p.externalKeys.append(e.key)
                p.externalKeys.sort { $0.system < $1.system }
            }
        case let e as CustomerExternalKeyRemoved:
            try editProfile(e.customerID, views: views) { $0.externalKeys.removeAll { $0.system == e.key.system } }
        // Appointments and installations (R-CUS-5, R-CUS-7): kept in the profile row, which these events
        // rewrite alone (the list rows do not change).
        case let e as CustomerAppointmentScheduled:
            try editProfile(e.customerID, views: views) { p in
                p.appointments.removeAll { $0.id == e.appointment.id }
                p.appointments.append(e.appointment)
                p.sortAppointments()
            }
        case let e as CustomerAppointmentRescheduled:
            try editProfile(e.customerID, views: views) { p in
                guard let i = p.appointments.firstIndex(where: { $0.id == e.appointmentID }) else { return }
                p.appointments[i].at = e.at
                p.appointments[i].address = e.address
                p.sortAppointments()
            }
        case let e as CustomerAppointmentCompleted:
            try editProfile(e.customerID, views: views) { $0.appointments.removeAll { $0.id == e.appointmentID } }
        case let e as CustomerAppointmentCancelled:
            try editProfile(e.customerID, views: views) { $0.appointments.removeAll { $0.id == e.appointmentID } }
        case let e as CustomerInstallationAdded:
            try editProfile(e.customerID, views: views) { p in
                p.installations.removeAll { $0.id == e.installation.id }
                p.installations.append(e.installation)
            }
        case let e as CustomerInstallationMoved:
            try editProfile(e.customerID, views: views) { p in
                guard let i = p.installations.firstIndex(where: { $0.id == e.installationID }) else { return }
                p.installations[i].address = e.toAddress
                p.installations[i].meterNumber = e.meterNumber
            }
        case let e as CustomerInstallationRemoved:
            try editProfile(e.customerID, views: views) { $0.installations.removeAll { $0.id == e.installationID } }
        default:
            return false
        }
        return true
    }

    private func editProfile(_ id: UUID, views: any ViewWriter, _ body: (inout CustomerProfile) -> Void) throws {
        guard let old = try views.row(CustomerProfile.self, forKey: Self.key(id, .profile), in: Self.parts) else { return }
        var new = old
        body(&new)
        if new == old { return }
        try store(new, replacing: old, views: views)
    }

    /// Writes the profile row, and the list rows only when their item changes (an appointment, an
    /// installation or a custom value leaves them as they are).
    private func store(_ profile: CustomerProfile, replacing old: CustomerProfile?, views: any ViewWriter) throws {
        try views.put(row: profile, forKey: Self.key(profile.id, .profile), in: Self.parts)
        let item = Self.listItem(profile)
        if let old {
            if Self.listItem(old) == item { return }
            if old.name != profile.name { try views.delete(key: Self.nameKey(old.name, old.id), in: Self.byName) }
        }
        try views.put(row: item, forKey: Self.nameKey(profile.name, profile.id), in: Self.byName)
        try views.put(row: item, forKey: ViewKey().uuid(profile.id).bytes, in: Self.byID)
    }

    private static func listItem(_ profile: CustomerProfile) -> CustomerListItem {
        CustomerListItem(
            id: profile.id, name: profile.name, kind: profile.kind, group: profile.group, status: profile.status,
            isArchived: profile.isArchived, mergedInto: profile.mergedInto, scope: profile.scope)
    }

    static func nameKey(_ name: String, _ id: UUID) -> [UInt8] { ViewKey().string(Keywords.fold(name)).uuid(id).bytes }
}

extension CustomerProfile {
    /// Appointments soonest first (ties by id), as ``appointments`` keeps them.
    mutating func sortAppointments() {
        appointments.sort { ($0.at, $0.id.uuidString) < ($1.at, $1.id.uuidString) }
    }

    /// Applies one change of a ``CustomerEdited`` trail (the same fields `Customer.State` applies).
    mutating func apply(_ change: FieldChange) {
        let text = change.new?.textValue
        var date: LocalDate? { if case .date(let d)? = change.new { return d } else { return nil } }
        switch change.field {
        case "name": name = text ?? name
        case "group":
            group = text ?? group
            for i in customFields.indices { customFields[i].formGroup = group }
        case "industry": industry = text
        case "branch": branch = text
        case "community": community = text
        case "owner": owner = text
        case "birthday": birthday = date
        case "founded": founded = date
        case let field where field.hasPrefix(Customer.customFieldPrefix):
            let key = String(field.dropFirst(Customer.customFieldPrefix.count))
            customFields.removeAll { $0.field == key }
            if let value = change.new {
                customFields.append(CustomField(formGroup: group, field: key, value: value))
                customFields.sort { $0.field < $1.field }
            }
        default: break
        }
    }
}
