import EventSourcing
import Foundation

/// A contact person of a customer (R-CUS-3): role, title, phone and e-mail, relationships to other
/// contacts, edits traced field by field (R-LOG-5), archive and restore. Stream `contact-<id>`.
///
/// "At most one primary contact per customer" spans contacts, so it is not a rule here: the engine keeps it
/// with a reservation per customer, claimed by a command that makes a live contact primary and freed by one
/// that ends it (``State/primaryOf``).
///
/// ```swift
/// let events = try Contact.decide(.create(contactID: id, NewContact(customerID: customer, name: "Zhang Min", role: .primary)),
///                                 state: Contact.initialState, context: context)
/// ```
public enum Contact: Aggregate {
    public static let category = "contact"

    /// A contact as its events leave it; `customerID` is the customer it belongs to now.
    public struct State: Sendable, Equatable {
        public var id: UUID?
        public var customerID: UUID?
        public var name = ""
        public var role: ContactRole = .other
        public var title: String?
        public var phone: String?
        public var email: String?
        public var relationships: [ContactRelationship] = []
        public var isArchived = false

        public init() {}

        /// Whether the contact was created.
        public var exists: Bool { id != nil }

        /// The customer whose primary contact this one is now: its customer while it is `primary` and not
        /// archived; nil otherwise.
        public var primaryOf: UUID? { role == .primary && !isArchived ? customerID : nil }
    }

    /// What can be asked of a contact; new ids come in the command.
    public enum Command: Sendable {
        case create(contactID: UUID, NewContact)
        case edit(ContactEdit)
        /// Moves the contact to another customer (a merge's survivor).
        case moveToCustomer(UUID)
        case addRelationship(ContactRelationship)
        case removeRelationship(ContactRelationship)
        case archive(reason: String?)
        case restore
    }

    public typealias Event = ContactEvent

    public static var initialState: State { State() }

    public static func decide(_ command: Command, state: State, context: CommandContext) throws(DomainError) -> [Event] {
        if case .create(let id, let new) = command {
            guard !state.exists else { throw DomainError(.alreadyExists, "the contact already exists") }
            return [.created(ContactCreated(
                contactID: id, customerID: new.customerID, name: try Validate.text(new.name, field: "name"), role: new.role,
                title: try Validate.optionalText(new.title, field: "title", max: 100),
                phone: try new.phone.flatMap(nonEmpty).map { (p: String) throws(DomainError) in try Validate.phone(p) },
                email: try new.email.flatMap(nonEmpty).map { (e: String) throws(DomainError) in try Validate.email(e) }))]
        }
        guard let id = state.id, let customerID = state.customerID else { throw .notFound("no such contact") }
        switch command {
        case .archive(let reason):
            if state.isArchived { return [] }
            return [.archived(ContactArchived(contactID: id, reason: try Validate.optionalMultilineText(reason, field: "reason")))]
        case .restore:
            return state.isArchived ? [.restored(ContactRestored(contactID: id))] : []
        default:
            break
        }
        guard !state.isArchived else { throw DomainError(.archived, "the contact is archived; restore it first") }
        switch command {
        case .create, .archive, .restore:
            return []
        case .edit(let edit):
            var changes: [FieldChange] = []
            // A name or title the contact already holds is not judged again (it may predate a tightened check).
            let name = try edit.name.map { (n: String) throws(DomainError) in try Validate.text(n, field: "name", unlessUnchangedFrom: state.name) } ?? state.name
            changes.record("name", .text(state.name), .text(name))
            changes.record("role", .option(state.role.rawValue), .option((edit.role ?? state.role).rawValue))
            let title = try patched(edit.title, state.title) { (t: String) throws(DomainError) in
                try Validate.text(t, field: "title", max: 100, unlessUnchangedFrom: state.title)
            }
            changes.record("title", state.title.map(FieldValue.text), title.map(FieldValue.text))
            let phone = try patched(edit.phone, state.phone) { (p: String) throws(DomainError) in try Validate.phone(p) }
            changes.record("phone", state.phone.map(FieldValue.text), phone.map(FieldValue.text))
            let email = try patched(edit.email, state.email) { (e: String) throws(DomainError) in try Validate.email(e) }
            changes.record("email", state.email.map(FieldValue.text), email.map(FieldValue.text))
            return changes.isEmpty ? [] : [.edited(ContactEdited(contactID: id, changes: changes))]
        case .moveToCustomer(let target):
            if target == customerID { return [] }
            return [.movedToCustomer(ContactMovedToCustomer(contactID: id, fromCustomerID: customerID, toCustomerID: target))]
        case .addRelationship(let relationship):
            guard relationship.contactID != id else { throw .invalid("contactID", "a contact cannot relate to itself") }
            guard !state.relationships.contains(relationship) else {
                throw DomainError(.alreadyExists, field: "contactID", "the relationship exists")
            }
            return [.relationshipAdded(ContactRelationshipAdded(contactID: id, relationship: relationship))]
        case .removeRelationship(let relationship):
            guard state.relationships.contains(relationship) else { throw DomainError(.notFound, field: "contactID", "no such relationship") }
            return [.relationshipRemoved(ContactRelationshipRemoved(contactID: id, relationship: relationship))]
        }
    }

    private static func nonEmpty(_ text: String) -> String? {
        text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : text
    }

    /// The value after a patch; a value set to empty text clears the field.
    private static func patched(_ patch: ProfilePatch<String>, _ current: String?,
                                _ check: (String) throws(DomainError) -> String) throws(DomainError) -> String? {
        switch patch {
        case .keep: return current
        case .clear: return nil
        case .set(let value): return try nonEmpty(value).map(check)
        }
    }

    public static func evolve(_ state: State, _ event: Event) -> State {
        var s = state
        switch event {
        case .created(let e):
            s.id = e.contactID
            s.customerID = e.customerID
            s.name = e.name
            s.role = e.role
            s.title = e.title
            s.phone = e.phone
            s.email = e.email
        case .edited(let e):
            for change in e.changes {
                let text: String? = change.new.map(\.description)
                switch change.field {
                case "name": s.name = text ?? s.name
                case "role": s.role = text.flatMap(ContactRole.init(rawValue:)) ?? s.role
                case "title": s.title = text
                case "phone": s.phone = text
                case "email": s.email = text
                default: break
                }
            }
        case .movedToCustomer(let e): s.customerID = e.toCustomerID
        case .relationshipAdded(let e): s.relationships.append(e.relationship)
        case .relationshipRemoved(let e): s.relationships.removeAll { $0 == e.relationship }
        case .archived: s.isArchived = true
        case .restored: s.isArchived = false
        }
        return s
    }
}
