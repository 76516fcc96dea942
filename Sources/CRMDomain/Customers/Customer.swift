import EventSourcing
import Foundation

/// A customer, person or organisation (R-CUS-1 to R-CUS-7): profile with custom fields validated against
/// its group's form, edits traced field by field, archive and restore, merging duplicates, external keys,
/// key dates, appointments and the utility lifecycle (transfer of ownership, installations, suspend,
/// resume). Stream `customer-<id>`.
///
/// ```swift
/// let events = try Customer.decide(.create(customerID: id, NewCustomer(kind: .person, name: "Li Wei", group: "residential"),
///                                          form: .empty(group: "residential")), state: Customer.initialState, context: context)
/// ```
public enum Customer: Aggregate {
    public static let category = "customer"

    /// A customer as its events leave it.
    public struct State: Sendable, Equatable {
        /// Nil until created.
        public var id: UUID?
        public var kind: CustomerKind = .person
        public var name = ""
        public var group = ""
        public var industry: String?
        public var branch: String?
        public var community: String?
        /// The account manager's employee id.
        public var owner: String?
        /// `prospect`, `active`, `suspended` or `merged` (final).
        public var status: CustomerStatus = .prospect
        /// Archived customers keep their status and history but refuse changes until restored.
        public var isArchived = false
        public var birthday: LocalDate?
        public var founded: LocalDate?
        /// Values of the group form's custom fields, by key.
        public var customFields: [String: FieldValue] = [:]
        /// At most one key per system; an edit by external key is addressed through these.
        public var externalKeys: [ExternalKey] = []
        /// The account holder after a transfer of ownership; nil while it is the customer itself.
        public var transferredTo: String?
        /// The day the last transfer of ownership took effect; nil before the first one.
        public var transferredOn: LocalDate?
        public var appointments: [Appointment] = []
        public var installations: [Installation] = []
        public var suspensionReason: String?
        /// The survivor this duplicate was merged into.
        public var mergedInto: UUID?
        /// The duplicates this customer absorbed.
        public var absorbed: [UUID] = []

        public init() {}

        /// Whether the customer was created.
        public var exists: Bool { id != nil }
        /// Who holds the account: the customer, or whom it was transferred to.
        public var accountHolder: String { transferredTo ?? name }
        /// The customer's key in `system`, if any.
        public func externalKey(system: String) -> ExternalKey? { externalKeys.first { $0.system == system } }
        /// The appointment with `id`, in any status.
        public func appointment(_ id: UUID) -> Appointment? { appointments.first { $0.id == id } }
        /// The installation with `id`, active or removed.
        public func installation(_ id: UUID) -> Installation? { installations.first { $0.id == id } }
        /// The customer's key date and the reminder kind it drives: a person's birthday or an
        /// organisation's founding anniversary (R-CUS-5).
        public var keyDate: (kind: ReminderKind, date: LocalDate)? {
            switch kind {
            case .person: return birthday.map { (.birthday, $0) }
            case .organisation: return founded.map { (.anniversary, $0) }
            }
        }
    }

    /// What can be asked of a customer; new ids and other aggregates' data come in the command.
    public enum Command: Sendable {
        /// Creates the customer; `form` is its group's form (``FormDefinition/empty(group:)`` when none).
        case create(customerID: UUID, NewCustomer, form: FormDefinition)
        /// Edits the profile; `form` is the form of the group the customer has after the edit.
        case edit(CustomerEdit, form: FormDefinition)
        /// prospect → active.
        case activate
        case archive(reason: String?)
        case restore
        /// On the duplicate: it was merged into `survivorID`.
        case markMerged(into: UUID)
        /// On the survivor: it absorbs a duplicate with the contacts and open work that move to it.
        case absorbDuplicate(duplicateID: UUID, contactIDs: [UUID], openWorkIDs: [UUID])
        /// Sets (or replaces) the customer's key in one system; see ``claims(_:state:)``.
        case setExternalKey(ExternalKey)
        case removeExternalKey(system: String)
        case scheduleAppointment(id: UUID, kind: AppointmentKind, at: Date, address: String, note: String?)
        /// A new time, and a new address when given.
        case rescheduleAppointment(id: UUID, at: Date, address: String?)
        case completeAppointment(id: UUID, note: String?)
        case cancelAppointment(id: UUID, reason: String?)
        case transferOwnership(newHolder: String, effective: LocalDate)
        case addInstallation(id: UUID, address: String, meterNumber: String)
        /// Moves an installation to a new address, with a new meter when given.
        case moveInstallation(id: UUID, address: String, meterNumber: String?)
        case removeInstallation(id: UUID, reason: String?)
        /// active → suspended.
        case suspend(reason: String)
        /// suspended → active.
        case resume
    }

    public typealias Event = CustomerEvent

    public static var initialState: State { State() }

    public static func decide(_ command: Command, state: State, context: CommandContext) throws(DomainError) -> [Event] {
        if case .create(let id, let new, let form) = command {
            guard !state.exists else { throw DomainError(.alreadyExists, "the customer already exists") }
            return [.created(try created(id, new, form: form, context: context))]
        }
        guard let id = state.id else { throw .notFound("no such customer") }
        guard state.status != .merged else { throw .transition("the customer was merged into another; merged is final") }
        switch command {
        case .archive(let reason):
            if state.isArchived { return [] }
            return [.archived(CustomerArchived(customerID: id, reason: try Validate.optionalMultilineText(reason, field: "reason")))]
        case .restore:
            return state.isArchived ? [.restored(CustomerRestored(customerID: id))] : []
        default:
            break
        }
        guard !state.isArchived else { throw DomainError(.archived, "the customer is archived; restore it first") }
        switch command {
        case .create, .archive, .restore:
            return []
        case .edit(let edit, let form):
            let changes = try changes(of: edit, form: form, state: state, context: context)
            return changes.isEmpty ? [] : [.edited(CustomerEdited(customerID: id, changes: changes))]
        case .activate:
            guard state.status == .prospect else { throw .transition("only a prospect can be activated") }
            return [.activated(CustomerActivated(customerID: id))]
        case .markMerged(let survivor):
            guard survivor != id else { throw .invalid("survivorID", "a customer cannot be merged into itself") }
            return [.mergedInto(CustomerMergedInto(customerID: id, survivorID: survivor, releasedKeys: state.externalKeys))]
        case .absorbDuplicate(let duplicate, let contacts, let work):
            guard duplicate != id else { throw .invalid("duplicateID", "a customer cannot absorb itself") }
            if state.absorbed.contains(duplicate) { return [] }
            return [.absorbedDuplicate(CustomerAbsorbedDuplicate(customerID: id, duplicateID: duplicate, contactIDs: contacts, openWorkIDs: work))]
        case .setExternalKey(let key):
            let key = try key.validated()
            let previous = state.externalKey(system: key.system)
            if previous == key { return [] }
            return [.externalKeySet(CustomerExternalKeySet(customerID: id, key: key, previousKey: previous?.key))]
        case .removeExternalKey(let system):
            guard let key = state.externalKey(system: system) else {
                throw DomainError(.notFound, field: "externalKey", "the customer has no key in that system")
            }
            return [.externalKeyRemoved(CustomerExternalKeyRemoved(customerID: id, key: key))]
        default:
            return try decideLifecycle(command, id: id, state: state, context: context)
        }
    }

    private static func created(_ id: UUID, _ new: NewCustomer, form: FormDefinition, context: CommandContext) throws(DomainError) -> CustomerCreated {
        let name = try Validate.text(new.name, field: "name")
        let group = try Validate.text(new.group, field: "group", max: 100)
        guard form.group == group else { throw .invalid("group", "the form given is not the group's form") }
        guard new.status == .prospect || new.status == .active else { throw .invalid("status", "a new customer is a prospect or active") }
        try checkKeyDates(kind: new.kind, birthday: new.birthday, founded: new.founded, context: context)
        // Custom texts are trimmed; a blank one is no value (a required field then is missing).
        let customFields = FormDefinition.trimmed(new.customFields).values
        try form.validate(customFields)
        var keys: [ExternalKey] = []
        for key in new.externalKeys {
            let key = try key.validated()
            guard !keys.contains(where: { $0.system == key.system }) else { throw .invalid("externalKey", "one key per system") }
            keys.append(key)
        }
        return CustomerCreated(
            customerID: id, kind: new.kind, name: name, group: group,
            industry: try Validate.optionalText(new.industry, field: "industry", max: 100),
            branch: try Validate.optionalText(new.branch, field: "branch", max: 100),
            community: try Validate.optionalText(new.community, field: "community", max: 100),
            owner: try Validate.optionalText(new.owner, field: "owner", max: 100),
            status: new.status, birthday: new.birthday, founded: new.founded, customFields: customFields, externalKeys: keys)
    }

    /// A birthday only for persons, a founding date only for organisations, neither in the future anywhere
    /// ("today" in the customer's branch may already be tomorrow in UTC: ``LocalCalendar/latestDate(at:)``).
    static func checkKeyDates(kind: CustomerKind, birthday: LocalDate?, founded: LocalDate?, context: CommandContext) throws(DomainError) {
        let today = LocalCalendar.latestDate(at: context.now)
        if let birthday {
            guard kind == .person else { throw .invalid("birthday", "only persons have a birthday") }
            guard birthday <= today else { throw .invalid("birthday", "must not be in the future") }
        }
        if let founded {
            guard kind == .organisation else { throw .invalid("founded", "only organisations have a founding date") }
            guard founded <= today else { throw .invalid("founded", "must not be in the future") }
        }
    }

    public static func evolve(_ state: State, _ event: Event) -> State {
        var s = state
        switch event {
        case .created(let e):
            s.id = e.customerID
            s.kind = e.kind
            s.name = e.name
            s.group = e.group
            s.industry = e.industry
            s.branch = e.branch
            s.community = e.community
            s.owner = e.owner
            s.status = e.status
            s.birthday = e.birthday
            s.founded = e.founded
            s.customFields = e.customFields
            s.externalKeys = e.externalKeys
        case .edited(let e):
            for change in e.changes { s.apply(change) }
        case .activated:
            s.status = .active
        case .archived:
            s.isArchived = true
        case .restored:
            s.isArchived = false
        case .mergedInto(let e):
            s.status = .merged
            s.mergedInto = e.survivorID
            s.externalKeys = []
        case .absorbedDuplicate(let e):
            s.absorbed.append(e.duplicateID)
        case .externalKeySet(let e):
            s.externalKeys.removeAll { $0.system == e.key.system }
            s.externalKeys.append(e.key)
        case .externalKeyRemoved(let e):
            s.externalKeys.removeAll { $0.system == e.key.system }
        default:
            s = evolveLifecycle(s, event)
        }
        return s
    }
}
